//! Rebuilding projections from the event log while the services keep running.
//!
//! The rebuild happens side by side in a shadow schema, with the *same* projections as live
//! appends (each read model's pure event → row operations, see [`crate::projection`]): the
//! whole log is read with one `COPY … TO STDOUT` and folded into in-memory tables
//! ([`crate::replay_fold`]), decoded on one thread and folded on another while the connection
//! reads on, and each shadow table is written with one `COPY … FROM STDIN` (two tables at a
//! time when the pool has a second connection free). Events appended
//! meanwhile are applied with the live statements (the shadow schema first on `search_path`,
//! so unqualified table names resolve there). Finally it takes the append lock, applies the
//! last few events and swaps the shadow tables in within one transaction: readers never see
//! half a projection.

use crate::error::StoreError;
use crate::event_log;
use crate::projection::RowOp;
use crate::read_models::{self, projection_tables};
use crate::recorded::{Metadata, RecordedEvent};
use crate::replay_fold::{MemTable, Tables};
use crate::statements::CachedStatements;
use chrono::{DateTime, Utc};
use domain::StreamId;
use futures::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio_postgres::binary_copy::BinaryCopyOutStream;
use tokio_postgres::types::Type;

const SHADOW: &str = "lanyard_rebuild";
const RETIRED: &str = "lanyard_retired";
/// Events per catch-up batch (after the bulk pass), and per hand-over to the fold thread.
const BATCH: usize = 5000;
/// Bytes of `COPY` data per message to PostgreSQL.
const COPY_CHUNK: usize = 1 << 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayReport {
    pub events: u64,
    pub last_position: i64,
    /// Where the time went.
    pub phases: ReplayPhases,
    /// Connections that wrote the shadow tables (2 when the pool had a second one free).
    pub writers: usize,
}

/// The rebuild's phases, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayPhases {
    /// Reading the log (`COPY` out), decoding and folding it in memory.
    pub read_and_fold: Duration,
    /// Writing the shadow tables (`COPY` in, indexes and constraints included).
    pub write: Duration,
    /// Applying what was appended meanwhile, and the swap under the append lock.
    pub catch_up_and_swap: Duration,
}

/// Parses a stream id (`member-{org}-{user}`, `org-{org}`, …) back into its parts.
pub fn parse_stream_id(stream_id: &str) -> Option<StreamId> {
    StreamId::parse(stream_id)
}

/// Rebuilds every projection from position 0 and swaps it in. `progress` is called after the
/// bulk pass and after each catch-up batch with (events applied, last position, head position).
///
/// Uses one connection of `pool` throughout, and a second one, if the pool has one free at that
/// moment, to write the shadow tables two at a time (PostgreSQL writes a `COPY` with one
/// backend, so two tables written at once use two cores).
pub async fn rebuild_all(
    pool: &deadpool_postgres::Pool,
    progress: impl FnMut(u64, i64, i64),
) -> Result<ReplayReport, StoreError> {
    let mut client = pool.get().await?;
    // PostgreSQL re-parses a prepared statement when `search_path` or a table it names changes,
    // so cached statements stay correct through the shadow pass and the swap. Clearing the
    // cache afterwards only closes the rebuild's statements before the connection is reused.
    let report = rebuild_in_shadow(pool, &mut client, progress).await;
    client.statement_cache.clear();
    report
}

