//! The relay: publishes every committed event to JetStream (`lanyard.events.<category>.<org>.<type>`)
//! in log order, exactly once per event id, for network pushers, dashboards and SREs.
//!
//! It follows the global position (gap-safe, see migrations/0001) from a durable checkpoint.
//! Each event's id is its `Nats-Msg-Id`, so a batch republished after a crash (published, then
//! died before saving the checkpoint) is dropped by JetStream's duplicate window.

pub use crate::metrics::RelayLag;
use serde::Serialize;
use std::collections::VecDeque;
use std::time::Duration;
use store::RecordedEvent;
use tokio::sync::watch;
use tracing::Instrument;

const BATCH: i64 = 500;
/// Publishes whose acks are awaited later (see [`relay_batch`]): one round trip to JetStream
/// per event held the relay to ~3,800 events/s and cost both processes a wake-up each.
const IN_FLIGHT: usize = 256;
/// How long an ack may take before the batch is published again.
const ACK_WAIT: Duration = Duration::from_secs(5);
const IDLE_POLL: Duration = Duration::from_millis(100);
pub const CHECKPOINT: &str = store::relay_checkpoint::NATS_RELAY;

/// What subscribers receive: the body of each message on `lanyard.events.<category>.<org>.<type>`
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

/// `lanyard.events.<category>.<org>.<type>` ([`bus::event_subject`]).
pub fn subject(event: &RecordedEvent) -> String {
    let category = event.stream_id.split('-').next().unwrap_or("unknown");
    bus::event_subject(category, &event.org_id, event.event.type_name())
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
///
/// The first event goes alone, and so does each next one JetStream answers is a duplicate
/// (republished after a crash: its ack names where it was stored before). Once one is stored,
/// JetStream's last sequence is known, and the rest go without waiting for each ack, each
/// expecting the sequence of the one before it (`Bus::send_durable`), [`IN_FLIGHT`] at most:
/// a message lost on the way (NATS restarting, a leader changing) has every one after it
/// refused rather than stored ahead of it, and the batch is published again from the
/// checkpoint, in order.
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
    let mut last_sequence: Option<u64> = None;
    let mut in_flight = VecDeque::with_capacity(IN_FLIGHT);
    for event in &events {
        let (pending, span) = send(bus, event, last_sequence).await?;
        match last_sequence {
            None => {
                let ack = acknowledged(pending, span, event).await?;
                last_sequence = (!ack.duplicate).then_some(ack.sequence);
            }
            Some(sequence) => {
                last_sequence = Some(sequence + 1);
                in_flight.push_back((pending, span, event));
                if in_flight.len() >= IN_FLIGHT
                    && let Some((pending, span, event)) = in_flight.pop_front()
                {
                    acknowledged(pending, span, event).await?;
                }
            }
        }
    }
    while let Some((pending, span, event)) = in_flight.pop_front() {
        acknowledged(pending, span, event).await?;
    }
    store::relay_checkpoint::save(&client, CHECKPOINT, last).await?;
    lag.set(head - last);
    Ok(events.len())
}

/// Sends `event` (expecting `last_sequence` before it, when known) in a span that joins the
/// trace of the webhook that caused it and lasts until its ack.
async fn send(
    bus: &bus::Bus,
    event: &RecordedEvent,
    last_sequence: Option<u64>,
) -> anyhow::Result<(bus::PendingPublish, tracing::Span)> {
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
    let pending = bus
        .send_durable(
            subject(event),
            &event.event_id.to_string(),
            &headers,
            payload.into(),
            last_sequence,
        )
        .instrument(span.clone())
        .await?;
    Ok((pending, span))
}

/// Waits for `event`'s ack and counts it.
async fn acknowledged(
    pending: bus::PendingPublish,
    span: tracing::Span,
    event: &RecordedEvent,
) -> anyhow::Result<bus::PublishOutcome> {
    let ack = pending.acknowledged(ACK_WAIT).instrument(span).await?;
    crate::metrics::metrics().events_appended.add(
        1,
        &[opentelemetry::KeyValue::new(
            "type",
            event.event.type_name(),
        )],
    );
    Ok(ack)
}
