//! What Lanyard last wrote at each mapped location (a fingerprint per key name, never the
//! passphrase), so any reconciliation, event-driven or periodic, can tell drift (a vendor key
//! that differs from what Lanyard last wrote while Lanyard still wants the same) from the
//! changes Lanyard itself asks for. Held in memory: after a start, a location's first run takes
//! the vendor's list as what Lanyard wrote (a change made by hand while the service was down is
//! repaired, not counted; Lanyard's own changes meanwhile are not miscounted as drift). As many
//! entries as mapped locations, each as many as the location's keys (bounded by the vendor's
//! limit).

use crate::plan::Plan;
use crate::vendor::{Change, DesiredKey};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

type Fingerprints = HashMap<String, u64>;

#[derive(Debug, Default)]
pub struct Written(Mutex<HashMap<(String, String), Fingerprints>>);

fn fingerprint(key: &DesiredKey) -> u64 {
    let mut hasher = DefaultHasher::new();
    (
        &key.passphrase,
        key.vlan,
        key.expires_at.map(|t| t.timestamp()),
    )
        .hash(&mut hasher);
    hasher.finish()
}

/// The plan's changes that undo someone else's: a key created or updated that Lanyard wants as
/// it last wrote it, or a Lanyard-named key deleted that Lanyard never wrote.
pub fn drift(last: &Fingerprints, desired: &BTreeMap<String, DesiredKey>, plan: &Plan) -> usize {
    let unchanged = |key: &DesiredKey| last.get(&key.name) == Some(&fingerprint(key));
    plan.changes
        .iter()
        .filter(|change| match change {
            Change::Create(key) | Change::Update { key, .. } => unchanged(key),
            Change::Delete { name, .. } => !last.contains_key(name) && !desired.contains_key(name),
        })
        .count()
}

impl Written {
    /// The drift in `plan` at `location`: none when nothing was written there since the service
    /// started (the vendor's list stands for what Lanyard wrote: no change undoes anything).
    pub fn drift_at(
        &self,
        location: &(String, String),
        desired: &BTreeMap<String, DesiredKey>,
        plan: &Plan,
    ) -> usize {
        let all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.get(location)
            .map_or(0, |last| drift(last, desired, plan))
    }

    /// `desired` is what the vendor holds now at `location`.
    pub fn remember(&self, location: (String, String), desired: &BTreeMap<String, DesiredKey>) {
        let prints = desired
            .values()
            .map(|key| (key.name.clone(), fingerprint(key)))
            .collect();
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.insert(location, prints);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, passphrase: &str) -> DesiredKey {
        DesiredKey {
            name: name.into(),
            passphrase: passphrase.into(),
            vlan: Some(300),
            expires_at: None,
        }
    }

    #[test]
    fn only_changes_undoing_someone_elses_are_drift() {
        let written = [key("lanyard:a", "one"), key("lanyard:b", "two")];
        let last: Fingerprints = written
            .iter()
            .map(|k| (k.name.clone(), fingerprint(k)))
            .collect();
        // a: deleted by hand (re-created as written); b: Lanyard's new passphrase; c: a new
        // member; d: a Lanyard-named key someone made.
        let desired: BTreeMap<_, _> = [
            key("lanyard:a", "one"),
            key("lanyard:b", "changed"),
            key("lanyard:c", "three"),
        ]
        .into_iter()
        .map(|k| (k.name.clone(), k))
        .collect();
        let plan = Plan {
            changes: vec![
                Change::Delete {
                    id: "9".into(),
                    name: "lanyard:d".into(),
                },
                Change::Update {
                    id: "2".into(),
                    key: key("lanyard:b", "changed"),
                },
                Change::Create(key("lanyard:a", "one")),
                Change::Create(key("lanyard:c", "three")),
            ],
            keys_after: 3,
        };
        assert_eq!(drift(&last, &desired, &plan), 2);
    }
}
