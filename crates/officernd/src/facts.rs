//! What OfficeRnD's records say about one person, in the domain's words
//! (`domain::access::MemberFacts`), so the access rules never know which platform spoke
//! (docs/officernd.md §13). A member is known by their `_id`; a guest (an OfficeRnD visitor,
//! not a member) by `visitor_<id>`, so the two can never meet.

use crate::client::{Credentials, OfficeRndClient, OfficeRndError};
use crate::model::{Booking, Company, Location, Member, Membership, Visitor};
use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::access::{BookingFact, InvitationFact, MemberFacts, PlanFact, PlanStatus, TeamFact};
use std::collections::{BTreeSet, HashMap};

const VISITOR_PREFIX: &str = "visitor_";

/// The Lanyard user id of an OfficeRnD visitor (a meeting guest).
pub fn visitor_user_id(visitor_id: &str) -> String {
    format!("{VISITOR_PREFIX}{visitor_id}")
}

/// The records of one organization that decide access (or of the people a batch names).
#[derive(Clone, Debug, Default)]
pub struct Records {
    pub members: HashMap<String, Member>,
    pub memberships: Vec<Membership>,
    pub companies: HashMap<String, Company>,
    pub locations: HashMap<String, Location>,
    pub bookings: Vec<Booking>,
    pub visitors: HashMap<String, Visitor>,
}

impl Records {
    fn timezone(&self, location: Option<&str>) -> Tz {
        location
            .and_then(|l| self.locations.get(l))
            .and_then(|l| l.timezone.as_deref())
            .and_then(|tz| tz.parse().ok())
            .unwrap_or(Tz::UTC)
    }

    /// Everyone the records concern: members, and the members and guests of bookings.
    pub fn users(&self) -> BTreeSet<String> {
        let mut users: BTreeSet<String> = self.members.keys().cloned().collect();
        for booking in &self.bookings {
            users.extend(booking.member.iter().cloned());
            users.extend(booking.members.iter().cloned());
            users.extend(booking.visitors.iter().map(|v| visitor_user_id(v)));
        }
        users
    }
}

/// Bookings are read from a day back to two days ahead (as for Optix).
pub fn booking_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - Duration::days(1), now + Duration::days(2))
}

