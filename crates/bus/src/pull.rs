//! A continuous pull of a JetStream consumer that counts what it asked for exactly.
//!
//! async-nats's own (`consumer.stream().messages()`) sends each pull request from a task of its
//! own and adds the request's batch to what it waits for only once that task reports the
//! request sent. On two busy cores the task can report after the server has already answered:
//! the messages that came first were counted against a total that had not been raised yet
//! (and saturated at zero), so the pull went on waiting for messages the server no longer owed
//! it. It sent no further request, the server held none and sent no heartbeat, and the pull
//! stood still until its missed heartbeat ended it (~4 s). Measured in 3 of 60 `lanyard-bench
//! --only provision` runs (two of provision's webhook pulls, one radius follower's): the webhook
//! consumer showed, for 3.9 s, no waiting pull, nothing unacknowledged and 6,400 messages
//! pending. With this pull: none in 110 runs (docs/performance-history.md, "The silent pull
//! found").
//!
//! Here a request's batch is counted before the request is published, in the task that reads
//! the messages, so no message can arrive before the request that asked for it is counted. What
//! a request did not get (it expired, or the server ended it) comes back in the status that
//! ends it (`Nats-Pending-Messages`); a status that does not say is taken as a whole batch left
//! undelivered, which can only make the pull ask again sooner, never wait for nothing.
//!
//! Each time the client connects again ([`crate::Bus`] counts its connections) the pull asks
//! afresh at once, as async-nats's does: a restarted server holds none of its requests. A pull
//! that hears nothing, not even a heartbeat, for twice [`PULL_HEARTBEAT`] while connected ends,
//! and its caller pulls again.

use crate::{BusError, PULL_HEARTBEAT};
use async_nats::jetstream::{self, consumer::PullConsumer};
use async_nats::{StatusCode, Subscriber};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::time::Duration;

/// Messages asked for in one pull request (async-nats's default), or fewer when the consumer
/// allows fewer per request or unacknowledged (servers may refuse a larger request: nats-server
/// 2.15 accepts one above `max_ack_pending`, earlier ones answer "Exceeded MaxAckPending");
/// the next is sent when half of what was asked is still to come.
const BATCH: usize = 200;
/// How long the server keeps one request (async-nats's default); an idle pull sends one per
/// expiry.
const EXPIRES: Duration = Duration::from_secs(30);
/// How often a pull waiting for messages looks whether its connection is up: while it is down
/// no heartbeat can come, so silence counts only from when it is up again.
const CONNECTION_CHECK: Duration = Duration::from_millis(250);

/// The messages of a continuous pull, in delivery order. It yields an error and ends when the
/// pull can no longer be trusted (no message and no heartbeat for twice [`PULL_HEARTBEAT`],
/// the consumer deleted, JetStream gone); every caller then pulls again.
pub type Pull = BoxStream<'static, Result<jetstream::Message, BusError>>;

/// What one continuous pull keeps between messages.
struct Puller {
    client: async_nats::Client,
    context: jetstream::Context,
    /// `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`.
    next_subject: String,
    inbox: String,
    subscriber: Subscriber,
    /// Messages asked for in one request ([`BATCH`] within the consumer's limits).
    batch: usize,
    /// Messages asked for and not yet received or given up by the server.
    owed: usize,
    /// The client's connections so far ([`crate::Bus`]): when it moves, the pull asks afresh.
    connections: tokio::sync::watch::Receiver<u64>,
}

/// What a pull heard while waiting.
enum Heard {
    Message(async_nats::Message),
    /// The connection is back after it was lost.
    Reconnected,
    /// Neither a message nor a heartbeat for twice [`PULL_HEARTBEAT`] while connected.
    Silence,
    /// The subscription ended (the client is gone).
    Closed,
}

