//! Traces: `tracing` spans bridged to OpenTelemetry, one trace per webhook from the ingest
//! request through NATS (W3C `traceparent` in message headers), provision's decision, the
//! Optix API calls and the PostgreSQL commit, to the relay's publish (the trace context rides
//! along in the event metadata).
//!
//! Off by default at no cost: without an exporter no OpenTelemetry layer is installed and the
//! spans are plain `tracing` spans (their fields still reach the JSON logs).

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;
pub use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The W3C trace-context header, in HTTP and NATS alike.
pub const TRACEPARENT: &str = "traceparent";

/// Keeps the tracer provider alive; dropping it flushes the spans not yet exported.
pub struct TracingGuard(Option<SdkTracerProvider>);

impl TracingGuard {
    /// Exports every finished span now (tests, and before a planned exit).
    pub fn flush(&self) {
        if let Some(provider) = &self.0
            && let Err(error) = provider.force_flush()
        {
            tracing::warn!(%error, "flushing traces failed");
        }
    }
}

impl Drop for TracingGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("flushing traces failed: {error}");
        }
    }
}

/// A tracer provider exporting every span through `exporter` in batches.
pub fn provider<E: SpanExporter + 'static>(
    service: &'static str,
    exporter: E,
) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name(service)
                .build(),
        )
        .with_batch_exporter(exporter)
        .build()
}

/// The OTLP/HTTP exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-specific
/// variable) is set, per the OpenTelemetry conventions; `None` otherwise.
pub fn otlp_from_environment(service: &'static str) -> Option<SdkTracerProvider> {
    let configured = [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !configured {
        return None;
    }
    match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
    {
        Ok(exporter) => Some(provider(service, exporter)),
        Err(error) => {
            eprintln!("OTLP trace export is configured but cannot start: {error}; traces are off");
            None
        }
    }
}

/// Installs JSON logs and, with a provider, the OpenTelemetry layer exporting every span
/// through it. Returns `None` if a subscriber was installed before (tests install once per
/// process).
pub fn install(provider: Option<SdkTracerProvider>) -> Option<TracingGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    install_with_writer(provider, filter, std::io::stdout)
}

/// [`install`] with the log lines going to `writer` and an explicit filter: tests capture
/// everything a run logs and scan it for secrets.
pub fn install_with_writer<W>(
    provider: Option<SdkTracerProvider>,
    filter: EnvFilter,
    writer: W,
) -> Option<TracingGuard>
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let otel_layer = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("lanyard")));
    let logs = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_target(true)
        .with_writer(writer);
    tracing_subscriber::registry()
        .with(filter)
        .with(logs)
        .with(otel_layer)
        .try_init()
        .ok()?;
    if let Some(provider) = &provider {
        opentelemetry::global::set_tracer_provider(provider.clone());
    }
    Some(TracingGuard(provider))
}

/// The current span's context as W3C headers (`traceparent`, and `tracestate` if any), to
/// put on an outgoing NATS message. Empty when tracing is off.
pub fn inject_current() -> Vec<(String, String)> {
    let context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        return Vec::new();
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.into_iter().collect()
}

/// The current span's `traceparent`, to keep in event metadata. `None` when tracing is off.
pub fn current_traceparent() -> Option<String> {
    inject_current()
        .into_iter()
        .find(|(name, _)| name == TRACEPARENT)
        .map(|(_, value)| value)
}

/// Makes `span` a child of the remote span named by `traceparent` (from a NATS header or
/// event metadata). A missing or malformed value leaves `span` a root.
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent else {
        return;
    };
    let carrier = HashMap::from([(TRACEPARENT.to_owned(), traceparent.to_owned())]);
    let context = TraceContextPropagator::new().extract(&carrier);
    if context.span().span_context().is_valid() {
        let _ = span.set_parent(context);
    }
}

/// The trace id of `span` (32 hex digits), or `None` when tracing is off.
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}
