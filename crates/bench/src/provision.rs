//! Provision: webhooks per second turned into committed events and projections, with the
//! simulated Optix answering at once and no rate limit (sim limit 0, `requests_per_minute` 0),
//! beside the raw rate of batched INSERTs of the same rows into a copy of the event table.
//!
//! The workload: an organization whose members (each with an active plan) were imported by
//! the initial sync, whose events every follower of the event stream has handled before
//! anything is measured (`support::populated_stack`); each webhook is a `plan_subscription_changed` of a different member (a new
//! plan end), so each is reconciled against Optix and appends a new `AccessGranted`. The
//! webhooks are stored in JetStream through ingest while provision is stopped, as a backlog
//! piles up during an outage; once their stamps have settled (a backlog's have: the bodies
//! are signed a moment before they are stored, and a fresher stamp would hold the first batch
//! back up to a second plus the margin, by design; [`support::wait_until_settled`]) a fresh
//! provision starts and the clock runs until its consumer has acked the last one. The events it
//! appended are followed meanwhile (that load is part of the figure); the ceiling is measured
//! after they all were.

use crate::stats::{self, Row};
use crate::support;
use integration_tests::StackOptions;
use serde::Serialize;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

#[derive(Serialize)]
pub struct ProvisionFigures {
    pub webhooks: usize,
    pub members: usize,
    pub events: i64,
    pub seconds: f64,
    pub webhooks_per_sec: f64,
    /// Deliveries of the webhook consumer beyond one a webhook, over the run.
    pub redeliveries: u64,
    /// How long after the stream was drained the events it appended were relayed and
    /// followed by every consumer of the event stream (the ceiling is measured after).
    pub followed_after_seconds: f64,
    pub ceiling_rows_per_statement: usize,
    /// The median of [`CEILING_PASSES`] passes (`ceiling_passes_rows_per_sec`, in order).
    pub ceiling_rows_per_sec: f64,
    pub ceiling_passes_rows_per_sec: Vec<f64>,
    pub ceiling_webhooks_per_sec: f64,
    pub import_members_per_sec: f64,
    /// How long after the import its events were relayed and followed by every consumer of
    /// the event stream (the RADIUS service's two, the portal's and the controllers').
    pub import_followed_after_seconds: f64,
}

/// How many times the ceiling is measured, each into a fresh copy of the table: one pass
/// inserts the 10,000 rows in about 0.2 s, and single passes read 34,000-72,000 rows/s over
/// 64 runs of the same code, which decided most verdicts; the median of three is the figure.
const CEILING_PASSES: usize = 3;

/// How long the event followers may take to catch up before the scenario fails.
const FOLLOWED_WITHIN: Duration = Duration::from_secs(600);

impl ProvisionFigures {
    pub fn rows(&self) -> Vec<Row> {
        vec![
            Row {
                what: format!("provision webhooks/s ({} plan changes)", self.webhooks),
                figure: format!(
                    "{:.0}/s ({:.1} s, {} events, {} redeliveries; {:.1} % of ceiling; followed {:.1} s later)",
                    self.webhooks_per_sec,
                    self.seconds,
                    self.events,
                    self.redeliveries,
                    100.0 * self.webhooks_per_sec / self.ceiling_webhooks_per_sec.max(1.0),
                    self.followed_after_seconds
                ),
                ceiling: format!(
                    "batched INSERT of the same rows {:.0} rows/s (median of {}: {}) = {:.0} webhooks/s",
                    self.ceiling_rows_per_sec,
                    self.ceiling_passes_rows_per_sec.len(),
                    stats::joined(&self.ceiling_passes_rows_per_sec, 0, ", "),
                    self.ceiling_webhooks_per_sec
                ),
                target: "≥ 5,000 webhooks/s and ≥ 15 % of ceiling".into(),
                met: Some(
                    self.webhooks_per_sec >= 5000.0
                        && self.webhooks_per_sec >= 0.15 * self.ceiling_webhooks_per_sec,
                ),
            },
            Row {
                what: format!("initial import of {} members (no limit)", self.members),
                figure: format!(
                    "{:.0} members/s (its events followed {:.1} s later)",
                    self.import_members_per_sec, self.import_followed_after_seconds
                ),
                ceiling: "-".into(),
                target: "≥ 2,000 members/s".into(),
                met: Some(self.import_members_per_sec >= 2000.0),
            },
        ]
    }
}

