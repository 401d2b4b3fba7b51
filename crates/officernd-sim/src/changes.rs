//! The admin API's changes: each changes an organization's records, bumps `modifiedAt`, and
//! sends the webhook OfficeRnD sends for it (docs/officernd.md §8), with the object after the
//! change and the changed fields before it.

use crate::model::{Organization, WebhookEndpoint};
use crate::sim::Sim;
use officernd::model::{Booking, Company, Location, Member, Membership, Plan, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// `member.created` or `member.updated`.
    PutMember {
        member: Member,
    },
    /// `member.removed`.
    RemoveMember {
        id: String,
    },
    /// `company.created` or `company.updated`.
    PutCompany {
        company: Company,
    },
    /// `company.removed`; its members leave it (`member.updated` each).
    RemoveCompany {
        id: String,
    },
    /// `membership.created` or `membership.updated`.
    PutMembership {
        membership: Membership,
    },
    /// A cancellation: the membership ends on `end_date` (`membership.updated`).
    CancelMembership {
        id: String,
        end_date: String,
    },
    /// `membership.removed`.
    RemoveMembership {
        id: String,
    },
    /// `booking.created` or `booking.updated`.
    PutBooking {
        booking: Booking,
    },
    /// A cancelled booking stays, `canceled` (`booking.updated`).
    CancelBooking {
        id: String,
    },
    /// `booking.removed`.
    RemoveBooking {
        id: String,
    },
    /// No webhook (OfficeRnD sends none for these).
    PutPlan {
        plan: Plan,
    },
    PutLocation {
        location: Location,
    },
    PutVisitor {
        visitor: Visitor,
    },
    /// An endpoint added in the admin UI with the secret it shows.
    RegisterWebhook {
        endpoint: WebhookEndpoint,
    },
}

/// What a change did: the webhooks it sent (event type, and each endpoint's first status).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Applied {
    pub webhooks: Vec<(String, Vec<u16>)>,
}

/// An event to send: type, object after, fields before.
type Notice = (String, Value, Value);

fn now_stamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn put<T: Serialize + Clone>(
    map: &mut std::collections::BTreeMap<String, T>,
    id: &str,
    record: T,
    entity: &str,
) -> Notice {
    let before = map.insert(id.to_owned(), record.clone());
    let kind = if before.is_some() {
        "updated"
    } else {
        "created"
    };
    (
        format!("{entity}.{kind}"),
        to_value(&record),
        before.map(|b| to_value(&b)).unwrap_or(json!({})),
    )
}

fn remove<T: Serialize>(
    map: &mut std::collections::BTreeMap<String, T>,
    id: &str,
    entity: &str,
) -> anyhow::Result<Notice> {
    let gone = map
        .remove(id)
        .ok_or_else(|| anyhow::anyhow!("no {entity} {id}"))?;
    Ok((format!("{entity}.removed"), to_value(&gone), json!({})))
}

fn change_membership(
    org: &mut Organization,
    id: &str,
    f: impl FnOnce(&mut Membership),
) -> anyhow::Result<Notice> {
    let membership = org
        .memberships
        .get_mut(id)
        .ok_or_else(|| anyhow::anyhow!("no membership {id}"))?;
    let before = to_value(membership);
    f(membership);
    membership.modified_at = Some(now_stamp());
    Ok(("membership.updated".into(), to_value(membership), before))
}

/// Applies `change` to `org`; the notices to send.
fn apply_to(org: &mut Organization, change: Change) -> anyhow::Result<Vec<Notice>> {
    Ok(match change {
        Change::PutMember { mut member } => {
            member.modified_at = Some(now_stamp());
            let id = member.id.clone();
            vec![put(&mut org.members, &id, member, "member")]
        }
        Change::RemoveMember { id } => vec![remove(&mut org.members, &id, "member")?],
        Change::PutCompany { company } => {
            let id = company.id.clone();
            vec![put(&mut org.companies, &id, company, "company")]
        }
        Change::RemoveCompany { id } => {
            let mut notices = vec![remove(&mut org.companies, &id, "company")?];
            for member in org
                .members
                .values_mut()
                .filter(|m| m.company.as_deref() == Some(id.as_str()))
            {
                let before = to_value(member);
                member.company = None;
                member.modified_at = Some(now_stamp());
                notices.push(("member.updated".into(), to_value(member), before));
            }
            notices
        }
        Change::PutMembership { mut membership } => {
            membership.modified_at = Some(now_stamp());
            let id = membership.id.clone();
            vec![put(&mut org.memberships, &id, membership, "membership")]
        }
        Change::CancelMembership { id, end_date } => {
            vec![change_membership(org, &id, |m| {
                m.end_date = Some(end_date)
            })?]
        }
        Change::RemoveMembership { id } => vec![remove(&mut org.memberships, &id, "membership")?],
        Change::PutBooking { booking } => {
            let id = booking.id.clone();
            vec![put(&mut org.bookings, &id, booking, "booking")]
        }
        Change::CancelBooking { id } => {
            let booking = org
                .bookings
                .get_mut(&id)
                .ok_or_else(|| anyhow::anyhow!("no booking {id}"))?;
            let before = to_value(booking);
            booking.canceled = true;
            vec![("booking.updated".into(), to_value(booking), before)]
        }
        Change::RemoveBooking { id } => vec![remove(&mut org.bookings, &id, "booking")?],
        Change::PutPlan { plan } => {
            org.plans.insert(plan.id.clone(), plan);
            vec![]
        }
        Change::PutLocation { location } => {
            org.locations.insert(location.id.clone(), location);
            vec![]
        }
        Change::PutVisitor { visitor } => {
            org.visitors.insert(visitor.id.clone(), visitor);
            vec![]
        }
        Change::RegisterWebhook { endpoint } => {
            org.webhooks.push(endpoint);
            vec![]
        }
    })
}

impl Sim {
    /// Applies `change` to organization `slug` and sends its webhooks (the first attempt of
    /// each awaited).
    pub async fn apply(&self, slug: &str, change: Change) -> anyhow::Result<Applied> {
        let notices = self.with_orgs(|orgs| {
            let org = orgs
                .get_mut(slug)
                .ok_or_else(|| anyhow::anyhow!("no organization {slug}"))?;
            apply_to(org, change)
        })?;
        let mut applied = Applied::default();
        for (event_type, object, before) in notices {
            let statuses = self.notify(slug, &event_type, object, before).await;
            applied.webhooks.push((event_type, statuses));
        }
        Ok(applied)
    }
}
