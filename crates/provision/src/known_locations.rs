//! Which Optix locations each organization has, so that anything unauthenticated naming a
//! location (the tenant portal's `/l/{org}/{location}`) can append an `UnmappedLocationUsed`
//! only for a location Optix knows for that organization. The list is asked of Optix at most
//! once a minute per organization, however many unknown ids arrive.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A known location is believed this long before the list is asked again.
const FRESH: Duration = Duration::from_secs(600);
/// An id missing from the list is refused without asking Optix again for this long.
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// Organizations remembered (only installed ones get here: a token is needed to ask).
const MAX_ORGS: usize = 10_000;

struct Entry {
    fetched: Instant,
    ids: HashSet<String>,
}

#[derive(Default)]
pub struct KnownLocations {
    orgs: Mutex<HashMap<String, Entry>>,
}

/// What the cache says about a location id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Known,
    Unknown,
    /// Ask Optix (the caller now owns the refresh: others get the old answer meanwhile).
    Refresh,
}

impl KnownLocations {
    pub fn lookup(&self, org_id: &str, location_id: &str, now: Instant) -> Lookup {
        let mut orgs = self.orgs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = orgs.get_mut(org_id) {
            let age = now.saturating_duration_since(entry.fetched);
            let known = entry.ids.contains(location_id);
            if known && age < FRESH {
                return Lookup::Known;
            }
            if age < REFETCH_AFTER {
                return if known {
                    Lookup::Known
                } else {
                    Lookup::Unknown
                };
            }
            // Claim the refresh, so parallel requests do not all ask Optix.
            entry.fetched = now;
            return Lookup::Refresh;
        }
        if orgs.len() >= MAX_ORGS {
            orgs.clear();
        }
        orgs.insert(
            org_id.to_owned(),
            Entry {
                fetched: now,
                ids: HashSet::new(),
            },
        );
        Lookup::Refresh
    }

    pub fn store(&self, org_id: &str, ids: HashSet<String>, now: Instant) {
        let mut orgs = self.orgs.lock().unwrap_or_else(|p| p.into_inner());
        orgs.insert(org_id.to_owned(), Entry { fetched: now, ids });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_ask_optix_at_most_once_a_minute() {
        let known = KnownLocations::default();
        let t0 = Instant::now();
        assert_eq!(known.lookup("6267", "3390", t0), Lookup::Refresh);
        known.store("6267", HashSet::from(["3390".to_owned()]), t0);
        assert_eq!(known.lookup("6267", "3390", t0), Lookup::Known);
        // A flood of made-up ids within the minute: refused from the cache.
        for i in 0..1000 {
            assert_eq!(
                known.lookup("6267", &format!("x{i}"), t0 + Duration::from_secs(30)),
                Lookup::Unknown
            );
        }
        // After a minute one caller refreshes; the others are answered from the cache.
        let later = t0 + Duration::from_secs(61);
        assert_eq!(known.lookup("6267", "x1", later), Lookup::Refresh);
        assert_eq!(known.lookup("6267", "x2", later), Lookup::Unknown);
        assert_eq!(known.lookup("6267", "3390", later), Lookup::Known);
    }
}
