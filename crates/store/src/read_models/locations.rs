//! Lanyard locations: the Optix locations admins mapped, and unmapped ones tenants tried.

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Set, Table};
use crate::read_models::rows::{enum_text, pool_from_db, pool_to_db, select, select_opt};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::Event;
use domain::policy::{LocationSettings, RoamingPolicy};

pub const PROJECTION: Projection = Projection::new("locations", &[&LOCATIONS], ops);

pub const LOCATIONS: Table = Table {
    name: "locations",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("location_id", "text"),
        Column::new("mapped", "boolean"),
        Column::new("name", "text"),
        Column::new("network_name", "text"),
        Column::new("timezone", "text"),
        Column::new("vlan_first", "integer"),
        Column::new("vlan_last", "integer"),
        Column::new("roaming", "text"),
        Column::with_default("unmapped_uses", "integer", "0"),
        Column::new("last_unmapped_use", "timestamptz"),
        Column::new("last_unmapped_user", "text"),
        Column::new("updated_at", "timestamptz"),
        Column::new("last_position", "bigint"),
    ],
    key: 2,
};

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

/// The location a member belongs to: their home location, or `fallback` (where they came
/// from) for an account bound nowhere. One statement, so a page can ask for it in the same
/// round trip as the member.
pub async fn member_location(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
    fallback: Option<&str>,
) -> Result<Option<LocationView>, StoreError> {
    select_opt(
        client,
        &format!(
            "SELECT {LOCATION_COLUMNS} FROM locations
              WHERE org_id = $1
                AND location_id = coalesce(
                      (SELECT home_location FROM members WHERE org_id = $1 AND user_id = $2),
                      $3::text)"
        ),
        &[&org_id, &user_id, &fallback],
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

fn ops(
    _: &domain::StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    let stamp = [
        ("updated_at", to(cell::time(at))),
        ("last_position", to(cell::int(pos))),
    ];
    let key = |location_id: &str| vec![org.to_owned(), location_id.to_owned()];
    out.push(match &recorded.event {
        Event::LocationMapped {
            location_id,
            settings,
        } => {
            let (vlan_first, vlan_last) = pool_to_db(settings.vlan_pool);
            let mut set = vec![
                ("mapped", to(cell::boolean(true))),
                ("name", to(cell::text(settings.name.as_str()))),
                (
                    "network_name",
                    to(cell::text(settings.network_name.as_str())),
                ),
                ("timezone", to(cell::text(settings.timezone.as_str()))),
                ("vlan_first", to(vlan_first.and_then(cell::int))),
                ("vlan_last", to(vlan_last.and_then(cell::int))),
                ("roaming", to(cell::text(enum_text(&settings.roaming)?))),
            ];
            set.extend(stamp);
            RowOp::Upsert {
                table: &LOCATIONS,
                key: key(location_id),
                set,
                insert_only: Vec::new(),
            }
        }
        Event::LocationUnmapped { location_id } => {
            let mut set = vec![("mapped", to(cell::boolean(false)))];
            set.extend(stamp);
            RowOp::Patch {
                table: &LOCATIONS,
                key: key(location_id),
                set,
            }
        }
        Event::UnmappedLocationUsed {
            location_id,
            user_id,
            at: used_at,
        } => {
            // A counter: added to in the statement (live) or the folded row (replay), never
            // read back by the projection.
            let mut set = vec![
                ("unmapped_uses", Set::Add(1)),
                ("last_unmapped_use", to(cell::time(*used_at))),
                ("last_unmapped_user", to(cell::opt_text(user_id.as_ref()))),
            ];
            set.extend(stamp);
            RowOp::Upsert {
                table: &LOCATIONS,
                key: key(location_id),
                set,
                insert_only: vec![("mapped", cell::boolean(false))],
            }
        }
        _ => return Ok(()),
    });
    Ok(())
}
