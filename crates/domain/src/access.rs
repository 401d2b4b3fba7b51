//! The coworking access rules (seed 000, seed 001): from the facts Optix reports about a user
//! and the organization's configuration, which grants should exist. Pure and clock-free: `now`
//! is an argument.

use crate::events::{Basis, Event, GrantKey, GrantNetwork};
use crate::policy::{AccessProfile, OrgPolicy};
use chrono::{DateTime, Days, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// Guests may connect this long before their meeting starts.
pub const GUEST_EARLY_ARRIVAL: Duration = Duration::hours(1);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanStatus {
    Active,
    InTrial,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanFact {
    pub account_plan_id: String,
    pub plan_template_id: String,
    pub status: PlanStatus,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub in_all_locations: bool,
    pub location_ids: Vec<String>,
}

/// A booking the user made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingFact {
    pub booking_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub is_canceled: bool,
    pub location_id: String,
    /// IANA name of the location's time zone, e.g. `Europe/Rome`.
    pub location_timezone: String,
}

/// A booking the user is invited to (a meeting-room guest, seed 001 "Guest Access").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationFact {
    pub booking_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub is_canceled: bool,
    /// The invitee said they will not attend.
    pub declined: bool,
    pub location_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TeamFact {
    pub team_id: String,
    pub name: String,
}

/// What Optix says about one user right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFacts {
    pub user_id: String,
    pub email: String,
    pub fullname: String,
    /// False when the user is deleted in Optix or no longer belongs to the organization.
    pub exists: bool,
    pub is_active: bool,
    pub plans: Vec<PlanFact>,
    pub bookings: Vec<BookingFact>,
    pub invitations: Vec<InvitationFact>,
    pub teams: Vec<TeamFact>,
}

impl MemberFacts {
    /// A user Optix does not know (deleted, or not in the organization).
    pub fn gone(user_id: &str) -> MemberFacts {
        MemberFacts {
            user_id: user_id.to_owned(),
            email: String::new(),
            fullname: String::new(),
            exists: false,
            is_active: false,
            plans: vec![],
            bookings: vec![],
            invitations: vec![],
            teams: vec![],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredGrant {
    pub location_id: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub network: Option<GrantNetwork>,
}

impl DesiredGrant {
    /// The grant an `AccessGranted` event gives, under its key (`None` for any other event):
    /// what the member's state and the grants projection both record.
    pub fn granted_by(event: &Event) -> Option<(GrantKey, DesiredGrant)> {
        let Event::AccessGranted {
            grant,
            location_id,
            valid_from,
            valid_until,
            network,
        } = event
        else {
            return None;
        };
        let desired = DesiredGrant {
            location_id: location_id.clone(),
            valid_from: *valid_from,
            valid_until: *valid_until,
            network: network.clone(),
        };
        Some((grant.clone(), desired))
    }
}

/// The access a member should have, as decided from the facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DesiredAccess {
    pub exists: bool,
    pub grants: BTreeMap<GrantKey, DesiredGrant>,
    /// One group per team; a member of several teams joins the lowest team id (stable choice).
    pub team: Option<TeamFact>,
    /// Where a new account is bound when it is created by sync/webhook (rule 1).
    pub home_location_hint: Option<String>,
}

impl DesiredAccess {
    pub fn team_id(&self) -> Option<&str> {
        self.team.as_ref().map(|t| t.team_id.as_str())
    }
}

/// When a booking's key dies: the end of the local day on which the booking ends, or starts if
/// that is later (bad data), so a booking that runs past midnight keeps its key until the end of
/// the day it ends on, never less than the booking itself. A booking ending exactly at midnight
/// ends on the day it filled (its last instant is the judge), not a day later.
pub fn booking_day_end(booking: &BookingFact, tz: Tz) -> DateTime<Utc> {
    let last_instant = booking.end - Duration::seconds(1);
    end_of_local_day(last_instant.max(booking.start), tz)
}

/// The end of the local day containing `instant` in `tz`: the next local midnight, as UTC.
/// Daylight-saving transitions are handled by resolving the local midnight in the zone.
pub fn end_of_local_day(instant: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let local_date = instant.with_timezone(&tz).date_naive();
    let next = local_date
        .checked_add_days(Days::new(1))
        .unwrap_or(local_date);
    let midnight = next.and_time(NaiveTime::MIN);
    // A zone may skip midnight (DST at 00:00): take the earliest valid instant after it.
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let later = midnight + Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(instant)
        }
    }
}

