//! Changes → cached answers fetched again: a durable consumer of every event
//! (`radius-answers`). A member's event has that member's answers fetched again (a deleted
//! member's and a removed device's too: `radius_cached_answers` remembers them); a change of a
//! location, a team, a NAS or the organization's plan mapping has the whole organization's.

use super::{AnswerCache, Job};
use crate::events::{Following, HandleEvent, PublishedEvent};
use domain::Event;
use domain::events::StreamId;

/// What it follows: every category of every organization.
pub const SUBJECTS: &str = "lanyard.events.>";

/// The events of an organization's own stream that change what its members get.
fn changes_answers(event: &Event) -> bool {
    matches!(
        event,
        Event::AppUninstalled { .. }
            | Event::PlanMapped { .. }
            | Event::PlanUnmapped { .. }
            | Event::DefaultProfileSet { .. }
            | Event::VlanPoolSet { .. }
            | Event::LocationMapped { .. }
            | Event::LocationUnmapped { .. }
    )
}

/// What `published` has fetched again, if anything.
pub(crate) fn job_for(published: &PublishedEvent) -> Option<Job> {
    let stream = StreamId::parse(&published.stream)?;
    let org_id = stream.org_id().to_owned();
    match stream {
        StreamId::Member { user_id, .. } => match published.event {
            Event::SessionDisconnectRequested { .. } | Event::SessionDisconnectAnswered { .. } => {
                None
            }
            _ => Some(Job::Member { org_id, user_id }),
        },
        StreamId::Location { .. } | StreamId::Group { .. } | StreamId::Nas { .. } => {
            Some(Job::Organization { org_id })
        }
        StreamId::Organization { .. } => {
            changes_answers(&published.event).then_some(Job::Organization { org_id })
        }
        // A cloud controller's mapping: nothing a RADIUS answer depends on.
        StreamId::Controller { .. } => None,
    }
}

/// Follows the events into `cache` until the process ends.
pub async fn run(bus: bus::Bus, since: time::OffsetDateTime, cache: AnswerCache) {
    let following = Following {
        bus,
        consumer: bus::ANSWER_CACHE_CONSUMER,
        subjects: SUBJECTS,
        since,
        at_once: 1,
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::events::DisconnectOutcome;

    fn published(stream: &str, event: Event) -> PublishedEvent {
        PublishedEvent {
            event_id: uuid::Uuid::nil(),
            stream: stream.into(),
            event,
        }
    }

    #[test]
    fn a_member_s_event_refreshes_the_member_and_a_registry_change_the_organization() {
        let job = job_for(&published("member-6267-12346", Event::AccountSuspended));
        assert!(
            matches!(job, Some(Job::Member { org_id, user_id }) if org_id == "6267" && user_id == "12346")
        );
        let answered = Event::SessionDisconnectAnswered {
            nas_id: "ap".into(),
            session_id: "s".into(),
            outcome: DisconnectOutcome::Acked,
        };
        assert!(job_for(&published("member-6267-12346", answered)).is_none());
        for stream in ["nas-6267-ap-1", "location-6267-3390", "group-6267-77"] {
            let job = job_for(&published(stream, Event::NasRemoved));
            assert!(
                matches!(job, Some(Job::Organization { ref org_id }) if org_id == "6267"),
                "{stream}: {job:?}"
            );
        }
        let sync = Event::SyncFailed {
            kind: domain::events::SyncKind::Periodic,
            reason: "optix down".into(),
        };
        assert!(job_for(&published("org-6267", sync)).is_none());
        assert!(job_for(&published("not a stream", Event::AccountSuspended)).is_none());
    }
}
