//! optix-sim: a simulator of the parts of Optix that Lanyard depends on, faithful enough to
//! run the demo, the tests and the benchmarks here: the GraphQL subset (organization and
//! personal tokens, paging, the per-token rate limit with 429s) and signed, form-encoded
//! webhooks with Optix's retry policy (seed 002). An admin API changes its state and emits the
//! webhooks Optix would send.

pub mod changes;
mod fields;
pub mod graphql;
pub mod model;
mod server;
mod sim;
pub mod steady;

pub use changes::{Applied, Change, Notify};
pub use server::{RunningSim, spawn};
pub use sim::{Auth, Delivery, DeliveryRecord, Hold, NewOrganization, Sim, SimConfig, SimState};
