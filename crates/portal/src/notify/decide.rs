//! Which email an event asks for, decided from the member's own stream (pure, tested here).
//!
//! - **Welcome**: an `AccessGranted` (not a guest's) at a location no earlier non-guest grant of
//!   the member was at. Grants re-issued when plans change, and a re-grant after a revocation,
//!   find an earlier grant there and send nothing (the outbox's one welcome per member and
//!   location backs this up for events older than the mailer).
//! - **GuestInvited**: an `AccessGranted` with `Basis::Guest` (instead of a welcome).
//! - **KeyChanged**: a `PassphraseChanged` the tenant did not type (`Generated`: an admin's or
//!   a regeneration); the tenant who typed a new passphrase on the key page knows it.
//! - **AccessSuspended**: an `AccountSuspended` (the member has no grant left) right after the
//!   revocation of a *plan* grant: `Withdrawn` is a plan cancelled, `Expired` a plan ended. A
//!   guest's meeting or a booking ending suspends nobody worth writing to.
//! - **AccessEnding** is not an event's: the reminder scan decides it ([`reminder_due`]).
//!
//! A grant valid everywhere (no location) is the member's home location's; with no home
//! location either, the welcome names none (`deliver` picks the organization's first mapped
//! location for the link) and counts as the member's one welcome "everywhere".

use chrono::{DateTime, Duration, Utc};
use domain::events::{PassphraseSource, RevokeReason};
use domain::{Basis, Event, MessageKind};

/// An email an event asks for, and what it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Trigger {
    Welcome {
        location_id: Option<String>,
    },
    GuestInvited {
        location_id: String,
        valid_from: Option<DateTime<Utc>>,
        valid_until: Option<DateTime<Utc>>,
    },
    KeyChanged {
        location_id: Option<String>,
    },
    AccessSuspended {
        location_id: Option<String>,
        why: Suspension,
    },
}

/// Why access was suspended, as the email says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Suspension {
    PlanEnded,
    PlanCancelled,
}

impl Trigger {
    pub(crate) fn kind(&self) -> MessageKind {
        match self {
            Trigger::Welcome { .. } => MessageKind::Welcome,
            Trigger::GuestInvited { .. } => MessageKind::GuestInvited,
            Trigger::KeyChanged { .. } => MessageKind::KeyChanged,
            Trigger::AccessSuspended { .. } => MessageKind::AccessSuspended,
        }
    }

    /// The location whose network, name and sign-in page the email names, if any.
    pub(crate) fn location_id(&self) -> Option<&str> {
        match self {
            Trigger::GuestInvited { location_id, .. } => Some(location_id),
            Trigger::Welcome { location_id }
            | Trigger::KeyChanged { location_id }
            | Trigger::AccessSuspended { location_id, .. } => location_id.as_deref(),
        }
    }
}

/// The email `event` asks for, given the member's `earlier` events (their stream before it).
pub(crate) fn decide(earlier: &[Event], event: &Event) -> Option<Trigger> {
    match event {
        Event::AccessGranted {
            grant,
            location_id,
            valid_from,
            valid_until,
            ..
        } => {
            let location_id = location_id.clone().or_else(|| home_location(earlier));
            if grant.basis == Basis::Guest {
                return Some(Trigger::GuestInvited {
                    location_id: location_id?,
                    valid_from: *valid_from,
                    valid_until: *valid_until,
                });
            }
            let welcomed = earlier
                .iter()
                .any(|e| granted_at(e, earlier).is_some_and(|at| at == location_id));
            (!welcomed).then_some(Trigger::Welcome { location_id })
        }
        Event::PassphraseChanged {
            source: PassphraseSource::Generated,
            ..
        } => Some(Trigger::KeyChanged {
            location_id: home_location(earlier),
        }),
        Event::AccountSuspended => suspension(earlier).map(|why| Trigger::AccessSuspended {
            location_id: home_location(earlier),
            why,
        }),
        _ => None,
    }
}

/// Where an earlier non-guest grant was (its location, else the home location, else none:
/// everywhere); `None` when `event` is no such grant.
fn granted_at(event: &Event, earlier: &[Event]) -> Option<Option<String>> {
    match event {
        Event::AccessGranted {
            grant, location_id, ..
        } if grant.basis != Basis::Guest => {
            Some(location_id.clone().or_else(|| home_location(earlier)))
        }
        _ => None,
    }
}

