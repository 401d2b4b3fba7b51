//! Webhook messages as provision receives them, what becomes of each, and what the parts that
//! handle them (`batch`, `installation`, `resolve`) share about a parsed one.

use crate::error::ProvisionError;
use crate::hints::Hint;
use bus::webhooks::BodyFormat;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use domain::Platform;
use optix::api::OptixError;
use optix::webhook::Webhook;
use std::time::Duration;

/// A webhook message as the consumer pulled it.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub message_id: String,
    pub subject: String,
    pub payload: Bytes,
    /// How the payload, once opened, is written; the unknown value otherwise.
    pub body_format: Result<BodyFormat, String>,
    /// Re-published by `lanyard webhooks replay`: an operator asks for a reconciliation, so
    /// earlier coverage does not excuse it.
    pub replay: bool,
}

/// What became of one webhook message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Committed (with the events its batch appended; 0 when the log already matched Optix).
    Committed { events: usize },
    /// This message's effects were committed before (a redelivery).
    AlreadyProcessed,
    /// Try again later (Optix rate limit, organization not installed yet, conflict).
    Retry { after: Duration, reason: String },
    /// The message can never be processed (malformed); it stays in the stream for inspection.
    Rejected { reason: String },
    /// Optix did not confirm what the webhook claims (a forged or replayed body): nothing
    /// changed; marked processed, logged and counted by `reason`.
    Refused { reason: &'static str },
}

impl Outcome {
    /// When to try a message again after `error`.
    pub fn retry_for(error: &ProvisionError) -> Outcome {
        let (after, reason) = match error {
            ProvisionError::Optix(OptixError::RateLimited { retry_after_secs }) => (
                Duration::from_secs((*retry_after_secs).max(1)),
                "Optix rate limit".to_owned(),
            ),
            ProvisionError::OfficeRnd(officernd::OfficeRndError::RateLimited {
                retry_after_secs,
            }) => (
                Duration::from_secs((*retry_after_secs).max(1)),
                "OfficeRnD rate limit".to_owned(),
            ),
            ProvisionError::Store(e) if e.is_conflict() => (Duration::ZERO, e.to_string()),
            ProvisionError::NotInstalled(_) => (Duration::from_secs(5), error.to_string()),
            // A refused token waits for organization_token_updated.
            ProvisionError::Optix(OptixError::Unauthorized) => {
                (Duration::from_secs(30), error.to_string())
            }
            _ => (Duration::from_secs(2), error.to_string()),
        };
        Outcome::Retry { after, reason }
    }
}

/// A webhook as its platform sent it.
pub enum Received {
    Optix(Webhook),
    /// What ingest kept of a verified OfficeRnD delivery: the ids and the signature's `t`.
    OfficeRnd(officernd::webhook::Delivery),
}

impl Received {
    pub fn platform(&self) -> Platform {
        match self {
            Received::Optix(_) => Platform::Optix,
            Received::OfficeRnd(_) => Platform::OfficeRnd,
        }
    }

    /// The event's name as the platform spells it.
    pub fn event(&self) -> &str {
        match self {
            Received::Optix(webhook) => &webhook.envelope.event,
            Received::OfficeRnd(delivery) => &delivery.notification.event_type,
        }
    }

    /// The event's name for metrics (a bounded set).
    pub fn event_label(&self) -> &'static str {
        match self {
            Received::Optix(webhook) => optix::webhook::event_label(&webhook.envelope.event),
            Received::OfficeRnd(delivery) => {
                officernd::webhook::event_label(&delivery.notification.event_type)
            }
        }
    }

    /// When the platform stamped it (Unix seconds): Optix's `created_timestamp`, OfficeRnD's
    /// signature `t`.
    pub fn stamped_at(&self) -> i64 {
        match self {
            Received::Optix(webhook) => webhook.envelope.created_timestamp,
            Received::OfficeRnd(delivery) => delivery.signed_at,
        }
    }

    /// What the webhook is a hint about (`crate::hints`).
    pub fn hint(&self) -> crate::hints::Hint {
        match self {
            Received::Optix(webhook) => crate::hints::optix_hint(webhook),
            Received::OfficeRnd(delivery) => crate::hints::officernd_hint(&delivery.notification),
        }
    }

    /// The Optix webhook, for what only Optix sends (installations, teams).
    pub fn optix(&self) -> Option<&Webhook> {
        match self {
            Received::Optix(webhook) => Some(webhook),
            Received::OfficeRnd(_) => None,
        }
    }
}

