//! The webhook contract between ingest and provision: one delivery of an Optix webhook on the
//! webhook stream.
//!
//! Subject: `optix.webhooks.<org>.<event>` ([`webhook_subject`], read back by
//! [`WebhookSubject::parse`]). Payload: a [`FRAME`] line naming the body's format and the
//! delivery's id (new for every delivery: provision's processed mark and the log's causation
//! ids), then the webhook's body as the platform sent it (a form or JSON), sealed with the
//! subject as associated data (`sealing::WebhookSeal`). Headers: none, unless the W3C trace
//! context is on; [`REPLAY_OF`] and [`DELIVERY_ID`] on what `lanyard webhooks replay`
//! published again (its id wins over the frame's). When it was received is JetStream's own
//! timestamp of the message.
//!
//! Deliveries published before the frame (2026-12-05) carry their id and format as headers
//! ([`DELIVERY_ID`], else [`MSG_ID`]; [`BODY_FORMAT`], else JSON) and, the oldest,
//! [`RECEIVED_AT`], which wins over the timestamp: they stay in the stream for its retention
//! and are read as before. The frame replaced the headers because a JetStream message with
//! headers cost nats-server about 3 µs and the client about 3 µs more a publish
//! (docs/performance.md, "A delivery without headers"). Ingest publishes a
//! [`WebhookPublication`]; provision receives each as a [`WebhookDelivery`] and acknowledges it
//! through it.

use crate::{Bus, BusError, PublishOutcome, js_error};
use async_nats::HeaderMap;
use async_nats::jetstream::{AckKind, Message};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Every webhook subject.
pub const WEBHOOK_SUBJECTS: &str = "optix.webhooks.>";

/// What every delivery's payload begins with since 2026-12-05: `lanyard-delivery-v1 <format>
/// <delivery id>\n` ([`BodyFormat::header_value`], `WebhookSeal::delivery_id`), then the sealed
/// body.
pub const FRAME: &[u8] = b"lanyard-delivery-v1 ";
/// The longest frame line read after [`FRAME`] (ingest's ids are 81 bytes).
const MAX_FRAME_LINE: usize = 256;

/// The delivery's id as a header, on deliveries published before 2026-12-05 and on replays
/// (which give the copy an id of its own; it wins over the frame's). Provision's processed
/// mark and the log's causation ids. Not JetStream's deduplication id ([`MSG_ID`]): every
/// delivery's id is new, so deduplication would never match and only cost nats-server an entry
/// per webhook for the whole duplicate window (docs/performance-history.md, "A delivery id
/// JetStream does not index").
pub const DELIVERY_ID: &str = "Lanyard-Delivery-Id";
/// JetStream's deduplication header. Replays carry their id in it as well, and deliveries
/// published before 2026-12-04 carried theirs only there: provision reads it when
/// [`DELIVERY_ID`] is missing.
pub const MSG_ID: &str = "Nats-Msg-Id";
/// When ingest accepted the webhook (RFC 3339), on deliveries published before 2026-12-05:
/// JetStream's timestamp of the message, taken as it is stored (before ingest's 2xx), now
/// serves, and costs no header.
pub const RECEIVED_AT: &str = "Lanyard-Received-At";
/// How the sealed body is written ([`BodyFormat`]), as a header: on deliveries published
/// after the body was stored as sent and before the [`FRAME`]. Older ones have none: their
/// bodies are the fields as JSON, read as [`BodyFormat::Json`].
pub const BODY_FORMAT: &str = "Lanyard-Body-Format";
/// On a webhook `lanyard webhooks replay` published again: the stream sequence of the original.
pub const REPLAY_OF: &str = "Lanyard-Replay-Of";
/// The W3C trace context's header (as `telemetry::traces` injects it).
const TRACEPARENT: &str = "traceparent";

/// `optix.webhooks.<org>.<event>`, with each token limited to `[A-Za-z0-9_-]`.
pub fn webhook_subject(org_id: &str, event: &str) -> String {
    const PREFIX: &str = "optix.webhooks.";
    // One string for every webhook ingest publishes, not one a token besides.
    let mut subject = String::with_capacity(PREFIX.len() + org_id.len() + event.len() + 2);
    subject.push_str(PREFIX);
    crate::push_subject_token(&mut subject, org_id);
    subject.push('.');
    crate::push_subject_token(&mut subject, event);
    subject
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
    /// The W3C trace context, so the trace continues in provision (empty without traces:
    /// then the message has no headers at all).
    pub trace_headers: &'a [(String, String)],
    pub body_format: BodyFormat,
    /// The body ([`WebhookPublication::body_format`]), sealed with the subject.
    pub body: DeliveryBody<'a>,
}

