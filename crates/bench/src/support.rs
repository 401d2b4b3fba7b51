//! What the provisioning scenarios share: a populated simulated organization, signed webhooks
//! for its plan changes, sending them, and waiting (with deadlines) for provision.

use futures::StreamExt;
use integration_tests::stack::DEMO_ORG;
use integration_tests::{Stack, StackOptions};
use optix_sim::Change;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The demo organization's "Hot Desk" template (all locations): every populated member has one.
pub const HOT_DESK: &str = "916";
pub const CONCURRENCY: usize = 64;

/// Open-loop pacing at a fixed rate: request `i` is due `i / rate` seconds after a start 50 ms
/// from now (time to spawn the first ones), whether or not the ones before it were answered.
pub struct OpenLoop {
    start: tokio::time::Instant,
    rate: f64,
}

impl OpenLoop {
    pub fn at(rate: usize) -> OpenLoop {
        OpenLoop {
            start: tokio::time::Instant::now() + Duration::from_millis(50),
            rate: rate as f64,
        }
    }

    /// Waits until request `i` is due; answers when that was (latencies count from it).
    pub async fn wait(&self, i: usize) -> tokio::time::Instant {
        let due = self.start + Duration::from_secs_f64(i as f64 / self.rate);
        tokio::time::sleep_until(due).await;
        due
    }
}

/// How long an initial import took, and how long after it its events were followed.
pub struct Import {
    /// From the app's installation until the sync was recorded.
    pub took: Duration,
    /// From then until the relay had published the import's events and every follower of
    /// the event stream had handled them ([`wait_events_followed`]).
    pub followed_after: Duration,
}

/// Installs the services' logs as their binaries do (`RUST_LOG`, else `info`), the lines going
/// into the file at `path` one write a line, as on stdout: the figures then price the logs a
/// deployment pays for. Keep the guard for the life of the process.
pub fn install_logs_into(
    path: &std::path::Path,
) -> anyhow::Result<Option<telemetry::traces::TracingGuard>> {
    use anyhow::Context;
    let file = std::fs::File::create(path)
        .with_context(|| format!("creating the log file {}", path.display()))?;
    Ok(telemetry::traces::install_with_writer(
        None,
        telemetry::traces::default_filter(),
        Arc::new(file),
    ))
}

/// A stack whose organization has `members` more members with an active plan each, installed,
/// with the initial import done and its events followed (what a scenario measures next does
/// not share the cores with the followers catching up). Returns the stack, the (user, account
/// plan) pairs and the import's times.
pub async fn populated_stack(
    options: StackOptions,
    members: usize,
    import_deadline: Duration,
) -> anyhow::Result<(Stack, Vec<(String, String)>, Import)> {
    let stack = Stack::start_with(options).await?;
    let people = stack.sim.sim.populate(DEMO_ORG, members, HOT_DESK)?;
    let importing = Instant::now();
    let status = stack.sim.sim.install_app(DEMO_ORG).await?;
    anyhow::ensure!(status == 200, "app_install was answered {status}");
    wait_for_syncs(&stack, 1, import_deadline).await?;
    let took = importing.elapsed();
    let members_projected = member_count(&stack).await?;
    anyhow::ensure!(
        members_projected >= members as i64,
        "the import projected {members_projected} members, {members} expected"
    );
    let followed_after = wait_events_followed(&stack, import_deadline).await?;
    Ok((
        stack,
        people,
        Import {
            took,
            followed_after,
        },
    ))
}