/// The metrics label of the event a webhook subject names (`bus::webhooks`: a subject token,
/// so OfficeRnD's `member.updated` arrives as `member_updated`).
pub fn subject_event_label(org_id: &str, subject_event: &str) -> &'static str {
    match Platform::of_org(org_id) {
        Platform::Optix => optix::webhook::event_label(subject_event),
        Platform::OfficeRnd => {
            officernd::webhook::event_label(&subject_event.replacen('_', ".", 1))
        }
    }
}

/// A message whose body opened and parsed.
pub struct Parsed {
    /// Its place in the batch.
    pub index: usize,
    pub message_id: String,
    pub webhook: Received,
    pub hint: Hint,
    pub replay: bool,
    /// Keyed hash of what the hint is about ([`Hint::subject`]); None when it costs no request.
    pub subject_key: Option<String>,
}

impl Parsed {
    /// Whether the batch's coverage record answers a redelivery of this message: its hint names
    /// what it is about, and no operator asked for it again (`webhooks replay`). Such a
    /// delivery needs no processed mark of its own (see `batch::commit_members`).
    pub fn covered_by_its_subject(&self) -> bool {
        self.subject_key.is_some() && !self.replay
    }

    /// The message ids among `parsed` that carry a processed mark: the ones coverage cannot
    /// answer.
    pub fn marked_ids(parsed: &[Parsed]) -> Vec<&str> {
        parsed
            .iter()
            .filter(|p| !p.covered_by_its_subject())
            .map(|p| p.message_id.as_str())
            .collect()
    }

    /// The metadata of the events this webhook leads to.
    pub fn metadata(&self) -> store::Metadata {
        crate::cause::Cause::Webhook {
            message_id: &self.message_id,
            event: self.webhook.event(),
            platform: self.webhook.platform(),
        }
        .metadata()
    }

    /// The earliest moment a reconciliation is sure to see every change Optix made in the
    /// delivery's second: the end of that (whole) second plus `margin` for clock skew.
    pub fn settled_at(&self, margin: Duration) -> DateTime<Utc> {
        let second_ends = DateTime::from_timestamp(self.webhook.stamped_at(), 0)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
            + chrono::TimeDelta::seconds(1);
        second_ends + chrono::TimeDelta::from_std(margin).unwrap_or(chrono::TimeDelta::seconds(1))
    }
}

/// Opens a sealed webhook body and reads it as a webhook of `org_id`'s platform.
pub fn parse(
    seal: &bus::sealing::WebhookSeal,
    org_id: &str,
    message: &Incoming,
) -> Result<Received, String> {
    let format = message.body_format.as_ref().map_err(Clone::clone)?;
    let payload = seal
        .open(&message.subject, &message.payload)
        .map_err(|e| e.to_string())?;
    if Platform::of_org(org_id) == Platform::OfficeRnd {
        return serde_json::from_slice(&payload)
            .map(Received::OfficeRnd)
            .map_err(|e| format!("not an OfficeRnD delivery: {e}"));
    }
    // A form as Optix sent it; JSON as sent, or (published before the body format header)
    // the fields ingest had read, as JSON.
    let fields = match format {
        BodyFormat::Form => optix::webhook::parse_form(&payload),
        BodyFormat::Json => optix::webhook::parse_json(&payload),
    }
    .map_err(|e| format!("payload is not a webhook's fields: {e}"))?;
    Webhook::from_fields(&fields)
        .map(Received::Optix)
        .map_err(|e| format!("not an Optix webhook: {e}"))
}