/// A delivery's body, sealed with its subject as associated data (`sealing::WebhookSeal`).
pub enum DeliveryBody<'a> {
    /// Sealed as the payload is written, into the payload's own buffer after the [`FRAME`]:
    /// the body is copied once (ingest's every webhook).
    ToSeal {
        seal: &'a crate::sealing::WebhookSeal,
        body: &'a [u8],
    },
    /// Sealed already (prepared before a benchmark's clock starts).
    Sealed(&'a [u8]),
}

impl<'a> WebhookPublication<'a> {
    /// The trace context's headers, if any.
    fn headers(&self) -> Vec<(&'a str, &'a str)> {
        self.trace_headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect()
    }

    /// The [`FRAME`] line, then the sealed body, in one buffer.
    fn payload(&self) -> bytes::Bytes {
        let format = self.body_format.header_value();
        let sealed_len = match self.body {
            DeliveryBody::ToSeal { body, .. } => {
                crate::sealing::WebhookSeal::sealed_len(body.len())
            }
            DeliveryBody::Sealed(sealed) => sealed.len(),
        };
        let mut payload = Vec::with_capacity(
            FRAME.len() + format.len() + self.delivery_id.len() + 2 + sealed_len,
        );
        payload.extend_from_slice(FRAME);
        payload.extend_from_slice(format.as_bytes());
        payload.push(b' ');
        payload.extend_from_slice(self.delivery_id.as_bytes());
        payload.push(b'\n');
        match self.body {
            DeliveryBody::ToSeal { seal, body } => {
                seal.seal_into(&self.subject, body, &mut payload)
            }
            DeliveryBody::Sealed(sealed) => payload.extend_from_slice(sealed),
        }
        payload.into()
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
        let payload = publication.payload();
        self.publish_acknowledged(publication.subject, None, &headers, payload, timeout)
            .await
    }
}

/// What a delivery's payload says of itself: its [`FRAME`], if it has one.
#[derive(Debug, PartialEq)]
enum Frame<'a> {
    /// Published before the frame: the whole payload is the sealed body, the headers say the
    /// rest.
    Absent,
    Present {
        body_format: Result<BodyFormat, String>,
        delivery_id: &'a str,
        sealed_body: &'a [u8],
    },
    /// A frame that cannot be read: rejected, naming why.
    Malformed(String),
}

impl<'a> Frame<'a> {
    fn read(payload: &'a [u8]) -> Frame<'a> {
        let Some(rest) = payload.strip_prefix(FRAME) else {
            return Frame::Absent;
        };
        let searched = &rest[..rest.len().min(MAX_FRAME_LINE + 1)];
        let Some(end) = searched.iter().position(|&byte| byte == b'\n') else {
            return Frame::Malformed(format!(
                "a delivery frame without its end of line in its first {MAX_FRAME_LINE} bytes"
            ));
        };
        let Ok(line) = std::str::from_utf8(&rest[..end]) else {
            return Frame::Malformed("a delivery frame that is not UTF-8".into());
        };
        let Some((format, delivery_id)) = line.split_once(' ') else {
            return Frame::Malformed(format!("a delivery frame without an id: {line:?}"));
        };
        if delivery_id.is_empty() || delivery_id.contains(|c: char| c.is_control() || c == ' ') {
            return Frame::Malformed(format!("a delivery frame's id {delivery_id:?}"));
        }
        Frame::Present {
            body_format: BodyFormat::from_header_value(format)
                .ok_or_else(|| format!("unknown body format {format:?}")),
            delivery_id,
            sealed_body: &rest[end + 1..],
        }
    }
}

/// What a stored delivery says of itself, from its headers and its payload, read as provision
/// reads it ([`WebhookDelivery`]; public for tools and tests that read the stream directly).
#[derive(Debug, PartialEq)]
pub struct StoredDelivery<'a> {
    /// The sealed body, without the frame.
    pub sealed_body: &'a [u8],
    /// None: published without any (provision names it by its stream sequence).
    pub delivery_id: Option<String>,
    pub body_format: Result<BodyFormat, String>,
    /// [`RECEIVED_AT`], on the oldest deliveries.
    pub received_at: Option<DateTime<Utc>>,
    pub replay: bool,
    pub traceparent: Option<String>,
}

