//! The member aggregate: one WiFi account per Optix user (`member-{org}-{user}` stream).

use crate::access::{DesiredAccess, DesiredGrant};
use crate::aggregate::Aggregate;
use crate::devices::{
    DeviceBinding, DeviceNameError, DeviceRemover, Mac, bound_device_name, device_name,
};
use crate::events::{
    DisconnectOutcome, Event, GrantKey, OnboardedVia, PassphraseSource, RevokeReason, Sealed,
};
use crate::passphrase::{self, PassphraseError, Plaintext};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Member {
    pub opened: bool,
    pub deleted: bool,
    pub suspended: bool,
    pub home_location: Option<String>,
    pub email_hash: Option<String>,
    pub passphrase_hash: Option<String>,
    pub team_id: Option<String>,
    pub grants: BTreeMap<GrantKey, DesiredGrant>,
    /// The member's devices and how each was bound.
    pub devices: BTreeMap<Mac, DeviceBinding>,
    /// The language the member last chose (an `i18n::Lang` code).
    pub language: Option<String>,
}

impl Member {
    /// Open, not deleted: the account exists.
    pub fn is_open(&self) -> bool {
        self.opened && !self.deleted
    }

    /// Rebuild from history.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        Self::from_history(events)
    }

    /// How many devices the member may have at `now`: the largest limit of the profiles of
    /// the live grants (see [`crate::devices::device_limit`]).
    pub fn device_limit(&self, now: DateTime<Utc>) -> u16 {
        crate::devices::device_limit(
            self.grants
                .values()
                .filter(|g| g.validity().is_live_at(now))
                .map(|g| g.network.as_ref().and_then(|n| n.device_limit)),
        )
    }

    /// What a reconciliation or onboarding with this email hash may need sealed.
    pub fn needs(&self, email_hash: &str) -> Needs {
        Needs {
            profile: !self.is_open() || self.email_hash.as_deref() != Some(email_hash),
            passphrase: !self.is_open(),
        }
    }
}

/// Secrets generated at the edge (CSPRNG + AEAD) before deciding; used only if the decision
/// needs them, so `decide` stays pure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreshPassphrase {
    pub passphrase: Sealed,
    pub lookup_hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub sealed: Sealed,
    pub email_hash: String,
}

/// The secrets a reconciliation may need, made at the edge only when [`Member::needs`] says
/// so (sealing and the uniqueness check are the costly part of deciding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secrets {
    /// Keyed hash of the email Optix reports now (always known: it is cheap).
    pub email_hash: String,
    /// The sealed name and email, for a new account or a changed email.
    pub profile: Option<Sealed>,
    /// The first passphrase, for a new account.
    pub passphrase: Option<FreshPassphrase>,
}

/// Which secrets a decision on this state would use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Needs {
    pub profile: bool,
    pub passphrase: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // commands are short-lived values, never stored in bulk
pub enum MemberCommand {
    /// Close the gap between what Optix says (`desired`) and what the log says.
    Reconcile {
        org_id: String,
        user_id: String,
        desired: DesiredAccess,
        via: OnboardedVia,
        secrets: Secrets,
    },
    /// Record the end of every grant whose validity has run out by `now`.
    ExpireGrants {
        now: DateTime<Utc>,
    },
    /// A tenant asks for WiFi at `location_id` (portal or mobile app). `desired` was decided as
    /// if the account were bound there; a new account is bound there (rule 1).
    Onboard {
        org_id: String,
        user_id: String,
        location_id: String,
        via: OnboardedVia,
        desired: DesiredAccess,
        secrets: Secrets,
    },
    /// A new passphrase, chosen by the tenant or generated. `candidate` is checked against the
    /// policy here; `taken` says whether another member of the organization already uses it
    /// (known at the edge through the keyed hash, never by decrypting).
    SetPassphrase {
        candidate: Plaintext,
        sealed: FreshPassphrase,
        taken: bool,
        source: PassphraseSource,
    },
    /// A device registered by the tenant or an admin, within the member's device limit at
    /// `now` (see [`Member::device_limit`]); `taken` says whether another member of the
    /// organization has this MAC (known at the edge, checked again at commit).
    AddDevice {
        mac: Mac,
        name: String,
        via: DeviceBinding,
        taken: bool,
        now: DateTime<Utc>,
    },
    /// The network reports which member's key a device joined with (RADIUS accounting or
    /// the handshake): bind it under a made-up name; nothing when it is bound already.
    BindDevice {
        mac: Mac,
        via: DeviceBinding,
        taken: bool,
        now: DateTime<Utc>,
    },
    RemoveDevice {
        mac: Mac,
        by: DeviceRemover,
    },
    /// A Disconnect-Request sent for one of the member's sessions, or its answer: history.
    RecordDisconnect(DisconnectRecord),
    /// The tenant picked a language on the portal (`es`, `fr-CA`: any tag `i18n::Lang` reads).
    ChooseLanguage {
        language: String,
    },
}

