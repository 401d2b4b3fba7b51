//! Lanyard's Optix client against what Optix publishes (proto/optix), one test binary: the
//! schema subset the queries compile against, and the documented webhook payloads.

mod schema_subset;
mod webhook_fixtures;
