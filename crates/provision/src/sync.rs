//! Full sync: everything Optix says about an organization, reconciled against the log. It runs
//! when an organization installs the app (the initial import), every `sync_interval_secs`, and
//! on request; it repairs whatever lost, late or reordered webhooks got wrong, and records
//! what it corrected (the drift report) as `SyncCompleted`.

use crate::facts;
use crate::provisioner::{ProvisionError, Provisioner, Trigger, in_transaction};
use chrono::Utc;
use domain::events::Correction;
pub use domain::events::SyncKind;
use domain::organization::OrganizationCommand;
use opentelemetry::KeyValue;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use store::event_log::Metadata;
use store::{StoreError, event_log, queries};
use tokio::sync::{mpsc, watch};

/// Members reconciled per transaction during a sync.
const CHUNK: usize = 250;

/// Asks the sync runner for a sync. Requests for an organization already waiting are merged
/// (an initial import wins over the other kinds: it is what the run will be recorded as).
#[derive(Clone)]
pub struct SyncRequests {
    sender: mpsc::UnboundedSender<String>,
    waiting: Arc<Mutex<HashMap<String, SyncKind>>>,
    unfinished: Arc<AtomicUsize>,
}

pub struct SyncQueue {
    receiver: mpsc::UnboundedReceiver<String>,
    waiting: Arc<Mutex<HashMap<String, SyncKind>>>,
    unfinished: Arc<AtomicUsize>,
}

pub fn sync_channel() -> (SyncRequests, SyncQueue) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let waiting = Arc::new(Mutex::new(HashMap::new()));
    let unfinished = Arc::new(AtomicUsize::new(0));
    (
        SyncRequests {
            sender,
            waiting: waiting.clone(),
            unfinished: unfinished.clone(),
        },
        SyncQueue {
            receiver,
            waiting,
            unfinished,
        },
    )
}

impl SyncRequests {
    pub fn request(&self, org_id: &str, kind: SyncKind) {
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(waiting_kind) = waiting.get_mut(org_id) {
            if kind == SyncKind::Initial {
                *waiting_kind = kind;
            }
            return;
        }
        waiting.insert(org_id.to_owned(), kind);
        self.unfinished.fetch_add(1, Ordering::SeqCst);
        if self.sender.send(org_id.to_owned()).is_err() {
            // The runner has stopped: this request will never run.
            self.unfinished.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Syncs requested and not finished yet (waiting or running), all organizations together.
    pub fn unfinished(&self) -> usize {
        self.unfinished.load(Ordering::SeqCst)
    }
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub users_seen: u32,
    pub corrections: Vec<Correction>,
    pub api_calls: u64,
}

impl SyncReport {
    pub fn events(&self) -> usize {
        self.corrections.iter().map(|c| c.events.len()).sum()
    }

    /// Events correcting what a webhook should have told us (drift), and events for changes
    /// Optix sends no webhook for.
    pub fn events_by_cause(&self) -> (usize, usize) {
        let (expected, missed): (Vec<&Correction>, Vec<&Correction>) =
            self.corrections.iter().partition(|c| c.expected);
        let count = |list: Vec<&Correction>| list.iter().map(|c| c.events.len()).sum();
        (count(missed), count(expected))
    }
}

/// Runs requested syncs one at a time (they share the organization's API budget with webhooks;
/// one at a time keeps the budget for webhooks of other organizations).
pub async fn run(
    provisioner: Arc<Provisioner>,
    mut queue: SyncQueue,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let next = tokio::select! {
            next = queue.receiver.recv() => next,
            _ = stop.changed() => None,
        };
        let Some(org_id) = next else { break };
        let Some(kind) = queue
            .waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&org_id)
        else {
            continue;
        };
        let result = tokio::select! {
            result = provisioner.sync(&org_id, kind) => result,
            _ = stop.changed() => break,
        };
        queue.unfinished.fetch_sub(1, Ordering::SeqCst);
        match result {
            // Configuration set before the app is installed asks for a sync; the import follows
            // the installation.
            Err(ProvisionError::NotInstalled(_)) => {
                tracing::info!(
                    org_id,
                    kind = kind.as_str(),
                    "no sync: the app is not installed"
                )
            }
            Err(e) => tracing::warn!(org_id, kind = kind.as_str(), error = %e, "sync failed"),
            Ok(_) => {}
        }
    }
}

