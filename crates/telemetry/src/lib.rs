//! Structured logs (JSON, one object per line), OpenTelemetry traces (OTLP export) and metrics
//! (Prometheus text on `/metrics`) for every service, and the HTTP pieces the services share:
//! request metrics, listeners and the operations listener ([`http`]).

pub mod http;
pub mod metrics;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod traces;

/// Installs JSON logs (`RUST_LOG` filters, default `info`) and, when an OTLP endpoint is
/// configured (`OTEL_EXPORTER_OTLP_ENDPOINT`), trace export. Keep the guard alive for the
/// life of the process: dropping it flushes the last spans.
pub fn init(service: &'static str) -> Option<traces::TracingGuard> {
    let guard = traces::install(traces::otlp_from_environment(service));
    tracing::info!(service, "logging initialised");
    guard
}
