//! Traces: `tracing` spans bridged to OpenTelemetry, one trace per webhook from the ingest
//! request through NATS (W3C `traceparent` in message headers), provision's decision, the
//! Optix API calls and the PostgreSQL commit, to the relay's publish (the trace context rides
//! along in the event metadata).
//!
//! Off by default at no cost: without an exporter no OpenTelemetry layer is installed and the
//! spans are plain `tracing` spans (their fields still reach the JSON logs), except spans made
//! for traces alone ([`TRACES_ONLY`]).

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;
pub use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The W3C trace-context header, in HTTP and NATS alike.
pub const TRACEPARENT: &str = "traceparent";

/// The target of a span made for traces alone (`info_span!(target: TRACES_ONLY, ...)`): it is
/// exported when traces are, and the log lines never carry it. The JSON logs write a span's
/// fields as it opens and again for each field recorded, a few microseconds a span, which ingest
/// paid for every webhook whether or not it logged anything (docs/performance.md, "What the
/// scenario left out"). Lines logged inside such a span name the fields they need themselves.
pub const TRACES_ONLY: &str = "lanyard::traces_only";

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
    install_with_writer(provider, default_filter(), std::io::stdout)
}

/// The services' filter: `RUST_LOG`, else `info`.
pub fn default_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
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
    subscriber(provider.as_ref(), filter, writer)
        .try_init()
        .ok()?;
    if let Some(provider) = &provider {
        opentelemetry::global::set_tracer_provider(provider.clone());
    }
    Some(TracingGuard(provider))
}

/// The subscriber [`install_with_writer`] installs: `filter` for everything, the JSON log lines
/// (without the [`TRACES_ONLY`] spans) to `writer`, and the spans to `provider` if any. With no
/// provider, `filter` refuses the [`TRACES_ONLY`] spans, so they are never made.
fn subscriber<W>(
    provider: Option<&SdkTracerProvider>,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    match provider {
        // `filter` outermost: a callsite it refuses is never asked about again (inside the
        // logs' own filter, it would be asked on every call).
        Some(provider) => Box::new(
            tracing_subscriber::registry()
                .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("lanyard")))
                .with(
                    log_lines(writer).with_filter(tracing_subscriber::filter::filter_fn(
                        |metadata| !(metadata.is_span() && metadata.target() == TRACES_ONLY),
                    )),
                )
                .with(filter),
        ),
        None => Box::new(
            tracing_subscriber::registry()
                .with(log_lines(writer))
                .with(refusing_traces_only(filter)),
        ),
    }
}

/// `filter`, also refusing the [`TRACES_ONLY`] spans.
fn refusing_traces_only(filter: EnvFilter) -> EnvFilter {
    match format!("{TRACES_ONLY}=off").parse() {
        Ok(directive) => filter.add_directive(directive),
        // Not reached: the target is a constant, and a unit test sees the spans refused.
        Err(_) => filter,
    }
}

/// The JSON log lines, one object a line, with the fields of the span they are logged in.
fn log_lines<S, W>(writer: W) -> impl Layer<S> + Send + Sync + 'static
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_target(true)
        .with_writer(writer)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::CapturedLogs;

    fn logged_inside(
        provider: Option<&SdkTracerProvider>,
        span: impl Fn() -> tracing::Span,
    ) -> String {
        let lines = CapturedLogs::default();
        let writer = lines.clone();
        let subscriber = subscriber(provider, EnvFilter::new("info"), move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = span();
            span.record("org_id", "6267");
            let _entered = span.enter();
            tracing::info!(event = "new_plan_subscription", "inside");
        });
        lines.text()
    }

    fn in_memory() -> (
        SdkTracerProvider,
        opentelemetry_sdk::trace::InMemorySpanExporter,
    ) {
        let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
        (provider("test", exporter.clone()), exporter)
    }

    #[test]
    fn a_span_for_traces_alone_never_reaches_the_log_lines_and_is_exported() {
        let (provider, exporter) = in_memory();
        for provider in [None, Some(&provider)] {
            let logged = logged_inside(
                provider,
                || tracing::info_span!(target: TRACES_ONLY, "ingest.webhook", org_id = tracing::field::Empty),
            );
            assert!(logged.contains(r#""message":"inside""#), "{logged}");
            assert!(
                logged.contains(r#""event":"new_plan_subscription""#),
                "{logged}"
            );
            assert!(!logged.contains("ingest.webhook"), "{logged}");
            assert!(!logged.contains("6267"), "{logged}");
        }
        provider.force_flush().expect("flushed");
        let exported = exporter.get_finished_spans().expect("the exported spans");
        assert_eq!(
            exported
                .iter()
                .map(|span| span.name.as_ref())
                .collect::<Vec<_>>(),
            ["ingest.webhook"]
        );
    }

    #[test]
    fn any_other_span_reaches_the_lines_logged_inside_it() {
        let (provider, _exporter) = in_memory();
        for provider in [None, Some(&provider)] {
            let logged = logged_inside(provider, || {
                tracing::info_span!("provision.webhook", org_id = tracing::field::Empty)
            });
            assert!(logged.contains(r#""name":"provision.webhook""#), "{logged}");
            assert!(logged.contains(r#""org_id":"6267""#), "{logged}");
        }
    }

    #[test]
    fn what_the_filter_refuses_is_never_asked_about_and_a_span_for_absent_traces_never_made() {
        let (provider, _exporter) = in_memory();
        for provider in [None, Some(&provider)] {
            let subscriber: tracing::Dispatch =
                subscriber(provider, EnvFilter::new("info"), std::io::sink).into();
            let interest = |span: tracing::Span| {
                subscriber.register_callsite(span.metadata().expect("a callsite's metadata"))
            };
            assert!(interest(tracing::debug_span!("hyper.read")).is_never());
            assert!(interest(tracing::info_span!("provision.webhook")).is_always());
            // Made only for the traces.
            let made = tracing::dispatcher::with_default(&subscriber, || {
                !tracing::info_span!(target: TRACES_ONLY, "ingest.webhook").is_disabled()
            });
            assert_eq!(made, provider.is_some());
        }
    }
}
