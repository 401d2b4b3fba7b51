//! Cloud WiFi controllers (Meraki, against vendor-sim's faithful rate limit: 10 requests/s per
//! organization, a bucket of 20):
//! - pushing 5,000 keys to an empty SSID (list, plan, group policies, synchronous action batches
//!   of 20: the reconciler's vendor path), beside the minimum the rate allows for the calls it
//!   needs ((calls − the 20-request burst) ÷ 10/s);
//! - pushing 5,000 keys to an empty Mist site under Mist's real limit (5,000 calls per hour
//!   per token, unscaled), beside the steady-rate floor (calls ÷ 5,000/h);
//! - freshness at 50 changes/s: an Optix webhook changing a plan's end answered 2xx → the key's
//!   `expiresAt` at the vendor (the whole pipeline: ingest, provision, the events stream, the
//!   controllers service), the webhooks posted once their stamps have settled as Optix's
//!   deliveries are (`freshness::post_at_rate`).

use crate::freshness::{Answered, post_at_rate};
use crate::stats::{Row, ms, quantile};
use crate::support;
use controllers::vendor::{DesiredKey, Vendor};
use integration_tests::StackOptions;
use integration_tests::controllers::{
    Controllers, MERAKI_API_KEY, MERAKI_NETWORK, MERAKI_ORG, VendorSim,
};
use integration_tests::stack::{DEMO_ORG, GASTOWN};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Meraki's rate per organization and the burst its bucket allows at first.
const RATE: f64 = 10.0;
const BURST: f64 = 20.0;
/// Mist's calls per hour per token.
const MIST_CALLS_PER_HOUR: u32 = 5000;
const POLL: Duration = Duration::from_millis(20);

#[derive(Serialize)]
pub struct ControllerFigures {
    pub keys: usize,
    pub push_secs: f64,
    pub push_calls: u64,
    pub push_minimum_secs: f64,
    pub push_rate_limited: u64,
    pub mist_push_secs: f64,
    pub mist_push_calls: u64,
    pub mist_push_rate_limited: u64,
    /// The calls at Mist's steady rate (5,000/h): the floor were the hour's budget spent.
    pub mist_push_steady_secs: f64,
    pub changes: usize,
    pub changes_per_sec: usize,
    pub freshness_p50_ms: f64,
    pub freshness_p99_ms: f64,
    /// Where the freshness went: the controllers service's event reconciliations over the run.
    pub freshness_stages: Stages,
}

/// The event reconciliations of the freshness run (their rows in `controller_reconciliations`)
/// and the Meraki calls the service made meanwhile.
#[derive(Serialize, Default)]
pub struct Stages {
    pub reconciliations: i64,
    pub keys_per_reconciliation: f64,
    pub reconcile_mean_ms: f64,
    pub reconcile_max_ms: f64,
    pub vendor_calls: u64,
    pub vendor_rate_limited: u64,
}

impl ControllerFigures {
    pub fn rows(&self) -> Vec<Row> {
        vec![
            Row {
                what: format!("Meraki: push {} keys to an empty SSID", self.keys),
                figure: format!(
                    "{:.1} s, {} calls, {} × 429 ({:.0} % over the minimum)",
                    self.push_secs,
                    self.push_calls,
                    self.push_rate_limited,
                    100.0 * (self.push_secs / self.push_minimum_secs.max(0.001) - 1.0)
                ),
                ceiling: format!("{:.1} s at 10 req/s (+20 burst)", self.push_minimum_secs),
                target: "within 20 % of the minimum".into(),
                met: Some(self.push_secs <= 1.2 * self.push_minimum_secs),
            },
            Row {
                what: format!("Mist: push {} keys to an empty site", self.keys),
                figure: format!(
                    "{:.2} s, {} calls, {} × 429",
                    self.mist_push_secs, self.mist_push_calls, self.mist_push_rate_limited
                ),
                ceiling: format!(
                    "0 s within a fresh hour's 5,000 calls; {:.1} s at the steady 5,000/h",
                    self.mist_push_steady_secs
                ),
                target: "no 429".into(),
                met: Some(self.mist_push_rate_limited == 0),
            },
            Row {
                what: format!(
                    "Meraki freshness, webhook → key ({} changes at {}/s)",
                    self.changes, self.changes_per_sec
                ),
                figure: format!(
                    "p50 {:.0} ms, p99 {:.0} ms",
                    self.freshness_p50_ms, self.freshness_p99_ms
                ),
                ceiling: format!(
                    "{} event reconciliations of {:.1} keys: {:.0} ms each (max {:.0} ms); {} Meraki calls, {} × 429",
                    self.freshness_stages.reconciliations,
                    self.freshness_stages.keys_per_reconciliation,
                    self.freshness_stages.reconcile_mean_ms,
                    self.freshness_stages.reconcile_max_ms,
                    self.freshness_stages.vendor_calls,
                    self.freshness_stages.vendor_rate_limited
                ),
                target: "p99 < 2 s".into(),
                met: Some(self.freshness_p99_ms < 2000.0),
            },
        ]
    }
}

