//! Answers from FreeRADIUS's memory. Asking Lanyard over HTTP costs FreeRADIUS about five
//! times what answering from memory costs (docs/performance-history.md, "Every request through
//! Lanyard"), so FreeRADIUS keeps the answer of every registered device in an `rlm_cache`
//! (deploy/freeradius/radiusd.conf) and Lanyard keeps that memory exact:
//!
//! - An Access-Request is answered from memory when FreeRADIUS holds an answer for its NAS's
//!   class (organization, location, dialect and the class's epoch, which changes when a NAS
//!   joins or leaves it: `FreeRADIUS-Client-NAS-Type`, set by `clients`) and MAC; otherwise it goes to `authorize` as before, and an Accept there has the answer
//!   fetched into memory ([`AnswerCache::warm`]).
//! - FreeRADIUS never decides what to keep. Lanyard sends it a CoA-Request naming a key
//!   (`filler`); FreeRADIUS then fetches that key's answer from `GET /freeradius/answer`
//!   (`endpoint`) and keeps it until the grant ends (at most a day), or forgets it when the
//!   answer is a refusal. One key is never fetched twice at once, and a key that changes while
//!   it is being fetched is fetched again after, so the last fetch always reads the last commit.
//! - Every change comes as an event (`follower`): a member's event has their answers fetched
//!   again, a change of a location, team, plan mapping or NAS the whole organization's.
//!   A revoked member is forgotten within milliseconds of the commit.
//! - What FreeRADIUS keeps is recorded in `radius_cached_answers` (no secret in it), so a
//!   deleted member's or a removed device's answers are found and forgotten, and everything
//!   is fetched again when the service starts.
//! - Every few seconds the filler asks FreeRADIUS whether its memory still holds a sentinel;
//!   if not (FreeRADIUS restarted), every answer is fetched again. Until then requests take
//!   the HTTP path: slower, never wrong.

pub(crate) mod endpoint;
pub mod filler;
pub mod follower;

use crate::lookup::NasClass;
use domain::{Mac, NasDialect};
use store::radius_cached_answers::CachedAnswer;
use tokio::sync::mpsc;

/// The key FreeRADIUS's fill server checks to learn whether its memory was emptied.
pub const SENTINEL: &str = "lanyard-sentinel";
/// Components of a class are ids (Optix numbers, slugs): longer ones are not cached.
const MAX_COMPONENT_CHARS: usize = 64;

/// `org|location|dialect|epoch`: the NAS type FreeRADIUS is given for a NAS of `class`, the
/// first part of its answers' keys. None when an id cannot be written unambiguously (no cache then:
/// every request of that NAS takes the HTTP path).
pub fn class_text(class: &NasClass) -> Option<String> {
    let fits = |id: &str| {
        !id.is_empty() && id.len() <= MAX_COMPONENT_CHARS && !id.contains(['|', '%', '"'])
    };
    (fits(&class.org_id) && fits(&class.location_id) && fits(&class.epoch)).then(|| {
        format!(
            "{}|{}|{}|{}",
            class.org_id,
            class.location_id,
            crate::dialect::label(class.dialect),
            class.epoch
        )
    })
}

/// The cached answer of `class` for `mac`.
pub fn cached_answer(class: &NasClass, mac: &Mac) -> CachedAnswer {
    CachedAnswer {
        org_id: class.org_id.clone(),
        location_id: class.location_id.clone(),
        dialect: crate::dialect::label(class.dialect).to_owned(),
        epoch: class.epoch.clone(),
        mac: mac.to_string(),
    }
}

/// `org|location|dialect|epoch|mac`: the key FreeRADIUS keeps an answer under.
pub fn key_text(answer: &CachedAnswer) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        answer.org_id, answer.location_id, answer.dialect, answer.epoch, answer.mac
    )
}

/// The class and MAC a key names, if it is one [`key_text`] writes.
pub fn parse_key(key: &str) -> Option<(NasClass, Mac)> {
    let mut parts = key.split('|');
    let (org_id, location_id, dialect, epoch, mac) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if parts.next().is_some() {
        return None;
    }
    let dialect: NasDialect =
        serde_json::from_value(serde_json::Value::String(dialect.to_owned())).ok()?;
    let mac: Mac = mac.parse().ok()?;
    let class = NasClass {
        org_id: org_id.to_owned(),
        location_id: location_id.to_owned(),
        dialect,
        epoch: epoch.to_owned(),
    };
    // Only the canonical spelling: one answer has one key.
    (class_text(&class).is_some() && key == key_text(&cached_answer(&class, &mac)))
        .then_some((class, mac))
}

/// What to fetch again.
#[derive(Debug)]
pub(crate) enum Job {
    Answers(Vec<CachedAnswer>),
    Member {
        org_id: String,
        user_id: String,
    },
    Organization {
        org_id: String,
    },
    /// Every answer, into every FreeRADIUS or into one (its index in the settings).
    Everything {
        only: Option<usize>,
    },
    /// The jobs of events delivered together.
    Several(Vec<Job>),
}

/// The handle the service's parts use to have answers fetched again.
#[derive(Clone, Debug)]
pub struct AnswerCache {
    jobs: mpsc::Sender<Job>,
}

/// Jobs waiting for the planner: beyond this, a warm-up is dropped (the next Accept through
/// HTTP asks again) and an event's job waits (the consumer slows down).
const JOBS_QUEUED: usize = 4096;

impl AnswerCache {
    /// After an Accept through HTTP: FreeRADIUS fetches that answer to keep it.
    pub fn warm(&self, class: &NasClass, mac: &Mac) {
        if class_text(class).is_some() {
            let job = Job::Answers(vec![cached_answer(class, mac)]);
            if self.jobs.try_send(job).is_err() {
                tracing::debug!("answer cache: queue full, a warm-up skipped");
            }
        }
    }

    pub(crate) async fn send(&self, job: Job) {
        if self.jobs.send(job).await.is_err() {
            tracing::error!("answer cache: the planner has stopped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class() -> NasClass {
        NasClass {
            org_id: "6267".into(),
            location_id: "3390".into(),
            dialect: NasDialect::Cisco,
            epoch: "482eb9c34a37".into(),
        }
    }

    #[test]
    fn a_key_names_its_class_and_mac_and_reads_back_only_in_its_one_spelling() {
        let mac: Mac = "02:42:AC:11:00:02".parse().expect("mac");
        let key = key_text(&cached_answer(&class(), &mac));
        assert_eq!(key, "6267|3390|cisco|482eb9c34a37|0242ac110002");
        assert_eq!(parse_key(&key), Some((class(), mac)));
        assert_eq!(
            class_text(&class()).as_deref(),
            Some("6267|3390|cisco|482eb9c34a37")
        );
        for other in [
            "6267|3390|cisco|482eb9c34a37|02-42-AC-11-00-02",
            "6267|3390|cisco|482eb9c34a37|0242ac110002|x",
            "6267|3390|juniper|482eb9c34a37|0242ac110002",
            "6267|3390|cisco|0242ac110002",
            "|3390|cisco|482eb9c34a37|0242ac110002",
            SENTINEL,
        ] {
            assert_eq!(parse_key(other), None, "{other}");
        }
    }

    #[test]
    fn ids_that_cannot_be_written_unambiguously_are_not_cached() {
        for location_id in ["a|b", "a%{x}", "", &"9".repeat(65)] {
            let class = NasClass {
                location_id: location_id.into(),
                ..class()
            };
            assert_eq!(class_text(&class), None, "{location_id}");
        }
    }
}
