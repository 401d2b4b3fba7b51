//! The Optix adapter: the GraphQL client and the organization's token (`optix::api`), its
//! answers turned into the domain's facts by `crate::facts`.

use super::{Asked, PlatformAdapter, PlatformSnapshot, SnapshotMembers};
use crate::error::ProvisionError;
use crate::facts;
use crate::provisioner::Provisioner;
use crate::received::Parsed;
use crate::sync_requests::SyncKind;
use chrono::{DateTime, Utc};
use domain::MemberFacts;
use optix::api::{OrgToken, TokenCheck};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;
use store::sync_staging::{self, SyncId};

/// How long a request made for a person waiting (an onboarding) may wait for the budget.
const PATIENCE: Duration = Duration::from_secs(10);

pub struct OptixAdapter<'a> {
    provisioner: &'a Provisioner,
}

impl<'a> OptixAdapter<'a> {
    pub fn new(provisioner: &'a Provisioner) -> Self {
        OptixAdapter { provisioner }
    }
}

/// A full sync's Optix members, read a page of users at a time: the organization's live plans
/// were staged in PostgreSQL before the first page (`store::sync_staging`), and its bookings
/// in the window (a few days' worth) are held here. Whoever the log has an account for and no
/// page listed is found in PostgreSQL at the end ([`OptixPages::gone`]).
pub struct OptixPages<'a> {
    provisioner: &'a Provisioner,
    token: OrgToken,
    staging: SyncId,
    bookings: optix::api::Facts,
    /// The first page of users, read before the plans (see `snapshot`).
    first_page: Vec<optix::api::User>,
    next_page: Option<i64>,
    users_seen: u32,
}

impl OptixPages<'_> {
    pub fn users_seen(&self) -> u32 {
        self.users_seen
    }

    /// The facts about the users of the next pages, at least `at_least` of them unless the
    /// list ends first; None after the last page.
    pub async fn next_members(
        &mut self,
        at_least: usize,
    ) -> Result<Option<Vec<MemberFacts>>, ProvisionError> {
        let mut users: BTreeMap<String, optix::api::User> = std::mem::take(&mut self.first_page)
            .into_iter()
            .map(|u| (u.user_id.clone(), u))
            .collect();
        while users.len() < at_least {
            let Some(page) = self.next_page else { break };
            let answer = self
                .provisioner
                .optix()
                .users_page(&self.token, page)
                .await?;
            self.users_seen += answer.items.len() as u32;
            users.extend(answer.items.into_iter().map(|u| (u.user_id.clone(), u)));
            self.next_page = answer.next;
        }
        if users.is_empty() {
            return Ok(None);
        }
        let ids: Vec<&str> = users.keys().map(String::as_str).collect();
        let mut plans: BTreeMap<String, Vec<domain::access::PlanFact>> = BTreeMap::new();
        {
            let client = self.provisioner.pool().get().await?;
            sync_staging::record_seen(&client, self.staging, &ids).await?;
            for (user, plan) in sync_staging::plans_of(&client, self.staging, &ids).await? {
                plans.entry(user).or_default().push(plan);
            }
        }
        let ids: Vec<String> = users.keys().cloned().collect();
        // The chunk's users with their bookings and invitations (their plans come staged).
        let mut chunk = facts::FactsIndex::new(&self.bookings).subset(&ids);
        chunk.users = users;
        Ok(Some(
            ids.iter()
                .map(|id| {
                    let mut member = facts::member_facts(id, &chunk);
                    if member.exists {
                        member.plans = plans.remove(id).unwrap_or_default();
                    }
                    member
                })
                .collect(),
        ))
    }

    /// Everyone to reconcile as gone once every page is read: the organization's accounts,
    /// plan holders and people of bookings that no page listed.
    pub async fn gone(&self, org_id: &str) -> Result<Vec<String>, ProvisionError> {
        let named: std::collections::BTreeSet<&str> = facts::users_in(&self.bookings).collect();
        let named: Vec<&str> = named.into_iter().collect();
        let client = self.provisioner.pool().get().await?;
        Ok(sync_staging::unseen(&client, self.staging, org_id, &named).await?)
    }

    /// Reads every page of the organization's live plans into the sync's staging, holding one
    /// page at a time.
    async fn stage_live_plans(&self) -> Result<(), ProvisionError> {
        let mut next = Some(1);
        let mut ordinal = 0;
        while let Some(page) = next {
            let answer = self
                .provisioner
                .optix()
                .live_plans_page(&self.token, page)
                .await?;
            next = answer.next;
            let plans: Vec<(String, domain::access::PlanFact)> = answer
                .items
                .iter()
                .filter_map(|p| Some((p.user_id.clone()?, facts::plan_fact(p))))
                .collect();
            let client = self.provisioner.pool().get().await?;
            sync_staging::stage_plans(&client, self.staging, ordinal, &plans).await?;
            ordinal += plans.len() as i64;
        }
        Ok(())
    }

    /// Removes what the sync staged, whatever its outcome (a failure is logged: the next
    /// sync removes a day-old leftover).
    pub async fn finish(self) {
        let removed = match self.provisioner.pool().get().await {
            Ok(client) => sync_staging::finish(&client, self.staging).await,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = removed {
            tracing::warn!(error = %e, "a sync's staged plans were not removed");
        }
    }
}