async fn rebuild_in_shadow(
    pool: &deadpool_postgres::Pool,
    client: &mut deadpool_postgres::Client,
    mut progress: impl FnMut(u64, i64, i64),
) -> Result<ReplayReport, StoreError> {
    let mut setup = format!("DROP SCHEMA IF EXISTS {SHADOW} CASCADE; CREATE SCHEMA {SHADOW};");
    for table in projection_tables() {
        setup.push_str(&format!(
            "CREATE TABLE {SHADOW}.{table} (LIKE public.{table} INCLUDING ALL);"
        ));
    }
    // `LIKE … INCLUDING ALL` leaves out storage parameters (a fillfactor an operator set) and
    // columns' statistics targets (migration 0031 turns them off for sealed values): copied
    // too, so a rebuild keeps them.
    setup.push_str(&format!(
        "DO $$ DECLARE t record; BEGIN
           FOR t IN SELECT live.relname, array_to_string(live.reloptions, ', ') AS options
                      FROM pg_class live
                      JOIN pg_class shadow ON shadow.relname = live.relname
                     WHERE live.relnamespace = 'public'::regnamespace
                       AND shadow.relnamespace = '{SHADOW}'::regnamespace
                       AND live.relkind = 'r' AND live.reloptions IS NOT NULL
           LOOP
             EXECUTE format('ALTER TABLE {SHADOW}.%I SET (%s)', t.relname, t.options);
           END LOOP;
           FOR t IN SELECT live.relname, a.attname, a.attstattarget
                      FROM pg_class live
                      JOIN pg_class shadow ON shadow.relname = live.relname
                      JOIN pg_attribute a ON a.attrelid = live.oid
                     WHERE live.relnamespace = 'public'::regnamespace
                       AND shadow.relnamespace = '{SHADOW}'::regnamespace
                       AND live.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                       AND a.attstattarget >= 0
           LOOP
             EXECUTE format('ALTER TABLE {SHADOW}.%I ALTER COLUMN %I SET STATISTICS %s',
                            t.relname, t.attname, t.attstattarget);
           END LOOP;
         END $$;"
    ));
    client.batch_execute(&setup).await?;

    let mut phases = ReplayPhases::default();
    let started = Instant::now();
    let (tables, mut applied, mut last) = read_and_fold(client).await?;
    phases.read_and_fold = started.elapsed();
    let writing = Instant::now();
    let writers = write_tables(pool, client, tables).await?;
    phases.write = writing.elapsed();
    progress(applied, last, last);

    let catching_up = Instant::now();
    // Catch up without blocking writers.
    loop {
        let head = event_log::head_position(&*client).await?;
        let tx = client.transaction().await?;
        let n = apply_batch(&tx, &mut last).await?;
        tx.commit().await?;
        applied += n;
        progress(applied, last, head);
        if n == 0 {
            break;
        }
    }
    // Final catch-up and swap, holding the append lock so nothing commits in between.
    let tx = client.transaction().await?;
    event_log::take_append_lock(&tx).await?;
    while let n @ 1.. = apply_batch(&tx, &mut last).await? {
        applied += n;
    }
    swap(&tx).await?;
    tx.commit().await?;
    phases.catch_up_and_swap = catching_up.elapsed();
    Ok(ReplayReport {
        events: applied,
        last_position: last,
        phases,
        writers,
    })
}

/// Retires the live projection tables and moves the shadow ones in their place.
async fn swap(tx: &deadpool_postgres::Transaction<'_>) -> Result<(), StoreError> {
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
    Ok(())
}

/// An event as `COPY` reads it, before decoding.
struct RawEvent {
    position: i64,
    stream_id: String,
    org_id: String,
    recorded_at: DateTime<Utc>,
    data: String,
}

/// Reads the whole log and folds it into in-memory tables. Three stages run at once: the
/// connection reads, one thread decodes each event and makes its row operations (which need
/// nothing but the event), another folds the operations in log order. Answers the tables, how
/// many events and the last position.
async fn read_and_fold(
    client: &deadpool_postgres::Client,
) -> Result<(Tables, u64, i64), StoreError> {
    let (raw_sender, mut raw_receiver) = tokio::sync::mpsc::channel::<Vec<RawEvent>>(8);
    let (ops_sender, ops_receiver) = std::sync::mpsc::sync_channel::<Vec<RowOp>>(8);
    let decoding = tokio::task::spawn_blocking(move || {
        while let Some(batch) = raw_receiver.blocking_recv() {
            let mut ops = Vec::with_capacity(batch.len() * 2);
            for raw in batch {
                let recorded = decode(raw)?;
                read_models::ops(&stream_of(&recorded)?, &recorded, &mut ops)?;
            }
            if ops_sender.send(ops).is_err() {
                break;
            }
        }
        Ok::<_, StoreError>(())
    });
    let folding = tokio::task::spawn_blocking(move || {
        let mut tables = Tables::new(read_models::tables());
        for ops in ops_receiver {
            tables.apply(ops);
        }
        tables
    });
    let copy = client
        .copy_out(
            "COPY (SELECT global_position, stream_id, org_id, recorded_at, data::text
                   FROM events ORDER BY global_position) TO STDOUT (FORMAT binary)",
        )
        .await?;
    let rows = BinaryCopyOutStream::new(
        copy,
        &[
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TIMESTAMPTZ,
            Type::TEXT,
        ],
    );
    futures::pin_mut!(rows);
    let (mut count, mut last) = (0u64, 0i64);
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.next().await {
        let row = row?;
        let raw = RawEvent {
            position: row.try_get(0)?,
            stream_id: row.try_get(1)?,
            org_id: row.try_get(2)?,
            recorded_at: row.try_get(3)?,
            data: row.try_get(4)?,
        };
        last = raw.position;
        count += 1;
        batch.push(raw);
        if batch.len() == BATCH && raw_sender.send(std::mem::take(&mut batch)).await.is_err() {
            break; // decoding failed: its error is below
        }
    }
    if !batch.is_empty() {
        let _ = raw_sender.send(batch).await;
    }
    drop(raw_sender);
    let stopped = |e: tokio::task::JoinError| {
        StoreError::Config(format!("a thread of the replay's fold stopped: {e}"))
    };
    decoding.await.map_err(stopped)??;
    let tables = folding.await.map_err(stopped)?;
    Ok((tables, count, last))
}

