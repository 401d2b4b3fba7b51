//! Following Lanyard: the durable consumer of `lanyard.events.>` (at least once: a message is
//! acknowledged once its organization's mapped locations are reconciled, so a crash or a
//! vendor outage redelivers it) and the periodic full reconciliation.

use crate::mapping;
use crate::reconcile::Trigger;
use crate::{Context, reconcile_mapping};
use futures::StreamExt;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// Most events taken together (their organizations reconciled once).
const BATCH: usize = 1000;
/// How long a batch waits for more events after the first.
const GATHER: Duration = Duration::from_millis(100);
/// Most distinct organizations a batch holds (bounds the set; the rest wait for the next).
const MAX_ORGS: usize = 256;

#[derive(Deserialize)]
struct Published {
    org_id: String,
}

/// How often the mappings are looked at: a location mapped (or changed) is reconciled at once.
const MAPPINGS_POLL: Duration = Duration::from_secs(2);

/// Runs until the process stops. The consumer, made the first time, starts at the events of
/// the service's start: the first periodic reconciliation (at once) covers what came before.
pub async fn run(context: Context, bus: bus::Bus) {
    let interval = Duration::from_secs(context.settings.reconcile_interval_secs.max(1));
    let mut periodic = tokio::time::interval(interval);
    let mut mappings_poll = tokio::time::interval(MAPPINGS_POLL);
    let mut seen = HashMap::new();
    let since = time::OffsetDateTime::now_utc();
    loop {
        let durable = bus::CONTROLLERS_CONSUMER;
        let consumer = match bus
            .events_consumer(durable, &[bus::EVENT_SUBJECTS.to_owned()], since)
            .await
        {
            Ok(consumer) => consumer,
            Err(error) => {
                tracing::warn!(%error, "controllers: the events consumer is not available yet");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut messages = match bus.pull(&consumer).await {
            Ok(messages) => messages,
            Err(error) => {
                tracing::warn!(%error, "controllers: cannot pull events");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        loop {
            tokio::select! {
                _ = periodic.tick() => reconcile_all(&context, &mut seen).await,
                _ = mappings_poll.tick() => reconcile_new_mappings(&context, &mut seen).await,
                message = messages.next() => match message {
                    Some(Ok(first)) => handle_batch(&context, first, &mut messages).await,
                    // A failed pull (e.g. a missed heartbeat under load) would deliver nothing
                    // more until its request expired: a new one at once.
                    Some(Err(error)) => {
                        tracing::warn!(%error, "controllers: pulling events failed; pulling again");
                        break;
                    }
                    None => break,
                },
            }
        }
    }
}

/// Takes what arrives within [`GATHER`], reconciles each organization once, and acknowledges
/// the events whose organization converged.
async fn handle_batch(
    context: &Context,
    first: async_nats::jetstream::Message,
    messages: &mut bus::Pull,
) {
    let mut batch = vec![first];
    let gather = tokio::time::sleep(GATHER);
    tokio::pin!(gather);
    while batch.len() < BATCH {
        tokio::select! {
            _ = &mut gather => break,
            next = messages.next() => match next {
                Some(Ok(message)) => batch.push(message),
                _ => break,
            },
        }
    }
    let mut orgs = BTreeSet::new();
    let mut held = Vec::new();
    for message in batch {
        match serde_json::from_slice::<Published>(&message.payload) {
            Ok(published) if orgs.len() < MAX_ORGS || orgs.contains(&published.org_id) => {
                orgs.insert(published.org_id.clone());
                held.push((Some(published.org_id), message));
            }
            // Over the batch's bound: not acknowledged, redelivered later.
            Ok(_) => {}
            Err(_) => held.push((None, message)),
        }
    }
    let mut failed = BTreeSet::new();
    for org_id in &orgs {
        if !reconcile_org(context, Some(org_id), Trigger::Event).await {
            failed.insert(org_id.clone());
        }
    }
    for (org_id, message) in held {
        if org_id.as_ref().is_some_and(|org| failed.contains(org)) {
            continue;
        }
        if let Err(error) = message.ack().await {
            tracing::warn!(%error, "controllers: acknowledging an event failed");
        }
    }
}

/// When each mapping was last reconciled as changed: (organization, location) → its
/// `updated_at`. As many entries as mapped locations.
type Seen = HashMap<(String, String), chrono::DateTime<chrono::Utc>>;

async fn reconcile_all(context: &Context, seen: &mut Seen) {
    remember_mappings(context, seen).await;
    reconcile_org(context, None, Trigger::Periodic).await;
}

/// Records the mappings as they are now; those new or changed since.
async fn remember_mappings(context: &Context, seen: &mut Seen) -> Vec<mapping::Mapping> {
    let all = match context.pool.get().await {
        Ok(client) => mapping::mappings(&client, None).await,
        Err(error) => {
            tracing::warn!(%error, "controllers: no database connection");
            return Vec::new();
        }
    };
    let all = match all {
        Ok(all) => all,
        Err(error) => {
            tracing::warn!(%error, "controllers: reading the mappings failed");
            return Vec::new();
        }
    };
    let mut changed = Vec::new();
    let mut now = Seen::new();
    for m in all {
        let key = (m.org_id.clone(), m.location_id.clone());
        if seen.get(&key) != Some(&m.updated_at) {
            changed.push(m.clone());
        }
        now.insert(key, m.updated_at);
    }
    *seen = now;
    changed
}

/// A location mapped (or its mapping changed) since the last look is reconciled now.
async fn reconcile_new_mappings(context: &Context, seen: &mut Seen) {
    for mapping in remember_mappings(context, seen).await {
        if let Err(error) = reconcile_mapping(context, &mapping, Trigger::Manual).await {
            tracing::warn!(org_id = %mapping.org_id, location_id = %mapping.location_id, %error, "controllers: reconciling a new mapping failed");
        }
    }
}

/// Reconciles every mapped location of `org_id` (every organization's when None); false when
/// one of them did not converge.
async fn reconcile_org(context: &Context, org_id: Option<&str>, trigger: Trigger) -> bool {
    let mappings = match context.pool.get().await {
        Ok(client) => mapping::mappings(&client, org_id).await,
        Err(error) => {
            tracing::warn!(%error, "controllers: no database connection");
            return false;
        }
    };
    let mappings = match mappings {
        Ok(mappings) => mappings,
        Err(error) => {
            tracing::warn!(%error, "controllers: reading the mappings failed");
            return false;
        }
    };
    let mut converged = true;
    for mapping in &mappings {
        if let Err(error) = reconcile_mapping(context, mapping, trigger).await {
            tracing::warn!(org_id = %mapping.org_id, location_id = %mapping.location_id, %error, "controllers: reconciliation failed");
            converged = false;
        }
    }
    converged
}
