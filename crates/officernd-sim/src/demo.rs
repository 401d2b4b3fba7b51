//! The demo organization `make up` seeds beside the Optix one (docs/officernd.md §14, item 9):
//! two locations in different zones, seed 001's plans, a company with members, personal and
//! company memberships, a meeting-room booking with a guest, and a day pass.

use crate::model::{Application, Organization};
use officernd::model::{Booking, Company, Location, Member, Membership, Plan, Visitor, When};

pub const DEMO_SLUG: &str = "lanyard-demo";
pub const DEMO_ORG_ID: &str = "5f0000000000000000000001";
pub const DEMO_CLIENT_ID: &str = "lanyard-officernd-demo";
pub const DEMO_CLIENT_SECRET: &str = "officernd-demo-secret-change-me";
pub const BERLIN: &str = "5f00000000000000000000b1";
pub const LISBON: &str = "5f00000000000000000000b2";
pub const HOT_DESK: &str = "5f00000000000000000000c1";
pub const DEDICATED_DESK: &str = "5f00000000000000000000c2";
pub const PRIVATE_OFFICE: &str = "5f00000000000000000000c3";
pub const VIRTUAL_OFFICE: &str = "5f00000000000000000000c4";
pub const DAY_PASS: &str = "5f00000000000000000000c5";
pub const ACME: &str = "5f00000000000000000000d1";

fn member(id: &str, name: &str, company: Option<&str>) -> Member {
    Member {
        id: id.into(),
        name: name.into(),
        email: Some(format!(
            "{}@officernd.example",
            name.to_lowercase().replace(' ', ".")
        )),
        company: company.map(str::to_owned),
        location: Some(BERLIN.into()),
        calculated_status: Some("active".into()),
        modified_at: None,
    }
}

fn membership(
    id: &str,
    member: Option<&str>,
    company: Option<&str>,
    plan: &str,
    start: &str,
) -> Membership {
    Membership {
        id: id.into(),
        name: String::new(),
        member: member.map(str::to_owned),
        company: company.map(str::to_owned),
        is_personal: member.is_some(),
        plan: plan.into(),
        location: Some(BERLIN.into()),
        start_date: Some(start.into()),
        end_date: None,
        calculated_status: None,
        modified_at: None,
    }
}

/// The demo organization: its memberships start on the day `now` falls on in Berlin (where
/// they are), and its meeting is an hour from `now`.
pub fn organization(now: chrono::DateTime<chrono::Utc>) -> Organization {
    let mut org = Organization {
        id: DEMO_ORG_ID.into(),
        slug: DEMO_SLUG.into(),
        name: "Lanyard Demo (OfficeRnD)".into(),
        applications: vec![Application {
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
        }],
        ..Default::default()
    };
    add_catalogue(&mut org);
    let today = org.local_date(Some(BERLIN), now);
    add_people(&mut org, &today);
    add_meeting(&mut org, now);
    org
}

/// Two locations in different zones, seed 001's plans, one company.
fn add_catalogue(org: &mut Organization) {
    for (id, name, tz) in [
        (BERLIN, "Berlin Mitte", "Europe/Berlin"),
        (LISBON, "Lisbon Baixa", "Europe/Lisbon"),
    ] {
        org.locations.insert(
            id.into(),
            Location {
                id: id.into(),
                name: name.into(),
                timezone: Some(tz.into()),
            },
        );
    }
    for (id, name) in [
        (HOT_DESK, "Hot Desk"),
        (DEDICATED_DESK, "Dedicated Desk"),
        (PRIVATE_OFFICE, "Private Office"),
        (VIRTUAL_OFFICE, "Virtual Office"),
        (DAY_PASS, "Day Pass"),
    ] {
        org.plans.insert(
            id.into(),
            Plan {
                id: id.into(),
                name: name.into(),
                locations: vec![BERLIN.into(), LISBON.into()],
            },
        );
    }
    org.companies.insert(
        ACME.into(),
        Company {
            id: ACME.into(),
            name: "Acme Robotics".into(),
        },
    );
}

/// Members (two of the company), personal, company and day-pass memberships.
fn add_people(org: &mut Organization, today: &str) {
    for m in [
        member("5f00000000000000000000e1", "Ada Lovelace", None),
        member("5f00000000000000000000e2", "Grace Hopper", Some(ACME)),
        member("5f00000000000000000000e3", "Alan Turing", Some(ACME)),
        member("5f00000000000000000000e4", "Day Tripper", None),
    ] {
        org.members.insert(m.id.clone(), m);
    }
    for ms in [
        membership(
            "5f00000000000000000000f1",
            Some("5f00000000000000000000e1"),
            None,
            HOT_DESK,
            today,
        ),
        membership(
            "5f00000000000000000000f2",
            None,
            Some(ACME),
            PRIVATE_OFFICE,
            today,
        ),
        membership(
            "5f00000000000000000000f3",
            Some("5f00000000000000000000e4"),
            None,
            DAY_PASS,
            today,
        ),
    ] {
        org.memberships.insert(ms.id.clone(), ms);
    }
}

/// A meeting-room booking an hour from `now` with a visitor.
fn add_meeting(org: &mut Organization, now: chrono::DateTime<chrono::Utc>) {
    org.visitors.insert(
        "5f00000000000000000000a1".into(),
        Visitor {
            id: "5f00000000000000000000a1".into(),
            name: "Guest Visitor".into(),
            email: Some("guest@officernd.example".into()),
        },
    );
    let start = now + chrono::Duration::hours(1);
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    org.bookings.insert(
        "5f0000000000000000000091".into(),
        Booking {
            id: "5f0000000000000000000091".into(),
            start: When {
                date_time: stamp(start),
            },
            end: When {
                date_time: stamp(start + chrono::Duration::hours(1)),
            },
            timezone: Some("Europe/Berlin".into()),
            member: Some("5f00000000000000000000e1".into()),
            company: None,
            members: vec![],
            visitors: vec!["5f00000000000000000000a1".into()],
            canceled: false,
            location: Some(BERLIN.into()),
            resource_id: Some("meeting-room-1".into()),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use officernd::facts::{Records, member_facts};

    /// What Lanyard reads of the demo at `now`: memberships with their status on the
    /// location's calendar, as the API lists them.
    fn records_at(org: &Organization, now: chrono::DateTime<Utc>) -> Records {
        Records {
            members: org.members.clone().into_iter().collect(),
            memberships: org
                .memberships
                .values()
                .map(|m| {
                    let mut m = m.clone();
                    m.calculated_status = Some(org.membership_status(&m, now).to_owned());
                    m
                })
                .collect(),
            locations: org.locations.clone().into_iter().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_day_pass_has_begun_and_not_ended_at_every_hour_of_the_utc_day() {
        // 23:30 UTC is already tomorrow in Berlin: the hour a UTC "today" broke.
        for hour in 0..24 {
            let now = Utc.with_ymd_and_hms(2026, 12, 1, hour, 30, 0).unwrap();
            let org = organization(now);
            let tripper = member_facts("5f00000000000000000000e4", &records_at(&org, now));
            let plan = &tripper.plans[0];
            let start = plan.start.expect("a start");
            assert!(
                start <= now && now < start + chrono::Duration::hours(24),
                "at {now} the day pass runs from {start}"
            );
            assert_eq!(plan.status, domain::access::PlanStatus::Active, "at {now}");
        }
    }
}