/// The event of a row of the log. Projections use its position, organization, time and
/// event only, so the rest is left empty.
fn decode(raw: RawEvent) -> Result<RecordedEvent, StoreError> {
    let event = serde_json::from_str(&raw.data).map_err(|e| StoreError::Corrupt {
        position: raw.position,
        reason: e.to_string(),
    })?;
    Ok(RecordedEvent {
        global_position: raw.position,
        event_id: uuid::Uuid::nil(),
        stream_id: raw.stream_id,
        org_id: raw.org_id,
        stream_version: 0,
        event,
        metadata: Metadata {
            causation_id: String::new(),
            correlation_id: String::new(),
            actor: String::new(),
            cause: None,
            trace_parent: None,
        },
        recorded_at: raw.recorded_at,
    })
}

/// Writes each folded table into its shadow table with one `COPY`, on two connections when
/// the pool has a second one free: the tables, largest first, each go to the connection with
/// fewer rows so far. (Splitting one table's rows between the two was slower: both then
/// extend the same files.) Answers how many connections wrote.
async fn write_tables(
    pool: &deadpool_postgres::Pool,
    client: &mut deadpool_postgres::Client,
    tables: Tables,
) -> Result<usize, StoreError> {
    // A zero wait takes a free connection or none: never waits for one the caller holds.
    let free_now = deadpool_postgres::Timeouts::wait_millis(0);
    let Ok(mut second) = pool.timeout_get(&free_now).await else {
        copy_tables(client, tables.into_tables()).await?;
        return Ok(1);
    };
    let mut tables = tables.into_tables();
    tables.sort_by_key(|table| std::cmp::Reverse(table.len()));
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    let (mut my_rows, mut their_rows) = (0, 0);
    for table in tables {
        if my_rows <= their_rows {
            my_rows += table.len();
            mine.push(table);
        } else {
            their_rows += table.len();
            theirs.push(table);
        }
    }
    // The second writer on a task of its own, so its CSV is made on another thread too.
    let other = tokio::spawn(async move { copy_tables(&mut second, theirs).await });
    let written = copy_tables(client, mine).await;
    let other = other
        .await
        .map_err(|e| StoreError::Config(format!("the replay's second writer stopped: {e}")))?;
    written.and(other)?;
    Ok(2)
}

/// Writes tables into their shadow tables, one `COPY` each, in one transaction.
async fn copy_tables(
    client: &mut deadpool_postgres::Client,
    tables: Vec<MemTable>,
) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    for table in tables {
        let columns: Vec<&str> = table.table.columns.iter().map(|c| c.name).collect();
        let sink = tx
            .copy_in(&format!(
                "COPY {SHADOW}.{} ({}) FROM STDIN (FORMAT csv)",
                table.table.name,
                columns.join(", ")
            ))
            .await?;
        futures::pin_mut!(sink);
        let mut chunk = Vec::with_capacity(COPY_CHUNK + 4096);
        for row in table.csv_rows() {
            row.write_to(&mut chunk);
            if chunk.len() >= COPY_CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(COPY_CHUNK + 4096));
                sink.send(bytes::Bytes::from(full)).await?;
            }
        }
        if !chunk.is_empty() {
            sink.send(bytes::Bytes::from(chunk)).await?;
        }
        sink.finish().await?;
        // Freeing a table's rows takes a while (a few allocations per cell): off this task.
        tokio::task::spawn_blocking(move || drop(table));
    }
    tx.commit().await?;
    Ok(())
}

/// Applies the next events after `last` to the shadow tables with the live (set-wise)
/// statements.
async fn apply_batch(
    tx: &deadpool_postgres::Transaction<'_>,
    last: &mut i64,
) -> Result<u64, StoreError> {
    tx.batch_execute(&format!("SET LOCAL search_path = {SHADOW}, public"))
        .await?;
    let events = event_log::read_all(tx, *last, BATCH as i64).await?;
    let mut ops = Vec::new();
    for event in &events {
        read_models::ops(&stream_of(event)?, event, &mut ops)?;
        *last = event.global_position;
    }
    crate::project_sql::execute_ops(tx, &ops).await?;
    tx.batch_execute("SET LOCAL search_path = public").await?;
    Ok(events.len() as u64)
}

fn stream_of(event: &RecordedEvent) -> Result<StreamId, StoreError> {
    parse_stream_id(&event.stream_id).ok_or_else(|| StoreError::Corrupt {
        position: event.global_position,
        reason: format!("unknown stream id {}", event.stream_id),
    })
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
