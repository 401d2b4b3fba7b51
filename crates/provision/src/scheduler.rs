//! Records the end of time-bound grants when it happens, so projections never show an expired
//! grant as live. Wakes at the next expiry (at most every second).

use crate::reconcile::Provisioner;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const MAX_SLEEP: Duration = Duration::from_secs(1);

pub async fn run(provisioner: Arc<Provisioner>, mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
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
        store::queries::members_with_expired_grants(&**client, now, 500).await?
    };
    for (org_id, user_id) in due {
        let events = provisioner.expire_member(&org_id, &user_id, now).await?;
        tracing::info!(org_id, user_id, events, "grant expiry recorded");
        crate::metrics::metrics().expiries.add(events as u64, &[]);
    }
    Ok(())
}

async fn next_wake(provisioner: &Provisioner) -> Duration {
    let Ok(client) = provisioner.pool().get().await else {
        return MAX_SLEEP;
    };
    match store::queries::next_grant_expiry(&**client).await {
        Ok(Some(at)) => (at - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_SLEEP),
        _ => MAX_SLEEP,
    }
}
