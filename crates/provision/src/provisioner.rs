//! The writer's core: deciding for members, groups, locations and the organization inside a
//! transaction, with the secrets and VLANs the decisions need made at this edge.

use crate::secrets::{self, ProfileData};
use crate::sync::SyncRequests;
use chrono::{DateTime, Utc};
use domain::access::{MemberFacts, TeamFact};
use domain::events::OnboardedVia;
use domain::group::{self, GroupCommand};
use domain::location::{self, LocationCommand, LocationError};
use domain::member::{self, FreshPassphrase, Member, MemberCommand, MemberError, Secrets};
use domain::organization::{self, OrganizationCommand, OrganizationError};
use domain::policy::{OrgPolicy, allocate_vlan};
use domain::{Event, StreamId};
use optix::api::{OptixClient, OrgToken};
use store::event_log::{self, Metadata};
use store::{KeyRing, StoreError, Transaction, queries};

/// Held by appends until commit (see migrations/0001_event_log.sql); taken before picking a
/// VLAN too, so two transactions never pick the same one.
const APPEND_LOCK: i64 = 7010;

pub struct Provisioner {
    pool: deadpool_postgres::Pool,
    keys: KeyRing,
    optix: OptixClient,
    syncs: SyncRequests,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Optix(#[from] optix::api::OptixError),
    #[error("organization {0} has not installed the app (no token yet)")]
    NotInstalled(String),
    #[error("the stored organization token could not be opened: {0}")]
    Token(#[from] store::CryptoError),
}

/// What a member decision appended: the stream and the event types (for the drift report).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Appended {
    pub stream: String,
    pub events: Vec<&'static str>,
}

impl Provisioner {
    pub fn new(
        pool: deadpool_postgres::Pool,
        keys: KeyRing,
        optix: OptixClient,
        syncs: SyncRequests,
    ) -> Self {
        Provisioner {
            pool,
            keys,
            optix,
            syncs,
        }
    }

