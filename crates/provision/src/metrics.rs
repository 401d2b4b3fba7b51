//! provision's metrics. Counters and histograms are recorded as work happens; gauges (access
//! counts, relay lag, NATS backlog) are sampled when `/metrics` is scraped, so they are never
//! staler than the scrape and cost nothing between scrapes.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Gauge, Histogram, ObservableGauge};
use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Positions the relay is behind the head of the log, for the lag gauge (the relay sets it,
/// a scrape reads it).
#[derive(Clone, Default)]
pub struct RelayLag(Arc<AtomicI64>);

impl RelayLag {
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    pub fn set(&self, behind: i64) {
        self.0.store(behind, Ordering::Relaxed);
    }
}

pub struct ProvisionMetrics {
    /// Webhooks handled, by event and outcome (committed, unchanged, already_processed,
    /// retry, rejected).
    pub processed: Counter<u64>,
    /// Messages NATS delivered more than once (a crash, a slow ack, a NAK).
    pub redeliveries: Counter<u64>,
    /// Webhooks given back to the stream by an instance that does not work their organization
    /// (several provision instances): their next delivery counts as a redelivery too.
    pub handed_back: Counter<u64>,
    /// Time from pulling a webhook to its commit, by event.
    pub processing: Histogram<f64>,
    /// Time from ingest receiving a webhook to the projections reflecting it: what RADIUS and
    /// the portal lag behind Optix.
    pub freshness: Histogram<f64>,
    /// Optix API requests spent per processed webhook (a coalesced batch shares its requests,
    /// so this is usually a fraction).
    pub api_calls_per_webhook: Histogram<f64>,
    /// Reconciling one batch of an organization's hints: Optix requests and the commit.
    pub reconcile: Histogram<f64>,
    /// Full syncs by organization, kind and outcome (ok, failed).
    pub sync_runs: Counter<u64>,
    pub sync_duration: Histogram<f64>,
    /// When each organization last synced successfully (Unix seconds).
    pub sync_last_success: Gauge<i64>,
    /// Events a sync had to append, by organization and cause (`missed_webhook`: drift;
    /// `expected`: what Optix sends no webhook for).
    pub sync_corrections: Counter<u64>,
    /// Member decisions, by outcome (changed: events appended; unchanged).
    pub decisions: Counter<u64>,
    /// Committed events by type (counted by the relay, so only committed work counts).
    pub events_appended: Counter<u64>,
    /// Grants ended by the expiry scheduler.
    pub expiries: Counter<u64>,
    /// Commands from the portal and CLI, by command and outcome (done or the refusal code).
    pub commands: Counter<u64>,
    /// Webhooks whose claim Optix did not confirm (a token that is not the organization's, an
    /// uninstall while the token still works), by event and reason: forged or replayed bodies.
    pub refused: Counter<u64>,
    relay_lag: Gauge<i64>,
    accounts: Gauge<i64>,
    live_grants: Gauge<i64>,
    stream_messages: Gauge<u64>,
    consumer_pending: Gauge<u64>,
    consumer_ack_pending: Gauge<u64>,
    consumer_redelivered: Gauge<u64>,
    /// Label sets reported last time, so a series that vanished from the query reads 0.
    seen_access_labels: Mutex<HashSet<(bool, String, String)>>,
    /// 1 per organization in [`failing_imports`], read at scrape time (kept alive here).
    _initial_sync_failing: ObservableGauge<i64>,
}

/// Organizations whose first import failed and that no sync has succeeded for since (in this
/// process). An organization leaves it when a sync succeeds or when it uninstalls the app, so
/// `LanyardInitialSyncFailed` stops firing for it: an uninstalled organization's import is no
/// one's problem. Holds only organizations with a confirmed token, and is bounded anyway.
fn failing_imports() -> &'static Mutex<BTreeSet<String>> {
    static FAILING: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    FAILING.get_or_init(Default::default)
}

const MAX_FAILING_IMPORTS: usize = 10_000;