/// Midnight starting `date` in `tz`, as UTC (a skipped midnight: the first instant after).
fn local_midnight(date: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let midnight = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(midnight + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// A membership date (`YYYY-MM-DD…`): its first ten characters.
fn date(value: Option<&str>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value?.get(..10)?, "%Y-%m-%d").ok()
}

fn instant(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A membership as a plan: from the start of its first day to the end of its last (an
/// inclusive `endDate`), in its location's zone; only `calculatedStatus == active` grants
/// (unknown values deny: docs/officernd.md §11).
fn plan_fact(membership: &Membership, records: &Records) -> PlanFact {
    let tz = records.timezone(membership.location.as_deref());
    let start = date(membership.start_date.as_deref()).and_then(|d| local_midnight(d, tz));
    let end = date(membership.end_date.as_deref())
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .and_then(|d| local_midnight(d, tz));
    PlanFact {
        account_plan_id: membership.id.clone(),
        plan_template_id: membership.plan.clone(),
        status: if membership.calculated_status.as_deref() == Some("active") {
            PlanStatus::Active
        } else {
            PlanStatus::Other
        },
        start,
        end,
        in_all_locations: membership.location.is_none(),
        location_ids: membership.location.iter().cloned().collect(),
    }
}

fn booking_times(booking: &Booking) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((
        instant(&booking.start.date_time)?,
        instant(&booking.end.date_time)?,
    ))
}

fn booking_fact(booking: &Booking, records: &Records) -> Option<BookingFact> {
    let (start, end) = booking_times(booking)?;
    let timezone = booking
        .timezone
        .clone()
        .filter(|tz| tz.parse::<Tz>().is_ok())
        .unwrap_or_else(|| {
            records
                .timezone(booking.location.as_deref())
                .name()
                .to_owned()
        });
    Some(BookingFact {
        booking_id: booking.id.clone(),
        start,
        end,
        is_canceled: booking.canceled,
        location_id: booking.location.clone().unwrap_or_default(),
        location_timezone: timezone,
    })
}

fn invitation_fact(booking: &Booking) -> Option<InvitationFact> {
    let (start, end) = booking_times(booking)?;
    Some(InvitationFact {
        booking_id: booking.id.clone(),
        start,
        end,
        is_canceled: booking.canceled,
        declined: false,
        location_id: booking.location.clone().unwrap_or_default(),
    })
}

/// What the records say about `user_id` (a member id or a [`visitor_user_id`]): absent means
/// gone (a removed member is shredded, as a deleted Optix user).
pub fn member_facts(user_id: &str, records: &Records) -> MemberFacts {
    if let Some(visitor_id) = user_id.strip_prefix(VISITOR_PREFIX) {
        return visitor_facts(user_id, visitor_id, records);
    }
    let Some(member) = records.members.get(user_id) else {
        return MemberFacts::gone(user_id);
    };
    let company = member.company.as_deref();
    let plans = records
        .memberships
        .iter()
        .filter(|m| match m.member.as_deref() {
            Some(holder) => holder == user_id,
            // A company membership covers the company's members.
            None => company.is_some() && m.company.as_deref() == company,
        })
        .map(|m| plan_fact(m, records))
        .collect();
    MemberFacts {
        user_id: user_id.to_owned(),
        email: member.email.clone().unwrap_or_default(),
        fullname: member.name.clone(),
        exists: true,
        // The member's status is a CRM stage; memberships carry the entitlement.
        is_active: true,
        plans,
        bookings: records
            .bookings
            .iter()
            .filter(|b| b.member.as_deref() == Some(user_id))
            .filter_map(|b| booking_fact(b, records))
            .collect(),
        invitations: records
            .bookings
            .iter()
            .filter(|b| b.members.iter().any(|m| m == user_id))
            .filter_map(invitation_fact)
            .collect(),
        teams: company
            .and_then(|c| records.companies.get(c))
            .map(|c| TeamFact {
                team_id: c.id.clone(),
                name: c.name.clone(),
            })
            .into_iter()
            .collect(),
    }
}

/// A guest: their visitor record (without an email no passphrase can reach them: gone) and
/// the bookings that list them.
fn visitor_facts(user_id: &str, visitor_id: &str, records: &Records) -> MemberFacts {
    let Some(visitor) = records.visitors.get(visitor_id) else {
        return MemberFacts::gone(user_id);
    };
    let Some(email) = visitor.email.clone().filter(|e| !e.is_empty()) else {
        return MemberFacts::gone(user_id);
    };
    MemberFacts {
        email,
        fullname: visitor.name.clone(),
        invitations: records
            .bookings
            .iter()
            .filter(|b| b.visitors.iter().any(|v| v == visitor_id))
            .filter_map(invitation_fact)
            .collect(),
        exists: true,
        is_active: true,
        ..MemberFacts::gone(user_id)
    }
}

fn window_filters(now: DateTime<Utc>) -> [(&'static str, String); 2] {
    let (from, to) = booking_window(now);
    [
        ("start[$gte]", from.to_rfc3339()),
        ("start[$lte]", to.to_rfc3339()),
    ]
}

fn keyed<T>(records: Vec<T>, id: impl Fn(&T) -> String) -> HashMap<String, T> {
    records.into_iter().map(|r| (id(&r), r)).collect()
}

/// Everything about the organization (a full sync): members, memberships, companies,
/// locations, the booking window and the visitors.
pub async fn snapshot(
    client: &OfficeRndClient,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> Result<Records, OfficeRndError> {
    let window = window_filters(now);
    let window: Vec<(&str, &str)> = window.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(Records {
        members: keyed(
            client.list(credentials, "members", &[]).await?,
            |m: &Member| m.id.clone(),
        ),
        memberships: client.list(credentials, "memberships", &[]).await?,
        companies: keyed(
            client.list(credentials, "companies", &[]).await?,
            |c: &Company| c.id.clone(),
        ),
        locations: keyed(
            client.list(credentials, "locations", &[]).await?,
            |l: &Location| l.id.clone(),
        ),
        bookings: client.list(credentials, "bookings", &window).await?,
        visitors: keyed(
            client.list(credentials, "visitors", &[]).await?,
            |v: &Visitor| v.id.clone(),
        ),
    })
}

/// Who changed since `since` (a periodic sync between full sweeps, docs/officernd.md §10):
/// the members and memberships modified since (a company membership: the company's
/// members), and everyone in the booking window (bookings have no `modifiedAt` filter; the
/// window is three days). Removals leave nothing to list: the full sweep finds them.
pub async fn changed_since(
    client: &OfficeRndClient,
    credentials: &Credentials,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<BTreeSet<String>, OfficeRndError> {
    let since = since.to_rfc3339();
    let modified = [("modifiedAt[$gte]", since.as_str())];
    let members: Vec<Member> = client.list(credentials, "members", &modified).await?;
    let mut users: BTreeSet<String> = members.into_iter().map(|m| m.id).collect();
    let memberships: Vec<Membership> = client.list(credentials, "memberships", &modified).await?;
    let mut companies = BTreeSet::new();
    for membership in memberships {
        match membership.member {
            Some(member) => {
                users.insert(member);
            }
            None => companies.extend(membership.company),
        }
    }
    for company in companies {
        let theirs: Vec<Member> = client
            .list(credentials, "members", &[("company", &company)])
            .await?;
        users.extend(theirs.into_iter().map(|m| m.id));
    }
    let window = window_filters(now);
    let window: Vec<(&str, &str)> = window.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let in_window = Records {
        bookings: client.list(credentials, "bookings", &window).await?,
        ..Default::default()
    };
    users.extend(in_window.users());
    Ok(users)
}

/// The records about `users` only (a batch of webhooks): each member and their memberships,
/// their companies and the companies' memberships, the locations, the booking window, and
/// the visitors among `users`.
pub async fn about(
    client: &OfficeRndClient,
    credentials: &Credentials,
    users: &[String],
    now: DateTime<Utc>,
) -> Result<Records, OfficeRndError> {
    let mut records = Records::default();
    for user in users {
        if let Some(visitor_id) = user.strip_prefix(VISITOR_PREFIX) {
            if let Some(visitor) = client
                .one::<Visitor>(credentials, "visitors", visitor_id)
                .await?
            {
                records.visitors.insert(visitor.id.clone(), visitor);
            }
        } else if let Some(member) = client.one::<Member>(credentials, "members", user).await? {
            let theirs: Vec<Membership> = client
                .list(credentials, "memberships", &[("member", user)])
                .await?;
            records.memberships.extend(theirs);
            records.members.insert(member.id.clone(), member);
        }
    }
    let companies: BTreeSet<String> = records
        .members
        .values()
        .filter_map(|m| m.company.clone())
        .collect();
    for company_id in companies {
        if let Some(company) = client
            .one::<Company>(credentials, "companies", &company_id)
            .await?
        {
            records.companies.insert(company.id.clone(), company);
        }
        let shared: Vec<Membership> = client
            .list(credentials, "memberships", &[("company", &company_id)])
            .await?;
        records
            .memberships
            .extend(shared.into_iter().filter(|m| m.member.is_none()));
    }
    let window = window_filters(now);
    let window: Vec<(&str, &str)> = window.iter().map(|(k, v)| (*k, v.as_str())).collect();
    records.bookings = client.list(credentials, "bookings", &window).await?;
    records.locations = keyed(
        client.list(credentials, "locations", &[]).await?,
        |l: &Location| l.id.clone(),
    );
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::When;

    fn records() -> Records {
        let mut r = Records::default();
        r.locations.insert(
            "l1".into(),
            Location {
                id: "l1".into(),
                name: "Berlin".into(),
                timezone: Some("Europe/Berlin".into()),
            },
        );
        r.companies.insert(
            "c1".into(),
            Company {
                id: "c1".into(),
                name: "Acme".into(),
            },
        );
        r.members.insert(
            "m1".into(),
            Member {
                id: "m1".into(),
                name: "Ada".into(),
                email: Some("ada@example.com".into()),
                company: Some("c1".into()),
                location: Some("l1".into()),
                calculated_status: Some("active".into()),
                modified_at: None,
            },
        );
        r.memberships.push(Membership {
            id: "ms1".into(),
            name: "Hot Desk".into(),
            member: None,
            company: Some("c1".into()),
            is_personal: false,
            plan: "p1".into(),
            location: Some("l1".into()),
            start_date: Some("2026-11-01".into()),
            end_date: Some("2026-11-30".into()),
            calculated_status: Some("active".into()),
            modified_at: None,
        });
        r.bookings.push(Booking {
            id: "b1".into(),
            start: When {
                date_time: "2026-11-30T10:00:00Z".into(),
            },
            end: When {
                date_time: "2026-11-30T11:00:00Z".into(),
            },
            timezone: None,
            member: Some("m1".into()),
            company: None,
            members: vec![],
            visitors: vec!["v1".into(), "v2".into()],
            canceled: false,
            location: Some("l1".into()),
            resource_id: None,
        });
        r.visitors.insert(
            "v1".into(),
            Visitor {
                id: "v1".into(),
                name: "Guest".into(),
                email: Some("g@example.com".into()),
            },
        );
        r.visitors.insert(
            "v2".into(),
            Visitor {
                id: "v2".into(),
                name: "No mail".into(),
                email: None,
            },
        );
        r
    }

    #[test]
    fn a_company_membership_covers_its_members_through_its_last_local_day() {
        let facts = member_facts("m1", &records());
        assert!(facts.exists);
        assert_eq!(facts.teams[0].team_id, "c1");
        let plan = &facts.plans[0];
        assert_eq!(plan.status, PlanStatus::Active);
        assert_eq!(plan.location_ids, vec!["l1".to_owned()]);
        // 30 November ends at midnight in Berlin: 23:00 UTC.
        assert_eq!(plan.end, instant("2026-11-30T23:00:00Z"));
        assert_eq!(facts.bookings[0].location_timezone, "Europe/Berlin");
    }

    #[test]
    fn a_guest_is_a_visitor_with_an_email_and_a_removed_member_is_gone() {
        let r = records();
        let guest = member_facts(&visitor_user_id("v1"), &r);
        assert!(guest.exists);
        assert_eq!(guest.invitations.len(), 1);
        assert!(
            !member_facts(&visitor_user_id("v2"), &r).exists,
            "no email, no passphrase"
        );
        assert!(!member_facts("m2", &r).exists);
        assert!(r.users().contains("visitor_v1"));
    }
}