    pub fn pool(&self) -> &deadpool_postgres::Pool {
        &self.pool
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    pub fn optix(&self) -> &OptixClient {
        &self.optix
    }

    pub fn syncs(&self) -> &SyncRequests {
        &self.syncs
    }

    pub fn optix_calls(&self) -> u64 {
        self.optix.calls_made()
    }

    /// The organization's token, opened with the master key.
    pub async fn org_token(&self, org_id: &str) -> Result<OrgToken, ProvisionError> {
        let client = self.pool.get().await.map_err(StoreError::from)?;
        let sealed = queries::organization_token(&**client, org_id)
            .await?
            .ok_or_else(|| ProvisionError::NotInstalled(org_id.to_owned()))?;
        let token = self.keys.open_with_master(&sealed, &token_aad(org_id))?;
        Ok(OrgToken::new(
            org_id,
            String::from_utf8_lossy(&token).into_owned(),
        ))
    }

    /// Decides for one member from what Optix says (`facts`) and appends inside `tx`. With
    /// `onboard_at`, a user without an account asks for one at that location (portal, app).
    #[allow(clippy::too_many_arguments)]
    pub async fn reconcile_member(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        facts: &MemberFacts,
        policy: &OrgPolicy,
        via: OnboardedVia,
        onboard_at: Option<&str>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Result<Appended, MemberError>, StoreError> {
        let user_id = facts.user_id.as_str();
        let stream = StreamId::member(org_id, user_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = Member::from_events(history.iter().map(|e| &e.event));
        let home = if state.is_open() {
            state.home_location.clone()
        } else {
            onboard_at.map(str::to_owned)
        };
        let desired = domain::desired_access(facts, home.as_deref(), now, policy);
        if !state.is_open()
            && onboard_at.is_none()
            && (!desired.exists || desired.grants.is_empty())
        {
            // No account and none wanted: nothing to seal, nothing to write.
            return Ok(Ok(Appended::default()));
        }
        let aad = stream.to_string();
        let email_hash = secrets::email_hash(&self.keys, org_id, &facts.email);
        let needs = state.needs(&email_hash);
        let mut secrets = Secrets {
            email_hash,
            profile: None,
            passphrase: None,
        };
        if desired.exists && (needs.profile || needs.passphrase) {
            let key = self.member_key(tx, org_id, user_id, &aad).await?;
            if needs.profile {
                let profile = ProfileData {
                    email: facts.email.clone(),
                    fullname: facts.fullname.clone(),
                };
                secrets.profile =
                    Some(secrets::seal_profile(&self.keys, &key, org_id, &aad, &profile).sealed);
            }
            if needs.passphrase {
                secrets.passphrase = Some(
                    self.unique_passphrase(tx, &key, org_id, user_id, &aad)
                        .await?,
                );
            }
        }
        let mut appended = Appended {
            stream: aad.clone(),
            events: Vec::new(),
        };
        if let (true, Some(team)) = (desired.exists, &desired.team) {
            let bound = home.as_deref().or(desired.home_location_hint.as_deref());
            appended.events.extend(
                self.ensure_group(tx, org_id, team, bound, policy, metadata, now)
                    .await?,
            );
        }
        let command = match onboard_at {
            Some(location_id) if !state.is_open() => MemberCommand::Onboard {
                org_id: org_id.to_owned(),
                user_id: user_id.to_owned(),
                location_id: location_id.to_owned(),
                via,
                desired,
                secrets,
            },
            _ => MemberCommand::Reconcile {
                org_id: org_id.to_owned(),
                user_id: user_id.to_owned(),
                desired,
                via,
                secrets,
            },
        };
        let events = match member::decide(&state, command) {
            Ok(events) => events,
            Err(refusal) => return Ok(Err(refusal)),
        };
        crate::metrics::metrics().decisions.add(
            1,
            &[opentelemetry::KeyValue::new(
                "outcome",
                if events.is_empty() {
                    "unchanged"
                } else {
                    "changed"
                },
            )],
        );
        appended.events.extend(events.iter().map(Event::type_name));
        event_log::append(tx, &stream, version, events, metadata, now).await?;
        Ok(Ok(appended))
    }

    /// The team's group exists (with a VLAN from the pool when it is created) and carries the
    /// team's current name.
    #[allow(clippy::too_many_arguments)]
    async fn ensure_group(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        team: &TeamFact,
        home_location: Option<&str>,
        policy: &OrgPolicy,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Vec<&'static str>, StoreError> {
        let stream = StreamId::group(org_id, &team.team_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = history
            .iter()
            .map(|e| &e.event)
            .fold(group::Group::default(), group::evolve);
        let vlan = if state.live && state.vlan.is_some() {
            None
        } else {
            // Serialize allocations: the lock is the append lock, held until commit anyway.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])
                .await?;
            let in_use = queries::vlans_in_use(&**tx, org_id).await?;
            policy
                .group_pool(home_location)
                .and_then(|pool| allocate_vlan(pool, &in_use))
        };
        let events = group::decide(
            &state,
            GroupCommand::Ensure {
                team_id: team.team_id.clone(),
                name: team.name.clone(),
                vlan,
            },
        );
        let types = events.iter().map(Event::type_name).collect();
        event_log::append(tx, &stream, version, events, metadata, now).await?;
        Ok(types)
    }

    /// Deletes the group of a team Optix no longer has.
    pub async fn delete_group(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        team_id: &str,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Vec<&'static str>, StoreError> {
        let stream = StreamId::group(org_id, team_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = history
            .iter()
            .map(|e| &e.event)
            .fold(group::Group::default(), group::evolve);
        let events = group::decide(
            &state,
            GroupCommand::Delete {
                team_id: team_id.to_owned(),
            },
        );
        let types = events.iter().map(Event::type_name).collect();
        event_log::append(tx, &stream, version, events, metadata, now).await?;
        Ok(types)
    }

    /// A new passphrase for an existing account (chosen by the tenant, or generated when
    /// `candidate` is `None`).
    pub async fn change_passphrase(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        user_id: &str,
        candidate: Option<&str>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Result<usize, MemberError>, StoreError> {
        let stream = StreamId::member(org_id, user_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = Member::from_events(history.iter().map(|e| &e.event));
        if !state.is_open() {
            return Ok(Err(MemberError::NoAccount));
        }
        let aad = stream.to_string();
        let key = self.member_key(tx, org_id, user_id, &aad).await?;
        let (plaintext, source, sealed, taken) = match candidate {
            Some(text) => {
                let sealed = secrets::seal_passphrase(&self.keys, &key, org_id, &aad, text);
                let taken =
                    queries::passphrase_taken(&**tx, org_id, &sealed.lookup_hash, user_id).await?;
                (
                    text.to_owned(),
                    domain::events::PassphraseSource::Tenant,
                    sealed,
                    taken,
                )
            }
            None => {
                let (text, sealed) = self
                    .generate_unique(tx, &key, org_id, user_id, &aad)
                    .await?;
                (
                    text,
                    domain::events::PassphraseSource::Generated,
                    sealed,
                    false,
                )
            }
        };
        let command = MemberCommand::SetPassphrase {
            candidate: domain::passphrase::Plaintext::new(plaintext),
            sealed,
            taken,
            source,
        };
        let events = match member::decide(&state, command) {
            Ok(events) => events,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(Ok(event_log::append(
            tx, &stream, version, events, metadata, now,
        )
        .await?
        .len()))
    }

    /// Records the expiry of every grant of this member whose validity has run out.
    pub async fn expire_member(
        &self,
        org_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let stream = StreamId::member(org_id, user_id);
        let (history, version) = event_log::read_stream(&*tx, &stream).await?;
        let state = Member::from_events(history.iter().map(|e| &e.event));
        let events =
            member::decide(&state, MemberCommand::ExpireGrants { now }).unwrap_or_default();
        let metadata = Metadata {
            causation_id: format!("expiry:{stream}:{}", now.timestamp()),
            correlation_id: format!("expiry:{stream}:{}", now.timestamp()),
            actor: "scheduler".into(),
            cause: Some("grant validity ended".into()),
            trace_parent: None,
        };
        let n = event_log::append(&tx, &stream, version, events, &metadata, now)
            .await?
            .len();
        tx.commit().await.map_err(StoreError::from_commit)?;
        Ok(n)
    }

    pub async fn decide_organization(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        command: OrganizationCommand,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Result<usize, OrganizationError>, StoreError> {
        let stream = StreamId::organization(org_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = history
            .iter()
            .map(|e| &e.event)
            .fold(organization::Organization::default(), organization::evolve);
        let events = match organization::decide(&state, command) {
            Ok(events) => events,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(Ok(event_log::append(
            tx, &stream, version, events, metadata, now,
        )
        .await?
        .len()))
    }

    pub async fn organization_state(
        &self,
        client: &impl store::GenericClient,
        org_id: &str,
    ) -> Result<organization::Organization, StoreError> {
        let (history, _) = event_log::read_stream(client, &StreamId::organization(org_id)).await?;
        Ok(history
            .iter()
            .map(|e| &e.event)
            .fold(organization::Organization::default(), organization::evolve))
    }

    pub async fn decide_location(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        location_id: &str,
        command: LocationCommand,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Result<usize, LocationError>, StoreError> {
        let stream = StreamId::location(org_id, location_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = history
            .iter()
            .map(|e| &e.event)
            .fold(location::Location::default(), location::evolve);
        let events = match location::decide(&state, command) {
            Ok(events) => events,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(Ok(event_log::append(
            tx, &stream, version, events, metadata, now,
        )
        .await?
        .len()))
    }

    async fn member_key(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        user_id: &str,
        aad: &str,
    ) -> Result<store::MemberKey, StoreError> {
        let wrapped = match queries::member_key(&**tx, org_id, user_id).await? {
            Some(wrapped) => wrapped,
            None => {
                let (_, wrapped) = self.keys.new_member_key(aad);
                queries::insert_member_key(&**tx, org_id, user_id, &wrapped).await?
            }
        };
        Ok(self.keys.unwrap_member_key(&wrapped, aad)?)
    }

    async fn unique_passphrase(
        &self,
        tx: &Transaction<'_>,
        key: &store::MemberKey,
        org_id: &str,
        user_id: &str,
        aad: &str,
    ) -> Result<FreshPassphrase, StoreError> {
        Ok(self.generate_unique(tx, key, org_id, user_id, aad).await?.1)
    }

    /// A generated passphrase no other member of the organization has (69 bits: a clash is
    /// astronomically rare, but the check is what makes uniqueness a guarantee).
    async fn generate_unique(
        &self,
        tx: &Transaction<'_>,
        key: &store::MemberKey,
        org_id: &str,
        user_id: &str,
        aad: &str,
    ) -> Result<(String, FreshPassphrase), StoreError> {
        loop {
            let passphrase = secrets::generate_passphrase();
            let fresh = secrets::seal_passphrase(&self.keys, key, org_id, aad, &passphrase);
            if !queries::passphrase_taken(&**tx, org_id, &fresh.lookup_hash, user_id).await? {
                return Ok((passphrase, fresh));
            }
        }
    }
}

pub fn token_aad(org_id: &str) -> String {
    format!("org-{org_id}/token")
}
