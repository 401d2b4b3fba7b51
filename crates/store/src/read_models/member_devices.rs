//! The members' devices (`member_devices`): which member of an organization a MAC address
//! belongs to, from `DeviceAdded` / `DeviceRemoved` on member streams. `AccountDeleted` erases
//! the member's devices.

use crate::error::StoreError;
use crate::projection::cell;
use crate::projection::{Column, Projection, RowOp, Table, misplaced};
use crate::read_models::rows::{enum_text, from_json, select};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{DeviceBinding, Event, Mac, StreamId};

pub const PROJECTION: Projection = Projection::new("member_devices", &[&MEMBER_DEVICES], ops);

pub const MEMBER_DEVICES: Table = Table {
    name: "member_devices",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("mac", "text"),
        Column::new("user_id", "text"),
        Column::new("name", "text"),
        Column::new("bound_via", "text"),
        Column::new("added_at", "timestamptz"),
    ],
    key: 2,
};

/// A device registered to a member.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceView {
    pub org_id: String,
    pub user_id: String,
    pub mac: Mac,
    pub name: String,
    pub bound_via: DeviceBinding,
    pub added_at: DateTime<Utc>,
}

const DEVICE_COLUMNS: &str = "org_id, user_id, mac, name, bound_via, added_at";

fn device_from_row(row: &tokio_postgres::Row) -> Result<DeviceView, StoreError> {
    let mac: String = row.get(2);
    Ok(DeviceView {
        org_id: row.get(0),
        user_id: row.get(1),
        mac: mac
            .parse()
            .map_err(|e: domain::devices::MacError| StoreError::Corrupt {
                position: -1,
                reason: e.to_string(),
            })?,
        name: row.get(3),
        bound_via: from_json(serde_json::Value::String(row.get(4)))?,
        added_at: row.get(5),
    })
}

/// A member's devices, oldest first.
pub async fn devices(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Vec<DeviceView>, StoreError> {
    select(
        client,
        &format!(
            "SELECT {DEVICE_COLUMNS} FROM member_devices WHERE org_id = $1 AND user_id = $2
             ORDER BY added_at, mac"
        ),
        &[&org_id, &user_id],
        device_from_row,
    )
    .await?
    .into_iter()
    .collect()
}

/// The device with this MAC in the organization, whoever's it is.
pub async fn device(
    client: &impl GenericClient,
    org_id: &str,
    mac: Mac,
) -> Result<Option<DeviceView>, StoreError> {
    select(
        client,
        &format!("SELECT {DEVICE_COLUMNS} FROM member_devices WHERE org_id = $1 AND mac = $2"),
        &[&org_id, &mac.to_string()],
        device_from_row,
    )
    .await?
    .pop()
    .transpose()
}

fn ops(
    stream: &StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, _, at) = recorded.row_stamp();
    let user = || stream.user_id().ok_or_else(|| misplaced(stream, recorded));
    // Keyed by MAC: a member's devices are the rows holding their user id.
    let of_member = |key: Vec<String>| -> Result<RowOp, StoreError> {
        Ok(RowOp::Delete {
            table: &MEMBER_DEVICES,
            key_prefix: key,
            matching: vec![("user_id", user()?.to_owned())],
        })
    };
    out.push(match &recorded.event {
        Event::DeviceAdded {
            mac,
            name,
            bound_via,
        } => RowOp::Insert {
            table: &MEMBER_DEVICES,
            key: vec![org.to_owned(), mac.to_string()],
            columns: vec![
                ("user_id", cell::text(user()?)),
                ("name", cell::text(name.as_str())),
                ("bound_via", cell::text(enum_text(bound_via)?)),
                ("added_at", cell::time(at)),
            ],
        },
        Event::DeviceRemoved { mac, .. } => of_member(vec![org.to_owned(), mac.to_string()])?,
        Event::AccountDeleted => of_member(vec![org.to_owned()])?,
        _ => return Ok(()),
    });
    Ok(())
}
