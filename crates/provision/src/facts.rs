//! From what the Optix API answered (for many users at once) to the domain's facts about one.

use chrono::{DateTime, Duration, Utc};
use domain::access::{BookingFact, InvitationFact, MemberFacts, PlanFact, PlanStatus, TeamFact};
use optix::api::{self, Facts, InviteeStatus};
use std::collections::{BTreeSet, HashMap};

/// Bookings are read from a day back (a booking that started yesterday evening may still be
/// today's) to two days ahead; later ones come into the window at a periodic sync, days before
/// their key is needed.
pub fn booking_window(now: DateTime<Utc>) -> (i64, i64) {
    (
        (now - Duration::days(1)).timestamp(),
        (now + Duration::days(2)).timestamp(),
    )
}

fn timestamp(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}

/// The facts about `user_id`: absent from `facts.users` or deleted means gone.
pub fn member_facts(user_id: &str, facts: &Facts) -> MemberFacts {
    member_facts_among(user_id, facts, facts.plans.iter(), facts.bookings.iter())
}

/// [`member_facts`] with the plans and bookings to look at given: all of them, or those an
/// index holds for the user (each of those is still checked, so a superset is fine).
fn member_facts_among<'a>(
    user_id: &str,
    facts: &Facts,
    plans: impl Iterator<Item = &'a api::Plan>,
    bookings: impl Iterator<Item = &'a api::Booking> + Clone,
) -> MemberFacts {
    let Some(user) = facts.users.get(user_id).filter(|u| !u.is_deleted) else {
        return MemberFacts::gone(user_id);
    };
    MemberFacts {
        user_id: user_id.to_owned(),
        email: user.email.clone(),
        fullname: user.fullname.clone(),
        exists: true,
        is_active: user.is_active,
        plans: plans
            .filter(|p| p.user_id.as_deref() == Some(user_id))
            .map(plan_fact)
            .collect(),
        bookings: bookings
            .clone()
            .filter(|b| b.user_id.as_deref() == Some(user_id))
            .filter_map(|b| {
                Some(BookingFact {
                    booking_id: b.booking_id.clone(),
                    start: DateTime::from_timestamp(b.start_timestamp, 0)?,
                    end: DateTime::from_timestamp(b.end_timestamp, 0)?,
                    is_canceled: b.is_canceled,
                    location_id: b.location_id.clone(),
                    location_timezone: b.location_timezone.clone(),
                })
            })
            .collect(),
        invitations: bookings
            .filter_map(|b| {
                let invitee = b.invitees.iter().find(|i| i.user_id == user_id)?;
                Some(InvitationFact {
                    booking_id: b.booking_id.clone(),
                    start: DateTime::from_timestamp(b.start_timestamp, 0)?,
                    end: DateTime::from_timestamp(b.end_timestamp, 0)?,
                    is_canceled: b.is_canceled,
                    declined: invitee.status == InviteeStatus::NotAttending,
                    location_id: b.location_id.clone(),
                })
            })
            .collect(),
        teams: user
            .teams
            .iter()
            .map(|t| TeamFact {
                team_id: t.team_id.clone(),
                name: t.name.clone(),
            })
            .collect(),
    }
}

pub fn plan_fact(p: &api::Plan) -> PlanFact {
    PlanFact {
        account_plan_id: p.account_plan_id.clone(),
        plan_template_id: p.plan_template_id.clone(),
        status: match p.status {
            api::PlanStatus::Active => PlanStatus::Active,
            api::PlanStatus::InTrial => PlanStatus::InTrial,
            _ => PlanStatus::Other,
        },
        start: timestamp(p.start_timestamp),
        end: timestamp(p.end_timestamp),
        in_all_locations: p.in_all_locations,
        location_ids: p.location_ids.clone(),
    }
}

/// Every user the facts concern: users, plan holders, bookers and invitees.
pub fn users_in(facts: &Facts) -> impl Iterator<Item = &str> {
    facts
        .users
        .keys()
        .map(String::as_str)
        .chain(facts.plans.iter().filter_map(|p| p.user_id.as_deref()))
        .chain(facts.bookings.iter().flat_map(|b| {
            b.user_id
                .as_deref()
                .into_iter()
                .chain(b.invitees.iter().map(|i| i.user_id.as_str()))
        }))
}

/// The organization's facts indexed by user, so a sync finds each member's share without
/// scanning all plans and bookings for every member (quadratic in the organization's size).
pub struct FactsIndex<'a> {
    facts: &'a Facts,
    plans: HashMap<&'a str, Vec<usize>>,
    bookings: HashMap<&'a str, Vec<usize>>,
}

