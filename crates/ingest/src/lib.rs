//! ingest: the front door for Optix and OfficeRnD webhooks. It verifies the signature, reads
//! the body, publishes it to JetStream and answers 2xx only after the publish ack. No state, no
//! business logic: a 503 makes the platform retry, and nothing acknowledged is ever lost.

mod officernd_webhooks;

use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context;
use bus::webhooks::BodyFormat;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{BoundCounter, BoundHistogram, Counter, Histogram};
use optix::webhook::{self, Envelope};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};
use telemetry::http::ServiceName;
use tracing::Instrument;

pub struct Application {
    port: u16,
    ops_port: u16,
    server: actix_web::dev::Server,
    ops_server: actix_web::dev::Server,
    /// Keeps the installations view current (see [`bus::Installations::follow`]).
    installations_watch: tokio::task::JoinHandle<()>,
}

/// A NATS connection of this actix worker's own, on the worker's runtime: a publish and its ack
/// then stay on the worker's thread instead of waking the tokio runtime that owns the shared
/// connection and being woken back (docs/performance-history.md, "What the parts' CPU allows").
/// Until it is connected (or if it cannot connect) the shared connection serves. Public for the
/// bench's server of the two parts alone, which must publish the way ingest does.
pub struct WorkerBus {
    bus: Arc<std::sync::OnceLock<bus::Bus>>,
}

impl WorkerBus {
    /// Starts connecting in the background; called on the worker's thread as it starts.
    pub fn connect(settings: runtime::NatsSettings) -> WorkerBus {
        let bus = Arc::new(std::sync::OnceLock::new());
        let cell = bus.clone();
        actix_web::rt::spawn(async move {
            match bus::Bus::connect(&settings, bus::auth::Identity::Ingest).await {
                Ok(connected) => {
                    let _ = cell.set(connected);
                }
                Err(error) => {
                    tracing::warn!(%error, "a worker's own NATS connection failed; the shared one serves")
                }
            }
        });
        WorkerBus { bus }
    }

    pub fn get(&self) -> Option<&bus::Bus> {
        self.bus.get()
    }
}

struct State {
    bus: bus::Bus,
    installations: bus::Installations,
    seal: bus::sealing::WebhookSeal,
    settings: runtime::IngestConfig,
    metrics: IngestMetrics,
}

/// What an SRE needs to see webhooks arriving, verified and stored. Event labels are the
/// documented event names or `other`/`unparsed`; reasons are [`Refusal::label`].
struct IngestMetrics {
    /// The per-event counters, bound for each event label ([`EventLabel`] indexes them):
    /// measuring with labels hashes them into the SDK's map of series, on every webhook.
    events: Vec<EventCounters>,
    rejected: Counter<u64>,
    duration: Histogram<f64>,
    /// `duration` bound to the outcome of nearly every webhook, `accepted`.
    accepted_duration: BoundHistogram<f64>,
    publish_duration: BoundHistogram<f64>,
}

/// One event label's counters.
struct EventCounters {
    label: &'static str,
    received: BoundCounter<u64>,
    accepted: BoundCounter<u64>,
}

/// A webhook's event label, as an index into [`IngestMetrics::events`]: `unparsed`, `other`,
/// then Optix's known events, then OfficeRnD's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct EventLabel(usize);

impl EventLabel {
    const UNPARSED: EventLabel = EventLabel(0);
    const OTHER: EventLabel = EventLabel(1);

    /// The label of an Optix event name (`other` unless documented).
    fn optix(name: &str) -> EventLabel {
        webhook::known_event(name).map_or(EventLabel::OTHER, |at| EventLabel(2 + at))
    }

    /// The label of an OfficeRnD event type (`other` unless documented).
    fn officernd(event_type: &str) -> EventLabel {
        let first = 2 + webhook::KNOWN_EVENTS.len();
        officernd::webhook::known_event(event_type)
            .map_or(EventLabel::OTHER, |at| EventLabel(first + at))
    }

