//! Sync runs with Optix, as `SyncCompleted` / `SyncFailed` recorded them.

use crate::error::StoreError;
use crate::projection::Projection;
use crate::read_models::rows::{execute, json, select, select_opt};
use crate::recorded::RecordedEvent;
use crate::statements::CachedStatements;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::Event;

pub const PROJECTION: Projection =
    Projection::new("sync_runs", &["sync_runs"], |tx, _, recorded| {
        Box::pin(write(tx, recorded))
    });

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

async fn write(client: &impl GenericClient, recorded: &RecordedEvent) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    match &recorded.event {
        Event::SyncCompleted {
            kind,
            users_seen,
            corrected_streams,
            events_appended,
            corrections,
        } => {
            execute(
                client,
                "INSERT INTO sync_runs (global_position, org_id, kind, outcome, users_seen, corrected_streams,
                 events_appended, corrections, finished_at)
                 VALUES ($1, $2, $3, 'ok', $4, $5, $6, $7, $8)",
                &[
                    &pos,
                    &org,
                    &kind.as_str(),
                    &(*users_seen as i32),
                    &(*corrected_streams as i32),
                    &(*events_appended as i32),
                    &json(corrections)?,
                    &at,
                ],
            )
            .await
        }
        Event::SyncFailed { kind, reason } => {
            execute(
                client,
                "INSERT INTO sync_runs (global_position, org_id, kind, outcome, reason, finished_at)
                 VALUES ($1, $2, $3, 'failed', $4, $5)",
                &[&pos, &org, &kind.as_str(), reason, &at],
            )
            .await
        }
        _ => Ok(()),
    }
}
