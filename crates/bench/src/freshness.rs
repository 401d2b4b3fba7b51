//! Freshness: the time from a webhook's 2xx (ingest has it durably) to the projection showing
//! the change, at a fixed offered rate (open loop), with Optix answering at once and no limit.
//!
//! Each webhook changes a different member's plan end to the same instant `end`. The bodies
//! are signed first and posted once their timestamps have settled, as Optix's deliveries
//! arrive (1 to 15 s after the change; see [`support::wait_until_settled`]). A watcher
//! polls the grants of the members whose webhook has been answered and not yet seen, every
//! `POLL`, and takes the first poll that shows the change (the resolution is one poll).

use crate::stats::{Row, ms, quantile};
use crate::support;
use integration_tests::StackOptions;
use integration_tests::stack::DEMO_ORG;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(2);

#[derive(Serialize)]
pub struct FreshnessFigures {
    pub webhooks: usize,
    pub offered_rate_per_sec: u32,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub poll_ms: f64,
    /// The settle margin the bodies waited for, once signed, before the first was posted
    /// ([`support::wait_until_settled`]).
    pub settle_margin_ms: f64,
    pub non_2xx: usize,
    /// From provision's own metrics over the run: where a webhook's time goes.
    pub batches: f64,
    pub mean_batch_webhooks: f64,
    pub mean_reconcile_ms: f64,
    pub optix_requests: f64,
    pub mean_optix_request_ms: f64,
    pub mean_processing_ms: f64,
}

impl FreshnessFigures {
    pub fn rows(&self) -> Vec<Row> {
        vec![Row {
            what: format!(
                "freshness 2xx → projection at {}/s",
                self.offered_rate_per_sec
            ),
            figure: format!(
                "p50 {:.1} ms, p99 {:.1} ms (max {:.1} ms; {} webhooks, poll {} ms; posted once their stamps settled, {:.0} ms margin)",
                self.p50_ms,
                self.p99_ms,
                self.max_ms,
                self.webhooks,
                self.poll_ms,
                self.settle_margin_ms
            ),
            ceiling: format!(
                "{:.0} batches of {:.1}: reconcile {:.1} ms each, Optix {:.1} ms × {:.1} of it",
                self.batches,
                self.mean_batch_webhooks,
                self.mean_reconcile_ms,
                self.mean_optix_request_ms,
                self.optix_requests / self.batches.max(1.0)
            ),
            target: "p99 < 50 ms at 1,000/s".into(),
            met: Some(self.p99_ms < 50.0 && self.offered_rate_per_sec >= 1000),
        }]
    }
}

/// User id → when its webhook was answered 2xx, until the watcher sees the change.
pub(crate) type Answered = Arc<Mutex<HashMap<String, Instant>>>;

/// Polls the grants of the answered members every `poll` until `n` plan grants are seen (ending
/// at `end`, or any with `None`); their latencies from the 2xx.
pub(crate) async fn watch_projection(
    pool: deadpool_postgres::Pool,
    answered: Answered,
    (end, poll): (Option<chrono::DateTime<chrono::Utc>>, Duration),
    n: usize,
    deadline: Duration,
) -> anyhow::Result<Vec<Duration>> {
    let client = pool.get().await?;
    // One index probe per waiting member (the primary key starts with organization and user).
    // `user_id = ANY($3)` compared every grant of the organization with every waiting member,
    // 73 ms a poll at 1,000 webhooks/s: a core of PostgreSQL spent on measuring. No `$2 IS
    // NULL OR` either: a cached plan made for one case would serve the other.
    // (`OFFSET 0` keeps the look-up per member: without it the planner may join the other
    // way, through every grant ending at `$2`.)
    let end_matches = if end.is_some() {
        "g.valid_until = $2"
    } else {
        "$2::timestamptz IS NULL"
    };
    let query = client
        .prepare(&format!(
            "SELECT g.user_id FROM unnest($3::text[]) AS waiting(user_id)
              CROSS JOIN LATERAL (SELECT user_id, valid_until FROM member_grants
                                   WHERE org_id = $1 AND user_id = waiting.user_id
                                     AND basis = 'plan' OFFSET 0) AS g
              WHERE {end_matches}"
        ))
        .await?;
    let (client, query, answered) = (&client, &query, &answered);
    let look = move || async move {
        let mut latencies = Vec::new();
        let waiting: Vec<String> = answered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .cloned()
            .collect();
        if !waiting.is_empty() {
            let rows = client.query(query, &[&DEMO_ORG, &end, &waiting]).await?;
            let seen = Instant::now();
            let mut answered = answered.lock().unwrap_or_else(|p| p.into_inner());
            for row in rows {
                let user: String = row.get(0);
                if let Some(at) = answered.remove(&user) {
                    latencies.push(seen.saturating_duration_since(at));
                }
            }
        }
        Ok(latencies)
    };
    support::gather_latencies((n, deadline), "changes seen in the projection", poll, look).await
}