    /// Every label, in index order.
    fn all() -> impl Iterator<Item = &'static str> {
        ["unparsed", "other"]
            .into_iter()
            .chain(webhook::KNOWN_EVENTS.iter().copied())
            .chain(officernd::webhook::KNOWN_EVENTS.iter().copied())
    }
}

impl IngestMetrics {
    fn new() -> IngestMetrics {
        use telemetry::metrics::{counter, latency_histogram};
        let received = counter(
            "lanyard_webhooks_received",
            "Webhook requests received, by event",
        );
        let accepted = counter(
            "lanyard_webhooks_accepted",
            "Webhooks verified and stored in JetStream, by event",
        );
        let duration = latency_histogram(
            "lanyard_ingest_duration",
            "Time from request to answer, by outcome",
        );
        let publish_duration = latency_histogram(
            "lanyard_ingest_publish_duration",
            "Time for JetStream to acknowledge a webhook",
        );
        IngestMetrics {
            events: EventLabel::all()
                .map(|label| {
                    let event = [KeyValue::new("event", label)];
                    EventCounters {
                        label,
                        received: received.bind(&event),
                        accepted: accepted.bind(&event),
                    }
                })
                .collect(),
            rejected: counter(
                "lanyard_webhooks_rejected",
                "Webhooks refused, by reason and event",
            ),
            accepted_duration: duration.bind(&[KeyValue::new("outcome", "accepted")]),
            duration,
            publish_duration: publish_duration.bind(&[]),
        }
    }

    fn event(&self, label: EventLabel) -> &EventCounters {
        &self.events[label.0]
    }
}

/// Why a webhook was refused; the label is logged (never the body: it may carry a token).
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error(
        "unsupported content type {0:?}: send application/x-www-form-urlencoded or application/json"
    )]
    ContentType(String),
    #[error("malformed body: {0}")]
    Malformed(String),
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    #[error("unknown client_id")]
    UnknownClient,
    #[error("request_signature does not match")]
    BadSignature,
    #[error("organization {0} has not installed this app")]
    NotInstalled(String),
    #[error("created_timestamp {0} is outside the accepted window")]
    Stale(i64),
    #[error("the message bus is unavailable; retry later")]
    Unavailable,
    #[error("organization {0} is not connected to Lanyard")]
    NotConnected(String),
    #[error(transparent)]
    Signature(#[from] officernd::webhook::SignatureError),
}

impl Refusal {
    fn label(&self) -> &'static str {
        match self {
            Refusal::ContentType(_) => "content_type",
            Refusal::Malformed(_) => "malformed",
            Refusal::TooLarge(_) => "too_large",
            Refusal::UnknownClient => "unknown_client",
            Refusal::BadSignature => "bad_signature",
            Refusal::NotInstalled(_) => "organization_not_installed",
            Refusal::Stale(_) => "stale_timestamp",
            Refusal::Unavailable => "bus_unavailable",
            Refusal::NotConnected(_) => "organization_not_connected",
            Refusal::Signature(e) => e.label(),
        }
    }

    fn response(&self) -> HttpResponse {
        let body = serde_json::json!({ "error": self.to_string() });
        match self {
            Refusal::ContentType(_) => HttpResponse::UnsupportedMediaType().json(body),
            Refusal::Malformed(_) => HttpResponse::BadRequest().json(body),
            Refusal::TooLarge(_) => HttpResponse::PayloadTooLarge().json(body),
            Refusal::UnknownClient
            | Refusal::BadSignature
            | Refusal::NotInstalled(_)
            | Refusal::Stale(_)
            | Refusal::Signature(_) => HttpResponse::Unauthorized().json(body),
            Refusal::NotConnected(_) => HttpResponse::NotFound().json(body),
            Refusal::Unavailable => HttpResponse::ServiceUnavailable().json(body),
        }
    }
}

