//! Handshake mode (issue 17): no device registration. An access point forwards message 2 of
//! the WPA2 4-way handshake in its Access-Request (hostapd ≥ 2.11 `wpa_psk_radius=3`, Ruckus
//! external DPSK, Cisco 9800 Easy-PSK), and Lanyard finds which live key of that location and
//! SSID produced its MIC (`answer`).
//!
//! The keys are PMKs held in memory per (organization, location, SSID) (`handshake_keys`):
//! built when the service starts, then kept exact by following the domain events (through the
//! instance's consumer, `instance_events`): a member's event reloads that member, a change of
//! a location, team, NAS or plan mapping reloads the organization; the events delivered
//! together are handled together, each organization reloaded once for all the members they
//! name (an import's events followed in 5-7 s instead of 17-21); a renewed grant of a member's
//! keys reloads nobody (`leaves_keys_as_they_are`). The events that come while the keys are
//! being built are reloaded once the build is done, so none is lost to it. PBKDF2 never runs on the
//! request path, and a PMK is computed once per sealed passphrase and SSID, then stored sealed
//! with the member's data key (`handshake_pmks`), so a restart reads them back.
//!
//! Nothing kept in memory decides access: a match is only *whose* key it is. The request then
//! reads that member (one query) and judges their grant at this NAS now, and checks the matched
//! key is still their passphrase, so a key revoked or rotated a moment ago is refused even
//! while the follower has not caught up.

pub(crate) mod answer;

use crate::events::{self, Affected, PublishedEvent};
use crate::handshake_keys::{self, HandshakeKeys, LoadError};
use domain::{Event, StreamId};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// The handshake keys in memory and what searches them.
pub struct HandshakeMemory {
    keys: RwLock<HandshakeKeys>,
    /// False until the keys of every organization with a NAS are built: until then handshake
    /// requests get no answer (the NAS tries again), never a wrong Reject.
    ready: AtomicBool,
    /// While the keys are being built (`Some`): the reloads the events asked for meanwhile,
    /// done once the build is (an event may commit after the build read its organization).
    building: Mutex<Option<Vec<Reload>>>,
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
            building: Mutex::new(Some(Vec::new())),
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

    /// Reloads the keys of `members` (every member's of `org_id` when None) from the read
    /// models; one of `members` without a passphrase (or gone) is left with no key.
    pub async fn reload(&self, org_id: &str, members: Option<&[&str]>) -> Result<(), LoadError> {
        let known =
            |user: &str, sealed: &_, place: &_| self.read().known_pmk(org_id, user, sealed, place);
        let loaded =
            handshake_keys::load(&self.pool, &self.key_ring, org_id, members, known).await?;
        let refused = {
            let mut keys = self.write();
            let refused = match members {
                None => keys.replace_organization(org_id, loaded),
                Some(members) => {
                    let mut loaded: HashMap<String, handshake_keys::MemberKeys> = loaded
                        .into_iter()
                        .map(|member| (member.user_id().to_owned(), member))
                        .collect();
                    let mut refused = Vec::new();
                    for &user_id in members {
                        match loaded.remove(user_id) {
                            Some(member) => {
                                if let Err(error) = keys.replace(member) {
                                    refused.push((user_id.to_owned(), error));
                                }
                            }
                            // No passphrase any more (or no member): no key anywhere.
                            None => keys.remove(org_id, user_id),
                        }
                    }
                    refused
                }
            };
            crate::metrics::handshake_keys(keys.len(), refused.len());
            refused
        };
        for (user_id, error) in refused {
            tracing::error!(org_id, user_id, %error, "handshake keys: the member has no key");
        }
        Ok(())
    }

