//! Which cloud controller a location's keys go to (`controller_mappings`), one row per
//! `controller-{org}-{location}` stream. The credentials stay sealed here; only the controllers
//! service (holding the key ring) opens them. The controllers crate reads the rows.

use crate::error::StoreError;
use crate::projection::{Projection, misplaced};
use crate::read_models::rows::{execute, json};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};

pub const PROJECTION: Projection = Projection::new(
    "controller_mappings",
    &["controller_mappings"],
    |tx, stream, recorded| Box::pin(write(tx, stream, recorded)),
);

/// Whether another location (any organization) maps an AP group fetching with the token whose
/// keyed hash is `token_hash`.
pub async fn token_taken(
    client: &impl GenericClient,
    token_hash: &str,
    (org_id, location_id): (&str, &str),
) -> Result<bool, StoreError> {
    Ok(client
        .query_opt(
            "SELECT 1 FROM controller_mappings WHERE token_hash = $1
               AND NOT (org_id = $2 AND location_id = $3)",
            &[&token_hash, &org_id, &location_id],
        )
        .await?
        .is_some())
}

async fn write(
    client: &impl GenericClient,
    stream: &StreamId,
    recorded: &RecordedEvent,
) -> Result<(), StoreError> {
    let (Event::ControllerMapped { .. } | Event::ControllerUnmapped) = &recorded.event else {
        return Ok(());
    };
    let StreamId::Controller {
        org_id,
        location_id,
    } = stream
    else {
        return Err(misplaced(stream, recorded));
    };
    let Event::ControllerMapped {
        target,
        credentials,
        token_hash,
    } = &recorded.event
    else {
        return execute(
            client,
            "DELETE FROM controller_mappings WHERE org_id = $1 AND location_id = $2",
            &[org_id, location_id],
        )
        .await;
    };
    execute(
        client,
        "INSERT INTO controller_mappings
             (org_id, location_id, vendor, target, credentials, token_hash, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (org_id, location_id) DO UPDATE
            SET vendor = $3, target = $4, credentials = $5, token_hash = $6, updated_at = $7",
        &[
            org_id,
            location_id,
            &target.vendor(),
            &json(target)?,
            &json(credentials)?,
            token_hash,
            &recorded.recorded_at,
        ],
    )
    .await
}
