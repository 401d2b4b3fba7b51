//! Provisioning end to end, one test binary (one link of the whole stack): the access rules,
//! the first webhook through every component, the event log on real PostgreSQL, many
//! organizations, and the defects an operator found.

mod defects;
mod event_log;
mod foundation;
mod organizations;
mod provisioning;
mod radius_registry;
mod scale_out;
