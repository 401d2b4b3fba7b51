//! One scenario's load: the simulator changes one member's plan end per webhook and delivers
//! the webhooks at a steady rate over both ingest instances, retried as Optix retries; a
//! watcher notes, per delivery, when it was first answered 2xx and when the projection first
//! showed its change (each member is changed once per scenario, to the scenario's own plan
//! end, so "applied" is exact per delivery).

use crate::system::{Member, System};
use optix_sim::steady::{Attempt, SteadyPlan, deliver_steady};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How often the watcher looks at the projection (the resolution of freshness).
const POLL: Duration = Duration::from_millis(250);

#[derive(Clone, Debug, Default)]
pub struct Delivery {
    pub user_id: String,
    pub attempts: u32,
    pub first_2xx: Option<Instant>,
    pub applied: Option<Instant>,
    /// No attempt follows.
    pub settled: bool,
}

/// What every delivery of a scenario got, shared by the reporter and the watcher.
pub type Deliveries = Arc<Mutex<Vec<Delivery>>>;

pub fn lock(deliveries: &Deliveries) -> std::sync::MutexGuard<'_, Vec<Delivery>> {
    deliveries.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct Load {
    pub per_second: f64,
    pub count: usize,
    pub retry_interval: Duration,
    pub max_retries: u32,
    /// The plan end every change of this scenario sets (whole seconds, as Optix stamps).
    pub end: chrono::DateTime<chrono::Utc>,
}

impl Load {
    /// The load of `sizes`, each change setting the plan end `days` ahead (whole seconds, as
    /// Optix stamps): a day of its own per scenario or round, so "applied" is exact.
    pub fn of(sizes: &crate::Sizes, days: i64) -> Load {
        let end = chrono::Utc::now() + chrono::Duration::days(days);
        Load {
            per_second: sizes.rate,
            count: sizes.webhooks(),
            retry_interval: sizes.retry_interval,
            max_retries: sizes.max_retries,
            end: chrono::DateTime::from_timestamp(end.timestamp(), 0).unwrap_or(end),
        }
    }
}

/// A load under way, with the watcher noting what the projection shows.
pub struct Running {
    pub deliveries: Deliveries,
    /// Ends when the last delivery is settled.
    pub settled: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// Tells the watcher (and whatever else follows `stopped`) to stop.
    pub stop: tokio::sync::watch::Sender<bool>,
    pub stopped: tokio::sync::watch::Receiver<bool>,
    pub watcher: tokio::task::JoinHandle<()>,
}

/// Starts `load` and its watcher.
pub fn start_watched(system: &System, load: &Load) -> anyhow::Result<Running> {
    let (deliveries, settled) = start(system, load)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let watcher = tokio::spawn(watch_applied(
        system.pool.clone(),
        deliveries.clone(),
        load.end,
        stopped.clone(),
    ));
    Ok(Running {
        deliveries,
        settled,
        stop,
        stopped,
        watcher,
    })
}

/// Starts the load: returns the deliveries (filled in as attempts are answered) and a task
/// that ends when the last delivery is settled.
pub fn start(
    system: &System,
    load: &Load,
) -> anyhow::Result<(Deliveries, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    anyhow::ensure!(
        load.count <= system.members.len(),
        "{} webhooks need as many members, {} populated",
        load.count,
        system.members.len()
    );
    let members: Vec<Member> = system.members[..load.count].to_vec();
    let deliveries: Deliveries = Arc::new(Mutex::new(
        members
            .iter()
            .map(|m| Delivery {
                user_id: m.user_id.clone(),
                ..Delivery::default()
            })
            .collect(),
    ));
    let plan = SteadyPlan {
        urls: system.webhook_urls.clone(),
        per_second: load.per_second,
        count: load.count,
        retry_interval: load.retry_interval,
        max_retries: load.max_retries,
    };
    let sim = system.sim.sim.clone();
    let end = load.end.timestamp();
    let body = move |i: usize| -> anyhow::Result<String> {
        let member = &members[i];
        let change = optix_sim::Change::ChangePlan {
            account_plan_id: member.account_plan_id.clone(),
            end_timestamp: Some(end),
        };
        let (_, webhook) = sim.apply_held(&member.org_id, change)?;
        let (event, fields) =
            webhook.ok_or_else(|| anyhow::anyhow!("a plan change sends a webhook"))?;
        let signed = sim.signed_webhook(&member.org_id, &event, fields);
        Ok(optix::webhook::encode_form(&signed))
    };
    let (report, mut reports) = mpsc::unbounded_channel::<Attempt>();
    let sending = tokio::spawn(deliver_steady(plan, body, report));
    let noted = deliveries.clone();
    let task = tokio::spawn(async move {
        // The channel closes once the sender and every delivery's task are done.
        while let Some(attempt) = reports.recv().await {
            let mut all = lock(&noted);
            if let Some(d) = all.get_mut(attempt.index) {
                d.attempts = d.attempts.max(attempt.attempt);
                if attempt.accepted() && d.first_2xx.is_none() {
                    d.first_2xx = Some(attempt.answered_at);
                }
                d.settled |= attempt.last;
            }
        }
        sending.await?
    });
    Ok((deliveries, task))
}

