//! The durable consumer `portal-notify` of member events: each event that asks for an email
//! (`decide`) is delivered and then acknowledged, or asked for again after the outbox's retry
//! time (a delayed NAK: backoff on SMTP failure without holding anything in memory).

use super::decide::{Trigger, decide};
use super::deliver::{Job, Next, deliver};
use crate::state::State;
use actix_web::web;
use anyhow::Context;
use async_nats::jetstream::AckKind;
use domain::{Event, StreamId};
use futures::TryStreamExt;
use serde::Deserialize;
use std::time::Duration;
use uuid::Uuid;

/// Events handled at once, at most; fewer on a small pool ([`at_once`]).
const AT_ONCE: usize = 8;

/// How many events are handled at once with `pool_size` connections: each handler holds one
/// at a time, and the emails take at most half of them, so the pages a tenant is waiting for
/// still get a connection while a burst of events is mailed.
fn at_once(pool_size: usize) -> usize {
    (pool_size / 2).clamp(1, AT_ONCE)
}

/// The part of a relayed event the mailer reads (`provision::relay::PublishedEvent`).
#[derive(Debug, Deserialize)]
struct PublishedEvent {
    event_id: Uuid,
    stream: String,
    version: i64,
    event: Event,
}

/// Follows member events from the portal's start on (a consumer created now does not mail
/// the whole history), then from where it was acknowledged; reconnects with backoff.
pub(crate) fn spawn(state: web::Data<State>) {
    let since = time::OffsetDateTime::now_utc();
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(500);
        loop {
            match follow(&state, since).await {
                Ok(()) => backoff = Duration::from_millis(500),
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"),
                        retry_in_ms = backoff.as_millis() as u64, "following member events for emails failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    });
}

async fn follow(state: &State, since: time::OffsetDateTime) -> anyhow::Result<()> {
    let consumer = state
        .bus
        .events_consumer(
            bus::NOTIFY_CONSUMER,
            &bus::event_type_filters("member", &MAY_ASK),
            since,
        )
        .await
        .context("the portal-notify consumer")?;
    let messages = state
        .bus
        .pull(&consumer)
        .await
        .context("pulling member events")?;
    // A receive error (the consumer deleted, the connection lost) ends the pull, and `spawn`
    // makes the consumer again: a consumer recreated redelivers, and the outbox sends nothing
    // twice.
    messages
        .map_err(|error| anyhow::anyhow!("receiving member events: {error}"))
        .try_for_each_concurrent(
            at_once(state.pool.status().max_size),
            |message| async move {
                handle_message(state, message).await;
                Ok(())
            },
        )
        .await
}

async fn handle_message(state: &State, message: async_nats::jetstream::Message) {
    let next = match serde_json::from_slice::<PublishedEvent>(&message.payload) {
        Ok(published) => handle(state, &published).await,
        // Not an event this build knows: nothing to send; skipping beats a loop.
        Err(error) => {
            tracing::warn!(%error, "a member event that does not parse; no email");
            Ok(Next::Done)
        }
    };
    let ack = match next {
        Ok(Next::Done) => message.ack().await,
        Ok(Next::RetryIn(delay)) => message.ack_with(AckKind::Nak(Some(delay))).await,
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "emailing for an event failed; again in 5 s");
            message
                .ack_with(AckKind::Nak(Some(Duration::from_secs(5))))
                .await
        }
    };
    if let Err(error) = ack {
        // Unacknowledged, the event comes again after the ack wait; the outbox keeps it once.
        tracing::warn!(%error, "acknowledging a member event failed");
    }
}

/// The types of the events that may ask for an email: the consumer is delivered these only,
/// and the others need no read of the stream.
const MAY_ASK: [&str; 3] = ["AccessGranted", "PassphraseChanged", "AccountSuspended"];

/// Whether `event` may ask for an email (one of [`MAY_ASK`]; an event of the old subjects,
/// delivered whatever its type, may not).
fn may_ask(event: &Event) -> bool {
    MAY_ASK.contains(&event.type_name())
}

async fn handle(state: &State, published: &PublishedEvent) -> anyhow::Result<Next> {
    if !may_ask(&published.event) {
        return Ok(Next::Done);
    }
    let Some(StreamId::Member { org_id, user_id }) = StreamId::parse(&published.stream) else {
        return Ok(Next::Done);
    };
    let earlier: Vec<Event> = {
        let client = state.pool.get().await.context("a database connection")?;
        let stream = StreamId::Member {
            org_id: org_id.clone(),
            user_id: user_id.clone(),
        };
        let (events, _) = store::event_log::read_stream(&client, &stream).await?;
        events
            .into_iter()
            .filter(|e| e.stream_version < published.version)
            .map(|e| e.event)
            .collect()
    };
    let Some(trigger) = decide(&earlier, &published.event) else {
        return Ok(Next::Done);
    };
    let (valid_from, valid_until, why) = match &trigger {
        Trigger::GuestInvited {
            valid_from,
            valid_until,
            ..
        } => (*valid_from, *valid_until, None),
        Trigger::AccessSuspended { why, .. } => (None, None, Some(*why)),
        Trigger::Welcome { .. } | Trigger::KeyChanged { .. } => (None, None, None),
    };
    let job = Job {
        trigger_id: published.event_id,
        kind: trigger.kind(),
        org_id,
        user_id,
        location_id: trigger.location_id().map(str::to_owned),
        valid_from,
        valid_until,
        why,
    };
    deliver(state, &job).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_emails_take_at_most_half_the_pool() {
        assert_eq!(at_once(1), 1);
        assert_eq!(at_once(2), 1);
        assert_eq!(at_once(8), 4);
        assert_eq!(at_once(16), 8);
        assert_eq!(at_once(64), 8);
    }

    #[test]
    fn the_events_that_may_ask_are_named_by_their_types() {
        let sealed = || domain::Sealed {
            key: "member".into(),
            nonce: "n".into(),
            ciphertext: "c".into(),
        };
        let asking = [
            Event::AccessGranted {
                grant: domain::events::GrantKey {
                    basis: domain::events::Basis::Plan,
                    source_id: "1".into(),
                },
                location_id: None,
                valid_from: None,
                valid_until: None,
                network: None,
            },
            Event::PassphraseChanged {
                passphrase: sealed(),
                lookup_hash: "h".into(),
                source: Default::default(),
            },
            Event::AccountSuspended,
        ];
        // Each name is a real event type (a misspelt one would never be delivered).
        let types: Vec<&str> = asking.iter().map(Event::type_name).collect();
        assert_eq!(types, MAY_ASK);
        assert!(asking.iter().all(may_ask));
        for event in [Event::AccountResumed, Event::AccountDeleted] {
            assert!(!may_ask(&event), "{event:?}");
        }
    }
}
