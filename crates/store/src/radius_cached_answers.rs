//! Which answers FreeRADIUS keeps in memory (`radius_cached_answers`, migration 0016): written
//! by the radius service's answer endpoint, read by its answer cache to find every answer it
//! must have FreeRADIUS fetch again. Not a projection: it follows FreeRADIUS's memory, not the
//! event log, and is never replayed. No secret is in it.

use crate::StoreError;
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;

/// One cached answer: a NAS class (organization, location, dialect) and a MAC.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CachedAnswer {
    pub org_id: String,
    pub location_id: String,
    /// `cisco`, `aruba`, `meraki` or `hostapd`, as in `radius_nas`.
    pub dialect: String,
    /// The class's epoch (`radius_nas_classes`) the answer was kept under.
    pub epoch: String,
    pub mac: String,
}

/// FreeRADIUS now keeps `answer`, `user_id`'s.
pub async fn kept(
    client: &impl GenericClient,
    answer: &CachedAnswer,
    user_id: &str,
) -> Result<(), StoreError> {
    client
        .execute_cached(
            "INSERT INTO radius_cached_answers
                    (org_id, location_id, dialect, epoch, mac, user_id, filled_at)
             VALUES ($1, $2, $3, $4, $5, $6, now())
             ON CONFLICT (org_id, location_id, dialect, epoch, mac)
             DO UPDATE SET user_id = excluded.user_id, filled_at = excluded.filled_at",
            &[
                &answer.org_id,
                &answer.location_id,
                &answer.dialect,
                &answer.epoch,
                &answer.mac,
                &user_id,
            ],
        )
        .await?;
    Ok(())
}

/// FreeRADIUS no longer keeps `answer`.
pub async fn dropped(client: &impl GenericClient, answer: &CachedAnswer) -> Result<(), StoreError> {
    client
        .execute_cached(
            "DELETE FROM radius_cached_answers
              WHERE org_id = $1 AND location_id = $2 AND dialect = $3 AND epoch = $4
                AND mac = $5",
            &[
                &answer.org_id,
                &answer.location_id,
                &answer.dialect,
                &answer.epoch,
                &answer.mac,
            ],
        )
        .await?;
    Ok(())
}

/// Whose answers [`to_refresh`] finds.
#[derive(Clone, Copy, Debug)]
pub enum RefreshScope<'a> {
    Everyone,
    Organization(&'a str),
    /// Some members of one organization (one statement for all of them).
    Members {
        org_id: &'a str,
        user_ids: &'a [&'a str],
    },
}

/// Every answer that may need fetching again within `scope`: the ones cached now, and one per
/// current device and NAS class (a device added, a grant begun).
pub async fn to_refresh(
    client: &impl GenericClient,
    scope: RefreshScope<'_>,
) -> Result<Vec<CachedAnswer>, StoreError> {
    // One statement per shape, not `($1 IS NULL OR org_id = $1)`: a cached statement's
    // generic plan could not use the keys and would read every row for each member's event.
    macro_rules! cached_and_devices {
        ($cached:literal, $devices:literal) => {
            concat!(
                "SELECT org_id, location_id, dialect, epoch, mac FROM radius_cached_answers ",
                $cached,
                " UNION SELECT d.org_id, n.location_id, n.dialect, n.epoch, d.mac
                   FROM member_devices d
                   JOIN radius_nas_classes n ON n.org_id = d.org_id ",
                $devices
            )
        };
    }
    let rows = match scope {
        RefreshScope::Members { org_id, user_ids } => {
            let sql = cached_and_devices!(
                "WHERE org_id = $1 AND user_id = ANY($2)",
                "WHERE d.org_id = $1 AND d.user_id = ANY($2)"
            );
            client.query_cached(sql, &[&org_id, &user_ids]).await?
        }
        RefreshScope::Organization(org_id) => {
            let sql = cached_and_devices!("WHERE org_id = $1", "WHERE d.org_id = $1");
            client.query_cached(sql, &[&org_id]).await?
        }
        RefreshScope::Everyone => {
            let sql = cached_and_devices!("", "");
            client.query_cached(sql, &[]).await?
        }
    };
    Ok(rows
        .iter()
        .map(|row| CachedAnswer {
            org_id: row.get(0),
            location_id: row.get(1),
            dialect: row.get(2),
            epoch: row.get(3),
            mac: row.get(4),
        })
        .collect())
}
