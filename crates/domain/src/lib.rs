//! Lanyard's domain: events, the member aggregate (`decide` / `evolve`) and the access rules.
//!
//! Pure: no I/O, no clock, no randomness. Time and freshly generated secrets arrive inside
//! commands, so every decision is reproducible in tests and in replay.

pub mod access;
pub mod events;
pub mod member;
pub mod organization;
pub mod passphrase;

pub use access::{BookingFact, DesiredAccess, MemberFacts, PlanFact, desired_access};
pub use events::{Basis, Event, GrantKey, Sealed, StreamId};
pub use member::{Member, MemberCommand, MemberError};
pub use organization::{Organization, OrganizationCommand};
