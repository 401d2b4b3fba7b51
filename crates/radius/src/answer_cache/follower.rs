//! Changes → cached answers fetched again, for every event the instance's consumer delivers
//! (`instance_events`). A member's event has that member's answers fetched again (a deleted
//! member's and a removed device's too: `radius_cached_answers` remembers them); a change of a
//! location, a team, a NAS or the organization's plan mapping has the whole organization's.

use super::{AnswerCache, Job};
use crate::events::{self, Affected, HandleEvent, PublishedEvent};

/// What `published` has fetched again, if anything.
fn job_for(published: &PublishedEvent) -> Option<Job> {
    Some(match events::affected(published)? {
        Affected::Member { org_id, user_id } => Job::Member { org_id, user_id },
        Affected::Organization { org_id } => Job::Organization { org_id },
    })
}

impl HandleEvent for AnswerCache {
    async fn handle(&self, published: &PublishedEvent) -> anyhow::Result<()> {
        self.handle_batch(std::slice::from_ref(published)).await
    }

    /// What was delivered together becomes one job (its members read in one statement per
    /// organization), without waiting for more: a revocation is forgotten at once.
    async fn handle_batch(&self, events: &[PublishedEvent]) -> anyhow::Result<()> {
        let jobs: Vec<Job> = events.iter().filter_map(job_for).collect();
        if !jobs.is_empty() {
            self.send(Job::Several(jobs)).await;
        }
        Ok(())
    }
}