    /// Builds the keys of every organization with a NAS (retrying until it can), then does
    /// the reloads the events asked for meanwhile, and from then on answers handshakes. The
    /// events are followed from the service's start all along ([`HandshakeMemory::follow`]).
    pub async fn build_keys(self: Arc<Self>) {
        let started = std::time::Instant::now();
        let mut backoff = std::time::Duration::from_millis(500);
        loop {
            match self.build_and_catch_up().await {
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
    }

    /// The build, then the reloads the events asked for while it ran, until none is left
    /// (from then on the follower reloads at once). After a failure the events' reloads keep
    /// waiting, those in hand with them, for the next build.
    async fn build_and_catch_up(&self) -> anyhow::Result<usize> {
        let organizations = self.build().await?;
        loop {
            let pending = {
                let mut building = self.building_lock();
                match building.as_mut() {
                    Some(pending) if !pending.is_empty() => std::mem::take(pending),
                    _ => {
                        *building = None;
                        return Ok(organizations);
                    }
                }
            };
            if let Err(error) = self.apply(pending.clone()).await {
                if let Some(waiting) = self.building_lock().as_mut() {
                    merge_reloads(waiting, pending);
                }
                return Err(error.into());
            }
        }
    }

    fn building_lock(&self) -> std::sync::MutexGuard<'_, Option<Vec<Reload>>> {
        self.building
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps the keys exact after `events` (delivered together): each organization reloaded
    /// once, whole when one of its events changes everyone's keys, else only the members the
    /// events name (one set of queries for all of them, instead of three queries per event).
    /// While the keys are being built, the reloads wait for the build.
    pub async fn follow(&self, events: &[PublishedEvent]) -> Result<(), LoadError> {
        let reloads = {
            let keys = self.read();
            reloads(events, |published| {
                leaves_keys_as_they_are(&keys, published)
            })
        };
        if let Some(pending) = self.building_lock().as_mut() {
            merge_reloads(pending, reloads);
            return Ok(());
        }
        self.apply(reloads).await
    }

    async fn apply(&self, reloads: Vec<Reload>) -> Result<(), LoadError> {
        for (org_id, members) in reloads {
            match members {
                None => self.reload(&org_id, None).await?,
                Some(members) => {
                    let members: Vec<&str> = members.iter().map(String::as_str).collect();
                    self.reload(&org_id, Some(&members)).await?;
                }
            }
        }
        Ok(())
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

/// An organization to reload: every member (`None`), or the members named.
type Reload = (String, Option<BTreeSet<String>>);

/// More members of one organization than this waiting for the build reload it whole: the
/// list stays bounded however long the build takes.
const MAX_PENDING_MEMBERS: usize = 10_000;

/// Adds `more` to the reloads waiting for the build, each organization once.
fn merge_reloads(pending: &mut Vec<Reload>, more: Vec<Reload>) {
    for (org_id, members) in more {
        let Some(at) = pending.iter().position(|(org, _)| *org == org_id) else {
            pending.push((org_id, members));
            continue;
        };
        let merged = match (pending[at].1.take(), members) {
            (Some(mut waiting), Some(members)) => {
                waiting.extend(members);
                (waiting.len() <= MAX_PENDING_MEMBERS).then_some(waiting)
            }
            _ => None,
        };
        pending[at].1 = merged;
    }
}

/// An `AccessGranted` of a grant the member's keys were worked out from, at the same location
/// (`HandshakeKeys::built_with_grant`): the keys stay as they are, and the member is not read
/// again. A plan change is the most frequent event; reading its member back was most of what
/// this follower cost PostgreSQL during a burst of them (24 µs a member).
fn leaves_keys_as_they_are(keys: &HandshakeKeys, published: &PublishedEvent) -> bool {
    let Event::AccessGranted {
        grant, location_id, ..
    } = &published.event
    else {
        return false;
    };
    match StreamId::parse(&published.stream) {
        Some(StreamId::Member { org_id, user_id }) => {
            keys.built_with_grant(&org_id, &user_id, grant, location_id.as_deref())
        }
        _ => false,
    }
}

/// What `events` have reloaded, per organization in the order first named: every member
/// (None) when one of its events affects the organization, else the members named, once each.
/// The events `unchanged` answers true for reload nothing.
fn reloads(events: &[PublishedEvent], unchanged: impl Fn(&PublishedEvent) -> bool) -> Vec<Reload> {
    let mut reloads: Vec<Reload> = Vec::new();
    for affected in events
        .iter()
        .filter(|published| !unchanged(published))
        .filter_map(events::affected)
    {
        let (org_id, user_id) = match affected {
            Affected::Member { org_id, user_id } => (org_id, Some(user_id)),
            Affected::Organization { org_id } => (org_id, None),
        };
        let at = match reloads.iter().position(|(org, _)| *org == org_id) {
            Some(at) => at,
            None => {
                reloads.push((org_id, Some(BTreeSet::new())));
                reloads.len() - 1
            }
        };
        let members = &mut reloads[at].1;
        match (members.as_mut(), user_id) {
            (Some(members), Some(user_id)) => {
                members.insert(user_id);
            }
            (Some(_), None) => *members = None,
            (None, _) => {}
        }
    }
    reloads
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Event;

    fn published(stream: &str) -> PublishedEvent {
        PublishedEvent {
            event_id: uuid::Uuid::nil(),
            stream: stream.into(),
            event: Event::AccountSuspended,
        }
    }

    fn members(users: &[&str]) -> Option<BTreeSet<String>> {
        Some(users.iter().map(|u| (*u).to_owned()).collect())
    }

    #[test]
    fn events_delivered_together_reload_each_organization_once() {
        let events: Vec<PublishedEvent> = [
            "member-6267-1",
            "member-6268-7",
            "member-6267-2",
            "member-6267-1",
            "controller-6268-3390",
            "member-6269-3",
            "location-6269-3390",
            "member-6269-4",
        ]
        .into_iter()
        .map(published)
        .collect();
        assert_eq!(
            reloads(&events, |_| false),
            vec![
                ("6267".to_owned(), members(&["1", "2"])),
                ("6268".to_owned(), members(&["7"])),
                // A location's event: everyone's keys, whatever else the batch named.
                ("6269".to_owned(), None),
            ]
        );
        assert_eq!(
            reloads(&[published("controller-6268-3390")], |_| false),
            Vec::new(),
            "nothing a key depends on"
        );
    }

    #[test]
    fn reloads_waiting_for_the_build_name_each_organization_once_and_stay_bounded() {
        let mut pending = Vec::new();
        merge_reloads(
            &mut pending,
            vec![
                ("6267".to_owned(), members(&["1"])),
                ("6268".to_owned(), members(&["7"])),
            ],
        );
        merge_reloads(
            &mut pending,
            vec![
                ("6267".to_owned(), members(&["2", "1"])),
                ("6268".to_owned(), None),
                ("6269".to_owned(), members(&["3"])),
            ],
        );
        assert_eq!(
            pending,
            vec![
                ("6267".to_owned(), members(&["1", "2"])),
                // Whole once any event asked for the whole organization.
                ("6268".to_owned(), None),
                ("6269".to_owned(), members(&["3"])),
            ]
        );
        merge_reloads(&mut pending, vec![("6268".to_owned(), members(&["8"]))]);
        assert_eq!(pending[1], ("6268".to_owned(), None), "whole stays whole");
        let many: BTreeSet<String> = (0..=MAX_PENDING_MEMBERS).map(|i| i.to_string()).collect();
        merge_reloads(&mut pending, vec![("6269".to_owned(), Some(many))]);
        assert_eq!(
            pending[2],
            ("6269".to_owned(), None),
            "too many members waiting: the organization is reloaded whole"
        );
    }

    fn granted(user_id: &str, source_id: &str, location_id: Option<&str>) -> PublishedEvent {
        PublishedEvent {
            event_id: uuid::Uuid::nil(),
            stream: format!("member-6267-{user_id}"),
            event: Event::AccessGranted {
                grant: domain::events::GrantKey {
                    basis: domain::events::Basis::Plan,
                    source_id: source_id.into(),
                },
                location_id: location_id.map(str::to_owned),
                valid_from: None,
                valid_until: None,
                network: None,
            },
        }
    }

    /// A renewed grant (same grant, same location) of a member with keys reloads nothing; the
    /// same grant at another location, a member without keys, or another event does.
    #[test]
    fn only_a_grant_the_keys_were_worked_out_from_at_its_location_reloads_nothing() {
        let mut keys = HandshakeKeys::new(10);
        let place = handshake_keys::SetId {
            org_id: "6267".into(),
            location_id: "3390".into(),
            ssid: "Lanyard".into(),
        };
        let sealed = domain::events::Sealed {
            key: "member".into(),
            nonce: String::new(),
            ciphertext: "sealed".into(),
        };
        let member = handshake_keys::MemberKeys::compute(
            "6267",
            "1",
            "a passphrase",
            &sealed,
            &[place],
            |_| None,
        )
        .expect("a WPA2 passphrase")
        .built_from(vec![crate::lookup::GrantAt {
            grant: domain::events::GrantKey {
                basis: domain::events::Basis::Plan,
                source_id: "p1".into(),
            },
            location_id: Some("3390".into()),
        }]);
        keys.replace(member).expect("under the limit");
        let unchanged = |published: &PublishedEvent| leaves_keys_as_they_are(&keys, published);

        assert_eq!(
            reloads(&[granted("1", "p1", Some("3390"))], unchanged),
            Vec::new()
        );
        let events = [
            granted("1", "p1", Some("3390")),
            granted("2", "p1", Some("3390")),
            published("member-6267-3"),
        ];
        assert_eq!(
            reloads(&events, unchanged),
            vec![("6267".to_owned(), members(&["2", "3"]))],
            "member 2 has no keys; member 3 was suspended"
        );
        for moved in [
            granted("1", "p1", Some("3391")),
            granted("1", "p1", None),
            granted("1", "p2", Some("3390")),
        ] {
            assert_eq!(
                reloads(std::slice::from_ref(&moved), unchanged),
                vec![("6267".to_owned(), members(&["1"]))],
                "{:?}",
                moved.event
            );
        }
    }
}
