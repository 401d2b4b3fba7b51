//! One scenario from load to verdict, and the chaos table.

use crate::Sizes;
use crate::checks::{self, RelayCheck, RelayReader};
use crate::faults::Fault;
use crate::load::{self, Load, Outcome};
use crate::processes::tracing_note;
use crate::system::{Services, System};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, watch};

/// What one scenario saw.
#[derive(Debug, Default, serde::Serialize)]
pub struct Scenario {
    pub scenario: String,
    pub deliveries: Outcome,
    pub relay: RelayCheck,
    /// Webhook events recorded twice in the log.
    pub duplicated_log_events: i64,
    /// Projection tables whose checksum differs from a replay's (empty: equal).
    pub replay_differs: Vec<String>,
    pub optix_calls: u64,
    /// Optix answered 429: Lanyard asked for more than a token's budget.
    pub optix_429: u64,
    /// Services the supervisor started again.
    pub restarts: u64,
    /// Why the scenario could not be run to its end.
    pub error: Option<String>,
}

impl Scenario {
    pub fn failed(fault: Fault, error: &anyhow::Error) -> Scenario {
        Scenario {
            scenario: fault.name().into(),
            error: Some(format!("{error:#}")),
            ..Scenario::default()
        }
    }

    /// The events the relay published twice or out of order, and log events recorded twice.
    pub fn duplicated(&self) -> u64 {
        self.relay.duplicates + self.relay.out_of_order + self.duplicated_log_events.max(0) as u64
    }

    /// Everything that makes the scenario fail, in words (empty: it passed).
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if let Some(error) = &self.error {
            failures.push(format!("not run to its end: {error}"));
        }
        let d = &self.deliveries;
        if d.lost > 0 {
            failures.push(format!("{} webhooks answered 2xx never applied", d.lost));
        }
        let r = &self.relay;
        if r.duplicates + r.out_of_order + r.missing > 0 {
            failures.push(format!(
                "relay: {} published twice, {} out of order, {} never published",
                r.duplicates, r.out_of_order, r.missing
            ));
        }
        if self.duplicated_log_events > 0 {
            failures.push(format!(
                "{} changes recorded twice",
                self.duplicated_log_events
            ));
        }
        if !self.replay_differs.is_empty() {
            failures.push(format!(
                "replay differs: {}",
                self.replay_differs.join("; ")
            ));
        }
        if self.optix_429 > 0 {
            failures.push(format!("Optix budget exceeded ({} × 429)", self.optix_429));
        }
        failures
    }

    pub fn verdict(&self) -> String {
        let failures = self.failures();
        if failures.is_empty() {
            "PASS".into()
        } else {
            format!("FAIL: {}", failures.join("; "))
        }
    }
}

/// How long the drain waits for the next change to show before the rest counts as lost (longer
/// than the consumer's ack wait, after which a killed instance's messages are redelivered).
const STALLED: Duration = Duration::from_secs(90);

/// Supervises the services until `stop`: every half second, what is not running is started
/// again.
async fn supervise(services: Arc<Mutex<Services>>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        services.lock().await.supervise().await;
        let _ = tokio::time::timeout(Duration::from_millis(500), stop.changed()).await;
    }
}

pub async fn run_scenario(
    system: &mut System,
    fault: Fault,
    index: usize,
    sizes: Sizes,
    relay: &mut RelayReader,
) -> anyhow::Result<Scenario> {
    let head_before = checks::head(&system.pool).await?;
    let (calls_before, limited_before) =
        (system.sim.sim.api_calls(), system.sim.sim.rate_limited());
    let restarts_before = system.services.lock().await.restarts;
    let load = Load::of(&sizes, 30 + index as i64);
    let load::Running {
        deliveries,
        settled,
        stop,
        stopped,
        watcher,
    } = load::start_watched(system, &load)?;
    let supervisor = tokio::spawn(supervise(system.services.clone(), stopped));
    tokio::time::sleep(sizes.fault_after).await;
    let fault_at = tokio::time::Instant::now();
    tracing_note(&format!("{}: strike", fault.name()));
    let struck = fault.strike(system, sizes.holds).await;
    tracing_note(&format!(
        "{}: undone after {:.1} s",
        fault.name(),
        fault_at.elapsed().as_secs_f64()
    ));
    let waited = wait_settled(&deliveries, settled, &load, sizes).await;
    let _ = stop.send(true);
    watcher.await?;
    supervisor.await?;
    struck?;
    waited?;
    let deliveries = load::outcome(&load::lock(&deliveries), Some(fault_at));
    let bus = system.ops_bus().await?;
    let relay = relay
        .check(&bus, &system.pool, Duration::from_secs(120))
        .await?;
    Ok(Scenario {
        scenario: fault.name().into(),
        deliveries,
        relay,
        duplicated_log_events: checks::duplicated_log_events(&system.pool, head_before).await?,
        replay_differs: checks::checksum_equals_replay(&system.pool).await?,
        optix_calls: system.sim.sim.api_calls() - calls_before,
        optix_429: system.sim.sim.rate_limited() - limited_before,
        restarts: system.services.lock().await.restarts - restarts_before,
        error: None,
    })
}

