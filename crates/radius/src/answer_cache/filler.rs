//! Lanyard → FreeRADIUS: a CoA-Request (RFC 5176, signed with FreeRADIUS's token) naming each
//! key FreeRADIUS must fetch again from `GET /freeradius/answer`, to each FreeRADIUS that
//! caches answers (`radius.freeradius_answer_caches`).
//!
//! - The planner turns jobs (a member, an organization, everything) into keys from
//!   `radius_cached_answers` and the current devices and NAS classes, coalescing what arrives
//!   together.
//! - One worker per FreeRADIUS sends them, [`FETCHES_AT_ONCE`] at a time. A key is never in
//!   flight twice; a key asked for while in flight is sent again when that fetch ends, so the
//!   last fetch of a key starts after the last change to it. A NAK (FreeRADIUS could not
//!   fetch: Lanyard's endpoint failed) is retried after [`RETRY_AFTER`]; no answer at all means
//!   FreeRADIUS is down, and its memory with it: the probe fetches everything when it is back.
//! - The probe asks every [`PROBE_EVERY`] whether FreeRADIUS still holds the sentinel; a NAK
//!   says its memory was emptied (it restarted), and every answer is fetched again.

use super::{AnswerCache, Job, SENTINEL, key_text};
use crate::disconnect::packet::{Answer, encode_coa_request};
use crate::disconnect::sender::{DisconnectTarget, RetryPolicy, event_timestamp, send_request};
use crate::metrics;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::Duration;
use store::radius_cached_answers::{self, CachedAnswer, RefreshScope};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Fetches in flight per FreeRADIUS.
pub const FETCHES_AT_ONCE: usize = 32;
/// When a NAKed fetch is sent again.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);
/// How often each FreeRADIUS is asked whether it still holds its answers.
pub const PROBE_EVERY: Duration = Duration::from_secs(5);
/// Keys waiting per FreeRADIUS: more than every device of a large deployment times its NAS
/// classes; beyond it a key is dropped and counted (the next probe or event brings it back).
const MAX_WAITING: usize = 4_000_000;
/// Members whose keys one statement reads.
const MEMBERS_A_STATEMENT: usize = 1000;
/// A CoA-Request is answered by FreeRADIUS after one HTTP round trip to Lanyard.
const FETCH_POLICY: RetryPolicy = RetryPolicy {
    tries: 3,
    first_wait: Duration::from_millis(500),
};

/// Starts the planner, and a worker and a probe per FreeRADIUS in `caches`; everything is
/// fetched once at start (what FreeRADIUS kept while this service was down may be stale).
pub fn start(pool: deadpool_postgres::Pool, caches: Vec<DisconnectTarget>) -> AnswerCache {
    let (jobs, planned) = mpsc::channel(super::JOBS_QUEUED);
    let cache = AnswerCache { jobs };
    let mut workers = Vec::new();
    for (index, target) in caches.into_iter().enumerate() {
        let (keys, waiting) = mpsc::unbounded_channel();
        workers.push(keys);
        tokio::spawn(fetch_all(target.clone(), waiting));
        tokio::spawn(probe(target, index, cache.clone()));
    }
    tokio::spawn(plan(pool, planned, workers));
    let start = cache.clone();
    tokio::spawn(async move { start.send(Job::Everything { only: None }).await });
    cache
}

/// What the planner gathered from the jobs queued together.
#[derive(Default)]
struct Plan {
    answers: Vec<CachedAnswer>,
    members: HashSet<(String, String)>,
    organizations: HashSet<String>,
    everything: bool,
    /// FreeRADIUSes that get everything (empty with `everything`: all of them).
    only: HashSet<usize>,
}

impl Plan {
    fn add(&mut self, job: Job) {
        match job {
            Job::Answers(answers) => self.answers.extend(answers),
            Job::Member { org_id, user_id } => {
                self.members.insert((org_id, user_id));
            }
            Job::Organization { org_id } => {
                self.organizations.insert(org_id);
            }
            Job::Everything { only: None } => self.everything = true,
            Job::Everything { only: Some(index) } => {
                self.only.insert(index);
            }
            Job::Several(jobs) => jobs.into_iter().for_each(|job| self.add(job)),
        }
    }
}

