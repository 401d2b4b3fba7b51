//! Appending to and reading the event log.

pub use crate::error::StoreError;
use crate::member_keys::destroy_member_key;
pub use crate::recorded::{Metadata, RecordedEvent};
use crate::statements::CachedStatements;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::{Event, StreamId};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{Json, ToSql};
use uuid::Uuid;

/// Held from the first position drawn until commit; see migrations/0001_event_log.sql.
const APPEND_LOCK: i64 = 7010;

/// The stream's events in order, and its version (-1 when the stream is empty).
pub async fn read_stream(
    client: &impl GenericClient,
    stream: &StreamId,
) -> Result<(Vec<RecordedEvent>, i64), StoreError> {
    let rows = client
        .query_cached(
            "SELECT global_position, event_id, stream_id, org_id, stream_version, data, metadata, recorded_at
             FROM events WHERE stream_id = $1 ORDER BY stream_version",
            &[&stream.to_string()],
        )
        .await?;
    let events = rows
        .iter()
        .map(row_to_event)
        .collect::<Result<Vec<_>, _>>()?;
    let version = events.last().map_or(-1, |e| e.stream_version);
    Ok((events, version))
}

/// What folding a stream needs of one of its events (see [`read_streams`]).
#[derive(Clone, Debug)]
pub struct StreamEvent {
    pub global_position: i64,
    pub stream_version: i64,
    pub event: Event,
}

/// The histories of the distinct stream names `$1`, each with its 1-based place in `$1`.
/// One index range scan per stream, whatever the planner makes of the log's size: with
/// `stream_id = ANY($1)` it scanned the whole log and sorted it (38-46 ms a read of 1,000
/// streams among 40,000 events, against 18-20 ms this way; docs/performance-history.md,
/// "The batch's stream read"). The ORDER BY inside keeps the subquery from being flattened into
/// a join, which the planner made a hash join over the whole log again. Public for the plan's
/// test.
pub const READ_STREAMS: &str = "SELECT s.n, e.global_position, e.stream_version, e.data
     FROM unnest($1::text[]) WITH ORDINALITY AS s(stream_id, n)
     CROSS JOIN LATERAL (SELECT global_position, stream_version, data FROM events
                         WHERE events.stream_id = s.stream_id
                         ORDER BY stream_version) AS e
     ORDER BY s.n, e.stream_version";

/// The events of each of `streams` in one query: a history per stream, in the order of
/// `streams` (empty for a stream without events). Only what folding needs is read: the
/// metadata, ids and times are the larger half of a row, encoded by PostgreSQL and decoded
/// here for nothing.
pub async fn read_streams(
    client: &impl GenericClient,
    streams: &[StreamId],
) -> Result<Vec<Vec<StreamEvent>>, StoreError> {
    let names: Vec<String> = streams.iter().map(StreamId::to_string).collect();
    // Where each stream's history goes (the first place it is named); each is read once, and
    // the rows name it by its place among the distinct names.
    let mut place: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(names.len());
    let mut distinct: Vec<&str> = Vec::with_capacity(names.len());
    let mut first_place: Vec<usize> = Vec::with_capacity(names.len());
    for (index, name) in names.iter().enumerate() {
        place.entry(name.as_str()).or_insert_with(|| {
            distinct.push(name.as_str());
            first_place.push(index);
            index
        });
    }
    let rows = client.query_cached(READ_STREAMS, &[&distinct]).await?;
    let mut histories: Vec<Vec<StreamEvent>> = vec![Vec::new(); names.len()];
    for row in &rows {
        let ordinal: i64 = row.get(0);
        let position: i64 = row.get(1);
        let corrupt = |reason: String| StoreError::Corrupt { position, reason };
        let index = usize::try_from(ordinal - 1)
            .ok()
            .and_then(|n| first_place.get(n).copied())
            .ok_or_else(|| corrupt(format!("stream ordinal {ordinal} was not asked for")))?;
        // Read straight from the jsonb bytes, without a `serde_json::Value` in between.
        let Json(event) = row.try_get(3).map_err(|e| corrupt(e.to_string()))?;
        histories[index].push(StreamEvent {
            global_position: position,
            stream_version: row.get(2),
            event,
        });
    }
    // A stream named twice gets its history twice.
    for (index, name) in names.iter().enumerate() {
        if let Some(&first) = place.get(name.as_str())
            && first != index
        {
            histories[index] = histories[first].clone();
        }
    }
    Ok(histories)
}