/// The access rules. `home_location` is the account's bound location if it has one; an account
/// not yet bound is judged as if bound to the location it would be bound to (rule 1), so that
/// deciding twice on the same facts gives the same grants.
pub fn desired_access(
    facts: &MemberFacts,
    home_location: Option<&str>,
    now: DateTime<Utc>,
    policy: &OrgPolicy,
) -> DesiredAccess {
    let first = desired_access_at(facts, home_location, now, policy);
    match (home_location, first.home_location_hint.clone()) {
        (None, Some(hint)) => {
            let mut bound = desired_access_at(facts, Some(&hint), now, policy);
            bound.home_location_hint = Some(hint);
            bound
        }
        _ => first,
    }
}

fn network(profile: &AccessProfile) -> GrantNetwork {
    GrantNetwork {
        profile: profile.name.clone(),
        vlan: profile.vlan,
        bandwidth_up_kbps: profile.bandwidth_up_kbps,
        bandwidth_down_kbps: profile.bandwidth_down_kbps,
        device_limit: profile.device_limit,
    }
}

fn desired_access_at(
    facts: &MemberFacts,
    home_location: Option<&str>,
    now: DateTime<Utc>,
    policy: &OrgPolicy,
) -> DesiredAccess {
    if !facts.exists {
        return DesiredAccess {
            exists: false,
            grants: BTreeMap::new(),
            team: None,
            home_location_hint: None,
        };
    }
    let at_home = |location_id: &str| home_location.is_none_or(|home| home == location_id);
    let mut collected = Collected::default();
    if facts.is_active {
        for plan in &facts.plans {
            collected.add(plan_grant(plan, &at_home, now, policy));
        }
    }
    for booking in &facts.bookings {
        if !booking.is_canceled && at_home(&booking.location_id) {
            collected.add(booking_grant(booking, now, policy));
        }
    }
    for invitation in &facts.invitations {
        if at_home(&invitation.location_id) {
            collected.add(invitation_grant(invitation, now));
        }
    }
    let team = facts
        .teams
        .iter()
        .min_by(|a, b| natural_order(&a.team_id, &b.team_id))
        .cloned();
    DesiredAccess {
        exists: true,
        grants: collected.grants,
        team,
        home_location_hint: collected.hint,
    }
}

/// The grants decided so far, and the location of the first one bound to a location (where a
/// new account is bound).
#[derive(Default)]
struct Collected {
    grants: BTreeMap<GrantKey, DesiredGrant>,
    hint: Option<String>,
}

impl Collected {
    fn add(&mut self, decided: Option<(GrantKey, DesiredGrant)>) {
        let Some((key, grant)) = decided else { return };
        if self.hint.is_none() {
            self.hint = grant.location_id.clone();
        }
        self.grants.insert(key, grant);
    }
}

