//! Sync runs with Optix, as `SyncCompleted` / `SyncFailed` recorded them.

use crate::error::StoreError;
use crate::projection::cell;
use crate::projection::{Column, Projection, RowOp, Table};
use crate::read_models::rows::{select, select_opt};
use crate::recorded::RecordedEvent;
use crate::statements::CachedStatements;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::Event;

pub const PROJECTION: Projection = Projection::new("sync_runs", &[&SYNC_RUNS], ops);

pub const SYNC_RUNS: Table = Table {
    name: "sync_runs",
    columns: &[
        Column::new("global_position", "bigint"),
        Column::new("org_id", "text"),
        Column::new("kind", "text"),
        Column::new("outcome", "text"),
        Column::new("users_seen", "integer"),
        Column::new("corrected_streams", "integer"),
        Column::new("events_appended", "integer"),
        Column::new("corrections", "jsonb"),
        Column::new("reason", "text"),
        Column::new("finished_at", "timestamptz"),
    ],
    key: 1,
};

#[derive(Clone, Debug, PartialEq)]
pub struct SyncRunView {
    pub kind: String,
    pub outcome: String,
    pub users_seen: Option<i32>,
    pub corrected_streams: Option<i32>,
    pub events_appended: Option<i32>,
    pub corrections: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub finished_at: DateTime<Utc>,
}

const SYNC_RUN_COLUMNS: &str = "kind, outcome, users_seen, corrected_streams, events_appended, corrections, reason, finished_at";

/// The newest sync runs first.
pub async fn sync_runs(
    client: &impl GenericClient,
    org_id: &str,
    limit: i64,
) -> Result<Vec<SyncRunView>, StoreError> {
    select(
        client,
        &format!(
            "SELECT {SYNC_RUN_COLUMNS} FROM sync_runs WHERE org_id = $1
             ORDER BY global_position DESC LIMIT $2"
        ),
        &[&org_id, &limit],
        sync_run_view,
    )
    .await
}

/// The position of the organization's latest recorded sync run (0: none yet).
pub async fn latest_sync_position(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<i64, StoreError> {
    let row = client
        .query_one_cached(
            "SELECT coalesce(max(global_position), 0) FROM sync_runs WHERE org_id = $1",
            &[&org_id],
        )
        .await?;
    Ok(row.get(0))
}

/// The first sync run recorded after `position`, if one finished since.
pub async fn sync_run_after(
    client: &impl GenericClient,
    org_id: &str,
    position: i64,
) -> Result<Option<SyncRunView>, StoreError> {
    select_opt(
        client,
        &format!(
            "SELECT {SYNC_RUN_COLUMNS} FROM sync_runs WHERE org_id = $1 AND global_position > $2
             ORDER BY global_position LIMIT 1"
        ),
        &[&org_id, &position],
        sync_run_view,
    )
    .await
}

/// A `sync_runs` row selected as [`SYNC_RUN_COLUMNS`].
fn sync_run_view(r: &tokio_postgres::Row) -> SyncRunView {
    SyncRunView {
        kind: r.get(0),
        outcome: r.get(1),
        users_seen: r.get(2),
        corrected_streams: r.get(3),
        events_appended: r.get(4),
        corrections: r.get(5),
        reason: r.get(6),
        finished_at: r.get(7),
    }
}

fn ops(
    _: &domain::StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    let mut columns = vec![("org_id", cell::text(org))];
    match &recorded.event {
        Event::SyncCompleted {
            kind,
            users_seen,
            corrected_streams,
            events_appended,
            corrections,
        } => columns.extend([
            ("kind", cell::text(kind.as_str())),
            ("outcome", cell::text("ok")),
            ("users_seen", cell::int(*users_seen as i32)),
            ("corrected_streams", cell::int(*corrected_streams as i32)),
            ("events_appended", cell::int(*events_appended as i32)),
            ("corrections", cell::json(corrections)?),
        ]),
        Event::SyncFailed { kind, reason } => columns.extend([
            ("kind", cell::text(kind.as_str())),
            ("outcome", cell::text("failed")),
            ("reason", cell::text(reason.as_str())),
        ]),
        _ => return Ok(()),
    }
    columns.push(("finished_at", cell::time(at)));
    out.push(RowOp::Insert {
        table: &SYNC_RUNS,
        key: vec![pos.to_string()],
        columns,
    });
    Ok(())
}