impl<'a> FactsIndex<'a> {
    pub fn new(facts: &'a Facts) -> FactsIndex<'a> {
        let mut plans: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, plan) in facts.plans.iter().enumerate() {
            if let Some(user) = plan.user_id.as_deref() {
                plans.entry(user).or_default().push(i);
            }
        }
        let mut bookings: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, booking) in facts.bookings.iter().enumerate() {
            let people = booking
                .user_id
                .as_deref()
                .into_iter()
                .chain(booking.invitees.iter().map(|i| i.user_id.as_str()));
            for user in people {
                let theirs = bookings.entry(user).or_default();
                // Once per booking, even for a booker who also invited themself.
                if theirs.last() != Some(&i) {
                    theirs.push(i);
                }
            }
        }
        FactsIndex {
            facts,
            plans,
            bookings,
        }
    }

    /// [`member_facts`] of one user, looking only at the plans and bookings indexed for them:
    /// a batch's members in O(members + plans + bookings), not O(members × (plans + bookings)).
    pub fn member_facts(&self, user_id: &str) -> MemberFacts {
        let plans = self.plans.get(user_id).into_iter().flatten();
        let bookings = self.bookings.get(user_id).into_iter().flatten();
        member_facts_among(
            user_id,
            self.facts,
            plans.map(|&i| &self.facts.plans[i]),
            bookings.map(|&i| &self.facts.bookings[i]),
        )
    }

    /// Everything about `users` and nothing else: for each of them, [`member_facts`] on the
    /// subset answers what it answers on the whole.
    pub fn subset(&self, users: &[String]) -> Facts {
        let mut plans = BTreeSet::new();
        let mut bookings = BTreeSet::new();
        for user in users {
            plans.extend(self.plans.get(user.as_str()).into_iter().flatten());
            bookings.extend(self.bookings.get(user.as_str()).into_iter().flatten());
        }
        Facts {
            users: users
                .iter()
                .filter_map(|u| Some((u.clone(), self.facts.users.get(u)?.clone())))
                .collect(),
            plans: plans
                .into_iter()
                .map(|&i| self.facts.plans[i].clone())
                .collect(),
            bookings: bookings
                .into_iter()
                .map(|&i| self.facts.bookings[i].clone())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use optix::api::{Booking, Invitee, Team, User};

    fn user(id: &str) -> User {
        User {
            user_id: id.into(),
            email: format!("{id}@example.com"),
            fullname: format!("User {id}"),
            is_active: true,
            is_deleted: false,
            teams: vec![Team {
                team_id: "7".into(),
                name: "Seven".into(),
            }],
        }
    }

    /// A room booked by `booker` with `invitee` invited.
    fn booking(booker: &str, invitee: &str, status: InviteeStatus) -> Booking {
        Booking {
            booking_id: "b".into(),
            user_id: Some(booker.into()),
            start_timestamp: 1_800_000_000,
            end_timestamp: 1_800_003_600,
            is_canceled: false,
            location_id: "3390".into(),
            location_timezone: "Europe/Rome".into(),
            resource_id: "r".into(),
            resource_name: "Room".into(),
            invitees: vec![Invitee {
                user_id: invitee.into(),
                status,
            }],
        }
    }

    #[test]
    fn a_batch_answer_splits_into_each_users_facts() {
        let mut facts = Facts::default();
        facts.users.insert("1".into(), user("1"));
        facts.users.insert("2".into(), user("2"));
        facts
            .bookings
            .push(booking("1", "2", InviteeStatus::NotAttending));
        let one = member_facts("1", &facts);
        assert_eq!(one.bookings.len(), 1);
        assert!(one.invitations.is_empty());
        assert_eq!(one.teams[0].team_id, "7");
        let two = member_facts("2", &facts);
        assert!(two.bookings.is_empty());
        assert!(two.invitations[0].declined);
        assert!(!member_facts("3", &facts).exists);
        let mut all: Vec<&str> = users_in(&facts).collect();
        all.sort();
        all.dedup();
        assert_eq!(all, vec!["1", "2"]);
    }

    #[test]
    fn a_subset_and_the_index_answer_for_their_users_what_the_whole_answers() {
        let mut facts = Facts::default();
        for id in ["1", "2", "3"] {
            facts.users.insert(id.into(), user(id));
        }
        for (plan, owner) in [
            ("p1", Some("1")),
            ("p2", Some("3")),
            ("p3", None),
            ("p4", Some("1")),
        ] {
            facts.plans.push(api::Plan {
                account_plan_id: plan.into(),
                user_id: owner.map(str::to_owned),
                status: api::PlanStatus::Active,
                start_timestamp: Some(1_800_000_000),
                end_timestamp: None,
                canceled_timestamp: None,
                plan_template_id: "916".into(),
                plan_template_name: "Hot Desk".into(),
                in_all_locations: true,
                location_ids: vec![],
            });
        }
        facts
            .bookings
            .push(booking("3", "1", InviteeStatus::Attending));
        // A booker among their own invitees: the booking once, the invitation once.
        facts
            .bookings
            .push(booking("2", "2", InviteeStatus::Attending));
        let index = FactsIndex::new(&facts);
        for chunk in [
            vec!["1".to_owned()],
            vec!["2".into(), "3".into()],
            vec!["4".into()],
        ] {
            let subset = index.subset(&chunk);
            for user_id in &chunk {
                assert_eq!(
                    format!("{:?}", member_facts(user_id, &subset)),
                    format!("{:?}", member_facts(user_id, &facts)),
                    "user {user_id}"
                );
            }
        }
        for user_id in ["1", "2", "3", "4"] {
            assert_eq!(
                format!("{:?}", index.member_facts(user_id)),
                format!("{:?}", member_facts(user_id, &facts)),
                "user {user_id}"
            );
        }
        let one = index.subset(&["1".to_owned()]);
        assert_eq!(one.plans.len(), 2, "p1 and p4, not the team plan");
        assert_eq!(one.bookings.len(), 1, "invited");
    }
}
