//! The handshake matcher's keys in memory (issue 17): one `handshake::KeySet` per
//! (organization, location, SSID), each key a member's PMK for that SSID. PMKs cost
//! milliseconds each, so `MemberKeys::compute` runs outside any lock and off the request path;
//! `HandshakeKeys::replace` then swaps a member's keys at once, so a rotated or revoked
//! passphrase stops matching the moment the new state is in.
//!
//! A PMK already computed for the same sealed passphrase and SSID is reused (from memory, or
//! from `handshake_pmks` where it is stored sealed with the member's data key), so reloading an
//! organization (a NAS registered, a plan mapped) or restarting costs reads, not PBKDF2.

pub use crate::lookup::LocationSsids;
use crate::lookup::{self, GrantAt, LookupError};
use domain::events::{GrantKey, Sealed};
use domain::location_access::{self as access, MemberAccess};
use handshake::{Challenge, KeySet};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// Which access points a key is for: every NAS of a location broadcasting an SSID.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SetId {
    pub org_id: String,
    pub location_id: String,
    pub ssid: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("the passphrase cannot be a WPA2 key for SSID {ssid:?}: {source}")]
    NotAWpa2Key {
        ssid: String,
        source: handshake::KeyError,
    },
    #[error("at most {limit} handshake keys are kept in memory; raise the limit")]
    Full { limit: usize },
}

/// Where the member's key belongs: every SSID of every location `access::decide` could admit
/// them at (the request path still judges each request at its time).
pub fn places_for(org_id: &str, member: &MemberAccess, locations: &[LocationSsids]) -> Vec<SetId> {
    locations
        .iter()
        .filter(|location| {
            location
                .place()
                .is_some_and(|place| access::may_admit(member, &place))
        })
        .flat_map(|location| {
            location.ssids.iter().map(|ssid| SetId {
                org_id: org_id.to_owned(),
                location_id: location.location_id.clone(),
                ssid: ssid.clone(),
            })
        })
        .collect()
}

/// A key in a set: whose it is, which sealed passphrase it came from (the request path checks
/// it is still the member's), and its PMK (Ruckus is answered with the PMK itself).
#[derive(Clone, Debug)]
pub struct KeyRef {
    pub user_id: String,
    pub sealed: Sealed,
    pub pmk: [u8; 32],
}

/// One member's PMKs, one per (location, SSID) their passphrase is valid at.
#[derive(Clone)]
pub struct MemberKeys {
    org_id: String,
    user_id: String,
    sealed: Sealed,
    pmks: Vec<(SetId, [u8; 32])>,
    /// The grants the places were worked out from (see [`HandshakeKeys::built_with_grant`]).
    grants_at: Vec<GrantAt>,
}

