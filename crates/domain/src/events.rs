//! The events of the log. Names are past tense; payloads hold facts, never secrets in clear.

use crate::controller_target::ControllerTarget;
use crate::devices::{DeviceBinding, DeviceRemover, Mac};
use crate::dialect::NasDialect;
use crate::messages::MailSettings;
use crate::platform::{Platform, PlatformAccount};
use crate::policy::{AccessProfile, LocationSettings, VlanRange};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A secret sealed with an AEAD key that lives outside the log (see the `secrets` crate).
/// Destroying the key (crypto-shredding) makes the sealed value unrecoverable.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Plan,
    Booking,
    Guest,
    DayPass,
}

impl Basis {
    pub const ALL: [Basis; 4] = [Basis::Plan, Basis::Booking, Basis::Guest, Basis::DayPass];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Plan => "plan",
            Basis::Booking => "booking",
            Basis::Guest => "guest",
            Basis::DayPass => "day_pass",
        }
    }

    /// The basis [`Basis::as_str`] names (as projections store it), or none.
    pub fn parse(text: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|basis| basis.as_str() == text)
    }
}

/// A grant is identified by its basis and the Optix object behind it (account plan, booking).
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct GrantKey {
    pub basis: Basis,
    pub source_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnboardedVia {
    Sync,
    Webhook,
    Portal,
    MobileApp,
}

/// Who set a passphrase after the first one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PassphraseSource {
    /// The tenant chose it in the portal or the app.
    Tenant,
    /// The tenant asked for a new generated one.
    #[default]
    Generated,
}

/// What a grant gives on the network, from the plan's access profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GrantNetwork {
    pub profile: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_up_kbps: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_down_kbps: Option<u32>,
    /// The profile's device limit (None: the default, `devices::DEFAULT_DEVICE_LIMIT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_limit: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncKind {
    /// The import when an organization installs the app.
    Initial,
    /// The periodic repair run.
    Periodic,
    /// Asked for by an admin or an operator.
    Manual,
}

impl SyncKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncKind::Initial => "initial",
            SyncKind::Periodic => "periodic",
            SyncKind::Manual => "manual",
        }
    }
}

