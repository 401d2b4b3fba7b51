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
        batch: 1,
        purpose: "cached answers",
    };
    following.run(cache).await;
}

impl HandleEvent for AnswerCache {
    async fn handle(&self, published: &PublishedEvent) -> anyhow::Result<()> {
        if let Some(job) = job_for(published) {
            self.send(job).await;
        }
        Ok(())
    }
}