impl Provisioner {
    /// A full sync of `org_id`; its outcome is recorded in the log either way.
    pub async fn sync(&self, org_id: &str, kind: SyncKind) -> Result<SyncReport, ProvisionError> {
        // Nothing to sync (or record) for an organization that has not installed the app.
        let token = self.org_token(org_id).await?;
        let started = std::time::Instant::now();
        let run_id = uuid::Uuid::now_v7();
        let metadata = Metadata {
            causation_id: format!("sync:{org_id}:{run_id}"),
            correlation_id: format!("sync:{org_id}:{run_id}"),
            actor: "sync".into(),
            cause: Some(format!("{} sync", kind.as_str())),
            trace_parent: telemetry::traces::current_traceparent(),
        };
        let metrics = crate::metrics::metrics();
        let result = self.sync_inner(org_id, &token, &metadata).await;
        let labels = [
            KeyValue::new("org", org_id.to_owned()),
            KeyValue::new("kind", kind.as_str()),
        ];
        let now = Utc::now();
        let record = match &result {
            Ok(report) => {
                metrics
                    .sync_last_success
                    .record(now.timestamp(), &labels[..1]);
                let (missed, expected) = report.events_by_cause();
                // The first import is not drift either: nothing could have told us before.
                let causes = if kind == SyncKind::Initial {
                    [("import", missed + expected), ("missed_webhook", 0)]
                } else {
                    [("missed_webhook", missed), ("expected", expected)]
                };
                for (cause, events) in causes {
                    metrics.sync_corrections.add(
                        events as u64,
                        &[labels[0].clone(), KeyValue::new("cause", cause)],
                    );
                }
                tracing::info!(
                    org_id,
                    kind = kind.as_str(),
                    users = report.users_seen,
                    corrected = report.corrections.len(),
                    events = report.events(),
                    api_calls = report.api_calls,
                    seconds = started.elapsed().as_secs_f64(),
                    "sync completed"
                );
                OrganizationCommand::RecordSync {
                    kind,
                    users_seen: report.users_seen,
                    corrections: report.corrections.clone(),
                }
            }
            Err(e) => OrganizationCommand::RecordSyncFailure {
                kind,
                reason: e.to_string(),
            },
        };
        crate::metrics::sync_ended(org_id, kind == SyncKind::Initial, result.is_ok());
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        metrics.sync_runs.add(
            1,
            &[
                labels[0].clone(),
                labels[1].clone(),
                KeyValue::new("outcome", outcome),
            ],
        );
        metrics
            .sync_duration
            .record(started.elapsed().as_secs_f64(), &labels[1..]);
        // The outcome is recorded either way (a refusal cannot happen for these commands).
        let _ = in_transaction!(self.pool(), |tx| {
            self.decide_organization(tx, org_id, record.clone(), &metadata, now)
                .await
        })?;
        result
    }

