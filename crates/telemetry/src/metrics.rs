//! Metrics through the OpenTelemetry SDK, exposed in the Prometheus text format on `/metrics`.
//!
//! Instruments with a unit are named without it (`lanyard_ingest_duration` with unit `s`): the
//! exporter appends `_seconds`, and counters get `_total`.
//!
//! One meter provider per process (each service is its own process in production; tests run
//! one test per process under nextest). Instruments are created from [`meter`] by each service.

use opentelemetry::metrics::{Counter, Histogram, Meter, MeterProvider};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use prometheus::{Encoder, TextEncoder};
use std::sync::OnceLock;

struct Exporter {
    registry: prometheus::Registry,
    provider: SdkMeterProvider,
}

static EXPORTER: OnceLock<Exporter> = OnceLock::new();

fn exporter() -> &'static Exporter {
    EXPORTER.get_or_init(|| {
        let registry = prometheus::Registry::new();
        // Building the exporter only fails on a registry conflict, impossible on a fresh one;
        // without it metrics are dropped, which must never stop a service.
        let provider = match opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .without_target_info()
            .scope_info_enabled(false)
            .build()
        {
            Ok(reader) => SdkMeterProvider::builder().with_reader(reader).build(),
            Err(error) => {
                tracing::error!(%error, "the Prometheus exporter could not be built; metrics are off");
                SdkMeterProvider::builder().build()
            }
        };
        opentelemetry::global::set_meter_provider(provider.clone());
        Exporter { registry, provider }
    })
}

/// Installs the process's meter provider as the OpenTelemetry global, so libraries that only
/// know the API (`opentelemetry::global::meter`) report through it. Call before they record.
pub fn init() {
    exporter();
}

/// The meter every Lanyard instrument comes from.
pub fn meter() -> Meter {
    exporter().provider.meter("lanyard")
}

/// A counter of the Lanyard meter, `name` without `_total` (the exporter appends it).
pub fn counter(name: &'static str, description: &'static str) -> Counter<u64> {
    meter()
        .u64_counter(name)
        .with_description(description)
        .build()
}

/// A histogram of seconds in [`LATENCY_BUCKETS`], `name` without `_seconds` (the exporter
/// appends it).
pub fn latency_histogram(name: &'static str, description: &'static str) -> Histogram<f64> {
    meter()
        .f64_histogram(name)
        .with_description(description)
        .with_unit("s")
        .with_boundaries(LATENCY_BUCKETS.to_vec())
        .build()
}

/// Everything recorded so far, in the Prometheus text exposition format.
pub fn render() -> String {
    let families = exporter().registry.gather();
    let mut text = Vec::new();
    if let Err(error) = TextEncoder::new().encode(&families, &mut text) {
        tracing::error!(%error, "encoding metrics failed");
    }
    String::from_utf8(text).unwrap_or_default()
}

/// The content type Prometheus expects for [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Latency buckets in seconds, from 1 ms to 10 s: webhook handling must stay under Optix's 2 s.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0,
];

/// Buckets for durations that may take minutes (sync, reconciliation, freshness).
pub const SLOW_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0,
];

/// The value of one sample in Prometheus text, for tests and `lanyard` diagnostics:
/// `sample(&text, "lanyard_webhooks_accepted_total", &[("event", "new_member")])`.
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, label_text) = match series.split_once('{') {
                Some((metric, rest)) => (metric, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            (metric == name).then_some((label_text, value))
        })
        .filter(|(label_text, _)| {
            labels
                .iter()
                .all(|(key, value)| label_text.contains(&format!("{key}=\"{value}\"")))
        })
        .map(|(_, value)| value.parse::<f64>().unwrap_or(f64::NAN))
        .reduce(|a, b| a + b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::KeyValue;

    #[test]
    fn counters_and_histograms_render_as_prometheus_text() {
        let meter = meter();
        let counter = meter.u64_counter("lanyard_test_things").build();
        counter.add(2, &[KeyValue::new("kind", "a")]);
        counter.add(3, &[KeyValue::new("kind", "b")]);
        let latency = meter
            .f64_histogram("lanyard_test_latency_seconds")
            .with_boundaries(LATENCY_BUCKETS.to_vec())
            .build();
        latency.record(0.003, &[]);
        let text = render();
        assert_eq!(
            sample(&text, "lanyard_test_things_total", &[("kind", "a")]),
            Some(2.0)
        );
        assert_eq!(sample(&text, "lanyard_test_things_total", &[]), Some(5.0));
        assert_eq!(
            sample(&text, "lanyard_test_latency_seconds_count", &[]),
            Some(1.0)
        );
        assert!(text.contains("lanyard_test_latency_seconds_bucket{le=\"0.005\"} 1"));
    }
}
