//! Why events are appended: every event's metadata (causation, correlation, actor, a human
//! cause, the trace parent) is built here, from what caused it.

use domain::events::SyncKind;
use store::event_log::Metadata;

/// What caused a decision.
pub enum Cause<'a> {
    /// A webhook message (its NATS message id) of a platform's event.
    Webhook {
        message_id: &'a str,
        event: &'a str,
        platform: domain::Platform,
    },
    /// A command from the portal or the CLI, on behalf of `actor`.
    Command { name: &'a str, actor: String },
    /// A full sync run of an organization.
    Sync { org_id: &'a str, kind: SyncKind },
    /// The scheduler recording the end of a stream's time-bound grants at `at` (Unix seconds).
    Expiry { stream: &'a str, at: i64 },
}

impl Cause<'_> {
    pub fn metadata(self) -> Metadata {
        let (causation_id, actor, cause) = match self {
            Cause::Webhook {
                message_id,
                event,
                platform,
            } => (
                message_id.to_owned(),
                platform.webhook_actor().to_owned(),
                format!("webhook {event}"),
            ),
            Cause::Command { name, actor } => (
                format!("command:{}", uuid::Uuid::now_v7()),
                actor,
                format!("{} command", name.replace('_', " ")),
            ),
            Cause::Sync { org_id, kind } => (
                format!("sync:{org_id}:{}", uuid::Uuid::now_v7()),
                "sync".to_owned(),
                format!("{} sync", kind.as_str()),
            ),
            Cause::Expiry { stream, at } => {
                // The scheduler's work belongs to no request's trace.
                return Metadata {
                    causation_id: format!("expiry:{stream}:{at}"),
                    correlation_id: format!("expiry:{stream}:{at}"),
                    actor: "scheduler".into(),
                    cause: Some("grant validity ended".into()),
                    trace_parent: None,
                };
            }
        };
        Metadata {
            correlation_id: causation_id.clone(),
            causation_id,
            actor,
            cause: Some(cause),
            trace_parent: telemetry::traces::current_traceparent(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_correlates_with_itself_and_names_its_actor() {
        let webhook = Cause::Webhook {
            message_id: "m-1",
            event: "new_member",
            platform: domain::Platform::Optix,
        }
        .metadata();
        assert_eq!(webhook.causation_id, "m-1");
        assert_eq!(webhook.correlation_id, "m-1");
        assert_eq!(webhook.actor, "optix-webhook");
        assert_eq!(webhook.cause.as_deref(), Some("webhook new_member"));
        let command = Cause::Command {
            name: "set_passphrase",
            actor: "tenant:42".into(),
        }
        .metadata();
        assert!(command.causation_id.starts_with("command:"));
        assert_eq!(command.correlation_id, command.causation_id);
        assert_eq!(command.cause.as_deref(), Some("set passphrase command"));
        let sync = Cause::Sync {
            org_id: "6267",
            kind: SyncKind::Manual,
        }
        .metadata();
        assert!(sync.causation_id.starts_with("sync:6267:"));
        assert_eq!(sync.actor, "sync");
        let expiry = Cause::Expiry {
            stream: "member-6267-42",
            at: 100,
        }
        .metadata();
        assert_eq!(expiry.causation_id, "expiry:member-6267-42:100");
        assert_eq!(expiry.actor, "scheduler");
        assert_eq!(expiry.trace_parent, None);
    }
}
