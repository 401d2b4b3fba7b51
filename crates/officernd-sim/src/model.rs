//! The simulated organizations: OfficeRnD's records (`officernd::model`), the applications
//! allowed to read them and the webhooks registered.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use officernd::integration_page::PageParameters;
use officernd::model::{Booking, Company, Location, Member, Membership, Plan, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An application (Settings → Developer Tools → Applications): client credentials.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Application {
    pub client_id: String,
    pub client_secret: String,
}

/// A registered webhook endpoint with its secret; no event types means every event.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    #[serde(rename = "_id")]
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub event_types: Vec<String>,
    pub secret: String,
    #[serde(default)]
    pub description: String,
}

impl WebhookEndpoint {
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|e| e == event_type)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Organization {
    /// 24 hex characters, as OfficeRnD's ids.
    pub id: String,
    pub slug: String,
    pub name: String,
    pub applications: Vec<Application>,
    #[serde(default)]
    pub members: BTreeMap<String, Member>,
    #[serde(default)]
    pub memberships: BTreeMap<String, Membership>,
    #[serde(default)]
    pub plans: BTreeMap<String, Plan>,
    #[serde(default)]
    pub locations: BTreeMap<String, Location>,
    #[serde(default)]
    pub companies: BTreeMap<String, Company>,
    #[serde(default)]
    pub bookings: BTreeMap<String, Booking>,
    #[serde(default)]
    pub visitors: BTreeMap<String, Visitor>,
    #[serde(default)]
    pub webhooks: Vec<WebhookEndpoint>,
}

/// A fresh id: 24 hex characters.
pub fn new_id() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

impl Organization {
    /// The date at `now` where the location is (`YYYY-MM-DD`; UTC for an unknown location or
    /// zone): OfficeRnD's membership dates are the location's calendar days, so "today" is
    /// the location's, not UTC's (an hour apart in Berlin, a day apart just before midnight).
    pub fn local_date(&self, location: Option<&str>, now: DateTime<Utc>) -> String {
        let tz = location
            .and_then(|l| self.locations.get(l))
            .and_then(|l| l.timezone.as_deref())
            .and_then(|tz| tz.parse::<Tz>().ok())
            .unwrap_or(Tz::UTC);
        now.with_timezone(&tz).format("%Y-%m-%d").to_string()
    }

    /// The URL OfficeRnD opens for an integration page at `page_url` when `member_id` opens it
    /// at `now`: every location, signed with the first application's secret (the integration
    /// is Lanyard's application; docs/officernd.md §13).
    pub fn integration_page(
        &self,
        page_url: &str,
        member_id: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<url::Url> {
        let application = self
            .applications
            .first()
            .ok_or_else(|| anyhow::anyhow!("organization {} has no application", self.slug))?;
        let parameters = PageParameters {
            slug: self.slug.clone(),
            organization_id: self.id.clone(),
            member_id: member_id.to_owned(),
            locations: self.locations.keys().cloned().collect::<Vec<_>>().join(","),
        };
        let signature = parameters.sign(application.client_secret.as_bytes(), now.timestamp());
        Ok(parameters.signed_url(page_url, &signature)?)
    }

    /// A membership's `calculatedStatus` at `now`, on its location's calendar.
    pub fn membership_status(&self, membership: &Membership, now: DateTime<Utc>) -> &'static str {
        calculated_status(
            membership,
            &self.local_date(membership.location.as_deref(), now),
        )
    }
}

/// A membership's `calculatedStatus` on `today` (`YYYY-MM-DD`): `active` within its dates,
/// else `upcoming` or `ended`; a `status` other than `approved` is `not_approved`.
pub fn calculated_status(membership: &Membership, today: &str) -> &'static str {
    let day = |d: &Option<String>| d.as_deref().and_then(|d| d.get(..10)).map(str::to_owned);
    if let Some(start) = day(&membership.start_date)
        && start.as_str() > today
    {
        return "upcoming";
    }
    if let Some(end) = day(&membership.end_date)
        && end.as_str() < today
    {
        return "ended";
    }
    "active"
}
