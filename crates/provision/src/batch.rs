//! One organization's webhooks, reconciled together: the hints are resolved to users (for
//! Optix locally where the log already knows them, see `resolve`), the facts about all of them
//! come from the organization's platform (`platform`) in as few requests as its API allows, and
//! everything commits in one transaction with the processed-message marks. Installation
//! webhooks go one by one (`installation`).

use crate::error::ProvisionError;
use crate::hints::Hint;
use crate::platform::{Asked, PlatformAdapter};
use crate::provisioner::Provisioner;
pub use crate::received::{Incoming, Outcome};
use crate::received::{Parsed, parse};
use crate::writer::{ToReconcile, Trigger};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::time::Duration;
use store::decide;
use store::event_log::{self, Metadata};
use store::{StoreError, Transaction};

/// Coverage records are kept this long: far past ingest's timestamp horizon (2 hours by
/// default), beyond which no delivery they could cover is accepted.
const COVERAGE_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The outcome of each message of a batch, filled in as its parts are handled.
struct Outcomes(Vec<Option<Outcome>>);

impl Outcomes {
    fn set(&mut self, index: usize, outcome: Outcome) {
        self.0[index] = Some(outcome);
    }

    /// Every message not handled yet gets `rest`.
    fn finish(self, rest: impl Fn() -> Outcome) -> Vec<Outcome> {
        self.0
            .into_iter()
            .map(|o| o.unwrap_or_else(&rest))
            .collect()
    }
}

impl Provisioner {
    /// Handles `batch` (all of `org_id`); one outcome per message, in order.
    pub async fn handle_batch(&self, org_id: &str, batch: &[Incoming]) -> Vec<Outcome> {
        let mut outcomes = Outcomes(vec![None; batch.len()]);
        let parsed = self.parse_batch(org_id, batch, &mut outcomes);
        let members = match self.not_processed(org_id, parsed, &mut outcomes).await {
            Ok(members) => members,
            Err(e) => {
                let retry = Outcome::retry_for(&e);
                return outcomes.finish(|| retry.clone());
            }
        };
        if !members.is_empty() {
            let outcome = self.reconcile_batch(org_id, &members).await;
            for p in &members {
                outcomes.set(p.index, outcome.clone());
            }
        }
        outcomes.finish(|| Outcome::Rejected {
            reason: "not handled".into(),
        })
    }

