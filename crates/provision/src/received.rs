//! Webhook messages as provision receives them, what becomes of each, and what the parts that
//! handle them (`batch`, `installation`, `resolve`) share about a parsed one.

use crate::error::ProvisionError;
use crate::hints::Hint;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use optix::api::OptixError;
use optix::webhook::Webhook;
use std::time::Duration;

/// A webhook message as the consumer pulled it.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub message_id: String,
    pub subject: String,
    pub payload: Bytes,
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

/// A message whose body opened and parsed.
pub struct Parsed {
    /// Its place in the batch.
    pub index: usize,
    pub message_id: String,
    pub webhook: Webhook,
    pub hint: Hint,
    pub replay: bool,
    /// Keyed hash of what the hint is about ([`Hint::subject`]); None when it costs no request.
    pub subject_key: Option<String>,
}

impl Parsed {
    /// The metadata of the events this webhook leads to.
    pub fn metadata(&self) -> store::Metadata {
        crate::cause::Cause::Webhook {
            message_id: &self.message_id,
            event: &self.webhook.envelope.event,
        }
        .metadata()
    }

    /// The earliest moment a reconciliation is sure to see every change Optix made in the
    /// delivery's second: the end of that (whole) second plus `margin` for clock skew.
    pub fn settled_at(&self, margin: Duration) -> DateTime<Utc> {
        let second_ends = DateTime::from_timestamp(self.webhook.envelope.created_timestamp, 0)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
            + chrono::TimeDelta::seconds(1);
        second_ends + chrono::TimeDelta::from_std(margin).unwrap_or(chrono::TimeDelta::seconds(1))
    }
}

/// Opens a sealed webhook body and reads it as an Optix webhook.
pub fn parse(
    seal: &bus::sealing::WebhookSeal,
    subject: &str,
    payload: &[u8],
) -> Result<Webhook, String> {
    let payload = seal.open(subject, payload).map_err(|e| e.to_string())?;
    let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&payload)
        .map_err(|e| format!("payload is not a JSON object: {e}"))?;
    Webhook::from_fields(&fields).map_err(|e| format!("not an Optix webhook: {e}"))
}
