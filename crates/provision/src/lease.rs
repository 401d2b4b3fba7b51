//! Which provision instance does what when several run (scale-out).
//!
//! Leases are PostgreSQL session advisory locks held on one dedicated connection per instance,
//! so they end the moment the process (or its connection) dies, and another instance takes
//! them on its next check, within about a second:
//! - the **leader** lease: the relay (events published once, in log order) and the
//!   grant-expiry scheduler run only in the instance holding it;
//! - a lease per **partition** of the organizations (`provision.partitions`, a stable hash of
//!   the organization id): only its holder works the organization's webhooks and syncs, so an
//!   organization's Optix token is spent by one instance at a time. The live instances (each
//!   holds a membership lock, counted in `pg_locks`) share the partitions evenly: an instance
//!   holding more than its share hands the excess back once the batches in hand are done.
//!
//! Optimistic concurrency on the event log stays the last line of defence (an instance cut
//! from PostgreSQL may finish a batch after its lease went to another).

use deadpool_postgres::tokio_postgres::Error as PgError;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// How often an instance checks its leases and takes free ones.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);
/// The advisory lock classes (the first key of `pg_advisory_lock(int, int)`), Lanyard's own.
const MEMBER_CLASS: i32 = 0x4C59_0001;
const LEADER_CLASS: i32 = 0x4C59_0002;
const PARTITION_CLASS: i32 = 0x4C59_0003;

/// The leases this instance holds, shared by the tasks that ask whether to act.
#[derive(Clone)]
pub struct Leases {
    partitions: u32,
    state: Arc<Mutex<State>>,
    /// True once the keeper checked its leases since it started.
    checked: Arc<watch::Sender<bool>>,
}

#[derive(Debug, Default)]
struct State {
    leader: bool,
    held: BTreeSet<u32>,
    /// Held partitions being handed back: no new batch starts on them.
    releasing: BTreeSet<u32>,
    /// Batches in hand per partition.
    in_flight: HashMap<u32, usize>,
}

/// A batch of an organization in hand: its partition is not handed back until it is dropped.
pub struct Working {
    leases: Leases,
    partition: u32,
}

impl Drop for Working {
    fn drop(&mut self) {
        let mut state = self.leases.state();
        if let Some(count) = state.in_flight.get_mut(&self.partition) {
            *count = count.saturating_sub(1);
        }
    }
}

