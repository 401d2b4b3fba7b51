//! Commands to provision over NATS request/reply: the portal (tenant and admin canvases) and the
//! CLI ask, provision (the only writer of the event log) decides and answers.
//!
//! Subject: `lanyard.commands.<sender>.<org>.<command>` (e.g.
//! `lanyard.commands.portal.6267.set_passphrase`); body: a JSON [`CommandRequest`]; answer: a
//! JSON [`Reply`]. Every refusal carries a code a program can act on and a message a person can
//! read. Requests may carry a passphrase in clear (set_passphrase): NATS connections must use
//! TLS outside loopback, and nothing on either side logs a request body.
//!
//! Who asks is established by the bus, not by the body: nats-server lets each identity publish
//! only under its own sender prefix ([`Sender`]), and provision checks that the actor a request
//! claims belongs to that sender and may run that command ([`authorize`]).

use domain::controller::ControllerTarget;
use domain::devices::DeviceBinding;
use domain::events::OnboardedVia;
use domain::member::DisconnectRecord;
use domain::messages::MailSettings;
use domain::nas::NasDialect;
use domain::policy::{AccessProfile, LocationSettings, VlanRange};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const COMMAND_SUBJECTS: &str = "lanyard.commands.>";

/// How long a caller waits for provision's answer (it may call the Optix API first).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Who may send commands: each has its own NATS identity, allowed to publish only under its
/// own subject prefix, so the subject a command arrives on names its sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// Acts for the tenants and Optix admins it authenticated, and for anonymous visitors.
    Portal,
    /// Acts for the operator.
    Cli,
    /// The RADIUS service: binds devices the network reports, records disconnects.
    Radius,
    /// The controllers service: reports what admins must act on (a vendor's key limit).
    Controllers,
}

impl Sender {
    pub fn token(self) -> &'static str {
        match self {
            Sender::Portal => "portal",
            Sender::Cli => "cli",
            Sender::Radius => "radius",
            Sender::Controllers => "controllers",
        }
    }

    pub fn from_token(token: &str) -> Option<Sender> {
        match token {
            "portal" => Some(Sender::Portal),
            "cli" => Some(Sender::Cli),
            "radius" => Some(Sender::Radius),
            "controllers" => Some(Sender::Controllers),
            _ => None,
        }
    }

    /// The subjects this sender may publish to.
    pub fn subjects(self) -> String {
        format!("lanyard.commands.{}.>", self.token())
    }
}

pub fn command_subject(sender: Sender, org_id: &str, command: &Command) -> String {
    format!(
        "lanyard.commands.{}.{}.{}",
        sender.token(),
        crate::subject_token(org_id),
        command.name()
    )
}

/// Who a command acts for, as written in [`CommandRequest::actor`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// `portal`: someone not signed in (sign-in by email, an unmapped location's report).
    Visitor,
    /// `tenant:<user id>`: a member the portal authenticated.
    Tenant(String),
    /// `admin:<user id>`: an Optix admin the portal authenticated on the admin canvas.
    Admin(String),
    /// `cli`: the operator.
    Operator,
    /// `radius`: the RADIUS service, reporting what the network saw.
    Radius,
    /// `controllers`: the controllers service, reporting what a vendor refused.
    Controllers,
}

impl Actor {
    pub fn parse(actor: &str) -> Option<Actor> {
        let id = |id: &str| {
            (!id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric()))
                .then(|| id.to_owned())
        };
        match actor.split_once(':') {
            None if actor == "portal" => Some(Actor::Visitor),
            None if actor == "cli" => Some(Actor::Operator),
            None if actor == "radius" => Some(Actor::Radius),
            None if actor == "controllers" => Some(Actor::Controllers),
            Some(("tenant", user)) => id(user).map(Actor::Tenant),
            Some(("admin", user)) => id(user).map(Actor::Admin),
            _ => None,
        }
    }

    /// Whether `sender` may act for this actor: the portal for visitors, tenants and admins,
    /// only the CLI for the operator.
    pub fn sent_by(&self, sender: Sender) -> bool {
        match self {
            Actor::Visitor | Actor::Tenant(_) | Actor::Admin(_) => sender == Sender::Portal,
            Actor::Operator => sender == Sender::Cli,
            Actor::Radius => sender == Sender::Radius,
            Actor::Controllers => sender == Sender::Controllers,
        }
    }

    /// Whether this actor may run `command`: a tenant acts only on their own account, an admin
    /// configures the organization, a visitor only asks who has an email or reports a location.
    pub fn may_run(&self, command: &Command) -> bool {
        match (self, command) {
            (Actor::Operator, _) => true,
            (Actor::Visitor, Command::FindUserByEmail { .. }) => true,
            (Actor::Visitor, Command::ReportUnmappedLocation { user_id, .. }) => user_id.is_none(),
            (
                Actor::Tenant(me),
                Command::Onboard { user_id, .. }
                | Command::SetPassphrase { user_id, .. }
                | Command::RegeneratePassphrase { user_id },
            ) => user_id == me,
            (
                Actor::Tenant(me),
                Command::AddDevice { user_id, .. }
                | Command::RemoveDevice { user_id, .. }
                | Command::ChooseLanguage { user_id, .. },
            ) => user_id == me,
            (Actor::Radius, Command::BindDevice { .. } | Command::RecordDisconnect { .. }) => true,
            (Actor::Controllers, Command::ReportControllerOverLimit { .. }) => true,
            (Actor::Tenant(me), Command::ReportUnmappedLocation { user_id, .. }) => {
                user_id.as_ref().is_none_or(|user| user == me)
            }
            (
                Actor::Admin(_),
                Command::MapLocation { .. }
                | Command::UnmapLocation { .. }
                | Command::MapPlan { .. }
                | Command::UnmapPlan { .. }
                | Command::SetDefaultProfile { .. }
                | Command::SetVlanPool { .. }
                | Command::SetMailSettings { .. }
                | Command::SyncNow
                | Command::RegisterNas { .. }
                | Command::RemoveNas { .. }
                | Command::MapController { .. }
                | Command::UnmapController { .. }
                | Command::ConnectOfficeRnd { .. }
                | Command::AddDevice { .. }
                | Command::RemoveDevice { .. },
            ) => true,
            _ => false,
        }
    }
}

