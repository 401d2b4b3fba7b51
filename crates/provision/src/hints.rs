//! What a webhook is a hint about. Provision never trusts a payload's facts: it only learns
//! *whom* to ask the platform (Optix, OfficeRnD) about.

use officernd::facts::visitor_user_id;
use officernd::webhook::Notification;
use optix::webhook::{Webhook, WebhookEvent};

/// Debug is Display: never the token.
#[derive(Clone, PartialEq, Eq)]
pub enum Hint {
    /// `app_install` / `organization_token_updated`: the organization token.
    Token {
        token: String,
        install: bool,
    },
    Uninstall,
    /// Users named by id.
    Users(Vec<String>),
    /// Users named by email only.
    Emails(Vec<String>),
    /// A plan changed: whose it is comes from the plan (or the subscribers' emails).
    Plan {
        account_plan_id: Option<String>,
        emails: Vec<String>,
    },
    /// A booking changed: the booker and the invitees (meeting guests) are concerned.
    Booking {
        booking_id: String,
        booker_email: Option<String>,
    },
    /// `member_updated` names the member id only.
    Member {
        member_id: String,
    },
    /// A team was renamed or removed: its group's members are concerned.
    Team {
        team_id: String,
    },
    /// Nothing about access (invoices, leads, check-ins, unknown events).
    Nothing,
}

impl std::fmt::Display for Hint {
    /// For logs: never the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hint::Token { install, .. } => {
                write!(
                    f,
                    "token ({})",
                    if *install { "install" } else { "rotation" }
                )
            }
            Hint::Uninstall => write!(f, "uninstall"),
            Hint::Users(ids) => write!(f, "users {}", ids.join(",")),
            Hint::Emails(emails) => write!(f, "{} email(s)", emails.len()),
            Hint::Plan {
                account_plan_id, ..
            } => write!(f, "plan {}", account_plan_id.as_deref().unwrap_or("?")),
            Hint::Booking { booking_id, .. } => write!(f, "booking {booking_id}"),
            Hint::Member { member_id } => write!(f, "member {member_id}"),
            Hint::Team { team_id } => write!(f, "team {team_id}"),
            Hint::Nothing => write!(f, "nothing"),
        }
    }
}

impl Hint {
    /// What the hint is about, as a stable text (it may hold emails: store only a keyed hash of
    /// it). Two deliveries with the same subject are satisfied by the same reconciliation, if
    /// it asked Optix after both were sent. None for hints that cost no Optix request.
    pub fn subject(&self) -> Option<String> {
        let sorted = |items: &[String]| {
            let mut items = items.to_vec();
            items.sort();
            items.join(",")
        };
        match self {
            Hint::Users(ids) => Some(format!("users:{}", sorted(ids))),
            Hint::Emails(emails) => Some(format!("emails:{}", sorted(emails))),
            Hint::Plan {
                account_plan_id,
                emails,
            } => Some(format!(
                "plan:{}:{}",
                account_plan_id.as_deref().unwrap_or(""),
                sorted(emails)
            )),
            Hint::Booking {
                booking_id,
                booker_email,
            } => Some(format!(
                "booking:{booking_id}:{}",
                booker_email.as_deref().unwrap_or("")
            )),
            Hint::Member { member_id } => Some(format!("member:{member_id}")),
            Hint::Team { team_id } => Some(format!("team:{team_id}")),
            Hint::Token { .. } | Hint::Uninstall | Hint::Nothing => None,
        }
    }
}

impl std::fmt::Debug for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// OfficeRnD names ids only (docs/officernd.md §13): a member; a membership's member, else its
/// company's members; a company's members (and the company, which may be gone); a booking's
/// people, as the body lists them, else as the API says. A company holds Lanyard's group, so
/// company hints are team hints.
pub fn officernd_hint(n: &Notification) -> Hint {
    let entity = n.event_type.split('.').next().unwrap_or("");
    let member_or_company = || match (&n.member, &n.company) {
        (Some(member), _) => Hint::Users(vec![member.clone()]),
        (None, Some(company)) => Hint::Team {
            team_id: company.clone(),
        },
        (None, None) => Hint::Nothing,
    };
    match entity {
        "member" => Hint::Users(vec![n.object_id.clone()]),
        "membership" | "pass" => member_or_company(),
        "company" => Hint::Team {
            team_id: n.object_id.clone(),
        },
        "booking" | "occupancyslot" => {
            let people: Vec<String> = n
                .member
                .iter()
                .chain(&n.members)
                .cloned()
                .chain(n.visitors.iter().map(|v| visitor_user_id(v)))
                .collect();
            if people.is_empty() {
                Hint::Booking {
                    booking_id: n.booking.clone().unwrap_or_else(|| n.object_id.clone()),
                    booker_email: None,
                }
            } else {
                Hint::Users(people)
            }
        }
        _ => Hint::Nothing,
    }
}