impl Application {
    pub async fn build(settings: impl Into<runtime::IngestConfig>) -> anyhow::Result<Application> {
        let settings = settings.into();
        telemetry::metrics::init();
        let seal = bus::sealing::WebhookSeal::from_hex(settings.webhooks.seal_key.expose())
            .context("webhooks.seal_key (LANYARD__WEBHOOKS__SEAL_KEY)")?;
        let bus = bus::Bus::connect_service(&settings.nats, bus::auth::Identity::Ingest).await?;
        let (listener, port) = telemetry::http::bind(&settings.ingest.listen, "ingest.listen")?;
        let (ops_listener, ops_port) =
            telemetry::http::bind(&settings.ingest.ops_listen, "ingest.ops_listen")?;
        let installations = bus
            .installations()
            .await
            .context("opening the installations registry")?;
        let installations_watch = installations.follow();
        let state = web::Data::new(State {
            bus,
            installations,
            seal,
            settings,
            metrics: IngestMetrics::new(),
        });
        let ops_server = telemetry::http::ops_server(ops_listener, state.clone(), readyz)?;
        Ok(Application {
            port,
            ops_port,
            server: webhook_server(listener, state)?,
            ops_server,
            installations_watch,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the operations listener (`/metrics`, `/healthz`, `/readyz`).
    pub fn ops_port(&self) -> u16 {
        self.ops_port
    }

    /// Serves until SIGTERM/ctrl-c (actix handles the signals), letting in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (served, ops) = tokio::join!(self.server, self.ops_server);
        self.installations_watch.abort();
        served.and(ops)
    }
}

runtime::service!(Application {
    name: "ingest",
    about: "Lanyard ingest: verifies Optix and OfficeRnD webhooks and publishes them to JetStream.",
    settings: runtime::IngestConfig,
    ports: |app| (app.port, Some(app.ops_port)),
});

/// The public listener: the webhook endpoint (and a bare `/healthz`), each actix worker with a
/// NATS connection of its own ([`WorkerBus`]).
fn webhook_server(
    listener: TcpListener,
    state: web::Data<State>,
) -> std::io::Result<actix_web::dev::Server> {
    let nats_settings = state.settings.nats.clone();
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::Data::new(WorkerBus::connect(nats_settings.clone())))
            .app_data(web::Data::new(ServiceName("ingest")))
            .wrap(from_fn(telemetry::http::record_requests))
            .route("/optix/webhooks", web::post().to(receive))
            .route(
                "/webhooks/officernd/{organization}",
                web::post().to(officernd_webhooks::receive),
            )
            .route("/healthz", web::get().to(telemetry::http::healthz))
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run())
}

async fn readyz(state: web::Data<State>) -> HttpResponse {
    match state.bus.ping().await {
        Ok(()) => HttpResponse::Ok().body("ready"),
        Err(e) => HttpResponse::ServiceUnavailable().body(format!("not ready: nats: {e}")),
    }
}

/// The answer to every accepted webhook, the same bytes each time.
const ACCEPTED_BODY: &str = r#"{"status":"accepted"}"#;