pub async fn run(smoke: bool) -> anyhow::Result<ControllerFigures> {
    let keys = if smoke { 100 } else { 5000 };
    let (push_secs, push_calls, push_rate_limited) = push(keys).await?;
    let (mist_push_secs, mist_push_calls, mist_push_rate_limited) = push_mist(keys).await?;
    let (rate, seconds) = if smoke { (50, 1) } else { (50, 10) };
    let (mut latencies, freshness_stages) = freshness(rate, seconds).await?;
    Ok(ControllerFigures {
        keys,
        push_secs,
        push_calls,
        push_minimum_secs: ((push_calls as f64 - BURST).max(0.0)) / RATE,
        push_rate_limited,
        mist_push_secs,
        mist_push_calls,
        mist_push_rate_limited,
        mist_push_steady_secs: mist_push_calls as f64 * 3600.0 / f64::from(MIST_CALLS_PER_HOUR),
        changes: latencies.len(),
        changes_per_sec: rate,
        freshness_p50_ms: ms(quantile(&mut latencies, 0.5)),
        freshness_p99_ms: ms(quantile(&mut latencies, 0.99)),
        freshness_stages,
    })
}

/// `n` keys Lanyard wants: four VLANs, an expiry in 30 days.
fn desired_keys(n: usize) -> BTreeMap<String, DesiredKey> {
    let expires = support::whole_seconds(chrono::Utc::now() + chrono::Duration::days(30));
    (0..n)
        .map(|i| {
            let name = format!("lanyard:{i:016x}");
            let key = DesiredKey {
                name: name.clone(),
                passphrase: format!("bench-passphrase-{i:06}"),
                vlan: Some(100 + (i % 4) as u16),
                expires_at: Some(expires),
            };
            (name, key)
        })
        .collect()
}

/// Pushes `desired` to an empty key list as a reconciliation does (list, plan, apply) and
/// checks they all arrived: the seconds it took.
async fn push_all<V: Vendor>(
    vendor: &V,
    desired: &BTreeMap<String, DesiredKey>,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let actual = vendor.list().await?;
    let plan = controllers::plan::plan(desired, &actual, "lanyard:", vendor.key_limit())?;
    vendor.apply(&plan.changes).await?;
    let took = started.elapsed().as_secs_f64();
    let there = vendor.list().await?.len();
    anyhow::ensure!(
        there == desired.len(),
        "{there} keys at the vendor, {} pushed",
        desired.len()
    );
    Ok(took)
}

/// `n` keys pushed to an empty Mist site under Mist's real limit (5,000 calls per hour per
/// token, unscaled: the push needs far fewer calls than an hour's budget): the time, the calls,
/// the 429s.
async fn push_mist(n: usize) -> anyhow::Result<(f64, u64, u64)> {
    const ORG: &str = "6748cfa6-4e12-11e6-9188-0242ac110007";
    const SITE: &str = "4ac1dcf4-9d8b-7211-65c4-057819f0862b";
    const TOKEN: &str = "mist-bench-token-0123456789abcdef";
    let sim = vendor_sim::start("127.0.0.1:0").await?;
    let (url, state) = (sim.url.clone(), sim.sim.clone());
    let server = tokio::spawn(sim.server);
    reqwest::Client::new()
        .post(format!("{url}/_admin/mist/orgs"))
        .json(
            &serde_json::json!({"org_id": ORG, "token": TOKEN, "site_ids": [SITE],
                                  "calls_per_hour": MIST_CALLS_PER_HOUR, "hour_secs": 3600.0}),
        )
        .send()
        .await?
        .error_for_status()?;
    let hour = Duration::from_secs(3600);
    let mist = controllers::mist::Mist {
        http: support::http_client()?,
        base_url: format!("{url}/mist"),
        token: TOKEN.into(),
        scope: controllers::mist::Scope::Site(SITE.into()),
        ssid: "Members".into(),
        budget: Arc::new(controllers::budget::Budget::per_window(
            MIST_CALLS_PER_HOUR,
            hour,
        )),
        key_limit: 5000,
        rate_limited_wait: hour / MIST_CALLS_PER_HOUR,
    };
    let took = push_all(&mist, &desired_keys(n)).await?;
    let stats = state.shared.stats(&format!("mist:{TOKEN}"));
    server.abort();
    // The final check's calls (one page per 1,000 keys) are not the push's.
    let check = n.div_ceil(1000).max(1) as u64;
    Ok((
        took,
        stats.requests.saturating_sub(check),
        stats.rate_limited,
    ))
}

