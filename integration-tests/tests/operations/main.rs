//! What an operator and an SRE meet, one test binary: `lanyard` against a running system,
//! `/metrics` and traces, and commands whose sender the bus, not the body, establishes.
//! (RADIUS has a binary of its own: tests/radius.)

mod backups;
mod bus_authorization;
mod cli;
mod database_tls;
mod mail_settings;
mod observability;
