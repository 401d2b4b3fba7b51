//! API budget: Optix requests per webhook for bursts of plan changes, and the requests and time
//! of a full sync of a large organization, all under Optix's real limit (60 requests a minute
//! per token, enforced by the simulator with 429s) and provision's default client limit.
//! The simulator counts every request it is sent (`Sim::api_calls`).

use crate::stats::Row;
use crate::support;
use integration_tests::StackOptions;
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Serialize)]
pub struct Burst {
    pub webhooks: usize,
    pub api_calls: u64,
    pub calls_per_webhook: f64,
    pub seconds: f64,
    pub rate_limited: u64,
}

#[derive(Serialize)]
pub struct BudgetFigures {
    pub rate_limit_per_minute: u32,
    pub bursts: Vec<Burst>,
    pub sync_members: usize,
    pub sync_api_calls: u64,
    pub sync_seconds: f64,
    pub sync_rate_limited: u64,
}

impl BudgetFigures {
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = self
            .bursts
            .iter()
            .map(|b| Row {
                what: format!(
                    "API calls, burst of {} plan changes ({}/min)",
                    b.webhooks, self.rate_limit_per_minute
                ),
                figure: format!(
                    "{:.3} calls/webhook ({} calls, done in {:.2} s, {} × 429)",
                    b.calls_per_webhook, b.api_calls, b.seconds, b.rate_limited
                ),
                ceiling: "-".into(),
                target: if b.webhooks >= 1000 {
                    "≤ 0.1 calls/webhook".into()
                } else {
                    "(figure asked for)".into()
                },
                met: (b.webhooks >= 1000).then_some(b.calls_per_webhook <= 0.1),
            })
            .collect();
        rows.push(Row {
            what: format!(
                "full sync of {} members ({}/min)",
                self.sync_members, self.rate_limit_per_minute
            ),
            figure: format!(
                "{:.0} s ({:.1} min), {} calls, {} × 429",
                self.sync_seconds,
                self.sync_seconds / 60.0,
                self.sync_api_calls,
                self.sync_rate_limited
            ),
            ceiling: format!(
                "{} calls at {}/min ≥ {:.0} s",
                self.sync_api_calls,
                self.rate_limit_per_minute,
                (self.sync_api_calls as f64 / f64::from(self.rate_limit_per_minute) - 1.0).max(0.0)
                    * 60.0
            ),
            target: "≤ 5 min".into(),
            met: Some(self.sync_seconds <= 300.0),
        });
        rows
    }
}

/// Optix's real limit (the simulator answers 429 past 60 a minute) and provision's default.
pub(crate) fn real_limit() -> StackOptions {
    StackOptions::rate_limits(60, 60, Duration::from_secs(60))
}

pub async fn run(smoke: bool) -> anyhow::Result<BudgetFigures> {
    let (bursts, sync_members) = if smoke {
        (vec![20, 10], 300)
    } else {
        (vec![1000, 500], 10_000)
    };
    let mut figures = Vec::new();
    for members in bursts {
        figures.push(burst(members).await?);
    }
    let stack = integration_tests::Stack::start_with(real_limit()).await?;
    stack.sim.sim.populate(
        integration_tests::stack::DEMO_ORG,
        sync_members,
        support::HOT_DESK,
    )?;
    let calls_before = stack.sim.sim.api_calls();
    let started = Instant::now();
    let status = stack
        .sim
        .sim
        .install_app(integration_tests::stack::DEMO_ORG)
        .await?;
    anyhow::ensure!(status == 200, "app_install was answered {status}");
    support::wait_for_syncs(&stack, 1, Duration::from_secs(900)).await?;
    let sync_seconds = started.elapsed().as_secs_f64();
    let projected = support::member_count(&stack).await?;
    anyhow::ensure!(
        projected >= sync_members as i64,
        "the sync projected {projected} of {sync_members} members"
    );
    Ok(BudgetFigures {
        rate_limit_per_minute: 60,
        bursts: figures,
        sync_members,
        sync_api_calls: stack.sim.sim.api_calls() - calls_before,
        sync_seconds,
        sync_rate_limited: stack.sim.sim.rate_limited(),
    })
}

/// `members` members with a plan, imported; then one plan change each, all sent at once
/// (`CONCURRENCY` connections), timed from the first send until the last change is projected.
async fn burst(members: usize) -> anyhow::Result<Burst> {
    let (stack, plans, _) =
        support::populated_stack(real_limit(), members, Duration::from_secs(300)).await?;
    support::wait_drained(&stack, Duration::from_secs(60)).await?;
    let end = support::whole_seconds(chrono::Utc::now() + chrono::Duration::days(30));
    let bodies = support::plan_change_bodies(&stack, &plans, end.timestamp())?;
    let http = support::http_client()?;
    let calls_before = stack.sim.sim.api_calls();
    let limited_before = stack.sim.sim.rate_limited();
    let started = Instant::now();
    support::post_all(&http, &support::webhook_url(&stack), bodies).await?;
    let users: Vec<String> = plans.iter().map(|(user, _)| user.clone()).collect();
    let done = support::wait_plan_ends(&stack, &users, end, Duration::from_secs(300)).await?;
    let seconds = done.duration_since(started).as_secs_f64();
    support::wait_drained(&stack, Duration::from_secs(60)).await?;
    let api_calls = stack.sim.sim.api_calls() - calls_before;
    Ok(Burst {
        webhooks: members,
        api_calls,
        calls_per_webhook: api_calls as f64 / members as f64,
        seconds,
        rate_limited: stack.sim.sim.rate_limited() - limited_before,
    })
}
