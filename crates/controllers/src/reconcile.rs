//! One reconciliation of a mapped location with its controller: the desired keys, the vendor's
//! list, the exact difference applied within the vendor's budget, and its record
//! (`controller_reconciliations`, a metric; an admin notification when over a vendor limit).
//! Idempotent: a retry lists again and applies what is still missing.

use crate::desired::{self, DesiredError};
use crate::mapping::{Mapping, MappingError};
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
    Mapping(#[from] MappingError),
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("the mapping's credentials do not open: {0}")]
    Credentials(String),
    #[error(transparent)]
    Vendor(#[from] VendorError),
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
    let result = converge(context, vendor, mapping, &mut report).await;
    if trigger == Trigger::Periodic {
        report.drift = report.created + report.updated + report.deleted;
    }
    match &result {
        Ok(()) => {}
        Err(ReconcileError::Vendor(VendorError::Limit(reason))) => {
            report.outcome = "over_limit";
            report.detail = Some(reason.clone());
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
    report: &mut Report,
) -> Result<(), ReconcileError> {
    let deadline = Instant::now() + RETRY_FOR;
    let mut backoff = Duration::from_millis(250);
    loop {
        let error = match attempt(context, vendor, mapping).await {
            Ok(plan) if plan.is_empty() => return Ok(()),
            Ok(plan) => {
                let (created, updated, deleted) = plan.count();
                report.created += created;
                report.updated += updated;
                report.deleted += deleted;
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

/// One pass: the plan, applied. A plan over the vendor's limit is not applied at all.
async fn attempt<V: Vendor>(
    context: &Context,
    vendor: &V,
    mapping: &Mapping,
) -> Result<Plan, ReconcileError> {
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
    let actual = vendor.list().await?;
    let plan = plan::plan(
        &desired,
        &actual,
        &context.settings.key_prefix,
        vendor.key_limit(),
    )
    .map_err(|over| VendorError::Limit(over.to_string()))?;
    if !plan.is_empty() {
        vendor.apply(&plan.changes).await?;
    }
    Ok(plan)
}

/// The reconciliation's row, and the admin's notification when a vendor limit stopped it.
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
    let row = client
        .query_one(
            "INSERT INTO controller_reconciliations
                 (org_id, location_id, vendor, trigger, outcome, created, updated, deleted,
                  drift, detail, started_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now()) RETURNING id",
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
    if report.outcome == "over_limit" {
        let id: i64 = row.get(0);
        let message = format!(
            "The {vendor} controller of location {} would be over its key limit ({}): \
             nothing was changed there until keys are freed or the SSID is split.",
            mapping.location_id,
            report.detail.as_deref().unwrap_or("limit"),
        );
        // Outside the event log: negative positions, one per reconciliation record.
        client
            .execute(
                "INSERT INTO notifications (global_position, org_id, kind, subject, message, raised_at)
                 VALUES ($1, $2, 'controller_over_limit', $3, $4, now())",
                &[&-id, &mapping.org_id, &mapping.location_id, &message],
            )
            .await?;
    }
    Ok(())
}