/// Provision's check of a command before anything runs: the subject it arrived on names the
/// sender (nats-server allows each identity only its own prefix), the organization and the
/// command must be those of the body, and the actor must belong to that sender and may run the
/// command. The error says why, for the refusal and the log (never the body).
pub fn authorize(subject: &str, request: &CommandRequest) -> Result<(Sender, Actor), String> {
    let mut tokens = subject.splitn(5, '.');
    let (Some("lanyard"), Some("commands"), Some(sender), Some(org), Some(name)) = (
        tokens.next(),
        tokens.next(),
        tokens.next(),
        tokens.next(),
        tokens.next(),
    ) else {
        return Err("the command arrived on a subject that names no sender".into());
    };
    let sender =
        Sender::from_token(sender).ok_or_else(|| format!("{sender} may not send commands"))?;
    if org != crate::subject_token(&request.org_id) || name != request.command.name() {
        return Err("the subject's organization or command differs from the body's".into());
    }
    let actor = Actor::parse(&request.actor)
        .ok_or_else(|| format!("the actor {:?} is not one Lanyard knows", request.actor))?;
    if !actor.sent_by(sender) {
        return Err(format!(
            "the {} may not act as {}",
            sender.token(),
            request.actor
        ));
    }
    if !actor.may_run(&request.command) {
        return Err(format!("{} may not run {}", request.actor, name));
    }
    Ok((sender, actor))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRequest {
    pub org_id: String,
    /// Who asks, for the event metadata: `tenant:12346`, `admin:12347`, `portal`, `cli` (see
    /// [`Actor`]; provision refuses an actor the sender may not act for).
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

/// A credential in a request (a cloud controller's API key, an OpenWrt AP group's fetch token,
/// an OfficeRnD application's client secret or webhook secret; provision seals it): Debug never
/// shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CredentialText(pub String);

impl std::fmt::Debug for CredentialText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A NAS's RADIUS shared secret in a request (provision seals it): Debug never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NasSecretText(pub String);

impl std::fmt::Debug for NasSecretText {
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
    /// Admin/ops: the organization's email settings, whole (what the asker read, changed).
    SetMailSettings {
        settings: MailSettings,
    },
    /// A tenant opened WiFi from an Optix location that is not mapped: notify the admins.
    ReportUnmappedLocation {
        location_id: String,
        user_id: Option<String>,
    },
    /// Admin/ops: run a full sync of the organization now.
    SyncNow,
    /// Admin/ops: register a NAS (or change its registration). `address` is an IP address or
    /// network as typed (`10.0.0.7`, `10.0.0.0/24`); `coa_port` defaults to 3799; `secret`
    /// may be left out when re-registering (the recorded one is kept).
    RegisterNas {
        nas_id: String,
        location_id: String,
        name: String,
        address: String,
        dialect: NasDialect,
        ssids: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coa_port: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<NasSecretText>,
    },
    RemoveNas {
        nas_id: String,
    },
    /// Operator, or an admin on the portal's OfficeRnD pages (signed in by OfficeRnD's signed
    /// integration page, or holding the operator's connect code): connect an OfficeRnD
    /// organization (`lanyard officernd connect`): the
    /// application's client id and secret, the organization's slug, and the secret of the
    /// webhook endpoint that sends to `/webhooks/officernd/{organization id}`. Provision tests
    /// the connection (a token and the organization lookup) before recording anything.
    ConnectOfficeRnd {
        client_id: String,
        client_secret: CredentialText,
        slug: String,
        webhook_secret: CredentialText,
    },
    /// Admin/ops: the location's keys go to this cloud WiFi controller (replacing an earlier
    /// one), reached with `credentials` (sealed by provision before they enter an event).
    MapController {
        location_id: String,
        target: ControllerTarget,
        credentials: CredentialText,
    },
    UnmapController {
        location_id: String,
    },
    /// The controllers service: the location wants more keys than its controller allows
    /// (nothing was applied there); the admins are notified.
    ReportControllerOverLimit {
        location_id: String,
        wanted: usize,
        limit: usize,
    },
    /// A device (MAC as typed: `AA:BB:…`, `aa-bb-…`, `aabb.ccdd.eeff`) for a member: the
    /// tenant for themselves, an admin, the operator.
    AddDevice {
        user_id: String,
        mac: String,
        name: String,
    },
    RemoveDevice {
        user_id: String,
        mac: String,
    },
    /// The tenant chose the language of their pages and emails on the portal (`es`).
    ChooseLanguage {
        user_id: String,
        language: String,
    },
    /// RADIUS: the network reports that this device joined with this member's key. Bound
    /// under a made-up name when under the limit; nothing when already bound to the member.
    BindDevice {
        user_id: String,
        mac: String,
        via: DeviceBinding,
    },
    /// RADIUS: a Disconnect-Request sent for one of the member's sessions, or its answer.
    RecordDisconnect {
        user_id: String,
        record: DisconnectRecord,
    },
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
            Command::SetMailSettings { .. } => "set_mail_settings",
            Command::ReportUnmappedLocation { .. } => "report_unmapped_location",
            Command::SyncNow => "sync_now",
            Command::RegisterNas { .. } => "register_nas",
            Command::RemoveNas { .. } => "remove_nas",
            Command::ConnectOfficeRnd { .. } => "connect_officernd",
            Command::MapController { .. } => "map_controller",
            Command::UnmapController { .. } => "unmap_controller",
            Command::ReportControllerOverLimit { .. } => "report_controller_over_limit",
            Command::AddDevice { .. } => "add_device",
            Command::RemoveDevice { .. } => "remove_device",
            Command::ChooseLanguage { .. } => "choose_language",
            Command::BindDevice { .. } => "bind_device",
            Command::RecordDisconnect { .. } => "record_disconnect",
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
    /// The sender may not act for the claimed actor, or the actor may not run this command.
    Forbidden,
    /// The member has as many devices as their plan allows.
    DeviceLimitReached,
    /// The MAC is registered to another member of the organization.
    DeviceTaken,
    /// The MAC address is not one (the message shows the accepted forms).
    InvalidMac,
    /// The member has no device with this MAC.
    UnknownDevice,
    /// Another NAS (any organization) has an address overlapping this one.
    NasAddressTaken,
    /// The NAS's location is not a mapped Lanyard location.
    UnknownLocation,
    /// There is no NAS with this id in the organization.
    UnknownNas,
    /// An organization's own wording of its emails does not pass the catalogue's check: the
    /// message names the language and the line.
    InvalidWording,
}

impl RefusalCode {
    /// The code as it stands in a reply's JSON, in logs and in metric labels.
    pub fn label(self) -> &'static str {
        match self {
            RefusalCode::NotInstalled => "not_installed",
            RefusalCode::UnknownUser => "unknown_user",
            RefusalCode::LocationNotMapped => "location_not_mapped",
            RefusalCode::NoAccess => "no_access",
            RefusalCode::NoAccount => "no_account",
            RefusalCode::Suspended => "suspended",
            RefusalCode::InvalidPassphrase => "invalid_passphrase",
            RefusalCode::PassphraseTaken => "passphrase_taken",
            RefusalCode::Invalid => "invalid",
            RefusalCode::Unavailable => "unavailable",
            RefusalCode::Forbidden => "forbidden",
            RefusalCode::DeviceLimitReached => "device_limit_reached",
            RefusalCode::DeviceTaken => "device_taken",
            RefusalCode::InvalidMac => "invalid_mac",
            RefusalCode::UnknownDevice => "unknown_device",
            RefusalCode::NasAddressTaken => "nas_address_taken",
            RefusalCode::UnknownLocation => "unknown_location",
            RefusalCode::UnknownNas => "unknown_nas",
            RefusalCode::InvalidWording => "invalid_wording",
        }
    }
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
    #[error("the NATS identity {0} sends no commands (only the portal, the CLI and RADIUS do)")]
    NotASender(&'static str),
}

impl crate::Bus {
    /// Sends a command to provision and waits for its answer.
    pub async fn command(
        &self,
        org_id: &str,
        actor: &str,
        command: Command,
    ) -> Result<Reply, CommandError> {
        let sender = self
            .identity()
            .command_sender()
            .ok_or(CommandError::NotASender(self.identity().name()))?;
        let subject = command_subject(sender, org_id, &command);
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
            command_subject(Sender::Portal, "6267", &request.command),
            "lanyard.commands.portal.6267.set_passphrase"
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

    #[test]
    fn refusal_labels_are_the_codes_in_json() {
        for code in [
            RefusalCode::NotInstalled,
            RefusalCode::UnknownUser,
            RefusalCode::LocationNotMapped,
            RefusalCode::NoAccess,
            RefusalCode::NoAccount,
            RefusalCode::Suspended,
            RefusalCode::InvalidPassphrase,
            RefusalCode::PassphraseTaken,
            RefusalCode::Invalid,
            RefusalCode::Unavailable,
            RefusalCode::Forbidden,
            RefusalCode::DeviceLimitReached,
            RefusalCode::DeviceTaken,
            RefusalCode::InvalidMac,
            RefusalCode::UnknownDevice,
            RefusalCode::NasAddressTaken,
            RefusalCode::UnknownLocation,
            RefusalCode::UnknownNas,
            RefusalCode::InvalidWording,
        ] {
            assert_eq!(
                serde_json::to_value(code).expect("json"),
                serde_json::json!(code.label())
            );
        }
    }

    fn request(actor: &str, command: Command) -> CommandRequest {
        CommandRequest {
            org_id: "6267".into(),
            actor: actor.into(),
            command,
        }
    }

    fn set(user: &str) -> Command {
        Command::SetPassphrase {
            user_id: user.into(),
            passphrase: PassphraseText("correct horse battery".into()),
        }
    }

    #[test]
    fn the_subject_names_the_sender_and_the_actor_must_be_its_own() {
        let portal = "lanyard.commands.portal.6267.set_passphrase";
        let cli = "lanyard.commands.cli.6267.set_passphrase";
        assert!(authorize(portal, &request("tenant:12346", set("12346"))).is_ok());
        // A tenant acts only on their own account.
        assert!(authorize(portal, &request("tenant:12346", set("12347"))).is_err());
        // The portal cannot claim the operator, the CLI cannot claim an admin or a tenant.
        assert!(authorize(portal, &request("cli", set("12346"))).is_err());
        assert!(authorize(cli, &request("admin:12351", set("12346"))).is_err());
        assert!(authorize(cli, &request("tenant:12346", set("12346"))).is_err());
        assert!(authorize(cli, &request("cli", set("12346"))).is_ok());
        // Made-up senders and actors, and a body that differs from its subject.
        for (subject, refused) in [
            (
                "lanyard.commands.ingest.6267.set_passphrase",
                request("cli", set("1")),
            ),
            (portal, request("admin:12351", set("12346"))),
            (portal, request("tenant:", set(""))),
            (
                "lanyard.commands.portal.9999.set_passphrase",
                request("tenant:1", set("1")),
            ),
            (
                "lanyard.commands.portal.6267.sync_now",
                request("tenant:1", set("1")),
            ),
        ] {
            assert!(authorize(subject, &refused).is_err(), "{subject}");
        }
        let sync = "lanyard.commands.portal.6267.sync_now";
        assert!(authorize(sync, &request("admin:12351", Command::SyncNow)).is_ok());
        assert!(authorize(sync, &request("tenant:12346", Command::SyncNow)).is_err());
        assert!(authorize(sync, &request("portal", Command::SyncNow)).is_err());
    }

    #[test]
    fn only_an_admin_and_the_operator_set_the_email_settings() {
        let settings = || Command::SetMailSettings {
            settings: MailSettings::default(),
        };
        let portal = "lanyard.commands.portal.6267.set_mail_settings";
        let cli = "lanyard.commands.cli.6267.set_mail_settings";
        assert!(authorize(portal, &request("admin:12351", settings())).is_ok());
        assert!(authorize(cli, &request("cli", settings())).is_ok());
        assert!(authorize(portal, &request("tenant:12346", settings())).is_err());
        assert!(authorize(portal, &request("portal", settings())).is_err());
        let radius = "lanyard.commands.radius.6267.set_mail_settings";
        assert!(authorize(radius, &request("radius", settings())).is_err());
    }

    #[test]
    fn a_tenant_chooses_only_their_own_language() {
        let subject = "lanyard.commands.portal.6267.choose_language";
        let choose = |user: &str| Command::ChooseLanguage {
            user_id: user.into(),
            language: "es".into(),
        };
        assert!(authorize(subject, &request("tenant:12346", choose("12346"))).is_ok());
        assert!(authorize(subject, &request("tenant:12346", choose("12347"))).is_err());
        assert!(authorize(subject, &request("portal", choose("12346"))).is_err());
    }
}
