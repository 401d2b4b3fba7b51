//! The OfficeRnD side of the stack: the simulator with its demo organization
//! (`officernd_sim::demo`), whose webhooks go to ingest (what tests do with it through the
//! stack: `stack_officernd`).

use officernd_sim::demo;
use std::time::Duration;

/// The demo organization's Lanyard id.
pub const ORG: &str = "officernd_5f0000000000000000000001";
/// The secret of the demo organization's webhook endpoint (shown by OfficeRnD's admin UI).
pub const WEBHOOK_SECRET: &str = "officernd-test-webhook-secret-0123456789";

/// Starts the simulator with the demo organization, its webhooks sent to `ingest_url`.
pub fn start_sim(ingest_url: &str) -> anyhow::Result<officernd_sim::RunningSim> {
    let mut org = demo::organization(chrono::Utc::now());
    org.webhooks.push(officernd_sim::model::WebhookEndpoint {
        id: officernd_sim::model::new_id(),
        url: webhook_url(ingest_url, demo::DEMO_ORG_ID),
        event_types: vec![],
        secret: WEBHOOK_SECRET.into(),
        description: "Lanyard".into(),
    });
    let config = officernd_sim::SimConfig {
        retry_interval: Duration::from_millis(500),
        ..Default::default()
    };
    officernd_sim::spawn("127.0.0.1:0", config, vec![org])
}

/// Today in Berlin (where the demo's memberships are), as OfficeRnD's membership dates: the
/// location's calendar day, which is not UTC's in the hour before UTC midnight.
pub fn today_in_berlin() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .format("%Y-%m-%d")
        .to_string()
}

/// Ingest's endpoint for an OfficeRnD organization's webhooks.
pub fn webhook_url(ingest_url: &str, organization_id: &str) -> String {
    format!("{ingest_url}/webhooks/officernd/{organization_id}")
}
