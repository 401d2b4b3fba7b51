//! Records the end of time-bound grants when it happens, so projections never show an expired
//! grant as live. Wakes at the next expiry (at most every second).

use crate::lease::Leases;
use crate::provisioner::Provisioner;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const MAX_SLEEP: Duration = Duration::from_secs(1);

/// Runs in the leader instance only (`leases`): the others wait.
pub async fn run(provisioner: Arc<Provisioner>, leases: Leases, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if !leases.is_leader() {
            let _ = tokio::time::timeout(crate::lease::CHECK_EVERY, stop.changed()).await;
            continue;
        }
        if let Err(e) = expire_due(&provisioner).await {
            tracing::warn!(error = %e, "expiring grants failed; will retry");
        }
        let sleep = next_wake(&provisioner).await;
        let _ = tokio::time::timeout(sleep, stop.changed()).await;
    }
}

async fn expire_due(provisioner: &Provisioner) -> anyhow::Result<()> {
    let now = Utc::now();
    let due = {
        let client = provisioner.pool().get().await?;
        store::queries::members_with_expired_grants(&client, now, 500).await?
    };
    for (org_id, user_id) in due {
        let events = provisioner
            .writer()
            .expire_member(&org_id, &user_id, now)
            .await?;
        tracing::info!(org_id, user_id, events, "grant expiry recorded");
        crate::metrics::metrics().expiries.add(events as u64, &[]);
    }
    Ok(())
}

async fn next_wake(provisioner: &Provisioner) -> Duration {
    let Ok(client) = provisioner.pool().get().await else {
        return MAX_SLEEP;
    };
    match store::queries::next_grant_expiry(&client).await {
        Ok(Some(at)) => (at - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_SLEEP),
        _ => MAX_SLEEP,
    }
}

/// Asks for a periodic sync of every installed organization this instance works (`leases`)
/// every `interval`, and at start an initial sync of those whose import never completed (a
/// crash during the import).
pub async fn sync_timer(
    provisioner: Arc<Provisioner>,
    leases: Leases,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    // The organizations installed when this process started: one installed since has its
    // import under way already (asking again would queue a second one).
    let at_start = match installed(&provisioner, None).await {
        Ok(orgs) => orgs,
        Err(e) => {
            tracing::warn!(error = %e, "listing organizations to sync failed");
            Vec::new()
        }
    };
    // What this instance works is known after the leases' first check.
    leases.first_check(Duration::from_secs(10)).await;
    let works: Vec<String> = at_start
        .into_iter()
        .filter(|org_id| leases.holds_org(org_id))
        .collect();
    if let Err(e) = request_missing_imports(&provisioner, works).await {
        tracing::warn!(error = %e, "checking for unfinished imports failed");
    }
    if interval.is_zero() {
        return;
    }
    loop {
        if tokio::time::timeout(interval, stop.changed()).await.is_ok() {
            return;
        }
        match installed(&provisioner, Some(&leases)).await {
            Ok(orgs) => {
                for org_id in orgs {
                    provisioner
                        .syncs()
                        .request(&org_id, crate::sync_requests::SyncKind::Periodic);
                }
            }
            Err(e) => tracing::warn!(error = %e, "listing organizations to sync failed"),
        }
    }
}

/// The installed organizations (those this instance works, with `leases`).
async fn installed(
    provisioner: &Provisioner,
    leases: Option<&Leases>,
) -> anyhow::Result<Vec<String>> {
    let client = provisioner.pool().get().await?;
    let mut orgs = store::queries::installed_organizations(&client).await?;
    if let Some(leases) = leases {
        orgs.retain(|org_id| leases.holds_org(org_id));
    }
    Ok(orgs)
}

async fn request_missing_imports(
    provisioner: &Provisioner,
    orgs: Vec<String>,
) -> anyhow::Result<()> {
    for org_id in orgs {
        let client = provisioner.pool().get().await?;
        // The staleness alert needs the last success from before this process started.
        let last_ok = store::queries::sync_runs(&client, &org_id, 50)
            .await?
            .into_iter()
            .find(|run| run.outcome == "ok");
        if let Some(run) = last_ok {
            crate::metrics::metrics().sync_last_success.record(
                run.finished_at.timestamp(),
                &[opentelemetry::KeyValue::new("org", org_id.clone())],
            );
        }
        let state = provisioner
            .writer()
            .organization_state(&client, &org_id)
            .await?;
        if !state.imported {
            provisioner
                .syncs()
                .request(&org_id, crate::sync_requests::SyncKind::Initial);
        }
    }
    Ok(())
}
