//! A burst of new members: 300 people join at 20 a second, each added in Optix and then given
//! a plan (`new_member` and `new_plan_subscription`: two webhooks, each delivered 1–15 s after
//! its change, as Optix delivers), under Optix's real limit (60 requests a minute per token, enforced by the simulator with 429s) and provision's
//! default client limit. Reported: Optix requests per webhook (the simulator counts every
//! request, by operation), the time from the plan webhook's 2xx to the member's plan grant in
//! the projection, and how many webhook messages JetStream delivered more than once.

use crate::freshness::{Answered, watch_projection};
use crate::stats::{Row, ms, quantile};
use crate::support;
use integration_tests::Stack;
use integration_tests::stack::DEMO_ORG;
use optix_sim::Change;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(10);

#[derive(Serialize)]
pub struct BurstFigures {
    pub new_members: usize,
    pub offered_rate_per_sec: u32,
    pub rate_limit_per_minute: u32,
    pub webhooks: usize,
    pub api_calls: u64,
    pub calls_per_webhook: f64,
    pub rate_limited: u64,
    /// Requests by GraphQL operation (the simulator's count).
    pub operations: BTreeMap<String, u64>,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Deliveries JetStream made beyond one per message (the consumer's delivered count).
    pub redeliveries: u64,
    /// From provision's own metrics: how the webhooks were batched, and where a batch's time
    /// went (the linger before it is not in them).
    pub batches: f64,
    pub mean_batch_webhooks: f64,
    pub mean_reconcile_ms: f64,
    pub mean_optix_request_ms: f64,
}

impl BurstFigures {
    pub fn rows(&self) -> Vec<Row> {
        let operations: Vec<String> = self
            .operations
            .iter()
            .map(|(name, calls)| format!("{name} {calls}"))
            .collect();
        vec![
            Row {
                what: format!(
                    "burst of {} new members at {}/s ({}/min): Optix calls",
                    self.new_members, self.offered_rate_per_sec, self.rate_limit_per_minute
                ),
                figure: format!(
                    "{:.3} calls/webhook ({} calls for {} webhooks, {} × 429; {})",
                    self.calls_per_webhook,
                    self.api_calls,
                    self.webhooks,
                    self.rate_limited,
                    operations.join(", ")
                ),
                ceiling: format!(
                    "{:.0} batches of {:.1} webhooks, reconcile {:.0} ms each (Optix {:.0} ms a request)",
                    self.batches,
                    self.mean_batch_webhooks,
                    self.mean_reconcile_ms,
                    self.mean_optix_request_ms
                ),
                target: "≤ 0.1 calls/webhook".into(),
                met: Some(self.calls_per_webhook <= 0.1),
            },
            Row {
                what: "burst of new members: 2xx → account".into(),
                figure: format!(
                    "p50 {:.0} ms, p99 {:.0} ms (max {:.0} ms; poll {} ms)",
                    self.p50_ms,
                    self.p99_ms,
                    self.max_ms,
                    ms(POLL)
                ),
                ceiling: "-".into(),
                target: "p99 < 5 s".into(),
                met: Some(self.p99_ms < 5000.0),
            },
            Row {
                what: "burst of new members: redeliveries".into(),
                figure: format!("{}", self.redeliveries),
                ceiling: "-".into(),
                target: "0".into(),
                met: Some(self.redeliveries == 0),
            },
        ]
    }
}

/// When Optix sends a change's webhook: 1–15 s after it (docs/optix-notes §3.1, "typically
/// 1–15 s after the event"), each delivery on its own delay, so the two webhooks of one person
/// may come in either order.
const DISPATCH_DELAY_MS: std::ops::RangeInclusive<u64> = 1_000..=15_000;

/// A change's webhook as Optix sends it: signed at the change, posted after `delay`; `answered`
/// runs at its 2xx.
async fn dispatch(
    stack: &Stack,
    http: &reqwest::Client,
    (change, delay): (Change, Duration),
    answered: impl FnOnce() + Send + 'static,
) -> anyhow::Result<(Option<String>, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    let sim = &stack.sim.sim;
    let (id, webhook) = sim.apply_held(DEMO_ORG, change)?;
    let (event, fields) = webhook.ok_or_else(|| anyhow::anyhow!("the change sends no webhook"))?;
    let body = optix::webhook::encode_form(&sim.signed_webhook(DEMO_ORG, &event, fields));
    let (http, url) = (http.clone(), support::webhook_url(stack));
    let posted = tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Err(reason) = support::post_form(&http, &url, body).await {
            anyhow::bail!("{event} was refused: {reason}");
        }
        answered();
        Ok(())
    });
    Ok((id, posted))
}

