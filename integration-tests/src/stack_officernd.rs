//! What tests do with the OfficeRnD demo organization through the stack: connect it, change
//! it in the simulator, read its syncs' drift reports.

use crate::officernd::{ORG, WEBHOOK_SECRET};
use crate::stack::Stack;
use officernd_sim::demo;

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
