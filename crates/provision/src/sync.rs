//! Full sync: everything the organization's platform (Optix, OfficeRnD: `crate::platform`)
//! says about it, reconciled against the log. It runs when an organization installs the app
//! or is connected (the initial import), every `sync_interval_secs`, and
//! on request (`crate::sync_requests`); it repairs whatever lost, late or reordered webhooks
//! got wrong, and records what it corrected (the drift report) as `SyncCompleted`.

use crate::cause::Cause;
use crate::error::ProvisionError;
use crate::platform::{PlatformAdapter, PlatformSnapshot, SnapshotMembers};
use crate::provisioner::Provisioner;
pub use crate::sync_requests::{SyncKind, SyncQueue, SyncRequests, sync_channel};
use crate::writer::{ToReconcile, Trigger};
use chrono::Utc;
use domain::MemberFacts;
use domain::events::Correction;
use domain::organization::{MAX_REPORTED_CORRECTIONS, OrganizationCommand};
use opentelemetry::KeyValue;
use std::collections::BTreeSet;
use std::sync::Arc;
use store::decide::{self, DecideError};
use store::event_log::{self, Metadata};
use store::queries;
use tokio::sync::watch;

/// Members reconciled per transaction during a sync.
const CHUNK: usize = 250;

/// What one sync did: the counts cover every correction, `corrections` keeps the first
/// [`MAX_REPORTED_CORRECTIONS`] (all the drift report records), so a sync of a large
/// organization holds no list of everyone it wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub users_seen: u32,
    pub corrections: Vec<Correction>,
    pub corrected_streams: u32,
    /// Events correcting what a webhook should have told us (drift).
    pub missed_events: usize,
    /// Events for changes Optix sends no webhook for (`Correction::expected`).
    pub expected_events: usize,
    pub api_calls: u64,
    /// Time spent in the transactions that wrote the members (the rest is the platform's
    /// answers, staging, and the reads overlapping the writes).
    pub writing: std::time::Duration,
}

impl SyncReport {
    pub fn events(&self) -> usize {
        self.missed_events + self.expected_events
    }

    /// Events correcting what a webhook should have told us (drift), and events for changes
    /// Optix sends no webhook for.
    pub fn events_by_cause(&self) -> (usize, usize) {
        (self.missed_events, self.expected_events)
    }