async fn plan(
    pool: deadpool_postgres::Pool,
    mut jobs: mpsc::Receiver<Job>,
    workers: Vec<mpsc::UnboundedSender<Vec<CachedAnswer>>>,
) {
    while let Some(job) = jobs.recv().await {
        let mut plan = Plan::default();
        plan.add(job);
        while let Ok(job) = jobs.try_recv() {
            plan.add(job);
        }
        let mut backoff = Duration::from_millis(200);
        loop {
            match keys_of(&pool, &plan).await {
                Ok((for_all, everything)) => {
                    dispatch(&workers, &plan, for_all, everything);
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, "answer cache: reading what to fetch failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

/// The keys for every FreeRADIUS, and (when some get everything) every key.
async fn keys_of(
    pool: &deadpool_postgres::Pool,
    plan: &Plan,
) -> Result<(Vec<CachedAnswer>, Option<Vec<CachedAnswer>>), store::StoreError> {
    let client = pool.get().await?;
    if plan.everything {
        metrics::cache_refill();
        let all = radius_cached_answers::to_refresh(&client, RefreshScope::Everyone).await?;
        return Ok((all, None));
    }
    let mut keys = plan.answers.clone();
    for org_id in &plan.organizations {
        keys.extend(
            radius_cached_answers::to_refresh(&client, RefreshScope::Organization(org_id)).await?,
        );
    }
    // The members of each organization in one statement: a burst of changes arrives as
    // thousands of member jobs a plan (one statement each took a round trip per event).
    let mut members: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (org_id, user_id) in &plan.members {
        if !plan.organizations.contains(org_id) {
            members.entry(org_id).or_default().push(user_id);
        }
    }
    for (org_id, user_ids) in &members {
        for user_ids in user_ids.chunks(MEMBERS_A_STATEMENT) {
            let scope = RefreshScope::Members { org_id, user_ids };
            keys.extend(radius_cached_answers::to_refresh(&client, scope).await?);
        }
    }
    let everything = if plan.only.is_empty() {
        None
    } else {
        metrics::cache_refill();
        Some(radius_cached_answers::to_refresh(&client, RefreshScope::Everyone).await?)
    };
    Ok((keys, everything))
}

fn dispatch(
    workers: &[mpsc::UnboundedSender<Vec<CachedAnswer>>],
    plan: &Plan,
    for_all: Vec<CachedAnswer>,
    everything: Option<Vec<CachedAnswer>>,
) {
    for (index, worker) in workers.iter().enumerate() {
        let mut keys = for_all.clone();
        if let Some(all) = &everything
            && plan.only.contains(&index)
        {
            keys.extend(all.iter().cloned());
        }
        if !keys.is_empty() && worker.send(keys).is_err() {
            tracing::error!(index, "answer cache: a FreeRADIUS's worker has stopped");
        }
    }
}

/// The keys waiting for one FreeRADIUS and those in flight.
#[derive(Default)]
struct Waiting {
    order: VecDeque<CachedAnswer>,
    queued: HashSet<CachedAnswer>,
    in_flight: HashSet<CachedAnswer>,
    again: HashSet<CachedAnswer>,
}

impl Waiting {
    fn add(&mut self, key: CachedAnswer) {
        if self.in_flight.contains(&key) {
            self.again.insert(key);
        } else if self.queued.len() >= MAX_WAITING {
            tracing::error!("answer cache: too many keys waiting; one dropped");
            metrics::cache_fetch("dropped");
        } else if self.queued.insert(key.clone()) {
            self.order.push_back(key);
        }
    }

    fn next(&mut self) -> Option<CachedAnswer> {
        let key = self.order.pop_front()?;
        self.queued.remove(&key);
        self.in_flight.insert(key.clone());
        Some(key)
    }

    fn done(&mut self, key: CachedAnswer) {
        self.in_flight.remove(&key);
        if self.again.remove(&key) {
            self.add(key);
        }
    }
}

/// One FreeRADIUS's worker: sends the keys it is given until the planner stops.
async fn fetch_all(target: DisconnectTarget, mut keys: mpsc::UnboundedReceiver<Vec<CachedAnswer>>) {
    let mut waiting = Waiting::default();
    let mut fetches = JoinSet::new();
    let mut nacked: Vec<CachedAnswer> = Vec::new();
    loop {
        while fetches.len() < FETCHES_AT_ONCE
            && let Some(key) = waiting.next()
        {
            let target = target.clone();
            fetches.spawn(async move {
                let retry = fetch(&target, &key_text(&key)).await == Fetched::Retry;
                (key, retry)
            });
        }
        tokio::select! {
            batch = keys.recv() => match batch {
                Some(batch) => batch.into_iter().for_each(|key| waiting.add(key)),
                None => return,
            },
            Some(done) = fetches.join_next(), if !fetches.is_empty() => {
                if let Ok((key, retry)) = done {
                    if retry {
                        nacked.push(key.clone());
                    }
                    waiting.done(key);
                }
            },
            () = tokio::time::sleep(RETRY_AFTER), if !nacked.is_empty() => {
                nacked.drain(..).for_each(|key| waiting.add(key));
            },
        }
    }
}

/// How a fetch ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fetched {
    Done,
    Retry,
    Down,
}

/// Has FreeRADIUS fetch `key` again (or, for the sentinel, say whether it still had it).
async fn fetch(target: &DisconnectTarget, key: &str) -> Fetched {
    let request = match encode_coa_request(rand::random(), key, event_timestamp(), &target.secret) {
        Ok(request) => request,
        Err(error) => {
            tracing::error!(%error, "answer cache: the CoA-Request cannot be encoded");
            return Fetched::Done;
        }
    };
    match send_request(target, &request, FETCH_POLICY).await {
        Ok(exchange) => match exchange.answer {
            Answer::Acked => {
                metrics::cache_fetch("acked");
                Fetched::Done
            }
            Answer::Nacked { .. } => {
                metrics::cache_fetch("nacked");
                Fetched::Retry
            }
            Answer::NoAnswer => {
                metrics::cache_fetch("no_answer");
                Fetched::Down
            }
        },
        Err(error) => {
            tracing::warn!(%error, freeradius = %target.address, "answer cache: sending failed");
            metrics::cache_fetch("no_answer");
            Fetched::Down
        }
    }
}

/// Asks FreeRADIUS `index` every [`PROBE_EVERY`] whether it still holds the sentinel; when it
/// did not (it restarted, or never had it), has every answer fetched into it.
async fn probe(target: DisconnectTarget, index: usize, cache: AnswerCache) {
    let mut every = tokio::time::interval(PROBE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if fetch(&target, SENTINEL).await == Fetched::Retry {
            tracing::info!(freeradius = %target.address, "answer cache: FreeRADIUS had lost its answers; fetching every answer again");
            cache.send(Job::Everything { only: Some(index) }).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(mac: &str) -> CachedAnswer {
        CachedAnswer {
            org_id: "6267".into(),
            location_id: "3390".into(),
            dialect: "cisco".into(),
            epoch: "e".into(),
            mac: mac.into(),
        }
    }

    #[test]
    fn a_key_waits_once_and_one_changed_in_flight_is_fetched_again_after() {
        let mut waiting = Waiting::default();
        waiting.add(key("a"));
        waiting.add(key("a"));
        waiting.add(key("b"));
        assert_eq!(waiting.next(), Some(key("a")));
        // Changed while its fetch runs: not sent twice at once, but sent again after.
        waiting.add(key("a"));
        assert_eq!(waiting.next(), Some(key("b")));
        assert_eq!(waiting.next(), None);
        waiting.done(key("a"));
        assert_eq!(waiting.next(), Some(key("a")));
        waiting.done(key("a"));
        waiting.done(key("b"));
        assert_eq!(waiting.next(), None);
    }
}
