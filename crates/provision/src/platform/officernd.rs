//! The OfficeRnD adapter: the organization's application credentials (client id and slug in
//! the log, the secret sealed), the API v2 client (`officernd::client`) and its records in the
//! domain's words (`officernd::facts`). Hints name members, companies and bookings by id;
//! everything else is read from the API (docs/officernd.md §13).

use super::{Asked, PlatformAdapter, PlatformSnapshot, SnapshotMembers};
use crate::error::ProvisionError;
use crate::hints::Hint;
use crate::provisioner::Provisioner;
use crate::received::Parsed;
use crate::resolve::Named;
use crate::sync_requests::SyncKind;
use chrono::{DateTime, Utc};
use domain::{MemberFacts, Platform};
use officernd::Credentials;
use officernd::facts::{self as records, Records, visitor_user_id};
use officernd::model::{Booking, Company, Location, Member};
use secrets::contexts::organization_token as secret_aad;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use store::queries;

pub struct OfficeRndAdapter<'a> {
    provisioner: &'a Provisioner,
}

fn add(users: &mut Named, found: impl IntoIterator<Item = String>, position: usize) {
    for user in found {
        users.entry(user).or_insert(position);
    }
}

impl<'a> OfficeRndAdapter<'a> {
    pub fn new(provisioner: &'a Provisioner) -> Self {
        OfficeRndAdapter { provisioner }
    }

    fn client(&self) -> &officernd::OfficeRndClient {
        self.provisioner.officernd()
    }

    /// The organization's credentials: its account from the log, the secret opened with the
    /// master key.
    pub async fn credentials(&self, org_id: &str) -> Result<Credentials, ProvisionError> {
        let p = self.provisioner;
        let client = p.pool().get().await?;
        let (account, sealed) = queries::platform_account(&client, org_id)
            .await?
            .ok_or_else(|| ProvisionError::NotInstalled(org_id.to_owned()))?;
        let secret = p.keys().open_with_master(&sealed, &secret_aad(org_id))?;
        Ok(Credentials::new(
            &account.client_id,
            &String::from_utf8_lossy(&secret),
            &account.slug,
        ))
    }

    /// The people one hint names: members by id, a company's members (the log's and
    /// OfficeRnD's), a booking's booker, members and guests.
    async fn users_of(
        &self,
        org_id: &str,
        credentials: &Credentials,
        hint: &Hint,
    ) -> Result<Vec<String>, ProvisionError> {
        Ok(match hint {
            Hint::Users(ids) => ids.clone(),
            Hint::Team { team_id } => {
                let mut users = {
                    let client = self.provisioner.pool().get().await?;
                    queries::members_in_group(&client, org_id, team_id).await?
                };
                let members: Vec<Member> = self
                    .client()
                    .list(credentials, "members", &[("company", team_id)])
                    .await?;
                users.extend(members.into_iter().map(|m| m.id));
                users
            }
            Hint::Booking { booking_id, .. } => {
                let booking: Option<Booking> = self
                    .client()
                    .one(credentials, "bookings", booking_id)
                    .await?;
                booking.map(booking_people).unwrap_or_default()
            }
            _ => Vec::new(),
        })
    }

    /// Companies the hints name whose group the log holds and that OfficeRnD no longer has.
    async fn gone_companies(
        &self,
        org_id: &str,
        credentials: &Credentials,
        hints: &[Parsed],
    ) -> Result<Vec<(String, usize)>, ProvisionError> {
        let mut named: BTreeMap<&str, usize> = BTreeMap::new();
        for (position, p) in hints.iter().enumerate() {
            if let Hint::Team { team_id } = &p.hint {
                named.entry(team_id.as_str()).or_insert(position);
            }
        }
        if named.is_empty() {
            return Ok(Vec::new());
        }
        let held: BTreeSet<String> = {
            let client = self.provisioner.pool().get().await?;
            queries::group_team_ids(&client, org_id, i64::MAX)
                .await?
                .into_iter()
                .collect()
        };
        let mut gone = Vec::new();
        for (company_id, position) in named {
            if !held.contains(company_id) {
                continue;
            }
            let company: Option<Company> = self
                .client()
                .one(credentials, "companies", company_id)
                .await?;
            if company.is_none() {
                gone.push((company_id.to_owned(), position));
            }
        }
        Ok(gone)
    }

