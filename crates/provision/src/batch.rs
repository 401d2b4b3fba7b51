//! One organization's webhooks, reconciled together: the hints are resolved to users (locally
//! where the log already knows them), the facts about all of them come from Optix in as few
//! requests as the schema allows, and everything commits in one transaction with the
//! processed-message marks.

use crate::facts;
use crate::hints::{Hint, hint_of};
use crate::provisioner::{ProvisionError, Provisioner, Trigger, in_transaction};
use crate::sync::SyncKind;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use domain::organization::OrganizationCommand;
use optix::api::{OptixError, OrgToken, TokenCheck};
use optix::webhook::{Webhook, WebhookEvent};
use secrets::contexts::organization_token as token_aad;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use store::event_log::{self, Metadata};
use store::{StoreError, queries};
use tracing::Instrument;

/// A webhook message as the consumer pulled it.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub message_id: String,
    pub subject: String,
    pub payload: Bytes,
    /// Re-published by `lanyard webhooks replay`: an operator asks for a reconciliation, so
    /// earlier coverage does not excuse it.
    pub replay: bool,
}

/// What became of one webhook message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Committed (with the events its batch appended; 0 when the log already matched Optix).
    Committed { events: usize },
    /// This message's effects were committed before (a redelivery).
    AlreadyProcessed,
    /// Try again later (Optix rate limit, organization not installed yet, conflict).
    Retry { after: Duration, reason: String },
    /// The message can never be processed (malformed); it stays in the stream for inspection.
    Rejected { reason: String },
    /// Optix did not confirm what the webhook claims (a forged or replayed body): nothing
    /// changed; marked processed, logged and counted by `reason`.
    Refused { reason: &'static str },
}

struct Parsed {
    index: usize,
    message_id: String,
    webhook: Webhook,
    hint: Hint,
    replay: bool,
    /// Keyed hash of what the hint is about ([`Hint::subject`]); None when it costs no request.
    subject_key: Option<String>,
}

/// Coverage records are kept this long: far past ingest's timestamp horizon (2 hours by
/// default), beyond which no delivery they could cover is accepted.
const COVERAGE_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The earliest moment a reconciliation is sure to see every change Optix made in the
/// delivery's second: the end of that (whole) second plus `margin` for clock skew.
fn settled_at(webhook: &Webhook, margin: Duration) -> DateTime<Utc> {
    let second_ends = DateTime::from_timestamp(webhook.envelope.created_timestamp, 0)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
        + chrono::TimeDelta::seconds(1);
    second_ends + chrono::TimeDelta::from_std(margin).unwrap_or(chrono::TimeDelta::seconds(1))
}

fn parse(
    seal: &bus::sealing::WebhookSeal,
    subject: &str,
    payload: &[u8],
) -> Result<Webhook, String> {
    let payload = seal.open(subject, payload).map_err(|e| e.to_string())?;
    let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&payload)
        .map_err(|e| format!("payload is not a JSON object: {e}"))?;
    Webhook::from_fields(&fields).map_err(|e| format!("not an Optix webhook: {e}"))
}

fn retry_for(error: &ProvisionError) -> Outcome {
    let (after, reason) = match error {
        ProvisionError::Optix(OptixError::RateLimited { retry_after_secs }) => (
            Duration::from_secs((*retry_after_secs).max(1)),
            "Optix rate limit".to_owned(),
        ),
        ProvisionError::Store(e) if e.is_conflict() => (Duration::ZERO, e.to_string()),
        ProvisionError::NotInstalled(_) => (Duration::from_secs(5), error.to_string()),
        // A refused token waits for organization_token_updated.
        ProvisionError::Optix(OptixError::Unauthorized) => {
            (Duration::from_secs(30), error.to_string())
        }
        _ => (Duration::from_secs(2), error.to_string()),
    };
    Outcome::Retry { after, reason }
}