pub async fn run(smoke: bool) -> anyhow::Result<ProvisionFigures> {
    let members = if smoke { 50 } else { 10_000 };
    let unlimited = StackOptions::rate_limits(0, 0, Duration::from_secs(60));
    let (mut stack, plans, import) =
        support::populated_stack(unlimited, members, Duration::from_secs(600)).await?;
    let events_before = support::webhook_events(&stack).await?;

    // Webhooks stored while provision is stopped.
    stack.stop_provision().await?;
    let end = support::whole_seconds(chrono::Utc::now() + chrono::Duration::days(30));
    let bodies = support::plan_change_bodies(&stack, &plans, end.timestamp())?;
    let in_stream = support::stream_messages(&stack).await?;
    let http = support::http_client()?;
    support::post_all(&http, &support::webhook_url(&stack), bodies).await?;
    let stored = support::stream_messages(&stack).await? - in_stream;
    anyhow::ensure!(
        stored == members as u64,
        "{stored} of {members} webhooks stored"
    );

    support::wait_until_settled(&stack).await;
    let (delivered_before, _) = stack.webhook_deliveries().await?;
    let provision = provision::Application::build(stack.settings.clone()).await?;
    let (stop, stopped) = oneshot::channel::<()>();
    let started = Instant::now();
    let task = tokio::spawn(provision.run_until(async {
        let _ = stopped.await;
    }));
    support::wait_drained(&stack, Duration::from_secs(600)).await?;
    let seconds = started.elapsed().as_secs_f64();
    let (delivered, _) = stack.webhook_deliveries().await?;
    // This instance's relay publishes what it appended; the ceiling is measured once that is
    // followed too, on as quiet a machine as the run began on.
    let webhooks_followed = support::wait_events_followed(&stack, FOLLOWED_WITHIN).await?;
    let _ = stop.send(());
    task.await??;
    let users: Vec<String> = plans.iter().map(|(user, _)| user.clone()).collect();
    support::wait_plan_ends(&stack, &users, end, Duration::from_secs(5)).await?;
    let events = support::webhook_events(&stack).await? - events_before;

    let (per_statement, passes) = insert_ceiling(&stack, events_before).await?;
    let rows_per_sec = stats::median(&passes);
    let events_per_webhook = events as f64 / members as f64;
    Ok(ProvisionFigures {
        webhooks: members,
        members,
        events,
        seconds,
        webhooks_per_sec: members as f64 / seconds,
        redeliveries: (delivered - delivered_before).saturating_sub(members as u64),
        followed_after_seconds: webhooks_followed.as_secs_f64(),
        ceiling_rows_per_statement: per_statement,
        ceiling_rows_per_sec: rows_per_sec,
        ceiling_passes_rows_per_sec: passes,
        ceiling_webhooks_per_sec: rows_per_sec / events_per_webhook.max(f64::MIN_POSITIVE),
        import_members_per_sec: members as f64 / import.took.as_secs_f64(),
        import_followed_after_seconds: import.followed_after.as_secs_f64(),
    })
}

/// The rows the webhooks appended, inserted again into a copy of the event table (same columns,
/// indexes and constraints) with one multi-row INSERT and one commit per batch of the size
/// provision batches webhooks in: the most a writer of these rows could do. Measured
/// [`CEILING_PASSES`] times, each into a fresh copy; answers each pass's rows per second.
async fn insert_ceiling(
    stack: &integration_tests::Stack,
    events_before: i64,
) -> anyhow::Result<(usize, Vec<f64>)> {
    let per_statement = stack.settings.provision.batch_size.max(1);
    let mut client = stack.pool.get().await?;
    let rows = client
        .query(
            "SELECT stream_id, category, org_id, stream_version, event_type, data, metadata, recorded_at
             FROM events WHERE metadata->>'actor' = 'optix-webhook'
             ORDER BY global_position OFFSET $1",
            &[&events_before],
        )
        .await?;
    anyhow::ensure!(!rows.is_empty(), "no webhook events to copy");
    let mut passes = Vec::with_capacity(CEILING_PASSES);
    for _ in 0..CEILING_PASSES {
        client
            .batch_execute(
                "DROP TABLE IF EXISTS events_ceiling;
                 CREATE TABLE events_ceiling (LIKE events INCLUDING ALL)",
            )
            .await?;
        passes.push(insert_rows(&mut client, &rows, per_statement).await?);
    }
    Ok((per_statement, passes))
}

/// One pass of the ceiling: `rows` into `events_ceiling`, `per_statement` a statement and a
/// commit; answers rows per second.
async fn insert_rows(
    client: &mut deadpool_postgres::Client,
    rows: &[tokio_postgres::Row],
    per_statement: usize,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut position = 0i64;
    for chunk in rows.chunks(per_statement) {
        let tx = client.transaction().await?;
        let positions: Vec<i64> = chunk
            .iter()
            .map(|_| {
                position += 1;
                position
            })
            .collect();
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|_| uuid::Uuid::now_v7()).collect();
        let column = |i: usize| {
            chunk
                .iter()
                .map(|r| r.get::<_, String>(i))
                .collect::<Vec<_>>()
        };
        let (streams, categories, orgs, types) = (column(0), column(1), column(2), column(4));
        let versions: Vec<i64> = chunk.iter().map(|r| r.get(3)).collect();
        let data: Vec<serde_json::Value> = chunk.iter().map(|r| r.get(5)).collect();
        let metadata: Vec<serde_json::Value> = chunk.iter().map(|r| r.get(6)).collect();
        let recorded: Vec<chrono::DateTime<chrono::Utc>> = chunk.iter().map(|r| r.get(7)).collect();
        tx.execute(
            "INSERT INTO events_ceiling (global_position, event_id, stream_id, category, org_id,
                                         stream_version, event_type, data, metadata, recorded_at)
             SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                                  $6::bigint[], $7::text[], $8::jsonb[], $9::jsonb[], $10::timestamptz[])",
            &[
                &positions,
                &ids,
                &streams,
                &categories,
                &orgs,
                &versions,
                &types,
                &data,
                &metadata,
                &recorded,
            ],
        )
        .await?;
        tx.commit().await?;
    }
    Ok(rows.len() as f64 / started.elapsed().as_secs_f64())
}
