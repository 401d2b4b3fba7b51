//! The writer: every decision provision appends goes through here, on the store's one load →
//! decide → append path (`store::decide`), with the secrets (sealed profiles, unique
//! passphrases, member keys) and the VLANs the decisions need made at this edge, and the
//! RADIUS registry's decisions (NASes, members' devices) with the uniqueness they look up.

mod members;

use crate::cause::Cause;
use chrono::{DateTime, Utc};
use domain::access::MemberFacts;
use domain::controller::{Controller, ControllerCommand, ControllerError};
use domain::devices::Mac;
use domain::events::{OnboardedVia, PassphraseSource};
use domain::group::{Group, GroupCommand};
use domain::location::{Location, LocationCommand, LocationError};
use domain::member::{FreshPassphrase, Member, MemberCommand, MemberError, Secrets};
use domain::nas::{Nas, NasCommand, NasError, NasRequest, canonical_address};
use domain::organization::{Organization, OrganizationCommand, OrganizationError};
use domain::{DesiredAccess, StreamId};
use secrets::{KeyRing, MemberKey};
use store::decide::{self, DecideError, Loaded};
use store::event_log::Metadata;
use store::{StoreError, Transaction, queries};

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

impl<'a> Trigger<'a> {
    fn via(self) -> OnboardedVia {
        match self {
            Trigger::Webhook => OnboardedVia::Webhook,
            Trigger::Sync { .. } => OnboardedVia::Sync,
            Trigger::Onboard { via, .. } => via,
        }
    }

    /// Where an onboarding asks for WiFi.
    fn onboard_at(self) -> Option<&'a str> {
        match self {
            Trigger::Onboard { location_id, .. } => Some(location_id),
            _ => None,
        }
    }
}

/// What a member decision appended: the stream and the event types (for the drift report).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Appended {
    pub stream: String,
    pub events: Vec<&'static str>,
}

/// A member to reconcile: what Optix says about them, and the metadata their events carry.
pub struct ToReconcile<'m> {
    pub facts: MemberFacts,
    pub metadata: &'m Metadata,
}

pub struct Writer {
    pool: deadpool_postgres::Pool,
    keys: KeyRing,
}

impl Writer {
    pub fn new(pool: deadpool_postgres::Pool, keys: KeyRing) -> Self {
        Writer { pool, keys }
    }

    pub fn pool(&self) -> &deadpool_postgres::Pool {
        &self.pool
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
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
        let stream = StreamId::group(org_id, team_id);
        Ok(decide::decide_and_append::<Group>(tx, &stream, command, metadata, now).await?)
    }

