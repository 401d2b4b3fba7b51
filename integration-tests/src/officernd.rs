//! The OfficeRnD side of the stack: the simulator with its demo organization
//! (`officernd_sim::demo`), whose webhooks go to ingest, and what tests do with it.

use crate::stack::Stack;
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

impl Stack {
    /// Connects the demo OfficeRnD organization as the operator does and waits for the import.
    pub async fn connect_officernd(&self) -> anyhow::Result<()> {
        let reply = self
            .command(
                ORG,
                bus::commands::Command::ConnectOfficeRnd {
                    client_id: demo::DEMO_CLIENT_ID.into(),
                    client_secret: bus::commands::CredentialText(demo::DEMO_CLIENT_SECRET.into()),
                    slug: demo::DEMO_SLUG.into(),
                    webhook_secret: bus::commands::CredentialText(WEBHOOK_SECRET.into()),
                },
            )
            .await?;
        anyhow::ensure!(
            matches!(reply, bus::commands::Reply::Done { .. }),
            "connect refused: {reply:?}"
        );
        if let Err(e) = self.wait_for_syncs(ORG, 1).await {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT event_type, data::text FROM events WHERE org_id = $1 ORDER BY global_position",
                    &[&ORG],
                )
                .await?;
            let events: Vec<String> = rows
                .iter()
                .map(|r| format!("{}: {}", r.get::<_, String>(0), r.get::<_, String>(1)))
                .collect();
            anyhow::bail!("{e:#}; the organization's events: {events:#?}");
        }
        Ok(())
    }

    /// Applies a change in the OfficeRnD demo organization (its webhooks sent) and waits until
    /// provision has handled what ingest accepted.
    pub async fn officernd_apply(
        &self,
        change: officernd_sim::Change,
    ) -> anyhow::Result<officernd_sim::changes::Applied> {
        let applied = self.officernd.sim.apply(demo::DEMO_SLUG, change).await?;
        self.wait_until_provisioned().await?;
        Ok(applied)
    }

    /// The drift report of the last sync of `org_id`: corrected streams.
    pub async fn last_sync_corrections(&self, org_id: &str) -> anyhow::Result<i64> {
        let client = self.pool.get().await?;
        let row = client
            .query_one(
                "SELECT data FROM events WHERE org_id = $1 AND event_type = 'SyncCompleted'
                 ORDER BY global_position DESC LIMIT 1",
                &[&org_id],
            )
            .await?;
        let data: serde_json::Value = row.get(0);
        Ok(data["corrected_streams"].as_i64().unwrap_or(-1))
    }
}
