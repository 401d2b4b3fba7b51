//! Each radius instance's own consumer of every event, `radius-instance-<instance>`
//! (`bus::INSTANCE_EVENTS_CONSUMER`): what the instance keeps follows the events through it.
//! Its FreeRADIUS's cached answers are fetched again (`answer_cache`), then its handshake
//! matcher's keys are reloaded (`handshake_mode`). One consumer for both: every event is
//! delivered, parsed and acknowledged once per instance, not twice (on the benchmark's two
//! shared cores provision drained its backlog 6 % faster at the median of six A/B pairs:
//! docs/performance-history.md, "What provision shares its two cores with").
//!
//! What was delivered together is handled together, without waiting for more: a revocation is
//! forgotten at once, and a burst (an import) still comes in large batches. A failure has the
//! batch delivered again; both handlers are idempotent.

use crate::answer_cache::AnswerCache;
use crate::events::{Following, HandleEvent, PublishedEvent};
use crate::handshake_mode::HandshakeMemory;
use std::sync::Arc;

/// Most events handled together.
const EVENTS_BATCH: usize = 1000;

/// What follows the events in this instance.
pub struct InstanceFollower {
    /// When some FreeRADIUS keeps answers (`radius.freeradius_answer_caches`).
    pub answers: Option<AnswerCache>,
    pub keys: Arc<HandshakeMemory>,
}

impl HandleEvent for InstanceFollower {
    async fn handle(&self, published: &PublishedEvent) -> anyhow::Result<()> {
        self.handle_batch(std::slice::from_ref(published)).await
    }

    async fn handle_batch(&self, events: &[PublishedEvent]) -> anyhow::Result<()> {
        // The cached answers first: what a revocation changes is forgotten before anything
        // else is done with the batch.
        if let Some(answers) = &self.answers {
            answers.handle_batch(events).await?;
        }
        self.keys.follow(events).await?;
        Ok(())
    }
}

/// Follows every event into `follower` until the process ends, through this instance's own
/// consumer (`instance`: `radius.instance`).
pub async fn run(
    bus: bus::Bus,
    since: time::OffsetDateTime,
    instance: &str,
    follower: InstanceFollower,
) {
    let following = Following {
        bus,
        consumer: bus::instance_consumer(bus::INSTANCE_EVENTS_CONSUMER, instance),
        per_instance: true,
        subjects: vec![bus::EVENT_SUBJECTS.to_owned()],
        since,
        at_once: 1,
        batch: EVENTS_BATCH,
        linger: std::time::Duration::ZERO,
        purpose: "cached answers and handshake keys",
    };
    following.run(follower).await;
}
