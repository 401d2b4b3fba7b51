//! The events of the log. Names are past tense; payloads hold facts, never secrets in clear.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A secret sealed with an AEAD key that lives outside the log (see `store::crypto`).
/// Destroying the key (crypto-shredding) makes the sealed value unrecoverable.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// Which key sealed it: `master` or `member`.
    pub key: String,
    pub nonce: String,
    pub ciphertext: String,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({}, …)", self.key)
    }
}

/// Why a member has access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Plan,
    Booking,
    Guest,
    DayPass,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Plan => "plan",
            Basis::Booking => "booking",
            Basis::Guest => "guest",
            Basis::DayPass => "day_pass",
        }
    }
}

/// A grant is identified by its basis and the Optix object behind it (account plan, booking).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GrantKey {
    pub basis: Basis,
    pub source_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnboardedVia {
    Sync,
    Webhook,
    Portal,
    MobileApp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// Optix no longer shows the plan/booking (cancelled, ended, moved away).
    Withdrawn,
    /// The grant's validity ran out.
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "PascalCase")]
pub enum Event {
    // ── org-{org} ────────────────────────────────────────────────────────────────────────
    /// The Optix app was installed; the organization token is sealed with the master key.
    IntegrationConfigured {
        org_id: String,
        token: Sealed,
    },
    OrganizationTokenRotated {
        org_id: String,
        token: Sealed,
    },
    AppUninstalled {
        org_id: String,
    },

    // ── member-{org}-{user} ──────────────────────────────────────────────────────────────
    /// `profile` seals the member's name and email with the member's data key;
    /// `email_hash` is a keyed hash so the portal can find the account by email.
    AccountOpened {
        org_id: String,
        user_id: String,
        home_location: Option<String>,
        via: OnboardedVia,
        email_hash: String,
        profile: Sealed,
    },
    ProfileChanged {
        email_hash: String,
        profile: Sealed,
    },
    /// `lookup_hash` is a keyed hash of the passphrase, unique within the organization.
    PassphraseIssued {
        passphrase: Sealed,
        lookup_hash: String,
    },
    PassphraseChanged {
        passphrase: Sealed,
        lookup_hash: String,
    },
    AccessGranted {
        grant: GrantKey,
        location_id: Option<String>,
        valid_from: Option<DateTime<Utc>>,
        valid_until: Option<DateTime<Utc>>,
    },
    AccessRevoked {
        grant: GrantKey,
        reason: RevokeReason,
    },
    AccountSuspended,
    AccountResumed,
    JoinedGroup {
        team_id: String,
    },
    LeftGroup {
        team_id: String,
    },
    /// The member left Optix; the data key is destroyed in the same transaction.
    AccountDeleted,
}

impl Event {
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::IntegrationConfigured { .. } => "IntegrationConfigured",
            Event::OrganizationTokenRotated { .. } => "OrganizationTokenRotated",
            Event::AppUninstalled { .. } => "AppUninstalled",
            Event::AccountOpened { .. } => "AccountOpened",
            Event::ProfileChanged { .. } => "ProfileChanged",
            Event::PassphraseIssued { .. } => "PassphraseIssued",
            Event::PassphraseChanged { .. } => "PassphraseChanged",
            Event::AccessGranted { .. } => "AccessGranted",
            Event::AccessRevoked { .. } => "AccessRevoked",
            Event::AccountSuspended => "AccountSuspended",
            Event::AccountResumed => "AccountResumed",
            Event::JoinedGroup { .. } => "JoinedGroup",
            Event::LeftGroup { .. } => "LeftGroup",
            Event::AccountDeleted => "AccountDeleted",
        }
    }
}

/// Stream names follow Message DB's `category-id` convention.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StreamId {
    Organization { org_id: String },
    Member { org_id: String, user_id: String },
}

impl StreamId {
    pub fn member(org_id: &str, user_id: &str) -> Self {
        StreamId::Member {
            org_id: org_id.to_owned(),
            user_id: user_id.to_owned(),
        }
    }
    pub fn organization(org_id: &str) -> Self {
        StreamId::Organization {
            org_id: org_id.to_owned(),
        }
    }
    pub fn category(&self) -> &'static str {
        match self {
            StreamId::Organization { .. } => "org",
            StreamId::Member { .. } => "member",
        }
    }
    pub fn org_id(&self) -> &str {
        match self {
            StreamId::Organization { org_id } | StreamId::Member { org_id, .. } => org_id,
        }
    }
    /// The member's user id, for member streams.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            StreamId::Member { user_id, .. } => Some(user_id),
            StreamId::Organization { .. } => None,
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamId::Organization { org_id } => write!(f, "org-{org_id}"),
            StreamId::Member { org_id, user_id } => write!(f, "member-{org_id}-{user_id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_follow_category_id() {
        assert_eq!(
            StreamId::member("6267", "12346").to_string(),
            "member-6267-12346"
        );
        assert_eq!(StreamId::organization("6267").to_string(), "org-6267");
    }

    #[test]
    fn events_serialize_with_a_type_tag_and_roundtrip() {
        let event = Event::AccessRevoked {
            grant: GrantKey {
                basis: Basis::Plan,
                source_id: "29191".into(),
            },
            reason: RevokeReason::Withdrawn,
        };
        let json = serde_json::to_value(&event).expect("serialize");
        assert_eq!(json["type"], "AccessRevoked");
        assert_eq!(json["grant"]["basis"], "plan");
        let back: Event = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back, event);
    }

    #[test]
    fn sealed_debug_never_shows_ciphertext() {
        let sealed = Sealed {
            key: "member".into(),
            nonce: "n".into(),
            ciphertext: "secret".into(),
        };
        assert!(!format!("{sealed:?}").contains("secret"));
    }
}
