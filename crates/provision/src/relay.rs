//! The relay: publishes every committed event to JetStream (`lanyard.events.<category>.<org>`)
//! in log order, exactly once per event id, for network pushers, dashboards and SREs.
//!
//! It follows the global position (gap-safe, see migrations/0001) from a durable checkpoint.
//! Each event's id is its `Nats-Msg-Id`, so a batch republished after a crash (published, then
//! died before saving the checkpoint) is dropped by JetStream's duplicate window.

pub use crate::metrics::RelayLag;
use serde::Serialize;
use std::time::Duration;
use store::RecordedEvent;
use tokio::sync::watch;
use tracing::Instrument;

const BATCH: i64 = 500;
const IDLE_POLL: Duration = Duration::from_millis(100);
pub const CHECKPOINT: &str = store::relay_checkpoint::NATS_RELAY;

/// What subscribers receive: the body of each message on `lanyard.events.<category>.<org>`
/// (its JSON Schema: proto/events/). Sealed fields stay sealed.
#[derive(Serialize, schemars::JsonSchema)]
pub struct PublishedEvent<'a> {
    /// The event's global position in the log: published in increasing order (a number an
    /// append rolled back is skipped).
    pub position: i64,
    /// The event's UUID, also the message's `Nats-Msg-Id`: deduplicate by it.
    pub event_id: String,
    /// The stream, `<category>-<org>[-<id>]` (e.g. `member-6267-12346`).
    pub stream: &'a str,
    /// The event's version within its stream, from 1.
    pub version: i64,
    /// The organization (Optix's id, or `officernd_<id>`).
    pub org_id: &'a str,
    /// When the log recorded it (RFC 3339, UTC).
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub event: &'a domain::Event,
    pub metadata: &'a store::Metadata,
}

pub fn subject(event: &RecordedEvent) -> String {
    let category = event.stream_id.split('-').next().unwrap_or("unknown");
    format!(
        "lanyard.events.{}.{}",
        bus::subject_token(category),
        bus::subject_token(&event.org_id)
    )
}

/// Relays for as long as this instance is the leader (`leases`), until `stop`: several
/// provision instances run, one relays.
pub async fn run(
    pool: deadpool_postgres::Pool,
    bus: bus::Bus,
    leases: crate::lease::Leases,
    lag: RelayLag,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    // Whether this instance leads is known after the first check: asking before would wait a
    // whole check interval to start relaying what piled up while no instance ran.
    leases.first_check(Duration::from_secs(10)).await;
    while !*stop.borrow() {
        if !leases.is_leader() {
            let _ = tokio::time::timeout(crate::lease::CHECK_EVERY, stop.changed()).await;
            continue;
        }
        match relay_batch(&pool, &bus, &lag).await {
            Ok(0) => {
                backoff = Duration::from_millis(100);
                let _ = tokio::time::timeout(IDLE_POLL, stop.changed()).await;
            }
            Ok(_) => backoff = Duration::from_millis(100),
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "relay: publishing events failed");
                let _ = tokio::time::timeout(backoff, stop.changed()).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Publishes the next batch after the checkpoint; returns how many events were published.
pub async fn relay_batch(
    pool: &deadpool_postgres::Pool,
    bus: &bus::Bus,
    lag: &RelayLag,
) -> anyhow::Result<usize> {
    let client = pool.get().await?;
    let checkpoint = store::relay_checkpoint::position(&client, CHECKPOINT).await?;
    let head = store::event_log::head_position(&client).await?;
    lag.set(head - checkpoint);
    let events = store::event_log::read_all(&client, checkpoint, BATCH).await?;
    let Some(last) = events.last().map(|e| e.global_position) else {
        return Ok(0);
    };
    for event in &events {
        let payload = serde_json::to_vec(&PublishedEvent {
            position: event.global_position,
            event_id: event.event_id.to_string(),
            stream: &event.stream_id,
            version: event.stream_version,
            org_id: &event.org_id,
            recorded_at: event.recorded_at,
            event: &event.event,
            metadata: &event.metadata,
        })?;
        let position = event.global_position.to_string();
        // The publish joins the trace of the webhook that caused the event.
        let span = tracing::info_span!(
            "relay.publish",
            otel.kind = "producer",
            position = event.global_position,
            event_type = event.event.type_name(),
        );
        telemetry::traces::continue_trace(&span, event.metadata.trace_parent.as_deref());
        let trace_headers = span.in_scope(telemetry::traces::inject_current);
        let mut headers = vec![
            ("Lanyard-Position", position.as_str()),
            ("Lanyard-Event-Type", event.event.type_name()),
        ];
        headers.extend(
            trace_headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        );
        bus.publish_durable(
            subject(event),
            &event.event_id.to_string(),
            &headers,
            payload.into(),
            Duration::from_secs(5),
        )
        .instrument(span)
        .await?;
        crate::metrics::metrics().events_appended.add(
            1,
            &[opentelemetry::KeyValue::new(
                "type",
                event.event.type_name(),
            )],
        );
    }
    store::relay_checkpoint::save(&client, CHECKPOINT, last).await?;
    lag.set(head - last);
    Ok(events.len())
}
