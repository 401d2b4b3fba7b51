//! Lanyard's domain: events, the aggregates (`decide` / `evolve`, see [`Aggregate`]) and the
//! access rules.
//!
//! Pure: no I/O, no clock, no randomness. Time and freshly generated secrets arrive inside
//! commands, so every decision is reproducible in tests and in replay.

pub mod access;
pub mod aggregate;
pub mod controller;
pub mod controller_target;
pub mod describe;
pub mod devices;
pub mod dialect;
pub mod events;
pub mod group;
pub mod live_access;
pub mod location;
pub mod location_access;
pub mod member;
pub mod messages;
pub mod nas;
pub mod organization;
pub mod passphrase;
pub mod platform;
pub mod policy;
#[cfg(test)]
mod testing;

pub use access::{
    BookingFact, DesiredAccess, InvitationFact, MemberFacts, PlanFact, TeamFact, desired_access,
};
pub use aggregate::Aggregate;
pub use devices::{DeviceBinding, Mac};
pub use events::{Basis, DisconnectOutcome, Event, GrantKey, GrantNetwork, Sealed, StreamId};
pub use member::{Member, MemberCommand, MemberError, Secrets};
pub use messages::MessageKind;
pub use nas::{Nas, NasCommand, NasDialect, NasError};
pub use organization::{Organization, OrganizationCommand};
pub use platform::{Platform, PlatformAccount};
pub use policy::{AccessProfile, LocationSettings, OrgPolicy, RoamingPolicy, VlanRange};