/// Person `i` joins: added to Optix, then given a plan (`new_member`, `new_plan_subscription`,
/// each delivered after its own delay); `answered` notes when the plan webhook got its 2xx.
async fn join(
    stack: &Stack,
    http: &reqwest::Client,
    (i, delays): (usize, [Duration; 2]),
    answered: &Answered,
) -> anyhow::Result<()> {
    let added = Change::AddUser {
        name: format!("Burst{i}"),
        surname: "Newcomer".into(),
        email: format!("burst{i}@example.com"),
        is_admin: false,
    };
    let (user, member) = dispatch(stack, http, (added, delays[0]), || {}).await?;
    let user = user.ok_or_else(|| anyhow::anyhow!("the new user has no id"))?;
    let plan = Change::AddPlan {
        user_id: user.clone(),
        plan_template_id: support::HOT_DESK.into(),
        starts_in_secs: 0,
        ends_in_secs: None,
    };
    let answered = answered.clone();
    let noted = move || {
        answered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(user, Instant::now());
    };
    let (_, plan) = dispatch(stack, http, (plan, delays[1]), noted).await?;
    plan.await??;
    member.await?
}

/// Every person joins at `rate` a second, open loop. Delays are drawn from a fixed seed: every
/// run sees the same arrivals.
async fn join_at_rate(
    stack: &Arc<Stack>,
    (users, rate): (usize, usize),
    delay_ms: std::ops::RangeInclusive<u64>,
    answered: &Answered,
) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(19);
    let http = support::http_client()?;
    let pace = support::OpenLoop::at(rate);
    let mut joins = Vec::with_capacity(users);
    for i in 0..users {
        pace.wait(i).await;
        let delays = [(); 2].map(|_| Duration::from_millis(rng.gen_range(delay_ms.clone())));
        let (stack, http, answered) = (stack.clone(), http.clone(), answered.clone());
        joins.push(tokio::spawn(async move {
            join(&stack, &http, (i, delays), &answered).await
        }));
    }
    for joined in joins {
        joined.await??;
    }
    Ok(())
}

pub async fn run(smoke: bool) -> anyhow::Result<BurstFigures> {
    let (users, rate, delay_ms) = if smoke {
        (10, 20, 0..=1_000)
    } else {
        (300, 20, DISPATCH_DELAY_MS)
    };
    let stack = Arc::new(Stack::start_installed_with(crate::budget::real_limit()).await?);
    support::wait_drained(&stack, Duration::from_secs(60)).await?;
    let metrics_url = format!("{}/metrics", stack.provision_url);
    let metrics_before = support::scrape(&metrics_url).await?;
    let calls_before = stack.sim.sim.api_calls();
    let limited_before = stack.sim.sim.rate_limited();
    let operations_before = stack.sim.sim.operations();
    let delivered_before = stack.webhook_deliveries().await?;

    let answered: Answered = Arc::default();
    let deadline = Duration::from_secs((users / rate) as u64 + 180);
    let watcher = tokio::spawn(watch_projection(
        stack.pool.clone(),
        answered.clone(),
        (None, POLL),
        users,
        deadline,
    ));
    join_at_rate(&stack, (users, rate), delay_ms, &answered).await?;
    let mut latencies = watcher.await??;
    support::wait_drained(&stack, Duration::from_secs(120)).await?;

    let (deliveries, last) = stack.webhook_deliveries().await?;
    let redeliveries = (deliveries - delivered_before.0).saturating_sub(last - delivered_before.1);
    let metrics_after = support::scrape(&metrics_url).await?;
    let delta = |metric| support::histogram_delta(&metrics_before, &metrics_after, metric);
    let (batches, mean_reconcile_ms) = delta("lanyard_reconcile_duration");
    let (processed, _) = delta("lanyard_webhook_processing_duration");
    let (_, mean_optix_request_ms) = delta("lanyard_optix_api_duration");
    let api_calls = stack.sim.sim.api_calls() - calls_before;
    let webhooks = 2 * users;
    let mut operations = stack.sim.sim.operations();
    for (name, calls) in &operations_before {
        if let Some(now) = operations.get_mut(name) {
            *now -= calls;
        }
    }
    operations.retain(|_, calls| *calls > 0);
    Ok(BurstFigures {
        new_members: users,
        offered_rate_per_sec: rate as u32,
        rate_limit_per_minute: 60,
        webhooks,
        api_calls,
        calls_per_webhook: api_calls as f64 / webhooks as f64,
        rate_limited: stack.sim.sim.rate_limited() - limited_before,
        operations,
        p50_ms: ms(quantile(&mut latencies, 0.50)),
        p99_ms: ms(quantile(&mut latencies, 0.99)),
        max_ms: ms(quantile(&mut latencies, 1.0)),
        redeliveries,
        batches,
        mean_batch_webhooks: processed / batches.max(1.0),
        mean_reconcile_ms,
        mean_optix_request_ms,
    })
}