/// Events after `after_position`, in log order, at most `limit`.
pub async fn read_all(
    client: &impl GenericClient,
    after_position: i64,
    limit: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT global_position, event_id, stream_id, org_id, stream_version, data, metadata, recorded_at
             FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2",
            &[&after_position, &limit],
        )
        .await?;
    rows.iter().map(row_to_event).collect()
}

fn row_to_event(row: &tokio_postgres::Row) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.get(0);
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    // Read straight from the jsonb bytes, without a `serde_json::Value` in between.
    let Json(event) = row.try_get(5).map_err(|e| corrupt(e.to_string()))?;
    let Json(metadata) = row.try_get(6).map_err(|e| corrupt(e.to_string()))?;
    Ok(RecordedEvent {
        global_position: position,
        event_id: row.get(1),
        stream_id: row.get(2),
        org_id: row.get(3),
        stream_version: row.get(4),
        event,
        metadata,
        recorded_at: row.get(7),
    })
}

/// Appends `events` to `stream`, which must be at `expected_version` (-1: must not exist yet),
/// and updates the projections in the same transaction. A concurrent writer that appended
/// first makes this fail with [`StoreError::Conflict`]; the caller re-reads and decides again.
pub async fn append(
    tx: &deadpool_postgres::Transaction<'_>,
    stream: &StreamId,
    expected_version: i64,
    events: Vec<Event>,
    metadata: &Metadata,
    recorded_at: DateTime<Utc>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let part = Append {
        stream,
        expected_version,
        events,
        metadata,
    };
    append_batch(tx, vec![part], recorded_at).await
}

/// One stream's part of a batched append (see [`append_batch`]).
pub struct Append<'a> {
    pub stream: &'a StreamId,
    /// The version the stream must be at (-1: must not exist yet).
    pub expected_version: i64,
    pub events: Vec<Event>,
    pub metadata: &'a Metadata,
}

/// The columns of a batch's events, as `unnest` takes them (the JSON written straight from the
/// events and metadata, without a `serde_json::Value` in between).
#[derive(Default)]
struct EventColumns<'e> {
    ids: Vec<Uuid>,
    streams: Vec<String>,
    categories: Vec<String>,
    orgs: Vec<String>,
    versions: Vec<i64>,
    types: Vec<&'static str>,
    data: Vec<Json<&'e Event>>,
    metadata: Vec<Json<&'e Metadata>>,
}

/// Appends to several streams in one transaction, in the order given (a stream may appear
/// more than once; each part expects the version the previous one left), with the projections
/// updated; answers every recorded event in log order. Set-wise: one multi-row INSERT of the
/// events (positions drawn from the sequence in order), then the projections' row operations
/// coalesced and written as one statement per table and kind (`project_sql`). A stream that
/// is not at the version a part expects fails the whole batch with [`StoreError::Conflict`]
/// naming it.
pub async fn append_batch(
    tx: &deadpool_postgres::Transaction<'_>,
    appends: Vec<Append<'_>>,
    recorded_at: DateTime<Utc>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    if appends.iter().all(|part| part.events.is_empty()) {
        return Ok(Vec::new());
    }
    let (positions, ids, mut streams, versions) = {
        let (columns, parts) = event_columns(&appends);
        let inserting = insert_events(tx, &columns, recorded_at, &parts);
        let positions = under_append_lock(tx, inserting).await?;
        (positions, columns.ids, columns.streams, columns.versions)
    };
    let mut recorded = Vec::with_capacity(positions.len());
    let events = appends.into_iter().flat_map(|part| {
        let (stream, metadata) = (part.stream, part.metadata);
        part.events
            .into_iter()
            .map(move |event| (stream, metadata, event))
    });
    for (i, (stream, metadata, event)) in events.enumerate() {
        recorded.push(RecordedEvent {
            global_position: positions[i],
            event_id: ids[i],
            stream_id: std::mem::take(&mut streams[i]),
            org_id: stream.org_id().to_owned(),
            stream_version: versions[i],
            event,
            metadata: metadata.clone(),
            recorded_at,
        });
    }
    project_all(tx, &recorded).await?;
    Ok(recorded)
}

/// The batch's events as columns, and each part's stream and expected version (to name the
/// stream of a conflict).
fn event_columns<'e>(appends: &'e [Append<'_>]) -> (EventColumns<'e>, Vec<(String, i64)>) {
    let mut columns = EventColumns::default();
    let mut parts = Vec::with_capacity(appends.len());
    for part in appends {
        for (offset, event) in part.events.iter().enumerate() {
            columns.ids.push(Uuid::now_v7());
            columns.streams.push(part.stream.to_string());
            columns.categories.push(part.stream.category().to_owned());
            columns.orgs.push(part.stream.org_id().to_owned());
            columns
                .versions
                .push(part.expected_version + 1 + offset as i64);
            columns.types.push(event.type_name());
            columns.data.push(Json(event));
            columns.metadata.push(Json(part.metadata));
        }
        parts.push((part.stream.to_string(), part.expected_version));
    }
    (columns, parts)
}