impl PlatformAdapter for OptixAdapter<'_> {
    async fn ask(
        &self,
        org_id: &str,
        hints: &[Parsed],
        now: DateTime<Utc>,
    ) -> Result<Asked, ProvisionError> {
        let p = self.provisioner;
        let token = p.org_token(org_id).await?;
        let users = p.resolve(org_id, &token, hints).await?;
        let ids: Vec<String> = users.keys().cloned().collect();
        let (from, to) = facts::booking_window(now);
        let optix_facts = if ids.is_empty() {
            Default::default()
        } else {
            p.optix().facts(&token, &ids, from, to).await?
        };
        let gone_teams = p.gone_teams(org_id, &token, hints).await?;
        let index = facts::FactsIndex::new(&optix_facts);
        Ok(Asked::answered(users, gone_teams, |id| {
            index.member_facts(id)
        }))
    }

    /// Always everything: Optix's API has no "changed since" (its budget is per minute, and
    /// a full sync fits it). The users' first page, then the live plans (staged in
    /// PostgreSQL), the bookings and the teams; the other pages of users are read one at a
    /// time as the sync writes them ([`OptixPages::next_members`]).
    async fn snapshot(
        &self,
        org_id: &str,
        position: i64,
        _kind: SyncKind,
        now: DateTime<Utc>,
    ) -> Result<PlatformSnapshot<'_>, ProvisionError> {
        let p = self.provisioner;
        let token = p.org_token(org_id).await?;
        let optix = p.optix();
        let locale = match optix.check_org_token(org_id, token.expose()).await? {
            TokenCheck::Confirmed { locale } => locale,
            TokenCheck::Refused(refusal) => {
                tracing::error!(
                    org_id,
                    reason = refusal.label(),
                    "sync refused: Optix does not confirm the stored token as this organization's"
                );
                return Err(ProvisionError::TokenNotConfirmed(
                    org_id.to_owned(),
                    refusal,
                ));
            }
        };
        let staging = {
            let client = p.pool().get().await?;
            sync_staging::begin(&client).await?
        };
        let mut pages = OptixPages {
            provisioner: p,
            token,
            staging,
            bookings: Default::default(),
            first_page: Vec::new(),
            next_page: None,
            users_seen: 0,
        };
        let (from, to) = facts::booking_window(now);
        let read = async {
            // The users' first page comes first, as it always has: a sync that cannot read
            // them fails before staging anything else.
            let first = optix.users_page(&pages.token, 1).await?;
            pages.stage_live_plans().await?;
            let bookings = optix.bookings_window(&pages.token, from, to).await?;
            let teams = optix.all_teams(&pages.token).await?;
            Ok::<_, ProvisionError>((first, bookings, teams))
        };
        match read.await {
            Ok((first, bookings, teams)) => {
                pages.users_seen = first.items.len() as u32;
                pages.first_page = first.items;
                pages.next_page = first.next;
                pages.bookings.bookings = bookings;
                Ok(PlatformSnapshot {
                    position,
                    members: SnapshotMembers::Paged(pages),
                    team_ids: teams.into_iter().map(|t| t.team_id).collect(),
                    partial: false,
                    locale,
                })
            }
            Err(e) => {
                pages.finish().await;
                Err(e)
            }
        }
    }

    async fn user_by_email(
        &self,
        org_id: &str,
        email: &str,
    ) -> Result<Option<String>, ProvisionError> {
        let p = self.provisioner;
        let token = p.org_token(org_id).await?;
        let found = p
            .optix()
            .with_patience(PATIENCE)
            .user_by_email(&token, email)
            .await?;
        Ok(found.filter(|u| !u.is_deleted).map(|u| u.user_id))
    }

    async fn member_facts(
        &self,
        org_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<MemberFacts, ProvisionError> {
        let p = self.provisioner;
        let token = p.org_token(org_id).await?;
        let (from, to) = facts::booking_window(now);
        let user = [user_id.to_owned()];
        let answer = p
            .optix()
            .with_patience(PATIENCE)
            .facts(&token, &user, from, to)
            .await?;
        Ok(facts::member_facts(user_id, &answer))
    }

    async fn location_ids(&self, org_id: &str) -> Result<HashSet<String>, ProvisionError> {
        let p = self.provisioner;
        let token = p.org_token(org_id).await?;
        Ok(p.optix()
            .with_patience(PATIENCE)
            .locations(&token)
            .await?
            .into_iter()
            .map(|l| l.location_id)
            .collect())
    }

    fn calls_made(&self) -> u64 {
        self.provisioner.optix().calls_made()
    }
}
