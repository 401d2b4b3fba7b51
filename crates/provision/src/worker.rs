//! The durable pull consumer and one worker per organization.
//!
//! The consumer pulls continuously and hands each message to its organization's worker. A
//! worker takes everything its queue holds (after waiting `coalesce_ms` for stragglers when it
//! holds one), reconciles it as one batch, and acks each message only after the commit. A
//! burst thus costs a few Optix requests, and an organization waiting for its API budget never
//! holds up another.

use crate::batch::{Incoming, Outcome};
use crate::lease::Leases;
use crate::metrics::metrics;
use crate::provisioner::Provisioner;
use bus::webhooks::WebhookDelivery;
use futures::StreamExt;
use opentelemetry::KeyValue;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

/// While a batch waits for Optix, its messages are kept from redelivery this often.
const PROGRESS_EVERY: Duration = Duration::from_secs(15);
/// A webhook of an organization another instance works goes back to the stream for this long
/// (it is then delivered to any instance, in the end the one holding the lease).
const NOT_OURS_DELAY: Duration = Duration::from_millis(200);

#[derive(Clone, Copy, Debug)]
pub struct WorkerSettings {
    pub batch_size: usize,
    pub coalesce: Duration,
}

pub async fn run(
    bus: bus::Bus,
    leases: Leases,
    durable_name: String,
    settings: WorkerSettings,
    provisioner: Arc<Provisioner>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let consumer = bus.webhook_consumer(&durable_name).await?;
    // Pulling before this instance knows its partitions would hand every webhook back.
    leases.first_check(Duration::from_secs(10)).await;
    let mut workers: HashMap<String, mpsc::UnboundedSender<WebhookDelivery>> = HashMap::new();
    let mut handles: Vec<JoinHandle<()>> = Vec::new();
    'pulling: while !*stop.borrow() {
        let mut messages = match consumer.messages().await {
            Ok(messages) => messages,
            Err(e) => {
                tracing::warn!(error = %e, "pulling webhooks failed; retrying");
                let _ = tokio::time::timeout(Duration::from_millis(500), stop.changed()).await;
                continue;
            }
        };
        loop {
            let next = tokio::select! {
                next = messages.next() => next,
                _ = stop.changed() => break 'pulling,
            };
            let delivery = match next {
                Some(Ok(message)) => WebhookDelivery::new(message),
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "receiving webhooks failed");
                    continue;
                }
                // The pull ended (NATS restarted): pull again.
                None => break,
            };
            let org = delivery.subject.org_id.clone();
            if !leases.holds_org(&org) {
                give_back(&[delivery]).await;
                continue;
            }
            let sender = workers.entry(org.clone()).or_insert_with(|| {
                let (sender, receiver) = mpsc::unbounded_channel();
                handles.push(tokio::spawn(org_worker(
                    org.clone(),
                    leases.clone(),
                    receiver,
                    provisioner.clone(),
                    settings,
                )));
                sender
            });
            if sender.send(delivery).is_err() {
                tracing::error!(
                    org_id = org,
                    "an organization's worker stopped; its webhooks will be redelivered"
                );
            }
        }
    }
    tracing::info!("no more pulls; workers finish their batches");
    // Closing the queues ends the workers once they have handled what they hold.
    drop(workers);
    for handle in handles {
        let _ = handle.await;
    }
    Ok(())
}

async fn org_worker(
    org_id: String,
    leases: Leases,
    mut queue: mpsc::UnboundedReceiver<WebhookDelivery>,
    provisioner: Arc<Provisioner>,
    settings: WorkerSettings,
) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        let linger_until = Instant::now() + settings.coalesce;
        while batch.len() < settings.batch_size.max(1) {
            match queue.try_recv() {
                Ok(message) => batch.push(message),
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                Err(mpsc::error::TryRecvError::Empty) => {
                    let left = linger_until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    match tokio::time::timeout(left, queue.recv()).await {
                        Ok(Some(message)) => batch.push(message),
                        _ => break,
                    }
                }
            }
        }
        // The partition stays this instance's until the batch is done.
        let Some(_working) = leases.working(&org_id) else {
            give_back(&batch).await;
            continue;
        };
        handle(&org_id, batch, &provisioner).await;
    }
}

/// Webhooks of an organization another provision instance works: back to the stream.
async fn give_back(deliveries: &[WebhookDelivery]) {
    metrics().handed_back.add(deliveries.len() as u64, &[]);
    for delivery in deliveries {
        if let Err(e) = delivery.retry_after(NOT_OURS_DELAY).await {
            tracing::debug!(message_id = %delivery.msg_id, error = %e, "giving a webhook back failed");
        }
    }
}

