//! The writer's core: deciding for members, groups, locations and the organization inside a
//! transaction, with the secrets and VLANs the decisions need made at this edge.

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
use secrets::contexts::organization_token as token_aad;
use secrets::{KeyRing, MemberKey, ProfileData};
use store::event_log::{self, Metadata};
use store::{StoreError, Transaction, queries};

/// Runs `$body` (an expression using the transaction `$tx`, answering `Result<T, StoreError>`)
/// in a transaction on `$pool` and commits it. When another writer got to a stream first, or
/// took a VLAN or passphrase checked at commit, the body runs again on fresh state. A macro
/// rather than a function taking an async closure: the body borrows freely and stays `Send`.
macro_rules! in_transaction {
    ($pool:expr, |$tx:ident| $body:expr) => {{
        let mut attempt = 0usize;
        loop {
            attempt += 1;
            let outcome: Result<_, store::StoreError> = async {
                let mut client = $pool.get().await?;
                let transaction = client.transaction().await?;
                let value: Result<_, store::StoreError> = {
                    let $tx = &transaction;
                    $body
                };
                let value = value?;
                tracing::Instrument::instrument(
                    transaction.commit(),
                    tracing::info_span!("postgres.commit"),
                )
                .await
                .map_err(store::StoreError::from_commit)?;
                Ok(value)
            }
            .await;
            match outcome {
                Err(e) if e.is_conflict() && attempt <= $crate::provisioner::CONFLICT_RETRIES => {
                    tracing::info!(attempt, "lost a race with another writer; deciding again");
                }
                outcome => break outcome,
            }
        }
    }};
}
pub(crate) use in_transaction;

/// How many times a transaction is decided again after losing a race.
pub(crate) const CONFLICT_RETRIES: usize = 5;

/// What asks for a member's reconciliation; it decides how the account may be opened and how
/// fresh the Optix answers are.
#[derive(Clone, Copy, Debug)]
pub enum Trigger<'a> {
    /// A webhook's hint, answered by Optix just now.
    Webhook,
    /// A tenant asks for WiFi at a location (portal or mobile app): a user without an account
    /// gets one bound there.
    Onboard {
        via: OnboardedVia,
        location_id: &'a str,
    },
    /// A full sync whose Optix snapshot was taken when the log's head was at
    /// `snapshot_position`; members written since then are left alone.
    Sync { snapshot_position: i64 },
}