/// Not `async` itself: its future is [`handle`]'s, not one holding it (as an `async fn`
/// awaiting `handle` it was 16 KB, twice `handle`'s; docs/performance.md, "A 16 KB future").
fn receive(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> impl Future<Output = HttpResponse> {
    handle(state, async move |state: &State, seen: &mut Seen| {
        let envelope = accept(&request, payload, state, seen).await?;
        Ok((envelope.organization_id, envelope.event))
    })
}

/// What a webhook request has shown of itself so far, for its metrics' labels and its log line.
struct Seen {
    /// The event's label, `unparsed` until the body is read.
    event: EventLabel,
    /// The organization, for a refusal's log line: empty until a webhook whose body was read
    /// is refused ([`Seen::refused_by`]).
    org_id: String,
}

impl Seen {
    /// `refusal`, with the organization that sent it noted for its log line: copied only
    /// when a webhook is refused, not for every webhook.
    fn refused_by(&mut self, org_id: &str, refusal: Refusal) -> Refusal {
        self.org_id = org_id.to_owned();
        refusal
    }
}

/// One webhook request: `accept` (which fills in [`Seen`] as soon as it knows) runs in the
/// request's span; its outcome is answered, counted and logged ([`respond`]).
async fn handle(
    state: web::Data<State>,
    accept: impl AsyncFnOnce(&State, &mut Seen) -> Result<(String, String), Refusal>,
) -> HttpResponse {
    let started = Instant::now();
    let mut seen = Seen {
        event: EventLabel::UNPARSED,
        org_id: String::new(),
    };
    let span = webhook_span();
    let outcome = accept(&state, &mut seen).instrument(span.clone()).await;
    let _entered = span.enter();
    respond(&state, started, &seen, &span, outcome)
}

/// The span of one webhook request, for traces alone (its event and organization recorded
/// once known): the log lines name what they need themselves ([`respond`]), since carrying
/// the span cost every webhook a few microseconds of JSON.
fn webhook_span() -> tracing::Span {
    tracing::info_span!(
        target: telemetry::traces::TRACES_ONLY,
        "ingest.webhook",
        otel.kind = "server",
        event = tracing::field::Empty,
        org_id = tracing::field::Empty,
    )
}

/// Counts, times and logs one webhook request and answers it: 200 once published, else the
/// refusal's status and reason. An accepted webhook is logged at `debug` (the
/// `lanyard_webhooks_*` counters count each one); a refusal at `warn`, with its event,
/// organization and trace.
fn respond(
    state: &State,
    started: Instant,
    seen: &Seen,
    span: &tracing::Span,
    outcome: Result<(String, String), Refusal>,
) -> HttpResponse {
    let metrics = &state.metrics;
    let event = metrics.event(seen.event);
    event.received.add(1);
    let seconds = started.elapsed().as_secs_f64();
    match outcome {
        Ok((org_id, event_name)) => {
            metrics.accepted_duration.record(seconds);
            event.accepted.add(1);
            tracing::debug!(
                org_id,
                event = event_name,
                trace_id = telemetry::traces::trace_id(span),
                "webhook accepted"
            );
            HttpResponse::Ok()
                .content_type("application/json")
                .body(ACCEPTED_BODY)
        }
        Err(refusal) => {
            let event_label = KeyValue::new("event", event.label);
            metrics
                .duration
                .record(seconds, &[KeyValue::new("outcome", refusal.label())]);
            metrics
                .rejected
                .add(1, &[event_label, KeyValue::new("reason", refusal.label())]);
            tracing::warn!(
                reason = refusal.label(),
                detail = %refusal,
                event = event.label,
                org_id = (!seen.org_id.is_empty()).then_some(seen.org_id.as_str()),
                trace_id = telemetry::traces::trace_id(span),
                "webhook refused"
            );
            refusal.response()
        }
    }
}

async fn accept(
    request: &HttpRequest,
    payload: web::Payload,
    state: &State,
    seen: &mut Seen,
) -> Result<Envelope, Refusal> {
    // Decided before reading the body, so an unsupported type costs nothing.
    let format = body_format(request)?;
    let body = read_body(payload, state.settings.ingest.max_body_bytes).await?;
    let envelope = read_envelope(format, &body, &mut seen.event)
        .map_err(|e| Refusal::Malformed(e.to_string()))?;
    let span = tracing::Span::current();
    span.record("event", envelope.event.as_str());
    span.record("org_id", envelope.organization_id.as_str());
    admit(request, state, &envelope, format, &body)
        .await
        .map_err(|refusal| seen.refused_by(&envelope.organization_id, refusal))?;
    Ok(envelope)
}

/// A read webhook's checks and its publish: its signature and age, its installation, then
/// the body stored as sent.
async fn admit(
    request: &HttpRequest,
    state: &State,
    envelope: &Envelope,
    format: BodyFormat,
    body: &[u8],
) -> Result<(), Refusal> {
    verify(envelope, state)?;
    // One budget for the registry check and the publish, well inside Optix's 2 s.
    let deadline = tokio::time::Instant::now()
        + Duration::from_millis(state.settings.ingest.publish_timeout_ms);
    // Most webhooks come from an organization the in-memory view holds: answered without a
    // timer or an await. The rest (an install, an organization the view does not hold yet)
    // are checked in a future of their own on the heap: inline, the registry check's future
    // (2,408 bytes) was part of every webhook's (2,800), moved with it.
    if envelope.event == "app_install"
        || !state
            .installations
            .known_to_contain(&envelope.client_id, &envelope.organization_id)
    {
        Box::pin(check_installation(envelope, state, deadline)).await?;
    }
    let bus = worker_bus(request, state);
    let subject = bus::webhook_subject(&envelope.organization_id, &envelope.event);
    // Stored as sent: provision reads the whole body, which ingest has already read as it will.
    let stored = Stored { format, body };
    // An app_uninstall does not close the door here: its body is not authenticated (a
    // captured signature takes any body), so provision forgets the installation once Optix
    // confirms it.
    publish(bus, state, subject, stored, body, deadline).await
}

/// How the request's body is written (form or JSON), decided from its content type; any
/// other type is refused.
fn body_format(request: &HttpRequest) -> Result<BodyFormat, Refusal> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if content_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Ok(BodyFormat::Form)
    } else if content_type.eq_ignore_ascii_case("application/json") {
        Ok(BodyFormat::Json)
    } else {
        Err(Refusal::ContentType(content_type.to_ascii_lowercase()))
    }
}

