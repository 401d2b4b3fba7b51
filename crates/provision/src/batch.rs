//! One organization's webhooks, reconciled together: the hints are resolved to users (for
//! Optix locally where the log already knows them, see `resolve`), the facts about all of them
//! come from the organization's platform (`platform`) in as few requests as its API allows, and
//! everything commits in one transaction with the hints' coverage, which makes a redelivery a
//! no-op (processed-message marks only for what coverage cannot answer, see `commit_members`).
//! Installation webhooks go one by one (`installation`).

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

    /// Every message not handled yet gets `outcome`.
    fn fill(&mut self, outcome: &Outcome) {
        for slot in self.0.iter_mut().filter(|o| o.is_none()) {
            *slot = Some(outcome.clone());
        }
    }

    /// Every message not handled yet gets `rest`.
    fn finish(self, rest: impl Fn() -> Outcome) -> Vec<Outcome> {
        self.0
            .into_iter()
            .map(|o| o.unwrap_or_else(&rest))
            .collect()
    }
}

/// A batch whose messages have been opened and read (see [`Provisioner::read_batch`]).
pub struct ReadBatch {
    outcomes: Outcomes,
    parsed: Vec<Parsed>,
}

impl ReadBatch {
    /// Whether the batch installs or uninstalls (or refreshes the token of) its organization:
    /// such a batch is asked about only once everything before it is committed, in order.
    pub fn changes_installation(&self) -> bool {
        self.parsed
            .iter()
            .any(|p| matches!(p.hint, Hint::Token { .. } | Hint::Uninstall))
    }
}

/// A batch asked about and ready to commit (see [`Provisioner::ask_batch`]).
pub struct AskedBatch {
    outcomes: Outcomes,
    /// The member hints to reconcile, and what the platform answered about them (an error:
    /// every one of them is retried), asked from `now`.
    members: Vec<Parsed>,
    asked: Result<Asked, ProvisionError>,
    now: DateTime<Utc>,
    ask_seconds: f64,
    calls: u64,
}

impl Provisioner {
    /// Handles `batch` (all of `org_id`); one outcome per message, in order.
    pub async fn handle_batch(&self, org_id: &str, batch: &[Incoming]) -> Vec<Outcome> {
        let read = self.read_batch(org_id, batch);
        let asked = self.ask_batch(org_id, read).await;
        self.commit_batch(org_id, asked).await
    }

    /// Opens and reads every message of `batch`; one that cannot be read is rejected.
    pub fn read_batch(&self, org_id: &str, batch: &[Incoming]) -> ReadBatch {
        let mut outcomes = Outcomes(vec![None; batch.len()]);
        let parsed = self.parse_batch(org_id, batch, &mut outcomes);
        ReadBatch { outcomes, parsed }
    }

    /// Leaves out what was processed or covered before, handles installation changes, and
    /// asks the platform about the member hints left (once their seconds have settled).
    /// Nothing of the members is written yet: [`Provisioner::commit_batch`] does, and may run
    /// while the next batch is asked about (the batches are asked and committed in order).
    pub async fn ask_batch(&self, org_id: &str, read: ReadBatch) -> AskedBatch {
        let ReadBatch {
            mut outcomes,
            parsed,
        } = read;
        let members = match self.not_processed(org_id, parsed, &mut outcomes).await {
            Ok(members) => members,
            Err(e) => {
                outcomes.fill(&Outcome::retry_for(&e));
                Vec::new()
            }
        };
        if !members.is_empty() {
            self.wait_until_settled(&members).await;
        }
        let calls_before = self.platform_calls();
        // Before the first request: what the platform answers from here on covers the hints.
        let now = Utc::now();
        let asking = std::time::Instant::now();
        let named = members.iter().any(|p| !matches!(p.hint, Hint::Nothing));
        let asked = if named {
            self.platform(org_id).ask(org_id, &members, now).await
        } else {
            Ok(Asked::default())
        };
        AskedBatch {
            outcomes,
            members,
            asked,
            now,
            ask_seconds: asking.elapsed().as_secs_f64(),
            calls: self.platform_calls() - calls_before,
        }
    }