pub struct Provisioner {
    pool: deadpool_postgres::Pool,
    keys: KeyRing,
    optix: OptixClient,
    syncs: SyncRequests,
    /// Opens the webhook bodies ingest sealed.
    webhook_seal: bus::sealing::WebhookSeal,
    /// Ingest's registry of installations: provision records an install and forgets an
    /// uninstall once Optix has confirmed it.
    installations: bus::Installations,
    known_locations: crate::known_locations::KnownLocations,
    /// How long after the end of a webhook's second a reconciliation is sure to see what Optix
    /// changed in it (clock skew between Optix and us).
    settle_margin: std::time::Duration,
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
    Token(#[from] secrets::CryptoError),
    #[error("the stored token is not organization {0}'s: {1}")]
    TokenNotConfirmed(String, optix::api::TokenRefusal),
    #[error(transparent)]
    Bus(#[from] bus::BusError),
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
        webhook_seal: bus::sealing::WebhookSeal,
        installations: bus::Installations,
    ) -> Self {
        Provisioner {
            pool,
            keys,
            optix,
            syncs,
            webhook_seal,
            installations,
            known_locations: Default::default(),
            settle_margin: std::time::Duration::from_secs(1),
        }
    }

    /// See `provision.webhook_settle_margin_ms`.
    pub fn with_settle_margin(mut self, margin: std::time::Duration) -> Self {
        self.settle_margin = margin;
        self
    }

    pub fn settle_margin(&self) -> std::time::Duration {
        self.settle_margin
    }

    pub fn webhook_seal(&self) -> &bus::sealing::WebhookSeal {
        &self.webhook_seal
    }

    pub fn installations(&self) -> &bus::Installations {
        &self.installations
    }

    /// Whether Optix knows `location_id` as one of the organization's locations (cached; see
    /// [`crate::known_locations`]).
    pub async fn optix_knows_location(
        &self,
        org_id: &str,
        location_id: &str,
        patience: std::time::Duration,
    ) -> Result<bool, ProvisionError> {
        use crate::known_locations::Lookup;
        match self
            .known_locations
            .lookup(org_id, location_id, std::time::Instant::now())
        {
            Lookup::Known => return Ok(true),
            Lookup::Unknown => return Ok(false),
            Lookup::Refresh => {}
        }
        let token = self.org_token(org_id).await?;
        let ids: std::collections::HashSet<String> = self
            .optix
            .with_patience(patience)
            .locations(&token)
            .await?
            .into_iter()
            .map(|l| l.location_id)
            .collect();
        let known = ids.contains(location_id);
        self.known_locations
            .store(org_id, ids, std::time::Instant::now());
        Ok(known)
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

    /// Reads a stream, folds it with `evolve`, decides with `decide` and appends what it
    /// decided. Answers the appended event types, or the refusal.
    async fn decide_stream<S: Default, R>(
        &self,
        tx: &Transaction<'_>,
        stream: &StreamId,
        evolve: fn(S, &Event) -> S,
        decide: impl FnOnce(&S) -> Result<Vec<Event>, R>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Result<Vec<&'static str>, R>, StoreError> {
        let (state, version) = load(tx, stream, evolve).await?;
        let events = match decide(&state) {
            Ok(events) => events,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let types = events.iter().map(Event::type_name).collect();
        event_log::append(tx, stream, version, events, metadata, now).await?;
        Ok(Ok(types))
    }

    /// The organization's token, opened with the master key.
    pub async fn org_token(&self, org_id: &str) -> Result<OrgToken, ProvisionError> {
        let client = self.pool.get().await.map_err(StoreError::from)?;
        let sealed = queries::organization_token(&client, org_id)
            .await?
            .ok_or_else(|| ProvisionError::NotInstalled(org_id.to_owned()))?;
        let token = self.keys.open_with_master(&sealed, &token_aad(org_id))?;
        Ok(OrgToken::new(
            org_id,
            String::from_utf8_lossy(&token).into_owned(),
        ))
    }

    /// Decides for one member from what Optix says (`facts`) and appends inside `tx`.
    #[allow(clippy::too_many_arguments)]
    pub async fn reconcile_member(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        facts: &MemberFacts,
        policy: &OrgPolicy,
        trigger: Trigger<'_>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Result<Appended, MemberError>, StoreError> {
        let user_id = facts.user_id.as_str();
        let stream = StreamId::member(org_id, user_id);
        let (history, version) = event_log::read_stream(tx, &stream).await?;
        if let Trigger::Sync { snapshot_position } = trigger
            && history
                .last()
                .is_some_and(|last| last.global_position > snapshot_position)
        {
            // Written after the sync asked Optix, so decided on fresher answers than the sync's
            // (a webhook or an onboarding): acting on the older snapshot would undo that, or
            // delete a member who joined since. The next sync looks again.
            return Ok(Ok(Appended::default()));
        }
        let (via, onboard_at) = match trigger {
            Trigger::Webhook => (OnboardedVia::Webhook, None),
            Trigger::Sync { .. } => (OnboardedVia::Sync, None),
            Trigger::Onboard { via, location_id } => (via, Some(location_id)),
        };
        let state = Member::from_events(history.iter().map(|e| &e.event));
        // An onboarding binds a new account, or one a sync opened without a location.
        let home = if state.is_open() {
            state
                .home_location
                .clone()
                .or_else(|| onboard_at.map(str::to_owned))
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
            Some(location_id) => MemberCommand::Onboard {
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
        let (state, version) = load(tx, &stream, group::evolve).await?;
        let vlan = if state.live && state.vlan.is_some() {
            None
        } else {
            // Serialize allocations: the lock is the append lock, held until commit anyway.
            event_log::take_append_lock(tx).await?;
            let in_use = queries::vlans_in_use(tx, org_id).await?;
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
        let command = GroupCommand::Delete {
            team_id: team_id.to_owned(),
        };
        let decided = self
            .decide_stream(
                tx,
                &StreamId::group(org_id, team_id),
                group::evolve,
                |state| Ok::<_, std::convert::Infallible>(group::decide(state, command)),
                metadata,
                now,
            )
            .await?;
        Ok(decided.unwrap_or_else(|never| match never {}))
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
        let (history, version) = event_log::read_stream(tx, &stream).await?;
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
                    queries::passphrase_taken(tx, org_id, &sealed.lookup_hash, user_id).await?;
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
        let (history, version) = event_log::read_stream(&tx, &stream).await?;
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
        let decided = self
            .decide_stream(
                tx,
                &StreamId::organization(org_id),
                organization::evolve,
                |state| organization::decide(state, command),
                metadata,
                now,
            )
            .await?;
        Ok(decided.map(|types| types.len()))
    }

    pub async fn organization_state(
        &self,
        client: &impl store::GenericClient,
        org_id: &str,
    ) -> Result<organization::Organization, StoreError> {
        Ok(load(
            client,
            &StreamId::organization(org_id),
            organization::evolve,
        )
        .await?
        .0)
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
        let decided = self
            .decide_stream(
                tx,
                &StreamId::location(org_id, location_id),
                location::evolve,
                |state| location::decide(state, command),
                metadata,
                now,
            )
            .await?;
        Ok(decided.map(|types| types.len()))
    }

    async fn member_key(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        user_id: &str,
        aad: &str,
    ) -> Result<MemberKey, StoreError> {
        let wrapped = match queries::member_key(tx, org_id, user_id).await? {
            Some(wrapped) => wrapped,
            None => {
                let (_, wrapped) = self.keys.new_member_key(aad);
                queries::insert_member_key(tx, org_id, user_id, &wrapped).await?
            }
        };
        // A wrapped key the master key cannot open is stored data this deployment can't read.
        self.keys
            .unwrap_member_key(&wrapped, aad)
            .map_err(|e| StoreError::Corrupt {
                position: -1,
                reason: format!("member key of {aad}: {e}"),
            })
    }

    async fn unique_passphrase(
        &self,
        tx: &Transaction<'_>,
        key: &MemberKey,
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
        key: &MemberKey,
        org_id: &str,
        user_id: &str,
        aad: &str,
    ) -> Result<(String, FreshPassphrase), StoreError> {
        loop {
            let passphrase = secrets::generate_passphrase();
            let fresh = secrets::seal_passphrase(&self.keys, key, org_id, aad, &passphrase);
            if !queries::passphrase_taken(tx, org_id, &fresh.lookup_hash, user_id).await? {
                return Ok((passphrase, fresh));
            }
        }
    }
}

/// A stream's state folded from its history, and its version.
async fn load<S: Default>(
    client: &impl store::GenericClient,
    stream: &StreamId,
    evolve: fn(S, &Event) -> S,
) -> Result<(S, i64), StoreError> {
    let (history, version) = event_log::read_stream(client, stream).await?;
    Ok((
        history.iter().map(|e| &e.event).fold(S::default(), evolve),
        version,
    ))
}
