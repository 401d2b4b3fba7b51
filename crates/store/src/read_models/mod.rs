//! The read models: one file per projection, each owning its writer (event → rows, see
//! [`crate::projection`]) and its queries. The event log and replay run [`PROJECTIONS`]; a new
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

use crate::projection::Projection;

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
    PROJECTIONS.iter().flat_map(|p| p.tables.iter().copied())
}

/// Runs every projection on one event, in the transaction that appends it (or, in replay,
/// that rebuilds it).
pub async fn project(
    tx: &deadpool_postgres::Transaction<'_>,
    stream: &domain::StreamId,
    recorded: &crate::recorded::RecordedEvent,
) -> Result<(), crate::error::StoreError> {
    for projection in PROJECTIONS {
        (projection.apply)(tx, stream, recorded).await?;
    }
    Ok(())
}
