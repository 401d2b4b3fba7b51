//! The platform boundary: the facts provision reconciles against come from a
//! [`PlatformAdapter`], and provision's parts (webhook batches, syncs, onboarding) ask the
//! adapter of the organization's platform. Optix and OfficeRnD are the two adapters; each
//! answers in the domain's words (`domain::MemberFacts`, team ids), so the access rules and
//! the writer run the same code whichever platform spoke.

mod officernd;
mod optix;

use crate::error::ProvisionError;
use crate::known_locations::Lookup;
use crate::provisioner::Provisioner;
use crate::received::Parsed;
use crate::resolve::Named;
use crate::sync_requests::SyncKind;
use chrono::{DateTime, Utc};
use domain::{MemberFacts, Platform};
use std::collections::{BTreeMap, BTreeSet, HashSet};

pub use self::officernd::OfficeRndAdapter;
pub use self::optix::{OptixAdapter, OptixPages};

/// What a batch's member hints are about, and what the platform says about them.
#[derive(Default)]
pub struct Asked {
    /// Each user and the position of the first hint naming them.
    pub users: Named,
    /// The facts about each of `users` (a user missing here is gone).
    pub facts: BTreeMap<String, MemberFacts>,
    /// Teams the hints name that the platform no longer has, with the naming hint's position.
    pub gone_teams: Vec<(String, usize)>,
}

impl Asked {
    /// The answer for `users`, each with the facts `facts_of` finds for them.
    pub fn answered(
        users: Named,
        gone_teams: Vec<(String, usize)>,
        facts_of: impl Fn(&str) -> MemberFacts,
    ) -> Asked {
        let facts = users.keys().map(|id| (id.clone(), facts_of(id))).collect();
        Asked {
            users,
            facts,
            gone_teams,
        }
    }

    /// The facts about `user_id`: gone when the platform did not answer for them.
    pub fn facts_of(&self, user_id: &str) -> MemberFacts {
        self.facts
            .get(user_id)
            .cloned()
            .unwrap_or_else(|| MemberFacts::gone(user_id))
    }
}

/// Everything the platform says about one organization (a full sync), or about whoever
/// changed since the last sync (`partial`), read after the log's head was at `position`.
pub struct PlatformSnapshot<'a> {
    pub position: i64,
    pub members: SnapshotMembers<'a>,
    pub team_ids: BTreeSet<String>,
    /// Only the users in `members` changed: a user or a team it does not name is not gone.
    pub partial: bool,
    /// The organization's locale as the platform reports it (Optix's `fr_CA`); None when it
    /// reports none (OfficeRnD's API has no organization locale, docs/officernd.md).
    pub locale: Option<String>,
}

/// The members of a snapshot: all read at once, or read a page at a time while the sync
/// writes them (Optix: the sync holds one chunk of the organization, not all of it).
pub enum SnapshotMembers<'a> {
    All {
        members: BTreeMap<String, MemberFacts>,
        users_seen: u32,
    },
    Paged(OptixPages<'a>),
}

impl SnapshotMembers<'_> {
    /// The members the platform listed.
    pub fn users_seen(&self) -> u32 {
        match self {
            SnapshotMembers::All { users_seen, .. } => *users_seen,
            SnapshotMembers::Paged(pages) => pages.users_seen(),
        }
    }
}

/// One membership platform, as provision asks it. Every answer is about the organization's
/// own records, read with the organization's own credentials.
pub(crate) trait PlatformAdapter {
    /// The users `hints` name, the facts about them, and the teams gone from the platform.
    async fn ask(
        &self,
        org_id: &str,
        hints: &[Parsed],
        now: DateTime<Utc>,
    ) -> Result<Asked, ProvisionError>;

    /// Everything about the organization, once the credentials are confirmed as its own (a
    /// sync deletes whoever the platform does not list), or for a periodic sync what changed
    /// when the platform can say (a `partial` snapshot). `position` is the log's head, read
    /// before the first request.
    async fn snapshot(
        &self,
        org_id: &str,
        position: i64,
        kind: SyncKind,
        now: DateTime<Utc>,
    ) -> Result<PlatformSnapshot<'_>, ProvisionError>;

