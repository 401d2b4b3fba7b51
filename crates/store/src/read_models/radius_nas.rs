//! The NAS registry (`radius_nas`): the access points and controllers that may ask RADIUS for
//! keys, one row per `nas-{org}-{nas_id}` stream. The secret stays sealed here; only a
//! service holding the key ring opens it.

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Table, misplaced};
use crate::read_models::rows::{enum_text, from_json, sealed, select};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{Event, NasDialect, Sealed, StreamId};
use std::net::IpAddr;

pub const PROJECTION: Projection = Projection::new("radius_nas", &[&RADIUS_NAS], ops);

pub const RADIUS_NAS: Table = Table {
    name: "radius_nas",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("nas_id", "text"),
        Column::new("location_id", "text"),
        Column::new("name", "text"),
        Column::new("address", "cidr"),
        Column::new("dialect", "text"),
        Column::new("ssids", "text[]"),
        Column::new("coa_port", "integer"),
        Column::new("secret_sealed", "jsonb"),
        Column::new("registered_at", "timestamptz"),
    ],
    key: 2,
};

/// A registered NAS (serialized for listings without its secret, not even sealed).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NasView {
    pub org_id: String,
    pub nas_id: String,
    pub location_id: String,
    pub name: String,
    /// PostgreSQL `cidr` text: `10.0.0.7/32`, `10.0.0.0/24`, `2001:db8::/64`.
    pub address: String,
    pub dialect: NasDialect,
    pub ssids: Vec<String>,
    pub coa_port: u16,
    /// Sealed with the master key, context `secrets::contexts::nas_secret(org, nas_id)`.
    #[serde(skip)]
    pub secret: Sealed,
    pub registered_at: DateTime<Utc>,
}

const NAS_COLUMNS: &str =
    "org_id, nas_id, location_id, name, address::text, dialect, ssids, coa_port,
     secret_sealed, registered_at";

fn nas_from_row(row: &tokio_postgres::Row) -> Result<NasView, StoreError> {
    let coa_port: i32 = row.get(7);
    Ok(NasView {
        org_id: row.get(0),
        nas_id: row.get(1),
        location_id: row.get(2),
        name: row.get(3),
        address: row.get(4),
        dialect: from_json(serde_json::Value::String(row.get(5)))?,
        ssids: row.get(6),
        coa_port: u16::try_from(coa_port).map_err(|_| StoreError::Corrupt {
            position: -1,
            reason: format!("radius_nas.coa_port {coa_port} is not a port"),
        })?,
        secret: sealed(row.get(8))?,
        registered_at: row.get(9),
    })
}

async fn select_nases(
    client: &impl GenericClient,
    clause: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<NasView>, StoreError> {
    select(
        client,
        &format!("SELECT {NAS_COLUMNS} FROM radius_nas {clause}"),
        params,
        nas_from_row,
    )
    .await?
    .into_iter()
    .collect()
}

/// One NAS by its id.
pub async fn nas(
    client: &impl GenericClient,
    org_id: &str,
    nas_id: &str,
) -> Result<Option<NasView>, StoreError> {
    Ok(select_nases(
        client,
        "WHERE org_id = $1 AND nas_id = $2",
        &[&org_id, &nas_id],
    )
    .await?
    .pop())
}

/// The organization's NASes, by location then id.
pub async fn nases(client: &impl GenericClient, org_id: &str) -> Result<Vec<NasView>, StoreError> {
    select_nases(
        client,
        "WHERE org_id = $1 ORDER BY location_id, nas_id",
        &[&org_id],
    )
    .await
}

/// Every NAS of every organization (FreeRADIUS's client list).
pub async fn all_nases(client: &impl GenericClient) -> Result<Vec<NasView>, StoreError> {
    select_nases(client, "ORDER BY org_id, nas_id", &[]).await
}

/// The NAS whose address contains `ip` (at most one: addresses never overlap).
pub async fn nas_for_ip(
    client: &impl GenericClient,
    ip: IpAddr,
) -> Result<Option<NasView>, StoreError> {
    Ok(select_nases(client, "WHERE address >>= $1 LIMIT 1", &[&ip])
        .await?
        .pop())
}

/// The NAS (any organization) whose address overlaps `address` (`cidr` text), other than
/// `(org_id, nas_id)` itself.
pub async fn nas_overlapping(
    client: &impl GenericClient,
    address: &str,
    org_id: &str,
    nas_id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(select(
        client,
        "SELECT org_id, nas_id FROM radius_nas
         WHERE address && $1::text::cidr AND NOT (org_id = $2 AND nas_id = $3) LIMIT 1",
        &[&address, &org_id, &nas_id],
        |row| (row.get(0), row.get(1)),
    )
    .await?
    .pop())
}

fn ops(
    stream: &StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, _, at) = recorded.row_stamp();
    let key = || match stream.nas_id() {
        Some(nas_id) => Ok(vec![org.to_owned(), nas_id.to_owned()]),
        None => Err(misplaced(stream, recorded)),
    };
    out.push(match &recorded.event {
        Event::NasRegistered(nas) => {
            let set = [
                ("location_id", cell::text(nas.location_id.as_str())),
                ("name", cell::text(nas.name.as_str())),
                ("address", cell::text(nas.address.as_str())),
                ("dialect", cell::text(enum_text(&nas.dialect)?)),
                ("ssids", cell::text_array(&nas.ssids)),
                ("coa_port", cell::int(nas.coa_port)),
                ("secret_sealed", cell::json(&nas.secret)?),
            ];
            // Addresses never overlap: the table's exclusion constraint, checked at commit.
            RowOp::Upsert {
                table: &RADIUS_NAS,
                key: key()?,
                set: set.into_iter().map(|(c, v)| (c, to(v))).collect(),
                insert_only: vec![("registered_at", cell::time(at))],
            }
        }
        Event::NasRemoved => RowOp::Delete {
            table: &RADIUS_NAS,
            key_prefix: key()?,
            matching: Vec::new(),
        },
        _ => return Ok(()),
    });
    Ok(())
}