/// One correction a sync made: whose account, and which events it took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Correction {
    pub stream: String,
    pub events: Vec<String>,
    /// A change Optix sends no webhook for (a deleted team's group, and its members leaving
    /// it): expected of a sync, not drift. Omitted when false, so older reports read the same.
    #[serde(default, skip_serializing_if = "is_false")]
    pub expected: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Correction {
    /// A correction of something a webhook should have told us (drift).
    pub fn missed(stream: String, events: Vec<String>) -> Correction {
        Correction {
            stream,
            events,
            expected: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// Optix no longer shows the plan/booking (cancelled, ended, moved away).
    Withdrawn,
    /// The grant's validity ran out.
    Expired,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "PascalCase")]
pub enum Event {
    // ── org-{org} ────────────────────────────────────────────────────────────────────────
    /// The Optix app was installed; the organization token is sealed with the master key.
    /// The organization connected: Optix's organization token (an install), or an OfficeRnD
    /// application's client secret with its client id and organization slug (`account`).
    IntegrationConfigured {
        org_id: String,
        token: Sealed,
        /// Added with OfficeRnD: events written before read as Optix's.
        #[serde(default, skip_serializing_if = "Platform::is_optix")]
        platform: Platform,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<PlatformAccount>,
    },
    OrganizationTokenRotated {
        org_id: String,
        token: Sealed,
    },
    AppUninstalled {
        org_id: String,
    },
    /// A plan template now maps to this access profile (seed 001 "Plan Mapping").
    PlanMapped {
        plan_template_id: String,
        profile: AccessProfile,
    },
    /// The plan template falls back to the default profile again.
    PlanUnmapped {
        plan_template_id: String,
    },
    /// The profile of plans without a mapping.
    DefaultProfileSet {
        profile: AccessProfile,
    },
    /// The organization-wide pool team VLANs are drawn from (`None`: location pools only).
    VlanPoolSet {
        pool: Option<VlanRange>,
    },
    /// The organization's email settings, whole (issue 21): switches, sender, reminders and
    /// its own wording.
    MailSettingsSet {
        settings: MailSettings,
    },
    /// A full sync ended; `corrections` is the drift report: what the log had wrong and what
    /// the sync appended to fix it (capped, with the total in `corrected_streams`).
    SyncCompleted {
        kind: SyncKind,
        users_seen: u32,
        corrected_streams: u32,
        events_appended: u32,
        corrections: Vec<Correction>,
    },
    SyncFailed {
        kind: SyncKind,
        reason: String,
    },
    /// The organization's locale as its platform reports it (Optix's `organization { locale }`,
    /// e.g. `fr_CA`): the language of its pages and emails when nothing closer is known.
    OrganizationLocaleSet {
        locale: String,
    },

    // ── location-{org}-{loc} ─────────────────────────────────────────────────────────────
    LocationMapped {
        location_id: String,
        settings: LocationSettings,
    },
    LocationUnmapped {
        location_id: String,
    },
    /// A tenant asked for WiFi at an Optix location no Lanyard location maps (seed 000,
    /// "Unmapped Locations"): the admin's notification.
    UnmappedLocationUsed {
        location_id: String,
        user_id: Option<String>,
        at: DateTime<Utc>,
    },

    // ── group-{org}-{team} ───────────────────────────────────────────────────────────────
    /// A team became a group; `vlan` is held until the group is deleted.
    GroupCreated {
        team_id: String,
        name: String,
        vlan: Option<u16>,
    },
    GroupRenamed {
        name: String,
    },
    /// A group created without a VLAN (no pool, or the pool was full) got one.
    GroupVlanAssigned {
        vlan: u16,
    },
    /// The team is gone from Optix; its VLAN is free again.
    GroupDeleted {
        team_id: String,
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
    /// An account opened without a location (by a sync, from a plan valid everywhere) is bound
    /// where its holder first asked for WiFi.
    AccountBound {
        location_id: String,
    },
    /// `lookup_hash` is a keyed hash of the passphrase, unique within the organization.
    PassphraseIssued {
        passphrase: Sealed,
        lookup_hash: String,
    },
    PassphraseChanged {
        passphrase: Sealed,
        lookup_hash: String,
        #[serde(default)]
        source: PassphraseSource,
    },
    AccessGranted {
        grant: GrantKey,
        location_id: Option<String>,
        valid_from: Option<DateTime<Utc>>,
        valid_until: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        network: Option<GrantNetwork>,
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
    /// The member chose the language of their pages and emails (`i18n::Lang` code, `es`).
    LanguageChosen {
        language: String,
    },
    /// A device (by MAC) is the member's: MAC authentication finds the member by it.
    DeviceAdded {
        mac: Mac,
        name: String,
        bound_via: DeviceBinding,
    },
    DeviceRemoved {
        mac: Mac,
        by: DeviceRemover,
    },
    /// Lanyard asked a NAS to end one of the member's sessions (RFC 5176 Disconnect-Request).
    SessionDisconnectRequested {
        nas_id: String,
        session_id: String,
        mac: Mac,
    },
    /// What the NAS answered (or that it did not, after the retries).
    SessionDisconnectAnswered {
        nas_id: String,
        session_id: String,
        outcome: DisconnectOutcome,
    },

    // ── nas-{org}-{nas_id} ───────────────────────────────────────────────────────────────
    /// A NAS may ask for keys (or its registration changed).
    NasRegistered(NasRegistration),
    NasRemoved,

    // ── controller-{org}-{location} ──────────────────────────────────────────────────────
    /// The location's keys go to this cloud controller (replacing an earlier one).
    /// `credentials` are sealed with the master key, context
    /// `secrets::contexts::controller_credentials`; `token_hash` is the keyed hash of an OpenWrt
    /// AP group's fetch token.
    ControllerMapped {
        target: ControllerTarget,
        credentials: Sealed,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_hash: Option<String>,
    },
    ControllerUnmapped,
    /// The location wants more keys than its controller allows: nothing was applied there.
    ControllerOverLimit {
        vendor: String,
        wanted: usize,
        limit: usize,
    },
}

/// What a NAS registration records (the JSON of `NasRegistered` is these fields beside its
/// `type`). `address` is PostgreSQL `cidr` text (`10.0.0.7/32`, `10.0.0.0/24`); `secret` is
/// sealed with the master key, context `secrets::contexts::nas_secret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NasRegistration {
    pub location_id: String,
    pub name: String,
    pub address: String,
    pub dialect: NasDialect,
    pub ssids: Vec<String>,
    pub coa_port: u16,
    pub secret: Sealed,
}

/// How a NAS answered a Disconnect-Request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisconnectOutcome {
    /// Disconnect-ACK: the session is over.
    Acked,
    /// Disconnect-NAK: the NAS refused (e.g. it no longer knows the session).
    Nacked,
    /// No answer after the retries.
    NoAnswer,
}

impl Event {
    pub fn type_name(&self) -> &'static str {
        match self {
            Event::IntegrationConfigured { .. } => "IntegrationConfigured",
            Event::OrganizationTokenRotated { .. } => "OrganizationTokenRotated",
            Event::AppUninstalled { .. } => "AppUninstalled",
            Event::PlanMapped { .. } => "PlanMapped",
            Event::PlanUnmapped { .. } => "PlanUnmapped",
            Event::DefaultProfileSet { .. } => "DefaultProfileSet",
            Event::VlanPoolSet { .. } => "VlanPoolSet",
            Event::MailSettingsSet { .. } => "MailSettingsSet",
            Event::SyncCompleted { .. } => "SyncCompleted",
            Event::SyncFailed { .. } => "SyncFailed",
            Event::OrganizationLocaleSet { .. } => "OrganizationLocaleSet",
            Event::LocationMapped { .. } => "LocationMapped",
            Event::LocationUnmapped { .. } => "LocationUnmapped",
            Event::UnmappedLocationUsed { .. } => "UnmappedLocationUsed",
            Event::GroupCreated { .. } => "GroupCreated",
            Event::GroupRenamed { .. } => "GroupRenamed",
            Event::GroupVlanAssigned { .. } => "GroupVlanAssigned",
            Event::GroupDeleted { .. } => "GroupDeleted",
            Event::AccountOpened { .. } => "AccountOpened",
            Event::ProfileChanged { .. } => "ProfileChanged",
            Event::AccountBound { .. } => "AccountBound",
            Event::PassphraseIssued { .. } => "PassphraseIssued",
            Event::PassphraseChanged { .. } => "PassphraseChanged",
            Event::AccessGranted { .. } => "AccessGranted",
            Event::AccessRevoked { .. } => "AccessRevoked",
            Event::AccountSuspended => "AccountSuspended",
            Event::AccountResumed => "AccountResumed",
            Event::JoinedGroup { .. } => "JoinedGroup",
            Event::LeftGroup { .. } => "LeftGroup",
            Event::AccountDeleted => "AccountDeleted",
            Event::LanguageChosen { .. } => "LanguageChosen",
            Event::DeviceAdded { .. } => "DeviceAdded",
            Event::DeviceRemoved { .. } => "DeviceRemoved",
            Event::SessionDisconnectRequested { .. } => "SessionDisconnectRequested",
            Event::SessionDisconnectAnswered { .. } => "SessionDisconnectAnswered",
            Event::NasRegistered(_) => "NasRegistered",
            Event::NasRemoved => "NasRemoved",
            Event::ControllerMapped { .. } => "ControllerMapped",
            Event::ControllerUnmapped => "ControllerUnmapped",
            Event::ControllerOverLimit { .. } => "ControllerOverLimit",
        }
    }
}