/// Waits until everything the log holds has been published by the relay and handled by every
/// follower of the event stream (nothing pending, nothing unacknowledged); answers how long
/// that took. On 2 cores, an import's events still being followed (30,022 for 10,000 members:
/// 5–7 s, 13–21 s before the handshake keys were followed in batches) would take the cores
/// from whatever is measured next, by however much was left.
pub async fn wait_events_followed(stack: &Stack, deadline: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let js = stack.bus.jetstream().clone();
    loop {
        let last = stack
            .count("SELECT coalesce(max(global_position), 0) FROM events", &[])
            .await?;
        let relayed = {
            let client = stack.pool.get().await?;
            store::relay_checkpoint::position(&client, store::relay_checkpoint::NATS_RELAY).await?
        };
        let mut behind = Vec::new();
        if relayed < last {
            behind.push(format!("the relay at {relayed} of {last}"));
        }
        let stream = js.get_stream(bus::EVENTS_STREAM).await?;
        let mut consumers = stream.consumers();
        while let Some(info) = consumers.next().await {
            let info = info?;
            if info.num_pending > 0 || info.num_ack_pending > 0 {
                behind.push(format!(
                    "{} ({} pending, {} unacked)",
                    info.name, info.num_pending, info.num_ack_pending
                ));
            }
        }
        if behind.is_empty() {
            return Ok(started.elapsed());
        }
        anyhow::ensure!(
            started.elapsed() < deadline,
            "the events were not all followed within {deadline:?}: {}",
            behind.join(", ")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn member_count(stack: &Stack) -> anyhow::Result<i64> {
    stack
        .count(
            "SELECT count(*) FROM members WHERE org_id = $1",
            &[&DEMO_ORG],
        )
        .await
}

/// Waits until `count` syncs of the demo organization are recorded; fails on a failed one.
pub async fn wait_for_syncs(stack: &Stack, count: i64, deadline: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let runs = stack
            .count(
                "SELECT count(*) FROM sync_runs WHERE org_id = $1",
                &[&DEMO_ORG],
            )
            .await?;
        if runs >= count {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < deadline,
            "no sync recorded after {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Changes the end of every plan in `plans` (held: nothing sent) and returns the signed,
/// form-encoded `plan_subscription_changed` bodies Optix would send, in order.
pub fn plan_change_bodies(
    stack: &Stack,
    plans: &[(String, String)],
    end_timestamp: i64,
) -> anyhow::Result<Vec<String>> {
    plans
        .iter()
        .map(|(_, plan)| {
            let (_, webhook) = stack.sim.sim.apply_held(
                DEMO_ORG,
                Change::ChangePlan {
                    account_plan_id: plan.clone(),
                    end_timestamp: Some(end_timestamp),
                },
            )?;
            let (event, fields) =
                webhook.ok_or_else(|| anyhow::anyhow!("a plan change sends a webhook"))?;
            let signed = stack.sim.sim.signed_webhook(DEMO_ORG, &event, fields);
            Ok(optix::webhook::encode_form(&signed))
        })
        .collect()
}

/// Waits until webhooks signed before now have settled: their second has ended and the
/// stack's settle margin has passed. Provision asks Optix about a webhook only from then on (so the
/// answer holds every change of that second; docs/design.md, "A webhook is a hint"), which
/// real deliveries never wait for: Optix dispatches a webhook 1 to 15 s after the change it
/// stamps (reference/optix-notes.md). Bodies signed a moment before they are posted would
/// instead wait up to a second plus the margin, by design, and that wait, not provision's
/// work, would be the figure.
pub async fn wait_until_settled(stack: &Stack) {
    let margin = Duration::from_millis(stack.settings.provision.webhook_settle_margin_ms);
    let settled = whole_seconds(chrono::Utc::now())
        + chrono::Duration::seconds(1)
        + chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::seconds(1));
    let wait = (settled - chrono::Utc::now())
        .to_std()
        .unwrap_or(Duration::ZERO);
    tokio::time::sleep(wait).await;
}

pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .timeout(Duration::from_secs(10))
        .build()?)
}

pub async fn post_form(http: &reqwest::Client, url: &str, body: String) -> Result<(), String> {
    let response = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer ({e})"))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let reason = response.text().await.unwrap_or_default();
    Err(format!(
        "{status}: {}",
        reason.chars().take(120).collect::<String>()
    ))
}

/// "n webhooks were refused (reason ×count, …)": why a run's posts were not answered 2xx.
pub fn refused(reasons: &[String]) -> String {
    let mut counted: std::collections::BTreeMap<&str, usize> = Default::default();
    for reason in reasons {
        *counted.entry(reason.as_str()).or_default() += 1;
    }
    let tally: Vec<String> = counted
        .iter()
        .map(|(reason, n)| format!("{reason} ×{n}"))
        .collect();
    format!(
        "{} webhooks were refused ({})",
        reasons.len(),
        tally.join(", ")
    )
}

/// Posts every body with `CONCURRENCY` connections, back to back; fails unless all got a 2xx.
pub async fn post_all(
    http: &reqwest::Client,
    url: &str,
    bodies: Vec<String>,
) -> anyhow::Result<()> {
    let total = bodies.len();
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (http, url, next, bodies) =
                (http.clone(), url.to_owned(), next.clone(), bodies.clone());
            tokio::spawn(async move {
                let mut refusals = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else {
                        return refusals;
                    };
                    if let Err(reason) = post_form(&http, &url, body.clone()).await {
                        refusals.push(reason);
                    }
                }
            })
        })
        .collect();
    let mut refusals = Vec::new();
    for worker in workers {
        refusals.extend(worker.await?);
    }
    anyhow::ensure!(refusals.is_empty(), "of {total}, {}", refused(&refusals));
    Ok(())
}