impl MemberKeys {
    /// The member's PMK for each place (`known` gives those already computed for this sealed
    /// passphrase); no places means the member has no key anywhere.
    pub fn compute(
        org_id: &str,
        user_id: &str,
        passphrase: &str,
        sealed: &Sealed,
        places: &[SetId],
        known: impl Fn(&SetId) -> Option<[u8; 32]>,
    ) -> Result<MemberKeys, KeysError> {
        let pmks = places
            .iter()
            .map(|place| {
                if let Some(pmk) = known(place) {
                    return Ok((place.clone(), pmk));
                }
                handshake::pmk(passphrase, place.ssid.as_bytes())
                    .map(|pmk| (place.clone(), pmk))
                    .map_err(|source| KeysError::NotAWpa2Key {
                        ssid: place.ssid.clone(),
                        source,
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(MemberKeys {
            org_id: org_id.to_owned(),
            user_id: user_id.to_owned(),
            sealed: sealed.clone(),
            pmks,
            grants_at: Vec::new(),
        })
    }

    /// The same keys, worked out from `grants_at`.
    pub fn built_from(self, grants_at: Vec<GrantAt>) -> MemberKeys {
        MemberKeys { grants_at, ..self }
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The member's PMK at `place`, if their key belongs there.
    pub fn pmk_at(&self, place: &SetId) -> Option<&[u8; 32]> {
        self.pmks
            .iter()
            .find_map(|(at, pmk)| (at == place).then_some(pmk))
    }
}

/// The read models could not give the keys.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error("computing PMKs stopped: {0}")]
    Computing(#[from] tokio::task::JoinError),
}

/// A member whose key needs PMKs computed: their passphrase open, their data key to seal the
/// new PMKs with, and those already known.
struct Opened {
    user_id: String,
    grants_at: Vec<GrantAt>,
    passphrase: String,
    sealed: Sealed,
    key: secrets::MemberKey,
    known: Vec<(SetId, [u8; 32])>,
    missing: Vec<SetId>,
}

/// What a member's keys are made of: PMKs known (in memory, or stored and opened) and where
/// one is still missing.
struct Resolved {
    known: Vec<(SetId, [u8; 32])>,
    missing: Vec<SetId>,
}

/// Where a PMK may already be: in memory (`known`, by user, sealed passphrase and place) or
/// stored sealed in `handshake_pmks` (by user and SSID).
struct Sources<'a, F> {
    org_id: &'a str,
    key_ring: &'a secrets::KeyRing,
    stored: HashMap<(String, String), store::handshake_pmks::StoredPmk>,
    known: F,
}

impl<F: Fn(&str, &Sealed, &SetId) -> Option<[u8; 32]>> Sources<'_, F> {
    /// Each member's keys: ready (every PMK known) or opened (some to compute).
    fn sort(
        &self,
        members: Vec<lookup::DeviceMember>,
        locations: &[LocationSsids],
    ) -> (Vec<MemberKeys>, Vec<Opened>) {
        let org_id = self.org_id;
        let (mut ready, mut opened) = (Vec::new(), Vec::new());
        for member in members {
            let Some(sealed) = member.passphrase.clone() else {
                continue;
            };
            let places = places_for(org_id, &member.access, locations);
            let mut key = None;
            let resolved = self.resolve(&member, &sealed, places, &mut key);
            if resolved.missing.is_empty() {
                let (org_id, user_id) = (org_id.to_owned(), member.user_id);
                ready.push(MemberKeys {
                    org_id,
                    user_id,
                    sealed,
                    pmks: resolved.known,
                    grants_at: member.grants_at,
                });
                continue;
            }
            let key = key.or_else(|| member_key(self.key_ring, org_id, &member));
            match (
                crate::grant::open_passphrase(self.key_ring, org_id, &member),
                key,
            ) {
                (Ok(Some(passphrase)), Some(key)) => opened.push(Opened {
                    user_id: member.user_id,
                    grants_at: member.grants_at,
                    passphrase,
                    sealed,
                    key,
                    known: resolved.known,
                    missing: resolved.missing,
                }),
                (Ok(None), _) => {}
                (Err(error), _) => {
                    tracing::error!(org_id, user_id = %member.user_id, %error,
                        "handshake keys: the passphrase does not open; left out");
                }
                (Ok(Some(_)), None) => {
                    tracing::error!(org_id, user_id = %member.user_id,
                        "handshake keys: the member's data key does not open; left out");
                }
            }
        }
        (ready, opened)
    }

    /// The member's PMK at each place: from memory, else from the stored PMKs of this sealed
    /// passphrase (opened with the member's data key, unwrapped into `key` once), else missing.
    fn resolve(
        &self,
        member: &lookup::DeviceMember,
        sealed: &Sealed,
        places: Vec<SetId>,
        key: &mut Option<secrets::MemberKey>,
    ) -> Resolved {
        let (org_id, user_id) = (self.org_id, member.user_id.as_str());
        let mut resolved = Resolved {
            known: Vec::with_capacity(places.len()),
            missing: Vec::new(),
        };
        for place in places {
            if let Some(pmk) = (self.known)(user_id, sealed, &place) {
                resolved.known.push((place, pmk));
                continue;
            }
            let row = self
                .stored
                .get(&(user_id.to_owned(), place.ssid.clone()))
                .filter(|row| row.passphrase_nonce == sealed.nonce);
            if row.is_some() && key.is_none() {
                *key = member_key(self.key_ring, org_id, member);
            }
            let opened = row.zip(key.as_ref()).and_then(|(row, key)| {
                secrets::open_member_pmk(key, org_id, user_id, &place.ssid, &row.pmk).ok()
            });
            match opened {
                Some(pmk) => resolved.known.push((place, pmk)),
                None => resolved.missing.push(place),
            }
        }
        resolved
    }
}

/// The member's data key, unwrapped by the key ring.
fn member_key(
    key_ring: &secrets::KeyRing,
    org_id: &str,
    member: &lookup::DeviceMember,
) -> Option<secrets::MemberKey> {
    let wrapped = member.wrapped_key.as_ref()?;
    let aad = secrets::contexts::member(org_id, &member.user_id);
    key_ring.unwrap_member_key(wrapped, &aad).ok()
}

/// The keys of `org_id`'s members with a passphrase (only those in `scope` when given), read from the
/// read models and opened with the key ring. A PMK comes from memory (`known`, by user, sealed
/// passphrase and place), else from `handshake_pmks` (sealed with the member's data key), else
/// it is computed on rayon's threads and stored sealed; stored PMKs no longer anyone's are
/// deleted. A member whose passphrase does not open or is no WPA2 key is left out and logged.
pub async fn load(
    pool: &deadpool_postgres::Pool,
    key_ring: &secrets::KeyRing,
    org_id: &str,
    scope: Option<&[&str]>,
    known: impl Fn(&str, &Sealed, &SetId) -> Option<[u8; 32]>,
) -> Result<Vec<MemberKeys>, LoadError> {
    let mut client = pool
        .get()
        .await
        .map_err(|error| LookupError::from(store::StoreError::from(error)))?;
    let locations = lookup::locations_with_ssids(&client, org_id).await?;
    // No NAS broadcasting an SSID at a mapped location: nobody's key belongs anywhere, and
    // the members are not read (four look-ups each: in an organization without handshake
    // NASes, every member event was read for nothing). Stored PMKs are still cleared below.
    let anywhere = locations.iter().any(|location| location.place().is_some());
    let members = match anywhere {
        true => lookup::members_with_passphrases(&client, org_id, scope).await?,
        false => Vec::new(),
    };
    let sources = Sources {
        org_id,
        key_ring,
        stored: store::handshake_pmks::stored(&client, org_id, scope)
            .await
            .map_err(LookupError::from)?
            .into_iter()
            .map(|row| ((row.user_id.clone(), row.ssid.clone()), row))
            .collect(),
        known,
    };
    let (mut ready, opened) = sources.sort(members, &locations);
    let org = org_id.to_owned();
    let computed: Vec<(MemberKeys, Vec<store::handshake_pmks::StoredPmk>)> =
        tokio::task::spawn_blocking(move || {
            opened
                .into_par_iter()
                .filter_map(|member| compute_missing(&org, member))
                .collect()
        })
        .await?;
    let mut fresh = Vec::new();
    for (keys, rows) in computed {
        ready.push(keys);
        fresh.extend(rows);
    }
    let keep = stored_identities(&ready);
    // Most reloads (a member's every event) change nothing stored: no write then.
    let kept: HashSet<(&str, &str, &str)> = keep
        .iter()
        .map(|(user, ssid, nonce)| (user.as_str(), ssid.as_str(), nonce.as_str()))
        .collect();
    let stale = sources
        .stored
        .values()
        .any(|row| !kept.contains(&(&row.user_id, &row.ssid, &row.passphrase_nonce)));
    if stale || !fresh.is_empty() {
        store::handshake_pmks::replace(&mut client, org_id, scope, &keep, &fresh)
            .await
            .map_err(LookupError::from)?;
    }
    Ok(ready)
}

/// Which stored PMKs stay: (user, SSID, passphrase nonce) of every key loaded.
fn stored_identities(members: &[MemberKeys]) -> Vec<(String, String, String)> {
    members
        .iter()
        .flat_map(|member| {
            member.pmks.iter().map(|(place, _)| {
                let nonce = member.sealed.nonce.clone();
                (member.user_id.clone(), place.ssid.clone(), nonce)
            })
        })
        .collect()
}

/// The member's missing PMKs, computed (PBKDF2), and the same sealed for `handshake_pmks`.
fn compute_missing(
    org_id: &str,
    member: Opened,
) -> Option<(MemberKeys, Vec<store::handshake_pmks::StoredPmk>)> {
    let Opened {
        user_id,
        grants_at,
        passphrase,
        sealed,
        key,
        known,
        missing,
    } = member;
    let computed = MemberKeys::compute(org_id, &user_id, &passphrase, &sealed, &missing, |_| None)
        .inspect_err(|error| {
            tracing::warn!(org_id, user_id, %error, "handshake keys: left out");
        })
        .ok()?;
    let rows = computed
        .pmks
        .iter()
        .map(|(place, pmk)| store::handshake_pmks::StoredPmk {
            user_id: user_id.clone(),
            ssid: place.ssid.clone(),
            passphrase_nonce: sealed.nonce.clone(),
            pmk: secrets::seal_member_pmk(&key, org_id, &user_id, &place.ssid, pmk),
        })
        .collect();
    let mut keys = computed.built_from(grants_at);
    keys.pmks.extend(known);
    Some((keys, rows))
}

/// Every live key, by place; bounded by `max_keys` in all.
pub struct HandshakeKeys {
    sets: HashMap<SetId, KeySet<KeyRef>>,
    /// Each (organization, member)'s keys: where they are (so they leave without a scan) and
    /// their PMKs (reused while the sealed passphrase is the same).
    members: HashMap<(String, String), MemberKeys>,
    keys: usize,
    max_keys: usize,
}

impl HandshakeKeys {
    pub fn new(max_keys: usize) -> HandshakeKeys {
        HandshakeKeys {
            sets: HashMap::new(),
            members: HashMap::new(),
            keys: 0,
            max_keys,
        }
    }

    /// The member's keys become exactly `member`'s: the old ones leave first. Over the limit,
    /// the member has no key (never a stale one) and the error says so.
    pub fn replace(&mut self, member: MemberKeys) -> Result<(), KeysError> {
        self.remove(&member.org_id, &member.user_id);
        if self.keys + member.pmks.len() > self.max_keys {
            return Err(KeysError::Full {
                limit: self.max_keys,
            });
        }
        if member.pmks.is_empty() {
            return Ok(());
        }
        for (place, pmk) in &member.pmks {
            let key = KeyRef {
                user_id: member.user_id.clone(),
                sealed: member.sealed.clone(),
                pmk: *pmk,
            };
            self.sets
                .entry(place.clone())
                .or_insert_with(KeySet::new)
                .insert(key, pmk);
        }
        self.keys += member.pmks.len();
        let id = (member.org_id.clone(), member.user_id.clone());
        self.members.insert(id, member);
        Ok(())
    }

    /// The organization's keys become exactly `members`': every other member of it leaves.
    /// The members over the limit are returned with the error (they have no key).
    pub fn replace_organization(
        &mut self,
        org_id: &str,
        members: Vec<MemberKeys>,
    ) -> Vec<(String, KeysError)> {
        let staying: HashSet<&str> = members.iter().map(MemberKeys::user_id).collect();
        let leaving: Vec<String> = self
            .members
            .keys()
            .filter(|(org, user)| org == org_id && !staying.contains(user.as_str()))
            .map(|(_, user)| user.clone())
            .collect();
        for user_id in leaving {
            self.remove(org_id, &user_id);
        }
        members
            .into_iter()
            .filter_map(|member| {
                let user_id = member.user_id.clone();
                self.replace(member).err().map(|error| (user_id, error))
            })
            .collect()
    }

    /// The member has no key anywhere (revoked, suspended, deleted).
    pub fn remove(&mut self, org_id: &str, user_id: &str) {
        let Some(member) = self
            .members
            .remove(&(org_id.to_owned(), user_id.to_owned()))
        else {
            return;
        };
        for (place, _) in member.pmks {
            if let Some(set) = self.sets.get_mut(&place) {
                let before = set.len();
                set.retain(|key| key.user_id != user_id);
                self.keys -= before - set.len();
                if set.is_empty() {
                    self.sets.remove(&place);
                }
            }
        }
    }

    /// Whether the member's keys were worked out from `grant` at `location_id`. An
    /// `AccessGranted` of that grant at that location (a plan renewed: a new end) cannot move
    /// them: where a key belongs ignores validity (`places_for`), and nothing else of the
    /// member changes with it. A member without keys answers false.
    pub fn built_with_grant(
        &self,
        org_id: &str,
        user_id: &str,
        grant: &GrantKey,
        location_id: Option<&str>,
    ) -> bool {
        self.members
            .get(&(org_id.to_owned(), user_id.to_owned()))
            .is_some_and(|member| {
                member
                    .grants_at
                    .iter()
                    .any(|at| at.grant == *grant && at.location_id.as_deref() == location_id)
            })
    }

    /// The PMK already computed for the member's sealed passphrase at `place`.
    pub fn known_pmk(
        &self,
        org_id: &str,
        user_id: &str,
        sealed: &Sealed,
        place: &SetId,
    ) -> Option<[u8; 32]> {
        let member = self.members.get(&(org_id.to_owned(), user_id.to_owned()))?;
        (member.sealed == *sealed)
            .then(|| member.pmk_at(place).copied())
            .flatten()
    }

    /// The key the handshake was made with, among the place's keys: `first`'s alone first (a
    /// device's bound member), then all of them.
    pub fn find(
        &self,
        place: &SetId,
        challenge: &Challenge,
        first: Option<&str>,
    ) -> Option<&KeyRef> {
        let set = self.sets.get(place)?;
        first
            .and_then(|user_id| set.find_where(challenge, |key| key.user_id == user_id))
            .or_else(|| set.find(challenge))
    }

    /// The places of a location of `org_id` (each of its SSIDs with keys).
    pub fn places_at(&self, org_id: &str, location_id: &str) -> Vec<SetId> {
        self.sets
            .keys()
            .filter(|place| place.org_id == org_id && place.location_id == location_id)
            .cloned()
            .collect()
    }

    /// The number of keys at each place, for the metrics.
    pub fn sizes(&self) -> impl Iterator<Item = (&SetId, usize)> {
        self.sets.iter().map(|(place, set)| (place, set.len()))
    }

    pub fn len(&self) -> usize {
        self.keys
    }

    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::RoamingPolicy;

    fn place(location_id: &str, ssid: &str) -> SetId {
        SetId {
            org_id: "6267".into(),
            location_id: location_id.into(),
            ssid: ssid.into(),
        }
    }

    /// A stand-in for a sealed passphrase: only its equality matters here.
    fn sealed(passphrase: &str) -> Sealed {
        Sealed {
            key: "member".into(),
            nonce: String::new(),
            ciphertext: passphrase.into(),
        }
    }

    fn keys(user_id: &str, passphrase: &str, places: &[SetId]) -> MemberKeys {
        let sealed = sealed(passphrase);
        MemberKeys::compute("6267", user_id, passphrase, &sealed, places, |_| None)
            .expect("a WPA2 passphrase")
    }

    fn found(memory: &HandshakeKeys, place: &SetId, challenge: &Challenge) -> Option<String> {
        memory
            .find(place, challenge, None)
            .map(|key| key.user_id.clone())
    }

    fn grant_at(source_id: &str, location_id: Option<&str>) -> GrantAt {
        GrantAt {
            grant: plan(source_id),
            location_id: location_id.map(str::to_owned),
        }
    }

    fn plan(source_id: &str) -> GrantKey {
        GrantKey {
            basis: domain::events::Basis::Plan,
            source_id: source_id.into(),
        }
    }

    /// Only the grants a member's keys were worked out from, each at its own location, leave
    /// the keys as they are; a member without keys has none to leave.
    #[test]
    fn the_keys_know_the_grants_and_locations_they_were_worked_out_from() {
        let mut memory = HandshakeKeys::new(10);
        let grants = vec![grant_at("p1", Some("3390")), grant_at("p2", None)];
        memory
            .replace(keys("12345", "a passphrase", &[place("3390", "Lanyard")]).built_from(grants))
            .expect("under the limit");
        let built_with = |user: &str, grant: &str, location: Option<&str>| {
            memory.built_with_grant("6267", user, &plan(grant), location)
        };
        assert!(built_with("12345", "p1", Some("3390")));
        assert!(built_with("12345", "p2", None));
        assert!(
            !built_with("12345", "p1", Some("3391")),
            "moved to another location"
        );
        assert!(!built_with("12345", "p1", None), "moved to every location");
        assert!(
            !built_with("12345", "p2", Some("3390")),
            "narrowed to one location"
        );
        assert!(!built_with("12345", "p3", Some("3390")), "a new grant");
        assert!(!built_with("12346", "p1", Some("3390")), "another member");
        let booking = GrantKey {
            basis: domain::events::Basis::Booking,
            source_id: "p1".into(),
        };
        assert!(!memory.built_with_grant("6267", "12345", &booking, Some("3390")));
        assert!(!memory.built_with_grant("6268", "12345", &plan("p1"), Some("3390")));

        // Keys worked out again from other grants forget the old ones; no keys, no grants.
        memory
            .replace(
                keys("12345", "a passphrase", &[place("3390", "Lanyard")])
                    .built_from(vec![grant_at("p3", Some("3390"))]),
            )
            .expect("under the limit");
        assert!(!memory.built_with_grant("6267", "12345", &plan("p1"), Some("3390")));
        assert!(memory.built_with_grant("6267", "12345", &plan("p3"), Some("3390")));
        memory
            .replace(
                keys("12345", "a passphrase", &[]).built_from(vec![grant_at("p3", Some("3390"))]),
            )
            .expect("no keys");
        assert!(
            !memory.built_with_grant("6267", "12345", &plan("p3"), Some("3390")),
            "a member without keys is read again on any grant"
        );
    }

    #[test]
    fn a_replaced_or_removed_member_leaves_every_set_and_the_limit_holds() {
        let places = [place("3390", "Lanyard"), place("3391", "Lanyard")];
        let mut memory = HandshakeKeys::new(3);
        memory
            .replace(keys("12345", "old passphrase", &places))
            .expect("under the limit");
        assert_eq!(memory.len(), 2);
        memory
            .replace(keys("12345", "new passphrase", &places[..1]))
            .expect("under the limit");
        assert_eq!(memory.len(), 1, "the old keys left first");
        memory
            .replace(keys("12346", "another one", &places))
            .expect("three keys in all");
        let full = memory.replace(keys("12347", "a third one", &places[..1]));
        assert!(matches!(full, Err(KeysError::Full { limit: 3 })));
        memory.remove("6267", "12346");
        assert_eq!(memory.len(), 1);
        let refused =
            memory.replace_organization("6267", vec![keys("12347", "a third one", &places)]);
        assert_eq!(refused.len(), 0);
        assert_eq!(memory.len(), 2, "12345 left with the organization's reload");
        assert!(
            memory
                .known_pmk("6267", "12345", &sealed("new passphrase"), &places[0])
                .is_none()
        );
        let kept = memory.known_pmk("6267", "12347", &sealed("a third one"), &places[1]);
        assert_eq!(
            kept,
            Some(handshake::pmk("a third one", b"Lanyard").expect("a key"))
        );
        assert!(
            memory
                .known_pmk("6267", "12347", &sealed("rotated"), &places[1])
                .is_none(),
            "another sealed passphrase: computed again"
        );
        memory.remove("6267", "12347");
        assert!(memory.is_empty());
        assert!(memory.sets.is_empty() && memory.members.is_empty());
    }

    /// The handshake crate's Python-built fixture "basic": passphrase "correct horse battery"
    /// on SSID "Lanyard".
    fn basic_fixture() -> Challenge {
        let fixtures = include_str!("../../handshake/tests/fixtures/wpa2.txt");
        let field = |name: &str| {
            fixtures
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .expect("the basic fixture comes first")
        };
        let handshake = handshake::attributes::hostapd(
            field("anonce "),
            field("frame "),
            "0A-0B-0C-0D-0E-0F:Lanyard",
            "02-AA-BB-CC-DD-EE",
        )
        .expect("hostapd's attributes");
        Challenge::new(&handshake).expect("a message 2")
    }

    #[test]
    fn the_member_is_found_at_the_place_of_their_key_only_until_it_changes() {
        let lanyard = place("3390", "Lanyard");
        let elsewhere = place("3391", "Lanyard");
        let challenge = basic_fixture();
        let mut memory = HandshakeKeys::new(1_000);
        for n in 0..20 {
            let other = keys(
                &format!("2{n:04}"),
                &format!("other passphrase {n}"),
                std::slice::from_ref(&lanyard),
            );
            memory.replace(other).expect("under the limit");
        }
        memory
            .replace(keys(
                "12345",
                "correct horse battery",
                std::slice::from_ref(&lanyard),
            ))
            .expect("under the limit");
        assert_eq!(
            found(&memory, &lanyard, &challenge).as_deref(),
            Some("12345")
        );
        assert_eq!(found(&memory, &elsewhere, &challenge), None);
        let bound_first = memory.find(&lanyard, &challenge, Some("20003"));
        assert_eq!(
            bound_first.map(|key| key.user_id.as_str()),
            Some("12345"),
            "a device bound to another member is matched again"
        );
        memory
            .replace(keys(
                "12345",
                "a new passphrase",
                std::slice::from_ref(&lanyard),
            ))
            .expect("under the limit");
        assert_eq!(
            found(&memory, &lanyard, &challenge),
            None,
            "the rotated key left"
        );
    }

    #[test]
    fn a_key_belongs_at_each_ssid_of_the_locations_that_may_admit_its_member() {
        let member = MemberAccess {
            suspended: false,
            home_location: Some("3390".into()),
            group_vlan: None,
            grants: vec![access::GrantTerms {
                location_id: None,
                validity: domain::live_access::Validity {
                    from: None,
                    until: None,
                },
                network: None,
            }],
        };
        let location = |id: &str, roaming, ssids: &[&str]| LocationSsids {
            location_id: id.into(),
            roaming,
            ssids: ssids.iter().map(|ssid| (*ssid).to_owned()).collect(),
        };
        let locations = [
            location(
                "3390",
                Some(RoamingPolicy::SingleLocation),
                &["Lanyard", "Lanyard-5G"],
            ),
            location("3391", Some(RoamingPolicy::SingleLocation), &["Lanyard"]),
            location("3392", Some(RoamingPolicy::AllLocations), &["Cowork"]),
            location("3393", None, &["Lanyard"]),
        ];
        let places = places_for("6267", &member, &locations);
        let named: Vec<(&str, &str)> = places
            .iter()
            .map(|place| (place.location_id.as_str(), place.ssid.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("3390", "Lanyard"),
                ("3390", "Lanyard-5G"),
                ("3392", "Cowork")
            ]
        );
        let suspended = MemberAccess {
            suspended: true,
            ..member
        };
        assert!(places_for("6267", &suspended, &locations).is_empty());
    }

    #[test]
    fn a_passphrase_that_is_no_wpa2_key_is_refused_with_the_ssid() {
        let refused = MemberKeys::compute(
            "6267",
            "12345",
            "short",
            &sealed("short"),
            &[place("3390", "Lanyard")],
            |_| None,
        );
        assert!(
            matches!(refused, Err(KeysError::NotAWpa2Key { ref ssid, .. }) if ssid == "Lanyard")
        );
    }
}
