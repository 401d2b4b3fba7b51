//! The simulated organizations: OfficeRnD's records (`officernd::model`), the applications
//! allowed to read them and the webhooks registered.

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
