//! Each organization's email settings (`MailSettingsSet`): one row per organization that set
//! them, read by the mailer, the admin page and the CLI.

use crate::error::StoreError;
use crate::projection::Projection;
use crate::read_models::rows::{execute, from_json, json, select_opt};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::Event;
use domain::messages::MailSettings;

pub const PROJECTION: Projection =
    Projection::new("mail_settings", &["mail_settings"], |tx, _, recorded| {
        Box::pin(write(tx, recorded))
    });

/// The organization's email settings; the defaults when it never set any.
pub async fn mail_settings(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<MailSettings, StoreError> {
    let stored = select_opt(
        client,
        "SELECT settings FROM mail_settings WHERE org_id = $1",
        &[&org_id],
        |r| r.get::<_, serde_json::Value>(0),
    )
    .await?;
    stored.map_or_else(|| Ok(MailSettings::default()), from_json)
}

async fn write(client: &impl GenericClient, recorded: &RecordedEvent) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    match &recorded.event {
        Event::MailSettingsSet { settings } => {
            execute(
                client,
                "INSERT INTO mail_settings (org_id, settings, updated_at, last_position) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (org_id) DO UPDATE SET settings = $2, updated_at = $3, last_position = $4",
                &[&org, &json(settings)?, &at, &pos],
            )
            .await
        }
        _ => Ok(()),
    }
}
