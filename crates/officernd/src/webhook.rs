//! OfficeRnD's webhooks (docs/officernd.md §8): the `officernd-signature` header, an
//! HMAC-SHA256 keyed with the webhook's secret over `<raw body>.<t>`, and the notification's
//! ids. A webhook is a hint: Lanyard takes the event type and ids from it and reads the
//! records from the API.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The header OfficeRnD signs deliveries with: `t=<unix seconds>,signature=<hex>`.
pub const SIGNATURE_HEADER: &str = "officernd-signature";

/// The events Lanyard subscribes to (docs/officernd.md §8); the rest are answered and ignored.
pub const KNOWN_EVENTS: &[&str] = &[
    "member.created",
    "member.updated",
    "member.removed",
    "membership.created",
    "membership.updated",
    "membership.removed",
    "company.created",
    "company.updated",
    "company.removed",
    "booking.created",
    "booking.updated",
    "booking.removed",
    "occupancyslot.created",
    "occupancyslot.removed",
    "pass.created",
    "pass.updated",
    "integration.removed",
];

/// The event's name for metrics: a known name or `other` (the label set stays bounded).
pub fn event_label(event_type: &str) -> &'static str {
    known_event(event_type).map_or("other", |at| KNOWN_EVENTS[at])
}

/// Where `event_type` stands in [`KNOWN_EVENTS`], if it is one.
pub fn known_event(event_type: &str) -> Option<usize> {
    KNOWN_EVENTS.iter().position(|known| *known == event_type)
}

/// The header value OfficeRnD sends for `body` signed at `t` with `secret`.
pub fn sign(secret: &[u8], body: &[u8], t: i64) -> String {
    format!(
        "t={t},signature={}",
        hex::encode(mac(secret, body, t).finalize().into_bytes())
    )
}

fn mac(secret: &[u8], body: &[u8], t: i64) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(body);
    mac.update(b".");
    mac.update(t.to_string().as_bytes());
    mac
}

/// Why a delivery's signature is refused (each a 401 with its reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the officernd-signature header is missing")]
    Missing,
    #[error(
        "the officernd-signature header is malformed: expected t=<unix seconds>,signature=<hex>"
    )]
    Malformed,
    #[error("the signature's timestamp {0} is outside the accepted window")]
    Stale(i64),
    #[error("the signature does not match the body")]
    Mismatch,
}

impl SignatureError {
    pub fn label(&self) -> &'static str {
        match self {
            SignatureError::Missing => "signature_missing",
            SignatureError::Malformed => "signature_malformed",
            SignatureError::Stale(_) => "signature_stale",
            SignatureError::Mismatch => "signature_mismatch",
        }
    }
}

/// Checks `header` against the raw `body` with any of `secrets` (the old and the new during a
/// rotation), its `t` within `tolerance_secs` of `now` either way. Answers `t`. The header is
/// read by key, not position; the comparison is constant-time (`Mac::verify_slice`).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[&[u8]],
    now: i64,
    tolerance_secs: i64,
) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let (mut t, mut signature) = (None, None);
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("signature", value)) => signature = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(signature)) = (t, signature) else {
        return Err(SignatureError::Malformed);
    };
    if t.abs_diff(now) > tolerance_secs.unsigned_abs() {
        return Err(SignatureError::Stale(t));
    }
    let matches = secrets
        .iter()
        .any(|secret| mac(secret, body, t).verify_slice(&signature).is_ok());
    if matches {
        Ok(t)
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the body is not an OfficeRnD notification: {0}")]
    Malformed(String),
}

/// What Lanyard keeps of a notification: the event type and the ids it names, never names or
/// emails (those are read from the API). This is also what ingest publishes on the bus.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub event_type: String,
    /// `data.object._id`.
    pub object_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// A booking's other members and its visitors (guests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visitors: Vec<String>,
    /// An occupancy slot's booking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<String>,
}

/// The longest id Lanyard accepts from a notification (OfficeRnD's are 24 hex characters).
const MAX_ID: usize = 64;
/// At most this many member or visitor ids are taken from one notification.
const MAX_PEOPLE: usize = 100;

