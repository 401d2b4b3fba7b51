//! Following Lanyard's domain events: a durable JetStream consumer of the events the relay
//! publishes, each event handled and then acknowledged, or asked for again in 5 s when its
//! handling failed. The disconnect follower and the answer cache each have their own.

use anyhow::Context;
use async_nats::jetstream::AckKind;
use domain::Event;
use futures::StreamExt;
use serde::Deserialize;
use std::future::Future;
use std::time::Duration;
use uuid::Uuid;

/// The part of a relayed event the followers read (`provision::relay::PublishedEvent`).
#[derive(Debug, Deserialize)]
pub struct PublishedEvent {
    pub event_id: Uuid,
    pub stream: String,
    pub event: Event,
}

/// What a follower does with one event.
pub trait HandleEvent: Sync {
    fn handle(&self, published: &PublishedEvent)
    -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Which events, through which durable consumer, how many at once.
#[derive(Clone)]
pub struct Following {
    pub bus: bus::Bus,
    pub consumer: &'static str,
    pub subjects: &'static str,
    /// A consumer created now begins with the events from then on (not the whole history),
    /// even when the events stream appears only later.
    pub since: time::OffsetDateTime,
    pub at_once: usize,
    /// What the follower does, for the logs.
    pub purpose: &'static str,
}

impl Following {
    /// Follows the events until the process ends; a lost connection or a missing stream
    /// (provision not started yet) is retried with backoff.
    pub async fn run(self, handler: impl HandleEvent) {
        let mut backoff = Duration::from_millis(500);
        loop {
            match self.follow(&handler).await {
                Ok(()) => backoff = Duration::from_millis(500),
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), retry_in_ms = backoff.as_millis() as u64,
                        purpose = self.purpose, "following events failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }

    async fn follow(&self, handler: &impl HandleEvent) -> anyhow::Result<()> {
        let consumer = self
            .bus
            .events_consumer(self.consumer, self.subjects, self.since)
            .await
            .context("the events consumer")?;
        let messages = consumer.messages().await.context("pulling events")?;
        messages
            .for_each_concurrent(self.at_once, |message| async move {
                match message {
                    Ok(message) => self.handle_message(handler, message).await,
                    Err(error) => tracing::warn!(%error, "receiving an event failed"),
                }
            })
            .await;
        Ok(())
    }

    /// Handles one delivered event and acknowledges it, or asks for it again in 5 s.
    async fn handle_message(
        &self,
        handler: &impl HandleEvent,
        message: async_nats::jetstream::Message,
    ) {
        let outcome = match serde_json::from_slice::<PublishedEvent>(&message.payload) {
            Ok(published) => handler.handle(&published).await,
            Err(error) => {
                // Not an event this build knows: nothing to do; skipping beats a loop.
                tracing::warn!(%error, purpose = self.purpose, "an event that does not parse; skipped");
                Ok(())
            }
        };
        let ack = match outcome {
            Ok(()) => message.ack().await,
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), purpose = self.purpose,
                    "handling an event failed; redelivery in 5 s");
                message
                    .ack_with(AckKind::Nak(Some(Duration::from_secs(5))))
                    .await
            }
        };
        if let Err(error) = ack {
            // Unacknowledged, the event comes again after the ack wait; handling is idempotent.
            tracing::warn!(%error, "acknowledging an event failed");
        }
    }
}