async fn handle(org_id: &str, batch: Vec<WebhookDelivery>, provisioner: &Provisioner) {
    let started = Instant::now();
    let incoming: Vec<Incoming> = batch
        .iter()
        .map(|delivery| Incoming {
            message_id: delivery.msg_id.clone(),
            subject: delivery.raw_subject().to_owned(),
            payload: delivery.sealed_body().clone(),
            replay: delivery.replay,
        })
        .collect();
    // One span for the batch, continuing the first webhook's trace (a lone webhook, the usual
    // case when traffic is light, is one trace end to end).
    let span = tracing::info_span!(
        "provision.webhook",
        otel.kind = "consumer",
        org_id,
        webhooks = batch.len(),
        subject = %batch[0].raw_subject(),
        message_id = %incoming[0].message_id,
        trace_id = tracing::field::Empty,
    );
    let traceparent = batch[0].header(telemetry::traces::TRACEPARENT);
    telemetry::traces::continue_trace(&span, traceparent.as_deref());
    if let Some(trace_id) = telemetry::traces::trace_id(&span) {
        span.record("trace_id", trace_id);
    }
    async {
        let keepalive = async {
            loop {
                tokio::time::sleep(PROGRESS_EVERY).await;
                for delivery in &batch {
                    let _ = delivery.in_progress().await;
                }
            }
        };
        let outcomes = tokio::select! {
            outcomes = provisioner.handle_batch(org_id, &incoming) => outcomes,
            _ = keepalive => unreachable!("the keepalive never ends"),
        };
        for (delivery, outcome) in batch.iter().zip(&outcomes) {
            record(delivery, outcome, started);
            acknowledge(delivery, outcome).await;
        }
    }
    .instrument(span)
    .await;
}

/// Acks only what is committed (or was before); a retry is a NAK with a delay, a message that
/// can never be handled is terminated and stays in the stream for inspection.
async fn acknowledge(delivery: &WebhookDelivery, outcome: &Outcome) {
    let message_id = delivery.msg_id.as_str();
    let ack = match outcome {
        Outcome::Committed { events } => {
            tracing::info!(message_id, events, subject = %delivery.raw_subject(), "webhook provisioned");
            delivery.ack().await
        }
        Outcome::AlreadyProcessed => {
            tracing::info!(message_id, "redelivered webhook: already processed");
            delivery.ack().await
        }
        Outcome::Retry { after, reason } => {
            tracing::warn!(
                message_id,
                reason,
                retry_in_ms = after.as_millis() as u64,
                "webhook will be retried"
            );
            delivery.retry_after(*after).await
        }
        Outcome::Refused { reason, .. } => {
            // Logged and counted where it was decided; acked, since Optix said no.
            tracing::debug!(message_id, reason, "refused webhook acknowledged");
            delivery.ack().await
        }
        Outcome::Rejected { reason } => {
            tracing::error!(
                message_id,
                reason,
                "webhook rejected; kept in the stream for inspection"
            );
            delivery.terminate().await
        }
    };
    if let Err(e) = ack {
        // Not acked means redelivered later; processing is idempotent.
        tracing::warn!(message_id, error = %e, "ack failed");
    }
}

fn record(delivery: &WebhookDelivery, outcome: &Outcome, started: Instant) {
    let metrics = metrics();
    let event = KeyValue::new(
        "event",
        crate::received::subject_event_label(&delivery.subject.org_id, &delivery.subject.event),
    );
    if delivery.redelivered() {
        metrics.redeliveries.add(1, std::slice::from_ref(&event));
    }
    let outcome_label = match outcome {
        Outcome::Committed { events: 0 } => "unchanged",
        Outcome::Committed { .. } => "committed",
        Outcome::AlreadyProcessed => "already_processed",
        Outcome::Retry { .. } => "retry",
        Outcome::Rejected { .. } => "rejected",
        Outcome::Refused { .. } => "refused",
    };
    metrics
        .processed
        .add(1, &[event.clone(), KeyValue::new("outcome", outcome_label)]);
    if let Outcome::Committed { events } = outcome {
        metrics.processing.record(
            started.elapsed().as_secs_f64(),
            std::slice::from_ref(&event),
        );
        if let (Some(received_at), true) = (delivery.received_at, *events > 0) {
            let lag = chrono::Utc::now().signed_duration_since(received_at);
            metrics
                .freshness
                .record(lag.num_milliseconds().max(0) as f64 / 1000.0, &[]);
        }
    }
}