/// Inserts a batch's events with one statement; answers their positions, in order.
async fn insert_events(
    tx: &deadpool_postgres::Transaction<'_>,
    columns: &EventColumns<'_>,
    recorded_at: DateTime<Utc>,
    parts: &[(String, i64)],
) -> Result<Vec<i64>, StoreError> {
    // `unnest` yields the rows in array order and `nextval` is drawn row by row, so positions
    // follow the batch's order; they are matched back by event id all the same.
    let rows = tx
        .query_cached(
            "INSERT INTO events (global_position, event_id, stream_id, category, org_id, stream_version,
                                 event_type, data, metadata, recorded_at)
             SELECT nextval('event_position_seq'), e.id, e.stream, e.category, e.org, e.version, e.type,
                    e.data, e.metadata, $9
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                         $7::jsonb[], $8::jsonb[])
                  AS e(id, stream, category, org, version, type, data, metadata)
             RETURNING event_id, global_position",
            &[
                &columns.ids,
                &columns.streams,
                &columns.categories,
                &columns.orgs,
                &columns.versions,
                &columns.types,
                &columns.data,
                &columns.metadata,
                &recorded_at,
            ],
        )
        .await
        .map_err(|e| conflict(e, parts))?;
    let by_id: std::collections::HashMap<Uuid, i64> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut positions: Vec<i64> = Vec::with_capacity(columns.ids.len());
    for id in &columns.ids {
        positions.push(*by_id.get(id).ok_or_else(|| StoreError::Corrupt {
            position: -1,
            reason: format!("event {id} was appended without a position"),
        })?);
    }
    Ok(positions)
}

/// A unique violation is a stream that moved on: [`StoreError::Conflict`] naming it (from the
/// violation's detail, `Key (stream_id, stream_version)=(member-1-2, 5) already exists.`).
fn conflict(error: tokio_postgres::Error, parts: &[(String, i64)]) -> StoreError {
    if error.code() != Some(&SqlState::UNIQUE_VIOLATION) {
        return StoreError::Db(error);
    }
    let detail = error
        .as_db_error()
        .and_then(|e| e.detail())
        .unwrap_or_default();
    let named = detail
        .split_once(")=(")
        .and_then(|(_, values)| values.rsplit_once(", "))
        .map(|(stream, _)| stream);
    let (stream, expected) = named
        .and_then(|stream| parts.iter().find(|(s, _)| s == stream))
        .or(parts.first())
        .cloned()
        .unwrap_or_default();
    StoreError::Conflict { stream, expected }
}

/// Updates the projections for a batch's events (and destroys the key of a deleted account).
async fn project_all(
    tx: &deadpool_postgres::Transaction<'_>,
    recorded: &[RecordedEvent],
) -> Result<(), StoreError> {
    let mut ops = Vec::new();
    for event in recorded {
        let stream = StreamId::parse(&event.stream_id).ok_or_else(|| StoreError::Corrupt {
            position: event.global_position,
            reason: format!("unknown stream id {}", event.stream_id),
        })?;
        crate::read_models::ops(&stream, event, &mut ops)?;
        if matches!(event.event, domain::Event::AccountDeleted) {
            destroy_member_key(tx, &stream).await?;
        }
    }
    crate::project_sql::execute_ops(tx, &ops).await
}

const TAKE_APPEND_LOCK: &str = "SELECT pg_advisory_xact_lock($1)";

/// Takes the append lock until the transaction ends: nothing else commits events meanwhile
/// (appends take it themselves; replay's swap and VLAN picks take it too).
pub async fn take_append_lock(tx: &impl GenericClient) -> Result<(), StoreError> {
    tx.execute_cached(TAKE_APPEND_LOCK, &[&APPEND_LOCK]).await?;
    Ok(())
}

/// Takes the append lock (as [`take_append_lock`]) and runs `behind` pipelined after it: the
/// lock's request is on the wire before any of `behind`'s, so PostgreSQL runs those once the
/// lock is held, and the lock costs no round trip of its own.
pub async fn under_append_lock<T>(
    tx: &impl GenericClient,
    behind: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    // Prepared first: a statement prepared on the way would be sent after `behind`'s.
    let lock = tx.prepare_cached(TAKE_APPEND_LOCK).await?;
    let (locked, value) =
        crate::statements::first_then(tx.execute(&lock, &[&APPEND_LOCK]), behind).await;
    locked?;
    value
}