impl Puller {
    /// The next message, or the error that ends the pull, or None when the client is gone.
    async fn receive(&mut self) -> Option<Result<jetstream::Message, BusError>> {
        loop {
            if self.owed <= self.batch / 2 {
                // Counted first: the answer cannot come before the count that expects it.
                self.owed += self.batch;
                if let Err(error) = self.request().await {
                    return Some(Err(error));
                }
            }
            let message = match self.listen().await {
                Heard::Message(message) => message,
                Heard::Reconnected => {
                    // What was asked before may be gone with the server: ask afresh (asking
                    // twice is harmless, the extra request expires).
                    self.owed = 0;
                    continue;
                }
                Heard::Silence => {
                    return Some(Err(BusError::JetStream(
                        "missed idle heartbeat: the pull went silent".into(),
                    )));
                }
                Heard::Closed => return None,
            };
            match message.status {
                None | Some(StatusCode::OK) => {
                    self.owed = self.owed.saturating_sub(1);
                    return Some(Ok(jetstream::Message {
                        message,
                        context: self.context.clone(),
                    }));
                }
                Some(StatusCode::IDLE_HEARTBEAT) => continue,
                // A request ended with part of its batch undelivered: it expired (408), or
                // the server ended it (409: a leader change, too many waiting pulls, ...).
                Some(
                    StatusCode::TIMEOUT | StatusCode::REQUEST_TERMINATED | StatusCode::NOT_FOUND,
                ) => {
                    let description = message.description.clone().unwrap_or_default();
                    if ends_the_pull(&description) {
                        return Some(Err(BusError::JetStream(format!(
                            "pull ended: {description}"
                        ))));
                    }
                    self.owed = self.owed.saturating_sub(undelivered(&message, self.batch));
                }
                Some(status) => {
                    let description = message.description.unwrap_or_default();
                    return Some(Err(BusError::JetStream(format!(
                        "pull ended: {status} {description}"
                    ))));
                }
            }
        }
    }

    /// Waits for the next message (or heartbeat, or status); any within twice the heartbeat
    /// keeps the pull trusted. While the connection is down nothing can come, so silence counts
    /// only from when it is up.
    async fn listen(&mut self) -> Heard {
        let mut silent_from = tokio::time::Instant::now() + 2 * PULL_HEARTBEAT;
        loop {
            let check = silent_from.min(tokio::time::Instant::now() + CONNECTION_CHECK);
            tokio::select! {
                message = self.subscriber.next() => {
                    return message.map_or(Heard::Closed, Heard::Message);
                }
                changed = self.connections.changed() => {
                    // An error: the client is gone, and its subscription with it.
                    return if changed.is_ok() { Heard::Reconnected } else { Heard::Closed };
                }
                _ = tokio::time::sleep_until(check) => {
                    let now = tokio::time::Instant::now();
                    if self.client.connection_state() != async_nats::connection::State::Connected {
                        silent_from = now + 2 * PULL_HEARTBEAT;
                    } else if now >= silent_from {
                        return Heard::Silence;
                    }
                }
            }
        }
    }

    async fn request(&self) -> Result<(), BusError> {
        let request = serde_json::json!({
            "batch": self.batch,
            "expires": EXPIRES.as_nanos() as u64,
            "idle_heartbeat": PULL_HEARTBEAT.as_nanos() as u64,
        });
        self.client
            .publish_with_reply(
                self.next_subject.clone(),
                self.inbox.clone(),
                request.to_string().into(),
            )
            .await
            .map_err(crate::js_error)
    }
}

/// How many messages the request a status ends still owed: its `Nats-Pending-Messages`, or a
/// whole `batch` when it does not say (asking again too soon is harmless; waiting is not).
fn undelivered(status: &async_nats::Message, batch: usize) -> usize {
    status
        .headers
        .as_ref()
        .and_then(|headers| headers.get("Nats-Pending-Messages"))
        .and_then(|value| value.as_str().parse().ok())
        .unwrap_or(batch)
}