/// The grant of an active or trial plan valid at home with a WiFi profile, unless it ended.
fn plan_grant(
    plan: &PlanFact,
    at_home: &impl Fn(&str) -> bool,
    now: DateTime<Utc>,
    policy: &OrgPolicy,
) -> Option<(GrantKey, DesiredGrant)> {
    if !matches!(plan.status, PlanStatus::Active | PlanStatus::InTrial) {
        return None;
    }
    // A template listing no location is read as valid everywhere: odd data in Optix
    // should not cut a paying member off.
    let everywhere = plan.in_all_locations || plan.location_ids.is_empty();
    let valid_here = everywhere || plan.location_ids.iter().any(|l| at_home(l));
    if !valid_here {
        return None;
    }
    let profile = policy.profile_for(&plan.plan_template_id);
    if !profile.wifi {
        return None;
    }
    // A time-limited profile (a day pass) runs from the plan's start.
    let (basis, until) = match (profile.duration_hours, plan.start) {
        (Some(hours), Some(start)) => {
            let limit = start + Duration::hours(i64::from(hours));
            (
                Basis::DayPass,
                Some(plan.end.map_or(limit, |end| end.min(limit))),
            )
        }
        _ => (Basis::Plan, plan.end),
    };
    if until.is_some_and(|until| until <= now) {
        return None;
    }
    let location_id = if everywhere {
        None
    } else {
        plan.location_ids.iter().find(|l| at_home(l)).cloned()
    };
    Some((
        GrantKey {
            basis,
            source_id: plan.account_plan_id.clone(),
        },
        DesiredGrant {
            location_id,
            valid_from: plan.start.filter(|s| *s > now),
            valid_until: until,
            network: Some(network(profile)),
        },
    ))
}

/// A booking's grant, from the start of its day to the end of the day it ends (in the
/// location's time zone), unless that is over.
fn booking_grant(
    booking: &BookingFact,
    now: DateTime<Utc>,
    policy: &OrgPolicy,
) -> Option<(GrantKey, DesiredGrant)> {
    let tz = booking
        .location_timezone
        .parse::<Tz>()
        .ok()
        .or_else(|| {
            policy
                .locations
                .get(&booking.location_id)
                .and_then(|l| l.timezone.parse::<Tz>().ok())
        })
        .unwrap_or(Tz::UTC);
    let until = booking_day_end(booking, tz);
    if until <= now {
        return None;
    }
    let day_start = start_of_local_day(booking.start, tz);
    Some((
        GrantKey {
            basis: Basis::Booking,
            source_id: booking.booking_id.clone(),
        },
        DesiredGrant {
            location_id: Some(booking.location_id.clone()),
            valid_from: Some(day_start).filter(|s| *s > now),
            valid_until: Some(until),
            network: None,
        },
    ))
}

/// A meeting guest's grant, from an hour before the meeting until it ends.
fn invitation_grant(
    invitation: &InvitationFact,
    now: DateTime<Utc>,
) -> Option<(GrantKey, DesiredGrant)> {
    if invitation.is_canceled || invitation.declined || invitation.end <= now {
        return None;
    }
    Some((
        GrantKey {
            basis: Basis::Guest,
            source_id: invitation.booking_id.clone(),
        },
        DesiredGrant {
            location_id: Some(invitation.location_id.clone()),
            valid_from: Some(invitation.start - GUEST_EARLY_ARRIVAL).filter(|s| *s > now),
            valid_until: Some(invitation.end),
            network: None,
        },
    ))
}