/// `n` keys (four VLANs, an expiry) pushed to an empty SSID as a reconciliation does: the
/// time, the vendor calls, the 429s.
async fn push(n: usize) -> anyhow::Result<(f64, u64, u64)> {
    let sim = vendor_sim::start("127.0.0.1:0").await?;
    let (url, state) = (sim.url.clone(), sim.sim.clone());
    let server = tokio::spawn(sim.server);
    reqwest::Client::new()
        .post(format!("{url}/_admin/meraki/networks"))
        .json(&serde_json::json!({
            "organization_id": MERAKI_ORG, "network_id": MERAKI_NETWORK, "api_key": MERAKI_API_KEY,
        }))
        .send()
        .await?
        .error_for_status()?;
    let desired = desired_keys(n);
    let budget = Arc::new(controllers::budget::Budget::new(10, 10));
    let meraki = controllers::meraki::Meraki::new(
        support::http_client()?,
        &format!("{url}/meraki/api/v1"),
        MERAKI_API_KEY.into(),
        (MERAKI_ORG.into(), MERAKI_NETWORK.into(), 3),
        (budget, Arc::default()),
        5000,
    );
    let took = push_all(&meraki, &desired).await?;
    let stats = state.shared.stats(&format!("meraki:{MERAKI_ORG}"));
    server.abort();
    // The final check's two calls are not the push's.
    Ok((took, stats.requests.saturating_sub(2), stats.rate_limited))
}

/// The event reconciliations recorded after `after` (a `controller_reconciliations` id).
async fn stages_since(stack: &integration_tests::Stack, after: i64) -> anyhow::Result<Stages> {
    let row = stack
        .pool
        .get()
        .await?
        .query_one(
            "SELECT count(*), coalesce(avg(updated + created + deleted), 0)::float8,
                    coalesce(avg(extract(epoch FROM finished_at - started_at)), 0)::float8,
                    coalesce(max(extract(epoch FROM finished_at - started_at)), 0)::float8
               FROM controller_reconciliations WHERE id > $1 AND trigger = 'event'",
            &[&after],
        )
        .await?;
    Ok(Stages {
        reconciliations: row.get(0),
        keys_per_reconciliation: row.get(1),
        reconcile_mean_ms: row.get::<_, f64>(2) * 1000.0,
        reconcile_max_ms: row.get::<_, f64>(3) * 1000.0,
        ..Stages::default()
    })
}

/// Plan ends changed by webhook at `rate`/s for `seconds`; each latency from the webhook's
/// 2xx to its key's new `expiresAt` at the vendor, and where the time went.
async fn freshness(rate: usize, seconds: usize) -> anyhow::Result<(Vec<Duration>, Stages)> {
    let n = rate * seconds;
    let unlimited = StackOptions::rate_limits(0, 0, Duration::from_secs(60));
    let (stack, plans, _) =
        support::populated_stack(unlimited, n, Duration::from_secs(300)).await?;
    stack.map_gastown().await?;
    let vendor = VendorSim::start().await?;
    let controllers = Controllers::start(&stack, vendor, |_| {}).await?;
    controllers.map_meraki(&stack, DEMO_ORG, GASTOWN).await?;
    controllers
        .meraki_until("the members' keys", Duration::from_secs(120), |keys| {
            keys.len() >= n
        })
        .await?;
    let names: HashMap<String, String> = plans
        .iter()
        .map(|(user, _)| (controllers.key_name(&stack, DEMO_ORG, user), user.clone()))
        .collect();
    let end = support::whole_seconds(chrono::Utc::now() + chrono::Duration::days(45));
    let bodies = support::plan_change_bodies(&stack, &plans, end.timestamp())?;
    let last_before: i64 = stack
        .pool
        .get()
        .await?
        .query_one(
            "SELECT coalesce(max(id), 0) FROM controller_reconciliations",
            &[],
        )
        .await?
        .get(0);
    let sim_org = format!("meraki:{MERAKI_ORG}");
    let calls_before = controllers.vendor.shared.stats(&sim_org);
    let answered: Answered = Arc::default();
    let watcher = {
        let (answered, vendor) = (answered.clone(), controllers.vendor.clone());
        let deadline = Duration::from_secs(seconds as u64 + 60);
        tokio::spawn(async move {
            let look = || {
                let (answered, vendor, names) = (&answered, &vendor, &names);
                async move {
                    let seen = Instant::now();
                    let mut answered = answered.lock().unwrap_or_else(|p| p.into_inner());
                    let mut latencies = Vec::new();
                    for key in vendor.meraki.keys(MERAKI_NETWORK, "3") {
                        let at_end = key
                            .expires_at
                            .as_deref()
                            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                            .is_some_and(|t| t.timestamp() == end.timestamp());
                        if !at_end {
                            continue;
                        }
                        if let Some(at) = names.get(&key.name).and_then(|u| answered.remove(u)) {
                            latencies.push(seen.saturating_duration_since(at));
                        }
                    }
                    Ok(latencies)
                }
            };
            support::gather_latencies((n, deadline), "keys at the vendor", POLL, look).await
        })
    };
    let http = support::http_client()?;
    let users = plans.iter().map(|(user, _)| user.clone());
    let refusals = post_at_rate(&http, &stack, bodies, users, rate, &answered).await?;
    anyhow::ensure!(refusals.is_empty(), "{}", support::refused(&refusals));
    let latencies = watcher.await??;
    let calls = controllers.vendor.shared.stats(&sim_org);
    let stages = Stages {
        vendor_calls: calls.requests.saturating_sub(calls_before.requests),
        vendor_rate_limited: calls.rate_limited.saturating_sub(calls_before.rate_limited),
        ..stages_since(&stack, last_before).await?
    };
    Ok((latencies, stages))
}
