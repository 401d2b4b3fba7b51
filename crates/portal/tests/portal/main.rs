//! The portal crate's one test binary: what the stylesheet and templates promise
//! (`accessibility`) and the health endpoints against real PostgreSQL and NATS (`health`).

mod accessibility;
mod health;
