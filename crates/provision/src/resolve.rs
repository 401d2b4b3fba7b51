//! Hint resolution: which members a batch of webhook hints is about. The log answers first (a
//! member's email through its keyed hash, a team's members); Optix is asked only for the rest
//! (plans by id in one request, the batch's new emails ten a request, bookings with their
//! invitees, member ids).

use crate::error::ProvisionError;
use crate::hints::Hint;
use crate::provisioner::Provisioner;
use crate::received::Parsed;
use optix::api::OrgToken;
use optix::webhook::WebhookEvent;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use store::queries;

/// User id → the position of the first hint that named them (their events' cause).
pub type Named = BTreeMap<String, usize>;

fn add(users: &mut Named, found: impl IntoIterator<Item = String>, position: usize) {
    for user in found {
        users.entry(user).or_insert(position);
    }
}

/// Every email the batch names, to look up in the log at once (a query, not one each).
fn emails_named(hints: &[Parsed]) -> Vec<&str> {
    hints
        .iter()
        .flat_map(|p| match &p.hint {
            Hint::Emails(emails) | Hint::Plan { emails, .. } => {
                emails.iter().map(String::as_str).collect()
            }
            Hint::Booking {
                booker_email: Some(email),
                ..
            } => vec![email.as_str()],
            _ => Vec::new(),
        })
        .collect()
}

/// The emails of `hints` that neither the log (`known`) nor a plan id answers, once each: a
/// batch asks Optix for all of them together.
fn emails_to_ask<'a>(hints: &'a [Parsed], known: &HashMap<&str, String>) -> Vec<&'a str> {
    let asked: BTreeSet<&str> = hints
        .iter()
        .flat_map(|p| match &p.hint {
            Hint::Emails(emails)
            | Hint::Plan {
                account_plan_id: None,
                emails,
            } => emails.as_slice(),
            _ => &[],
        })
        .map(String::as_str)
        .filter(|email| !known.contains_key(email))
        .collect();
    asked.into_iter().collect()
}

/// How one organization's emails are resolved: the log's and the batch's Optix answers
/// (`known`), then Optix one by one for what is left (a deleted booking's booker).
struct ByEmail<'a> {
    org_id: &'a str,
    token: &'a OrgToken,
    known: HashMap<&'a str, String>,
}

impl ByEmail<'_> {
    /// The users of `emails` that the log or Optix answered (the batch asked Optix for all of
    /// them before, see [`emails_to_ask`]).
    fn users_known(&self, emails: &[String]) -> Vec<String> {
        emails
            .iter()
            .filter_map(|email| self.known.get(email.as_str()).cloned())
            .collect()
    }
}

impl Provisioner {
    /// The users `hints` name.
    pub(crate) async fn resolve(
        &self,
        org_id: &str,
        token: &OrgToken,
        hints: &[Parsed],
    ) -> Result<Named, ProvisionError> {
        let mut users = Named::new();
        let mut known = self
            .local_users_by_email(org_id, &emails_named(hints))
            .await?;
        let to_ask = emails_to_ask(hints, &known);
        if !to_ask.is_empty() {
            known.extend(self.optix_users_by_email(org_id, token, &to_ask).await?);
        }
        let by_email = ByEmail {
            org_id,
            token,
            known,
        };
        let mut unknown_plans: Vec<(String, usize)> = Vec::new();
        for (position, p) in hints.iter().enumerate() {
            let (found, unknown_plan) = self.users_of(&by_email, &p.hint).await?;
            add(&mut users, found, position);
            unknown_plans.extend(unknown_plan.map(|plan| (plan, position)));
        }
        if !unknown_plans.is_empty() {
            let ids: Vec<String> = unknown_plans.iter().map(|(id, _)| id.clone()).collect();
            let owners = self.optix().plan_users(token, &ids).await?;
            for (plan, position) in unknown_plans {
                if let Some((_, Some(user))) = owners.iter().find(|(id, _)| *id == plan) {
                    add(&mut users, [user.clone()], position);
                }
            }
        }
        Ok(users)
    }

    /// The users one hint names, and the plan whose owner is still to be asked of Optix (one
    /// request for the whole batch).
    async fn users_of(
        &self,
        by_email: &ByEmail<'_>,
        hint: &Hint,
    ) -> Result<(Vec<String>, Option<String>), ProvisionError> {
        let mut users = Vec::new();
        match hint {
            Hint::Users(ids) => users.extend(ids.iter().cloned()),
            Hint::Emails(emails) => users = by_email.users_known(emails),
            Hint::Plan {
                account_plan_id,
                emails,
            } => {
                let mut all_known = !emails.is_empty();
                for email in emails {
                    match by_email.known.get(email.as_str()) {
                        Some(user) => users.push(user.clone()),
                        None => all_known = false,
                    }
                }
                if !all_known {
                    if let Some(plan) = account_plan_id {
                        return Ok((users, Some(plan.clone())));
                    }
                    users.extend(by_email.users_known(emails));
                }
            }
            Hint::Booking {
                booking_id,
                booker_email,
            } => {
                users = self
                    .booking_users(by_email, booking_id, booker_email.as_deref())
                    .await?;
            }
            Hint::Member { member_id } => {
                let token = by_email.token;
                users.extend(self.optix().user_by_member_id(token, member_id).await?);
            }
            Hint::Team { team_id } => {
                let client = self.pool().get().await?;
                users = queries::members_in_group(&client, by_email.org_id, team_id).await?;
            }
            Hint::Nothing | Hint::Token { .. } | Hint::Uninstall => {}
        }
        Ok((users, None))
    }

