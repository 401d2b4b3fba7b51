//! Whether a member's device gets a key from a NAS at a location, and on which terms: pure,
//! from what the read models say (the member, their grants, the location's roaming policy).
//!
//! - Suspended members get nothing; deleted ones have no row (nor devices) to find.
//! - A grant counts while it is live (`valid_from` ≤ now < `valid_until`): a guest's meeting or a
//!   booking ends on its own, with no webhook needed.
//! - Roaming: `single_location` only at the member's home (onboarding) location (an account
//!   bound to none yet is at home anywhere, as provision's access rules have it); `all_locations`
//!   anywhere in the organization; `by_plan` where a live grant is for this location (a grant
//!   with no location is valid at every location).
//! - The VLAN is the team's, else the lowest of the counted grants' profile VLANs; the key ends
//!   with the counted grants (`Session-Timeout`); bandwidth is the most generous counted grant's.

use crate::live_access::{self, Validity};
use crate::{GrantNetwork, RoamingPolicy};
use chrono::{DateTime, Utc};

/// One grant of the member, as `member_grants` holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantTerms {
    pub location_id: Option<String>,
    pub validity: Validity,
    pub network: Option<GrantNetwork>,
}

/// The member a device belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberAccess {
    pub suspended: bool,
    pub home_location: Option<String>,
    pub group_vlan: Option<u16>,
    pub grants: Vec<GrantTerms>,
}

/// Where the NAS is.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub location_id: String,
    pub roaming: RoamingPolicy,
}

/// What the member gets at this place now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub vlan: Option<u16>,
    pub until: Option<DateTime<Utc>>,
    pub bandwidth_up_kbps: Option<u32>,
    pub bandwidth_down_kbps: Option<u32>,
}

/// Why a device gets no key (logged, never sent to the NAS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the member is suspended")]
    Suspended,
    #[error("the member has no live grant")]
    NoLiveGrant,
    #[error("the location's roaming policy does not admit the member here")]
    NotHere,
}

/// The terms `member` gets at `place` at `now`, or why not.
pub fn decide(member: &MemberAccess, place: &Place, now: DateTime<Utc>) -> Result<Terms, Refusal> {
    if member.suspended {
        return Err(Refusal::Suspended);
    }
    let live: Vec<&GrantTerms> = member
        .grants
        .iter()
        .filter(|grant| grant.validity.is_live_at(now))
        .collect();
    if live.is_empty() {
        return Err(Refusal::NoLiveGrant);
    }
    let counted: Vec<&GrantTerms> = match place.roaming {
        RoamingPolicy::AllLocations => live,
        RoamingPolicy::SingleLocation => {
            // An account not bound to a location yet is at home anywhere (as provision's
            // access rules judge it), until onboarding binds it.
            if member
                .home_location
                .as_deref()
                .is_some_and(|home| home != place.location_id)
            {
                return Err(Refusal::NotHere);
            }
            live
        }
        RoamingPolicy::ByPlan => live
            .into_iter()
            .filter(|grant| {
                grant
                    .location_id
                    .as_deref()
                    .is_none_or(|location| location == place.location_id)
            })
            .collect(),
    };
    if counted.is_empty() {
        return Err(Refusal::NotHere);
    }
    let networks = || counted.iter().filter_map(|grant| grant.network.as_ref());
    Ok(Terms {
        vlan: live_access::vlan(
            member.group_vlan,
            counted
                .iter()
                .map(|grant| (grant.validity, grant.network.as_ref().and_then(|n| n.vlan))),
            now,
        ),
        until: live_access::access_until(counted.iter().map(|grant| grant.validity), now),
        bandwidth_up_kbps: networks().map(|n| n.bandwidth_up_kbps).max().flatten(),
        bandwidth_down_kbps: networks().map(|n| n.bandwidth_down_kbps).max().flatten(),
    })
}

