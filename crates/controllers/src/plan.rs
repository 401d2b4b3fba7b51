//! The difference between the keys Lanyard wants at a location and those the vendor holds:
//! pure. Only keys whose name carries Lanyard's prefix are Lanyard's; the others are never
//! updated nor deleted, though they count toward the vendor's limit.

use crate::vendor::{Change, DesiredKey, VendorKey};
use std::collections::{BTreeMap, HashSet};

/// The changes that make the vendor's list equal to the desired one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Keys on the SSID after the plan (Lanyard's and others').
    pub keys_after: usize,
}

impl Plan {
    pub fn count(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for change in &self.changes {
            match change {
                Change::Create(_) => counts.0 += 1,
                Change::Update { .. } => counts.1 += 1,
                Change::Delete { .. } => counts.2 += 1,
            }
        }
        counts
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The plan would put more keys on the SSID than the vendor takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{needed} keys needed on the SSID, the vendor takes {limit}")]
pub struct OverLimit {
    pub needed: usize,
    pub limit: usize,
}

/// Deletes first (they free room), then updates, then creates, each in name order.
pub fn plan(
    desired: &BTreeMap<String, DesiredKey>,
    actual: &[VendorKey],
    prefix: &str,
    limit: usize,
) -> Result<Plan, OverLimit> {
    let mut deletes = Vec::new();
    let mut updates = Vec::new();
    let mut seen = HashSet::new();
    for key in actual.iter().filter(|key| key.name.starts_with(prefix)) {
        match desired.get(&key.name) {
            // A second key of the same name (made by hand, or a create retried) goes.
            Some(want) if seen.insert(key.name.as_str()) => {
                if !same(want, key) {
                    updates.push(Change::Update {
                        id: key.id.clone(),
                        key: want.clone(),
                    });
                }
            }
            _ => deletes.push(Change::Delete {
                id: key.id.clone(),
                name: key.name.clone(),
            }),
        }
    }
    let creates: Vec<Change> = desired
        .values()
        .filter(|want| !seen.contains(want.name.as_str()))
        .map(|want| Change::Create(want.clone()))
        .collect();
    let keys_after = actual.len() - deletes.len() + creates.len();
    if keys_after > limit && !creates.is_empty() {
        return Err(OverLimit {
            needed: keys_after,
            limit,
        });
    }
    let mut changes = deletes;
    changes.extend(updates);
    changes.extend(creates);
    Ok(Plan {
        changes,
        keys_after,
    })
}

/// Equal to the second: vendors keep expiry times at whole seconds.
fn same(want: &DesiredKey, have: &VendorKey) -> bool {
    want.passphrase == have.passphrase
        && want.vlan == have.vlan
        && want.expires_at.map(|t| t.timestamp()) == have.expires_at.map(|t| t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn want(name: &str, passphrase: &str, vlan: Option<u16>) -> DesiredKey {
        DesiredKey {
            name: name.into(),
            passphrase: passphrase.into(),
            vlan,
            expires_at: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single(),
        }
    }

    fn have(id: &str, key: &DesiredKey) -> VendorKey {
        VendorKey {
            id: id.into(),
            name: key.name.clone(),
            passphrase: key.passphrase.clone(),
            vlan: key.vlan,
            expires_at: key.expires_at,
        }
    }

    fn desired(keys: &[DesiredKey]) -> BTreeMap<String, DesiredKey> {
        keys.iter().map(|k| (k.name.clone(), k.clone())).collect()
    }

    #[test]
    fn given_equal_lists_then_nothing_to_do() {
        let a = want("lanyard:a", "pass-a", Some(10));
        let plan = plan(
            &desired(std::slice::from_ref(&a)),
            &[have("1", &a)],
            "lanyard:",
            10,
        );
        assert_eq!(plan.map(|p| p.changes), Ok(vec![]));
    }

    #[test]
    fn given_missing_changed_and_stale_keys_then_create_update_delete_exactly_those() {
        let a = want("lanyard:a", "pass-a", Some(10));
        let b = want("lanyard:b", "pass-b", None);
        let c = want("lanyard:c", "pass-c", Some(20));
        let old_b = have("2", &want("lanyard:b", "old", None));
        let stale = have("3", &want("lanyard:z", "gone", None));
        let theirs = have("4", &want("guest-wifi", "theirs", None));
        let plan = plan(
            &desired(&[a.clone(), b.clone(), c.clone()]),
            &[have("1", &a), old_b, stale, theirs],
            "lanyard:",
            10,
        )
        .expect("within the limit");
        assert_eq!(
            plan.changes,
            vec![
                Change::Delete {
                    id: "3".into(),
                    name: "lanyard:z".into()
                },
                Change::Update {
                    id: "2".into(),
                    key: b
                },
                Change::Create(c),
            ]
        );
        assert_eq!(plan.keys_after, 4);
    }

    #[test]
    fn given_a_duplicate_of_a_lanyard_key_then_the_second_goes() {
        let a = want("lanyard:a", "pass-a", Some(10));
        let plan = plan(
            &desired(std::slice::from_ref(&a)),
            &[have("1", &a), have("2", &a)],
            "lanyard:",
            10,
        );
        assert_eq!(
            plan.map(|p| p.changes),
            Ok(vec![Change::Delete {
                id: "2".into(),
                name: "lanyard:a".into()
            }])
        );
    }

    #[test]
    fn given_more_keys_than_the_vendor_takes_then_nothing_is_planned() {
        let keys: Vec<DesiredKey> = (0..3)
            .map(|i| want(&format!("lanyard:{i}"), "pass", None))
            .collect();
        let theirs = have("9", &want("theirs", "pass", None));
        assert_eq!(
            plan(&desired(&keys), &[theirs], "lanyard:", 3),
            Err(OverLimit {
                needed: 4,
                limit: 3
            })
        );
    }
}