impl<'a> StoredDelivery<'a> {
    /// A header id (a replay's, or an unframed delivery's) wins over the frame's: a replayed
    /// copy is a delivery of its own. An unframed delivery's format is its header's.
    pub fn read(headers: Option<&HeaderMap>, payload: &'a [u8]) -> StoredDelivery<'a> {
        let headers = DeliveryHeaders::read(headers);
        let (sealed_body, frame_id, body_format) = match Frame::read(payload) {
            Frame::Absent => (payload, None, headers.body_format),
            Frame::Present {
                body_format,
                delivery_id,
                sealed_body,
            } => (sealed_body, Some(delivery_id), body_format),
            Frame::Malformed(why) => (payload, None, Err(why)),
        };
        StoredDelivery {
            sealed_body,
            delivery_id: headers.delivery_id.or_else(|| frame_id.map(str::to_owned)),
            body_format,
            received_at: headers.received_at,
            replay: headers.replay,
            traceparent: headers.traceparent,
        }
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
    /// [`DELIVERY_ID`] (else [`MSG_ID`], else the [`FRAME`]'s), or `stream-seq-<n>` for a
    /// message published without any.
    pub delivery_id: String,
    /// When it was received: [`RECEIVED_AT`] on an older delivery, else when JetStream
    /// stored it.
    pub received_at: Option<DateTime<Utc>>,
    /// Published again by `lanyard webhooks replay`.
    pub replay: bool,
    /// The W3C `traceparent` ingest injected.
    pub traceparent: Option<String>,
    /// How its body is written (the [`FRAME`]'s, else [`BODY_FORMAT`]); why not, for a format
    /// this version does not know (a newer ingest's) or a frame it cannot read, which
    /// provision rejects, naming it.
    pub body_format: Result<BodyFormat, String>,
}

impl WebhookDelivery {
    pub fn new(mut message: Message) -> WebhookDelivery {
        let headers = message.message.headers.take();
        let StoredDelivery {
            sealed_body,
            delivery_id,
            body_format,
            received_at,
            replay,
            traceparent,
        } = StoredDelivery::read(headers.as_ref(), &message.payload);
        // The client reads messages into 64 KiB buffers and hands out bodies as slices of
        // them: one held body kept its whole buffer alive, whatever else had been read into
        // it. So only the sealed body is kept, in an allocation of its own.
        message.message.payload = bytes::Bytes::copy_from_slice(sealed_body);
        let delivery_id = delivery_id.unwrap_or_else(|| {
            message
                .info()
                .map(|info| format!("stream-seq-{}", info.stream_sequence))
                .unwrap_or_default()
        });
        WebhookDelivery {
            subject: WebhookSubject::parse_or_unknown(&message.subject),
            delivery_id,
            received_at: received_at.or_else(|| stored_at(&message)),
            replay,
            traceparent,
            body_format,
            message,
        }
    }

    /// The subject as published: the seal's associated data.
    pub fn raw_subject(&self) -> &str {
        &self.message.subject
    }

    /// The sealed body, without the frame.
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
            Some(value) => BodyFormat::from_header_value(value.as_str())
                .ok_or_else(|| format!("unknown body format {:?}", value.as_str())),
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
        assert_eq!(webhook_subject("é", "a b"), "optix.webhooks._.a_b");
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

    fn publication<'a>(
        trace: &'a [(String, String)],
        body_format: BodyFormat,
    ) -> WebhookPublication<'a> {
        WebhookPublication {
            subject: webhook_subject("6267", "new_member"),
            delivery_id: "digest.suffix",
            trace_headers: trace,
            body_format,
            body: DeliveryBody::Sealed(SEALED),
        }
    }

    /// A sealed body as the tests' deliveries carry it (a line break inside, as a sealed body
    /// may have).
    const SEALED: &[u8] = b"lanyard-sealed-v1:nonce and ciphertext\n with a line";