pub fn webhook_url(stack: &Stack) -> String {
    format!("{}/optix/webhooks", stack.ingest_url)
}

/// How many messages the webhook stream holds.
pub async fn stream_messages(stack: &Stack) -> anyhow::Result<u64> {
    let mut stream = stack
        .bus
        .jetstream()
        .get_stream(&stack.settings.nats.webhook_stream)
        .await?;
    Ok(stream.info().await?.state.last_sequence)
}

/// Waits until provision's consumer has acked everything in the webhook stream.
pub async fn wait_drained(stack: &Stack, deadline: Duration) -> anyhow::Result<()> {
    wait_drained_on(
        &stack.bus,
        &stack.settings.nats.webhook_stream,
        &stack.settings.provision.consumer_name,
        deadline,
    )
    .await
}

pub async fn wait_drained_on(
    bus: &bus::Bus,
    stream_name: &str,
    consumer: &str,
    deadline: Duration,
) -> anyhow::Result<()> {
    let js = bus.jetstream().clone();
    let started = Instant::now();
    let mut stream = js.get_stream(stream_name).await?;
    // What was stored before the wait; anything stored later shows as pending.
    let last = stream.info().await?.state.last_sequence;
    loop {
        let info = stream.consumer_info(consumer).await?;
        if info.num_pending == 0
            && info.num_ack_pending == 0
            && info.ack_floor.stream_sequence >= last
        {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < deadline,
            "provision did not drain the webhook stream within {deadline:?} ({} pending, {} unacked)",
            info.num_pending,
            info.num_ack_pending
        );
        // The end is when the figures stop: near it, asked for often (one small request each),
        // so that the wait adds at most a couple of milliseconds to a drain of about one second.
        let left = info.num_pending + info.num_ack_pending as u64;
        tokio::time::sleep(if left <= NEAR_DRAINED {
            Duration::from_millis(2)
        } else {
            Duration::from_millis(20)
        })
        .await;
    }
}

/// Messages left below which [`wait_drained_on`] asks every 2 ms instead of every 20: about
/// the last two batches.
const NEAR_DRAINED: u64 = 2_000;

