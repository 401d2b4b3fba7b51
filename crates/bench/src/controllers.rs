//! Cloud WiFi controllers (Meraki, against vendor-sim's faithful rate limit: 10 requests/s per
//! organization, a bucket of 20):
//! - pushing 5,000 keys to an empty SSID (list, plan, group policies, synchronous action batches
//!   of 20: the reconciler's vendor path), beside the minimum the rate allows for the calls it
//!   needs ((calls − the 20-request burst) ÷ 10/s);
//! - freshness at 50 changes/s: an Optix webhook changing a plan's end answered 2xx → the key's
//!   `expiresAt` at the vendor (the whole pipeline: ingest, provision, the events stream, the
//!   controllers service).

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
const POLL: Duration = Duration::from_millis(20);

#[derive(Serialize)]
pub struct ControllerFigures {
    pub keys: usize,
    pub push_secs: f64,
    pub push_calls: u64,
    pub push_minimum_secs: f64,
    pub push_rate_limited: u64,
    pub changes: usize,
    pub changes_per_sec: usize,
    pub freshness_p50_ms: f64,
    pub freshness_p99_ms: f64,
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
                ceiling: "-".into(),
                target: "p99 < 2 s".into(),
            },
        ]
    }
}

pub async fn run(smoke: bool) -> anyhow::Result<ControllerFigures> {
    let keys = if smoke { 100 } else { 5000 };
    let (push_secs, push_calls, push_rate_limited) = push(keys).await?;
    let (rate, seconds) = if smoke { (50, 1) } else { (50, 10) };
    let mut latencies = freshness(rate, seconds).await?;
    Ok(ControllerFigures {
        keys,
        push_secs,
        push_calls,
        push_minimum_secs: ((push_calls as f64 - BURST).max(0.0)) / RATE,
        push_rate_limited,
        changes: latencies.len(),
        changes_per_sec: rate,
        freshness_p50_ms: ms(quantile(&mut latencies, 0.5)),
        freshness_p99_ms: ms(quantile(&mut latencies, 0.99)),
    })
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
    let expires = support::whole_seconds(chrono::Utc::now() + chrono::Duration::days(30));
    let desired: BTreeMap<String, DesiredKey> = (0..n)
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
        .collect();
    let budget = Arc::new(controllers::budget::Budget::new(10, 10));
    let meraki = controllers::meraki::Meraki::new(
        support::http_client()?,
        &format!("{url}/meraki/api/v1"),
        MERAKI_API_KEY.into(),
        (MERAKI_ORG.into(), MERAKI_NETWORK.into(), 3),
        (budget, Arc::default()),
        5000,
    );
    let started = Instant::now();
    let actual = meraki.list().await?;
    let plan = controllers::plan::plan(&desired, &actual, "lanyard:", meraki.key_limit())?;
    meraki.apply(&plan.changes).await?;
    let took = started.elapsed().as_secs_f64();
    let there = meraki.list().await?.len();
    anyhow::ensure!(there == n, "{there} keys at the vendor, {n} pushed");
    let stats = state.shared.stats(&format!("meraki:{MERAKI_ORG}"));
    server.abort();
    // The final check's two calls are not the push's.
    Ok((took, stats.requests.saturating_sub(2), stats.rate_limited))
}

/// Plan ends changed by webhook at `rate`/s for `seconds`; each latency from the webhook's
/// 2xx to its key's new `expiresAt` at the vendor.
async fn freshness(rate: usize, seconds: usize) -> anyhow::Result<Vec<Duration>> {
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
    let url = support::webhook_url(&stack);
    let users = plans.iter().map(|(user, _)| user.clone());
    let non_2xx = post_at_rate(&http, &url, bodies, users, rate, &answered).await?;
    anyhow::ensure!(non_2xx == 0, "{non_2xx} webhooks were refused");
    watcher.await?
}