    fn header_map(headers: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, *value);
        }
        map
    }

    #[test]
    fn a_publication_reads_back_from_its_payload_alone() {
        for format in [BodyFormat::Form, BodyFormat::Json] {
            let published = publication(&[], format);
            // No headers at all: a plain publish, cheaper for nats-server and the client.
            assert!(published.headers().is_empty());
            let payload = published.payload();
            assert!(payload.starts_with(FRAME));
            assert_eq!(
                StoredDelivery::read(None, &payload),
                StoredDelivery {
                    sealed_body: SEALED,
                    delivery_id: Some("digest.suffix".into()),
                    body_format: Ok(format),
                    received_at: None,
                    replay: false,
                    traceparent: None,
                }
            );
        }
    }

    #[test]
    fn a_body_sealed_as_its_payload_is_written_opens_with_its_subject() {
        let seal = crate::sealing::WebhookSeal::from_hex(&"ab".repeat(32)).expect("key");
        let body = b"client_id=x&organization_id=6267&event=new_member";
        let published = WebhookPublication {
            body: DeliveryBody::ToSeal { seal: &seal, body },
            ..publication(&[], BodyFormat::Form)
        };
        let payload = published.payload();
        let stored = StoredDelivery::read(None, &payload);
        assert_eq!(stored.delivery_id.as_deref(), Some("digest.suffix"));
        assert_eq!(stored.body_format, Ok(BodyFormat::Form));
        assert_eq!(
            stored.sealed_body.len(),
            crate::sealing::WebhookSeal::sealed_len(body.len())
        );
        assert_eq!(
            seal.open(&published.subject, stored.sealed_body),
            Ok(body.to_vec())
        );
    }

    #[test]
    fn the_trace_context_is_the_only_header_and_reads_back() {
        let trace = [("traceparent".to_owned(), "00-abc-def-01".to_owned())];
        let published = publication(&trace, BodyFormat::Form);
        let headers = published.headers();
        assert_eq!(headers, [("traceparent", "00-abc-def-01")]);
        let payload = published.payload();
        let described = StoredDelivery::read(Some(&header_map(&headers)), &payload);
        assert_eq!(described.traceparent.as_deref(), Some("00-abc-def-01"));
        assert_eq!(described.delivery_id.as_deref(), Some("digest.suffix"));
    }

    #[test]
    fn a_replays_header_id_wins_over_the_frames() {
        let payload = publication(&[], BodyFormat::Form).payload();
        let replayed = header_map(&[
            (MSG_ID, "replay-run-17"),
            (DELIVERY_ID, "replay-run-17"),
            (REPLAY_OF, "17"),
        ]);
        let described = StoredDelivery::read(Some(&replayed), &payload);
        assert_eq!(described.delivery_id.as_deref(), Some("replay-run-17"));
        assert!(described.replay);
        assert_eq!(described.body_format, Ok(BodyFormat::Form));
        assert!(described.sealed_body.starts_with(b"lanyard-sealed-v1:"));
    }

    #[test]
    fn a_delivery_published_before_the_frame_reads_its_headers() {
        let received_at = DateTime::parse_from_rfc3339("2026-11-30T16:37:50.123456789+00:00")
            .expect("time")
            .with_timezone(&Utc);
        let sealed = b"lanyard-sealed-v1:older";
        let map = header_map(&[
            (DELIVERY_ID, "older-digest.suffix"),
            (BODY_FORMAT, "form"),
            (RECEIVED_AT, &received_at.to_rfc3339()),
            ("traceparent", "00-abc-def-01"),
        ]);
        assert_eq!(
            StoredDelivery::read(Some(&map), sealed),
            StoredDelivery {
                sealed_body: sealed,
                delivery_id: Some("older-digest.suffix".into()),
                body_format: Ok(BodyFormat::Form),
                received_at: Some(received_at),
                replay: false,
                traceparent: Some("00-abc-def-01".into()),
            }
        );
        // Without any header: its stream sequence names it, and its body is JSON.
        let bare = StoredDelivery::read(None, sealed);
        assert_eq!(bare.delivery_id, None);
        assert_eq!(bare.body_format, Ok(BodyFormat::Json));
        assert_eq!(bare.sealed_body, sealed);
    }

    #[test]
    fn a_frame_that_cannot_be_read_is_named_and_never_read_as_another() {
        fn read(payload: &[u8]) -> StoredDelivery<'_> {
            StoredDelivery::read(None, payload)
        }
        let long_id = "x".repeat(MAX_FRAME_LINE);
        for (payload, why) in [
            (
                format!("lanyard-delivery-v1 form {long_id}\nsealed"),
                "without its end of line",
            ),
            (
                "lanyard-delivery-v1 form\nsealed".to_owned(),
                "without an id",
            ),
            ("lanyard-delivery-v1 form \nsealed".to_owned(), "id \"\""),
            (
                "lanyard-delivery-v1 form a\tb\nsealed".to_owned(),
                "id \"a\\tb\"",
            ),
            (
                "lanyard-delivery-v1 cbor id\nsealed".to_owned(),
                "unknown body format \"cbor\"",
            ),
        ] {
            let described = read(payload.as_bytes());
            let refused = described.body_format.expect_err(&payload);
            assert!(refused.contains(why), "{payload:?}: {refused}");
        }
        let not_utf8 = read(b"lanyard-delivery-v1 form \xff\nsealed");
        assert!(not_utf8.body_format.is_err());
        // The longest line read is read.
        let longest = format!(
            "lanyard-delivery-v1 form {}\nsealed",
            "x".repeat(MAX_FRAME_LINE - 5)
        );
        let described = read(longest.as_bytes());
        assert_eq!(described.body_format, Ok(BodyFormat::Form));
        assert_eq!(described.sealed_body, b"sealed");
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
            Err("unknown body format \"cbor\"".to_owned())
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
