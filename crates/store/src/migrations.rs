//! Numbered SQL migrations from `migrations/`, applied in order under an advisory lock so
//! services starting together do not race.

use crate::StoreError;
use tokio_postgres::Client;

pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "event_log",
        include_str!("../../../migrations/0001_event_log.sql"),
    ),
    (
        2,
        "relay_checkpoint",
        include_str!("../../../migrations/0002_relay_checkpoint.sql"),
    ),
    (
        3,
        "configuration_and_groups",
        include_str!("../../../migrations/0003_configuration_and_groups.sql"),
    ),
    // Versions 4–9 belong to provision's work; the portal's own tables are version 10.
    (
        10,
        "portal",
        include_str!("../../../migrations/0010_portal.sql"),
    ),
    (
        11,
        "webhook_coverage",
        include_str!("../../../migrations/0011_webhook_coverage.sql"),
    ),
    (
        12,
        "radius_registry",
        include_str!("../../../migrations/0012_radius_registry.sql"),
    ),
    (
        13,
        "radius_accounting",
        include_str!("../../../migrations/0013_radius_accounting.sql"),
    ),
    (
        14,
        "controllers",
        include_str!("../../../migrations/0014_controllers.sql"),
    ),
    (
        15,
        "unifi_owned_keys",
        include_str!("../../../migrations/0015_unifi_owned_keys.sql"),
    ),
    (
        16,
        "radius_cached_answers",
        include_str!("../../../migrations/0016_radius_cached_answers.sql"),
    ),
    (
        17,
        "handshake_pmks",
        include_str!("../../../migrations/0017_handshake_pmks.sql"),
    ),
    (
        18,
        "platforms",
        include_str!("../../../migrations/0018_platforms.sql"),
    ),
    (
        19,
        "languages",
        include_str!("../../../migrations/0019_languages.sql"),
    ),
    (
        20,
        "sent_messages",
        include_str!("../../../migrations/0020_sent_messages.sql"),
    ),
    (
        21,
        "mail_settings",
        include_str!("../../../migrations/0021_mail_settings.sql"),
    ),
    (
        28,
        "sync_staging",
        include_str!("../../../migrations/0028_sync_staging.sql"),
    ),
    (
        30,
        "optix_budget",
        include_str!("../../../migrations/0030_optix_budget.sql"),
    ),
    (
        31,
        "column_statistics",
        include_str!("../../../migrations/0031_column_statistics.sql"),
    ),
];

const MIGRATION_LOCK: i64 = 7000;

/// Applies pending migrations; returns the versions applied now.
pub async fn migrate(client: &mut Client) -> Result<Vec<i32>, StoreError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = apply_pending(client).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    result
}

async fn apply_pending(client: &mut Client) -> Result<Vec<i32>, StoreError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await?;
    let rows = client
        .query("SELECT version FROM schema_migrations", &[])
        .await?;
    let applied: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    let mut done = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(sql)
            .await
            .map_err(|e| StoreError::Migration {
                version: *version,
                source: e,
            })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version, name, "applied migration");
        done.push(*version);
    }
    Ok(done)
}