    /// The credentials read this organization: OfficeRnD answers the lookup with the
    /// organization the log's id names (a sync deletes whoever is not listed, so another
    /// organization's credentials must never empty this one).
    async fn confirm(&self, org_id: &str, credentials: &Credentials) -> Result<(), ProvisionError> {
        let organization = match self.client().organization(credentials).await {
            Ok(organization) => organization,
            Err(officernd::OfficeRndError::Unauthorized) => {
                return Err(ProvisionError::NotConfirmed(
                    org_id.to_owned(),
                    "the credentials are refused".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if Platform::OfficeRnd.org_id(&organization.id) != org_id {
            tracing::error!(
                org_id,
                "sync refused: the credentials read another organization"
            );
            return Err(ProvisionError::NotConfirmed(
                org_id.to_owned(),
                "the credentials read another organization".into(),
            ));
        }
        Ok(())
    }
}

/// A booking's booker, other members and guests.
fn booking_people(booking: Booking) -> Vec<String> {
    booking
        .member
        .into_iter()
        .chain(booking.members)
        .chain(booking.visitors.iter().map(|v| visitor_user_id(v)))
        .collect()
}

impl PlatformAdapter for OfficeRndAdapter<'_> {
    async fn ask(
        &self,
        org_id: &str,
        hints: &[Parsed],
        now: DateTime<Utc>,
    ) -> Result<Asked, ProvisionError> {
        let credentials = self.credentials(org_id).await?;
        let mut users = Named::new();
        for (position, p) in hints.iter().enumerate() {
            let found = self.users_of(org_id, &credentials, &p.hint).await?;
            add(&mut users, found, position);
        }
        let ids: Vec<String> = users.keys().cloned().collect();
        let found = if ids.is_empty() {
            Records::default()
        } else {
            records::about(self.client(), &credentials, &ids, now).await?
        };
        let gone_teams = self.gone_companies(org_id, &credentials, hints).await?;
        Ok(Asked::answered(users, gone_teams, |id| {
            records::member_facts(id, &found)
        }))
    }

    /// A periodic sync reads only who changed since the last read (`modifiedAt[$gte]`, and
    /// the booking window's people) unless a full sweep is due (`officernd.
    /// full_sync_interval_secs`); every other sync reads everything.
    async fn snapshot(
        &self,
        org_id: &str,
        position: i64,
        kind: SyncKind,
        now: DateTime<Utc>,
    ) -> Result<PlatformSnapshot<'_>, ProvisionError> {
        let credentials = self.credentials(org_id).await?;
        self.confirm(org_id, &credentials).await?;
        let sweeps = self.provisioner.officernd_sweeps();
        let since = sweeps.changes_since(org_id, kind, now);
        let (users, found) = match since {
            Some(since) => {
                let changed =
                    records::changed_since(self.client(), &credentials, since, now).await?;
                let changed: Vec<String> = changed.into_iter().collect();
                let found = records::about(self.client(), &credentials, &changed, now).await?;
                (changed, found)
            }
            None => {
                let all = records::snapshot(self.client(), &credentials, now).await?;
                (all.users().into_iter().collect(), all)
            }
        };
        sweeps.record(org_id, since.is_none(), now);
        tracing::info!(
            org_id,
            full = since.is_none(),
            users = users.len(),
            "OfficeRnD records read for a sync"
        );
        Ok(PlatformSnapshot {
            position,
            members: SnapshotMembers::All {
                members: users
                    .into_iter()
                    .map(|user| {
                        let facts = records::member_facts(&user, &found);
                        (user, facts)
                    })
                    .collect(),
                users_seen: found.members.len() as u32,
            },
            team_ids: found.companies.keys().cloned().collect(),
            partial: since.is_some(),
            // OfficeRnD's API has no organization locale (docs/officernd.md §3).
            locale: None,
        })
    }

    async fn user_by_email(
        &self,
        org_id: &str,
        email: &str,
    ) -> Result<Option<String>, ProvisionError> {
        let credentials = self.credentials(org_id).await?;
        let found: Vec<Member> = self
            .client()
            .list(&credentials, "members", &[("email", email)])
            .await?;
        Ok(found.into_iter().next().map(|m| m.id))
    }

    async fn member_facts(
        &self,
        org_id: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<MemberFacts, ProvisionError> {
        let credentials = self.credentials(org_id).await?;
        let user = [user_id.to_owned()];
        let found = records::about(self.client(), &credentials, &user, now).await?;
        Ok(records::member_facts(user_id, &found))
    }

    async fn location_ids(&self, org_id: &str) -> Result<HashSet<String>, ProvisionError> {
        let credentials = self.credentials(org_id).await?;
        let locations: Vec<Location> = self.client().list(&credentials, "locations", &[]).await?;
        Ok(locations.into_iter().map(|l| l.id).collect())
    }

    fn calls_made(&self) -> u64 {
        self.client().calls_made()
    }
}