/// The member's home location: where the account was opened, or bound later.
fn home_location(earlier: &[Event]) -> Option<String> {
    earlier.iter().rev().find_map(|event| match event {
        Event::AccountBound { location_id } => Some(location_id.clone()),
        Event::AccountOpened { home_location, .. } => home_location.clone(),
        _ => None,
    })
}

/// Why the member was just suspended, when a plan of theirs was the last grant revoked: the
/// revocations the suspension follows (the same decision appends them just before it).
fn suspension(earlier: &[Event]) -> Option<Suspension> {
    let mut plan_reason = None;
    for event in earlier.iter().rev() {
        match event {
            Event::AccessRevoked { grant, reason } => {
                if grant.basis == Basis::Plan {
                    plan_reason = Some(match (plan_reason, reason) {
                        (Some(Suspension::PlanCancelled), _) | (_, RevokeReason::Withdrawn) => {
                            Suspension::PlanCancelled
                        }
                        _ => Suspension::PlanEnded,
                    });
                }
            }
            _ => break,
        }
    }
    plan_reason
}

/// How long before its end a grant's "access ending" reminder goes (None: no reminder): plans
/// `plan_hours`, bookings and day passes `booking_hours`, guests never (their invitation said
/// when the meeting ends).
pub(crate) fn reminder_lead(
    basis: Basis,
    plan_hours: u32,
    booking_hours: Option<u32>,
) -> Option<Duration> {
    let hours = match basis {
        Basis::Plan => Some(plan_hours),
        Basis::Booking | Basis::DayPass => booking_hours,
        Basis::Guest => None,
    }?;
    (hours > 0).then(|| Duration::hours(i64::from(hours)))
}

