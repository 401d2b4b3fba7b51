//! Webhook → reconciliation → events.

use crate::secrets::{self, ProfileData};
use chrono::{DateTime, Utc};
use domain::events::OnboardedVia;
use domain::member::{self, FreshPassphrase, Member, MemberCommand, Profile};
use domain::{Sealed, StreamId, organization};
use optix::api::{MemberFactsData as OptixFacts, OptixClient, OptixError, PlanStatus};
use optix::webhook::{Webhook, WebhookEvent};
use std::time::Duration;
use store::event_log::{self, Metadata};
use store::{KeyRing, StoreError, queries};
use tracing::Instrument;

/// What became of one webhook message.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Events committed (possibly none, when the log already matched Optix).
    Committed { events: usize },
    /// This message's effects were committed before (a redelivery).
    AlreadyProcessed,
    /// Try again later (Optix rate limit, organization not installed yet, conflict).
    Retry { after: Duration, reason: String },
    /// The message can never be processed (malformed); it stays in the stream for inspection.
    Rejected { reason: String },
}

pub struct Provisioner {
    pool: deadpool_postgres::Pool,
    keys: KeyRing,
    optix: OptixClient,
}

#[derive(Debug, thiserror::Error)]
enum HandleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Optix(#[from] OptixError),
    #[error("organization {0} has not installed the app (no token yet)")]
    NotInstalled(String),
    #[error("the stored organization token could not be opened: {0}")]
    Token(#[from] store::CryptoError),
}

/// Which Optix users a webhook is about.
enum Subject {
    Token(String),
    Uninstall,
    UsersByEmail(Vec<String>),
    UserIds(Vec<String>),
    Nothing,
}

fn subject_of(event: &WebhookEvent) -> Subject {
    match event {
        WebhookEvent::AppInstall { organization_token }
        | WebhookEvent::OrganizationTokenUpdated { organization_token } => {
            Subject::Token(organization_token.clone())
        }
        WebhookEvent::AppUninstall => Subject::Uninstall,
        WebhookEvent::NewPlanSubscription(p)
        | WebhookEvent::PlanSubscriptionChanged(p)
        | WebhookEvent::CancelPlanSubscription(p)
        | WebhookEvent::PlanEndingSoon(p) => Subject::UsersByEmail(p.subscriber_emails.clone()),
        WebhookEvent::NewMember(m) | WebhookEvent::MemberDeleted(m) => match (&m.user_id, &m.email)
        {
            (Some(id), _) => Subject::UserIds(vec![id.clone()]),
            (None, Some(email)) => Subject::UsersByEmail(vec![email.clone()]),
            (None, None) => Subject::Nothing,
        },
        WebhookEvent::NewTeamMember(t) | WebhookEvent::TeamMemberDeleted(t) => {
            Subject::UserIds(vec![t.user_id.clone()])
        }
        WebhookEvent::NewMemberBooking(b)
        | WebhookEvent::MemberBookingUpdated(b)
        | WebhookEvent::MemberBookingCancelled(b) => match &b.member_email {
            Some(email) => Subject::UsersByEmail(vec![email.clone()]),
            None => Subject::Nothing,
        },
        _ => Subject::Nothing,
    }
}

impl Provisioner {
    pub fn new(pool: deadpool_postgres::Pool, keys: KeyRing, optix: OptixClient) -> Self {
        Provisioner { pool, keys, optix }
    }

    pub fn pool(&self) -> &deadpool_postgres::Pool {
        &self.pool
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    pub fn optix_calls(&self) -> u64 {
        self.optix.calls_made()
    }

    /// Handles one webhook message (`payload` is the JSON object ingest published).
    pub async fn handle_webhook(&self, message_id: &str, payload: &[u8]) -> Outcome {
        match self.try_handle(message_id, payload).await {
            Ok(outcome) => outcome,
            Err(HandleError::Optix(OptixError::RateLimited { retry_after_secs })) => {
                Outcome::Retry {
                    after: Duration::from_secs(retry_after_secs.max(1)),
                    reason: "Optix rate limit".into(),
                }
            }
            Err(HandleError::Store(e)) if e.is_conflict() => Outcome::Retry {
                after: Duration::ZERO,
                reason: e.to_string(),
            },
            Err(e @ HandleError::NotInstalled(_)) => Outcome::Retry {
                after: Duration::from_secs(5),
                reason: e.to_string(),
            },
            Err(e) => Outcome::Retry {
                after: Duration::from_secs(2),
                reason: e.to_string(),
            },
        }
    }

    async fn try_handle(&self, message_id: &str, payload: &[u8]) -> Result<Outcome, HandleError> {
        {
            let client = self.pool.get().await.map_err(StoreError::from)?;
            if event_log::was_processed(&**client, message_id).await? {
                return Ok(Outcome::AlreadyProcessed);
            }
        }
        let fields: serde_json::Map<String, serde_json::Value> =
            match serde_json::from_slice(payload) {
                Ok(fields) => fields,
                Err(e) => {
                    return Ok(Outcome::Rejected {
                        reason: format!("payload is not a JSON object: {e}"),
                    });
                }
            };
        let webhook = match Webhook::from_fields(&fields) {
            Ok(webhook) => webhook,
            Err(e) => {
                return Ok(Outcome::Rejected {
                    reason: format!("not an Optix webhook: {e}"),
                });
            }
        };
        let org_id = webhook.envelope.organization_id.clone();
        let metadata = Metadata {
            causation_id: message_id.to_owned(),
            correlation_id: message_id.to_owned(),
            actor: "optix-webhook".into(),
            cause: Some(format!("webhook {}", webhook.envelope.event)),
            trace_parent: telemetry::traces::current_traceparent(),
        };
        let now = Utc::now();
        match subject_of(&webhook.event) {
            Subject::Token(token) => {
                self.record_token(message_id, &org_id, &token, &metadata, now)
                    .await
            }
            Subject::Uninstall => {
                self.commit(message_id, &org_id, Work::Uninstall, &metadata, now)
                    .await
            }
            Subject::Nothing => {
                self.commit(message_id, &org_id, Work::Nothing, &metadata, now)
                    .await
            }
            Subject::UsersByEmail(emails) => {
                let token = self.organization_token(&org_id).await?;
                let mut user_ids = Vec::new();
                for email in emails {
                    match self.optix.user_by_email(&token, &email).await? {
                        Some(user) => user_ids.push(user.user_id),
                        None => tracing::info!(
                            org_id,
                            "webhook names an email Optix does not know; nothing to do"
                        ),
                    }
                }
                self.reconcile_users(message_id, &org_id, &token, user_ids, &metadata, now)
                    .await
            }
            Subject::UserIds(user_ids) => {
                let token = self.organization_token(&org_id).await?;
                self.reconcile_users(message_id, &org_id, &token, user_ids, &metadata, now)
                    .await
            }
        }
    }

    async fn organization_token(&self, org_id: &str) -> Result<String, HandleError> {
        let client = self.pool.get().await.map_err(StoreError::from)?;
        let sealed = queries::organization_token(&**client, org_id)
            .await?
            .ok_or_else(|| HandleError::NotInstalled(org_id.to_owned()))?;
        let token = self.keys.open_with_master(&sealed, &token_aad(org_id))?;
        Ok(String::from_utf8_lossy(&token).into_owned())
    }

    async fn record_token(
        &self,
        message_id: &str,
        org_id: &str,
        token: &str,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Outcome, HandleError> {
        let sealed = self
            .keys
            .seal_with_master(token.as_bytes(), &token_aad(org_id));
        let fingerprint = self.keys.keyed_hash("token", org_id, token);
        let current_fingerprint = match self.organization_token(org_id).await {
            Ok(current) => Some(self.keys.keyed_hash("token", org_id, &current)),
            Err(HandleError::NotInstalled(_)) => None,
            Err(e) => return Err(e),
        };
        let work = Work::Token {
            sealed,
            fingerprint,
            current_fingerprint,
        };
        self.commit(message_id, org_id, work, metadata, now).await
    }

    /// Fetches the facts of each user (outside the transaction: no locks held during HTTP),
    /// then decides and appends for all of them in one transaction with the processed mark.
    async fn reconcile_users(
        &self,
        message_id: &str,
        org_id: &str,
        token: &str,
        user_ids: Vec<String>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Outcome, HandleError> {
        let from = (now - chrono::Duration::days(2)).timestamp();
        let to = (now + chrono::Duration::days(30)).timestamp();
        let mut facts = Vec::with_capacity(user_ids.len());
        for user_id in user_ids {
            let user_facts = self.optix.member_facts(token, &user_id, from, to).await?;
            facts.push((user_id, user_facts));
        }
        self.commit(message_id, org_id, Work::Members(facts), metadata, now)
            .await
    }

    /// Decide and append for one member inside `tx`. Returns the number of events appended.
    pub async fn reconcile_member(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        org_id: &str,
        user_id: &str,
        facts: Option<&OptixFacts>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let stream = StreamId::member(org_id, user_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = Member::from_events(history.iter().map(|e| &e.event));
        let domain_facts = to_domain_facts(user_id, facts);
        let home = if state.is_open() {
            state.home_location.clone()
        } else {
            None
        };
        let policy = queries::org_policy(&**tx, org_id).await?;
        let desired = domain::desired_access(&domain_facts, home.as_deref(), now, &policy);
        if !state.is_open() && (!desired.exists || desired.grants.is_empty()) {
            return Ok(0);
        }
        let aad = stream.to_string();
        let (profile, fresh) = if desired.exists {
            let key = self.member_key(tx, org_id, user_id, &aad).await?;
            let profile = secrets::seal_profile(
                &self.keys,
                &key,
                org_id,
                &aad,
                &ProfileData {
                    email: domain_facts.email.clone(),
                    fullname: domain_facts.fullname.clone(),
                },
            );
            let fresh = self
                .unique_passphrase(tx, &key, org_id, user_id, &aad)
                .await?;
            (profile, fresh)
        } else {
            // Deleting needs no new secrets; the domain ignores these.
            let none = Sealed {
                key: "none".into(),
                nonce: String::new(),
                ciphertext: String::new(),
            };
            (
                Profile {
                    sealed: none.clone(),
                    email_hash: String::new(),
                },
                FreshPassphrase {
                    passphrase: none,
                    lookup_hash: String::new(),
                },
            )
        };
        let command = MemberCommand::Reconcile {
            org_id: org_id.to_owned(),
            user_id: user_id.to_owned(),
            desired,
            via: OnboardedVia::Webhook,
            profile,
            fresh_passphrase: fresh,
        };
        let events = member::decide(&state, command).unwrap_or_default();
        let outcome = if events.is_empty() {
            "unchanged"
        } else {
            "changed"
        };
        crate::metrics::metrics()
            .decisions
            .add(1, &[opentelemetry::KeyValue::new("outcome", outcome)]);
        Ok(
            event_log::append(tx, &stream, version, events, metadata, now)
                .await?
                .len(),
        )
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
        tx.commit().await?;
        Ok(n)
    }

    async fn member_key(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
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
        tx: &deadpool_postgres::Transaction<'_>,
        key: &store::MemberKey,
        org_id: &str,
        user_id: &str,
        aad: &str,
    ) -> Result<FreshPassphrase, StoreError> {
        loop {
            let passphrase = secrets::generate_passphrase();
            let fresh = secrets::seal_passphrase(&self.keys, key, org_id, aad, &passphrase);
            if !queries::passphrase_taken(&**tx, org_id, &fresh.lookup_hash, user_id).await? {
                return Ok(fresh);
            }
        }
    }

    /// Runs `work` in a transaction that also marks `message_id` processed; a message already
    /// marked (a concurrent or earlier delivery) commits nothing else.
    async fn commit(
        &self,
        message_id: &str,
        org_id: &str,
        work: Work,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Outcome, HandleError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        if !event_log::mark_processed(&*tx, message_id).await? {
            return Ok(Outcome::AlreadyProcessed);
        }
        let events = match work {
            Work::Nothing => 0,
            Work::Uninstall => {
                let command = organization::OrganizationCommand::Uninstall {
                    org_id: org_id.to_owned(),
                };
                self.decide_organization(&tx, org_id, command, metadata, now)
                    .await?
            }
            Work::Token {
                sealed,
                fingerprint,
                current_fingerprint,
            } => {
                let command = organization::OrganizationCommand::RecordToken {
                    org_id: org_id.to_owned(),
                    token: sealed,
                    token_fingerprint: fingerprint,
                    current_fingerprint,
                };
                self.decide_organization(&tx, org_id, command, metadata, now)
                    .await?
            }
            Work::Members(facts) => {
                let mut appended = 0;
                for (user_id, user_facts) in facts {
                    appended += self
                        .reconcile_member(&tx, org_id, &user_id, user_facts.as_ref(), metadata, now)
                        .await?;
                }
                appended
            }
        };
        tx.commit()
            .instrument(tracing::info_span!("postgres.commit", events))
            .await
            .map_err(StoreError::from)?;
        Ok(Outcome::Committed { events })
    }

    async fn decide_organization(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        org_id: &str,
        command: organization::OrganizationCommand,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let stream = StreamId::organization(org_id);
        let (history, version) = event_log::read_stream(&**tx, &stream).await?;
        let state = history
            .iter()
            .map(|e| &e.event)
            .fold(organization::Organization::default(), organization::evolve);
        let events = organization::decide(&state, command).unwrap_or_default();
        Ok(
            event_log::append(tx, &stream, version, events, metadata, now)
                .await?
                .len(),
        )
    }
}

/// What one message asks of the log, decided inside the transaction.
enum Work {
    Nothing,
    Uninstall,
    Token {
        sealed: Sealed,
        fingerprint: String,
        current_fingerprint: Option<String>,
    },
    Members(Vec<(String, Option<OptixFacts>)>),
}

fn token_aad(org_id: &str) -> String {
    format!("org-{org_id}/token")
}

fn timestamp(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn to_domain_facts(user_id: &str, facts: Option<&OptixFacts>) -> domain::MemberFacts {
    let Some(facts) = facts else {
        return domain::MemberFacts {
            user_id: user_id.to_owned(),
            email: String::new(),
            fullname: String::new(),
            exists: false,
            is_active: false,
            plans: vec![],
            bookings: vec![],
            invitations: vec![],
            teams: vec![],
        };
    };
    domain::MemberFacts {
        user_id: user_id.to_owned(),
        email: facts.user.email.clone(),
        fullname: facts.user.fullname.clone(),
        exists: !facts.user.is_deleted,
        is_active: facts.user.is_active,
        plans: facts
            .plans
            .iter()
            .map(|p| domain::PlanFact {
                account_plan_id: p.account_plan_id.clone(),
                plan_template_id: p.plan_template_id.clone(),
                status: match p.status {
                    PlanStatus::Active => domain::access::PlanStatus::Active,
                    PlanStatus::InTrial => domain::access::PlanStatus::InTrial,
                    _ => domain::access::PlanStatus::Other,
                },
                start: timestamp(p.start_timestamp),
                end: timestamp(p.end_timestamp),
                in_all_locations: p.in_all_locations,
                location_ids: p.location_ids.clone(),
            })
            .collect(),
        bookings: facts
            .bookings
            .iter()
            .filter_map(|b| {
                Some(domain::BookingFact {
                    booking_id: b.booking_id.clone(),
                    start: DateTime::from_timestamp(b.start_timestamp, 0)?,
                    end: DateTime::from_timestamp(b.end_timestamp, 0)?,
                    is_canceled: b.is_canceled,
                    location_id: b.location_id.clone(),
                    location_timezone: b.location_timezone.clone(),
                })
            })
            .collect(),
        invitations: vec![],
        teams: facts
            .user
            .teams
            .iter()
            .map(|t| domain::TeamFact {
                team_id: t.team_id.clone(),
                name: t.name.clone(),
            })
            .collect(),
    }
}