/// Polls the projection every `POLL` until `done` says stop, noting when each answered
/// delivery's change first shows (the plan grant ends at `end`). Database errors (a restart
/// under way) are waited out.
pub async fn watch_applied(
    pool: deadpool_postgres::Pool,
    deliveries: Deliveries,
    end: chrono::DateTime<chrono::Utc>,
    done: tokio::sync::watch::Receiver<bool>,
) {
    // A restart answers the same error for seconds: told once per streak.
    let mut last_error = String::new();
    while !*done.borrow() {
        let waiting: HashMap<String, usize> = lock(&deliveries)
            .iter()
            .enumerate()
            .filter(|(_, d)| d.first_2xx.is_some() && d.applied.is_none())
            .map(|(i, d)| (d.user_id.clone(), i))
            .collect();
        if !waiting.is_empty() {
            match applied_users(&pool, &waiting, end).await {
                Ok(users) => {
                    last_error.clear();
                    let seen = Instant::now();
                    let mut all = lock(&deliveries);
                    for user in users {
                        if let Some(&i) = waiting.get(&user) {
                            all[i].applied = Some(seen);
                        }
                    }
                }
                Err(e) => {
                    let error = format!("{e:#}");
                    if error != last_error {
                        crate::processes::tracing_note(&format!("watcher: {error}"));
                        last_error = error;
                    }
                }
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn applied_users(
    pool: &deadpool_postgres::Pool,
    waiting: &HashMap<String, usize>,
    end: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<String>> {
    let users: Vec<&String> = waiting.keys().collect();
    let client = tokio::time::timeout(Duration::from_secs(2), pool.get()).await??;
    let rows = tokio::time::timeout(
        Duration::from_secs(5),
        client.query(
            "SELECT user_id FROM member_grants
             WHERE basis = 'plan' AND valid_until = $1 AND user_id = ANY($2)",
            &[&end, &users],
        ),
    )
    .await??;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The figures of one scenario's deliveries.
#[derive(Debug, Default, serde::Serialize)]
pub struct Outcome {
    pub sent: usize,
    pub accepted: usize,
    pub applied: usize,
    /// Answered 2xx, never shown by the projection: lost.
    pub lost: usize,
    /// Never answered 2xx after every retry (Optix gives up; not acknowledged, so not lost).
    pub never_accepted: usize,
    /// Deliveries that needed more than one attempt.
    pub retried: usize,
    pub worst_freshness_ms: f64,
    pub p99_freshness_ms: f64,
    /// The worst freshness of the changes shown before the fault struck.
    pub before_fault_worst_ms: f64,
    /// Fault → the last change held up by it, one slower to show than `SLOW` and than one and a
    /// half times the worst before the fault (0: none was; `None`: some never showed).
    pub recovery_ms: Option<f64>,
}

/// A change slower than this to show may count as held up by the fault (the settle margin
/// alone holds a webhook up to two seconds).
pub const SLOW: Duration = Duration::from_secs(3);

pub fn outcome(deliveries: &[Delivery], fault_at: Option<Instant>) -> Outcome {
    let accepted: Vec<&Delivery> = deliveries
        .iter()
        .filter(|d| d.first_2xx.is_some())
        .collect();
    let mut freshness: Vec<Duration> = accepted
        .iter()
        .filter_map(|d| Some(d.applied?.saturating_duration_since(d.first_2xx?)))
        .collect();
    freshness.sort();
    let quantile = |q: f64| {
        freshness
            .get(((freshness.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let applied = freshness.len();
    let lost = accepted.len() - applied;
    let fresh = |d: &Delivery| Some((d.first_2xx?, d.applied?));
    let before_fault_worst = accepted
        .iter()
        .filter_map(|d| fresh(d))
        .filter(|(_, applied)| fault_at.is_some_and(|fault| *applied < fault))
        .map(|(answered, applied)| applied.saturating_duration_since(answered))
        .max()
        .unwrap_or_default();
    let slow = SLOW.max(before_fault_worst.mul_f64(1.5));
    let last_slow = accepted
        .iter()
        .filter_map(|d| fresh(d))
        .filter(|(answered, applied)| applied.saturating_duration_since(*answered) > slow)
        .map(|(_, applied)| applied)
        .max();
    let recovery_ms = match (lost, fault_at) {
        (0, Some(fault)) => Some(last_slow.map_or(0.0, |at| {
            at.saturating_duration_since(fault).as_secs_f64() * 1000.0
        })),
        _ => None,
    };
    Outcome {
        sent: deliveries.len(),
        accepted: accepted.len(),
        applied,
        lost,
        never_accepted: deliveries
            .iter()
            .filter(|d| d.settled && d.first_2xx.is_none())
            .count(),
        retried: deliveries.iter().filter(|d| d.attempts > 1).count(),
        worst_freshness_ms: quantile(1.0),
        p99_freshness_ms: quantile(0.99),
        before_fault_worst_ms: before_fault_worst.as_secs_f64() * 1000.0,
        recovery_ms,
    }
}
