//! The checks after each scenario, beyond the per-delivery count of `load`: the relay published
//! every committed event exactly once and in log order; the log holds no event twice for one
//! change; the projections equal a replay from scratch.

use futures::StreamExt;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// What a JetStream reader of `lanyard.events.>` saw, checked against the log, kept across
/// scenarios (each check reads only what was published since the last).
#[derive(Default)]
pub struct RelayReader {
    /// The last stream sequence read.
    sequence: u64,
    /// The log position of the last event read.
    position: i64,
    seen: HashSet<String>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct RelayCheck {
    /// Messages read from the events stream in this check.
    pub published: u64,
    /// An event id read a second time.
    pub duplicates: u64,
    /// A position lower than the one before it.
    pub out_of_order: u64,
    /// Committed events (up to the head when the check began) never published.
    pub missing: u64,
}

impl RelayReader {
    /// Waits (up to `deadline`) until the stream holds the log's head, then reads everything
    /// published since the last check and compares it with the log.
    pub async fn check(
        &mut self,
        bus: &bus::Bus,
        pool: &deadpool_postgres::Pool,
        deadline: Duration,
    ) -> anyhow::Result<RelayCheck> {
        let client = pool.get().await?;
        let head: i64 = client
            .query_one("SELECT coalesce(max(global_position), 0) FROM events", &[])
            .await?
            .get(0);
        let from = self.position;
        let mut check = RelayCheck::default();
        let started = Instant::now();
        // JetStream's API may time out for a while after a node came back (the smoke's
        // nats-kill once failed here: "request error: timed out"): read again until the
        // deadline, and fail with the last error only if the head was never reached.
        let mut failed = None;
        while self.position < head && started.elapsed() < deadline {
            match self.read_new(bus, &mut check).await {
                Ok(()) => failed = None,
                Err(error) => failed = Some(error),
            }
            if self.position < head {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        if let Some(error) = failed.filter(|_| self.position < head) {
            return Err(error.context(format!(
                "reading the events stream up to the log's head ({head}) for {deadline:?}"
            )));
        }
        let committed: Vec<uuid::Uuid> = client
            .query(
                "SELECT event_id FROM events WHERE global_position > $1 AND global_position <= $2",
                &[&from, &head],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        check.missing = committed
            .iter()
            .filter(|id| !self.seen.contains(&id.to_string()))
            .count() as u64;
        Ok(check)
    }

    /// Reads the stream from the last sequence read to its end.
    async fn read_new(&mut self, bus: &bus::Bus, check: &mut RelayCheck) -> anyhow::Result<()> {
        let js = bus.jetstream();
        let mut stream = js.get_stream(bus::EVENTS_STREAM).await?;
        let last = stream.info().await?.state.last_sequence;
        if last <= self.sequence {
            return Ok(());
        }
        let consumer = stream
            .create_consumer(async_nats::jetstream::consumer::pull::OrderedConfig {
                deliver_policy: async_nats::jetstream::consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: self.sequence + 1,
                },
                ..Default::default()
            })
            .await?;
        let mut messages = consumer.messages().await?;
        while self.sequence < last {
            let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
                .await
                .map_err(|_| {
                    anyhow::anyhow!("the events stream stopped delivering at {}", self.sequence)
                })?
                .ok_or_else(|| anyhow::anyhow!("the events stream ended at {}", self.sequence))??;
            let sequence = message.info().map_err(anyhow::Error::msg)?.stream_sequence;
            if sequence <= self.sequence {
                // An ordered consumer that resets (its node died) before its first message
                // starts again from the stream's first: what was read before is not read twice.
                continue;
            }
            self.sequence = sequence;
            let published: Published = serde_json::from_slice(&message.payload)?;
            check.published += 1;
            if !self.seen.insert(published.event_id) {
                check.duplicates += 1;
            }
            if published.position < self.position {
                check.out_of_order += 1;
            }
            self.position = self.position.max(published.position);
        }
        Ok(())
    }
}

/// The part of the relay's envelope this check reads.
#[derive(serde::Deserialize)]
struct Published {
    position: i64,
    event_id: String,
}

/// Events appended for webhooks since `after` that repeat, on one member's stream, an event of
/// the same type: each member's plan changes once per scenario, so a second one is a change
/// recorded twice (a webhook processed twice).
pub async fn duplicated_log_events(
    pool: &deadpool_postgres::Pool,
    after: i64,
) -> anyhow::Result<i64> {
    let client = pool.get().await?;
    Ok(client
        .query_one(
            "SELECT coalesce(sum(n - 1), 0)::bigint FROM (
                 SELECT count(*) AS n FROM events
                 WHERE global_position > $1 AND metadata->>'actor' = 'optix-webhook'
                 GROUP BY stream_id, event_type) repeated
             WHERE n > 1",
            &[&after],
        )
        .await?
        .get(0))
}

pub async fn head(pool: &deadpool_postgres::Pool) -> anyhow::Result<i64> {
    let client = pool.get().await?;
    Ok(client
        .query_one("SELECT coalesce(max(global_position), 0) FROM events", &[])
        .await?
        .get(0))
}

/// `projections checksum` now, and again after `lanyard replay` rebuilt every projection from
/// the log: the tables that differ (empty: equal). Each side is read in one snapshot with the
/// log's head; a comparison across an append (a sync finishing meanwhile) is made again.
pub async fn checksum_equals_replay(pool: &deadpool_postgres::Pool) -> anyhow::Result<Vec<String>> {
    let mut client = pool.get().await?;
    for _ in 0..5 {
        let (live_head, live) = snapshot(&mut client).await?;
        store::replay::rebuild_all(pool, |_, _, _| {}).await?;
        let (replayed_head, replayed) = snapshot(&mut client).await?;
        if live_head != replayed_head {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        return Ok(live
            .iter()
            .zip(&replayed)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("{}: {} rows live, {} replayed", a.0, a.1, b.1))
            .collect());
    }
    anyhow::bail!("the log kept growing during five replays: no comparison at one position")
}

type Checksums = Vec<(String, i64, String)>;

/// The log's head and every projection's checksum, read in one snapshot.
async fn snapshot(client: &mut deadpool_postgres::Client) -> anyhow::Result<(i64, Checksums)> {
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let head: i64 = tx
        .query_one("SELECT coalesce(max(global_position), 0) FROM events", &[])
        .await?
        .get(0);
    let checksums = store::replay::checksums(&tx).await?;
    tx.commit().await?;
    Ok((head, checksums))
}
