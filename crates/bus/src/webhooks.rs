//! The webhook contract between ingest and provision: one delivery of an Optix webhook on the
//! webhook stream.
//!
//! Subject: `optix.webhooks.<org>.<event>` ([`webhook_subject`], read back by
//! [`WebhookSubject::parse`]); body: the webhook's fields as JSON, sealed with the subject as
//! associated data (`sealing::WebhookSeal`); headers: [`MSG_ID`] (one per delivery, the
//! JetStream deduplication id and provision's processed mark), [`RECEIVED_AT`] (when ingest
//! accepted it, for the freshness metric), the W3C trace context, and [`REPLAY_OF`] on what
//! `lanyard webhooks replay` published again. Ingest publishes a [`WebhookPublication`];
//! provision receives each as a [`WebhookDelivery`] and acknowledges it through it.

use crate::{Bus, BusError, PublishOutcome, js_error};
use async_nats::HeaderMap;
use async_nats::jetstream::{AckKind, Message};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Every webhook subject.
pub const WEBHOOK_SUBJECTS: &str = "optix.webhooks.>";

/// JetStream's deduplication header: the delivery's id.
pub const MSG_ID: &str = "Nats-Msg-Id";
/// When ingest accepted the webhook (RFC 3339).
pub const RECEIVED_AT: &str = "Lanyard-Received-At";
/// On a webhook `lanyard webhooks replay` published again: the stream sequence of the original.
pub const REPLAY_OF: &str = "Lanyard-Replay-Of";
/// The W3C trace context's header (as `telemetry::traces` injects it).
const TRACEPARENT: &str = "traceparent";

/// `optix.webhooks.<org>.<event>`, with each token limited to `[A-Za-z0-9_-]`.
pub fn webhook_subject(org_id: &str, event: &str) -> String {
    format!(
        "optix.webhooks.{}.{}",
        crate::subject_token(org_id),
        crate::subject_token(event)
    )
}

/// The subjects of one organization's webhooks (a filter for replays).
pub fn organization_subjects(org_id: &str) -> String {
    format!("optix.webhooks.{}.>", crate::subject_token(org_id))
}

/// The organization and event a webhook subject names (as subject tokens: sanitized).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSubject {
    pub org_id: String,
    pub event: String,
}

impl WebhookSubject {
    /// Reads `optix.webhooks.<org>.<event>`; None for any other subject.
    pub fn parse(subject: &str) -> Option<WebhookSubject> {
        let mut tokens = subject.split('.');
        match (
            tokens.next(),
            tokens.next(),
            tokens.next(),
            tokens.next(),
            tokens.next(),
        ) {
            (Some("optix"), Some("webhooks"), Some(org), Some(event), None) => {
                Some(WebhookSubject {
                    org_id: org.to_owned(),
                    event: event.to_owned(),
                })
            }
            _ => None,
        }
    }

    /// [`WebhookSubject::parse`], or organization `_` (and the whole subject as the event) for
    /// a subject that is not a webhook's: it still reaches a worker, which rejects it.
    pub fn parse_or_unknown(subject: &str) -> WebhookSubject {
        WebhookSubject::parse(subject).unwrap_or_else(|| WebhookSubject {
            org_id: "_".into(),
            event: subject.to_owned(),
        })
    }
}

/// One accepted webhook as ingest publishes it.
pub struct WebhookPublication<'a> {
    /// From [`webhook_subject`]; the body is sealed with it.
    pub subject: String,
    /// A new id for every delivery (`WebhookSeal::delivery_id`).
    pub msg_id: &'a str,
    pub received_at: DateTime<Utc>,
    /// The W3C trace context, so the trace continues in provision.
    pub trace_headers: &'a [(String, String)],
    pub sealed_body: bytes::Bytes,
}

impl<'a> WebhookPublication<'a> {
    fn headers(&self) -> Vec<(&'a str, String)> {
        let mut headers = vec![(RECEIVED_AT, self.received_at.to_rfc3339())];
        headers.extend(
            self.trace_headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.clone())),
        );
        headers
    }
}

impl Bus {
    /// Publishes one webhook delivery and waits for the JetStream ack (at most `timeout`).
    pub async fn publish_webhook(
        &self,
        publication: WebhookPublication<'_>,
        timeout: Duration,
    ) -> Result<PublishOutcome, BusError> {
        let headers = publication.headers();
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        self.publish_durable(
            publication.subject,
            publication.msg_id,
            &headers,
            publication.sealed_body,
            timeout,
        )
        .await
    }
}

/// A webhook delivery as provision's consumer receives it, acknowledged through it.
///
/// Held from its delivery to its ack (up to three batches of them), so it keeps only what it
/// needs: its body in an allocation of its own and its headers read once.
pub struct WebhookDelivery {
    message: Message,
    /// The organization and event its subject names (`_` and the subject for a foreign one).
    pub subject: WebhookSubject,
    /// [`MSG_ID`], or `stream-seq-<n>` for a message published without one.
    pub msg_id: String,
    pub received_at: Option<DateTime<Utc>>,
    /// Published again by `lanyard webhooks replay`.
    pub replay: bool,
    /// The W3C `traceparent` ingest injected.
    pub traceparent: Option<String>,
}

