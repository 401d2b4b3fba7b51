//! One reconciliation of a mapped location with its controller: the desired keys, the vendor's
//! list, the exact difference applied within the vendor's budget, and its record
//! (`controller_reconciliations`, a metric; over a vendor's key limit, a `ControllerOverLimit`
//! event through provision, which the admins' notifications show).
//! Idempotent: a retry lists again and applies what is still missing.

use crate::desired::{self, DesiredError};
use crate::mapping::Mapping;
use crate::plan::{self, Plan};
use crate::vendor::{Vendor, VendorError};
use crate::{Context, metrics};
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};

/// What started a reconciliation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A domain event of the location's organization.
    Event,
    /// The periodic full reconciliation (repairs drift).
    Periodic,
    /// `lanyard controllers reconcile`, the admin canvas.
    Manual,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Event => "event",
            Trigger::Periodic => "periodic",
            Trigger::Manual => "manual",
        }
    }
}

/// A reconciliation failed before it could be recorded.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Desired(#[from] DesiredError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("the mapping's credentials do not open: {0}")]
    Credentials(String),
    #[error(transparent)]
    Vendor(#[from] VendorError),
    /// More keys than the vendor takes: nothing is applied.
    #[error("vendor limit: {0}")]
    OverLimit(plan::OverLimit),
}

/// What a reconciliation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub deleted: usize,
    /// Changes a periodic reconciliation found (made behind Lanyard's back, or missed).
    pub drift: usize,
    pub outcome: &'static str,
    pub detail: Option<String>,
}

/// How long one reconciliation keeps retrying a vendor that is down or rate limiting before it
/// gives up (the event is redelivered, and the periodic reconciliation comes anyway).
const RETRY_FOR: Duration = Duration::from_secs(120);

/// Reconciles `mapping` with `vendor`, and records it.
pub async fn run<V: Vendor>(
    context: &Context,
    vendor: &V,
    mapping: &Mapping,
    trigger: Trigger,
) -> Result<Report, ReconcileError> {
    let started_at = Utc::now();
    let clock = Instant::now();
    let mut report = Report {
        outcome: "ok",
        ..Report::default()
    };
    let result = converge(context, vendor, mapping, trigger, &mut report).await;
    match &result {
        Ok(()) => {}
        Err(ReconcileError::OverLimit(over)) => {
            report.outcome = "over_limit";
            report.detail = Some(over.to_string());
            report_over_limit(context, mapping, *over).await;
        }
        Err(error) => {
            report.outcome = "failed";
            report.detail = Some(error.to_string());
        }
    }
    let counts = (report.created, report.updated, report.deleted, report.drift);
    metrics::reconciliation(
        vendor.name(),
        trigger.as_str(),
        report.outcome,
        counts,
        clock.elapsed(),
    );
    record(
        context,
        mapping,
        vendor.name(),
        trigger,
        &report,
        started_at,
    )
    .await?;
    tracing::info!(
        org_id = %mapping.org_id, location_id = %mapping.location_id, vendor = vendor.name(),
        trigger = trigger.as_str(), outcome = report.outcome, created = report.created,
        updated = report.updated, deleted = report.deleted, drift = report.drift,
        "controllers: reconciled"
    );
    result.map(|()| report)
}