/// Records that a NATS message's effects are being committed in this transaction. Returns false
/// when it was already processed (a redelivery): the caller commits nothing else and acks.
pub async fn mark_processed(
    client: &impl GenericClient,
    message_id: &str,
) -> Result<bool, StoreError> {
    Ok(mark_all_processed(client, &[message_id]).await? == 1)
}

/// [`mark_processed`] for a batch in one statement (none for no ids); answers how many were new.
pub async fn mark_all_processed(
    client: &impl GenericClient,
    message_ids: &[&str],
) -> Result<u64, StoreError> {
    if message_ids.is_empty() {
        return Ok(0);
    }
    Ok(client
        .execute_cached(
            "INSERT INTO processed_messages (message_id) SELECT unnest($1::text[])
             ON CONFLICT (message_id) DO NOTHING",
            &[&message_ids],
        )
        .await?)
}

/// When provision last asked Optix about each of `hint_keys` (see `webhook_coverage`).
pub async fn webhook_coverage(
    client: &impl GenericClient,
    org_id: &str,
    hint_keys: &[String],
) -> Result<std::collections::HashMap<String, chrono::DateTime<chrono::Utc>>, StoreError> {
    // One probe of the primary key per hint (`OFFSET 0` keeps it per hint): the semi-join
    // form kept the plan it got while the table was small, hashing and scanning every row
    // (3.6 ms for a batch of 31 at 1,000 webhooks/s, where the probes take 0.2 ms).
    let rows = client
        .query_cached(
            "SELECT c.hint_key, c.asked_from
               FROM (SELECT DISTINCT unnest($2::text[])) AS wanted(hint_key)
              CROSS JOIN LATERAL (SELECT hint_key, asked_from FROM webhook_coverage
                                   WHERE org_id = $1 AND hint_key = wanted.hint_key
                                  OFFSET 0) AS c",
            &[&org_id, &hint_keys],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Records that a reconciliation of `hint_keys` asked Optix from `asked_from` on (never moving
/// a record back), and forgets records older than `forget_before`, which can cover no delivery
/// ingest still accepts. Answers how many records it wrote or moved forward: 0 when a
/// reconciliation that asked no earlier already covers every key.
pub async fn record_webhook_coverage(
    client: &impl GenericClient,
    org_id: &str,
    hint_keys: &[&str],
    asked_from: chrono::DateTime<chrono::Utc>,
    forget_before: chrono::DateTime<chrono::Utc>,
) -> Result<u64, StoreError> {
    // Pipelined: in either order they leave the same rows (the upsert writes times the clean-up
    // keeps).
    let upsert: [&(dyn ToSql + Sync); 3] = [&org_id, &hint_keys, &asked_from];
    let forget: [&(dyn ToSql + Sync); 1] = [&forget_before];
    let (advanced, _) = futures::try_join!(
        client.execute_cached(
            "INSERT INTO webhook_coverage (org_id, hint_key, asked_from)
             SELECT $1, unnest($2::text[]), $3
             ON CONFLICT (org_id, hint_key)
             DO UPDATE SET asked_from = EXCLUDED.asked_from
             WHERE webhook_coverage.asked_from < EXCLUDED.asked_from",
            &upsert,
        ),
        client.execute_cached(
            "DELETE FROM webhook_coverage WHERE asked_from < $1",
            &forget
        ),
    )?;
    Ok(advanced)
}

/// Which of `message_ids` were processed before.
pub async fn processed_among(
    client: &impl GenericClient,
    message_ids: &[&str],
) -> Result<std::collections::HashSet<String>, StoreError> {
    // One probe per id, for the reason `webhook_coverage` gives (1.95 ms a batch of 33 at
    // 1,000 webhooks/s as a semi-join over the whole table).
    let rows = client
        .query_cached(
            "SELECT p.message_id
               FROM (SELECT DISTINCT unnest($1::text[])) AS wanted(message_id)
              CROSS JOIN LATERAL (SELECT message_id FROM processed_messages
                                   WHERE message_id = wanted.message_id OFFSET 0) AS p",
            &[&message_ids],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The newest position in the log (0 when empty). Positions are drawn under the append lock, so
/// every event committed after this read has a higher one.
pub async fn head_position(client: &impl GenericClient) -> Result<i64, StoreError> {
    Ok(client
        .query_one_cached("SELECT coalesce(max(global_position), 0) FROM events", &[])
        .await?
        .get(0))
}
