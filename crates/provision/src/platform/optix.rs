//! The Optix adapter: the GraphQL client and the organization's token (`optix::api`), its
//! answers turned into the domain's facts by `crate::facts`.

use super::{Asked, PlatformAdapter, PlatformSnapshot};
use crate::error::ProvisionError;
use crate::facts;
use crate::provisioner::Provisioner;
use crate::received::Parsed;
use crate::sync_requests::SyncKind;
use chrono::{DateTime, Utc};
use domain::MemberFacts;
use optix::api::TokenCheck;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

/// How long a request made for a person waiting (an onboarding) may wait for the budget.
const PATIENCE: Duration = Duration::from_secs(10);
/// Users whose facts are split out of the snapshot at once.
const CHUNK: usize = 250;

pub struct OptixAdapter<'a> {
    provisioner: &'a Provisioner,
}

impl<'a> OptixAdapter<'a> {
    pub fn new(provisioner: &'a Provisioner) -> Self {
        OptixAdapter { provisioner }
    }
}

/// Every user of `facts`, each with their facts (split by `facts::FactsIndex`, linear in the
/// organization's size).
fn members_of(facts: &optix::api::Facts) -> BTreeMap<String, MemberFacts> {
    let users: BTreeSet<String> = facts::users_in(facts).map(str::to_owned).collect();
    let users: Vec<String> = users.into_iter().collect();
    let index = facts::FactsIndex::new(facts);
    let mut members = BTreeMap::new();
    for chunk in users.chunks(CHUNK) {
        let subset = index.subset(chunk);
        for user in chunk {
            members.insert(user.clone(), facts::member_facts(user, &subset));
        }
    }
    members
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
        Ok(Asked::answered(users, gone_teams, |id| {
            facts::member_facts(id, &optix_facts)
        }))
    }

    /// Always everything: Optix's API has no "changed since" (its budget is per minute, and
    /// a full sync fits it).
    async fn snapshot(
        &self,
        org_id: &str,
        position: i64,
        _kind: SyncKind,
        now: DateTime<Utc>,
    ) -> Result<PlatformSnapshot, ProvisionError> {
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
        let (from, to) = facts::booking_window(now);
        let users = optix.all_users(&token).await?;
        let plans = optix.all_live_plans(&token).await?;
        let bookings = optix.bookings_window(&token, from, to).await?;
        let teams = optix.all_teams(&token).await?;
        let users_seen = users.len() as u32;
        let all = optix::api::Facts {
            users: users.into_iter().map(|u| (u.user_id.clone(), u)).collect(),
            plans,
            bookings,
        };
        Ok(PlatformSnapshot {
            position,
            members: members_of(&all),
            team_ids: teams.into_iter().map(|t| t.team_id).collect(),
            users_seen,
            partial: false,
            locale,
        })
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
