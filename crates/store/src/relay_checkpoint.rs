//! How far a relay has published the log (`relay_checkpoints`): the global position of the
//! last event it published, by relay name.

use crate::StoreError;
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;

/// The checkpoint of provision's relay to NATS (a restore moves it back: `lanyard restore nats`).
pub const NATS_RELAY: &str = "nats-relay";

/// The position `name` has published up to (0 before its first batch).
pub async fn position(client: &impl GenericClient, name: &str) -> Result<i64, StoreError> {
    Ok(client
        .query_opt_cached(
            "SELECT position FROM relay_checkpoints WHERE name = $1",
            &[&name],
        )
        .await?
        .map_or(0, |r| r.get(0)))
}

/// Records that `name` has published everything up to `position`.
pub async fn save(
    client: &impl GenericClient,
    name: &str,
    position: i64,
) -> Result<(), StoreError> {
    client
        .execute_cached(
            "INSERT INTO relay_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
             ON CONFLICT (name) DO UPDATE SET position = $2, updated_at = now()",
            &[&name, &position],
        )
        .await?;
    Ok(())
}
