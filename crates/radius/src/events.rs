//! Following Lanyard's domain events: a durable JetStream consumer of the events the relay
//! publishes, each event handled and then acknowledged, or asked for again in 5 s when its
//! handling failed. Two consumers: [`affected`] says whose answers an event changes. The
//! disconnects' consumer is shared by the radius instances (a revocation ends its sessions
//! once, whichever instance sends the Disconnect-Request); the answer cache and the handshake
//! keys follow through one consumer that is each instance's own (`instance_events`,
//! `bus::instance_consumer`), since each instance keeps its own. That follower takes the
//! events delivered together as one batch ([`Following::batch`]).

use anyhow::Context;
use async_nats::jetstream::AckKind;
use domain::Event;
use domain::events::StreamId;
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

    /// What it does with events delivered together ([`Following::batch`]), in delivery order:
    /// by default each in turn. A failure has them all delivered again.
    fn handle_batch(
        &self,
        events: &[PublishedEvent],
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        async move {
            for published in events {
                self.handle(published).await?;
            }
            Ok(())
        }
    }
}

/// Which events, through which durable consumer, how many at once.
#[derive(Clone)]
pub struct Following {
    pub bus: bus::Bus,
    pub consumer: String,
    /// The consumer is this instance's own (every instance gets every event, and JetStream
    /// removes it once the instance is gone), not one shared by the instances.
    pub per_instance: bool,
    /// What it is delivered (`bus::events_consumer`'s filter subjects).
    pub subjects: Vec<String>,
    /// A consumer created now begins with the events from then on (not the whole history),
    /// even when the events stream appears only later.
    pub since: time::OffsetDateTime,
    pub at_once: usize,
    /// More than 1: the events delivered within `linger` of the first (at most this
    /// many) are handled together ([`HandleEvent::handle_batch`]), one batch at a time,
    /// instead of `at_once` events each on its own.
    pub batch: usize,
    /// With `batch`: how long to wait after the first event for more. Zero takes what was
    /// delivered already (a burst comes in batches, a lone event at once).
    pub linger: Duration,
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
                // The pull ended (it failed; see `follow`): a new one after a breath.
                Ok(()) => {
                    backoff = Duration::from_millis(500);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
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
        let consumer = if self.per_instance {
            self.bus
                .instance_events_consumer(&self.consumer, &self.subjects, self.since)
                .await
        } else {
            self.bus
                .events_consumer(&self.consumer, &self.subjects, self.since)
                .await
        }
        .context("the events consumer")?;
        let purpose = self.purpose;
        // A pull that fails (e.g. "missed idle heartbeat": nothing heard for 4 s) answers
        // nothing after its error; the events in hand are handled, and a new pull begins at
        // once.
        let messages = self.bus.pull(&consumer)
            .await
            .context("pulling events")?
            .scan((), move |_, message| {
                futures::future::ready(
                    message
                        .inspect_err(|error| {
                            tracing::warn!(%error, purpose, "receiving events failed; pulling again");
                        })
                        .ok(),
                )
            });
        if self.batch > 1 {
            // Fused: once the pull ends, asking again answers None rather than anything else.
            let mut messages = std::pin::pin!(messages.fuse());
            while let Some(first) = messages.next().await {
                // What else arrives within the linger joins the batch: a burst is handled in
                // few batches, at the cost of the linger to the first of it. (The timeout
                // polls the pull before its deadline: with no linger, what is delivered.)
                let mut batch = vec![first];
                let until = tokio::time::Instant::now() + self.linger;
                while batch.len() < self.batch {
                    match tokio::time::timeout_at(until, messages.next()).await {
                        Ok(Some(message)) => batch.push(message),
                        Ok(None) | Err(_) => break,
                    }
                }
                self.handle_delivered(handler, batch).await;
            }
            return Ok(());
        }
        messages
            .for_each_concurrent(self.at_once, |message| {
                self.handle_message(handler, message)
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
        let outcome = match self.parse(&message) {
            Some(published) => handler.handle(&published).await,
            None => Ok(()),
        };
        self.settle(&message, &outcome).await;
    }

    /// Handles the events delivered together, then acknowledges them all, or asks for them
    /// all again in 5 s.
    async fn handle_delivered(
        &self,
        handler: &impl HandleEvent,
        delivered: Vec<async_nats::jetstream::Message>,
    ) {
        let events: Vec<PublishedEvent> = delivered.iter().filter_map(|m| self.parse(m)).collect();
        let outcome = match events.is_empty() {
            true => Ok(()),
            false => handler.handle_batch(&events).await,
        };
        for message in &delivered {
            self.settle(message, &outcome).await;
        }
    }

    /// The event a message carries; None (logged) for one this build does not know: nothing
    /// to do with it, and skipping beats a loop.
    fn parse(&self, message: &async_nats::jetstream::Message) -> Option<PublishedEvent> {
        serde_json::from_slice::<PublishedEvent>(&message.payload)
            .inspect_err(|error| {
                tracing::warn!(%error, purpose = self.purpose, "an event that does not parse; skipped");
            })
            .ok()
    }

    /// Acknowledges `message` when its handling succeeded, else asks for it again in 5 s.
    async fn settle(&self, message: &async_nats::jetstream::Message, outcome: &anyhow::Result<()>) {
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

/// Whose RADIUS answers an event may change.
#[derive(Debug, PartialEq, Eq)]
pub enum Affected {
    /// One member's (any event of their stream: grants, passphrase, devices, deletion).
    Member { org_id: String, user_id: String },
    /// The whole organization's: a location, a team, a NAS or the plan mapping changed.
    Organization { org_id: String },
}

/// The events of an organization's own stream that change what its members get.
fn changes_answers(event: &Event) -> bool {
    matches!(
        event,
        Event::AppUninstalled { .. }
            | Event::PlanMapped { .. }
            | Event::PlanUnmapped { .. }
            | Event::DefaultProfileSet { .. }
            | Event::VlanPoolSet { .. }
            | Event::LocationMapped { .. }
            | Event::LocationUnmapped { .. }
    )
}

/// Whose answers `published` may change, if anyone's.
pub fn affected(published: &PublishedEvent) -> Option<Affected> {
    let stream = StreamId::parse(&published.stream)?;
    let org_id = stream.org_id().to_owned();
    match stream {
        StreamId::Member { user_id, .. } => match published.event {
            Event::SessionDisconnectRequested { .. } | Event::SessionDisconnectAnswered { .. } => {
                None
            }
            _ => Some(Affected::Member { org_id, user_id }),
        },
        StreamId::Location { .. } | StreamId::Group { .. } | StreamId::Nas { .. } => {
            Some(Affected::Organization { org_id })
        }
        StreamId::Organization { .. } => {
            changes_answers(&published.event).then_some(Affected::Organization { org_id })
        }
        // A cloud controller's mapping: nothing a RADIUS answer depends on.
        StreamId::Controller { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::events::DisconnectOutcome;

    fn published(stream: &str, event: Event) -> PublishedEvent {
        PublishedEvent {
            event_id: uuid::Uuid::nil(),
            stream: stream.into(),
            event,
        }
    }

    #[test]
    fn a_member_s_event_affects_the_member_and_a_registry_change_the_organization() {
        let affected_by = |stream: &str, event| affected(&published(stream, event));
        assert_eq!(
            affected_by("member-6267-12346", Event::AccountSuspended),
            Some(Affected::Member {
                org_id: "6267".into(),
                user_id: "12346".into()
            })
        );
        let answered = Event::SessionDisconnectAnswered {
            nas_id: "ap".into(),
            session_id: "s".into(),
            outcome: DisconnectOutcome::Acked,
        };
        assert_eq!(affected_by("member-6267-12346", answered), None);
        for stream in ["nas-6267-ap-1", "location-6267-3390", "group-6267-77"] {
            assert_eq!(
                affected_by(stream, Event::NasRemoved),
                Some(Affected::Organization {
                    org_id: "6267".into()
                }),
                "{stream}"
            );
        }
        let sync = Event::SyncFailed {
            kind: domain::events::SyncKind::Periodic,
            reason: "optix down".into(),
        };
        assert_eq!(affected_by("org-6267", sync), None);
        assert_eq!(affected_by("not a stream", Event::AccountSuspended), None);
    }
}