fn with_failing_imports<T>(f: impl FnOnce(&mut BTreeSet<String>) -> T) -> T {
    f(&mut failing_imports()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// A sync of `org_id` ended: an initial one that failed marks the organization's import as
/// failing; any success clears it.
pub fn sync_ended(org_id: &str, initial: bool, succeeded: bool) {
    with_failing_imports(|failing| {
        if succeeded {
            failing.remove(org_id);
        } else if initial && failing.len() < MAX_FAILING_IMPORTS {
            failing.insert(org_id.to_owned());
        }
    });
}

/// The organization uninstalled the app (Optix confirmed it): its per-organization gauges
/// stop reporting it.
pub fn forget_organization(org_id: &str) {
    with_failing_imports(|failing| failing.remove(org_id));
    optix::api::forget_budget(org_id);
}

/// 1 for each organization in [`failing_imports`], read at scrape time.
fn initial_sync_failing(meter: &opentelemetry::metrics::Meter) -> ObservableGauge<i64> {
    meter
        .i64_observable_gauge("lanyard_initial_sync_failing")
        .with_description(
            "1 for each organization whose first import failed and has not synced \
             successfully since; an uninstalled organization is dropped",
        )
        .with_callback(|observer| {
            with_failing_imports(|failing| {
                for org in failing.iter() {
                    observer.observe(1, &[KeyValue::new("org", org.clone())]);
                }
            })
        })
        .build()
}

pub fn metrics() -> &'static ProvisionMetrics {
    static METRICS: OnceLock<ProvisionMetrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let meter = telemetry::metrics::meter();
        let counter = |name: &'static str, description: &'static str| {
            meter.u64_counter(name).with_description(description).build()
        };
        let i64_gauge = |name: &'static str, description: &'static str| {
            meter.i64_gauge(name).with_description(description).build()
        };
        let u64_gauge = |name: &'static str, description: &'static str| {
            meter.u64_gauge(name).with_description(description).build()
        };
        let seconds = |name: &'static str, description: &'static str, buckets: &[f64]| {
            meter
                .f64_histogram(name)
                .with_description(description)
                .with_unit("s")
                .with_boundaries(buckets.to_vec())
                .build()
        };
        ProvisionMetrics {
            processed: counter("lanyard_webhooks_processed", "Webhooks handled by provision, by event and outcome"),
            redeliveries: counter("lanyard_consumer_redeliveries", "Webhook messages delivered by NATS more than once"),
            handed_back: counter("lanyard_webhooks_handed_back", "Webhooks given back to the stream because another provision instance works their organization"),
            processing: seconds(
                "lanyard_webhook_processing_duration",
                "Time to reconcile one webhook against Optix and commit, by event",
                telemetry::metrics::SLOW_BUCKETS,
            ),
            freshness: seconds(
                "lanyard_projection_freshness",
                "Time from ingest receiving a webhook to the projections reflecting it",
                telemetry::metrics::SLOW_BUCKETS,
            ),
            api_calls_per_webhook: meter
                .f64_histogram("lanyard_optix_api_calls_per_webhook")
                .with_description(
                    "Optix API requests spent per webhook (a coalesced batch shares its requests)",
                )
                .with_boundaries(vec![0.0, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0])
                .build(),
            reconcile: seconds(
                "lanyard_reconcile_duration",
                "Time to reconcile one batch of an organization's hints (Optix requests and commit)",
                telemetry::metrics::SLOW_BUCKETS,
            ),
            sync_runs: counter("lanyard_sync_runs", "Full syncs by organization, kind and outcome"),
            sync_duration: seconds(
                "lanyard_sync_duration",
                "Time a full sync took, by kind",
                telemetry::metrics::SLOW_BUCKETS,
            ),
            sync_last_success: i64_gauge("lanyard_sync_last_success_timestamp_seconds", "When each organization last synced successfully (Unix time)"),
            sync_corrections: counter("lanyard_sync_corrections", "Events a full sync appended, by organization and cause: missed_webhook \
                     (drift a webhook should have prevented) or expected (changes Optix sends no \
                     webhook for, such as a deleted team's group) or import (the first sync)"),
            decisions: counter("lanyard_decisions", "Member reconciliations decided, by outcome"),
            events_appended: counter("lanyard_events_appended", "Events committed to the log, by type"),
            expiries: counter("lanyard_grant_expiries", "Expiry events recorded by the scheduler"),
            commands: counter("lanyard_commands", "Commands handled by provision, by command and outcome"),
            refused: counter("lanyard_webhooks_refused", "Webhooks whose claim Optix did not confirm, by event and reason"),
            relay_lag: i64_gauge("lanyard_relay_lag_events", "Committed events not yet published to NATS by the relay"),
            accounts: i64_gauge("lanyard_accounts", "WiFi accounts by organization and status"),
            live_grants: i64_gauge("lanyard_live_grants", "Grants valid now, by organization and basis"),
            stream_messages: u64_gauge("lanyard_nats_stream_messages", "Messages held in the webhook stream"),
            consumer_pending: u64_gauge("lanyard_nats_consumer_pending", "Webhooks not yet delivered to provision's consumer"),
            consumer_ack_pending: u64_gauge("lanyard_nats_consumer_ack_pending", "Webhooks delivered to provision and not yet acknowledged"),
            consumer_redelivered: u64_gauge("lanyard_nats_consumer_redelivered", "Webhooks redelivered and not yet acknowledged"),
            seen_access_labels: Mutex::new(HashSet::new()),
            _initial_sync_failing: initial_sync_failing(&meter),
        }
    })
}