/// List, plan, apply until nothing is left to do, retrying while the vendor is down or
/// rate limiting.
async fn converge<V: Vendor>(
    context: &Context,
    vendor: &V,
    mapping: &Mapping,
    trigger: Trigger,
    report: &mut Report,
) -> Result<(), ReconcileError> {
    let deadline = Instant::now() + RETRY_FOR;
    let mut backoff = Duration::from_millis(250);
    loop {
        let error = match attempt(context, vendor, mapping, trigger).await {
            Ok((plan, _)) if plan.is_empty() => return Ok(()),
            Ok((plan, drift)) => {
                let (created, updated, deleted) = plan.count();
                report.created += created;
                report.updated += updated;
                report.deleted += deleted;
                report.drift += drift;
                continue;
            }
            Err(ReconcileError::Vendor(error)) if error.is_retryable() => error,
            Err(error) => return Err(error),
        };
        if Instant::now() >= deadline {
            return Err(error.into());
        }
        let wait = match error {
            VendorError::RateLimited { retry_after } => retry_after,
            _ => backoff,
        };
        tracing::warn!(location_id = %mapping.location_id, vendor = vendor.name(), %error, wait_ms = wait.as_millis() as u64, "controllers: vendor call failed, retrying");
        tokio::time::sleep(wait).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

/// One pass: the plan, applied, and its drift. A plan over the vendor's limit is not applied
/// at all. An event's reconciliation plans against the list kept since the last one
/// ([`crate::listed`]) when the vendor allows it; the others list.
async fn attempt<V: Vendor>(
    context: &Context,
    vendor: &V,
    mapping: &Mapping,
    trigger: Trigger,
) -> Result<(Plan, usize), ReconcileError> {
    let client = context.pool.get().await?;
    let desired = desired::desired_keys(
        &client,
        &context.keys,
        &context.settings.key_prefix,
        (&mapping.org_id, &mapping.location_id),
        Utc::now(),
    )
    .await?;
    drop(client);
    let location = (mapping.org_id.clone(), mapping.location_id.clone());
    let keeps_list = !vendor.applies_only_after_its_own_list();
    let kept = match trigger {
        Trigger::Event if keeps_list => context.listed.get(&location),
        _ => None,
    };
    let reused = kept.is_some();
    let (listed_at, actual) = match kept {
        Some(kept) => kept,
        None => (Instant::now(), vendor.list().await?),
    };
    let plan = plan::plan(
        &desired,
        &actual,
        &context.settings.key_prefix,
        vendor.key_limit(),
    )
    .map_err(ReconcileError::OverLimit)?;
    let drift = context.written.drift_at(&location, &desired, &plan);
    if !plan.is_empty() {
        // Until it succeeds, what the vendor holds is unknown.
        context.listed.forget(&location);
        if let Err(error) = vendor.apply(&plan.changes).await {
            return Err(match error {
                // Planned against a kept list a hand edit may have made stale: once more,
                // listing (a vendor that refuses for another reason refuses again).
                VendorError::Refused(reason) if reused => VendorError::Transient(format!(
                    "{reason} (planned against the list kept since the last reconciliation: listing again)"
                )),
                error => error,
            }
            .into());
        }
    }
    if keeps_list {
        context
            .listed
            .applied(location.clone(), (listed_at, actual), &plan.changes);
    }
    context.written.remember(location, &desired);
    Ok((plan, drift))
}

/// The admins' notification that `over` stopped the reconciliation: a `ControllerOverLimit`
/// event on the location's controller stream (provision records the same figures once). A
/// failure to report is logged; the reconciliation's row records the limit anyway.
async fn report_over_limit(context: &Context, mapping: &Mapping, over: plan::OverLimit) {
    let Some(bus) = &context.bus else { return };
    let command = bus::commands::Command::ReportControllerOverLimit {
        location_id: mapping.location_id.clone(),
        wanted: over.needed,
        limit: over.limit,
    };
    match bus.command(&mapping.org_id, "controllers", command).await {
        Ok(bus::commands::Reply::Done { .. }) => {}
        Ok(bus::commands::Reply::Refused { message, .. }) => {
            tracing::warn!(location_id = %mapping.location_id, %message, "controllers: the over-limit report was refused");
        }
        Err(error) => {
            tracing::warn!(location_id = %mapping.location_id, %error, "controllers: reporting the vendor limit failed");
        }
    }
}

/// The reconciliation's row.
async fn record(
    context: &Context,
    mapping: &Mapping,
    vendor: &'static str,
    trigger: Trigger,
    report: &Report,
    started_at: DateTime<Utc>,
) -> Result<(), ReconcileError> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let client = context.pool.get().await?;
    client
        .execute(
            "INSERT INTO controller_reconciliations
                 (org_id, location_id, vendor, trigger, outcome, created, updated, deleted,
                  drift, detail, started_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())",
            &[
                &mapping.org_id,
                &mapping.location_id,
                &vendor,
                &trigger.as_str(),
                &report.outcome,
                &count(report.created),
                &count(report.updated),
                &count(report.deleted),
                &count(report.drift),
                &report.detail,
                &started_at,
            ],
        )
        .await?;
    Ok(())
}
