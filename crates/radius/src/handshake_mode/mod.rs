//! Handshake mode (issue 17): no device registration. An access point forwards message 2 of
//! the WPA2 4-way handshake in its Access-Request (hostapd ≥ 2.11 `wpa_psk_radius=3`, Ruckus
//! external DPSK, Cisco 9800 Easy-PSK), and Lanyard finds which live key of that location and
//! SSID produced its MIC (`answer`).
//!
//! The keys are PMKs held in memory per (organization, location, SSID) (`handshake_keys`):
//! built when the service starts, then kept exact by following the domain events (the durable
//! consumer `radius-handshake-keys`): a member's event reloads that member, a change of a
//! location, team, NAS or plan mapping reloads the organization. PBKDF2 never runs on the
//! request path, and a PMK is computed once per sealed passphrase and SSID, then stored sealed
//! with the member's data key (`handshake_pmks`), so a restart reads them back.
//!
//! Nothing kept in memory decides access: a match is only *whose* key it is. The request then
//! reads that member (one query) and judges their grant at this NAS now, and checks the matched
//! key is still their passphrase, so a key revoked or rotated a moment ago is refused even
//! while the follower has not caught up.

pub(crate) mod answer;

use crate::events::{self, Affected, Following, HandleEvent, PublishedEvent};
use crate::handshake_keys::{self, HandshakeKeys, LoadError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// The handshake keys in memory and what searches them.
pub struct HandshakeMemory {
    keys: RwLock<HandshakeKeys>,
    /// False until the keys of every organization with a NAS are built: until then handshake
    /// requests get no answer (the NAS tries again), never a wrong Reject.
    ready: AtomicBool,
    /// Searches at once: each uses every core (rayon), so more would only queue there while
    /// holding a blocking thread.
    searches: tokio::sync::Semaphore,
    pool: deadpool_postgres::Pool,
    key_ring: Arc<secrets::KeyRing>,
}

impl HandshakeMemory {
    pub fn new(
        pool: deadpool_postgres::Pool,
        key_ring: Arc<secrets::KeyRing>,
        max_keys: usize,
    ) -> Arc<HandshakeMemory> {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Arc::new(HandshakeMemory {
            keys: RwLock::new(HandshakeKeys::new(max_keys)),
            ready: AtomicBool::new(false),
            searches: tokio::sync::Semaphore::new(cores),
            pool,
            key_ring,
        })
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The keys, for reading; a poisoned lock (a panic while writing) is still readable: every
    /// write leaves the sets consistent before it can panic.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HandshakeKeys> {
        self.keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HandshakeKeys> {
        self.keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reloads `user_id`'s keys (every member's of `org_id` when None) from the read models.
    pub async fn reload(&self, org_id: &str, user_id: Option<&str>) -> Result<(), LoadError> {
        let known =
            |user: &str, sealed: &_, place: &_| self.read().known_pmk(org_id, user, sealed, place);
        let members =
            handshake_keys::load(&self.pool, &self.key_ring, org_id, user_id, known).await?;
        let refused = {
            let mut keys = self.write();
            let refused = match user_id {
                None => keys.replace_organization(org_id, members),
                // No passphrase any more (or no member): no key anywhere.
                Some(user_id) => match members.into_iter().next() {
                    Some(member) => keys
                        .replace(member)
                        .err()
                        .map(|error| (user_id.to_owned(), error))
                        .into_iter()
                        .collect(),
                    None => {
                        keys.remove(org_id, user_id);
                        Vec::new()
                    }
                },
            };
            crate::metrics::handshake_keys(keys.len(), refused.len());
            refused
        };
        for (user_id, error) in refused {
            tracing::error!(org_id, user_id, %error, "handshake keys: the member has no key");
        }
        Ok(())
    }

    /// Builds the keys of every organization with a registered NAS, then follows the events
    /// (from `following.since`, so nothing committed while building is missed).
    pub async fn run(self: Arc<Self>, following: Following) {
        let started = std::time::Instant::now();
        let mut backoff = std::time::Duration::from_millis(500);
        loop {
            match self.build().await {
                Ok(organizations) => {
                    tracing::info!(
                        organizations,
                        keys = self.read().len(),
                        took_ms = started.elapsed().as_millis() as u64,
                        "handshake keys built"
                    );
                    break;
                }
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), "building the handshake keys failed; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(std::time::Duration::from_secs(10));
                }
            }
        }
        self.ready.store(true, Ordering::Release);
        following.run(KeysFollower(self)).await;
    }

    async fn build(&self) -> anyhow::Result<usize> {
        let client = self.pool.get().await?;
        let organizations = crate::lookup::organizations_with_nases(&client).await?;
        drop(client);
        for org_id in &organizations {
            self.reload(org_id, None).await?;
        }
        Ok(organizations.len())
    }
}

/// The events follower that keeps the keys exact.
struct KeysFollower(Arc<HandshakeMemory>);

impl HandleEvent for KeysFollower {
    async fn handle(&self, published: &PublishedEvent) -> anyhow::Result<()> {
        match events::affected(published) {
            Some(Affected::Member { org_id, user_id }) => {
                self.0.reload(&org_id, Some(&user_id)).await?;
            }
            Some(Affected::Organization { org_id }) => self.0.reload(&org_id, None).await?,
            None => {}
        }
        Ok(())
    }
}

/// What the keys follower follows: every event (a NAS's SSIDs and a location's mapping matter
/// as much as a member's passphrase), through this instance's own consumer (`instance`).
pub fn following(bus: bus::Bus, since: time::OffsetDateTime, instance: &str) -> Following {
    Following {
        bus,
        consumer: bus::instance_consumer(bus::HANDSHAKE_KEYS_CONSUMER, instance),
        per_instance: true,
        subjects: bus::EVENT_SUBJECTS,
        since,
        at_once: 1,
        purpose: "handshake keys",
    }
}
