//! officernd-sim: a simulator of the parts of OfficeRnD that Lanyard depends on
//! (docs/officernd.md §14): the client-credentials token endpoint, the API v2 lists and
//! records (members, memberships, plans, locations, companies, bookings, visitors) with
//! cursor paging, `$limit` capped at 50, unknown query parameters refused and a per-minute read
//! limit answering 429; the v1 organization lookup; webhook registration; and an admin API
//! whose changes send the webhooks OfficeRnD would, signed with `officernd-signature` and
//! retried on failure, with switches to drop, duplicate or mis-sign deliveries.

pub mod changes;
pub mod demo;
pub mod model;
mod server;
mod sim;

pub use changes::Change;
pub use server::{RunningSim, spawn};
pub use sim::{DeliveryRecord, Faults, Sim, SimConfig};