    /// The user with this email, if the platform has one in the organization.
    async fn user_by_email(
        &self,
        org_id: &str,
        email: &str,
    ) -> Result<Option<String>, ProvisionError>;

    /// What the platform says about one user now (an onboarding).
    async fn member_facts(
        &self,
        org_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<MemberFacts, ProvisionError>;

    /// The organization's location ids.
    async fn location_ids(&self, org_id: &str) -> Result<HashSet<String>, ProvisionError>;

    /// Requests made to the platform so far (the cost metrics).
    fn calls_made(&self) -> u64;
}

/// The adapter of an organization's platform.
pub enum Adapter<'a> {
    Optix(OptixAdapter<'a>),
    OfficeRnd(OfficeRndAdapter<'a>),
}

impl Provisioner {
    /// The adapter of `org_id`'s platform (its id names it: `domain::Platform::of_org`).
    pub fn platform(&self, org_id: &str) -> Adapter<'_> {
        match Platform::of_org(org_id) {
            Platform::Optix => Adapter::Optix(OptixAdapter::new(self)),
            Platform::OfficeRnd => Adapter::OfficeRnd(OfficeRndAdapter::new(self)),
        }
    }

    /// Whether the organization's platform knows `location_id` as one of its locations
    /// (cached; see [`crate::known_locations`]).
    pub async fn platform_knows_location(
        &self,
        org_id: &str,
        location_id: &str,
    ) -> Result<bool, ProvisionError> {
        let now = std::time::Instant::now();
        match self.known_locations().lookup(org_id, location_id, now) {
            Lookup::Known => return Ok(true),
            Lookup::Unknown => return Ok(false),
            Lookup::Refresh => {}
        }
        let ids = self.platform(org_id).location_ids(org_id).await?;
        let known = ids.contains(location_id);
        self.known_locations()
            .store(org_id, ids, std::time::Instant::now());
        Ok(known)
    }

    /// Requests made to every platform so far.
    pub fn platform_calls(&self) -> u64 {
        OptixAdapter::new(self).calls_made() + OfficeRndAdapter::new(self).calls_made()
    }
}

/// Calls `$method` on whichever adapter `$adapter` holds.
macro_rules! dispatch {
    ($adapter:expr, $method:ident ( $($arg:expr),* )) => {
        match $adapter {
            Adapter::Optix(a) => a.$method($($arg),*).await,
            Adapter::OfficeRnd(a) => a.$method($($arg),*).await,
        }
    };
}

impl PlatformAdapter for Adapter<'_> {
    async fn ask(
        &self,
        org_id: &str,
        hints: &[Parsed],
        now: DateTime<Utc>,
    ) -> Result<Asked, ProvisionError> {
        dispatch!(self, ask(org_id, hints, now))
    }

    async fn snapshot(
        &self,
        org_id: &str,
        position: i64,
        kind: SyncKind,
        now: DateTime<Utc>,
    ) -> Result<PlatformSnapshot<'_>, ProvisionError> {
        dispatch!(self, snapshot(org_id, position, kind, now))
    }

    async fn user_by_email(
        &self,
        org_id: &str,
        email: &str,
    ) -> Result<Option<String>, ProvisionError> {
        dispatch!(self, user_by_email(org_id, email))
    }

    async fn member_facts(
        &self,
        org_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<MemberFacts, ProvisionError> {
        dispatch!(self, member_facts(org_id, user_id, now))
    }

    async fn location_ids(&self, org_id: &str) -> Result<HashSet<String>, ProvisionError> {
        dispatch!(self, location_ids(org_id))
    }

    fn calls_made(&self) -> u64 {
        match self {
            Adapter::Optix(a) => a.calls_made(),
            Adapter::OfficeRnd(a) => a.calls_made(),
        }
    }
}