impl WebhookDelivery {
    pub fn new(mut message: Message) -> WebhookDelivery {
        // The client reads messages into 64 KiB buffers and hands out bodies as slices of
        // them: one held body kept its whole buffer alive, whatever else had been read into
        // it. The header map (a map of vectors) is read here and not needed after.
        message.message.payload = bytes::Bytes::copy_from_slice(&message.payload);
        let headers = DeliveryHeaders::read(message.message.headers.take().as_ref());
        let subject = WebhookSubject::parse_or_unknown(&message.subject);
        let msg_id = headers.msg_id.unwrap_or_else(|| {
            message
                .info()
                .map(|info| format!("stream-seq-{}", info.stream_sequence))
                .unwrap_or_default()
        });
        WebhookDelivery {
            subject,
            msg_id,
            received_at: headers.received_at,
            replay: headers.replay,
            traceparent: headers.traceparent,
            message,
        }
    }

    /// The subject as published: the seal's associated data.
    pub fn raw_subject(&self) -> &str {
        &self.message.subject
    }

    pub fn sealed_body(&self) -> &bytes::Bytes {
        &self.message.payload
    }

    /// Whether JetStream delivered it before (and it was not acknowledged).
    pub fn redelivered(&self) -> bool {
        self.message.info().is_ok_and(|info| info.delivered > 1)
    }

    /// Done: never delivered again.
    pub async fn ack(&self) -> Result<(), BusError> {
        self.message.ack().await.map_err(js_error)
    }

    /// Deliver again after `after`.
    pub async fn retry_after(&self, after: Duration) -> Result<(), BusError> {
        self.acknowledge(AckKind::Nak(Some(after))).await
    }

    /// Never deliver again, but keep it in the stream for inspection.
    pub async fn terminate(&self) -> Result<(), BusError> {
        self.acknowledge(AckKind::Term).await
    }

    /// Still being worked on: restarts the redelivery timer.
    pub async fn in_progress(&self) -> Result<(), BusError> {
        self.acknowledge(AckKind::Progress).await
    }

    async fn acknowledge(&self, kind: AckKind) -> Result<(), BusError> {
        self.message.ack_with(kind).await.map_err(js_error)
    }
}

/// What the contract's headers say about a delivery.
#[derive(Debug, Default, PartialEq, Eq)]
struct DeliveryHeaders {
    msg_id: Option<String>,
    received_at: Option<DateTime<Utc>>,
    replay: bool,
    traceparent: Option<String>,
}

impl DeliveryHeaders {
    fn read(headers: Option<&HeaderMap>) -> DeliveryHeaders {
        let Some(headers) = headers else {
            return DeliveryHeaders::default();
        };
        DeliveryHeaders {
            msg_id: headers.get(MSG_ID).map(|value| value.to_string()),
            received_at: headers
                .get(RECEIVED_AT)
                .and_then(|value| DateTime::parse_from_rfc3339(value.as_str()).ok())
                .map(|at| at.with_timezone(&Utc)),
            replay: headers.get(REPLAY_OF).is_some(),
            traceparent: headers.get(TRACEPARENT).map(|value| value.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_sanitized() {
        assert_eq!(
            webhook_subject("6267", "new_plan_subscription"),
            "optix.webhooks.6267.new_plan_subscription"
        );
        assert_eq!(webhook_subject("a.b", "x>*"), "optix.webhooks.a_b.x__");
        assert_eq!(webhook_subject("", ""), "optix.webhooks._._");
    }

    #[test]
    fn a_subject_reads_back_as_what_built_it() {
        let built = webhook_subject("6267", "new_member");
        assert_eq!(
            WebhookSubject::parse(&built),
            Some(WebhookSubject {
                org_id: "6267".into(),
                event: "new_member".into()
            })
        );
        let sanitized = WebhookSubject::parse(&webhook_subject("a.b", "x")).expect("parsed");
        assert_eq!(sanitized.org_id, "a_b");
        assert_eq!(WebhookSubject::parse("optix.webhooks"), None);
        assert_eq!(WebhookSubject::parse("lanyard.events.member.6267"), None);
        assert_eq!(WebhookSubject::parse("optix.webhooks.1.a.b"), None);
        // The organization is the third subject token; without one, `_`.
        assert_eq!(
            WebhookSubject::parse_or_unknown("optix.webhooks.6267.new_member").org_id,
            "6267"
        );
        assert_eq!(
            WebhookSubject::parse_or_unknown("optix.webhooks").org_id,
            "_"
        );
    }

    #[test]
    fn headers_read_back_as_published() {
        let received_at = DateTime::parse_from_rfc3339("2026-11-30T16:37:50.123456789+00:00")
            .expect("time")
            .with_timezone(&Utc);
        let trace = [("traceparent".to_owned(), "00-abc-def-01".to_owned())];
        let publication = WebhookPublication {
            subject: webhook_subject("6267", "new_member"),
            msg_id: "digest-suffix",
            received_at,
            trace_headers: &trace,
            sealed_body: bytes::Bytes::from_static(b"sealed"),
        };
        let mut map = HeaderMap::new();
        map.insert(MSG_ID, publication.msg_id);
        for (name, value) in publication.headers() {
            map.insert(name, value.as_str());
        }
        assert_eq!(
            DeliveryHeaders::read(Some(&map)),
            DeliveryHeaders {
                msg_id: Some("digest-suffix".into()),
                received_at: Some(received_at),
                replay: false,
                traceparent: Some("00-abc-def-01".into()),
            }
        );
        map.insert(REPLAY_OF, "17");
        assert!(DeliveryHeaders::read(Some(&map)).replay);
        assert_eq!(DeliveryHeaders::read(None), DeliveryHeaders::default());
    }
}
