//! Which cloud controller a location's keys go to (`controller_mappings`), one row per
//! `controller-{org}-{location}` stream, and its queries. The credentials stay sealed here; only
//! the controllers service (holding the key ring) opens them.

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Table, misplaced};
use crate::read_models::rows::{from_json, sealed, select, select_opt};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::controller::ControllerTarget;
use domain::{Event, Sealed, StreamId};

pub const PROJECTION: Projection =
    Projection::new("controller_mappings", &[&CONTROLLER_MAPPINGS], ops);

pub const CONTROLLER_MAPPINGS: Table = Table {
    name: "controller_mappings",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("location_id", "text"),
        Column::new("vendor", "text"),
        Column::new("target", "jsonb"),
        Column::new("credentials", "jsonb"),
        Column::new("token_hash", "text"),
        Column::new("updated_at", "timestamptz"),
    ],
    key: 2,
};

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

fn ops(
    stream: &StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
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
    let key = vec![org_id.clone(), location_id.clone()];
    let Event::ControllerMapped {
        target,
        credentials,
        token_hash,
    } = &recorded.event
    else {
        out.push(RowOp::Delete {
            table: &CONTROLLER_MAPPINGS,
            key_prefix: key,
            matching: Vec::new(),
        });
        return Ok(());
    };
    let set = [
        ("vendor", cell::text(target.vendor())),
        ("target", cell::json(target)?),
        ("credentials", cell::json(credentials)?),
        ("token_hash", cell::opt_text(token_hash.as_ref())),
        ("updated_at", cell::time(recorded.recorded_at)),
    ];
    out.push(RowOp::Upsert {
        table: &CONTROLLER_MAPPINGS,
        key,
        set: set.into_iter().map(|(c, v)| (c, to(v))).collect(),
        insert_only: Vec::new(),
    });
    Ok(())
}
