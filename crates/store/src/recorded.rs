//! What the log records: an event with its position, stream and metadata.

use chrono::{DateTime, Utc};
use domain::Event;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an event happened: the webhook, sync run or portal action behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Metadata {
    /// The message or command that caused the event (e.g. the NATS message id of a webhook).
    pub causation_id: String,
    /// Shared by everything that stems from one original request.
    pub correlation_id: String,
    /// Who acted: `optix-webhook`, `sync`, `scheduler`, `portal`, `cli`.
    pub actor: String,
    /// Human-readable cause, e.g. `webhook new_plan_subscription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// W3C `traceparent` of the span that decided the event, so the relay's publish joins the
    /// webhook's trace. Not a secret; absent when tracing is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_parent: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordedEvent {
    pub global_position: i64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub org_id: String,
    pub stream_version: i64,
    pub event: Event,
    pub metadata: Metadata,
    pub recorded_at: DateTime<Utc>,
}

impl RecordedEvent {
    /// What the projections stamp a row with: the organization, the event's position (a row's
    /// `last_position`) and when it was recorded.
    pub fn row_stamp(&self) -> (&str, i64, DateTime<Utc>) {
        (&self.org_id, self.global_position, self.recorded_at)
    }
}
