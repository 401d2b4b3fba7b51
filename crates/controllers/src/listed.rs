//! The vendor's key list as Lanyard left it at each location, kept between reconciliations: an
//! event's reconciliation plans against it instead of listing the SSID again (before its
//! changes, and again to confirm them), which halves the calls an event costs within the
//! vendor's rate. Periodic runs list afresh (they repair drift). Trusted for [`TTL`] at most;
//! forgotten before changes are applied (an error leaves the outcome unknown) and after any
//! create (the vendor gives the new key's id). As many entries as mapped locations, bounded by
//! [`MAX_LOCATIONS`].

use crate::vendor::{Change, VendorKey};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a kept list is trusted: a hand edit between periodic runs is seen by the next
/// event's reconciliation after this at the latest.
pub const TTL: Duration = Duration::from_secs(60);
/// Most locations whose list is kept (the mappings bound them; this bounds the map).
const MAX_LOCATIONS: usize = 10_000;

type Location = (String, String);

#[derive(Debug, Default)]
pub struct Listed(Mutex<HashMap<Location, (Instant, Vec<VendorKey>)>>);

/// `before` with `changes` applied, or None when one of them creates a key (its id is the
/// vendor's to give).
fn after(mut before: Vec<VendorKey>, changes: &[Change]) -> Option<Vec<VendorKey>> {
    for change in changes {
        match change {
            Change::Create(_) => return None,
            Change::Delete { id, .. } => before.retain(|key| &key.id != id),
            Change::Update { id, key } => {
                let held = before.iter_mut().find(|held| &held.id == id)?;
                held.name.clone_from(&key.name);
                held.passphrase.clone_from(&key.passphrase);
                held.vlan = key.vlan;
                held.expires_at = key.expires_at;
            }
        }
    }
    Some(before)
}

impl Listed {
    /// The list kept for `location` and when it was listed, when less than [`TTL`] ago.
    pub fn get(&self, location: &Location) -> Option<(Instant, Vec<VendorKey>)> {
        let all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.get(location)
            .filter(|(listed_at, _)| listed_at.elapsed() < TTL)
            .cloned()
    }

    pub fn forget(&self, location: &Location) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(location);
    }

    /// `changes` were applied to `before` (as listed, or as kept) at `location`. A kept list's
    /// age is its listing's: applying changes does not make it fresher.
    pub fn applied(
        &self,
        location: Location,
        (listed_at, before): (Instant, Vec<VendorKey>),
        changes: &[Change],
    ) {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match after(before, changes) {
            Some(keys) => {
                if all.len() >= MAX_LOCATIONS && !all.contains_key(&location) {
                    all.clear();
                }
                all.insert(location, (listed_at, keys));
            }
            None => {
                all.remove(&location);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vendor::DesiredKey;

    fn held(id: &str, name: &str) -> VendorKey {
        VendorKey {
            id: id.into(),
            name: name.into(),
            passphrase: "old".into(),
            vlan: Some(300),
            expires_at: None,
        }
    }

    fn wanted(name: &str) -> DesiredKey {
        DesiredKey {
            name: name.into(),
            passphrase: "new".into(),
            vlan: Some(301),
            expires_at: None,
        }
    }

    #[test]
    fn a_kept_list_follows_updates_and_deletes_and_is_dropped_by_a_create() {
        let listed = Listed::default();
        let location = ("6267".to_owned(), "3390".to_owned());
        let before = vec![
            held("1", "lanyard:a"),
            held("2", "lanyard:b"),
            held("3", "guest"),
        ];
        let changes = [
            Change::Update {
                id: "1".into(),
                key: wanted("lanyard:a"),
            },
            Change::Delete {
                id: "2".into(),
                name: "lanyard:b".into(),
            },
        ];
        listed.applied(location.clone(), (Instant::now(), before.clone()), &changes);
        let (_, kept) = listed.get(&location).expect("kept");
        assert_eq!(kept.len(), 2);
        assert_eq!(
            (kept[0].passphrase.as_str(), kept[0].vlan),
            ("new", Some(301))
        );
        assert_eq!(kept[1], held("3", "guest"));

        listed.applied(
            location.clone(),
            (Instant::now(), before),
            &[Change::Create(wanted("lanyard:c"))],
        );
        assert_eq!(listed.get(&location), None);
    }

    #[test]
    fn a_list_kept_longer_than_its_ttl_is_not_trusted() {
        let listed = Listed::default();
        let location = ("6267".to_owned(), "3390".to_owned());
        let Some(long_ago) = Instant::now().checked_sub(TTL) else {
            return; // a clock this young cannot be that old
        };
        listed.applied(location.clone(), (long_ago, vec![held("1", "guest")]), &[]);
        assert_eq!(listed.get(&location), None);
    }
}
