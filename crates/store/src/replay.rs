//! Rebuilding projections from the event log while the services keep running.
//!
//! The rebuild happens side by side in a shadow schema, with the *same* projections as live
//! appends (`read_models::project`; the shadow schema is first on `search_path`, so
//! unqualified table names resolve there). When it has caught up, it takes the append lock, applies the last few events
//! and swaps the shadow tables in within one transaction: readers never see half a projection.

use crate::error::StoreError;
use crate::event_log;
use crate::read_models::{self, projection_tables};
use crate::statements::CachedStatements;
use domain::StreamId;

const SHADOW: &str = "lanyard_rebuild";
const RETIRED: &str = "lanyard_retired";
const BATCH: i64 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayReport {
    pub events: u64,
    pub last_position: i64,
}

/// Parses a stream id (`member-{org}-{user}`, `org-{org}`, …) back into its parts.
pub fn parse_stream_id(stream_id: &str) -> Option<StreamId> {
    StreamId::parse(stream_id)
}

/// Rebuilds every projection from position 0 and swaps it in. `progress` is called after each
/// batch with (events applied, last position, head position).
pub async fn rebuild_all(
    client: &mut deadpool_postgres::Client,
    progress: impl FnMut(u64, i64, i64),
) -> Result<ReplayReport, StoreError> {
    // PostgreSQL re-parses a prepared statement when `search_path` or a table it names changes,
    // so cached statements stay correct through the shadow pass and the swap. Clearing the
    // cache afterwards only closes the rebuild's statements before the connection is reused.
    let report = rebuild_in_shadow(client, progress).await;
    client.statement_cache.clear();
    report
}

async fn rebuild_in_shadow(
    client: &mut deadpool_postgres::Client,
    mut progress: impl FnMut(u64, i64, i64),
) -> Result<ReplayReport, StoreError> {
    let mut setup = format!("DROP SCHEMA IF EXISTS {SHADOW} CASCADE; CREATE SCHEMA {SHADOW};");
    for table in projection_tables() {
        setup.push_str(&format!(
            "CREATE TABLE {SHADOW}.{table} (LIKE public.{table} INCLUDING ALL);"
        ));
    }
    client.batch_execute(&setup).await?;

    let mut applied = 0u64;
    let mut last = 0i64;
    // Catch up without blocking writers.
    loop {
        let head = event_log::head_position(&*client).await?;
        let n = apply_batch(client, &mut last).await?;
        applied += n;
        progress(applied, last, head);
        if n == 0 {
            break;
        }
    }
    // Final catch-up and swap, holding the append lock so nothing commits in between.
    let tx = client.transaction().await?;
    event_log::take_append_lock(&tx).await?;
    tx.batch_execute(&format!("SET LOCAL search_path = {SHADOW}, public"))
        .await?;
    loop {
        let events = event_log::read_all(&tx, last, BATCH).await?;
        let Some(end) = events.last().map(|e| e.global_position) else {
            break;
        };
        apply_pipelined(&tx, &events).await?;
        last = end;
        applied += events.len() as u64;
    }
    let mut swap = format!("DROP SCHEMA IF EXISTS {RETIRED} CASCADE; CREATE SCHEMA {RETIRED};");
    for table in projection_tables() {
        swap.push_str(&format!(
            "ALTER TABLE public.{table} SET SCHEMA {RETIRED}; ALTER TABLE {SHADOW}.{table} SET SCHEMA public;"
        ));
    }
    swap.push_str(&format!(
        "DROP SCHEMA {RETIRED} CASCADE; DROP SCHEMA {SHADOW} CASCADE;"
    ));
    tx.batch_execute("SET LOCAL search_path = public").await?;
    tx.batch_execute(&swap).await?;
    tx.commit().await?;
    Ok(ReplayReport {
        events: applied,
        last_position: last,
    })
}

async fn apply_batch(
    client: &mut deadpool_postgres::Client,
    last: &mut i64,
) -> Result<u64, StoreError> {
    let tx = client.transaction().await?;
    tx.batch_execute(&format!("SET LOCAL search_path = {SHADOW}, public"))
        .await?;
    let events = event_log::read_all(&tx, *last, BATCH).await?;
    apply_pipelined(&tx, &events).await?;
    if let Some(end) = events.last() {
        *last = end.global_position;
    }
    tx.commit().await?;
    Ok(events.len() as u64)
}

/// Applies a batch with the live projection code, pipelined: each stream's events go in log
/// order, while different streams (which touch different rows) are in flight together on the
/// one connection, so the batch costs a few round trips instead of one per statement.
async fn apply_pipelined(
    tx: &deadpool_postgres::Transaction<'_>,
    events: &[event_log::RecordedEvent],
) -> Result<(), StoreError> {
    let mut by_stream: Vec<(&str, Vec<&event_log::RecordedEvent>)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for event in events {
        let slot = *index.entry(event.stream_id.as_str()).or_insert_with(|| {
            by_stream.push((event.stream_id.as_str(), Vec::new()));
            by_stream.len() - 1
        });
        by_stream[slot].1.push(event);
    }
    futures::future::try_join_all(by_stream.into_iter().map(|(_, stream_events)| async move {
        for event in stream_events {
            apply_one(tx, event).await?;
        }
        Ok::<_, StoreError>(())
    }))
    .await?;
    Ok(())
}

async fn apply_one(
    tx: &deadpool_postgres::Transaction<'_>,
    event: &event_log::RecordedEvent,
) -> Result<(), StoreError> {
    let stream = parse_stream_id(&event.stream_id).ok_or_else(|| StoreError::Corrupt {
        position: event.global_position,
        reason: format!("unknown stream id {}", event.stream_id),
    })?;
    read_models::project(tx, &stream, event).await
}

/// A digest of each projection table's full contents, in a stable order; identical digests
/// mean identical tables.
pub async fn checksums(
    client: &impl deadpool_postgres::GenericClient,
) -> Result<Vec<(String, i64, String)>, StoreError> {
    let mut out = Vec::new();
    for table in projection_tables() {
        let row = client
            .query_one_cached(
                &format!(
                    "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), md5(''))
                     FROM public.{table} t"
                ),
                &[],
            )
            .await?;
        out.push((table.to_owned(), row.get(0), row.get(1)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_parse_back() {
        assert_eq!(
            parse_stream_id("member-6267-12346"),
            Some(StreamId::member("6267", "12346"))
        );
        assert_eq!(
            parse_stream_id("org-6267"),
            Some(StreamId::organization("6267"))
        );
        assert_eq!(
            parse_stream_id("group-1-2"),
            Some(StreamId::group("1", "2"))
        );
        assert_eq!(parse_stream_id("team-1-2"), None);
    }
}