    /// A new passphrase for an existing account (chosen by the tenant, or generated when
    /// `candidate` is `None`); answers how many events were appended.
    pub async fn change_passphrase(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        user_id: &str,
        candidate: Option<&str>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<usize, DecideError<MemberError>> {
        let stream = StreamId::member(org_id, user_id);
        let loaded: Loaded<Member> = decide::load(tx, &stream).await?;
        if !loaded.state.is_open() {
            return Err(DecideError::Refused(MemberError::NoAccount));
        }
        let aad = stream.to_string();
        let key = self.member_key(tx, org_id, user_id, &aad).await?;
        let (plaintext, source, sealed, taken) = match candidate {
            Some(text) => {
                let sealed = secrets::seal_passphrase(&self.keys, &key, org_id, &aad, text);
                let taken =
                    queries::passphrase_taken(tx, org_id, &sealed.lookup_hash, user_id).await?;
                (text.to_owned(), PassphraseSource::Tenant, sealed, taken)
            }
            None => {
                let (text, sealed) = self
                    .generate_unique(tx, &key, org_id, user_id, &aad)
                    .await?;
                (text, PassphraseSource::Generated, sealed, false)
            }
        };
        let command = MemberCommand::SetPassphrase {
            candidate: domain::passphrase::Plaintext::new(plaintext),
            sealed,
            taken,
            source,
        };
        let events = loaded
            .decide_and_append(tx, &stream, command, metadata, now)
            .await?;
        Ok(events.len())
    }

    /// Records the expiry of every grant of this member whose validity has run out by `now`
    /// (in its own transaction, decided again if another writer got to the member first);
    /// answers how many events were appended.
    pub async fn expire_member(
        &self,
        org_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let stream = StreamId::member(org_id, user_id);
        let metadata = Cause::Expiry {
            stream: &stream.to_string(),
            at: now.timestamp(),
        }
        .metadata();
        decide::in_transaction(
            &self.pool,
            &(&stream, &metadata),
            |tx, (stream, metadata)| {
                Box::pin(async move {
                    let command = MemberCommand::ExpireGrants { now };
                    match decide::decide_and_append::<Member>(tx, stream, command, metadata, now)
                        .await
                    {
                        Ok(events) => Ok(events.len()),
                        // No account (deleted meanwhile): nothing to expire.
                        Err(e) => e.into_refusal().map(|_| 0),
                    }
                })
            },
        )
        .await
    }

    pub async fn decide_organization(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        command: OrganizationCommand,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<usize, DecideError<OrganizationError>> {
        let stream = StreamId::organization(org_id);
        let events =
            decide::decide_and_append::<Organization>(tx, &stream, command, metadata, now).await?;
        Ok(events.len())
    }

    pub async fn organization_state(
        &self,
        client: &impl store::GenericClient,
        org_id: &str,
    ) -> Result<Organization, StoreError> {
        let loaded = decide::load(client, &StreamId::organization(org_id)).await?;
        Ok(loaded.state)
    }

    pub async fn decide_location(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        location_id: &str,
        command: LocationCommand,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<usize, DecideError<LocationError>> {
        let stream = StreamId::location(org_id, location_id);
        let events =
            decide::decide_and_append::<Location>(tx, &stream, command, metadata, now).await?;
        Ok(events.len())
    }

    /// Registers a NAS, with what only the store knows (is the location mapped, does another
    /// NAS of any organization overlap: checked again at commit), or removes it (`request` is
    /// `None`).
    pub async fn decide_nas(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        nas_id: &str,
        request: Option<NasRequest>,
        metadata: &Metadata,
    ) -> Result<usize, DecideError<NasError>> {
        let command = match request {
            None => NasCommand::Remove,
            Some(request) => {
                let location_mapped = queries::location(tx, org_id, &request.location_id)
                    .await?
                    .is_some_and(|l| l.settings.is_some());
                let address_taken = match canonical_address(&request.address) {
                    Ok(address) => queries::nas_overlapping(tx, &address, org_id, nas_id)
                        .await?
                        .is_some(),
                    // The decision refuses the address itself.
                    Err(_) => false,
                };
                NasCommand::Register {
                    request,
                    location_mapped,
                    address_taken,
                }
            }
        };
        let stream = StreamId::nas(org_id, nas_id);
        let events =
            decide::decide_and_append::<Nas>(tx, &stream, command, metadata, Utc::now()).await?;
        Ok(events.len())
    }

    /// Maps a location to a cloud controller (with whether the location is mapped, which only
    /// the store knows), unmaps it, or records what the controllers service reports.
    pub async fn decide_controller(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        location_id: &str,
        command: ControllerCommand,
        metadata: &Metadata,
    ) -> Result<usize, DecideError<ControllerError>> {
        let command = match command {
            ControllerCommand::Map {
                target,
                credentials,
                ..
            } => {
                let token_taken = match &credentials.token_hash {
                    Some(hash) => {
                        store::read_models::controller_mappings::token_taken(
                            tx,
                            hash,
                            (org_id, location_id),
                        )
                        .await?
                    }
                    None => false,
                };
                ControllerCommand::Map {
                    target,
                    credentials,
                    location_mapped: queries::location(tx, org_id, location_id)
                        .await?
                        .is_some_and(|l| l.settings.is_some()),
                    token_taken,
                }
            }
            other => other,
        };
        let stream = StreamId::controller(org_id, location_id);
        let events =
            decide::decide_and_append::<Controller>(tx, &stream, command, metadata, Utc::now())
                .await?;
        Ok(events.len())
    }

    /// A change of a member's devices (or a disconnect record); with `mac`, whether another
    /// member of the organization has it is looked up first (and checked again at commit).
    pub async fn decide_device(
        &self,
        tx: &Transaction<'_>,
        org_id: &str,
        user_id: &str,
        mac: Option<Mac>,
        mut command: MemberCommand,
        metadata: &Metadata,
    ) -> Result<usize, DecideError<MemberError>> {
        if let Some(mac) = mac {
            let is_taken = queries::device(tx, org_id, mac)
                .await?
                .is_some_and(|device| device.user_id != user_id);
            if let MemberCommand::AddDevice { taken, .. }
            | MemberCommand::BindDevice { taken, .. } = &mut command
            {
                *taken = is_taken;
            }
        }
        let stream = StreamId::member(org_id, user_id);
        let events =
            decide::decide_and_append::<Member>(tx, &stream, command, metadata, Utc::now()).await?;
        Ok(events.len())
    }

    /// The member's data key, made on first use.
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

/// An onboarding binds the account where it asks; any other trigger reconciles.
fn member_command(
    org_id: &str,
    user_id: &str,
    trigger: Trigger<'_>,
    desired: DesiredAccess,
    secrets: Secrets,
) -> MemberCommand {
    let (org_id, user_id, via) = (org_id.to_owned(), user_id.to_owned(), trigger.via());
    match trigger.onboard_at() {
        Some(location_id) => MemberCommand::Onboard {
            org_id,
            user_id,
            location_id: location_id.to_owned(),
            via,
            desired,
            secrets,
        },
        None => MemberCommand::Reconcile {
            org_id,
            user_id,
            desired,
            via,
            secrets,
        },
    }
}