/// Posts each body (one per user) to `stack`'s webhook endpoint at `rate` per second, open
/// loop, once the bodies' stamps have settled ([`support::wait_until_settled`]), noting in `answered`
/// when each was answered 2xx; why the others were not (see [`support::refused`]).
pub(crate) async fn post_at_rate(
    http: &reqwest::Client,
    stack: &integration_tests::Stack,
    bodies: Vec<String>,
    users: impl Iterator<Item = String>,
    rate: usize,
    answered: &Answered,
) -> anyhow::Result<Vec<String>> {
    let url = support::webhook_url(stack);
    support::wait_until_settled(stack).await;
    let pace = support::OpenLoop::at(rate);
    let mut posts = Vec::with_capacity(bodies.len());
    for (i, (body, user)) in bodies.into_iter().zip(users).enumerate() {
        pace.wait(i).await;
        let (http, url, answered) = (http.clone(), url.to_owned(), answered.clone());
        posts.push(tokio::spawn(async move {
            let posted = support::post_form(&http, &url, body).await;
            if posted.is_ok() {
                answered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(user, Instant::now());
            }
            posted
        }));
    }
    let mut refusals = Vec::new();
    for post in posts {
        if let Err(reason) = post.await? {
            refusals.push(reason);
        }
    }
    Ok(refusals)
}

pub async fn run(smoke: bool) -> anyhow::Result<FreshnessFigures> {
    let (rate, seconds) = if smoke { (50, 1) } else { (1_000, 10) };
    let n = rate * seconds;
    let unlimited = StackOptions::rate_limits(0, 0, Duration::from_secs(60));
    let (stack, plans, _) =
        support::populated_stack(unlimited, n, Duration::from_secs(300)).await?;
    let end = support::whole_seconds(chrono::Utc::now() + chrono::Duration::days(30));
    let bodies = support::plan_change_bodies(&stack, &plans, end.timestamp())?;
    let http = support::http_client()?;
    let metrics_url = format!("{}/metrics", stack.provision_url);
    let metrics_before = support::scrape(&metrics_url).await?;

    // user → when its webhook was answered 2xx, until the watcher sees the change.
    let answered: Answered = Arc::default();
    let deadline = Duration::from_secs(seconds as u64 + 60);
    let watcher = tokio::spawn(watch_projection(
        stack.pool.clone(),
        answered.clone(),
        (Some(end), POLL),
        n,
        deadline,
    ));
    let users = plans.iter().map(|(user, _)| user.clone());
    let refusals = post_at_rate(&http, &stack, bodies, users, rate, &answered).await?;
    anyhow::ensure!(refusals.is_empty(), "{}", support::refused(&refusals));
    let mut latencies = watcher.await??;
    let metrics_after = support::scrape(&metrics_url).await?;
    let delta = |metric| support::histogram_delta(&metrics_before, &metrics_after, metric);
    let (batches, mean_reconcile_ms) = delta("lanyard_reconcile_duration");
    let (optix_requests, mean_optix_request_ms) = delta("lanyard_optix_api_duration");
    let (processed, mean_processing_ms) = delta("lanyard_webhook_processing_duration");
    Ok(FreshnessFigures {
        batches,
        mean_batch_webhooks: processed / batches.max(1.0),
        mean_reconcile_ms,
        optix_requests,
        mean_optix_request_ms,
        mean_processing_ms,
        webhooks: n,
        offered_rate_per_sec: rate as u32,
        p50_ms: ms(quantile(&mut latencies, 0.50)),
        p99_ms: ms(quantile(&mut latencies, 0.99)),
        max_ms: ms(quantile(&mut latencies, 1.0)),
        poll_ms: ms(POLL),
        settle_margin_ms: stack.settings.provision.webhook_settle_margin_ms as f64,
        non_2xx: refusals.len(),
    })
}
