//! The read models: one file per projection, each owning its writer (event → row operations,
//! see [`crate::projection`]) and its queries. The event log and replay run [`PROJECTIONS`]; a new
//! read model is a new file here and a line in that list.

pub mod controller_mappings;
pub mod groups;
pub mod languages;
pub mod locations;
pub mod mail_settings;
pub mod member_devices;
pub mod members;
pub mod notifications;
pub mod organizations;
pub mod plan_profiles;
pub mod radius_nas;
pub(crate) mod rows;
pub mod sync_runs;

use crate::projection::{Projection, RowOp, Table};

/// Every projection, in the order they run on each event (and their tables are listed in).
pub const PROJECTIONS: &[&Projection] = &[
    &organizations::PROJECTION,
    &members::PROJECTION,
    &plan_profiles::PROJECTION,
    &locations::PROJECTION,
    &groups::PROJECTION,
    &notifications::PROJECTION,
    &sync_runs::PROJECTION,
    &radius_nas::PROJECTION,
    &member_devices::PROJECTION,
    &controller_mappings::PROJECTION,
    &mail_settings::PROJECTION,
    &languages::PROJECTION,
];

/// The tables of every projection: what replay rebuilds and checksums.
pub fn projection_tables() -> impl Iterator<Item = &'static str> {
    tables().map(|t| t.name)
}

/// Every projection table with its columns.
pub fn tables() -> impl Iterator<Item = &'static Table> {
    PROJECTIONS.iter().flat_map(|p| p.tables.iter().copied())
}

/// The row operations of every projection for one event, in projection order.
pub fn ops(
    stream: &domain::StreamId,
    recorded: &crate::recorded::RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), crate::error::StoreError> {
    for projection in PROJECTIONS {
        (projection.ops)(stream, recorded, out)?;
    }
    Ok(())
}