impl Provisioner {
    /// Handles `batch` (all of `org_id`); one outcome per message, in order.
    pub async fn handle_batch(&self, org_id: &str, batch: &[Incoming]) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = vec![None; batch.len()];
        let mut parsed = Vec::with_capacity(batch.len());
        for (index, message) in batch.iter().enumerate() {
            match parse(self.webhook_seal(), &message.subject, &message.payload) {
                Ok(webhook) => {
                    let hint = hint_of(&webhook);
                    let subject_key = hint
                        .subject()
                        .map(|subject| self.keys().keyed_hash("webhook-hint", org_id, &subject));
                    parsed.push(Parsed {
                        index,
                        message_id: message.message_id.clone(),
                        webhook,
                        hint,
                        replay: message.replay,
                        subject_key,
                    });
                }
                Err(reason) => outcomes[index] = Some(Outcome::Rejected { reason }),
            }
        }
        let ids: Vec<String> = parsed.iter().map(|p| p.message_id.clone()).collect();
        let done = match self.pool().get().await {
            Ok(client) => event_log::processed_among(&client, &ids).await,
            Err(e) => Err(StoreError::from(e)),
        };
        let done = match done {
            Ok(done) => done,
            Err(e) => {
                let retry = retry_for(&ProvisionError::Store(e));
                return outcomes
                    .into_iter()
                    .map(|o| o.unwrap_or_else(|| retry.clone()))
                    .collect();
            }
        };
        let mut members = Vec::new();
        for p in parsed {
            if done.contains(&p.message_id) {
                outcomes[p.index] = Some(Outcome::AlreadyProcessed);
                continue;
            }
            match &p.hint {
                // Installation changes go one by one, in order, before the member hints.
                Hint::Token { .. } | Hint::Uninstall => {
                    let outcome = self
                        .handle_installation(org_id, &p)
                        .await
                        .unwrap_or_else(|e| retry_for(&e));
                    outcomes[p.index] = Some(outcome);
                }
                _ => members.push(p),
            }
        }
        let members = match self.uncovered(org_id, members, &mut outcomes).await {
            Ok(members) => members,
            Err(e) => {
                let retry = retry_for(&e);
                return outcomes
                    .into_iter()
                    .map(|o| o.unwrap_or_else(|| retry.clone()))
                    .collect();
            }
        };
        if !members.is_empty() {
            self.wait_until_settled(&members).await;
            let calls_before = self.optix_calls();
            let started = std::time::Instant::now();
            let outcome = self
                .reconcile_hints(org_id, &members)
                .await
                .unwrap_or_else(|e| retry_for(&e));
            let metrics = crate::metrics::metrics();
            metrics
                .reconcile
                .record(started.elapsed().as_secs_f64(), &[]);
            let per_webhook = (self.optix_calls() - calls_before) as f64 / members.len() as f64;
            for p in &members {
                if matches!(outcome, Outcome::Committed { .. }) {
                    metrics.api_calls_per_webhook.record(
                        per_webhook,
                        &[opentelemetry::KeyValue::new(
                            "event",
                            optix::webhook::event_label(&p.webhook.envelope.event),
                        )],
                    );
                }
                outcomes[p.index] = Some(outcome.clone());
            }
        }
        outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or(Outcome::Rejected {
                    reason: "not handled".into(),
                })
            })
            .collect()
    }

    /// A webhook says "something about X changed at T". The hints a reconciliation of X that
    /// asked Optix after T's second (plus the margin) already answered are done: their outcome
    /// is `AlreadyProcessed` and they cost no request. The others are returned.
    async fn uncovered(
        &self,
        org_id: &str,
        members: Vec<Parsed>,
        outcomes: &mut [Option<Outcome>],
    ) -> Result<Vec<Parsed>, ProvisionError> {
        let keys: Vec<String> = members
            .iter()
            .filter_map(|p| p.subject_key.clone())
            .collect();
        if keys.is_empty() {
            return Ok(members);
        }
        let client = self.pool().get().await.map_err(StoreError::from)?;
        let coverage = event_log::webhook_coverage(&client, org_id, &keys).await?;
        let mut uncovered = Vec::with_capacity(members.len());
        for p in members {
            let asked_from = p
                .subject_key
                .as_ref()
                .filter(|_| !p.replay)
                .and_then(|key| coverage.get(key));
            match asked_from {
                Some(asked_from) if *asked_from >= settled_at(&p.webhook, self.settle_margin()) => {
                    tracing::info!(
                        org_id,
                        message_id = p.message_id,
                        hint = %p.hint,
                        "webhook already covered by a later reconciliation"
                    );
                    outcomes[p.index] = Some(Outcome::AlreadyProcessed);
                }
                _ => uncovered.push(p),
            }
        }
        Ok(uncovered)
    }

    /// Waits (at most a second plus the margin: timestamps may lie ahead within the skew
    /// ingest allows) until the hints' seconds have ended, so that the reconciliation sees
    /// every change Optix made in them, and a retry of any of them is covered by it.
    async fn wait_until_settled(&self, members: &[Parsed]) {
        let margin = self.settle_margin();
        let Some(settled) = members
            .iter()
            .filter(|p| p.subject_key.is_some())
            .map(|p| settled_at(&p.webhook, margin))
            .max()
        else {
            return;
        };
        let wait = (settled - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        tokio::time::sleep(wait.min(Duration::from_secs(1) + margin)).await;
    }

    fn metadata_for(p: &Parsed) -> Metadata {
        Metadata {
            causation_id: p.message_id.clone(),
            correlation_id: p.message_id.clone(),
            actor: "optix-webhook".into(),
            cause: Some(format!("webhook {}", p.webhook.envelope.event)),
            trace_parent: telemetry::traces::current_traceparent(),
        }
    }

    /// `app_install`, `organization_token_updated` and `app_uninstall`. Optix's signature does
    /// not cover the body, so each is a claim to confirm with Optix: a token is stored only if
    /// Optix, asked with that token, says it is an organization token of this organization; an
    /// uninstall takes effect only if Optix now refuses the token we hold.
    async fn handle_installation(
        &self,
        org_id: &str,
        p: &Parsed,
    ) -> Result<Outcome, ProvisionError> {
        let metadata = Self::metadata_for(p);
        let now = Utc::now();
        let current = match self.org_token(org_id).await {
            Ok(current) => Some(current),
            Err(ProvisionError::NotInstalled(_)) => None,
            Err(e) => return Err(e),
        };
        let client_id = p.webhook.envelope.client_id.as_str();
        let command = match &p.hint {
            Hint::Token { token, .. } => {
                let fingerprint = self.keys().keyed_hash("token", org_id, token);
                let current_fingerprint = current
                    .as_ref()
                    .map(|current| self.keys().keyed_hash("token", org_id, current.expose()));
                // The token already held needs no confirmation: storing it again changes nothing.
                if current_fingerprint.as_deref() != Some(fingerprint.as_str())
                    && let TokenCheck::Refused(refusal) =
                        self.optix().check_org_token(org_id, token).await?
                {
                    if current.is_none() {
                        // ingest let the signed install through; this organization has not
                        // installed the app after all.
                        self.installations().forget(client_id, org_id).await?;
                    }
                    return self.refuse(p, refusal.label(), &refusal.to_string()).await;
                }
                OrganizationCommand::RecordToken {
                    org_id: org_id.to_owned(),
                    token: self
                        .keys()
                        .seal_with_master(token.as_bytes(), &token_aad(org_id)),
                    token_fingerprint: fingerprint,
                    current_fingerprint,
                }
            }
            _ => {
                if let Some(current) = &current
                    && self
                        .optix()
                        .check_org_token(org_id, current.expose())
                        .await?
                        == TokenCheck::Confirmed
                {
                    return self
                        .refuse(
                            p,
                            "uninstall_not_confirmed",
                            "Optix still accepts the organization's token",
                        )
                        .await;
                }
                OrganizationCommand::Uninstall {
                    org_id: org_id.to_owned(),
                }
            }
        };
        let mut client = self.pool().get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        if !event_log::mark_processed(&tx, &p.message_id).await? {
            return Ok(Outcome::AlreadyProcessed);
        }
        let events = self
            .decide_organization(&tx, org_id, command, &metadata, now)
            .await?
            .unwrap_or_default();
        tx.commit()
            .instrument(tracing::info_span!("postgres.commit", events))
            .await
            .map_err(StoreError::from_commit)?;
        // The registry follows what Optix confirmed (a failure here is repaired by the next
        // install or uninstall; the log is already right).
        let registry = match &p.hint {
            Hint::Token { install: true, .. } => {
                self.installations().record(client_id, org_id).await
            }
            Hint::Uninstall => self.installations().forget(client_id, org_id).await,
            _ => Ok(()),
        };
        if let Err(error) = registry {
            tracing::warn!(org_id, %error, "cannot update the installations registry");
        }
        if events > 0 && matches!(p.hint, Hint::Uninstall) {
            crate::metrics::forget_organization(org_id);
        }
        if events > 0 && matches!(p.hint, Hint::Token { install: true, .. }) {
            // The initial import (again after a reinstall; a redelivered install changes
            // nothing and imports nothing).
            self.syncs().request(org_id, SyncKind::Initial);
        }
        Ok(Outcome::Committed { events })
    }

    /// Records that a webhook's claim was refused: marked processed (a redelivery is not
    /// counted twice), logged and counted by reason. Nothing else changes.
    async fn refuse(
        &self,
        p: &Parsed,
        reason: &'static str,
        detail: &str,
    ) -> Result<Outcome, ProvisionError> {
        let client = self.pool().get().await.map_err(StoreError::from)?;
        if !event_log::mark_processed(&client, &p.message_id).await? {
            return Ok(Outcome::AlreadyProcessed);
        }
        let event = optix::webhook::event_label(&p.webhook.envelope.event);
        crate::metrics::metrics().refused.add(
            1,
            &[
                opentelemetry::KeyValue::new("event", event),
                opentelemetry::KeyValue::new("reason", reason),
            ],
        );
        tracing::warn!(
            org_id = p.webhook.envelope.organization_id,
            event,
            reason,
            detail,
            message_id = p.message_id,
            "webhook refused: Optix did not confirm it"
        );
        Ok(Outcome::Refused { reason })
    }

    /// Resolves the hints to users, asks Optix about all of them, and commits the decisions.
    async fn reconcile_hints(
        &self,
        org_id: &str,
        hints: &[Parsed],
    ) -> Result<Outcome, ProvisionError> {
        let named = hints.iter().any(|p| !matches!(p.hint, Hint::Nothing));
        // Before the first request: what Optix answers from here on covers the hints.
        let now = Utc::now();
        // user id → the first message that named them (their events' cause).
        let mut users: BTreeMap<String, usize> = BTreeMap::new();
        if named {
            let token = self.org_token(org_id).await?;
            self.resolve(org_id, &token, hints, &mut users).await?;
            let ids: Vec<String> = users.keys().cloned().collect();
            let (from, to) = facts::booking_window(now);
            let optix_facts = if ids.is_empty() {
                Default::default()
            } else {
                self.optix().facts(&token, &ids, from, to).await?
            };
            let gone_teams = self.gone_teams(org_id, &token, hints).await?;
            return self
                .commit_members(org_id, hints, &users, &optix_facts, &gone_teams, now)
                .await;
        }
        self.commit_members(org_id, hints, &users, &Default::default(), &[], now)
            .await
    }

    /// Teams a `team_updated` or `team_member_deleted` webhook names, whose group the log holds,
    /// and that Optix no longer has (it sends no webhook of its own for a deleted team): each
    /// with the position of the first hint naming it. One request for the team list, only
    /// when such a group exists.
    async fn gone_teams(
        &self,
        org_id: &str,
        token: &OrgToken,
        hints: &[Parsed],
    ) -> Result<Vec<(String, usize)>, ProvisionError> {
        let mut named: BTreeMap<&str, usize> = BTreeMap::new();
        for (position, p) in hints.iter().enumerate() {
            let team_id = match &p.webhook.event {
                WebhookEvent::TeamUpdated { team_id } => team_id,
                WebhookEvent::TeamMemberDeleted(membership) => &membership.team_id,
                _ => continue,
            };
            named.entry(team_id.as_str()).or_insert(position);
        }
        if named.is_empty() {
            return Ok(Vec::new());
        }
        let held: std::collections::BTreeSet<String> = {
            let client = self.pool().get().await.map_err(StoreError::from)?;
            queries::group_team_ids(&client, org_id, i64::MAX)
                .await?
                .into_iter()
                .collect()
        };
        named.retain(|team_id, _| held.contains(*team_id));
        if named.is_empty() {
            return Ok(Vec::new());
        }
        let live: std::collections::BTreeSet<String> = self
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

    async fn resolve(
        &self,
        org_id: &str,
        token: &OrgToken,
        hints: &[Parsed],
        users: &mut BTreeMap<String, usize>,
    ) -> Result<(), ProvisionError> {
        let add = |users: &mut BTreeMap<String, usize>, user: String, position: usize| {
            users.entry(user).or_insert(position);
        };
        let mut unknown_plans: Vec<(String, usize)> = Vec::new();
        // Every email the batch names, looked up in the log at once (a query, not one each).
        let emails: Vec<&str> = hints
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
            .collect();
        let known = self.local_users_by_email(org_id, &emails).await?;
        for (position, p) in hints.iter().enumerate() {
            match &p.hint {
                Hint::Users(ids) => {
                    for id in ids {
                        add(users, id.clone(), position);
                    }
                }
                Hint::Emails(emails) => {
                    for email in emails {
                        if let Some(user) = self.user_by_email(&known, org_id, token, email).await?
                        {
                            add(users, user, position);
                        }
                    }
                }
                Hint::Plan {
                    account_plan_id,
                    emails,
                } => {
                    let mut all_known = !emails.is_empty();
                    for email in emails {
                        match known.get(email.as_str()) {
                            Some(user) => add(users, user.clone(), position),
                            None => all_known = false,
                        }
                    }
                    if !all_known {
                        match account_plan_id {
                            Some(plan) => unknown_plans.push((plan.clone(), position)),
                            None => {
                                for email in emails {
                                    if let Some(user) =
                                        self.user_by_email(&known, org_id, token, email).await?
                                    {
                                        add(users, user, position);
                                    }
                                }
                            }
                        }
                    }
                }
                Hint::Booking {
                    booking_id,
                    booker_email,
                } => match self.optix().booking_people(token, booking_id).await? {
                    Some((booker, invitees)) => {
                        for user in booker
                            .into_iter()
                            .chain(invitees.into_iter().map(|i| i.user_id))
                        {
                            add(users, user, position);
                        }
                    }
                    // Deleted in Optix: whoever held its grant is reconciled by email.
                    None => {
                        if let Some(email) = booker_email
                            && let Some(user) =
                                self.user_by_email(&known, org_id, token, email).await?
                        {
                            add(users, user, position);
                        }
                    }
                },
                Hint::Member { member_id } => {
                    if let Some(user) = self.optix().user_by_member_id(token, member_id).await? {
                        add(users, user, position);
                    }
                }
                Hint::Team { team_id } => {
                    let client = self.pool().get().await.map_err(StoreError::from)?;
                    for user in queries::members_in_group(&client, org_id, team_id).await? {
                        add(users, user, position);
                    }
                }
                Hint::Nothing | Hint::Token { .. } | Hint::Uninstall => {}
            }
        }
        if !unknown_plans.is_empty() {
            let ids: Vec<String> = unknown_plans.iter().map(|(id, _)| id.clone()).collect();
            let owners = self.optix().plan_users(token, &ids).await?;
            for (plan, position) in unknown_plans {
                if let Some((_, Some(user))) = owners.iter().find(|(id, _)| *id == plan) {
                    add(users, user.clone(), position);
                }
            }
        }
        Ok(())
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
        let client = self.pool().get().await.map_err(StoreError::from)?;
        let found = queries::members_by_email_hash(&client, org_id, &hashes).await?;
        Ok(found
            .into_iter()
            .filter_map(|(hash, user)| Some((*by_hash.get(&hash)?, user)))
            .collect())
    }

    /// What the log knows (`known`), then Optix.
    async fn user_by_email(
        &self,
        known: &HashMap<&str, String>,
        org_id: &str,
        token: &OrgToken,
        email: &str,
    ) -> Result<Option<String>, ProvisionError> {
        if let Some(user) = known.get(email) {
            return Ok(Some(user.clone()));
        }
        let found = self.optix().user_by_email(token, email).await?;
        if found.is_none() {
            tracing::info!(org_id, "a webhook names an email Optix does not know");
        }
        Ok(found.filter(|u| !u.is_deleted).map(|u| u.user_id))
    }

    async fn commit_members(
        &self,
        org_id: &str,
        hints: &[Parsed],
        users: &BTreeMap<String, usize>,
        optix_facts: &optix::api::Facts,
        gone_teams: &[(String, usize)],
        now: DateTime<Utc>,
    ) -> Result<Outcome, ProvisionError> {
        let metadata: Vec<Metadata> = hints.iter().map(Self::metadata_for).collect();
        let outcome = in_transaction!(self.pool(), |tx| {
            let message_ids: Vec<&str> = hints.iter().map(|p| p.message_id.as_str()).collect();
            let fresh = event_log::mark_all_processed(tx, &message_ids).await? > 0;
            if !fresh {
                return Ok(Outcome::AlreadyProcessed);
            }
            // Once each: look-alike deliveries of a batch share a key, and one statement may
            // not update a row twice.
            let subject_keys: Vec<&str> = hints
                .iter()
                .filter_map(|p| p.subject_key.as_deref())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if !subject_keys.is_empty() {
                event_log::record_webhook_coverage(
                    tx,
                    org_id,
                    &subject_keys,
                    now,
                    now - COVERAGE_KEPT,
                )
                .await?;
            }
            let mut events = 0;
            // First the groups of deleted teams, so their VLANs are free for the decisions below.
            for (team_id, position) in gone_teams {
                events += self
                    .delete_group(tx, org_id, team_id, &metadata[*position], now)
                    .await?
                    .len();
            }
            let policy = queries::org_policy(tx, org_id).await?;
            for (user_id, position) in users {
                let member_facts = facts::member_facts(user_id, optix_facts);
                match self
                    .reconcile_member(
                        tx,
                        org_id,
                        &member_facts,
                        &policy,
                        Trigger::Webhook,
                        &metadata[*position],
                        now,
                    )
                    .await?
                {
                    Ok(appended) => events += appended.events.len(),
                    Err(refusal) => {
                        tracing::warn!(org_id, user_id, %refusal, "reconciliation refused")
                    }
                }
            }
            Ok(Outcome::Committed { events })
        })?;
        Ok(outcome)
    }
}
