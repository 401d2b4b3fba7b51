//! Whether access is live at a moment, until when, and on which VLAN: decided once here for
//! the store's views, the portal and the CLI.
//!
//! A grant is live from its start (inclusive; none = always) until its end (exclusive; none =
//! open-ended). A member's key puts them on their team group's VLAN first (rule 4), else on
//! the lowest VLAN among their live grants' access profiles.

use crate::access::DesiredGrant;
use chrono::{DateTime, Utc};

/// When a grant is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// Inclusive; `None`: valid from the start.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive; `None`: open-ended.
    pub until: Option<DateTime<Utc>>,
}

impl Validity {
    pub fn is_live_at(self, now: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| from <= now) && self.until.is_none_or(|until| now < until)
    }

    /// Starts after `now`.
    pub fn is_upcoming_at(self, now: DateTime<Utc>) -> bool {
        self.from.is_some_and(|from| from > now)
    }
}

impl DesiredGrant {
    pub fn validity(&self) -> Validity {
        Validity {
            from: self.valid_from,
            until: self.valid_until,
        }
    }
}

/// A member's access at one moment, over all their grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessState {
    /// At least one grant is live.
    Live,
    /// None is live, but one starts later.
    Upcoming,
    None,
}

impl AccessState {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessState::Live => "live",
            AccessState::Upcoming => "upcoming",
            AccessState::None => "none",
        }
    }
}

pub fn access_state(grants: impl IntoIterator<Item = Validity>, now: DateTime<Utc>) -> AccessState {
    let mut state = AccessState::None;
    for grant in grants {
        if grant.is_live_at(now) {
            return AccessState::Live;
        }
        if grant.is_upcoming_at(now) {
            state = AccessState::Upcoming;
        }
    }
    state
}

/// The end of access if nothing changes: the latest end among live grants; `None` when a live
/// grant has no end, or when none is live.
pub fn access_until(
    grants: impl IntoIterator<Item = Validity>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut until = None;
    for grant in grants.into_iter().filter(|g| g.is_live_at(now)) {
        match grant.until {
            None => return None,
            Some(end) => until = Some(until.map_or(end, |u: DateTime<Utc>| u.max(end))),
        }
    }
    until
}

/// When the current access began: the earliest start among live grants, or with none live the
/// earliest upcoming start; `None` when unknown or there is none.
pub fn access_from(
    grants: impl IntoIterator<Item = Validity>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let grants: Vec<Validity> = grants.into_iter().collect();
    let live: Vec<&Validity> = grants.iter().filter(|g| g.is_live_at(now)).collect();
    if live.is_empty() {
        grants
            .iter()
            .filter_map(|g| g.from)
            .filter(|from| *from > now)
            .min()
    } else {
        live.iter().filter_map(|g| g.from).min()
    }
}

/// The VLAN a member's key puts them on: the team group's, else the lowest among the access
/// profiles of live grants (`grants`: each grant's validity and profile VLAN).
pub fn vlan(
    group_vlan: Option<u16>,
    grants: impl IntoIterator<Item = (Validity, Option<u16>)>,
    now: DateTime<Utc>,
) -> Option<u16> {
    group_vlan.or_else(|| {
        grants
            .into_iter()
            .filter(|(validity, _)| validity.is_live_at(now))
            .filter_map(|(_, vlan)| vlan)
            .min()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("timestamp")
            .with_timezone(&Utc)
    }

    fn window(from: Option<&str>, until: Option<&str>) -> Validity {
        Validity {
            from: from.map(at),
            until: until.map(at),
        }
    }

    #[test]
    fn a_grant_is_live_from_its_start_until_just_before_its_end() {
        let grant = window(Some("2026-11-03T09:00:00Z"), Some("2026-11-03T23:00:00Z"));
        assert!(!grant.is_live_at(at("2026-11-03T08:59:59Z")));
        assert!(grant.is_live_at(at("2026-11-03T09:00:00Z")));
        assert!(grant.is_live_at(at("2026-11-03T22:59:59Z")));
        assert!(!grant.is_live_at(at("2026-11-03T23:00:00Z")));
        assert!(window(None, None).is_live_at(at("2000-01-01T00:00:00Z")));
    }

    #[test]
    fn access_ends_with_the_latest_live_grant_unless_one_is_open_ended() {
        let now = at("2026-11-03T12:00:00Z");
        let booking = window(None, Some("2026-11-03T23:00:00Z"));
        let day_pass = window(None, Some("2026-11-04T12:00:00Z"));
        let ended = window(None, Some("2026-11-03T11:00:00Z"));
        assert_eq!(
            access_until([booking, day_pass, ended], now),
            Some(at("2026-11-04T12:00:00Z"))
        );
        assert_eq!(access_until([booking, window(None, None)], now), None);
        assert_eq!(access_until([ended], now), None);
    }

    #[test]
    fn access_is_live_upcoming_or_none_and_starts_accordingly() {
        let now = at("2026-11-03T12:00:00Z");
        let later = window(Some("2026-11-05T09:00:00Z"), None);
        let live = window(Some("2026-11-01T09:00:00Z"), None);
        assert_eq!(access_state([later], now), AccessState::Upcoming);
        assert_eq!(access_state([later, live], now), AccessState::Live);
        assert_eq!(access_state([], now), AccessState::None);
        assert_eq!(
            access_from([later, live], now),
            Some(at("2026-11-01T09:00:00Z"))
        );
        assert_eq!(access_from([later], now), Some(at("2026-11-05T09:00:00Z")));
    }

    #[test]
    fn the_group_vlan_comes_before_the_lowest_live_profile_vlan() {
        let now = at("2026-11-03T12:00:00Z");
        let live = window(None, None);
        let ended = window(None, Some("2026-11-03T11:00:00Z"));
        let grants = [
            (live, Some(30)),
            (live, Some(20)),
            (ended, Some(10)),
            (live, None),
        ];
        assert_eq!(vlan(Some(40), grants, now), Some(40));
        assert_eq!(vlan(None, grants, now), Some(20));
        assert_eq!(vlan(None, [(ended, Some(10))], now), None);
    }
}