/// Waits until every delivery is settled (answered or given up by the retry policy) and every
/// one answered 2xx is applied, or nothing more was applied for `STALLED` (what is not
/// applied then is lost: a slow machine only delays the verdict).
async fn wait_settled(
    deliveries: &load::Deliveries,
    settled: tokio::task::JoinHandle<anyhow::Result<()>>,
    load: &Load,
    sizes: Sizes,
) -> anyhow::Result<()> {
    let retries = load.retry_interval * (load.max_retries + 1);
    let deadline = Duration::from_secs(sizes.seconds) + retries + Duration::from_secs(60);
    tokio::time::timeout(deadline, settled)
        .await
        .map_err(|_| anyhow::anyhow!("deliveries not settled within {deadline:?}"))???;
    let (mut pending_before, mut progress_at) = (usize::MAX, tokio::time::Instant::now());
    while progress_at.elapsed() < STALLED {
        let pending = load::lock(deliveries)
            .iter()
            .filter(|d| d.first_2xx.is_some() && d.applied.is_none())
            .count();
        if pending == 0 {
            return Ok(());
        }
        if pending < pending_before {
            (pending_before, progress_at) = (pending, tokio::time::Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(())
}

fn ms(value: Option<f64>) -> String {
    match value {
        Some(ms) if ms >= 1000.0 => format!("{:.1} s", ms / 1000.0),
        Some(ms) => format!("{ms:.0} ms"),
        None => "never".into(),
    }
}

/// The chaos table (Markdown, as docs/operations.md shows it).
pub fn table(results: &[Scenario]) -> String {
    let mut out = String::from(
        "| scenario | webhooks accepted | applied | lost | duplicated events | recovery | worst freshness | Optix budget | result |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for s in results {
        let d = &s.deliveries;
        let budget = if s.optix_429 == 0 {
            format!("kept ({} calls, 0 × 429)", s.optix_calls)
        } else {
            format!("EXCEEDED ({} calls, {} × 429)", s.optix_calls, s.optix_429)
        };
        let result = if s.failures().is_empty() {
            "pass"
        } else {
            "FAIL"
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            s.scenario,
            d.accepted,
            d.applied,
            d.lost,
            s.duplicated(),
            ms(d.recovery_ms),
            ms(Some(d.worst_freshness_ms)),
            budget,
            result
        ));
    }
    out
}

/// Prints the table and each failure, writes the JSON; an error when any scenario failed.
pub fn print_and_write(
    results: &[Scenario],
    sizes: Sizes,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    println!("{}", table(results));
    for s in results.iter().filter(|s| !s.failures().is_empty()) {
        println!("{}: {}", s.scenario, s.verdict());
    }
    if let Some(path) = out {
        let report = serde_json::json!({
            "sizes": sizes,
            "recovery_means": format!(
                "fault → the last change slower to show than {:?} and than 1.5 × the worst before the fault",
                load::SLOW
            ),
            "scenarios": results,
        });
        write_results(path, report)?;
    }
    let failed: Vec<&str> = results
        .iter()
        .filter(|s| !s.failures().is_empty())
        .map(|s| s.scenario.as_str())
        .collect();
    anyhow::ensure!(failed.is_empty(), "failed: {}", failed.join(", "));
    Ok(())
}

/// Writes a run's results (`report`, an object) to `path` with the time it was written.
pub fn write_results(path: &std::path::Path, mut report: serde_json::Value) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    report["at"] = chrono::Utc::now().to_rfc3339().into();
    std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    println!("results written to {}", path.display());
    Ok(())
}
