//! Lanyard locations: the Optix locations admins mapped, and unmapped ones tenants tried.

use crate::error::StoreError;
use crate::projection::Projection;
use crate::read_models::rows::{enum_text, execute, pool_from_db, pool_to_db, select, select_opt};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::Event;
use domain::policy::{LocationSettings, RoamingPolicy};

pub const PROJECTION: Projection =
    Projection::new("locations", &["locations"], |tx, _, recorded| {
        Box::pin(write(tx, recorded))
    });

/// A Lanyard location as admins configured it, and its unmapped-use record.
#[derive(Clone, Debug, PartialEq)]
pub struct LocationView {
    pub location_id: String,
    /// `Some` when mapped.
    pub settings: Option<LocationSettings>,
    pub unmapped_uses: i32,
    pub last_unmapped_use: Option<DateTime<Utc>>,
}

const LOCATION_COLUMNS: &str =
    "location_id, mapped, name, network_name, timezone, vlan_first, vlan_last, roaming,
     unmapped_uses, last_unmapped_use";

fn location_from_row(row: &tokio_postgres::Row) -> LocationView {
    let mapped: bool = row.get(1);
    let roaming: Option<String> = row.get(7);
    let settings = mapped.then(|| LocationSettings {
        name: row.get::<_, Option<String>>(2).unwrap_or_default(),
        network_name: row.get::<_, Option<String>>(3).unwrap_or_default(),
        timezone: row.get::<_, Option<String>>(4).unwrap_or_default(),
        vlan_pool: pool_from_db(row.get(5), row.get(6)),
        roaming: roaming
            .and_then(|r| serde_json::from_value(serde_json::Value::String(r)).ok())
            .unwrap_or(RoamingPolicy::SingleLocation),
    });
    LocationView {
        location_id: row.get(0),
        settings,
        unmapped_uses: row.get(8),
        last_unmapped_use: row.get(9),
    }
}

pub async fn location(
    client: &impl GenericClient,
    org_id: &str,
    location_id: &str,
) -> Result<Option<LocationView>, StoreError> {
    select_opt(
        client,
        &format!("SELECT {LOCATION_COLUMNS} FROM locations WHERE org_id = $1 AND location_id = $2"),
        &[&org_id, &location_id],
        location_from_row,
    )
    .await
}

/// Every location Lanyard knows for the organization: mapped ones and unmapped ones tenants
/// tried, ordered by Optix id.
pub async fn locations(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Vec<LocationView>, StoreError> {
    select(
        client,
        &format!(
            "SELECT {LOCATION_COLUMNS} FROM locations WHERE org_id = $1
             ORDER BY length(location_id), location_id"
        ),
        &[&org_id],
        location_from_row,
    )
    .await
}

async fn write(client: &impl GenericClient, recorded: &RecordedEvent) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    match &recorded.event {
        Event::LocationMapped {
            location_id,
            settings,
        } => {
            let (vlan_first, vlan_last) = pool_to_db(settings.vlan_pool);
            execute(
                client,
                "INSERT INTO locations (org_id, location_id, mapped, name, network_name, timezone, vlan_first, vlan_last,
                 roaming, updated_at, last_position)
                 VALUES ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (org_id, location_id) DO UPDATE SET mapped = true, name = $3, network_name = $4,
                 timezone = $5, vlan_first = $6, vlan_last = $7, roaming = $8, updated_at = $9, last_position = $10",
                &[
                    &org,
                    location_id,
                    &settings.name,
                    &settings.network_name,
                    &settings.timezone,
                    &vlan_first,
                    &vlan_last,
                    &enum_text(&settings.roaming)?,
                    &at,
                    &pos,
                ],
            )
            .await
        }
        Event::LocationUnmapped { location_id } => {
            execute(
                client,
                "UPDATE locations SET mapped = false, updated_at = $3, last_position = $4
                 WHERE org_id = $1 AND location_id = $2",
                &[&org, location_id, &at, &pos],
            )
            .await
        }
        Event::UnmappedLocationUsed {
            location_id,
            user_id,
            at: used_at,
        } => {
            execute(
                client,
                "INSERT INTO locations (org_id, location_id, mapped, unmapped_uses, last_unmapped_use, last_unmapped_user,
                 updated_at, last_position)
                 VALUES ($1, $2, false, 1, $3, $4, $5, $6)
                 ON CONFLICT (org_id, location_id) DO UPDATE SET unmapped_uses = locations.unmapped_uses + 1,
                 last_unmapped_use = $3, last_unmapped_user = $4, updated_at = $5, last_position = $6",
                &[&org, location_id, used_at, user_id, &at, &pos],
            )
            .await
        }
        _ => Ok(()),
    }
}