/// One step of ending a session by RFC 5176 Disconnect-Request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum DisconnectRecord {
    Requested {
        nas_id: String,
        session_id: String,
        mac: Mac,
    },
    Answered {
        nas_id: String,
        session_id: String,
        outcome: DisconnectOutcome,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MemberError {
    #[error("the account does not exist")]
    NoAccount,
    #[error("the account is suspended: there is no active plan or booking")]
    Suspended,
    #[error("no active plan or booking gives WiFi access at this location")]
    NoAccess,
    #[error(transparent)]
    Passphrase(#[from] PassphraseError),
    #[error("this passphrase is already in use; choose another one")]
    PassphraseTaken,
    #[error("the decision needs the {0} the caller did not provide")]
    MissingSecret(&'static str),
    #[error(transparent)]
    DeviceName(#[from] DeviceNameError),
    #[error("You can register at most {0} devices; remove one first")]
    DeviceLimitReached(u16),
    #[error("this device ({0}) is already registered to this account")]
    DeviceAlreadyAdded(String),
    #[error("this device ({0}) is registered to another member of the organization")]
    DeviceTaken(String),
    #[error("there is no device {0} on this account")]
    NoSuchDevice(String),
    #[error("Lanyard is not written in the language {0:?}; choose one of en, fr, es, de, pt, it")]
    UnknownLanguage(String),
}

impl Aggregate for Member {
    type Command = MemberCommand;
    type Error = MemberError;

    fn decide(&self, command: MemberCommand) -> Result<Vec<Event>, MemberError> {
        match command {
            MemberCommand::ExpireGrants { now } => expire_grants(self, now),
            MemberCommand::Reconcile {
                org_id,
                user_id,
                desired,
                via,
                secrets,
            } => reconcile(self, org_id, user_id, desired, via, secrets),
            MemberCommand::Onboard {
                org_id,
                user_id,
                location_id,
                via,
                desired,
                secrets,
            } => onboard(self, org_id, user_id, location_id, via, desired, secrets),
            MemberCommand::SetPassphrase {
                candidate,
                sealed,
                taken,
                source,
            } => set_passphrase(self, &candidate, sealed, taken, source),
            MemberCommand::AddDevice {
                mac,
                name,
                via,
                taken,
                now,
            } => add_device(self, mac, Some(&name), via, taken, self.device_limit(now)),
            MemberCommand::BindDevice {
                mac,
                via,
                taken,
                now,
            } => add_device(self, mac, None, via, taken, self.device_limit(now)),
            MemberCommand::RemoveDevice { mac, by } => remove_device(self, mac, by),
            // History, even of a deleted account (its sessions are what gets ended).
            MemberCommand::RecordDisconnect(record) if self.opened => {
                Ok(vec![record_disconnect(record)])
            }
            MemberCommand::RecordDisconnect(_) => Err(MemberError::NoAccount),
            MemberCommand::ChooseLanguage { language } => choose_language(self, &language),
        }
    }

    fn evolve(self, event: &Event) -> Self {
        evolve(self, event)
    }
}

fn onboard(
    state: &Member,
    org_id: String,
    user_id: String,
    location_id: String,
    via: OnboardedVia,
    mut desired: DesiredAccess,
    secrets: Secrets,
) -> Result<Vec<Event>, MemberError> {
    if state.is_open() {
        // One account per user. One opened by a sync from a plan valid everywhere has
        // no location yet: the first onboarding binds it (rule 1). Either way the
        // account is brought up to date with `desired`, decided at its location.
        let mut events = Vec::new();
        let mut current = state.clone();
        if state.home_location.is_none() {
            let bound = Event::AccountBound { location_id };
            current = current.evolve(&bound);
            events.push(bound);
        }
        events.extend(reconcile(&current, org_id, user_id, desired, via, secrets)?);
        return Ok(events);
    }
    if !desired.exists || desired.grants.is_empty() {
        return Err(MemberError::NoAccess);
    }
    desired.home_location_hint = Some(location_id);
    reconcile(state, org_id, user_id, desired, via, secrets)
}

/// The choice is stored as the language's code; choosing the current one again says nothing.
fn choose_language(state: &Member, language: &str) -> Result<Vec<Event>, MemberError> {
    if !state.is_open() {
        return Err(MemberError::NoAccount);
    }
    let lang = i18n::Lang::from_tag(language)
        .ok_or_else(|| MemberError::UnknownLanguage(language.chars().take(35).collect()))?;
    if state.language.as_deref() == Some(lang.code()) {
        return Ok(vec![]);
    }
    Ok(vec![Event::LanguageChosen {
        language: lang.code().to_owned(),
    }])
}

fn set_passphrase(
    state: &Member,
    candidate: &Plaintext,
    sealed: FreshPassphrase,
    taken: bool,
    source: PassphraseSource,
) -> Result<Vec<Event>, MemberError> {
    if !state.is_open() {
        return Err(MemberError::NoAccount);
    }
    if state.suspended {
        return Err(MemberError::Suspended);
    }
    match source {
        PassphraseSource::Tenant => passphrase::validate_chosen(candidate.expose())?,
        PassphraseSource::Generated => passphrase::validate(candidate.expose())?,
    }
    if state.passphrase_hash.as_deref() == Some(sealed.lookup_hash.as_str()) {
        return Ok(vec![]);
    }
    if taken {
        return Err(MemberError::PassphraseTaken);
    }
    Ok(vec![Event::PassphraseChanged {
        passphrase: sealed.passphrase,
        lookup_hash: sealed.lookup_hash,
        source,
    }])
}

/// A device added by a person (`name` given) or bound by the network (`None`: it gets a
/// made-up name, and binding again what is bound changes nothing: reports arrive at least
/// once).
fn add_device(
    state: &Member,
    mac: Mac,
    name: Option<&str>,
    via: DeviceBinding,
    taken: bool,
    limit: u16,
) -> Result<Vec<Event>, MemberError> {
    if !state.is_open() {
        return Err(MemberError::NoAccount);
    }
    let name = name.map(device_name).transpose()?;
    if state.devices.contains_key(&mac) {
        return match name {
            Some(_) => Err(MemberError::DeviceAlreadyAdded(mac.display_colons())),
            None => Ok(vec![]),
        };
    }
    if taken {
        return Err(MemberError::DeviceTaken(mac.display_colons()));
    }
    if state.devices.len() >= usize::from(limit) {
        return Err(MemberError::DeviceLimitReached(limit));
    }
    Ok(vec![Event::DeviceAdded {
        mac,
        name: name.unwrap_or_else(|| bound_device_name(mac)),
        bound_via: via,
    }])
}

fn remove_device(state: &Member, mac: Mac, by: DeviceRemover) -> Result<Vec<Event>, MemberError> {
    if !state.is_open() {
        return Err(MemberError::NoAccount);
    }
    if !state.devices.contains_key(&mac) {
        return Err(MemberError::NoSuchDevice(mac.display_colons()));
    }
    Ok(vec![Event::DeviceRemoved { mac, by }])
}

fn record_disconnect(record: DisconnectRecord) -> Event {
    match record {
        DisconnectRecord::Requested {
            nas_id,
            session_id,
            mac,
        } => Event::SessionDisconnectRequested {
            nas_id,
            session_id,
            mac,
        },
        DisconnectRecord::Answered {
            nas_id,
            session_id,
            outcome,
        } => Event::SessionDisconnectAnswered {
            nas_id,
            session_id,
            outcome,
        },
    }
}

fn expire_grants(state: &Member, now: DateTime<Utc>) -> Result<Vec<Event>, MemberError> {
    if !state.is_open() {
        return Err(MemberError::NoAccount);
    }
    let mut events: Vec<Event> = state
        .grants
        .iter()
        .filter(|(_, g)| g.valid_until.is_some_and(|until| until <= now))
        .map(|(key, _)| Event::AccessRevoked {
            grant: key.clone(),
            reason: RevokeReason::Expired,
        })
        .collect();
    let remaining = state.grants.len() - events.len();
    if !events.is_empty() && remaining == 0 && !state.suspended {
        events.push(Event::AccountSuspended);
    }
    Ok(events)
}

fn reconcile(
    state: &Member,
    org_id: String,
    user_id: String,
    desired: DesiredAccess,
    via: OnboardedVia,
    secrets: Secrets,
) -> Result<Vec<Event>, MemberError> {
    let mut events = Vec::new();
    if !desired.exists {
        if state.is_open() {
            events.push(Event::AccountDeleted);
        }
        return Ok(events);
    }
    let current = if state.is_open() {
        if state.needs(&secrets.email_hash).profile {
            events.push(Event::ProfileChanged {
                email_hash: secrets.email_hash,
                profile: secrets
                    .profile
                    .ok_or(MemberError::MissingSecret("sealed profile"))?,
            });
        }
        state.clone()
    } else if desired.grants.is_empty() {
        // No account for users without access: it is opened by the first grant (or onboarding).
        return Ok(events);
    } else {
        events.extend(open_account(org_id, user_id, &desired, via, secrets)?);
        Member {
            opened: true,
            ..Member::default()
        }
    };
    events.extend(grant_changes(&current, &desired));
    events.extend(group_changes(&current, &desired));
    let has_access = !desired.grants.is_empty();
    if !has_access && !current.suspended {
        events.push(Event::AccountSuspended);
    } else if has_access && current.suspended {
        events.push(Event::AccountResumed);
    }
    Ok(events)
}

/// A new account with its sealed profile and first passphrase.
fn open_account(
    org_id: String,
    user_id: String,
    desired: &DesiredAccess,
    via: OnboardedVia,
    secrets: Secrets,
) -> Result<[Event; 2], MemberError> {
    let profile = secrets
        .profile
        .ok_or(MemberError::MissingSecret("sealed profile"))?;
    let fresh = secrets
        .passphrase
        .ok_or(MemberError::MissingSecret("first passphrase"))?;
    Ok([
        Event::AccountOpened {
            org_id,
            user_id,
            home_location: desired.home_location_hint.clone(),
            via,
            email_hash: secrets.email_hash,
            profile,
        },
        Event::PassphraseIssued {
            passphrase: fresh.passphrase,
            lookup_hash: fresh.lookup_hash,
        },
    ])
}

/// Grants added or changed, then grants no longer desired.
fn grant_changes(current: &Member, desired: &DesiredAccess) -> Vec<Event> {
    let granted = desired
        .grants
        .iter()
        .filter(|(key, grant)| current.grants.get(*key) != Some(*grant))
        .map(|(key, grant)| Event::AccessGranted {
            grant: key.clone(),
            location_id: grant.location_id.clone(),
            valid_from: grant.valid_from,
            valid_until: grant.valid_until,
            network: grant.network.clone(),
        });
    let withdrawn = current
        .grants
        .keys()
        .filter(|key| !desired.grants.contains_key(*key))
        .map(|key| Event::AccessRevoked {
            grant: key.clone(),
            reason: RevokeReason::Withdrawn,
        });
    granted.chain(withdrawn).collect()
}

/// Leaving the old team's group and joining the new one's.
fn group_changes(current: &Member, desired: &DesiredAccess) -> Vec<Event> {
    let mut events = Vec::new();
    if desired.team_id() != current.team_id.as_deref() {
        if let Some(old) = &current.team_id {
            events.push(Event::LeftGroup {
                team_id: old.clone(),
            });
        }
        if let Some(new) = desired.team_id() {
            events.push(Event::JoinedGroup {
                team_id: new.to_owned(),
            });
        }
    }
    events
}

pub fn evolve(mut state: Member, event: &Event) -> Member {
    match event {
        Event::AccountOpened {
            home_location,
            email_hash,
            ..
        } => {
            state = Member {
                opened: true,
                home_location: home_location.clone(),
                email_hash: Some(email_hash.clone()),
                ..Member::default()
            };
        }
        Event::ProfileChanged { email_hash, .. } => state.email_hash = Some(email_hash.clone()),
        Event::AccountBound { location_id } => state.home_location = Some(location_id.clone()),
        Event::PassphraseIssued { lookup_hash, .. }
        | Event::PassphraseChanged { lookup_hash, .. } => {
            state.passphrase_hash = Some(lookup_hash.clone());
        }
        Event::AccessGranted { .. } => state.grants.extend(DesiredGrant::granted_by(event)),
        Event::AccessRevoked { grant, .. } => {
            state.grants.remove(grant);
        }
        Event::AccountSuspended => state.suspended = true,
        Event::AccountResumed => state.suspended = false,
        Event::JoinedGroup { team_id } => state.team_id = Some(team_id.clone()),
        Event::LeftGroup { .. } => state.team_id = None,
        Event::DeviceAdded { mac, bound_via, .. } => {
            state.devices.insert(*mac, *bound_via);
        }
        Event::DeviceRemoved { mac, .. } => {
            state.devices.remove(mac);
        }
        Event::LanguageChosen { language } => state.language = Some(language.clone()),
        Event::AccountDeleted => {
            state = Member {
                opened: true,
                deleted: true,
                ..Member::default()
            };
        }
        // Other aggregates' events never reach a member stream.
        _ => {}
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Basis;
    use crate::testing::at;

    pub(super) fn sealed(tag: &str) -> Sealed {
        Sealed {
            key: "member".into(),
            nonce: tag.into(),
            ciphertext: tag.into(),
        }
    }
    fn plan_key(id: &str) -> GrantKey {
        GrantKey {
            basis: Basis::Plan,
            source_id: id.into(),
        }
    }
    fn desired(grants: &[(&str, Option<&str>)]) -> DesiredAccess {
        DesiredAccess {
            exists: true,
            grants: grants
                .iter()
                .map(|(id, until)| {
                    (
                        plan_key(id),
                        DesiredGrant {
                            location_id: Some("3390".into()),
                            valid_from: None,
                            valid_until: until.map(at),
                            network: None,
                        },
                    )
                })
                .collect(),
            team: None,
            home_location_hint: Some("3390".into()),
        }
    }
    fn reconcile_with(desired: DesiredAccess) -> MemberCommand {
        MemberCommand::Reconcile {
            org_id: "6267".into(),
            user_id: "12346".into(),
            desired,
            via: OnboardedVia::Webhook,
            secrets: secrets(),
        }
    }

    fn secrets() -> Secrets {
        Secrets {
            email_hash: "eh".into(),
            profile: Some(sealed("profile")),
            passphrase: Some(FreshPassphrase {
                passphrase: sealed("pp"),
                lookup_hash: "ph".into(),
            }),
        }
    }

    #[test]
    fn only_new_accounts_and_changed_emails_need_secrets() {
        assert_eq!(
            Member::default().needs("eh"),
            Needs {
                profile: true,
                passphrase: true
            }
        );
        let open = Member::from_events(&opened());
        assert_eq!(
            open.needs("eh"),
            Needs {
                profile: false,
                passphrase: false
            }
        );
        assert!(open.needs("other").profile);
        let without = MemberCommand::Reconcile {
            org_id: "6267".into(),
            user_id: "12346".into(),
            desired: desired(&[("1", None)]),
            via: OnboardedVia::Sync,
            secrets: Secrets {
                email_hash: "eh".into(),
                profile: None,
                passphrase: None,
            },
        };
        assert_eq!(
            Member::default().decide(without.clone()),
            Err(MemberError::MissingSecret("sealed profile"))
        );
        assert!(open.decide(without).is_ok());
    }

    /// given `history`, when `command`, then `expected` events.
    fn given_when_then(history: &[Event], command: MemberCommand, expected: &[Event]) {
        let state = Member::from_events(history);
        let events = state.decide(command.clone()).expect("decide");
        assert_eq!(events, expected);
        // Deciding again after applying the outcome changes nothing (idempotence).
        let after = history
            .iter()
            .chain(events.iter())
            .fold(Member::default(), Member::evolve);
        if let MemberCommand::Reconcile { .. } = command {
            assert_eq!(after.decide(command).expect("decide again"), vec![]);
        }
    }

    pub(super) fn opened() -> Vec<Event> {
        vec![
            Event::AccountOpened {
                org_id: "6267".into(),
                user_id: "12346".into(),
                home_location: Some("3390".into()),
                via: OnboardedVia::Webhook,
                email_hash: "eh".into(),
                profile: sealed("profile"),
            },
            Event::PassphraseIssued {
                passphrase: sealed("pp"),
                lookup_hash: "ph".into(),
            },
        ]
    }
    /// An open account with the open-ended plan `id`.
    fn opened_with_plan(id: &str) -> Vec<Event> {
        let mut history = opened();
        history.push(granted(id, None));
        history
    }
    fn granted(id: &str, until: Option<&str>) -> Event {
        Event::AccessGranted {
            grant: plan_key(id),
            location_id: Some("3390".into()),
            valid_from: None,
            valid_until: until.map(at),
            network: None,
        }
    }

    #[test]
    fn a_new_plan_opens_the_account_issues_one_passphrase_and_grants_access() {
        let mut expected = opened();
        expected.push(granted("29191", None));
        given_when_then(&[], reconcile_with(desired(&[("29191", None)])), &expected);
    }

    #[test]
    fn a_user_without_access_gets_no_account() {
        given_when_then(&[], reconcile_with(desired(&[])), &[]);
    }

    #[test]
    fn the_same_facts_twice_change_nothing() {
        let mut history = opened();
        history.push(granted("29191", None));
        given_when_then(&history, reconcile_with(desired(&[("29191", None)])), &[]);
    }

    #[test]
    fn a_second_plan_adds_a_grant_without_a_second_passphrase() {
        let history = opened_with_plan("1");
        given_when_then(
            &history,
            reconcile_with(desired(&[("1", None), ("2", None)])),
            &[granted("2", None)],
        );
    }

    #[test]
    fn the_last_plan_cancelled_suspends_but_keeps_the_account() {
        let history = opened_with_plan("1");
        given_when_then(
            &history,
            reconcile_with(desired(&[])),
            &[
                Event::AccessRevoked {
                    grant: plan_key("1"),
                    reason: RevokeReason::Withdrawn,
                },
                Event::AccountSuspended,
            ],
        );
        let mut suspended = history.clone();
        suspended.push(Event::AccessRevoked {
            grant: plan_key("1"),
            reason: RevokeReason::Withdrawn,
        });
        suspended.push(Event::AccountSuspended);
        let state = Member::from_events(&suspended);
        assert!(state.is_open() && state.suspended && state.passphrase_hash.is_some());
    }

    #[test]
    fn a_new_plan_resumes_a_suspended_account() {
        let mut history = opened();
        history.push(Event::AccountSuspended);
        given_when_then(
            &history,
            reconcile_with(desired(&[("5", None)])),
            &[granted("5", None), Event::AccountResumed],
        );
    }

    #[test]
    fn a_changed_end_date_moves_the_grant() {
        let history = opened_with_plan("1");
        given_when_then(
            &history,
            reconcile_with(desired(&[("1", Some("2026-12-31T23:00:00Z"))])),
            &[granted("1", Some("2026-12-31T23:00:00Z"))],
        );
    }

    #[test]
    fn a_member_deleted_in_optix_is_deleted() {
        let mut history = opened_with_plan("1");
        let mut gone = desired(&[]);
        gone.exists = false;
        given_when_then(
            &history,
            reconcile_with(gone.clone()),
            &[Event::AccountDeleted],
        );
        history.push(Event::AccountDeleted);
        assert!(!Member::from_events(&history).is_open());
        given_when_then(&history, reconcile_with(gone), &[]);
    }

    #[test]
    fn joining_and_changing_team_moves_the_group() {
        let mut history = opened_with_plan("1");
        let mut d = desired(&[("1", None)]);
        d.team = Some(crate::access::TeamFact {
            team_id: "123123".into(),
            name: "The Cube Team".into(),
        });
        given_when_then(
            &history,
            reconcile_with(d.clone()),
            &[Event::JoinedGroup {
                team_id: "123123".into(),
            }],
        );
        history.push(Event::JoinedGroup {
            team_id: "123123".into(),
        });
        d.team = Some(crate::access::TeamFact {
            team_id: "7".into(),
            name: "Seven".into(),
        });
        given_when_then(
            &history,
            reconcile_with(d),
            &[
                Event::LeftGroup {
                    team_id: "123123".into(),
                },
                Event::JoinedGroup {
                    team_id: "7".into(),
                },
            ],
        );
    }

    #[test]
    fn expiry_revokes_only_grants_that_ran_out_and_suspends_when_none_remain() {
        let mut history = opened();
        history.push(granted("1", Some("2026-11-22T23:00:00Z")));
        let state = Member::from_events(&history);
        let early = state.decide(MemberCommand::ExpireGrants {
            now: at("2026-11-22T22:59:59Z"),
        });
        assert_eq!(early, Ok(vec![]));
        let late = state.decide(MemberCommand::ExpireGrants {
            now: at("2026-11-22T23:00:00Z"),
        });
        assert_eq!(
            late,
            Ok(vec![
                Event::AccessRevoked {
                    grant: plan_key("1"),
                    reason: RevokeReason::Expired
                },
                Event::AccountSuspended
            ])
        );
    }

    #[test]
    fn expiring_grants_of_a_missing_account_is_refused() {
        assert_eq!(
            Member::default().decide(MemberCommand::ExpireGrants {
                now: at("2026-11-22T23:00:00Z")
            }),
            Err(MemberError::NoAccount)
        );
    }

    fn onboard_at(location: &str, desired: DesiredAccess) -> MemberCommand {
        MemberCommand::Onboard {
            org_id: "6267".into(),
            user_id: "12346".into(),
            location_id: location.into(),
            via: OnboardedVia::Portal,
            desired,
            secrets: secrets(),
        }
    }

    #[test]
    fn onboarding_binds_a_new_account_to_the_portals_location() {
        let events = Member::default()
            .decide(onboard_at("3391", desired(&[("29191", None)])))
            .expect("onboard");
        assert!(matches!(
            &events[0],
            Event::AccountOpened { home_location: Some(home), via: OnboardedVia::Portal, .. } if home == "3391"
        ));
        assert!(matches!(events[1], Event::PassphraseIssued { .. }));
        assert_eq!(events[2], granted("29191", None));
    }

    #[test]
    fn onboarding_without_access_is_refused_and_an_existing_account_stays_bound() {
        assert_eq!(
            Member::default().decide(onboard_at("3390", desired(&[]))),
            Err(MemberError::NoAccess)
        );
        let history = opened_with_plan("1");
        assert_eq!(
            Member::from_events(&history).decide(onboard_at("3391", desired(&[("1", None)]))),
            Ok(vec![]),
            "bound to 3390 at opening: stays there"
        );
    }

    #[test]
    fn the_first_onboarding_binds_an_account_a_sync_opened_unbound() {
        let mut history = vec![
            Event::AccountOpened {
                org_id: "6267".into(),
                user_id: "12346".into(),
                home_location: None,
                via: OnboardedVia::Sync,
                email_hash: "eh".into(),
                profile: sealed("profile"),
            },
            Event::PassphraseIssued {
                passphrase: sealed("pp"),
                lookup_hash: "ph".into(),
            },
        ];
        history.push(granted("1", None));
        let state = Member::from_events(&history);
        let events = state
            .decide(onboard_at("3391", desired(&[("1", None)])))
            .expect("onboard");
        assert_eq!(
            events,
            vec![Event::AccountBound {
                location_id: "3391".into()
            }]
        );
        history.extend(events);
        let bound = Member::from_events(&history);
        assert_eq!(bound.home_location.as_deref(), Some("3391"));
        assert_eq!(
            bound.decide(onboard_at("3390", desired(&[("1", None)]))),
            Ok(vec![])
        );
    }

    fn set_passphrase(candidate: &str, hash: &str, taken: bool) -> MemberCommand {
        MemberCommand::SetPassphrase {
            candidate: Plaintext::new(candidate),
            sealed: FreshPassphrase {
                passphrase: sealed(candidate),
                lookup_hash: hash.into(),
            },
            taken,
            source: PassphraseSource::Tenant,
        }
    }

    #[test]
    fn a_tenant_sets_a_valid_unique_passphrase() {
        let history = opened_with_plan("1");
        let state = Member::from_events(&history);
        assert_eq!(
            state.decide(set_passphrase("correct horse battery", "h2", false)),
            Ok(vec![Event::PassphraseChanged {
                passphrase: sealed("correct horse battery"),
                lookup_hash: "h2".into(),
                source: PassphraseSource::Tenant,
            }])
        );
        // Setting the passphrase already in force changes nothing.
        assert_eq!(
            state.decide(set_passphrase("the current one", "ph", false)),
            Ok(vec![])
        );
    }

    #[test]
    fn invalid_taken_suspended_and_missing_are_refused_with_the_reason() {
        let mut history = opened_with_plan("1");
        let state = Member::from_events(&history);
        assert_eq!(
            state.decide(set_passphrase("short", "h", false)),
            Err(MemberError::Passphrase(PassphraseError::TooShort))
        );
        assert_eq!(
            state.decide(set_passphrase("someone elses key", "h", true)),
            Err(MemberError::PassphraseTaken)
        );
        history.push(Event::AccountSuspended);
        assert_eq!(
            Member::from_events(&history).decide(set_passphrase("a fine passphrase", "h", false)),
            Err(MemberError::Suspended)
        );
        assert_eq!(
            Member::default().decide(set_passphrase("a fine passphrase", "h", false)),
            Err(MemberError::NoAccount)
        );
    }

    fn choose(language: &str) -> MemberCommand {
        MemberCommand::ChooseLanguage {
            language: language.into(),
        }
    }
    fn chosen(language: &str) -> Event {
        Event::LanguageChosen {
            language: language.into(),
        }
    }

    #[test]
    fn a_chosen_language_is_recorded_as_its_code_once() {
        given_when_then(&opened(), choose("es"), &[chosen("es")]);
        given_when_then(&opened(), choose("fr-CA"), &[chosen("fr")]);
        let mut history = opened();
        history.push(chosen("es"));
        given_when_then(&history, choose("ES"), &[]);
        given_when_then(&history, choose("de"), &[chosen("de")]);
        assert_eq!(
            Member::from_events(&history).language.as_deref(),
            Some("es")
        );
    }

    #[test]
    fn an_unknown_language_or_a_missing_account_is_refused() {
        let state = Member::from_events(&opened());
        assert_eq!(
            state.decide(choose("ja")),
            Err(MemberError::UnknownLanguage("ja".into()))
        );
        assert_eq!(
            state.decide(choose("")),
            Err(MemberError::UnknownLanguage(String::new()))
        );
        assert_eq!(
            Member::default().decide(choose("es")),
            Err(MemberError::NoAccount)
        );
    }

    #[test]
    fn a_deleted_account_forgets_its_language() {
        let mut history = opened();
        history.push(chosen("it"));
        history.push(Event::AccountDeleted);
        let state = Member::from_events(&history);
        assert_eq!(state.language, None);
        assert_eq!(state.decide(choose("it")), Err(MemberError::NoAccount));
        history.extend(opened());
        assert_eq!(Member::from_events(&history).language, None);
    }

    #[test]
    fn commands_never_show_a_passphrase_in_debug_output() {
        let command = set_passphrase("hunter2hunter2", "h", false);
        assert!(!format!("{command:?}").contains("hunter2"));
    }
}

#[cfg(test)]
#[path = "member_device_tests.rs"]
mod device_tests;
