//! When each OfficeRnD organization's records were last read, fully or for what changed
//! (`officernd.full_sync_interval_secs`): the OfficeRnD adapter's periodic syncs read only the
//! changes between full sweeps.

use crate::sync_requests::SyncKind;
use chrono::{DateTime, Utc};

/// When each OfficeRnD organization's records were last read, fully or for what changed: a
/// periodic sync reads only what changed since the last read unless a full sweep is due.
/// Keyed by the organizations provision syncs (its own, not outside input); lost at a restart,
/// which makes the next sync full.
pub struct OfficeRndSweeps {
    full_every: chrono::Duration,
    last: std::sync::Mutex<std::collections::HashMap<String, Sweep>>,
}

#[derive(Clone, Copy)]
struct Sweep {
    full_at: DateTime<Utc>,
    read_at: DateTime<Utc>,
}

/// Changes are asked for from a little before the last read: OfficeRnD's clock and ours
/// differ, and a record written while the last read ran may carry an earlier `modifiedAt`.
const OVERLAP: chrono::Duration = chrono::Duration::seconds(120);

impl OfficeRndSweeps {
    pub fn new(full_every: std::time::Duration) -> OfficeRndSweeps {
        OfficeRndSweeps {
            full_every: chrono::Duration::from_std(full_every)
                .unwrap_or(chrono::Duration::hours(1)),
            last: Default::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Sweep>> {
        self.last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// For a periodic sync whose full sweep is not due: read the changes since this instant.
    /// None: read everything.
    pub fn changes_since(
        &self,
        org_id: &str,
        kind: SyncKind,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if kind != SyncKind::Periodic {
            return None;
        }
        let sweep = self.lock().get(org_id).copied()?;
        (now - sweep.full_at < self.full_every).then(|| sweep.read_at - OVERLAP)
    }

    /// A read of the organization's records began at `now` (`full`: everything).
    pub fn record(&self, org_id: &str, full: bool, now: DateTime<Utc>) {
        let mut last = self.lock();
        let full_at = match last.get(org_id) {
            Some(sweep) if !full => sweep.full_at,
            _ => now,
        };
        last.insert(
            org_id.to_owned(),
            Sweep {
                full_at,
                read_at: now,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn periodic_syncs_read_changes_until_the_full_sweep_is_due() {
        let sweeps = OfficeRndSweeps::new(std::time::Duration::from_secs(3600));
        let at = |minute: i64| {
            Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap() + chrono::Duration::minutes(minute)
        };
        assert_eq!(
            sweeps.changes_since("o", SyncKind::Periodic, at(0)),
            None,
            "nothing read yet: everything"
        );
        sweeps.record("o", true, at(0));
        assert_eq!(
            sweeps.changes_since("o", SyncKind::Periodic, at(15)),
            Some(at(0) - OVERLAP)
        );
        sweeps.record("o", false, at(15));
        assert_eq!(
            sweeps.changes_since("o", SyncKind::Periodic, at(30)),
            Some(at(15) - OVERLAP),
            "since the last read, not the last sweep"
        );
        assert_eq!(
            sweeps.changes_since("o", SyncKind::Manual, at(30)),
            None,
            "an operator's sync reads everything"
        );
        assert_eq!(
            sweeps.changes_since("o", SyncKind::Periodic, at(60)),
            None,
            "an hour after the sweep: another"
        );
        assert_eq!(
            sweeps.changes_since("other", SyncKind::Periodic, at(15)),
            None
        );
    }
}
