//! The webhook contract between ingest and provision: one delivery of an Optix webhook on the
//! webhook stream.
//!
//! Subject: `optix.webhooks.<org>.<event>` ([`webhook_subject`], read back by
//! [`WebhookSubject::parse`]); body: the webhook's body as the platform sent it (a form or
//! JSON, [`BODY_FORMAT`] says which), sealed with the subject as associated data
//! (`sealing::WebhookSeal`); headers: [`DELIVERY_ID`] (new for every delivery: provision's
//! processed mark and the log's causation ids), [`BODY_FORMAT`], the W3C trace context, and
//! [`REPLAY_OF`] on what `lanyard webhooks replay` published again. When it was received is
//! JetStream's own timestamp of the message (deliveries published before 2026-12-05 carry
//! [`RECEIVED_AT`] as well, which wins). Ingest publishes a [`WebhookPublication`];
//! provision receives each as a [`WebhookDelivery`] and acknowledges it through it.

use crate::{Bus, BusError, PublishOutcome, js_error};
use async_nats::HeaderMap;
use async_nats::jetstream::{AckKind, Message};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Every webhook subject.
pub const WEBHOOK_SUBJECTS: &str = "optix.webhooks.>";

/// The delivery's id (`WebhookSeal::delivery_id`): provision's processed mark and the log's
/// causation ids. Not JetStream's deduplication id ([`MSG_ID`]): every delivery's id is new,
/// so deduplication would never match and only cost nats-server an entry per webhook for the
/// whole duplicate window (docs/performance.md, "A delivery id JetStream does not index").
pub const DELIVERY_ID: &str = "Lanyard-Delivery-Id";
/// JetStream's deduplication header. Replays carry their id in it as well, and deliveries
/// published before 2026-12-04 carried theirs only there: provision reads it when
/// [`DELIVERY_ID`] is missing.
pub const MSG_ID: &str = "Nats-Msg-Id";
/// When ingest accepted the webhook (RFC 3339), on deliveries published before 2026-12-05:
/// JetStream's timestamp of the message, taken as it is stored (before ingest's 2xx), now
/// serves, and costs no header.
pub const RECEIVED_AT: &str = "Lanyard-Received-At";
/// How the sealed body is written: [`BodyFormat`]. Deliveries published before 2026-12-05
/// have none: their bodies are the fields as JSON, read as [`BodyFormat::Json`].
pub const BODY_FORMAT: &str = "Lanyard-Body-Format";
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

/// How a delivery's body is written ([`BODY_FORMAT`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BodyFormat {
    /// A JSON object (what OfficeRnD and some Optix deliveries send, and every delivery
    /// published before the header).
    #[default]
    Json,
    /// `application/x-www-form-urlencoded` with bracketed names, as Optix sends it.
    Form,
}

impl BodyFormat {
    pub fn header_value(self) -> &'static str {
        match self {
            BodyFormat::Json => "json",
            BodyFormat::Form => "form",
        }
    }

    /// The format a header value names; `None` for one this version does not know.
    pub fn from_header_value(value: &str) -> Option<BodyFormat> {
        match value {
            "json" => Some(BodyFormat::Json),
            "form" => Some(BodyFormat::Form),
            _ => None,
        }
    }
}

/// One accepted webhook as ingest publishes it.
pub struct WebhookPublication<'a> {
    /// From [`webhook_subject`]; the body is sealed with it.
    pub subject: String,
    /// A new id for every delivery (`WebhookSeal::delivery_id`).
    pub delivery_id: &'a str,
    /// The W3C trace context, so the trace continues in provision.
    pub trace_headers: &'a [(String, String)],
    pub body_format: BodyFormat,
    /// The body as received ([`WebhookPublication::body_format`]), sealed.
    pub sealed_body: bytes::Bytes,
}