pub fn optix_hint(webhook: &Webhook) -> Hint {
    match &webhook.event {
        WebhookEvent::AppInstall { organization_token } => Hint::Token {
            token: organization_token.clone(),
            install: true,
        },
        WebhookEvent::OrganizationTokenUpdated { organization_token } => Hint::Token {
            token: organization_token.clone(),
            install: false,
        },
        WebhookEvent::AppUninstall => Hint::Uninstall,
        WebhookEvent::NewPlanSubscription(p)
        | WebhookEvent::PlanSubscriptionChanged(p)
        | WebhookEvent::CancelPlanSubscription(p)
        | WebhookEvent::PlanEndingSoon(p) => Hint::Plan {
            account_plan_id: p.account_plan_id.clone(),
            emails: p.subscriber_emails.clone(),
        },
        WebhookEvent::NewMember(m) | WebhookEvent::MemberDeleted(m) => {
            match (&m.user_id, &m.email, &m.member_id) {
                (Some(id), _, _) => Hint::Users(vec![id.clone()]),
                (None, Some(email), _) => Hint::Emails(vec![email.clone()]),
                (None, None, Some(member_id)) => Hint::Member {
                    member_id: member_id.clone(),
                },
                (None, None, None) => Hint::Nothing,
            }
        }
        WebhookEvent::MemberUpdated(m) => match (&m.user_id, &m.member_id, &m.email) {
            (Some(id), _, _) => Hint::Users(vec![id.clone()]),
            (None, Some(member_id), _) => Hint::Member {
                member_id: member_id.clone(),
            },
            (None, None, Some(email)) => Hint::Emails(vec![email.clone()]),
            (None, None, None) => Hint::Nothing,
        },
        WebhookEvent::NewTeamMember(t) | WebhookEvent::TeamMemberDeleted(t) => {
            Hint::Users(vec![t.user_id.clone()])
        }
        WebhookEvent::TeamUpdated { team_id } => Hint::Team {
            team_id: team_id.clone(),
        },
        WebhookEvent::NewMemberBooking(b)
        | WebhookEvent::MemberBookingUpdated(b)
        | WebhookEvent::MemberBookingCancelled(b) => Hint::Booking {
            booking_id: b.booking_id.clone(),
            booker_email: b.member_email.clone(),
        },
        WebhookEvent::AssignmentStarted(a) | WebhookEvent::AssignmentEnded(a) => {
            match &a.owner_email {
                Some(email) => Hint::Emails(vec![email.clone()]),
                None => Hint::Nothing,
            }
        }
        _ => Hint::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn fixture(event: &str) -> Webhook {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../proto/optix/webhooks")
            .join(format!("{event}.json"));
        let text = std::fs::read_to_string(&path).expect("fixture");
        let Value::Object(fields) = serde_json::from_str(&text).expect("json") else {
            panic!("fixture is not an object");
        };
        Webhook::from_fields(&fields).expect("webhook")
    }

    #[test]
    fn every_access_webhook_names_whom_to_ask_about() {
        assert_eq!(
            optix_hint(&fixture("new_plan_subscription")),
            Hint::Plan {
                account_plan_id: Some("29191".into()),
                emails: vec!["example@example.com".into()]
            }
        );
        assert_eq!(
            optix_hint(&fixture("new_team_member")),
            Hint::Users(vec!["456456".into()])
        );
        assert_eq!(
            optix_hint(&fixture("member_deleted")),
            Hint::Users(vec!["12346".into()])
        );
        assert_eq!(
            optix_hint(&fixture("member_updated")),
            Hint::Member {
                member_id: "994".into()
            }
        );
        assert_eq!(
            optix_hint(&fixture("new_member_booking")),
            Hint::Booking {
                booking_id: "39553".into(),
                booker_email: Some("example@example.com".into())
            }
        );
        assert_eq!(
            optix_hint(&fixture("team_updated")),
            Hint::Team {
                team_id: "123123".into()
            }
        );
        assert_eq!(optix_hint(&fixture("invoice_paid")), Hint::Nothing);
        assert!(matches!(
            optix_hint(&fixture("app_install")),
            Hint::Token { install: true, .. }
        ));
    }

    #[test]
    fn a_token_hint_never_shows_the_token() {
        let hint = optix_hint(&fixture("organization_token_updated"));
        let Hint::Token { token, .. } = &hint else {
            panic!("not a token hint");
        };
        assert!(!hint.to_string().contains(token.as_str()));
        assert!(!format!("{hint:?}").contains(token.as_str()));
    }

    fn notification(event_type: &str, member: Option<&str>, company: Option<&str>) -> Notification {
        Notification {
            event_type: event_type.into(),
            object_id: "o1".into(),
            member: member.map(str::to_owned),
            company: company.map(str::to_owned),
            members: vec![],
            visitors: vec![],
            booking: None,
        }
    }

    #[test]
    fn every_officernd_webhook_names_whom_to_ask_about() {
        let users = |ids: &[&str]| Hint::Users(ids.iter().map(|s| (*s).to_owned()).collect());
        let team = |id: &str| Hint::Team { team_id: id.into() };
        assert_eq!(
            officernd_hint(&notification("member.removed", None, None)),
            users(&["o1"])
        );
        assert_eq!(
            officernd_hint(&notification("membership.updated", Some("m1"), Some("c1"))),
            users(&["m1"])
        );
        assert_eq!(
            officernd_hint(&notification("membership.created", None, Some("c1"))),
            team("c1")
        );
        assert_eq!(
            officernd_hint(&notification("company.removed", None, None)),
            team("o1")
        );
        let mut booking = notification("booking.created", Some("m1"), None);
        booking.visitors = vec!["v1".into()];
        assert_eq!(officernd_hint(&booking), users(&["m1", "visitor_v1"]));
        assert!(matches!(
            officernd_hint(&notification("occupancyslot.removed", None, None)),
            Hint::Booking { .. }
        ));
        assert_eq!(
            officernd_hint(&notification("invoice.created", None, None)),
            Hint::Nothing
        );
    }
}