/// Waits until every member in `users` has a plan grant ending at `end` (the change is in the
/// projection); returns when it saw the last one.
pub async fn wait_plan_ends(
    stack: &Stack,
    users: &[String],
    end: chrono::DateTime<chrono::Utc>,
    deadline: Duration,
) -> anyhow::Result<Instant> {
    let started = Instant::now();
    loop {
        let seen = stack
            .count(
                "SELECT count(*) FROM member_grants
                 WHERE org_id = $1 AND basis = 'plan' AND valid_until = $2 AND user_id = ANY($3)",
                &[&DEMO_ORG, &end, &users],
            )
            .await?;
        if seen >= users.len() as i64 {
            return Ok(Instant::now());
        }
        anyhow::ensure!(
            started.elapsed() < deadline,
            "{seen} of {} plan changes projected after {deadline:?}",
            users.len()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Events provision appended for webhooks (not for syncs or the scheduler).
pub async fn webhook_events(stack: &Stack) -> anyhow::Result<i64> {
    stack
        .count(
            "SELECT count(*) FROM events WHERE metadata->>'actor' = 'optix-webhook'",
            &[],
        )
        .await
}

pub fn whole_seconds(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The `_sum` and `_count` of every histogram a `/metrics` page shows, summed over label sets
/// (keyed by the metric name with the suffix), to tell where time went between two scrapes.
pub async fn scrape(url: &str) -> anyhow::Result<std::collections::HashMap<String, f64>> {
    let text = reqwest::get(url).await?.error_for_status()?.text().await?;
    let mut totals = std::collections::HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let name = line.split(['{', ' ']).next().unwrap_or_default();
        if !(name.ends_with("_sum") || name.ends_with("_count")) {
            continue;
        }
        if let Some(value) = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) {
            *totals.entry(name.to_owned()).or_insert(0.0) += value;
        }
    }
    Ok(totals)
}

/// Between two scrapes: (count, mean in ms) of the histogram whose name starts with `metric`.
pub fn histogram_delta(
    before: &std::collections::HashMap<String, f64>,
    after: &std::collections::HashMap<String, f64>,
    metric: &str,
) -> (f64, f64) {
    let pick = |totals: &std::collections::HashMap<String, f64>, suffix: &str| {
        totals
            .iter()
            .filter(|(name, _)| name.starts_with(metric) && name.ends_with(suffix))
            .map(|(_, value)| *value)
            .sum::<f64>()
    };
    let count = pick(after, "_count") - pick(before, "_count");
    let sum = pick(after, "_sum") - pick(before, "_sum");
    (
        count,
        if count > 0.0 {
            1000.0 * sum / count
        } else {
            0.0
        },
    )
}

/// Failed requests by why: an HTTP status (`HTTP 503`) or the client's innermost error
/// (`connection closed before message completed`).
pub type Failures = std::collections::BTreeMap<String, usize>;

/// Why a request the client could not complete failed: its innermost cause.
pub fn failure_of(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// `2 × HTTP 503, 1 × connection reset` (empty when nothing failed).
fn describe_failures(failures: &Failures) -> String {
    failures
        .iter()
        .map(|(why, count)| format!("{count} × {why}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `0 non-2xx`, or `2 non-2xx: 2 × HTTP 503`: how many requests failed, called `what`, and
/// why.
pub fn count_with_causes(failures: &Failures, what: &str) -> String {
    let count: usize = failures.values().sum();
    if failures.is_empty() {
        format!("{count} {what}")
    } else {
        format!("{count} {what}: {}", describe_failures(failures))
    }
}

/// Fails, naming how many `what` failed and why, unless none did.
pub fn ensure_none_failed(failures: &Failures, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        failures.is_empty(),
        "{}",
        count_with_causes(failures, &format!("{what} failed"))
    );
    Ok(())
}

/// Each request's latency, and the failures by why, from tasks answering (latency, outcome).
pub async fn latencies_and_failures(
    tasks: Vec<tokio::task::JoinHandle<(Duration, Result<(), String>)>>,
) -> anyhow::Result<(Vec<Duration>, Failures)> {
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut failures = Failures::new();
    for task in tasks {
        let (latency, outcome) = task.await?;
        latencies.push(latency);
        if let Err(why) = outcome {
            *failures.entry(why).or_default() += 1;
        }
    }
    Ok((latencies, failures))
}

/// Calls `look` every `poll` (each call gives the latencies it newly saw) until `wanted` are
/// seen; fails once `deadline` has passed, saying how many of the wanted `what` (e.g. "sign-in
/// emails arrived") were seen.
pub async fn gather_latencies<Look: Future<Output = anyhow::Result<Vec<Duration>>>>(
    (wanted, deadline): (usize, Duration),
    what: &str,
    poll: Duration,
    mut look: impl FnMut() -> Look,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(wanted);
    let started = Instant::now();
    while latencies.len() < wanted {
        latencies.extend(look().await?);
        anyhow::ensure!(
            started.elapsed() < deadline,
            "only {} of {wanted} {what}",
            latencies.len()
        );
        tokio::time::sleep(poll).await;
    }
    Ok(latencies)
}

/// A binary of the workspace (a service, the `lanyard` CLI) next to this one (target/release or
/// target/debug).
pub fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .map(|dir| dir.join(name))
        .ok_or_else(|| anyhow::anyhow!("no directory for {}", exe.display()))?;
    anyhow::ensure!(
        path.exists(),
        "{} is missing: build the services first (cargo build --workspace --bins, with --release for `make bench`)",
        path.display()
    );
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::{Failures, count_with_causes, ensure_none_failed};

    #[test]
    fn a_count_of_failures_names_their_causes() {
        assert_eq!(count_with_causes(&Failures::new(), "non-2xx"), "0 non-2xx");
        let failures = Failures::from([
            ("HTTP 503".to_owned(), 2),
            ("connection reset by peer".to_owned(), 1),
        ]);
        assert_eq!(
            count_with_causes(&failures, "non-200"),
            "3 non-200: 2 × HTTP 503, 1 × connection reset by peer"
        );
    }

    #[test]
    fn a_phase_with_a_failed_request_fails_naming_why() {
        assert!(ensure_none_failed(&Failures::new(), "key page requests").is_ok());
        let failures = Failures::from([("HTTP 500".to_owned(), 4)]);
        let error = ensure_none_failed(&failures, "key page requests")
            .expect_err("a failed request fails the phase");
        assert_eq!(
            error.to_string(),
            "4 key page requests failed: 4 × HTTP 500"
        );
    }
}
