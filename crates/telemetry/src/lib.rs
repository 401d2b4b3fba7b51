//! Structured logs (JSON, one object per line), traces and metrics for every service.

pub mod http;
pub mod metrics;
pub mod traces;

/// Installs JSON logs (`RUST_LOG` filters, default `info`) and, when an OTLP endpoint is
/// configured (`OTEL_EXPORTER_OTLP_ENDPOINT`), trace export. Keep the guard alive for the
/// life of the process: dropping it flushes the last spans.
pub fn init(service: &'static str) -> Option<traces::TracingGuard> {
    let guard = traces::install(traces::otlp_from_environment(service));
    tracing::info!(service, "logging initialised");
    guard
}