/// `Session-Timeout`: whole seconds until `until` (at least 1), none when access has no end.
pub fn session_timeout(until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u32> {
    let millis = (until? - now).num_milliseconds().max(1);
    let seconds = (millis + 999) / 1000;
    Some(u32::try_from(seconds).unwrap_or(u32::MAX))
}

/// Whether `decide` could admit `member` at `place` at any time: the handshake matcher holds a
/// member's key where this is true (`handshake_keys`), and `decide` still judges each request.
/// It ignores time only, so it never leaves out a key that `decide` would admit.
pub fn may_admit(member: &MemberAccess, place: &Place) -> bool {
    if member.suspended || member.grants.is_empty() {
        return false;
    }
    match place.roaming {
        RoamingPolicy::AllLocations => true,
        RoamingPolicy::SingleLocation => member
            .home_location
            .as_deref()
            .is_none_or(|home| home == place.location_id),
        RoamingPolicy::ByPlan => member.grants.iter().any(|grant| {
            grant
                .location_id
                .as_deref()
                .is_none_or(|location| location == place.location_id)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn grant(location: Option<&str>, hours: i64, vlan: Option<u16>) -> GrantTerms {
        GrantTerms {
            location_id: location.map(str::to_owned),
            validity: Validity {
                from: Some(now() - Duration::hours(1)),
                until: Some(now() + Duration::hours(hours)),
            },
            network: Some(GrantNetwork {
                profile: "standard".into(),
                vlan,
                bandwidth_up_kbps: None,
                bandwidth_down_kbps: Some(1000 * u32::try_from(hours).expect("hours")),
                device_limit: None,
            }),
        }
    }

    fn member(grants: Vec<GrantTerms>) -> MemberAccess {
        MemberAccess {
            suspended: false,
            home_location: Some("home".into()),
            group_vlan: None,
            grants,
        }
    }

    fn at(location: &str, roaming: RoamingPolicy) -> Place {
        Place {
            location_id: location.into(),
            roaming,
        }
    }

    #[test]
    fn given_a_live_grant_when_asked_at_home_then_its_vlan_end_and_bandwidth() {
        let terms = decide(
            &member(vec![grant(Some("home"), 3, Some(120))]),
            &at("home", RoamingPolicy::SingleLocation),
            now(),
        )
        .expect("admitted");
        assert_eq!(
            terms,
            Terms {
                vlan: Some(120),
                until: Some(now() + Duration::hours(3)),
                bandwidth_up_kbps: None,
                bandwidth_down_kbps: Some(3000),
            }
        );
        assert_eq!(session_timeout(terms.until, now()), Some(3 * 3600));
    }

    #[test]
    fn given_a_team_when_asked_then_the_team_vlan_wins() {
        let mut team_member = member(vec![grant(None, 3, Some(120))]);
        team_member.group_vlan = Some(300);
        let terms = decide(
            &team_member,
            &at("home", RoamingPolicy::AllLocations),
            now(),
        );
        assert_eq!(terms.map(|t| t.vlan), Ok(Some(300)));
    }

    #[test]
    fn given_a_suspended_member_or_only_ended_grants_then_refused() {
        let mut suspended = member(vec![grant(None, 3, None)]);
        suspended.suspended = true;
        let place = at("home", RoamingPolicy::AllLocations);
        assert_eq!(decide(&suspended, &place, now()), Err(Refusal::Suspended));
        let ended = member(vec![grant(None, 0, None)]);
        assert_eq!(decide(&ended, &place, now()), Err(Refusal::NoLiveGrant));
        assert_eq!(
            decide(&member(vec![]), &place, now()),
            Err(Refusal::NoLiveGrant)
        );
    }

    #[test]
    fn given_single_location_when_asked_elsewhere_then_refused() {
        let away = member(vec![grant(Some("away"), 3, None)]);
        assert_eq!(
            decide(&away, &at("away", RoamingPolicy::SingleLocation), now()),
            Err(Refusal::NotHere)
        );
        assert!(decide(&away, &at("away", RoamingPolicy::AllLocations), now()).is_ok());
        let unbound = MemberAccess {
            home_location: None,
            ..away
        };
        assert!(decide(&unbound, &at("away", RoamingPolicy::SingleLocation), now()).is_ok());
    }

    #[test]
    fn given_by_plan_then_only_the_grants_for_this_location_count() {
        let two = member(vec![
            grant(Some("home"), 2, Some(10)),
            grant(Some("away"), 5, Some(20)),
        ]);
        let terms = decide(&two, &at("away", RoamingPolicy::ByPlan), now()).expect("admitted");
        assert_eq!(
            (terms.vlan, terms.until),
            (Some(20), Some(now() + Duration::hours(5)))
        );
        assert_eq!(
            decide(&two, &at("third", RoamingPolicy::ByPlan), now()),
            Err(Refusal::NotHere)
        );
        let anywhere = member(vec![grant(None, 2, None)]);
        assert!(decide(&anywhere, &at("third", RoamingPolicy::ByPlan), now()).is_ok());
    }

    #[test]
    fn session_timeout_rounds_up_and_is_absent_without_an_end() {
        assert_eq!(session_timeout(None, now()), None);
        assert_eq!(
            session_timeout(Some(now() + Duration::milliseconds(1500)), now()),
            Some(2)
        );
        assert_eq!(session_timeout(Some(now()), now()), Some(1));
    }

    #[test]
    fn may_admit_holds_wherever_and_whenever_decide_admits() {
        let members = [
            member(vec![grant(Some("home"), 2, None)]),
            member(vec![grant(Some("away"), 2, None), grant(None, 1, Some(30))]),
            member(vec![grant(Some("away"), 2, None)]),
            MemberAccess {
                home_location: None,
                ..member(vec![grant(Some("away"), 2, None)])
            },
            MemberAccess {
                suspended: true,
                ..member(vec![grant(None, 2, None)])
            },
            member(vec![]),
        ];
        let roamings = [
            RoamingPolicy::SingleLocation,
            RoamingPolicy::AllLocations,
            RoamingPolicy::ByPlan,
        ];
        let times = [
            now() - Duration::hours(2),
            now(),
            now() + Duration::hours(3),
        ];
        let mut admitted = 0;
        for member in &members {
            for roaming in roamings {
                for location in ["home", "away", "elsewhere"] {
                    let place = at(location, roaming);
                    let ever = times.iter().any(|&t| decide(member, &place, t).is_ok());
                    admitted += usize::from(ever);
                    assert!(
                        !ever || may_admit(member, &place),
                        "{member:?} at {place:?}"
                    );
                }
            }
        }
        assert!(admitted > 10, "the cases admit somewhere: {admitted}");
        let away_only = member(vec![grant(Some("away"), 2, None)]);
        assert!(!may_admit(
            &away_only,
            &at("elsewhere", RoamingPolicy::ByPlan)
        ));
        assert!(!may_admit(
            &away_only,
            &at("away", RoamingPolicy::SingleLocation)
        ));
        assert!(!may_admit(
            &members[4],
            &at("home", RoamingPolicy::AllLocations)
        ));
    }
}
