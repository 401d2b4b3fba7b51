//! Which cloud controller a location's keys go to (`controller_mappings`), one row per
//! `controller-{org}-{location}` stream, and its queries. The credentials stay sealed here; only
//! the controllers service (holding the key ring) opens them.

use crate::error::StoreError;
use crate::projection::{Projection, misplaced};
use crate::read_models::rows::{execute, from_json, json, sealed, select, select_opt};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::controller::ControllerTarget;
use domain::{Event, Sealed, StreamId};

pub const PROJECTION: Projection = Projection::new(
    "controller_mappings",
    &["controller_mappings"],
    |tx, stream, recorded| Box::pin(write(tx, stream, recorded)),
);

/// One mapped location.
#[derive(Clone, Debug)]
pub struct Mapping {
    pub org_id: String,
    pub location_id: String,
    pub target: ControllerTarget,
    /// Sealed with the master key, context
    /// `secrets::contexts::controller_credentials(org, location)`.
    pub credentials: Sealed,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "org_id, location_id, target, credentials, updated_at";

fn mapping_from_row(row: &tokio_postgres::Row) -> Result<Mapping, StoreError> {
    Ok(Mapping {
        org_id: row.get(0),
        location_id: row.get(1),
        target: from_json(row.get(2))?,
        credentials: sealed(row.get(3))?,
        updated_at: row.get(4),
    })
}

/// Every mapping of `org_id` (every organization's when None), by organization and location.
pub async fn mappings(
    client: &impl GenericClient,
    org_id: Option<&str>,
) -> Result<Vec<Mapping>, StoreError> {
    select(
        client,
        &format!(
            "SELECT {COLUMNS} FROM controller_mappings
              WHERE $1::text IS NULL OR org_id = $1 ORDER BY org_id, location_id"
        ),
        &[&org_id],
        mapping_from_row,
    )
    .await?
    .into_iter()
    .collect()
}

/// The mapping of one location.
pub async fn mapping_of(
    client: &impl GenericClient,
    org_id: &str,
    location_id: &str,
) -> Result<Option<Mapping>, StoreError> {
    select_opt(
        client,
        &format!(
            "SELECT {COLUMNS} FROM controller_mappings WHERE org_id = $1 AND location_id = $2"
        ),
        &[&org_id, &location_id],
        mapping_from_row,
    )
    .await?
    .transpose()
}

/// The OpenWrt mapping whose AP group fetches with the token whose keyed hash is `token_hash`.
pub async fn openwrt_mapping_of_token(
    client: &impl GenericClient,
    token_hash: &str,
) -> Result<Option<Mapping>, StoreError> {
    select_opt(
        client,
        &format!(
            "SELECT {COLUMNS} FROM controller_mappings WHERE token_hash = $1 AND vendor = 'openwrt'"
        ),
        &[&token_hash],
        mapping_from_row,
    )
    .await?
    .transpose()
}

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