/// Whether the reminder of a grant ending at `valid_until` is due at `now`: within its lead
/// and not yet ended.
pub(crate) fn reminder_due(valid_until: DateTime<Utc>, lead: Duration, now: DateTime<Utc>) -> bool {
    valid_until > now && valid_until - lead <= now
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::GrantKey;
    use domain::events::OnboardedVia;

    fn sealed() -> domain::Sealed {
        domain::Sealed {
            key: "member".into(),
            nonce: "n".into(),
            ciphertext: "c".into(),
        }
    }

    fn opened(home: Option<&str>) -> Event {
        Event::AccountOpened {
            org_id: "6267".into(),
            user_id: "12346".into(),
            home_location: home.map(Into::into),
            via: OnboardedVia::Webhook,
            email_hash: "h".into(),
            profile: sealed(),
        }
    }

    fn key(basis: Basis, source: &str) -> GrantKey {
        GrantKey {
            basis,
            source_id: source.into(),
        }
    }

    fn granted(basis: Basis, source: &str, location: Option<&str>) -> Event {
        Event::AccessGranted {
            grant: key(basis, source),
            location_id: location.map(Into::into),
            valid_from: None,
            valid_until: None,
            network: None,
        }
    }

    fn revoked(basis: Basis, source: &str, reason: RevokeReason) -> Event {
        Event::AccessRevoked {
            grant: key(basis, source),
            reason,
        }
    }

    fn welcome(location: &str) -> Option<Trigger> {
        Some(Trigger::Welcome {
            location_id: Some(location.into()),
        })
    }

    #[test]
    fn the_first_grant_at_a_location_welcomes_and_no_later_one_there_does() {
        let given = [opened(Some("3390"))];
        let first = granted(Basis::Plan, "p1", Some("3390"));
        assert_eq!(decide(&given, &first), welcome("3390"));

        // Re-issued (a plan change), and re-granted after a revocation: no second welcome.
        let given = [opened(Some("3390")), first.clone()];
        assert_eq!(
            decide(&given, &granted(Basis::Plan, "p2", Some("3390"))),
            None
        );
        let given = [
            opened(Some("3390")),
            first.clone(),
            revoked(Basis::Plan, "p1", RevokeReason::Withdrawn),
            Event::AccountSuspended,
        ];
        assert_eq!(
            decide(&given, &granted(Basis::Plan, "p3", Some("3390"))),
            None
        );

        // Another location is a first there.
        let given = [opened(Some("3390")), first];
        assert_eq!(
            decide(&given, &granted(Basis::Plan, "p2", Some("4100"))),
            welcome("4100")
        );
    }

    #[test]
    fn a_grant_valid_everywhere_welcomes_at_the_home_location() {
        let given = [
            opened(None),
            Event::AccountBound {
                location_id: "3390".into(),
            },
        ];
        assert_eq!(
            decide(&given, &granted(Basis::Plan, "p1", None)),
            welcome("3390")
        );
        // No location at all: one welcome "everywhere", then none.
        let everywhere = granted(Basis::Plan, "p1", None);
        assert_eq!(
            decide(&[opened(None)], &everywhere),
            Some(Trigger::Welcome { location_id: None })
        );
        assert_eq!(
            decide(
                &[opened(None), everywhere],
                &granted(Basis::Plan, "p2", None)
            ),
            None
        );
        // The home location's explicit grant after it is not a first either.
        let given = [opened(Some("3390")), granted(Basis::Plan, "p1", None)];
        assert_eq!(
            decide(&given, &granted(Basis::DayPass, "d1", Some("3390"))),
            None
        );
    }

    #[test]
    fn a_guest_is_invited_instead_of_welcomed_and_a_guest_grant_welcomes_nobody_later() {
        let until = Utc::now();
        let guest = Event::AccessGranted {
            grant: key(Basis::Guest, "b1"),
            location_id: Some("3390".into()),
            valid_from: None,
            valid_until: Some(until),
            network: None,
        };
        let given = [opened(Some("3390"))];
        assert_eq!(
            decide(&given, &guest),
            Some(Trigger::GuestInvited {
                location_id: "3390".into(),
                valid_from: None,
                valid_until: Some(until),
            })
        );
        // A guest who later takes a plan there is welcomed as a member.
        let given = [opened(Some("3390")), guest];
        assert_eq!(
            decide(&given, &granted(Basis::Plan, "p1", Some("3390"))),
            welcome("3390")
        );
    }

    #[test]
    fn a_generated_passphrase_is_announced_and_a_typed_one_is_not() {
        let changed = |source| Event::PassphraseChanged {
            passphrase: sealed(),
            lookup_hash: "l".into(),
            source,
        };
        let given = [opened(Some("3390"))];
        assert_eq!(
            decide(&given, &changed(PassphraseSource::Generated)),
            Some(Trigger::KeyChanged {
                location_id: Some("3390".into())
            })
        );
        assert_eq!(decide(&given, &changed(PassphraseSource::Tenant)), None);
    }

    #[test]
    fn a_suspension_after_a_plan_s_revocation_says_whether_it_ended_or_was_cancelled() {
        let suspended = |revocations: Vec<Event>| {
            let mut given = vec![opened(Some("3390")), granted(Basis::Plan, "p1", None)];
            given.extend(revocations);
            decide(&given, &Event::AccountSuspended)
        };
        let why = |why| {
            Some(Trigger::AccessSuspended {
                location_id: Some("3390".into()),
                why,
            })
        };
        assert_eq!(
            suspended(vec![revoked(Basis::Plan, "p1", RevokeReason::Expired)]),
            why(Suspension::PlanEnded)
        );
        assert_eq!(
            suspended(vec![
                revoked(Basis::Plan, "p1", RevokeReason::Expired),
                revoked(Basis::Plan, "p2", RevokeReason::Withdrawn)
            ]),
            why(Suspension::PlanCancelled)
        );
        // A guest's meeting or a booking ending: nobody to write to.
        assert_eq!(
            suspended(vec![revoked(Basis::Guest, "b1", RevokeReason::Expired)]),
            None
        );
        assert_eq!(
            suspended(vec![revoked(Basis::Booking, "b1", RevokeReason::Expired)]),
            None
        );
        // Only the revocations right before the suspension count.
        assert_eq!(
            suspended(vec![
                revoked(Basis::Plan, "p0", RevokeReason::Withdrawn),
                granted(Basis::Booking, "b1", None),
                revoked(Basis::Booking, "b1", RevokeReason::Expired)
            ]),
            None
        );
    }

    #[test]
    fn reminders_go_within_their_lead_and_bookings_have_none_by_default() {
        let now = Utc::now();
        let day = reminder_lead(Basis::Plan, 24, None).expect("plans are reminded");
        assert!(reminder_due(now + Duration::hours(23), day, now));
        assert!(!reminder_due(now + Duration::hours(25), day, now));
        assert!(!reminder_due(now - Duration::minutes(1), day, now));
        assert_eq!(reminder_lead(Basis::Booking, 24, None), None);
        assert_eq!(
            reminder_lead(Basis::DayPass, 24, Some(2)),
            Some(Duration::hours(2))
        );
        assert_eq!(reminder_lead(Basis::Guest, 24, Some(2)), None);
        assert_eq!(reminder_lead(Basis::Plan, 0, None), None);
    }
}
