//! Reads of projections and key material, for provision, the portal and the CLI.

use crate::event_log::StoreError;
use chrono::{DateTime, Utc};
use domain::Sealed;
use tokio_postgres::GenericClient;

#[derive(Clone, Debug, PartialEq)]
pub struct GrantView {
    pub basis: String,
    pub source_id: String,
    pub location_id: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl GrantView {
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        self.valid_from.is_none_or(|from| from <= now)
            && self.valid_until.is_none_or(|until| now < until)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemberView {
    pub org_id: String,
    pub user_id: String,
    pub home_location: Option<String>,
    pub onboarded_via: String,
    pub status: String,
    pub team_id: Option<String>,
    pub profile: Sealed,
    pub passphrase: Option<Sealed>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub grants: Vec<GrantView>,
}

fn sealed(value: serde_json::Value) -> Result<Sealed, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt {
        position: -1,
        reason: e.to_string(),
    })
}

/// Members with their grants, ordered by organization and user id.
pub async fn list_members(
    client: &impl GenericClient,
    org_id: Option<&str>,
) -> Result<Vec<MemberView>, StoreError> {
    let rows = client
        .query(
            "SELECT org_id, user_id, home_location, onboarded_via, status, team_id, profile, passphrase, opened_at, updated_at
             FROM members WHERE ($1::text IS NULL OR org_id = $1)
             ORDER BY org_id, length(user_id), user_id",
            &[&org_id],
        )
        .await?;
    let grant_rows = client
        .query(
            "SELECT org_id, user_id, basis, source_id, location_id, valid_from, valid_until
             FROM member_grants WHERE ($1::text IS NULL OR org_id = $1)
             ORDER BY org_id, user_id, basis, source_id",
            &[&org_id],
        )
        .await?;
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        let org: String = row.get(0);
        let user: String = row.get(1);
        let grants = grant_rows
            .iter()
            .filter(|g| g.get::<_, &str>(0) == org && g.get::<_, &str>(1) == user)
            .map(|g| GrantView {
                basis: g.get(2),
                source_id: g.get(3),
                location_id: g.get(4),
                valid_from: g.get(5),
                valid_until: g.get(6),
            })
            .collect();
        members.push(MemberView {
            org_id: org,
            user_id: user,
            home_location: row.get(2),
            onboarded_via: row.get(3),
            status: row.get(4),
            team_id: row.get(5),
            profile: sealed(row.get(6))?,
            passphrase: row
                .get::<_, Option<serde_json::Value>>(7)
                .map(sealed)
                .transpose()?,
            opened_at: row.get(8),
            updated_at: row.get(9),
            grants,
        });
    }
    Ok(members)
}

pub async fn member_key(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Option<Sealed>, StoreError> {
    let row = client
        .query_opt(
            "SELECT wrapped_key FROM member_keys WHERE org_id = $1 AND user_id = $2",
            &[&org_id, &user_id],
        )
        .await?;
    row.map(|r| sealed(r.get(0))).transpose()
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
        .execute(
            "INSERT INTO member_keys (org_id, user_id, wrapped_key) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, user_id) DO NOTHING",
            &[&org_id, &user_id, &value],
        )
        .await?;
    member_key(client, org_id, user_id)
        .await?
        .ok_or_else(|| StoreError::Config("member key vanished during insert".into()))
}

/// The sealed organization token, if the app is installed.
pub async fn organization_token(
    client: &impl GenericClient,
    org_id: &str,
) -> Result<Option<Sealed>, StoreError> {
    let row = client
        .query_opt(
            "SELECT token FROM organizations WHERE org_id = $1 AND installed",
            &[&org_id],
        )
        .await?;
    row.and_then(|r| r.get::<_, Option<serde_json::Value>>(0))
        .map(sealed)
        .transpose()
}

/// Whether another member of the organization already uses a passphrase with this hash.
pub async fn passphrase_taken(
    client: &impl GenericClient,
    org_id: &str,
    lookup_hash: &str,
    except_user: &str,
) -> Result<bool, StoreError> {
    let row = client
        .query_opt(
            "SELECT 1 FROM members WHERE org_id = $1 AND passphrase_hash = $2 AND user_id <> $3",
            &[&org_id, &lookup_hash, &except_user],
        )
        .await?;
    Ok(row.is_some())
}

/// Members holding at least one grant whose validity ended by `now`.
pub async fn members_with_expired_grants(
    client: &impl GenericClient,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = client
        .query(
            "SELECT DISTINCT org_id, user_id FROM member_grants WHERE valid_until <= $1 LIMIT $2",
            &[&now, &limit],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The earliest grant end still ahead, so the scheduler can sleep until then.
pub async fn next_grant_expiry(
    client: &impl GenericClient,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row = client
        .query_one("SELECT min(valid_until) FROM member_grants", &[])
        .await?;
    Ok(row.get(0))
}

/// Live access at a glance, for the metrics: accounts per organization and status, and live
/// grants per organization and basis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccessCounts {
    pub accounts: Vec<(String, String, i64)>,
    pub live_grants: Vec<(String, String, i64)>,
}

pub async fn access_counts(
    client: &impl GenericClient,
    now: DateTime<Utc>,
) -> Result<AccessCounts, StoreError> {
    let triples = |rows: Vec<tokio_postgres::Row>| {
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect::<Vec<_>>()
    };
    let accounts = client
        .query(
            "SELECT org_id, status, count(*) FROM members GROUP BY org_id, status",
            &[],
        )
        .await?;
    let live_grants = client
        .query(
            "SELECT org_id, basis, count(*) FROM member_grants
             WHERE (valid_from IS NULL OR valid_from <= $1) AND (valid_until IS NULL OR valid_until > $1)
             GROUP BY org_id, basis",
            &[&now],
        )
        .await?;
    Ok(AccessCounts {
        accounts: triples(accounts),
        live_grants: triples(live_grants),
    })
}