/// The webhook's envelope, its event's label set in `event_label` as soon as it is read. A form's
/// envelope is read exactly as provision will read the whole form, refused where that would
/// fail (`webhook::parse_form_envelope`), without building the other values.
fn read_envelope(
    format: BodyFormat,
    body: &[u8],
    event_label: &mut EventLabel,
) -> Result<Envelope, webhook::WebhookError> {
    match format {
        BodyFormat::Form => {
            let form = webhook::parse_form_envelope(body)?;
            if let Some(event) = form.event() {
                *event_label = EventLabel::optix(event);
            }
            form.envelope()
        }
        BodyFormat::Json => {
            let fields = webhook::parse_json(body)?;
            if let Some(event) = fields.get("event").and_then(|v| v.as_str()) {
                *event_label = EventLabel::optix(event);
            }
            Envelope::from_fields(&fields)
        }
    }
}

/// The webhook is signed by a configured Optix app and stamped inside the accepted window.
fn verify(envelope: &Envelope, state: &State) -> Result<(), Refusal> {
    let app = state
        .settings
        .optix
        .apps
        .iter()
        .find(|app| app.client_id == envelope.client_id)
        .ok_or(Refusal::UnknownClient)?;
    if !optix::signature::verify_signature(
        &envelope.client_id,
        app.secret.expose(),
        &envelope.created_timestamp_raw,
        &envelope.request_signature,
    ) {
        return Err(Refusal::BadSignature);
    }
    // Saturating: created_timestamp is attacker-chosen and may sit at the ends of i64.
    let now = chrono::Utc::now().timestamp();
    let oldest = now.saturating_sub(state.settings.ingest.timestamp_horizon_secs);
    let newest = now.saturating_add(state.settings.ingest.future_skew_secs);
    if envelope.created_timestamp < oldest || envelope.created_timestamp > newest {
        return Err(Refusal::Stale(envelope.created_timestamp));
    }
    Ok(())
}

/// What a delivery carries: its body and how that is written.
struct Stored<'a> {
    format: BodyFormat,
    body: &'a [u8],
}

