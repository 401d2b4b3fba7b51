//! The durable pull consumer: fetch a batch, handle each message, ack only after commit.

use crate::metrics::metrics;
use crate::reconcile::{Outcome, Provisioner};
use async_nats::jetstream::AckKind;
use futures::StreamExt;
use opentelemetry::KeyValue;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tracing::Instrument;

pub async fn run(
    bus: bus::Bus,
    durable_name: String,
    batch_size: usize,
    provisioner: Arc<Provisioner>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let consumer = bus.webhook_consumer(&durable_name).await?;
    while !*stop.borrow() {
        let batch = consumer
            .fetch()
            .max_messages(batch_size.max(1))
            .expires(Duration::from_millis(500))
            .messages()
            .await;
        let mut messages = match batch {
            Ok(messages) => messages,
            Err(e) => {
                tracing::warn!(error = %e, "fetching webhooks failed; retrying");
                let _ = tokio::time::timeout(Duration::from_millis(500), stop.changed()).await;
                continue;
            }
        };
        while let Some(message) = messages.next().await {
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    tracing::warn!(error = %e, "receiving a webhook failed");
                    break;
                }
            };
            let message_id = message
                .headers
                .as_ref()
                .and_then(|h| h.get("Nats-Msg-Id"))
                .map(|v| v.to_string())
                .or_else(|| {
                    message
                        .info()
                        .ok()
                        .map(|i| format!("stream-seq-{}", i.stream_sequence))
                })
                .unwrap_or_default();
            let started = std::time::Instant::now();
            let calls_before = provisioner.optix_calls();
            let span = tracing::info_span!(
                "provision.webhook",
                otel.kind = "consumer",
                subject = %message.subject,
                message_id = %message_id,
                trace_id = tracing::field::Empty,
            );
            let traceparent = message
                .headers
                .as_ref()
                .and_then(|h| h.get(telemetry::traces::TRACEPARENT))
                .map(|v| v.to_string());
            telemetry::traces::continue_trace(&span, traceparent.as_deref());
            if let Some(trace_id) = telemetry::traces::trace_id(&span) {
                span.record("trace_id", trace_id);
            }
            async {
                let outcome = provisioner
                    .handle_webhook(&message_id, &message.payload)
                    .await;
                record(
                    &message,
                    &outcome,
                    started,
                    provisioner.optix_calls() - calls_before,
                );
                acknowledge(&message, &message_id, &outcome).await;
            }
            .instrument(span)
            .await;
            if *stop.borrow() {
                break;
            }
        }
    }
    Ok(())
}

/// Acks only what is committed (or was before); a retry is a NAK with a delay, a message that
/// can never be handled is terminated and stays in the stream for inspection.
async fn acknowledge(
    message: &async_nats::jetstream::Message,
    message_id: &str,
    outcome: &Outcome,
) {
    let ack = match outcome {
        Outcome::Committed { events } => {
            tracing::info!(message_id, events, subject = %message.subject, "webhook provisioned");
            message.ack().await
        }
        Outcome::AlreadyProcessed => {
            tracing::info!(message_id, "redelivered webhook: already processed");
            message.ack().await
        }
        Outcome::Retry { after, reason } => {
            tracing::warn!(
                message_id,
                reason,
                retry_in_ms = after.as_millis() as u64,
                "webhook will be retried"
            );
            message.ack_with(AckKind::Nak(Some(*after))).await
        }
        Outcome::Rejected { reason } => {
            tracing::error!(
                message_id,
                reason,
                "webhook rejected; kept in the stream for inspection"
            );
            message.ack_with(AckKind::Term).await
        }
    };
    if let Err(e) = ack {
        // Not acked means redelivered later; processing is idempotent.
        tracing::warn!(message_id, error = %e, "ack failed");
    }
}

/// The event name from the subject `optix.webhooks.<org>.<event>`, as a bounded label.
fn event_label(subject: &str) -> &'static str {
    optix::webhook::event_label(subject.rsplit('.').next().unwrap_or(""))
}

fn record(
    message: &async_nats::jetstream::Message,
    outcome: &Outcome,
    started: std::time::Instant,
    api_calls: u64,
) {
    let metrics = metrics();
    let event = KeyValue::new("event", event_label(&message.subject));
    if message.info().is_ok_and(|info| info.delivered > 1) {
        metrics.redeliveries.add(1, std::slice::from_ref(&event));
    }
    let outcome_label = match outcome {
        Outcome::Committed { events: 0 } => "unchanged",
        Outcome::Committed { .. } => "committed",
        Outcome::AlreadyProcessed => "already_processed",
        Outcome::Retry { .. } => "retry",
        Outcome::Rejected { .. } => "rejected",
    };
    metrics
        .processed
        .add(1, &[event.clone(), KeyValue::new("outcome", outcome_label)]);
    if let Outcome::Committed { events } = outcome {
        metrics.processing.record(
            started.elapsed().as_secs_f64(),
            std::slice::from_ref(&event),
        );
        metrics.api_calls_per_webhook.record(api_calls, &[event]);
        let received_at = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Lanyard-Received-At"))
            .and_then(|v| chrono::DateTime::parse_from_rfc3339(v.as_str()).ok());
        if let (Some(received_at), true) = (received_at, *events > 0) {
            let lag = chrono::Utc::now().signed_duration_since(received_at);
            metrics
                .freshness
                .record(lag.num_milliseconds().max(0) as f64 / 1000.0, &[]);
        }
    }
}
