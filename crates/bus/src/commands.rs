//! Commands to provision over NATS request/reply: the portal (tenant and admin canvases) and the
//! CLI ask, provision (the only writer of the event log) decides and answers.
//!
//! Subject: `lanyard.commands.<org>.<command>` (e.g. `lanyard.commands.6267.set_passphrase`);
//! body: a JSON [`CommandRequest`]; answer: a JSON [`Reply`]. Every refusal carries a code a
//! program can act on and a message a person can read. Requests may carry a passphrase in clear
//! (set_passphrase): NATS connections must use TLS outside loopback, and nothing on either side
//! logs a request body.

use domain::events::OnboardedVia;
use domain::policy::{AccessProfile, LocationSettings, VlanRange};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const COMMAND_SUBJECTS: &str = "lanyard.commands.>";

/// How long a caller waits for provision's answer (it may call the Optix API first).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

pub fn command_subject(org_id: &str, command: &Command) -> String {
    format!(
        "lanyard.commands.{}.{}",
        crate::subject_token(org_id),
        command.name()
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRequest {
    pub org_id: String,
    /// Who asks, for the event metadata: e.g. `tenant:12346`, `admin:12347`, `cli`.
    pub actor: String,
    pub command: Command,
}

/// A passphrase in a request: Debug never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PassphraseText(pub String);

impl std::fmt::Debug for PassphraseText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Which Optix user of the organization has this email (case-insensitive). Answers
    /// `Done { user_id: Some(..) }`, or refuses with `unknown_user`.
    FindUserByEmail {
        email: String,
    },
    /// Give the user their WiFi account at this Optix location: opens it (bound here) when
    /// Optix shows an active plan or a booking, or answers with why not. An existing account
    /// stays bound where it was opened and is reconciled.
    Onboard {
        user_id: String,
        location_id: String,
        via: OnboardedVia,
    },
    /// The tenant's own passphrase (validated, unique in the organization).
    SetPassphrase {
        user_id: String,
        passphrase: PassphraseText,
    },
    /// A new generated passphrase.
    RegeneratePassphrase {
        user_id: String,
    },
    /// Admin: map an Optix location to a Lanyard location.
    MapLocation {
        location_id: String,
        settings: LocationSettings,
    },
    UnmapLocation {
        location_id: String,
    },
    /// Admin: a plan template's access profile.
    MapPlan {
        plan_template_id: String,
        profile: AccessProfile,
    },
    UnmapPlan {
        plan_template_id: String,
    },
    SetDefaultProfile {
        profile: AccessProfile,
    },
    SetVlanPool {
        pool: Option<VlanRange>,
    },
    /// A tenant opened WiFi from an Optix location that is not mapped: notify the admins.
    ReportUnmappedLocation {
        location_id: String,
        user_id: Option<String>,
    },
    /// Admin/ops: run a full sync of the organization now.
    SyncNow,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::FindUserByEmail { .. } => "find_user_by_email",
            Command::Onboard { .. } => "onboard",
            Command::SetPassphrase { .. } => "set_passphrase",
            Command::RegeneratePassphrase { .. } => "regenerate_passphrase",
            Command::MapLocation { .. } => "map_location",
            Command::UnmapLocation { .. } => "unmap_location",
            Command::MapPlan { .. } => "map_plan",
            Command::UnmapPlan { .. } => "unmap_plan",
            Command::SetDefaultProfile { .. } => "set_default_profile",
            Command::SetVlanPool { .. } => "set_vlan_pool",
            Command::ReportUnmappedLocation { .. } => "report_unmapped_location",
            Command::SyncNow => "sync_now",
        }
    }
}

/// Why a command was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The organization has not installed the Optix app.
    NotInstalled,
    /// Optix does not know this user in this organization (or the email).
    UnknownUser,
    /// The Optix location is not mapped to a Lanyard location.
    LocationNotMapped,
    /// No active plan or booking gives access at this location.
    NoAccess,
    /// The user has no WiFi account yet.
    NoAccount,
    /// The account is suspended (no live plan or booking).
    Suspended,
    /// The passphrase breaks the policy (length, characters, `0x`): the message says which rule.
    InvalidPassphrase,
    /// Another member of the organization uses this passphrase.
    PassphraseTaken,
    /// Bad input (invalid VLAN, time zone, profile…): the message says what to fix.
    Invalid,
    /// Optix or the database is unavailable right now: try again shortly.
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reply {
    Done {
        /// The user concerned (find_user_by_email, onboard).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
        /// Events appended (0: nothing needed changing).
        #[serde(default)]
        events: usize,
    },
    Refused {
        code: RefusalCode,
        message: String,
    },
}

impl Reply {
    pub fn done(events: usize) -> Reply {
        Reply::Done {
            user_id: None,
            events,
        }
    }
    pub fn refused(code: RefusalCode, message: impl Into<String>) -> Reply {
        Reply::Refused {
            code,
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("provision did not answer within {0:?} (is it running?)")]
    Timeout(Duration),
    #[error("sending the command failed: {0}")]
    Request(String),
    #[error("provision's answer is not understood: {0}")]
    Decode(String),
}

impl crate::Bus {
    /// Sends a command to provision and waits for its answer.
    pub async fn command(
        &self,
        org_id: &str,
        actor: &str,
        command: Command,
    ) -> Result<Reply, CommandError> {
        let subject = command_subject(org_id, &command);
        let request = CommandRequest {
            org_id: org_id.to_owned(),
            actor: actor.to_owned(),
            command,
        };
        let body = serde_json::to_vec(&request).map_err(|e| CommandError::Decode(e.to_string()))?;
        let answer =
            tokio::time::timeout(COMMAND_TIMEOUT, self.client().request(subject, body.into()))
                .await
                .map_err(|_| CommandError::Timeout(COMMAND_TIMEOUT))?
                .map_err(|e| CommandError::Request(e.to_string()))?;
        serde_json::from_slice(&answer.payload).map_err(|e| CommandError::Decode(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_have_a_stable_json_shape() {
        let request = CommandRequest {
            org_id: "6267".into(),
            actor: "tenant:12346".into(),
            command: Command::SetPassphrase {
                user_id: "12346".into(),
                passphrase: PassphraseText("correct horse battery".into()),
            },
        };
        let json = serde_json::to_value(&request).expect("json");
        assert_eq!(json["command"]["command"], "set_passphrase");
        assert_eq!(json["command"]["passphrase"], "correct horse battery");
        assert!(!format!("{request:?}").contains("horse"));
        assert_eq!(
            command_subject("6267", &request.command),
            "lanyard.commands.6267.set_passphrase"
        );
        let refused = Reply::refused(RefusalCode::PassphraseTaken, "in use");
        assert_eq!(
            serde_json::to_value(&refused).expect("json"),
            serde_json::json!({"outcome": "refused", "code": "passphrase_taken", "message": "in use"})
        );
        let back: Reply =
            serde_json::from_value(serde_json::json!({"outcome": "done"})).expect("done");
        assert_eq!(back, Reply::done(0));
    }
}