    /// Opens and reads every message; one that cannot be read is rejected.
    fn parse_batch(
        &self,
        org_id: &str,
        batch: &[Incoming],
        outcomes: &mut Outcomes,
    ) -> Vec<Parsed> {
        let mut parsed = Vec::with_capacity(batch.len());
        for (index, message) in batch.iter().enumerate() {
            match parse(
                self.webhook_seal(),
                org_id,
                &message.subject,
                &message.payload,
            ) {
                Ok(webhook) => {
                    let hint = webhook.hint();
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
                Err(reason) => outcomes.set(index, Outcome::Rejected { reason }),
            }
        }
        parsed
    }

    /// Leaves out redeliveries and covered hints, handles installation changes (one by one, in
    /// order, before the member hints) and answers the member hints left to reconcile.
    async fn not_processed(
        &self,
        org_id: &str,
        parsed: Vec<Parsed>,
        outcomes: &mut Outcomes,
    ) -> Result<Vec<Parsed>, ProvisionError> {
        let ids: Vec<String> = parsed.iter().map(|p| p.message_id.clone()).collect();
        let done = {
            let client = self.pool().get().await?;
            event_log::processed_among(&client, &ids).await?
        };
        let mut members = Vec::new();
        for p in parsed {
            if done.contains(&p.message_id) {
                outcomes.set(p.index, Outcome::AlreadyProcessed);
                continue;
            }
            match &p.hint {
                Hint::Token { .. } | Hint::Uninstall => {
                    let outcome = self
                        .handle_installation(org_id, &p)
                        .await
                        .unwrap_or_else(|e| Outcome::retry_for(&e));
                    outcomes.set(p.index, outcome);
                }
                _ => members.push(p),
            }
        }
        self.uncovered(org_id, members, outcomes).await
    }

    /// Reconciles the member hints once their seconds have settled; records the time it took
    /// and the Optix requests each webhook cost.
    async fn reconcile_batch(&self, org_id: &str, members: &[Parsed]) -> Outcome {
        self.wait_until_settled(members).await;
        let calls_before = self.platform_calls();
        let started = std::time::Instant::now();
        let outcome = self
            .reconcile_hints(org_id, members)
            .await
            .unwrap_or_else(|e| Outcome::retry_for(&e));
        let metrics = crate::metrics::metrics();
        metrics
            .reconcile
            .record(started.elapsed().as_secs_f64(), &[]);
        if matches!(outcome, Outcome::Committed { .. }) {
            let per_webhook = (self.platform_calls() - calls_before) as f64 / members.len() as f64;
            for p in members {
                metrics.api_calls_per_webhook.record(
                    per_webhook,
                    &[opentelemetry::KeyValue::new(
                        "event",
                        p.webhook.event_label(),
                    )],
                );
            }
        }
        outcome
    }

    /// A webhook says "something about X changed at T". The hints a reconciliation of X that
    /// asked Optix after T's second (plus the margin) already answered are done: their outcome
    /// is `AlreadyProcessed` and they cost no request. The others are returned.
    async fn uncovered(
        &self,
        org_id: &str,
        members: Vec<Parsed>,
        outcomes: &mut Outcomes,
    ) -> Result<Vec<Parsed>, ProvisionError> {
        let keys: Vec<String> = members
            .iter()
            .filter_map(|p| p.subject_key.clone())
            .collect();
        if keys.is_empty() {
            return Ok(members);
        }
        let client = self.pool().get().await?;
        let coverage = event_log::webhook_coverage(&client, org_id, &keys).await?;
        let mut uncovered = Vec::with_capacity(members.len());
        for p in members {
            let asked_from = p
                .subject_key
                .as_ref()
                .filter(|_| !p.replay)
                .and_then(|key| coverage.get(key));
            match asked_from {
                Some(asked_from) if *asked_from >= p.settled_at(self.settle_margin()) => {
                    tracing::info!(
                        org_id,
                        message_id = p.message_id,
                        hint = %p.hint,
                        "webhook already covered by a later reconciliation"
                    );
                    outcomes.set(p.index, Outcome::AlreadyProcessed);
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
            .map(|p| p.settled_at(margin))
            .max()
        else {
            return;
        };
        let wait = (settled - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        tokio::time::sleep(wait.min(Duration::from_secs(1) + margin)).await;
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
        let asking = std::time::Instant::now();
        let asked = if named {
            self.platform(org_id).ask(org_id, hints, now).await?
        } else {
            Asked::default()
        };
        let ask_seconds = asking.elapsed().as_secs_f64();
        let metadata: Vec<Metadata> = hints.iter().map(Parsed::metadata).collect();
        let members: Vec<ToReconcile<'_>> = asked
            .users
            .iter()
            .map(|(user_id, position)| ToReconcile {
                facts: asked.facts_of(user_id),
                metadata: &metadata[*position],
            })
            .collect();
        let inputs = (self, org_id, hints, &members, &asked.gone_teams, &metadata);
        let committing = std::time::Instant::now();
        let outcome = decide::in_transaction(self.pool(), &inputs, |tx, inputs| {
            Box::pin(commit_members(tx, inputs, now))
        })
        .await?;
        tracing::debug!(
            org_id,
            webhooks = hints.len(),
            members = members.len(),
            ask_seconds,
            commit_seconds = committing.elapsed().as_secs_f64(),
            "batch reconciled"
        );
        Ok(outcome)
    }
}

type CommitInputs<'a> = (
    &'a Provisioner,
    &'a str,
    &'a [Parsed],
    &'a Vec<ToReconcile<'a>>,
    &'a Vec<(String, usize)>,
    &'a Vec<Metadata>,
);

/// The batch's transaction: the processed marks and the coverage of its hints, the groups of
/// deleted teams, then every member's decision.
async fn commit_members(
    tx: &Transaction<'_>,
    (provisioner, org_id, hints, members, gone_teams, metadata): &CommitInputs<'_>,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let message_ids: Vec<&str> = hints.iter().map(|p| p.message_id.as_str()).collect();
    let fresh = event_log::mark_all_processed(tx, &message_ids).await? > 0;
    if !fresh {
        return Ok(Outcome::AlreadyProcessed);
    }
    // Once each: look-alike deliveries of a batch share a key, and one statement may not
    // update a row twice.
    let subject_keys: Vec<&str> = hints
        .iter()
        .filter_map(|p| p.subject_key.as_deref())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !subject_keys.is_empty() {
        event_log::record_webhook_coverage(tx, org_id, &subject_keys, now, now - COVERAGE_KEPT)
            .await?;
    }
    let writer = provisioner.writer();
    let mut events = 0;
    // First the groups of deleted teams, so their VLANs are free for the decisions below.
    for (team_id, position) in gone_teams.iter() {
        events += writer
            .delete_group(tx, org_id, team_id, &metadata[*position], now)
            .await?
            .len();
    }
    let appended = writer
        .reconcile_members(tx, org_id, members, Trigger::Webhook, now)
        .await?;
    events += appended.iter().map(|a| a.events.len()).sum::<usize>();
    Ok(Outcome::Committed { events })
}