fn id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn id_field(object: &serde_json::Value, field: &str) -> Option<String> {
    object
        .get(field)
        .and_then(|v| v.as_str())
        .filter(|id| id_ok(id))
        .map(str::to_owned)
}

fn id_list(object: &serde_json::Value, field: &str) -> Vec<String> {
    object
        .get(field)
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().or_else(|| item.get("_id")?.as_str()))
                .filter(|id| id_ok(id))
                .take(MAX_PEOPLE)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Reads `{eventType, data: {object: {_id, …}}}` (docs/officernd.md §8).
pub fn parse_notification(body: &[u8]) -> Result<Notification, WebhookError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    let event_type = value
        .get("eventType")
        .and_then(|v| v.as_str())
        .filter(|e| !e.is_empty() && e.len() <= 64)
        .ok_or_else(|| WebhookError::Malformed("no eventType".into()))?;
    let object = value
        .get("data")
        .and_then(|d| d.get("object"))
        .ok_or_else(|| WebhookError::Malformed("no data.object".into()))?;
    let object_id = id_field(object, "_id")
        .ok_or_else(|| WebhookError::Malformed("data.object._id is not an id".into()))?;
    Ok(Notification {
        event_type: event_type.to_owned(),
        object_id,
        member: id_field(object, "member"),
        company: id_field(object, "company"),
        members: id_list(object, "members"),
        visitors: id_list(object, "visitors"),
        booking: id_field(object, "booking"),
    })
}

/// One verified delivery as ingest publishes it and provision reads it: the notification and
/// the `t` it was signed at (what provision's coverage compares with).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub signed_at: i64,
    pub notification: Notification,
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"eventType":"member.updated","data":{"object":{"_id":"5d1bcda0dbd6e40010479eec","company":"5d1bcda0dbd6e40010479eed","name":"Ada"},"previousAttributes":{}}}"#;

    #[test]
    fn a_signature_made_as_officernd_makes_it_verifies() {
        // The demo's computation: createHmac('sha256', secret).update(rawBody + '.' + t).
        let header = sign(b"whsec", BODY, 1_800_000_000);
        assert!(header.starts_with("t=1800000000,signature="));
        assert_eq!(
            verify(Some(&header), BODY, &[b"whsec"], 1_800_000_010, 300),
            Ok(1_800_000_000)
        );
        // Keys read by name, in any order.
        let (t, sig) = header.split_once(',').expect("two parts");
        let swapped = format!("{sig}, {t}");
        assert!(
            verify(
                Some(&swapped),
                BODY,
                &[b"other", b"whsec"],
                1_800_000_000,
                300
            )
            .is_ok()
        );
    }

    #[test]
    fn a_forged_stale_or_malformed_signature_is_refused_with_its_reason() {
        let header = sign(b"whsec", BODY, 1_800_000_000);
        let now = 1_800_000_000;
        assert_eq!(
            verify(None, BODY, &[b"whsec"], now, 300),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("t=abc"), BODY, &[b"whsec"], now, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some(&header), BODY, &[b"wrong"], now, 300),
            Err(SignatureError::Mismatch)
        );
        let tampered = [BODY, b" "].concat();
        assert_eq!(
            verify(Some(&header), &tampered, &[b"whsec"], now, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, &[b"whsec"], now + 301, 300),
            Err(SignatureError::Stale(now))
        );
    }

    #[test]
    fn a_notification_keeps_only_ids() {
        let n = parse_notification(BODY).expect("notification");
        assert_eq!(n.event_type, "member.updated");
        assert_eq!(n.object_id, "5d1bcda0dbd6e40010479eec");
        assert_eq!(n.company.as_deref(), Some("5d1bcda0dbd6e40010479eed"));
        assert!(!serde_json::to_string(&n).expect("json").contains("Ada"));
        assert!(
            parse_notification(br#"{"eventType":"x","data":{"object":{"_id":"../.."}}}"#).is_err()
        );
        assert!(parse_notification(b"[]").is_err());
        assert_eq!(event_label("member.removed"), "member.removed");
        assert_eq!(event_label("invoice.created"), "other");
    }
}