    /// Commits what [`Provisioner::ask_batch`] decided to reconcile; one outcome per message,
    /// in order. Records the time the batch's reconciliation took (asking and committing) and
    /// the platform requests each webhook cost.
    pub async fn commit_batch(&self, org_id: &str, batch: AskedBatch) -> Vec<Outcome> {
        let AskedBatch {
            mut outcomes,
            members,
            asked,
            now,
            ask_seconds,
            calls,
        } = batch;
        if !members.is_empty() {
            let committing = std::time::Instant::now();
            let outcome = match asked {
                Ok(asked) => self.commit_hints(org_id, &members, &asked, now).await,
                Err(e) => Err(e),
            }
            .unwrap_or_else(|e| Outcome::retry_for(&e));
            let commit_seconds = committing.elapsed().as_secs_f64();
            tracing::debug!(
                org_id,
                webhooks = members.len(),
                ask_seconds,
                commit_seconds,
                "batch reconciled"
            );
            self.record_reconciled(&members, &outcome, ask_seconds + commit_seconds, calls);
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
            match parse(self.webhook_seal(), org_id, message) {
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
        // Only what coverage cannot answer carries a processed mark (see `commit_members`).
        let ids = Parsed::marked_ids(&parsed);
        let done = if ids.is_empty() {
            Default::default()
        } else {
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

    /// The reconciliation's time and, when it committed, the platform requests per webhook.
    fn record_reconciled(&self, members: &[Parsed], outcome: &Outcome, seconds: f64, calls: u64) {
        let metrics = crate::metrics::metrics();
        metrics.reconcile.record(seconds, &[]);
        if matches!(outcome, Outcome::Committed { .. }) {
            let per_webhook = calls as f64 / members.len() as f64;
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
                .filter(|_| p.covered_by_its_subject())
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

    /// Commits the decisions on what the platform answered about `hints`.
    async fn commit_hints(
        &self,
        org_id: &str,
        hints: &[Parsed],
        asked: &Asked,
        now: DateTime<Utc>,
    ) -> Result<Outcome, ProvisionError> {
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
        let outcome = decide::in_transaction(self.pool(), &inputs, |tx, inputs| {
            Box::pin(commit_members(tx, inputs, now))
        })
        .await?;
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

/// The batch's transaction: the coverage of its hints and the processed marks of the rest, the
/// groups of deleted teams, then every member's decision.
///
/// A delivery whose hint names its subject needs no mark: the coverage record this transaction
/// writes answers its redelivery (`uncovered`) for as long as JetStream keeps webhooks (both a
/// day), and a reconciliation is idempotent past that. Only deliveries coverage cannot answer
/// (a hint naming nothing, an operator's replay) are marked, so the marks no longer grow with
/// every webhook and the commit writes one row a webhook less.
async fn commit_members(
    tx: &Transaction<'_>,
    (provisioner, org_id, hints, members, gone_teams, metadata): &CommitInputs<'_>,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    // Once each: look-alike deliveries of a batch share a key, and one statement may not
    // update a row twice.
    let subject_keys: Vec<&str> = hints
        .iter()
        .filter_map(|p| p.subject_key.as_deref())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let covering = async {
        if subject_keys.is_empty() {
            return Ok(0);
        }
        event_log::record_webhook_coverage(tx, org_id, &subject_keys, now, now - COVERAGE_KEPT)
            .await
    };
    let marked_ids = Parsed::marked_ids(hints);
    // Pipelined: one round trip for both. Nothing new when every delivery was committed
    // before, and every subject reconciled by a commit that asked the platform no earlier
    // than this one (another instance's, during a hand-over); deciding again on older answers
    // could only undo it.
    let anything_new = async {
        let (advanced, marked) =
            futures::try_join!(covering, event_log::mark_all_processed(tx, &marked_ids))?;
        Ok(advanced > 0 || marked > 0)
    };
    let writer = provisioner.writer();
    let mut events = 0;
    let appended = if gone_teams.is_empty() {
        // The usual batch: the coverage and the marks go on the wire ahead of the append lock
        // and the reads behind it, one round trip for all (a commit's time went mostly to
        // round trips: docs/performance-history.md, session 43); the members are decided only once
        // they answer.
        let reconciled = writer
            .reconcile_members_if(tx, org_id, members, Trigger::Webhook, now, anything_new)
            .await?;
        match reconciled {
            Some(appended) => appended,
            None => return Ok(Outcome::AlreadyProcessed),
        }
    } else {
        if !anything_new.await? {
            return Ok(Outcome::AlreadyProcessed);
        }
        // First the groups of deleted teams, so their VLANs are free for the decisions below.
        for (team_id, position) in gone_teams.iter() {
            events += writer
                .delete_group(tx, org_id, team_id, &metadata[*position], now)
                .await?
                .len();
        }
        writer
            .reconcile_members(tx, org_id, members, Trigger::Webhook, now)
            .await?
    };
    events += appended.iter().map(|a| a.events.len()).sum::<usize>();
    Ok(Outcome::Committed { events })
}
