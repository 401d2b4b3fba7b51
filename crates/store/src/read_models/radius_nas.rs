//! The NAS registry (`radius_nas`): the access points and controllers that may ask RADIUS for
//! keys, one row per `nas-{org}-{nas_id}` stream. The secret stays sealed here; only a
//! service holding the key ring opens it.

use crate::error::StoreError;
use crate::projection::{Projection, misplaced};
use crate::read_models::rows::{enum_text, execute, from_json, json, sealed, select};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{Event, NasDialect, Sealed, StreamId};
use std::net::IpAddr;

pub const PROJECTION: Projection =
    Projection::new("radius_nas", &["radius_nas"], |tx, stream, recorded| {
        Box::pin(write(tx, stream, recorded))
    });

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

async fn write(
    client: &impl GenericClient,
    stream: &StreamId,
    recorded: &RecordedEvent,
) -> Result<(), StoreError> {
    let (org, _, at) = recorded.row_stamp();
    let nas_id = || stream.nas_id().ok_or_else(|| misplaced(stream, recorded));
    if let Event::NasRegistered(nas) = &recorded.event {
        return execute(
            client,
            "INSERT INTO radius_nas (org_id, nas_id, location_id, name, address, dialect, ssids, coa_port,
             secret_sealed, registered_at)
             VALUES ($1, $2, $3, $4, $5::text::cidr, $6, $7, $8, $9, $10)
             ON CONFLICT (org_id, nas_id) DO UPDATE SET location_id = $3, name = $4, address = $5::text::cidr,
             dialect = $6, ssids = $7, coa_port = $8, secret_sealed = $9",
            &[
                &org,
                &nas_id()?,
                &nas.location_id,
                &nas.name,
                &nas.address,
                &enum_text(&nas.dialect)?,
                &nas.ssids,
                &i32::from(nas.coa_port),
                &json(&nas.secret)?,
                &at,
            ],
        )
        .await;
    }
    if !matches!(recorded.event, Event::NasRemoved) {
        return Ok(());
    }
    execute(
        client,
        "DELETE FROM radius_nas WHERE org_id = $1 AND nas_id = $2",
        &[&org, &nas_id()?],
    )
    .await
}