    fn add(&mut self, correction: Correction) {
        self.corrected_streams += 1;
        if correction.expected {
            self.expected_events += correction.events.len();
        } else {
            self.missed_events += correction.events.len();
        }
        if self.corrections.len() < MAX_REPORTED_CORRECTIONS {
            self.corrections.push(correction);
        }
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
            next = queue.next() => next,
            _ = stop.changed() => None,
        };
        let Some((org_id, kind)) = next else { break };
        let Some(kind) = kind else { continue };
        let result = tokio::select! {
            result = provisioner.sync(&org_id, kind) => result,
            _ = stop.changed() => break,
        };
        queue.finished();
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

/// Records a finished sync in the metrics and the log's words: runs, duration, corrections by
/// cause, the last success, and the import-failing mark.
fn record_run(
    org_id: &str,
    kind: SyncKind,
    result: &Result<SyncReport, ProvisionError>,
    started: std::time::Instant,
) {
    let metrics = crate::metrics::metrics();
    let org = KeyValue::new("org", org_id.to_owned());
    let kind_label = KeyValue::new("kind", kind.as_str());
    if let Ok(report) = result {
        metrics
            .sync_last_success
            .record(Utc::now().timestamp(), std::slice::from_ref(&org));
        let (missed, expected) = report.events_by_cause();
        // The first import is not drift either: nothing could have told us before.
        let causes = if kind == SyncKind::Initial {
            [("import", missed + expected), ("missed_webhook", 0)]
        } else {
            [("missed_webhook", missed), ("expected", expected)]
        };
        for (cause, events) in causes {
            metrics
                .sync_corrections
                .add(events as u64, &[org.clone(), KeyValue::new("cause", cause)]);
        }
        tracing::info!(
            org_id,
            kind = kind.as_str(),
            users = report.users_seen,
            corrected = report.corrected_streams,
            events = report.events(),
            api_calls = report.api_calls,
            seconds = started.elapsed().as_secs_f64(),
            writing_seconds = report.writing.as_secs_f64(),
            "sync completed"
        );
    }
    crate::metrics::sync_ended(org_id, kind == SyncKind::Initial, result.is_ok());
    let outcome = if result.is_ok() { "ok" } else { "failed" };
    metrics.sync_runs.add(
        1,
        &[org, kind_label.clone(), KeyValue::new("outcome", outcome)],
    );
    metrics
        .sync_duration
        .record(started.elapsed().as_secs_f64(), &[kind_label]);
}

impl Provisioner {
    /// A full sync of `org_id`; its outcome is recorded in the log either way.
    pub async fn sync(&self, org_id: &str, kind: SyncKind) -> Result<SyncReport, ProvisionError> {
        // Nothing to sync (or record) for an organization that has not installed the app.
        let installed = {
            let client = self.pool().get().await?;
            queries::organization_installed(&client, org_id).await?
        };
        if installed != Some(true) {
            return Err(ProvisionError::NotInstalled(org_id.to_owned()));
        }
        let started = std::time::Instant::now();
        let metadata = Cause::Sync { org_id, kind }.metadata();
        let result = self.sync_inner(org_id, kind, &metadata).await;
        let now = Utc::now();
        record_run(org_id, kind, &result, started);
        let record = match &result {
            Ok(report) => OrganizationCommand::RecordSync {
                kind,
                users_seen: report.users_seen,
                corrected_streams: report.corrected_streams,
                events_appended: report.events() as u32,
                corrections: report.corrections.clone(),
            },
            Err(e) => OrganizationCommand::RecordSyncFailure {
                kind,
                reason: e.to_string(),
            },
        };
        let inputs = (self.writer(), org_id, &record, &metadata);
        let recorded = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, record, metadata)| {
                let record = (*record).clone();
                Box::pin(writer.decide_organization(tx, org_id, record, metadata, now))
            },
        )
        .await;
        // The outcome is recorded either way (a refusal cannot happen for these commands).
        if let Err(e) = recorded {
            e.into_refusal()?;
        }
        result
    }

    async fn sync_inner(
        &self,
        org_id: &str,
        kind: SyncKind,
        metadata: &Metadata,
    ) -> Result<SyncReport, ProvisionError> {
        let platform = self.platform(org_id);
        let calls_before = platform.calls_made();
        // Anything appended after this point was decided on answers at least as fresh as the
        // snapshot (see `Trigger::Sync`).
        let position = {
            let client = self.pool().get().await?;
            event_log::head_position(&client).await?
        };
        let asking = std::time::Instant::now();
        let mut snapshot = platform
            .snapshot(org_id, position, kind, Utc::now())
            .await?;
        tracing::info!(
            org_id,
            api_calls = platform.calls_made() - calls_before,
            seconds = asking.elapsed().as_secs_f64(),
            "sync snapshot taken"
        );
        let mut report = SyncReport::default();
        let reconciled = self
            .reconcile_snapshot(org_id, &mut snapshot, metadata, &mut report)
            .await;
        report.users_seen = snapshot.members.users_seen();
        if let SnapshotMembers::Paged(pages) = snapshot.members {
            pages.finish().await;
        }
        reconciled?;
        report.api_calls = platform.calls_made() - calls_before;
        Ok(report)
    }

    /// Writes what the snapshot says: the organization's locale, the groups of teams gone,
    /// then its members a chunk at a time (Optix's are read a page at a time meanwhile), then,
    /// on a full snapshot, everyone the log has an account for and the platform did not list
    /// (a user the platform no longer lists is deleted there); a partial one names only who
    /// changed, and deletes nobody it does not name.
    async fn reconcile_snapshot(
        &self,
        org_id: &str,
        snapshot: &mut PlatformSnapshot<'_>,
        metadata: &Metadata,
        report: &mut SyncReport,
    ) -> Result<(), ProvisionError> {
        if let Some(locale) = &snapshot.locale {
            self.record_locale(org_id, locale, metadata).await?;
        }
        let left_deleted_teams = if snapshot.partial {
            BTreeSet::new()
        } else {
            let (deleted, their_members) = self
                .delete_gone_groups(org_id, &snapshot.team_ids, snapshot.position, metadata)
                .await?;
            deleted.into_iter().for_each(|c| report.add(c));
            their_members
                .iter()
                .map(|user| domain::StreamId::member(org_id, user).to_string())
                .collect()
        };
        let written = Written {
            org_id,
            position: snapshot.position,
            metadata,
            left_deleted_teams: &left_deleted_teams,
        };
        let full = !snapshot.partial;
        match &mut snapshot.members {
            SnapshotMembers::All { members, .. } => {
                let gone: Vec<String> = if full {
                    let client = self.pool().get().await?;
                    let accounts = queries::member_user_ids(&client, org_id).await?;
                    accounts
                        .into_iter()
                        .filter(|user| !members.contains_key(user))
                        .collect()
                } else {
                    Vec::new()
                };
                while !members.is_empty() {
                    let chunk: Vec<MemberFacts> = std::iter::from_fn(|| members.pop_first())
                        .take(CHUNK)
                        .map(|(_, facts)| facts)
                        .collect();
                    self.sync_chunk(&written, chunk, report).await?;
                }
                self.sync_gone(&written, gone, report).await
            }
            SnapshotMembers::Paged(pages) => {
                let mut next = pages.next_members(CHUNK).await?;
                while let Some(chunk) = next.take() {
                    // The next pages are read while this chunk is written.
                    let (read, wrote) = tokio::join!(
                        pages.next_members(CHUNK),
                        self.sync_chunk(&written, chunk, report)
                    );
                    wrote?;
                    next = read?;
                }
                let gone = if full {
                    pages.gone(org_id).await?
                } else {
                    Vec::new()
                };
                self.sync_gone(&written, gone, report).await
            }
        }
    }

    /// Reconciles `gone` (users the platform does not list) as gone, a chunk at a time.
    async fn sync_gone(
        &self,
        written: &Written<'_>,
        gone: Vec<String>,
        report: &mut SyncReport,
    ) -> Result<(), ProvisionError> {
        for users in gone.chunks(CHUNK) {
            let chunk = users.iter().map(|u| MemberFacts::gone(u)).collect();
            self.sync_chunk(written, chunk, report).await?;
        }
        Ok(())
    }

    /// The organization's locale as the platform reports it, recorded when it changed. A
    /// malformed one is logged and left out: it must not fail the sync.
    async fn record_locale(
        &self,
        org_id: &str,
        locale: &str,
        metadata: &Metadata,
    ) -> Result<(), ProvisionError> {
        let command = OrganizationCommand::SetLocale {
            locale: locale.to_owned(),
        };
        let inputs = (self.writer(), org_id, &command, metadata);
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, command, metadata)| {
                let command = (*command).clone();
                Box::pin(writer.decide_organization(tx, org_id, command, metadata, Utc::now()))
            },
        )
        .await;
        match decided {
            Ok(_) => Ok(()),
            Err(DecideError::Refused(refusal)) => {
                tracing::warn!(org_id, %refusal, "the platform's organization locale was not recorded");
                Ok(())
            }
            Err(DecideError::Store(e)) => Err(e.into()),
        }
    }

    /// First the groups of teams Optix no longer has, so their VLANs are free for the groups
    /// the members may need (their members leave them afterwards). Optix sends no webhook when
    /// a team is deleted: removing its group here is expected of a sync, not drift, and so is
    /// its members leaving it (`Correction::expected`). Answers the corrections and the members
    /// of the deleted groups.
    async fn delete_gone_groups(
        &self,
        org_id: &str,
        team_ids: &BTreeSet<String>,
        position: i64,
        metadata: &Metadata,
    ) -> Result<(Vec<Correction>, BTreeSet<String>), ProvisionError> {
        let live_teams: BTreeSet<&str> = team_ids.iter().map(String::as_str).collect();
        let inputs = (self.writer(), org_id, &live_teams, position, metadata);
        let deleted = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, live_teams, snapshot_position, metadata)| {
                Box::pin(async move {
                    let mut deleted = Vec::new();
                    let mut their_members = BTreeSet::new();
                    // A group written after the snapshot was made from a newer webhook than the
                    // sync's team list (see `Trigger::Sync`): the next sync looks again.
                    for team_id in queries::group_team_ids(tx, org_id, *snapshot_position).await? {
                        if live_teams.contains(team_id.as_str()) {
                            continue;
                        }
                        their_members
                            .extend(queries::members_in_group(tx, org_id, &team_id).await?);
                        let events = writer
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
                    Ok::<_, store::StoreError>((deleted, their_members))
                })
            },
        )
        .await?;
        Ok(deleted)
    }

    /// Reconciles one chunk of members in one transaction; its corrections go to `report`
    /// (a member of a deleted team's group only leaving it is expected, not drift).
    async fn sync_chunk(
        &self,
        written: &Written<'_>,
        chunk: Vec<MemberFacts>,
        report: &mut SyncReport,
    ) -> Result<(), ProvisionError> {
        let count = chunk.len();
        let members: Vec<ToReconcile<'_>> = chunk
            .into_iter()
            .map(|facts| ToReconcile {
                facts,
                metadata: written.metadata,
            })
            .collect();
        let trigger = Trigger::Sync {
            snapshot_position: written.position,
        };
        let inputs = (self.writer(), written.org_id, &members, trigger);
        let started = std::time::Instant::now();
        let appended = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, members, trigger)| {
                Box::pin(writer.reconcile_members(tx, org_id, members, *trigger, Utc::now()))
            },
        )
        .await?;
        report.writing += started.elapsed();
        tracing::debug!(
            org_id = written.org_id,
            members = count,
            events = appended.iter().map(|a| a.events.len()).sum::<usize>(),
            seconds = started.elapsed().as_secs_f64(),
            "sync chunk reconciled"
        );
        for appended in appended.into_iter().filter(|a| !a.events.is_empty()) {
            let mut correction = Correction::missed(
                appended.stream,
                appended.events.into_iter().map(str::to_owned).collect(),
            );
            correction.expected = written.left_deleted_teams.contains(&correction.stream)
                && correction.events.iter().all(|e| e == "LeftGroup");
            report.add(correction);
        }
        Ok(())
    }
}

/// What every chunk of one sync is written with.
struct Written<'a> {
    org_id: &'a str,
    /// The log's head before the platform was asked (`Trigger::Sync`).
    position: i64,
    metadata: &'a Metadata,
    /// The member streams of the groups the sync deleted.
    left_deleted_teams: &'a BTreeSet<String>,
}
