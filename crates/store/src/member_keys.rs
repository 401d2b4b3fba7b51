//! Members' wrapped data keys (`member_keys`): key material, not a projection. A key is
//! written when a member's first secret is sealed and destroyed with the account
//! (crypto-shredding); replay never touches it.

use crate::error::StoreError;
use crate::read_models::rows::{sealed, select, select_opt};
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;
use domain::{Sealed, StreamId};
use std::collections::HashMap;

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

/// The wrapped keys of those of `user_ids` who have one, by user id (one query).
pub async fn member_keys(
    client: &impl GenericClient,
    org_id: &str,
    user_ids: &[&str],
) -> Result<HashMap<String, Sealed>, StoreError> {
    let rows = select(
        client,
        "SELECT k.user_id, k.wrapped_key
           FROM (SELECT DISTINCT unnest($2::text[])) AS wanted(user_id)
          CROSS JOIN LATERAL (SELECT user_id, wrapped_key FROM member_keys
                               WHERE org_id = $1 AND user_id = wanted.user_id OFFSET 0) AS k",
        &[&org_id, &user_ids],
        |r| (r.get::<_, String>(0), r.get::<_, serde_json::Value>(1)),
    )
    .await?;
    rows.into_iter()
        .map(|(user_id, wrapped)| Ok((user_id, sealed(wrapped)?)))
        .collect()
}

/// [`insert_member_key`] for many members in one statement (and one query reading back the
/// keys in force): `fresh` pairs user ids with freshly wrapped keys, kept only for those
/// without one.
pub async fn insert_member_keys(
    client: &impl GenericClient,
    org_id: &str,
    fresh: &[(&str, Sealed)],
) -> Result<HashMap<String, Sealed>, StoreError> {
    let user_ids: Vec<&str> = fresh.iter().map(|(user_id, _)| *user_id).collect();
    let values = fresh
        .iter()
        .map(|(_, wrapped)| serde_json::to_value(wrapped))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Config(e.to_string()))?;
    client
        .execute_cached(
            "INSERT INTO member_keys (org_id, user_id, wrapped_key)
             SELECT $1, user_id, wrapped_key FROM unnest($2::text[], $3::jsonb[]) AS k(user_id, wrapped_key)
             ON CONFLICT (org_id, user_id) DO NOTHING",
            &[&org_id, &user_ids, &values],
        )
        .await?;
    member_keys(client, org_id, &user_ids).await
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