/// Seals what is stored and publishes it as one delivery (`bus::webhooks`), by `deadline`;
/// `received` is the body as received, which the delivery id is derived from.
async fn publish(
    bus: &bus::Bus,
    state: &State,
    subject: String,
    stored: Stored<'_>,
    received: &[u8],
    deadline: tokio::time::Instant,
) -> Result<(), Refusal> {
    // Every delivery is stored: a body identical to an earlier one may be a second change in
    // the same second; provision skips what a later reconciliation already covered.
    let delivery_id = state.seal.delivery_id(&subject, received);
    // Includes sealing the body into the payload (about a microsecond of a publish's
    // milliseconds).
    let publish_started = tokio::time::Instant::now();
    // The trace continues in provision through the W3C header on the message.
    let trace_headers = telemetry::traces::inject_current();
    let published = bus
        .publish_webhook(
            bus::webhooks::WebhookPublication {
                subject,
                delivery_id: &delivery_id,
                trace_headers: &trace_headers,
                body_format: stored.format,
                // Sealed: the stream keeps bodies (tokens, names, emails) for the retention
                // window.
                body: bus::webhooks::DeliveryBody::ToSeal {
                    seal: &state.seal,
                    body: stored.body,
                },
            },
            deadline.saturating_duration_since(publish_started),
        )
        .await;
    state
        .metrics
        .publish_duration
        .record(publish_started.elapsed().as_secs_f64());
    published.map_err(|e| {
        tracing::error!(error = %e, "publishing to JetStream failed");
        Refusal::Unavailable
    })?;
    Ok(())
}

fn unavailable(error: bus::BusError) -> Refusal {
    tracing::error!(error = %error, "the installations registry is unavailable");
    Refusal::Unavailable
}

/// The organization must belong to the integration that signed the webhook: a signed
/// `app_install` records it (before the publish, so events that follow at once are accepted);
/// anything else from an organization without the app is refused. Provision corrects the
/// registry with what Optix confirms: it forgets an install whose token Optix does not confirm
/// and an uninstall Optix does confirm. Asked only what the in-memory view cannot answer
/// ([`accept`]).
async fn check_installation(
    envelope: &Envelope,
    state: &State,
    deadline: tokio::time::Instant,
) -> Result<(), Refusal> {
    let (client, org) = (&envelope.client_id, &envelope.organization_id);
    let timeout = deadline.saturating_duration_since(tokio::time::Instant::now());
    let check = async {
        if envelope.event == "app_install" {
            state.installations.record(client, org).await?;
            Ok(true)
        } else {
            state.installations.contains(client, org).await
        }
    };
    match tokio::time::timeout(timeout, check).await {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => Err(Refusal::NotInstalled(org.clone())),
        Ok(Err(error)) => Err(unavailable(error)),
        Err(_) => Err(unavailable(bus::BusError::Timeout(timeout))),
    }
}

/// The bus this actix worker publishes on: its own connection, else the shared one.
fn worker_bus<'a>(request: &'a HttpRequest, state: &'a State) -> &'a bus::Bus {
    request
        .app_data::<web::Data<WorkerBus>>()
        .and_then(|worker| worker.get())
        .unwrap_or(&state.bus)
}

/// The body, refused past `limit` bytes without buffering more than that.
async fn read_body(payload: web::Payload, limit: usize) -> Result<web::Bytes, Refusal> {
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => Err(Refusal::Malformed(format!("reading the body: {e}"))),
        Err(_) => Err(Refusal::TooLarge(limit)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each known event, Optix's or OfficeRnD's, is counted under its own name; anything else
    /// (another platform's name included) under `other`.
    #[test]
    fn every_known_event_has_its_own_label_and_anything_else_is_other() {
        let labels: Vec<&str> = EventLabel::all().collect();
        let label = |event: EventLabel| labels[event.0];
        assert_eq!(label(EventLabel::UNPARSED), "unparsed");
        for name in webhook::KNOWN_EVENTS {
            assert_eq!(label(EventLabel::optix(name)), *name);
        }
        for name in officernd::webhook::KNOWN_EVENTS {
            assert_eq!(label(EventLabel::officernd(name)), *name);
        }
        assert_eq!(label(EventLabel::optix("brand_new_event")), "other");
        assert_eq!(label(EventLabel::optix("member.removed")), "other");
        assert_eq!(label(EventLabel::officernd("new_member")), "other");
    }
}
