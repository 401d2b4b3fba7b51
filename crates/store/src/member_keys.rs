//! Members' wrapped data keys (`member_keys`): key material, not a projection. A key is
//! written when a member's first secret is sealed and destroyed with the account
//! (crypto-shredding); replay never touches it.

use crate::error::StoreError;
use crate::read_models::rows::{sealed, select_opt};
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;
use domain::{Sealed, StreamId};

pub async fn member_key(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<Sealed>, StoreError> {
    let wrapped = select_opt(
        client,
        "SELECT wrapped_key FROM member_keys WHERE org_id = $1 AND user_id = $2",
        &[&org_id, &user_id],
        |r| r.get(0),
    )
    .await?;
    wrapped.map(sealed).transpose()
}

/// Stores a freshly wrapped member key unless one exists; returns the key in force.
pub async fn insert_member_key(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
    wrapped: &Sealed,
) -> Result<Sealed, StoreError> {
    let value = serde_json::to_value(wrapped).map_err(|e| StoreError::Config(e.to_string()))?;
    client
        .execute_cached(
            "INSERT INTO member_keys (org_id, user_id, wrapped_key) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, user_id) DO NOTHING",
            &[&org_id, &user_id, &value],
        )
        .await?;
    member_key(client, org_id, user_id)
        .await?
        .ok_or_else(|| StoreError::Config("member key vanished during insert".into()))
}

/// Crypto-shredding: without this key the member's sealed data in the log can't be opened.
pub async fn destroy_member_key(
    client: &impl GenericClient,
    stream: &StreamId,
) -> Result<(), StoreError> {
    if let Some(user_id) = stream.user_id() {
        client
            .execute_cached(
                "DELETE FROM member_keys WHERE org_id = $1 AND user_id = $2",
                &[&stream.org_id(), &user_id],
            )
            .await?;
    }
    Ok(())
}
