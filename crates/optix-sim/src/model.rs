//! The simulated Optix data: organizations with locations, users, plan templates, account
//! plans, teams and bookings. Loaded from a fixture whose times are relative to "now".

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Clone, Debug, Deserialize)]
pub struct App {
    pub client_id: String,
    pub secret: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Location {
    pub location_id: String,
    pub name: String,
    pub timezone: String,
}

#[derive(Clone, Debug)]
pub struct User {
    pub user_id: String,
    pub name: String,
    pub surname: String,
    pub email: String,
    pub is_admin: bool,
    pub is_active: bool,
    pub is_deleted: bool,
}

impl User {
    /// An active user, as Optix creates one.
    pub fn new(
        user_id: String,
        name: String,
        surname: String,
        email: String,
        is_admin: bool,
    ) -> User {
        User {
            user_id,
            name,
            surname,
            email,
            is_admin,
            is_active: true,
            is_deleted: false,
        }
    }

    pub fn fullname(&self) -> String {
        format!("{} {}", self.name, self.surname).trim().to_owned()
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct PlanTemplate {
    pub plan_template_id: String,
    pub name: String,
    pub in_all_locations: bool,
    #[serde(default)]
    pub location_ids: Vec<String>,
    #[serde(default)]
    pub price: String,
}

/// One type for the fixture file and the GraphQL `AccountPlanStatus` enum (both spell the
/// values in SCREAMING_SNAKE_CASE).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[graphql(name = "AccountPlanStatus")]
pub enum PlanStatus {
    Active,
    Canceled,
    Ended,
    InTrial,
    Upcoming,
    Unknown,
}

#[derive(Clone, Debug)]
pub struct AccountPlan {
    pub account_plan_id: String,
    pub user_id: String,
    pub plan_template_id: String,
    pub status: PlanStatus,
    pub start_timestamp: i64,
    pub end_timestamp: Option<i64>,
    pub canceled_timestamp: Option<i64>,
    pub created_timestamp: i64,
    /// Free trial days the plan began with (its status is IN_TRIAL while they last).
    pub trial_days: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Team {
    pub team_id: String,
    pub name: String,
    pub user_ids: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InviteeStatus {
    Pending,
    Attending,
    NotAttending,
    Maybe,
}

#[derive(Clone, Debug)]
pub struct Booking {
    pub booking_id: String,
    pub user_id: String,
    pub location_id: String,
    pub resource_id: String,
    pub resource_name: String,
    pub start_timestamp: i64,
    pub end_timestamp: i64,
    pub is_canceled: bool,
    /// Invited users (meeting-room guests) and their answer.
    pub invitees: Vec<(String, InviteeStatus)>,
}

#[derive(Clone, Debug)]
pub struct Organization {
    pub organization_id: String,
    pub name: String,
    pub timezone: String,
    /// The organization's default locale, as Optix's settings hold it (`en_US`, `fr_CA`).
    pub locale: String,
    /// The app's organization token; refused by the API while the app is uninstalled.
    pub token: String,
    pub app_installed: bool,
    pub locations: Vec<Location>,
    pub users: Vec<User>,
    pub plan_templates: Vec<PlanTemplate>,
    pub account_plans: Vec<AccountPlan>,
    pub teams: Vec<Team>,
    pub bookings: Vec<Booking>,
    /// Personal tokens (canvas tokens, ending in `p`) → user id.
    pub personal_tokens: HashMap<String, String>,
    /// Where each user and each user's plans are in `users` and `account_plans`.
    pub by_id: ById,
}

/// Positions in [`Organization::users`] and [`Organization::account_plans`] by user id, so a
/// GraphQL look-up by id does not scan every user and plan: a `FactsBatch` request asks for ten
/// users by id, the plans of a hundred and those plans' users, each a scan of 10,000 entries in
/// the bench's organization, under the simulator's one lock, on the cores the stack under test
/// shares (their hashing and iteration ~5.5 % of the two cores in the freshness scenario, by
/// perf). Users and plans are only ever pushed, so the index catches up with what was pushed since
/// ([`Organization::index_by_id`]); it answers only when it has caught up and every position it
/// gives holds the id, and anything else falls back to the scan.
#[derive(Clone, Debug, Default)]
pub struct ById {
    /// Every position of each id, in order (a deleted user's id may be pushed again).
    users: HashMap<String, Vec<usize>>,
    plans_by_user: HashMap<String, Vec<usize>>,
    users_indexed: usize,
    plans_indexed: usize,
}

/// The entries of `ids` by `index` (positions in `entries`), in the order they were pushed;
/// None unless the index covers all of `entries` and each position holds its id.
fn indexed<'a, 'i, T>(
    entries: &'a [T],
    (index, indexed): (&HashMap<String, Vec<usize>>, usize),
    ids: impl IntoIterator<Item = &'i str>,
    id_of: impl Fn(&T) -> &str,
) -> Option<Vec<&'a T>> {
    if indexed != entries.len() {
        return None;
    }
    let mut positions: Vec<(usize, &str)> = ids
        .into_iter()
        .flat_map(|id| {
            index
                .get(id)
                .into_iter()
                .flatten()
                .map(move |&position| (position, id))
        })
        .collect();
    positions.sort_unstable();
    positions
        .into_iter()
        .map(|(position, id)| entries.get(position).filter(|entry| id_of(entry) == id))
        .collect()
}

impl Organization {
    /// Brings [`ById`] up to date with the users and plans pushed since.
    pub fn index_by_id(&mut self) {
        let index = &mut self.by_id;
        if index.users_indexed > self.users.len() || index.plans_indexed > self.account_plans.len()
        {
            *index = ById::default();
        }
        for (i, user) in self.users.iter().enumerate().skip(index.users_indexed) {
            index.users.entry(user.user_id.clone()).or_default().push(i);
        }
        index.users_indexed = self.users.len();
        for (i, plan) in self
            .account_plans
            .iter()
            .enumerate()
            .skip(index.plans_indexed)
        {
            index
                .plans_by_user
                .entry(plan.user_id.clone())
                .or_default()
                .push(i);
        }
        index.plans_indexed = self.account_plans.len();
    }

    /// The first user with this id that is not deleted (`user(get_by_user_id:)`).
    pub fn live_user(&self, user_id: &str) -> Option<&User> {
        match self.users_with_ids([user_id]) {
            Some(users) => users.into_iter().find(|u| !u.is_deleted),
            None => self
                .users
                .iter()
                .find(|u| !u.is_deleted && u.user_id == user_id),
        }
    }

    /// Every user (deleted ones too) with one of `ids`, in the order they were pushed.
    pub fn users_among(&self, ids: &HashSet<&str>) -> Vec<&User> {
        self.users_with_ids(ids.iter().copied()).unwrap_or_else(|| {
            self.users
                .iter()
                .filter(|u| ids.contains(u.user_id.as_str()))
                .collect()
        })
    }

    fn users_with_ids<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Option<Vec<&User>> {
        let index = (&self.by_id.users, self.by_id.users_indexed);
        indexed(&self.users, index, ids, |u| &u.user_id)
    }

    /// The user's plans (any status), in the order they were pushed.
    pub fn plans_of(&self, user_id: &str) -> Vec<&AccountPlan> {
        self.plans_among(&HashSet::from([user_id]))
    }

    /// The plans (any status) of the users with one of `ids`, in the order they were pushed.
    pub fn plans_among(&self, ids: &HashSet<&str>) -> Vec<&AccountPlan> {
        let index = (&self.by_id.plans_by_user, self.by_id.plans_indexed);
        indexed(&self.account_plans, index, ids.iter().copied(), |p| {
            &p.user_id
        })
        .unwrap_or_else(|| {
            self.account_plans
                .iter()
                .filter(|p| ids.contains(p.user_id.as_str()))
                .collect()
        })
    }

    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.user_id == user_id)
    }
    pub fn template(&self, id: &str) -> Option<&PlanTemplate> {
        self.plan_templates
            .iter()
            .find(|t| t.plan_template_id == id)
    }
    pub fn location(&self, id: &str) -> Option<&Location> {
        self.locations.iter().find(|l| l.location_id == id)
    }
    pub fn user_mut(&mut self, user_id: &str) -> anyhow::Result<&mut User> {
        self.users
            .iter_mut()
            .find(|u| u.user_id == user_id)
            .ok_or_else(|| anyhow::anyhow!("unknown user"))
    }
    pub fn team_mut(&mut self, team_id: &str) -> anyhow::Result<&mut Team> {
        self.teams
            .iter_mut()
            .find(|t| t.team_id == team_id)
            .ok_or_else(|| anyhow::anyhow!("unknown team"))
    }
    pub fn teams_of(&self, user_id: &str) -> Vec<&Team> {
        self.teams
            .iter()
            .filter(|t| t.user_ids.iter().any(|u| u == user_id))
            .collect()
    }
}

/// Optix's locale for an organization that set none.
pub fn default_locale() -> String {
    "en_US".to_owned()
}

// ── Fixture format ──────────────────────────────────────────────────────────────────────────

#[derive(Deserialize)]
pub struct Fixture {
    pub app: App,
    pub organizations: Vec<OrganizationFixture>,
}

#[derive(Deserialize)]
pub struct OrganizationFixture {
    organization_id: String,
    name: String,
    timezone: String,
    #[serde(default = "default_locale")]
    locale: String,
    token: String,
    locations: Vec<Location>,
    users: Vec<UserFixture>,
    plan_templates: Vec<PlanTemplate>,
    #[serde(default)]
    account_plans: Vec<PlanFixture>,
    #[serde(default)]
    teams: Vec<Team>,
    #[serde(default)]
    bookings: Vec<BookingFixture>,
}

#[derive(Deserialize)]
struct UserFixture {
    user_id: String,
    name: String,
    surname: String,
    email: String,
    #[serde(default)]
    is_admin: bool,
}

#[derive(Deserialize)]
struct PlanFixture {
    account_plan_id: String,
    user_id: String,
    plan_template_id: String,
    status: PlanStatus,
    #[serde(default)]
    start_days_ago: i64,
    #[serde(default)]
    ends_in_days: Option<i64>,
}

#[derive(Deserialize)]
struct BookingFixture {
    booking_id: String,
    user_id: String,
    location_id: String,
    resource_id: String,
    resource_name: String,
    /// 0 = today in the location's time zone.
    day_offset: i64,
    /// Local start time, `HH:MM`.
    start_local: String,
    duration_minutes: i64,
    #[serde(default)]
    invitee_ids: Vec<String>,
}

pub const DEMO_FIXTURE: &str = include_str!("../../../deploy/demo/optix-demo.json");

/// Builds the state from a fixture, resolving relative times against `now`.
pub fn load(
    fixture_json: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<(App, BTreeMap<String, Organization>)> {
    let fixture: Fixture = serde_json::from_str(fixture_json)?;
    let mut orgs = BTreeMap::new();
    for o in fixture.organizations {
        let org = o.resolve(now)?;
        orgs.insert(org.organization_id.clone(), org);
    }
    Ok((fixture.app, orgs))
}

impl OrganizationFixture {
    /// The organization as of `now`: relative days and local times become timestamps.
    fn resolve(self, now: DateTime<Utc>) -> anyhow::Result<Organization> {
        let bookings = self
            .bookings
            .into_iter()
            .map(|b| b.resolve(&self.locations, now))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Organization {
            organization_id: self.organization_id,
            name: self.name,
            timezone: self.timezone,
            locale: self.locale,
            token: self.token,
            app_installed: true,
            locations: self.locations,
            users: self.users.into_iter().map(UserFixture::resolve).collect(),
            plan_templates: self.plan_templates,
            account_plans: self
                .account_plans
                .into_iter()
                .map(|p| p.resolve(now))
                .collect(),
            teams: self.teams,
            bookings,
            personal_tokens: HashMap::new(),
            by_id: ById::default(),
        })
    }
}

impl UserFixture {
    fn resolve(self) -> User {
        User::new(
            self.user_id,
            self.name,
            self.surname,
            self.email,
            self.is_admin,
        )
    }
}

impl PlanFixture {
    fn resolve(self, now: DateTime<Utc>) -> AccountPlan {
        let start = (now - Duration::days(self.start_days_ago)).timestamp();
        AccountPlan {
            account_plan_id: self.account_plan_id,
            user_id: self.user_id,
            plan_template_id: self.plan_template_id,
            status: self.status,
            start_timestamp: start,
            end_timestamp: self
                .ends_in_days
                .map(|d| (now + Duration::days(d)).timestamp()),
            canceled_timestamp: None,
            created_timestamp: start,
            trial_days: 0,
        }
    }
}

impl BookingFixture {
    /// The booking on its day, at its local start time in its location's time zone.
    fn resolve(self, locations: &[Location], now: DateTime<Utc>) -> anyhow::Result<Booking> {
        let tz_name = locations
            .iter()
            .find(|l| l.location_id == self.location_id)
            .map(|l| l.timezone.clone())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "booking {} names unknown location {}",
                    self.booking_id,
                    self.location_id
                )
            })?;
        let tz: chrono_tz::Tz = tz_name
            .parse()
            .map_err(|_| anyhow::anyhow!("unknown time zone {tz_name}"))?;
        let day = now.with_timezone(&tz).date_naive() + Duration::days(self.day_offset);
        let time = NaiveTime::parse_from_str(&self.start_local, "%H:%M")?;
        let start = tz
            .from_local_datetime(&day.and_time(time))
            .earliest()
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "booking {} starts at a nonexistent local time",
                    self.booking_id
                )
            })?
            .with_timezone(&Utc);
        Ok(Booking {
            booking_id: self.booking_id,
            user_id: self.user_id,
            location_id: self.location_id,
            resource_id: self.resource_id,
            resource_name: self.resource_name,
            start_timestamp: start.timestamp(),
            end_timestamp: (start + Duration::minutes(self.duration_minutes)).timestamp(),
            is_canceled: false,
            invitees: self
                .invitee_ids
                .into_iter()
                .map(|u| (u, InviteeStatus::Pending))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_fixture_loads_with_todays_booking_in_the_location_time_zone() {
        let now = Utc::now();
        let (app, orgs) = load(DEMO_FIXTURE, now).expect("demo fixture");
        assert_eq!(app.client_id, "lanyard-demo-app");
        let org = &orgs["6267"];
        assert!(org.token.ends_with('o'), "organization tokens end in o");
        assert_eq!(org.locations.len(), 2);
        let booking = &org.bookings[0];
        let rome: chrono_tz::Tz = "Europe/Rome".parse().expect("tz");
        let start = DateTime::from_timestamp(booking.start_timestamp, 0)
            .expect("ts")
            .with_timezone(&rome);
        assert_eq!(start.date_naive(), now.with_timezone(&rome).date_naive());
        assert_eq!(start.format("%H:%M").to_string(), "14:00");
    }

    fn plan(id: &str, user_id: &str, status: PlanStatus) -> AccountPlan {
        AccountPlan {
            account_plan_id: id.into(),
            user_id: user_id.into(),
            plan_template_id: "t".into(),
            status,
            start_timestamp: 0,
            end_timestamp: None,
            canceled_timestamp: None,
            created_timestamp: 0,
            trial_days: 0,
        }
    }

    #[test]
    fn look_ups_by_id_answer_as_the_scans_do_before_and_after_the_index_catches_up() {
        let (_, mut orgs) = load(DEMO_FIXTURE, Utc::now()).expect("demo fixture");
        let mut org = orgs.remove("6267").expect("the demo organization");
        let user =
            |id: &str| User::new(id.into(), "N".into(), "S".into(), format!("{id}@x"), false);
        let scan_live = |org: &Organization, id: &str| {
            org.users
                .iter()
                .find(|u| !u.is_deleted && u.user_id == id)
                .map(|u| u.email.clone())
        };
        let scan_plans = |org: &Organization, id: &str| {
            org.account_plans
                .iter()
                .filter(|p| p.user_id == id)
                .map(|p| p.account_plan_id.clone())
                .collect::<Vec<_>>()
        };
        let check = |org: &Organization| {
            for id in ["u1", "u2", "u3", "nobody"] {
                assert_eq!(
                    org.live_user(id).map(|u| u.email.clone()),
                    scan_live(org, id),
                    "{id}"
                );
                let indexed: Vec<String> = org
                    .plans_of(id)
                    .into_iter()
                    .map(|p| p.account_plan_id.clone())
                    .collect();
                assert_eq!(indexed, scan_plans(org, id), "{id}");
            }
            // Many ids at once: every entry of each, in the order pushed, as a scan finds them.
            let ids = HashSet::from(["u1", "u2", "nobody"]);
            let plans: Vec<&str> = org
                .plans_among(&ids)
                .into_iter()
                .map(|p| p.account_plan_id.as_str())
                .collect();
            let scanned: Vec<&str> = org
                .account_plans
                .iter()
                .filter(|p| ids.contains(p.user_id.as_str()))
                .map(|p| p.account_plan_id.as_str())
                .collect();
            assert_eq!(plans, scanned);
            let users: Vec<(&str, &str)> = org
                .users_among(&ids)
                .into_iter()
                .map(|u| (u.user_id.as_str(), u.email.as_str()))
                .collect();
            let scanned: Vec<(&str, &str)> = org
                .users
                .iter()
                .filter(|u| ids.contains(u.user_id.as_str()))
                .map(|u| (u.user_id.as_str(), u.email.as_str()))
                .collect();
            assert_eq!(users, scanned);
        };
        org.users.push(user("u1"));
        org.account_plans.push(plan("p1", "u1", PlanStatus::Active));
        check(&org);
        org.index_by_id();
        check(&org);
        // Pushed after the index: found by the scan until it catches up, then by the index.
        org.users.push(user("u2"));
        org.account_plans
            .push(plan("p2", "u2", PlanStatus::InTrial));
        org.account_plans
            .push(plan("p3", "u1", PlanStatus::Canceled));
        check(&org);
        org.index_by_id();
        check(&org);
        // The indexed user deleted, a live one with the same id after it: the live one.
        let mut again = user("u1");
        again.email = "again@x".into();
        org.users.push(again);
        org.index_by_id();
        org.user_mut("u1").expect("u1").is_deleted = true;
        check(&org);
        assert_eq!(
            org.live_user("u1").map(|u| u.email.as_str()),
            Some("again@x")
        );
    }
}
