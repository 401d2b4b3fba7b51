//! What an operator and an SRE meet, one test binary: `lanyard` against a running system,
//! `/metrics` and traces, commands whose sender the bus, not the body, establishes, and the
//! FreeRADIUS that scripts/infra.sh runs.

mod bus_authorization;
mod cli;
mod observability;
mod radius;