impl Leases {
    pub fn new(partitions: u32) -> Leases {
        Leases {
            partitions: partitions.max(1),
            state: Arc::default(),
            checked: Arc::new(watch::Sender::new(false)),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned state is still a set of numbers; the next check corrects it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The organization's partition: FNV-1a of its id, stable across instances and versions.
    pub fn partition_of(&self, org_id: &str) -> u32 {
        let hash = org_id.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
            (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
        });
        hash % self.partitions
    }

    /// This instance works `org_id` now (its partition's lease is held and not being handed
    /// back).
    pub fn holds_org(&self, org_id: &str) -> bool {
        let partition = self.partition_of(org_id);
        let state = self.state();
        state.held.contains(&partition) && !state.releasing.contains(&partition)
    }

    /// Starts a batch of `org_id` if this instance works it; the partition stays held until
    /// the guard is dropped.
    pub fn working(&self, org_id: &str) -> Option<Working> {
        let partition = self.partition_of(org_id);
        let mut state = self.state();
        if !state.held.contains(&partition) || state.releasing.contains(&partition) {
            return None;
        }
        *state.in_flight.entry(partition).or_default() += 1;
        Some(Working {
            leases: self.clone(),
            partition,
        })
    }

    /// This instance is the leader (runs the relay and the grant-expiry scheduler).
    pub fn is_leader(&self) -> bool {
        self.state().leader
    }

    /// The partitions held now (metrics, tests).
    pub fn held_partitions(&self) -> Vec<u32> {
        self.state().held.iter().copied().collect()
    }

    /// Waits (at most `patience`) until the leases were checked once: what this instance holds
    /// at start is known.
    /// Told, not polled: polling every 20 ms held provision's first pull after a start up to
    /// 20 ms past the check.
    pub async fn first_check(&self, patience: Duration) {
        let mut checked = self.checked.subscribe();
        let _ = tokio::time::timeout(patience, checked.wait_for(|checked| *checked)).await;
    }

    fn lose_all(&self) {
        let mut state = self.state();
        if state.leader || !state.held.is_empty() {
            tracing::warn!("lease connection lost: leadership and partitions given up");
        }
        state.leader = false;
        state.held.clear();
        state.releasing.clear();
    }

    /// Keeps this instance's leases until `stop`: checks them every [`CHECK_EVERY`] on a
    /// connection of its own (taken out of `pool`), takes free ones, hands back the excess.
    /// At `stop` it waits for the batches in hand (30 s at most), then lets everything go.
    pub async fn keep(self, pool: deadpool_postgres::Pool, mut stop: watch::Receiver<bool>) {
        let mut session: Option<Session> = None;
        while !*stop.borrow() {
            if let Err(error) = self.check(&pool, &mut session).await {
                tracing::warn!(%error, "checking provision's leases failed; reconnecting");
                session = None;
                self.lose_all();
            }
            self.checked.send_replace(true);
            let _ = tokio::time::timeout(CHECK_EVERY, stop.changed()).await;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.state().in_flight.values().any(|count| *count > 0)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.lose_all();
        // Dropping the connection releases every lock at once.
        drop(session);
    }

    async fn check(
        &self,
        pool: &deadpool_postgres::Pool,
        session: &mut Option<Session>,
    ) -> anyhow::Result<()> {
        let session = match session {
            Some(session) => session,
            None => session.insert(Session::open(pool).await?),
        };
        let members = session.members().await?;
        if !self.is_leader() && session.try_lock(LEADER_CLASS, 0).await? {
            tracing::info!("this instance is now the leader (relay, grant expiry)");
            self.state().leader = true;
        }
        let share = self.partitions.div_ceil(members.max(1));
        self.hand_back_excess(session, share as usize).await?;
        self.take_free(session, share as usize).await
    }

    /// Marks partitions beyond `share` as being handed back, and unlocks those with no batch
    /// in hand.
    async fn hand_back_excess(&self, session: &Session, share: usize) -> anyhow::Result<()> {
        let done: Vec<u32> = {
            let mut state = self.state();
            let excess = state.held.len().saturating_sub(share);
            let more = excess.saturating_sub(state.releasing.len());
            let candidates: Vec<u32> = state
                .held
                .iter()
                .rev()
                .filter(|p| !state.releasing.contains(p))
                .take(more)
                .copied()
                .collect();
            state.releasing.extend(candidates);
            state
                .releasing
                .iter()
                .filter(|p| state.in_flight.get(p).copied().unwrap_or(0) == 0)
                .copied()
                .collect()
        };
        for partition in done {
            session.unlock(PARTITION_CLASS, partition).await?;
            let mut state = self.state();
            state.held.remove(&partition);
            state.releasing.remove(&partition);
            tracing::info!(partition, "partition handed back to another instance");
        }
        Ok(())
    }

    /// Takes free partitions until this instance holds `share`, starting at its own offset so
    /// instances starting together do not all try the same ones.
    async fn take_free(&self, session: &Session, share: usize) -> anyhow::Result<()> {
        let start = session.offset % self.partitions;
        for step in 0..self.partitions {
            let partition = (start + step) % self.partitions;
            {
                let state = self.state();
                if state.held.len() >= share {
                    return Ok(());
                }
                if state.held.contains(&partition) {
                    continue;
                }
            }
            if session.try_lock(PARTITION_CLASS, partition).await? {
                self.state().held.insert(partition);
                tracing::info!(partition, "partition taken");
            }
        }
        Ok(())
    }
}

/// The dedicated connection the locks live on (outside the pool: the locks must not leak to
/// another user of a pooled connection).
struct Session {
    client: deadpool_postgres::ClientWrapper,
    offset: u32,
}

impl Session {
    async fn open(pool: &deadpool_postgres::Pool) -> anyhow::Result<Session> {
        let client = deadpool_postgres::Object::take(pool.get().await?);
        // Membership: one lock per live instance, under a random key (a clash, most unlikely,
        // fails this check and the next one draws another).
        let key = (uuid::Uuid::new_v4().as_u128() as u32) & 0x7fff_ffff;
        let session = Session {
            client,
            offset: key,
        };
        anyhow::ensure!(
            session.try_lock(MEMBER_CLASS, key).await?,
            "membership key {key} taken"
        );
        Ok(session)
    }

    async fn try_lock(&self, class: i32, key: u32) -> Result<bool, PgError> {
        self.advisory("SELECT pg_try_advisory_lock($1, $2)", class, key)
            .await
    }

    async fn unlock(&self, class: i32, key: u32) -> Result<bool, PgError> {
        self.advisory("SELECT pg_advisory_unlock($1, $2)", class, key)
            .await
    }

    /// One advisory-lock function on (`class`, `key`), answering whether it did it.
    async fn advisory(&self, statement: &str, class: i32, key: u32) -> Result<bool, PgError> {
        let key = i32::try_from(key).unwrap_or(i32::MAX);
        // Through the connection's statement cache: one round trip, not two, every check.
        let statement = self.client.prepare_cached(statement).await?;
        self.client
            .query_one(&statement, &[&class, &key])
            .await?
            .try_get(0)
    }

    /// The live provision instances: the membership locks held in this database.
    async fn members(&self) -> Result<u32, PgError> {
        let statement = self
            .client
            .prepare_cached(
                "SELECT count(*) FROM pg_locks \
                 WHERE locktype = 'advisory' AND granted AND objsubid = 2 \
                   AND classid::bigint = $1::bigint \
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .await?;
        let count: i64 = self
            .client
            .query_one(&statement, &[&i64::from(MEMBER_CLASS)])
            .await?
            .try_get(0)?;
        Ok(u32::try_from(count).unwrap_or(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_s_partition_is_stable_and_spreads_over_all_of_them() {
        let leases = Leases::new(16);
        // FNV-1a: the same on every instance and in every version (a rolling upgrade mixes them).
        assert_eq!(leases.partition_of("6267"), 6);
        assert_eq!(leases.partition_of("officernd_abc"), 12);
        let used: BTreeSet<u32> = (0..1000)
            .map(|org| leases.partition_of(&org.to_string()))
            .collect();
        assert_eq!(used.len(), 16);
        assert_eq!(
            Leases::new(0).partition_of("6267"),
            0,
            "at least one partition"
        );
    }

    /// On the paused clock: the wait ends when the keeper says it checked (polling every
    /// 20 ms ended it at 20 ms), at once once it has, and after the patience when it never does.
    #[tokio::test(start_paused = true)]
    async fn the_first_check_is_waited_for_until_the_keeper_tells_it() {
        let leases = Leases::new(4);
        let keeper = leases.clone();
        let started = tokio::time::Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            keeper.checked.send_replace(true);
        });
        leases.first_check(Duration::from_secs(10)).await;
        assert_eq!(started.elapsed(), Duration::from_millis(5));
        leases.first_check(Duration::from_secs(10)).await;
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(5),
            "checked: at once"
        );

        let unchecked = Leases::new(4);
        let started = tokio::time::Instant::now();
        unchecked.first_check(Duration::from_secs(3)).await;
        assert_eq!(
            started.elapsed(),
            Duration::from_secs(3),
            "the patience bounds it"
        );
    }

    #[test]
    fn a_batch_in_hand_keeps_its_partition_until_it_is_done() {
        let leases = Leases::new(16);
        assert!(leases.working("6267").is_none(), "not held: not worked");
        leases.state().held.insert(6);
        let working = leases.working("6267").expect("held");
        assert!(leases.holds_org("6267"));
        // Being handed back: no new batch starts, the one in hand still counts.
        leases.state().releasing.insert(6);
        assert!(!leases.holds_org("6267"));
        assert!(leases.working("6267").is_none());
        assert_eq!(leases.state().in_flight.get(&6), Some(&1));
        drop(working);
        assert_eq!(leases.state().in_flight.get(&6), Some(&0));
    }
}
