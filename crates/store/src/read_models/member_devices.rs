//! The members' devices (`member_devices`): which member of an organization a MAC address
//! belongs to, from `DeviceAdded` / `DeviceRemoved` on member streams. `AccountDeleted` erases
//! the member's devices.

use crate::error::StoreError;
use crate::projection::{Projection, misplaced};
use crate::read_models::rows::{enum_text, execute, from_json, select};
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{DeviceBinding, Event, Mac, StreamId};

pub const PROJECTION: Projection = Projection::new(
    "member_devices",
    &["member_devices"],
    |tx, stream, recorded| Box::pin(write(tx, stream, recorded)),
);

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

async fn write(
    client: &impl GenericClient,
    stream: &StreamId,
    recorded: &RecordedEvent,
) -> Result<(), StoreError> {
    let (org, _, at) = recorded.row_stamp();
    let user = || stream.user_id().ok_or_else(|| misplaced(stream, recorded));
    match &recorded.event {
        Event::DeviceAdded {
            mac,
            name,
            bound_via,
        } => {
            execute(
                client,
                "INSERT INTO member_devices (org_id, user_id, mac, name, bound_via, added_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &org,
                    &user()?,
                    &mac.to_string(),
                    name,
                    &enum_text(bound_via)?,
                    &at,
                ],
            )
            .await
        }
        Event::DeviceRemoved { mac, .. } => {
            execute(
                client,
                "DELETE FROM member_devices WHERE org_id = $1 AND user_id = $2 AND mac = $3",
                &[&org, &user()?, &mac.to_string()],
            )
            .await
        }
        Event::AccountDeleted => {
            execute(
                client,
                "DELETE FROM member_devices WHERE org_id = $1 AND user_id = $2",
                &[&org, &user()?],
            )
            .await
        }
        _ => Ok(()),
    }
}
