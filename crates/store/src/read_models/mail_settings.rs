//! Each organization's email settings (`MailSettingsSet`): one row per organization that set
//! them, read by the mailer, the admin page and the CLI.

use crate::error::StoreError;
use crate::projection::cell::{self, to};
use crate::projection::{Column, Projection, RowOp, Table};
use crate::read_models::rows::{from_json, select_opt};
use crate::recorded::RecordedEvent;
use deadpool_postgres::GenericClient;
use domain::Event;
use domain::messages::MailSettings;

pub const PROJECTION: Projection = Projection::new("mail_settings", &[&MAIL_SETTINGS], ops);

pub const MAIL_SETTINGS: Table = Table {
    name: "mail_settings",
    columns: &[
        Column::new("org_id", "text"),
        Column::new("settings", "jsonb"),
        Column::new("updated_at", "timestamptz"),
        Column::new("last_position", "bigint"),
    ],
    key: 1,
};

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

fn ops(
    _: &domain::StreamId,
    recorded: &RecordedEvent,
    out: &mut Vec<RowOp>,
) -> Result<(), StoreError> {
    let (org, pos, at) = recorded.row_stamp();
    if let Event::MailSettingsSet { settings } = &recorded.event {
        out.push(RowOp::Upsert {
            table: &MAIL_SETTINGS,
            key: vec![org.to_owned()],
            set: vec![
                ("settings", to(cell::json(settings)?)),
                ("updated_at", to(cell::time(at))),
                ("last_position", to(cell::int(pos))),
            ],
            insert_only: Vec::new(),
        });
    }
    Ok(())
}