    /// A booking's booker and invitees; for a booking deleted in Optix, whoever held its
    /// grant, found by email.
    async fn booking_users(
        &self,
        by_email: &ByEmail<'_>,
        booking_id: &str,
        booker_email: Option<&str>,
    ) -> Result<Vec<String>, ProvisionError> {
        Ok(
            match self
                .optix()
                .booking_people(by_email.token, booking_id)
                .await?
            {
                Some((booker, invitees)) => booker
                    .into_iter()
                    .chain(invitees.into_iter().map(|i| i.user_id))
                    .collect(),
                None => match booker_email {
                    Some(email) => self
                        .user_by_email(by_email, email)
                        .await?
                        .into_iter()
                        .collect(),
                    None => Vec::new(),
                },
            },
        )
    }

    /// The members the log knows by these emails (through their keyed hashes): email → user.
    async fn local_users_by_email<'e>(
        &self,
        org_id: &str,
        emails: &[&'e str],
    ) -> Result<HashMap<&'e str, String>, ProvisionError> {
        if emails.is_empty() {
            return Ok(HashMap::new());
        }
        let by_hash: HashMap<String, &str> = emails
            .iter()
            .map(|email| (secrets::email_hash(self.keys(), org_id, email), *email))
            .collect();
        let hashes: Vec<&str> = by_hash.keys().map(String::as_str).collect();
        let client = self.pool().get().await?;
        let found = queries::members_by_email_hash(&client, org_id, &hashes).await?;
        Ok(found
            .into_iter()
            .filter_map(|(hash, user)| Some((*by_hash.get(&hash)?, user)))
            .collect())
    }

    /// The live users Optix knows by `emails` (all asked at once, ten a request): email → user.
    async fn optix_users_by_email<'e>(
        &self,
        org_id: &str,
        token: &OrgToken,
        emails: &[&'e str],
    ) -> Result<HashMap<&'e str, String>, ProvisionError> {
        let asked: Vec<String> = emails.iter().map(|e| (*e).to_owned()).collect();
        let found = self.optix().users_by_email(token, &asked).await?;
        let unknown = emails.iter().filter(|e| !found.contains_key(**e)).count();
        if unknown > 0 {
            tracing::info!(org_id, unknown, "webhooks name emails Optix does not know");
        }
        Ok(emails
            .iter()
            .filter_map(|email| {
                let user = found.get(*email).filter(|u| !u.is_deleted)?;
                Some((*email, user.user_id.clone()))
            })
            .collect())
    }

    /// What the log knows, then Optix.
    async fn user_by_email(
        &self,
        by_email: &ByEmail<'_>,
        email: &str,
    ) -> Result<Option<String>, ProvisionError> {
        if let Some(user) = by_email.known.get(email) {
            return Ok(Some(user.clone()));
        }
        let found = self.optix().user_by_email(by_email.token, email).await?;
        if found.is_none() {
            let org_id = by_email.org_id;
            tracing::info!(org_id, "a webhook names an email Optix does not know");
        }
        Ok(found.filter(|u| !u.is_deleted).map(|u| u.user_id))
    }

    /// Teams a `team_updated` or `team_member_deleted` webhook names, whose group the log holds,
    /// and that Optix no longer has (it sends no webhook of its own for a deleted team): each
    /// with the position of the first hint naming it. One request for the team list, only
    /// when such a group exists.
    pub(crate) async fn gone_teams(
        &self,
        org_id: &str,
        token: &OrgToken,
        hints: &[Parsed],
    ) -> Result<Vec<(String, usize)>, ProvisionError> {
        let mut named: BTreeMap<&str, usize> = BTreeMap::new();
        for (position, p) in hints.iter().enumerate() {
            let Some(webhook) = p.webhook.optix() else {
                continue;
            };
            let team_id = match &webhook.event {
                WebhookEvent::TeamUpdated { team_id } => team_id,
                WebhookEvent::TeamMemberDeleted(membership) => &membership.team_id,
                _ => continue,
            };
            named.entry(team_id.as_str()).or_insert(position);
        }
        if named.is_empty() {
            return Ok(Vec::new());
        }
        let held: BTreeSet<String> = {
            let client = self.pool().get().await?;
            queries::group_team_ids(&client, org_id, i64::MAX)
                .await?
                .into_iter()
                .collect()
        };
        named.retain(|team_id, _| held.contains(*team_id));
        if named.is_empty() {
            return Ok(Vec::new());
        }
        let live: BTreeSet<String> = self
            .optix()
            .all_teams(token)
            .await?
            .into_iter()
            .map(|t| t.team_id)
            .collect();
        Ok(named
            .into_iter()
            .filter(|(team_id, _)| !live.contains(*team_id))
            .map(|(team_id, position)| (team_id.to_owned(), position))
            .collect())
    }
}
