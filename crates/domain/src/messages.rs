//! The messages Lanyard sends a tenant by email (issue 21): what each is called, in settings,
//! in the outbox and in metrics. Which event triggers which message is decided by the mailer
//! (`portal::notify`); this is only the vocabulary shared with the organization's settings.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The member's first grant at a location: the network name and a sign-in link.
    Welcome,
    /// An admin changed or the member regenerated the passphrase: reconnect your devices.
    KeyChanged,
    /// A plan's end date (or a day pass/booking's end) is near.
    AccessEnding,
    /// The plan ended or was cancelled: access is suspended.
    AccessSuspended,
    /// A meeting guest's WiFi for the meeting's duration.
    GuestInvited,
}

impl MessageKind {
    pub const ALL: [MessageKind; 5] = [
        MessageKind::Welcome,
        MessageKind::KeyChanged,
        MessageKind::AccessEnding,
        MessageKind::AccessSuspended,
        MessageKind::GuestInvited,
    ];

    /// The name used in settings, the CLI, the outbox and metric labels.
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Welcome => "welcome",
            MessageKind::KeyChanged => "key_changed",
            MessageKind::AccessEnding => "access_ending",
            MessageKind::AccessSuspended => "access_suspended",
            MessageKind::GuestInvited => "guest_invited",
        }
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown message {0:?}: expected one of welcome, key_changed, access_ending, access_suspended, guest_invited"
)]
pub struct UnknownMessageKind(pub String);

impl FromStr for MessageKind {
    type Err = UnknownMessageKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageKind::ALL
            .into_iter()
            .find(|kind| kind.label() == s)
            .ok_or_else(|| UnknownMessageKind(s.chars().take(40).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_parses_back_and_an_unknown_one_is_named() {
        for kind in MessageKind::ALL {
            assert_eq!(kind.label().parse::<MessageKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::json!(kind.label()))
            );
        }
        let error = "welcom".parse::<MessageKind>().unwrap_err();
        assert!(error.to_string().contains("\"welcom\""));
        assert!(error.to_string().contains("key_changed"));
    }
}