    async fn sync_inner(
        &self,
        org_id: &str,
        token: &optix::api::OrgToken,
        metadata: &Metadata,
    ) -> Result<SyncReport, ProvisionError> {
        let calls_before = self.optix_calls();
        // A sync deletes whoever Optix does not list: first make sure the token answers for
        // this organization, so another organization's token can never empty it.
        if let optix::api::TokenCheck::Refused(refusal) =
            self.optix().check_org_token(org_id, token.expose()).await?
        {
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
        let token = token.clone();
        let now = Utc::now();
        let (from, to) = facts::booking_window(now);
        let optix = self.optix();
        // Anything appended after this point was decided on Optix answers at least as fresh as
        // the snapshot below (see `Trigger::Sync`).
        let snapshot_position = {
            let client = self.pool().get().await.map_err(StoreError::from)?;
            event_log::head_position(&client).await?
        };
        let users = optix.all_users(&token).await?;
        let plans = optix.all_live_plans(&token).await?;
        let bookings = optix.bookings_window(&token, from, to).await?;
        let teams = optix.all_teams(&token).await?;
        let users_seen = users.len() as u32;
        let optix_facts = optix::api::Facts {
            users: users.into_iter().map(|u| (u.user_id.clone(), u)).collect(),
            plans,
            bookings,
        };
        // Everyone Optix mentions, and everyone the log has an account for (a user Optix no
        // longer lists is deleted there).
        let mut candidates: BTreeSet<String> =
            facts::users_in(&optix_facts).map(str::to_owned).collect();
        {
            let client = self.pool().get().await.map_err(StoreError::from)?;
            candidates.extend(queries::member_user_ids(&client, org_id).await?);
        }
        // First the groups of teams Optix no longer has, so their VLANs are free for the groups
        // the members below may need (their members leave them below).
        let live_teams: BTreeSet<&str> = teams.iter().map(|t| t.team_id.as_str()).collect();
        // Optix sends no webhook when a team is deleted: removing its group here is expected of
        // a sync, not drift, and so is its members leaving it (`Correction::expected`).
        let (mut corrections, left_deleted_teams) = in_transaction!(self.pool(), |tx| {
            let mut deleted = Vec::new();
            let mut their_members = BTreeSet::new();
            // A group written after the snapshot was made from a newer webhook than the sync's
            // team list (see `Trigger::Sync`): the next sync looks again.
            for team_id in queries::group_team_ids(tx, org_id, snapshot_position).await? {
                if live_teams.contains(team_id.as_str()) {
                    continue;
                }
                their_members.extend(queries::members_in_group(tx, org_id, &team_id).await?);
                let events = self
                    .delete_group(tx, org_id, &team_id, metadata, Utc::now())
                    .await?;
                if !events.is_empty() {
                    deleted.push(Correction {
                        stream: domain::StreamId::group(org_id, &team_id).to_string(),
                        events: events.into_iter().map(str::to_owned).collect(),
                        expected: true,
                    });
                }
            }
            Ok((deleted, their_members))
        })?;
        let candidates: Vec<String> = candidates.into_iter().collect();
        let index = facts::FactsIndex::new(&optix_facts);
        for chunk in candidates.chunks(CHUNK) {
            let chunk_facts = index.subset(chunk);
            corrections.extend(
                self.sync_chunk(org_id, chunk, &chunk_facts, snapshot_position, metadata)
                    .await?
                    .into_iter()
                    .map(|mut correction| {
                        let member_of_deleted_team = left_deleted_teams.iter().any(|user| {
                            correction.stream == domain::StreamId::member(org_id, user).to_string()
                        });
                        correction.expected = member_of_deleted_team
                            && correction.events.iter().all(|e| e == "LeftGroup");
                        correction
                    }),
            );
        }
        Ok(SyncReport {
            users_seen,
            corrections,
            api_calls: self.optix_calls() - calls_before,
        })
    }

    async fn sync_chunk(
        &self,
        org_id: &str,
        users: &[String],
        optix_facts: &optix::api::Facts,
        snapshot_position: i64,
        metadata: &Metadata,
    ) -> Result<Vec<Correction>, ProvisionError> {
        let corrections = in_transaction!(self.pool(), |tx| {
            let now = Utc::now();
            let policy = queries::org_policy(tx, org_id).await?;
            let mut corrections = Vec::new();
            for user_id in users {
                let member_facts = facts::member_facts(user_id, optix_facts);
                match self
                    .reconcile_member(
                        tx,
                        org_id,
                        &member_facts,
                        &policy,
                        Trigger::Sync { snapshot_position },
                        metadata,
                        now,
                    )
                    .await?
                {
                    Ok(appended) if !appended.events.is_empty() => {
                        corrections.push(Correction::missed(
                            appended.stream,
                            appended.events.into_iter().map(str::to_owned).collect(),
                        ))
                    }
                    Ok(_) => {}
                    Err(refusal) => {
                        tracing::warn!(org_id, user_id, %refusal, "sync: reconciliation refused")
                    }
                }
            }
            Ok(corrections)
        })?;
        Ok(corrections)
    }
}