/// A status after which pulling on is pointless: the consumer is gone or not a pull consumer,
/// or the server refuses the request itself (asking again would be refused again).
fn ends_the_pull(description: &str) -> bool {
    [
        "Consumer Deleted",
        "Consumer is push based",
        "Exceeded MaxRequest",
        "Exceeded MaxAckPending",
    ]
    .iter()
    .any(|terminal| description.starts_with(terminal))
}

/// [`BATCH`], at most the consumer's `max_batch` and `max_ack_pending` when they are set.
fn batch_within(config: &async_nats::jetstream::consumer::Config) -> usize {
    let limit = |value: i64| usize::try_from(value).ok().filter(|limit| *limit > 0);
    [limit(config.max_batch), limit(config.max_ack_pending)]
        .into_iter()
        .flatten()
        .fold(BATCH, usize::min)
}

impl crate::Bus {
    /// A continuous pull of `consumer` (one of this connection's), see [`Pull`].
    pub async fn pull(&self, consumer: &PullConsumer) -> Result<Pull, BusError> {
        let info = consumer.cached_info();
        let inbox = self.client.new_inbox();
        let subscriber = self
            .client
            .subscribe(inbox.clone())
            .await
            .map_err(crate::js_error)?;
        let puller = Puller {
            client: self.client.clone(),
            context: self.jetstream.clone(),
            next_subject: format!(
                "$JS.API.CONSUMER.MSG.NEXT.{}.{}",
                info.stream_name, info.name
            ),
            inbox,
            subscriber,
            batch: batch_within(&info.config),
            owed: 0,
            connections: {
                let mut connections = self.connections.clone();
                connections.mark_unchanged();
                connections
            },
        };
        // After the error that ends it, the pull answers nothing more.
        let messages = futures::stream::unfold(Some(puller), |puller| async move {
            let mut puller = puller?;
            let outcome = puller.receive().await?;
            let going_on = outcome.is_ok().then_some(puller);
            Some((outcome, going_on))
        });
        Ok(messages.boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(headers: &[(&str, &str)]) -> async_nats::Message {
        let mut map = async_nats::HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, *value);
        }
        async_nats::Message {
            subject: "_INBOX.x".into(),
            reply: None,
            payload: bytes::Bytes::new(),
            headers: Some(map),
            status: Some(StatusCode::TIMEOUT),
            description: Some("Request Timeout".into()),
            length: 0,
        }
    }

    #[test]
    fn an_ended_request_gives_back_what_it_still_owed_or_a_whole_batch_when_unsaid() {
        assert_eq!(
            undelivered(&status(&[("Nats-Pending-Messages", "37")]), 200),
            37
        );
        assert_eq!(undelivered(&status(&[]), 200), 200);
        assert_eq!(
            undelivered(&status(&[("Nats-Pending-Messages", "many")]), 50),
            50
        );
    }

    #[test]
    fn a_request_never_asks_for_more_than_the_consumer_allows() {
        let config = |max_batch, max_ack_pending| async_nats::jetstream::consumer::Config {
            max_batch,
            max_ack_pending,
            ..Default::default()
        };
        assert_eq!(batch_within(&config(0, -1)), BATCH);
        assert_eq!(batch_within(&config(-1, 2_000)), BATCH);
        assert_eq!(batch_within(&config(0, 60)), 60);
        assert_eq!(batch_within(&config(25, 60)), 25);
    }

    #[test]
    fn only_a_gone_consumer_or_a_refused_request_ends_the_pull() {
        for terminal in [
            "Consumer Deleted",
            "Consumer is push based",
            "Exceeded MaxRequestBatch of 100",
            "Exceeded MaxAckPending",
        ] {
            assert!(ends_the_pull(terminal), "{terminal}");
        }
        for passing in [
            "Request Timeout",
            "Leadership Change",
            "Exceeded MaxWaiting",
            "",
        ] {
            assert!(!ends_the_pull(passing), "{passing}");
        }
    }
}