/// Everything `/metrics` samples at scrape time; a source that fails or is slow is skipped
/// (its gauges keep their last value) and logged, so a scrape never hangs.
pub struct Sources {
    pub pool: deadpool_postgres::Pool,
    pub bus: bus::Bus,
    pub consumer_name: String,
    pub relay_lag: RelayLag,
}

impl ProvisionMetrics {
    pub async fn sample(&self, sources: &Sources) {
        let timeout = Duration::from_secs(2);
        self.relay_lag.record(sources.relay_lag.get(), &[]);

        let counts = tokio::time::timeout(timeout, async {
            let client = sources.pool.get().await.map_err(store::StoreError::from)?;
            store::queries::access_counts(&client, chrono::Utc::now()).await
        })
        .await;
        match counts {
            Ok(Ok(counts)) => self.record_access(&counts),
            Ok(Err(error)) => tracing::warn!(%error, "metrics: counting access failed"),
            Err(_) => tracing::warn!("metrics: counting access timed out"),
        }

        let consumer = &sources.consumer_name;
        match tokio::time::timeout(timeout, sources.bus.webhook_backlog(consumer)).await {
            Ok(Ok(backlog)) => {
                let stream = [KeyValue::new(
                    "stream",
                    sources.bus.webhook_stream().to_owned(),
                )];
                let consumer = [KeyValue::new("consumer", consumer.clone())];
                self.stream_messages
                    .record(backlog.stream_messages, &stream);
                self.consumer_pending.record(backlog.pending, &consumer);
                self.consumer_ack_pending
                    .record(backlog.ack_pending, &consumer);
                self.consumer_redelivered
                    .record(backlog.redelivered, &consumer);
            }
            Ok(Err(error)) => tracing::warn!(%error, "metrics: reading the NATS backlog failed"),
            Err(_) => tracing::warn!("metrics: reading the NATS backlog timed out"),
        }
    }

    fn record_access(&self, counts: &store::queries::AccessCounts) {
        let mut seen = self
            .seen_access_labels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut now_seen = HashSet::new();
        let rows = counts
            .accounts
            .iter()
            .map(|row| (false, row))
            .chain(counts.live_grants.iter().map(|row| (true, row)));
        for (is_grant, (org, label, count)) in rows {
            self.record_access_row(is_grant, org, label, *count);
            now_seen.insert((is_grant, org.clone(), label.clone()));
        }
        for (is_grant, org, label) in seen.difference(&now_seen) {
            self.record_access_row(*is_grant, org, label, 0);
        }
        *seen = now_seen;
    }

    fn record_access_row(&self, is_grant: bool, org: &str, label: &str, count: i64) {
        let org = KeyValue::new("org", org.to_owned());
        if is_grant {
            self.live_grants
                .record(count, &[org, KeyValue::new("basis", label.to_owned())]);
        } else {
            self.accounts
                .record(count, &[org, KeyValue::new("status", label.to_owned())]);
        }
    }
}
