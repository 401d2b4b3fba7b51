//! Changes → cached answers fetched again: a durable consumer of every event
//! (`radius-answers`). A member's event has that member's answers fetched again (a deleted
//! member's and a removed device's too: `radius_cached_answers` remembers them); a change of a
//! location, a team, a NAS or the organization's plan mapping has the whole organization's.

use super::{AnswerCache, Job};
use crate::events::{self, Affected, Following, HandleEvent, PublishedEvent};

/// What `published` has fetched again, if anything.
fn job_for(published: &PublishedEvent) -> Option<Job> {
    Some(match events::affected(published)? {
        Affected::Member { org_id, user_id } => Job::Member { org_id, user_id },
        Affected::Organization { org_id } => Job::Organization { org_id },
    })
}

/// Follows the events into `cache` until the process ends, through this instance's own
/// consumer (`instance`: `radius.instance`).
pub async fn run(bus: bus::Bus, since: time::OffsetDateTime, instance: &str, cache: AnswerCache) {
    let following = Following {
        bus,
        consumer: bus::instance_consumer(bus::ANSWER_CACHE_CONSUMER, instance),
        per_instance: true,
        subjects: bus::EVENT_SUBJECTS,
        since,
        at_once: 1,
        // What was delivered together becomes one job (its members read in one statement
        // per organization), without waiting for more: a revocation is forgotten at once.
        batch: ANSWERS_BATCH,
        linger: std::time::Duration::ZERO,
        purpose: "cached answers",
    };
    following.run(cache).await;
}

/// Most events taken together.
const ANSWERS_BATCH: usize = 1000;

impl HandleEvent for AnswerCache {
    async fn handle(&self, published: &PublishedEvent) -> anyhow::Result<()> {
        self.handle_batch(std::slice::from_ref(published)).await
    }

    async fn handle_batch(&self, events: &[PublishedEvent]) -> anyhow::Result<()> {
        let jobs: Vec<Job> = events.iter().filter_map(job_for).collect();
        if !jobs.is_empty() {
            self.send(Job::Several(jobs)).await;
        }
        Ok(())
    }
}
