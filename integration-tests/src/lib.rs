//! Test harness: real PostgreSQL, real NATS, the Optix simulator and Lanyard's services, all
//! started per test on free loopback ports. Nothing of ours is mocked.
//!
//! Needs `DATABASE_URL` (a PostgreSQL server where we may create databases) and a nats-server
//! binary (`NATS_SERVER_BIN`); `make test` provides both. A missing service fails the test.

pub mod agent;
pub mod axe;
pub mod backup;
pub mod browser;
pub mod controllers;
pub mod database;
pub mod mail;
pub mod nas;
pub mod officernd;
pub mod process;
pub mod radius;
pub mod seed;
pub mod stack;
mod stack_officernd;
pub mod wait;

pub use database::{fresh_database, server_url, with_database};
pub use stack::{Stack, StackOptions};
pub use wait::eventually;

/// Every passphrase issued in this stack's log, opened with the member keys: what a test
/// scans logs and metrics for.
pub async fn issued_passphrases(stack: &Stack) -> anyhow::Result<Vec<String>> {
    let client = stack.pool.get().await?;
    let rows = client
        .query(
            "SELECT org_id, stream_id, data FROM events WHERE event_type = 'PassphraseIssued'",
            &[],
        )
        .await?;
    let mut passphrases = Vec::with_capacity(rows.len());
    for row in rows {
        let (org_id, stream_id, data): (String, String, serde_json::Value) =
            (row.get(0), row.get(1), row.get(2));
        let user_id = stream_id.rsplit('-').next().unwrap_or_default();
        let Some(wrapped) = store::queries::member_key(&client, &org_id, user_id).await? else {
            continue; // a deleted member: the key, and with it the passphrase, is gone
        };
        let key = stack.keys.unwrap_member_key(&wrapped, &stream_id)?;
        let sealed: domain::Sealed = serde_json::from_value(data["passphrase"].clone())?;
        passphrases.push(String::from_utf8(key.open(&sealed, &stream_id)?)?);
    }
    Ok(passphrases)
}

/// Every log line of the test process's subscriber, kept in memory.
#[derive(Clone, Default)]
pub struct LogCapture(telemetry::testing::CapturedLogs);

impl LogCapture {
    /// Installs the test process's subscriber (its first; `None` when one is installed
    /// already) writing every log line `filter` lets through, and `provider`'s traces: a new
    /// capture of those lines, and the guard that keeps the subscriber installed.
    pub fn install(
        provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
        filter: &str,
    ) -> (LogCapture, Option<telemetry::traces::TracingGuard>) {
        let capture = LogCapture::default();
        let writer = capture.0.clone();
        let guard = telemetry::traces::install_with_writer(
            provider,
            telemetry::traces::EnvFilter::new(filter),
            move || writer.clone(),
        );
        (capture, guard)
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        self.0.text()
    }
}

/// The sum of the samples of the metric named exactly `name` (`…_total` for a counter) on
/// `base`'s `/metrics` whose labels include `labels` (0 when there is none yet: counters appear
/// at their first count). Exact, not a prefix: `lanyard_radius_handshake_keys` must not add
/// `lanyard_radius_handshake_keys_refused`.
pub async fn metric_sum(base: &str, name: &str, labels: &[(&str, &str)]) -> anyhow::Result<f64> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await?
        .error_for_status()?
        .text()
        .await?;
    Ok(telemetry::metrics::sample(&text, name, labels).unwrap_or(0.0))
}