fn start_of_local_day(instant: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let midnight = instant
        .with_timezone(&tz)
        .date_naive()
        .and_time(NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(instant)
}

/// Numeric ids compare as numbers, so "9" < "10".
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    fn facts() -> MemberFacts {
        MemberFacts {
            user_id: "12346".into(),
            email: "jean@example.com".into(),
            fullname: "Jean Example".into(),
            exists: true,
            is_active: true,
            plans: vec![],
            bookings: vec![],
            invitations: vec![],
            teams: vec![],
        }
    }

    fn policy() -> OrgPolicy {
        OrgPolicy::default()
    }

    fn desired_access(
        facts: &MemberFacts,
        home: Option<&str>,
        now: DateTime<Utc>,
    ) -> DesiredAccess {
        super::desired_access(facts, home, now, &policy())
    }

    fn plan(id: &str, status: PlanStatus, locations: &[&str]) -> PlanFact {
        PlanFact {
            account_plan_id: id.into(),
            plan_template_id: "916".into(),
            status,
            start: None,
            end: None,
            in_all_locations: locations.is_empty(),
            location_ids: locations.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn booking(id: &str, start: &str, loc: &str, tz: &str) -> BookingFact {
        BookingFact {
            booking_id: id.into(),
            start: at(start),
            end: at(start) + chrono::Duration::hours(2),
            is_canceled: false,
            location_id: loc.into(),
            location_timezone: tz.into(),
        }
    }

    #[test]
    fn active_and_trial_plans_grant_open_ended_access() {
        let mut f = facts();
        f.plans = vec![
            plan("1", PlanStatus::Active, &[]),
            plan("2", PlanStatus::InTrial, &["3390"]),
        ];
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        assert_eq!(d.grants.len(), 2);
        assert!(d.grants.values().all(|g| g.valid_until.is_none()));
        assert_eq!(d.home_location_hint.as_deref(), Some("3390"));
    }

    #[test]
    fn cancelled_upcoming_and_ended_plans_grant_nothing() {
        let mut f = facts();
        let mut ended = plan("3", PlanStatus::Active, &[]);
        ended.end = Some(at("2026-11-01T00:00:00Z"));
        f.plans = vec![plan("1", PlanStatus::Other, &[]), ended];
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        assert!(d.grants.is_empty());
    }

    #[test]
    fn plan_for_another_location_does_not_grant_at_home() {
        let mut f = facts();
        f.plans = vec![plan("1", PlanStatus::Active, &["3391"])];
        let d = desired_access(&f, Some("3390"), at("2026-11-22T10:00:00Z"));
        assert!(d.grants.is_empty());
    }

    #[test]
    fn an_unbound_account_is_judged_at_the_location_it_will_be_bound_to() {
        let mut f = facts();
        f.plans = vec![
            plan("1", PlanStatus::Active, &["3390"]),
            plan("2", PlanStatus::Active, &["3391"]),
        ];
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        assert_eq!(d.home_location_hint.as_deref(), Some("3390"));
        assert_eq!(d.grants.len(), 1);
        assert_eq!(
            d,
            desired_access(&f, Some("3390"), at("2026-11-22T10:00:00Z")).with_hint("3390")
        );
    }

    impl DesiredAccess {
        fn with_hint(mut self, hint: &str) -> Self {
            self.home_location_hint = Some(hint.into());
            self
        }
    }

    #[test]
    fn inactive_user_gets_no_plan_grant() {
        let mut f = facts();
        f.is_active = false;
        f.plans = vec![plan("1", PlanStatus::Active, &[])];
        assert!(
            desired_access(&f, None, at("2026-11-22T10:00:00Z"))
                .grants
                .is_empty()
        );
    }

    #[test]
    fn booking_grant_ends_at_local_midnight_of_the_booking_day() {
        let mut f = facts();
        // 14:00 in Rome (UTC+1 in November) → valid until 2026-11-23 00:00 Rome = 23:00Z.
        f.bookings = vec![booking(
            "39553",
            "2026-11-22T13:00:00Z",
            "3391",
            "Europe/Rome",
        )];
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        let g = &d.grants[&GrantKey {
            basis: Basis::Booking,
            source_id: "39553".into(),
        }];
        assert_eq!(g.valid_until, Some(at("2026-11-22T23:00:00Z")));
        assert_eq!(d.home_location_hint.as_deref(), Some("3391"));
    }

    fn booking_from_to(start: &str, end: &str) -> BookingFact {
        let mut b = booking("77", start, "3391", "Europe/Rome");
        b.end = at(end);
        b
    }

    #[test]
    fn a_booking_past_local_midnight_keeps_its_key_until_the_end_of_the_day_it_ends() {
        let rome = chrono_tz::Europe::Rome;
        // 23:30–00:30 Rome (UTC+1): ends on the 23rd, so the key lives until the 23rd's end.
        let late = booking_from_to("2026-11-22T22:30:00Z", "2026-11-22T23:30:00Z");
        assert_eq!(booking_day_end(&late, rome), at("2026-11-23T23:00:00Z"));
        let mut f = facts();
        f.bookings = vec![late];
        let d = desired_access(&f, None, at("2026-11-22T22:45:00Z"));
        let g = d.grants.values().next().expect("grant");
        assert!(g.valid_until >= Some(at("2026-11-22T23:30:00Z")), "{g:?}");
        // The night daylight saving starts (29 March, 02:00 → 03:00): 23:30 on the 28th (UTC+1)
        // to 00:30 on the 29th ends on the 29th, whose midnight is 22:00Z (UTC+2).
        let dst = booking_from_to("2026-03-28T22:30:00Z", "2026-03-28T23:30:00Z");
        assert_eq!(booking_day_end(&dst, rome), at("2026-03-29T22:00:00Z"));
        // Ending exactly at local midnight: the day it filled, not the next one.
        let to_midnight = booking_from_to("2026-11-22T21:00:00Z", "2026-11-22T23:00:00Z");
        assert_eq!(
            booking_day_end(&to_midnight, rome),
            at("2026-11-22T23:00:00Z")
        );
        // An end before the start (bad data) falls back to the start's day.
        let backwards = booking_from_to("2026-11-22T13:00:00Z", "2026-11-22T12:00:00Z");
        assert_eq!(
            booking_day_end(&backwards, rome),
            at("2026-11-22T23:00:00Z")
        );
    }

    #[test]
    fn booking_day_end_follows_daylight_saving() {
        // 2026-03-29: Rome switches to UTC+2 at 02:00, so the next midnight is 22:00Z.
        let until = end_of_local_day(at("2026-03-29T10:00:00Z"), chrono_tz::Europe::Rome);
        assert_eq!(until, at("2026-03-29T22:00:00Z"));
        // 2026-10-25: back to UTC+1 → 23:00Z.
        let until = end_of_local_day(at("2026-10-25T10:00:00Z"), chrono_tz::Europe::Rome);
        assert_eq!(until, at("2026-10-25T23:00:00Z"));
        // Vancouver late evening local is already the next day in UTC: still that local day.
        let until = end_of_local_day(at("2026-11-23T06:30:00Z"), chrono_tz::America::Vancouver);
        assert_eq!(until, at("2026-11-23T08:00:00Z"));
    }

    #[test]
    fn cancelled_past_and_other_location_bookings_grant_nothing() {
        let mut f = facts();
        let mut cancelled = booking("1", "2026-11-22T13:00:00Z", "3391", "Europe/Rome");
        cancelled.is_canceled = true;
        f.bookings = vec![
            cancelled,
            booking("2", "2026-11-20T13:00:00Z", "3391", "Europe/Rome"),
            booking("3", "2026-11-22T13:00:00Z", "3390", "America/Vancouver"),
        ];
        let d = desired_access(&f, Some("3391"), at("2026-11-22T10:00:00Z"));
        assert!(d.grants.is_empty());
    }

    #[test]
    fn a_booking_on_a_later_day_starts_at_that_days_local_midnight() {
        let mut f = facts();
        f.bookings = vec![booking("9", "2026-11-24T13:00:00Z", "3391", "Europe/Rome")];
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        let g = d.grants.values().next().expect("grant");
        assert_eq!(g.valid_from, Some(at("2026-11-23T23:00:00Z")));
    }

    #[test]
    fn deleted_user_desires_nothing() {
        let mut f = facts();
        f.exists = false;
        f.plans = vec![plan("1", PlanStatus::Active, &[])];
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        assert!(!d.exists && d.grants.is_empty());
    }

    #[test]
    fn team_choice_is_stable_and_numeric() {
        let mut f = facts();
        f.teams = vec![team("10", "Ten"), team("9", "Nine")];
        assert_eq!(
            desired_access(&f, None, at("2026-11-22T10:00:00Z")).team,
            Some(team("9", "Nine"))
        );
    }

    fn team(id: &str, name: &str) -> TeamFact {
        TeamFact {
            team_id: id.into(),
            name: name.into(),
        }
    }

    fn mapped(template: &str, profile: AccessProfile) -> OrgPolicy {
        let mut policy = OrgPolicy::default();
        policy.plan_profiles.insert(template.into(), profile);
        policy
    }

    #[test]
    fn a_plan_mapped_to_no_wifi_grants_nothing() {
        let mut f = facts();
        f.plans = vec![plan("1", PlanStatus::Active, &[])];
        let policy = mapped(
            "916",
            AccessProfile {
                name: "virtual office".into(),
                wifi: false,
                ..AccessProfile::default()
            },
        );
        let d = super::desired_access(&f, None, at("2026-11-22T10:00:00Z"), &policy);
        assert!(d.grants.is_empty());
    }

    #[test]
    fn a_mapped_plan_carries_its_profile_onto_the_grant() {
        let mut f = facts();
        f.plans = vec![plan("1", PlanStatus::Active, &[])];
        let premium = AccessProfile {
            name: "premium".into(),
            wifi: true,
            vlan: Some(200),
            bandwidth_up_kbps: Some(50_000),
            bandwidth_down_kbps: Some(200_000),
            duration_hours: None,
            device_limit: None,
        };
        let d = super::desired_access(
            &f,
            None,
            at("2026-11-22T10:00:00Z"),
            &mapped("916", premium),
        );
        let grant = d.grants.values().next().expect("grant");
        assert_eq!(
            grant.network,
            Some(GrantNetwork {
                profile: "premium".into(),
                vlan: Some(200),
                bandwidth_up_kbps: Some(50_000),
                bandwidth_down_kbps: Some(200_000),
                device_limit: None,
            })
        );
        // Unmapped plans fall back to the organization's default profile.
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        assert_eq!(
            d.grants
                .values()
                .next()
                .and_then(|g| g.network.clone())
                .map(|n| n.profile),
            Some("standard".into())
        );
    }

    #[test]
    fn a_day_pass_lasts_24_hours_from_its_start() {
        let mut f = facts();
        let mut pass = plan("77", PlanStatus::Active, &["3390"]);
        pass.start = Some(at("2026-11-22T08:30:00Z"));
        f.plans = vec![pass];
        let policy = mapped(
            "916",
            AccessProfile {
                name: "daypass".into(),
                duration_hours: Some(24),
                ..AccessProfile::default()
            },
        );
        let d = super::desired_access(&f, None, at("2026-11-22T10:00:00Z"), &policy);
        let key = GrantKey {
            basis: Basis::DayPass,
            source_id: "77".into(),
        };
        assert_eq!(d.grants[&key].valid_until, Some(at("2026-11-23T08:30:00Z")));
        // Once the 24 hours are over, nothing is desired even though the plan is still ACTIVE.
        let later = super::desired_access(&f, None, at("2026-11-23T08:30:00Z"), &policy);
        assert!(later.grants.is_empty());
    }

    fn invitation(id: &str, start: &str, hours: i64) -> InvitationFact {
        InvitationFact {
            booking_id: id.into(),
            start: at(start),
            end: at(start) + Duration::hours(hours),
            is_canceled: false,
            declined: false,
            location_id: "3390".into(),
        }
    }

    #[test]
    fn a_meeting_guest_gets_access_from_an_hour_before_until_the_booking_ends() {
        let mut f = facts();
        f.invitations = vec![invitation("4001", "2026-11-22T14:00:00Z", 2)];
        let d = desired_access(&f, None, at("2026-11-22T10:00:00Z"));
        let grant = &d.grants[&GrantKey {
            basis: Basis::Guest,
            source_id: "4001".into(),
        }];
        assert_eq!(grant.valid_from, Some(at("2026-11-22T13:00:00Z")));
        assert_eq!(grant.valid_until, Some(at("2026-11-22T16:00:00Z")));
        assert_eq!(d.home_location_hint.as_deref(), Some("3390"));
    }

    #[test]
    fn declined_cancelled_and_finished_invitations_grant_nothing() {
        let mut f = facts();
        let mut declined = invitation("1", "2026-11-22T14:00:00Z", 2);
        declined.declined = true;
        let mut cancelled = invitation("2", "2026-11-22T14:00:00Z", 2);
        cancelled.is_canceled = true;
        f.invitations = vec![
            declined,
            cancelled,
            invitation("3", "2026-11-22T07:00:00Z", 2),
        ];
        assert!(
            desired_access(&f, None, at("2026-11-22T10:00:00Z"))
                .grants
                .is_empty()
        );
    }
}
