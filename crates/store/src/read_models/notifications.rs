//! The admins' notification box: unmapped locations tenants tried, failed syncs, groups left
//! without a VLAN. One row per event that raised it.

use crate::error::StoreError;
use crate::projection::cell;
use crate::projection::{Column, Projection, RowOp, Table};
use crate::read_models::rows::select;
use crate::recorded::RecordedEvent;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};

pub const PROJECTION: Projection = Projection::new("notifications", &[&NOTIFICATIONS], ops);

pub const NOTIFICATIONS: Table = Table {
    name: "notifications",
    columns: &[
        Column::new("global_position", "bigint"),
        Column::new("org_id", "text"),
        Column::new("kind", "text"),
        Column::new("subject", "text"),
        Column::new("message", "text"),
        Column::new("raised_at", "timestamptz"),
    ],
    key: 1,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationView {
    pub position: i64,
    pub kind: String,
    pub subject: String,
    pub message: String,
    pub raised_at: DateTime<Utc>,
}

/// The newest notifications first, the latest of each kind and subject only.
pub async fn notifications(
    client: &impl GenericClient,
    org_id: &str,
    limit: i64,
) -> Result<Vec<NotificationView>, StoreError> {
    select(
        client,
        // The latest of each kind and subject: one location reported every hour, or a sync
        // failing every 15 minutes, is one line and cannot push the others off.
        "SELECT global_position, kind, subject, message, raised_at FROM (
             SELECT DISTINCT ON (kind, subject) global_position, kind, subject, message, raised_at
             FROM notifications WHERE org_id = $1
             ORDER BY kind, subject, global_position DESC
         ) latest ORDER BY global_position DESC LIMIT $2",
        &[&org_id, &limit],
        |r| NotificationView {
            position: r.get(0),
            kind: r.get(1),
            subject: r.get(2),
            message: r.get(3),
            raised_at: r.get(4),
        },
    )
    .await
}

/// What an event raises in the box: (kind, subject, message).
fn raised_by<'a>(
    stream: &'a StreamId,
    event: &'a Event,
) -> Option<(&'static str, &'a str, String)> {
    match (stream, event) {
        (
            StreamId::Controller { location_id, .. },
            Event::ControllerOverLimit {
                vendor,
                wanted,
                limit,
            },
        ) => Some((
            "controller_over_limit",
            location_id,
            format!(
                "Location {location_id} wants {wanted} WiFi keys but its {vendor} controller allows {limit}: nothing was applied there. Use another SSID or network for some members, or unmap the location."
            ),
        )),
        (stream, event) => raised_by_event(domain::Platform::of_org(stream.org_id()).name(), event),
    }
}

/// `platform`: the organization's membership platform's name, for the words.
fn raised_by_event<'a>(
    platform: &str,
    event: &'a Event,
) -> Option<(&'static str, &'a str, String)> {
    match event {
        Event::SyncFailed { kind, reason } => Some((
            "sync_failed",
            kind.as_str(),
            format!(
                "The {} sync with {platform} failed: {reason}",
                kind.as_str()
            ),
        )),
        Event::UnmappedLocationUsed { location_id, .. } => Some((
            "unmapped_location",
            location_id,
            format!(
                "A tenant asked for WiFi at {platform} location {location_id}, which is not mapped to a Lanyard location."
            ),
        )),
        Event::GroupCreated {
            team_id,
            name,
            vlan: None,
        } => Some((
            "group_without_vlan",
            team_id,
            format!(
                "Team {name} ({team_id}) has no VLAN: configure a VLAN pool for the organization or its members' location, or free one."
            ),
        )),
        _ => None,
    }
}

fn ops(
    stream: &StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let Some((kind, subject, message)) = raised_by(stream, &recorded.event) else {
        return Ok(());
    };
    out.push(RowOp::Insert {
        table: &NOTIFICATIONS,
        key: vec![recorded.global_position.to_string()],
        columns: vec![
            ("org_id", cell::text(recorded.org_id.as_str())),
            ("kind", cell::text(kind)),
            ("subject", cell::text(subject)),
            ("message", cell::text(message)),
            ("raised_at", cell::time(recorded.recorded_at)),
        ],
    });
    Ok(())
}