impl<'a> WebhookPublication<'a> {
    /// The contract's headers.
    fn headers(&self) -> Vec<(&'a str, &'a str)> {
        let mut headers = Vec::with_capacity(2 + self.trace_headers.len());
        headers.push((DELIVERY_ID, self.delivery_id));
        headers.push((BODY_FORMAT, self.body_format.header_value()));
        headers.extend(
            self.trace_headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
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
        self.publish_acknowledged(
            publication.subject,
            None,
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
    /// [`DELIVERY_ID`] (else [`MSG_ID`]), or `stream-seq-<n>` for a message published without
    /// either.
    pub delivery_id: String,
    /// When it was received: [`RECEIVED_AT`] on an older delivery, else when JetStream
    /// stored it.
    pub received_at: Option<DateTime<Utc>>,
    /// Published again by `lanyard webhooks replay`.
    pub replay: bool,
    /// The W3C `traceparent` ingest injected.
    pub traceparent: Option<String>,
    /// How its body is written; the header's value for a [`BODY_FORMAT`] this version does
    /// not know (a newer ingest's), which provision rejects, naming it.
    pub body_format: Result<BodyFormat, String>,
}

impl WebhookDelivery {
    pub fn new(mut message: Message) -> WebhookDelivery {
        // The client reads messages into 64 KiB buffers and hands out bodies as slices of
        // them: one held body kept its whole buffer alive, whatever else had been read into
        // it. The header map (a map of vectors) is read here and not needed after.
        message.message.payload = bytes::Bytes::copy_from_slice(&message.payload);
        let headers = DeliveryHeaders::read(message.message.headers.take().as_ref());
        let subject = WebhookSubject::parse_or_unknown(&message.subject);
        let delivery_id = headers.delivery_id.unwrap_or_else(|| {
            message
                .info()
                .map(|info| format!("stream-seq-{}", info.stream_sequence))
                .unwrap_or_default()
        });
        WebhookDelivery {
            subject,
            delivery_id,
            received_at: headers.received_at.or_else(|| stored_at(&message)),
            replay: headers.replay,
            traceparent: headers.traceparent,
            body_format: headers.body_format,
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

/// When JetStream stored `message`.
fn stored_at(message: &Message) -> Option<DateTime<Utc>> {
    let published = message.info().ok()?.published;
    DateTime::from_timestamp(published.unix_timestamp(), published.nanosecond())
}

/// What the contract's headers say about a delivery.
#[derive(Debug, PartialEq, Eq)]
struct DeliveryHeaders {
    delivery_id: Option<String>,
    received_at: Option<DateTime<Utc>>,
    replay: bool,
    traceparent: Option<String>,
    body_format: Result<BodyFormat, String>,
}

impl Default for DeliveryHeaders {
    fn default() -> DeliveryHeaders {
        DeliveryHeaders {
            delivery_id: None,
            received_at: None,
            replay: false,
            traceparent: None,
            body_format: Ok(BodyFormat::default()),
        }
    }
}

impl DeliveryHeaders {
    fn read(headers: Option<&HeaderMap>) -> DeliveryHeaders {
        let Some(headers) = headers else {
            return DeliveryHeaders::default();
        };
        let body_format = match headers.get(BODY_FORMAT) {
            None => Ok(BodyFormat::default()),
            Some(value) => {
                BodyFormat::from_header_value(value.as_str()).ok_or_else(|| value.to_string())
            }
        };
        DeliveryHeaders {
            delivery_id: headers
                .get(DELIVERY_ID)
                .or_else(|| headers.get(MSG_ID))
                .map(|value| value.to_string()),
            received_at: headers
                .get(RECEIVED_AT)
                .and_then(|value| DateTime::parse_from_rfc3339(value.as_str()).ok())
                .map(|at| at.with_timezone(&Utc)),
            replay: headers.get(REPLAY_OF).is_some(),
            traceparent: headers.get(TRACEPARENT).map(|value| value.to_string()),
            body_format,
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
            delivery_id: "digest-suffix",
            trace_headers: &trace,
            body_format: BodyFormat::Form,
            sealed_body: bytes::Bytes::from_static(b"sealed"),
        };
        let mut map = HeaderMap::new();
        for (name, value) in publication.headers() {
            map.insert(name, value);
        }
        // No time of receipt: JetStream timestamps every message.
        assert!(map.get(RECEIVED_AT).is_none());
        assert_eq!(DeliveryHeaders::read(Some(&map)).received_at, None);
        // An older delivery's header is still read.
        map.insert(RECEIVED_AT, received_at.to_rfc3339().as_str());
        // JetStream is given no deduplication id: the delivery's is new each time.
        assert!(map.get(MSG_ID).is_none());
        assert_eq!(
            DeliveryHeaders::read(Some(&map)),
            DeliveryHeaders {
                delivery_id: Some("digest-suffix".into()),
                received_at: Some(received_at),
                replay: false,
                traceparent: Some("00-abc-def-01".into()),
                body_format: Ok(BodyFormat::Form),
            }
        );
        map.insert(REPLAY_OF, "17");
        assert!(DeliveryHeaders::read(Some(&map)).replay);
        assert_eq!(DeliveryHeaders::read(None), DeliveryHeaders::default());
    }

    #[test]
    fn a_body_format_is_read_from_its_header_and_json_without_one() {
        let mut map = HeaderMap::new();
        map.insert(DELIVERY_ID, "older");
        // Published before the header: the fields as JSON.
        assert_eq!(
            DeliveryHeaders::read(Some(&map)).body_format,
            Ok(BodyFormat::Json)
        );
        for format in [BodyFormat::Json, BodyFormat::Form] {
            map.insert(BODY_FORMAT, format.header_value());
            assert_eq!(DeliveryHeaders::read(Some(&map)).body_format, Ok(format));
        }
        // A format this version does not know is kept, to be named when the delivery is
        // rejected, never read as another.
        map.insert(BODY_FORMAT, "cbor");
        assert_eq!(
            DeliveryHeaders::read(Some(&map)).body_format,
            Err("cbor".to_owned())
        );
    }

    #[test]
    fn a_delivery_published_with_only_jetstreams_id_keeps_it_as_its_delivery_id() {
        // As versions before 2026-12-04 published them: they stay in the stream for its
        // retention, and provision's processed marks hold these ids.
        let mut map = HeaderMap::new();
        map.insert(MSG_ID, "older-digest-suffix");
        map.insert(RECEIVED_AT, "2026-11-30T16:37:50+00:00");
        assert_eq!(
            DeliveryHeaders::read(Some(&map)).delivery_id.as_deref(),
            Some("older-digest-suffix")
        );
        // With both (a replay), the delivery id is the contract's header.
        map.insert(DELIVERY_ID, "replay-run-17");
        assert_eq!(
            DeliveryHeaders::read(Some(&map)).delivery_id.as_deref(),
            Some("replay-run-17")
        );
    }
}