/// Stream names follow Message DB's `category-id` convention.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StreamId {
    Organization {
        org_id: String,
    },
    Member {
        org_id: String,
        user_id: String,
    },
    Location {
        org_id: String,
        location_id: String,
    },
    Group {
        org_id: String,
        team_id: String,
    },
    /// A NAS id is `[a-z0-9-]{1,32}` (it may hold `-`; the organization id does not).
    Nas {
        org_id: String,
        nas_id: String,
    },
    /// A location's cloud WiFi controller.
    Controller {
        org_id: String,
        location_id: String,
    },
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
    pub fn location(org_id: &str, location_id: &str) -> Self {
        StreamId::Location {
            org_id: org_id.to_owned(),
            location_id: location_id.to_owned(),
        }
    }
    pub fn group(org_id: &str, team_id: &str) -> Self {
        StreamId::Group {
            org_id: org_id.to_owned(),
            team_id: team_id.to_owned(),
        }
    }
    pub fn nas(org_id: &str, nas_id: &str) -> Self {
        StreamId::Nas {
            org_id: org_id.to_owned(),
            nas_id: nas_id.to_owned(),
        }
    }
    pub fn controller(org_id: &str, location_id: &str) -> Self {
        StreamId::Controller {
            org_id: org_id.to_owned(),
            location_id: location_id.to_owned(),
        }
    }
    pub fn category(&self) -> &'static str {
        match self {
            StreamId::Organization { .. } => "org",
            StreamId::Member { .. } => "member",
            StreamId::Location { .. } => "location",
            StreamId::Group { .. } => "group",
            StreamId::Nas { .. } => "nas",
            StreamId::Controller { .. } => "controller",
        }
    }
    pub fn org_id(&self) -> &str {
        match self {
            StreamId::Organization { org_id }
            | StreamId::Member { org_id, .. }
            | StreamId::Location { org_id, .. }
            | StreamId::Group { org_id, .. }
            | StreamId::Nas { org_id, .. }
            | StreamId::Controller { org_id, .. } => org_id,
        }
    }
    /// The member's user id, for member streams.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            StreamId::Member { user_id, .. } => Some(user_id),
            _ => None,
        }
    }
    /// Parses `category-org-id` back (ids are Optix ids: they hold no `-`).
    pub fn parse(name: &str) -> Option<StreamId> {
        let mut parts = name.splitn(3, '-');
        let category = parts.next()?;
        let org_id = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let id = parts.next();
        match (category, id) {
            ("org", None) => Some(StreamId::Organization { org_id }),
            ("member", Some(user_id)) if !user_id.is_empty() => Some(StreamId::Member {
                org_id,
                user_id: user_id.to_owned(),
            }),
            ("location", Some(location_id)) if !location_id.is_empty() => {
                Some(StreamId::Location {
                    org_id,
                    location_id: location_id.to_owned(),
                })
            }
            ("group", Some(team_id)) if !team_id.is_empty() => Some(StreamId::Group {
                org_id,
                team_id: team_id.to_owned(),
            }),
            ("nas", Some(nas_id)) if !nas_id.is_empty() => Some(StreamId::Nas {
                org_id,
                nas_id: nas_id.to_owned(),
            }),
            ("controller", Some(location_id)) if !location_id.is_empty() => {
                Some(StreamId::Controller {
                    org_id,
                    location_id: location_id.to_owned(),
                })
            }
            _ => None,
        }
    }

    /// The NAS id, for NAS streams.
    pub fn nas_id(&self) -> Option<&str> {
        match self {
            StreamId::Nas { nas_id, .. } => Some(nas_id),
            _ => None,
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamId::Organization { org_id } => write!(f, "org-{org_id}"),
            StreamId::Member { org_id, user_id } => write!(f, "member-{org_id}-{user_id}"),
            StreamId::Location {
                org_id,
                location_id,
            } => write!(f, "location-{org_id}-{location_id}"),
            StreamId::Group { org_id, team_id } => write!(f, "group-{org_id}-{team_id}"),
            StreamId::Nas { org_id, nas_id } => write!(f, "nas-{org_id}-{nas_id}"),
            StreamId::Controller {
                org_id,
                location_id,
            } => write!(f, "controller-{org_id}-{location_id}"),
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
        for stream in [
            StreamId::member("6267", "12346"),
            StreamId::organization("6267"),
            StreamId::location("6267", "3390"),
            StreamId::group("6267", "123123"),
            StreamId::nas("6267", "lobby-ap-1"),
            StreamId::controller("6267", "3390"),
        ] {
            assert_eq!(StreamId::parse(&stream.to_string()), Some(stream));
        }
        assert_eq!(StreamId::parse("member-6267"), None);
        assert_eq!(StreamId::parse("account-6267-1"), None);
    }

    #[test]
    fn events_written_before_a_field_existed_still_read() {
        let old = serde_json::json!({
            "type": "PassphraseChanged",
            "passphrase": {"key": "member", "nonce": "n", "ciphertext": "c"},
            "lookup_hash": "h"
        });
        let event: Event = serde_json::from_value(old).expect("old event");
        assert!(matches!(
            event,
            Event::PassphraseChanged {
                source: PassphraseSource::Generated,
                ..
            }
        ));
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
    fn a_nas_registration_is_its_fields_beside_the_type_tag() {
        let json = serde_json::json!({
            "type": "NasRegistered",
            "location_id": "3390",
            "name": "Lobby AP",
            "address": "10.0.0.0/24",
            "dialect": "hostapd",
            "ssids": ["downtown"],
            "coa_port": 3799,
            "secret": {"key": "master", "nonce": "n", "ciphertext": "c"}
        });
        let event: Event = serde_json::from_value(json.clone()).expect("deserialize");
        let Event::NasRegistered(registration) = &event else {
            panic!("not a registration: {event:?}");
        };
        assert_eq!(registration.dialect, NasDialect::Hostapd);
        assert_eq!(serde_json::to_value(&event).expect("serialize"), json);
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

    /// `Basis::parse` reads what `as_str` (and serde, the projections' column) writes.
    #[test]
    fn a_basis_reads_back_from_its_name() {
        for basis in Basis::ALL {
            assert_eq!(Basis::parse(basis.as_str()), Some(basis));
            assert_eq!(
                serde_json::to_value(basis).ok(),
                Some(serde_json::Value::String(basis.as_str().into()))
            );
        }
        assert_eq!(Basis::parse("Plan"), None);
        assert_eq!(Basis::parse(""), None);
    }
}
