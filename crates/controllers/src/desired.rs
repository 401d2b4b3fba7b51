//! The keys Lanyard wants at a mapped location now: every member the shared roaming decision
//! (`domain::location_access::decide`) admits there, with their passphrase (opened with the
//! key ring), VLAN and expiry, named by the prefix and a stable key id.

use crate::vendor::DesiredKey;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::live_access::Validity;
use domain::location_access::{self, GrantTerms, MemberAccess, Place};
use domain::{GrantNetwork, RoamingPolicy, Sealed};
use std::collections::{BTreeMap, HashMap};

/// The desired keys could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DesiredError {
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("unreadable row: {0}")]
    Unreadable(String),
}

/// Hex digits of the keyed hash naming a member's key (64 bits; hostapd's `keyid` takes 31
/// characters with the prefix).
const KEY_ID_HEX: usize = 16;

/// The member's stable key id at vendors: a keyed hash of the organization and user, so a
/// vendor's dashboard shows no Optix id, and the same member always has the same name.
pub fn key_name(keys: &secrets::KeyRing, prefix: &str, org_id: &str, user_id: &str) -> String {
    let hash = keys.keyed_hash("controller-key", org_id, user_id);
    format!("{prefix}{}", &hash[..KEY_ID_HEX.min(hash.len())])
}

struct MemberRow {
    user_id: String,
    access: MemberAccess,
    passphrase: Sealed,
    wrapped_key: Sealed,
}

const MEMBERS: &str = "
    SELECT m.user_id, m.status, m.home_location, m.passphrase, k.wrapped_key, g.vlan
      FROM members m
      JOIN member_keys k ON k.org_id = m.org_id AND k.user_id = m.user_id
      LEFT JOIN groups g ON g.org_id = m.org_id AND g.team_id = m.team_id
     WHERE m.org_id = $1 AND m.passphrase IS NOT NULL AND m.status = 'active'";

const GRANTS: &str = "
    SELECT user_id, location_id, valid_from, valid_until, network
      FROM member_grants
     WHERE org_id = $1 AND (valid_until IS NULL OR valid_until > $2)";

/// The location's roaming policy (None: not mapped, nobody gets a key).
pub async fn roaming(
    client: &impl GenericClient,
    org_id: &str,
    location_id: &str,
) -> Result<Option<RoamingPolicy>, DesiredError> {
    let row = client
        .query_opt(
            "SELECT CASE WHEN mapped THEN roaming END FROM locations
              WHERE org_id = $1 AND location_id = $2",
            &[&org_id, &location_id],
        )
        .await?;
    let Some(text) = row.and_then(|row| row.get::<_, Option<String>>(0)) else {
        return Ok(None);
    };
    serde_json::from_value(serde_json::Value::String(text.clone()))
        .map(Some)
        .map_err(|e| DesiredError::Unreadable(format!("roaming {text:?}: {e}")))
}

/// The keys `org_id` wants at `location_id` at `now`, by name.
pub async fn desired_keys(
    client: &impl GenericClient,
    keys: &secrets::KeyRing,
    prefix: &str,
    (org_id, location_id): (&str, &str),
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, DesiredKey>, DesiredError> {
    let Some(roaming) = roaming(client, org_id, location_id).await? else {
        return Ok(BTreeMap::new());
    };
    let place = Place {
        location_id: location_id.to_owned(),
        roaming,
    };
    let members = members(client, org_id, now).await?;
    let mut desired = BTreeMap::new();
    for member in members {
        let Ok(terms) = location_access::decide(&member.access, &place, now) else {
            continue;
        };
        let passphrase = match secrets::open_member_passphrase(
            keys,
            org_id,
            &member.user_id,
            &member.wrapped_key,
            &member.passphrase,
        ) {
            Ok(passphrase) => passphrase,
            Err(reason) => {
                tracing::error!(org_id, user_id = %member.user_id, %reason, "controllers: a passphrase does not open");
                continue;
            }
        };
        let name = key_name(keys, prefix, org_id, &member.user_id);
        desired.insert(
            name.clone(),
            DesiredKey {
                name,
                passphrase,
                vlan: terms.vlan,
                expires_at: terms.until,
            },
        );
    }
    Ok(desired)
}

/// The organization's active members with a passphrase, and their live or future grants.
async fn members(
    client: &impl GenericClient,
    org_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<MemberRow>, DesiredError> {
    let mut grants: HashMap<String, Vec<GrantTerms>> = HashMap::new();
    for row in client.query(GRANTS, &[&org_id, &now]).await? {
        let network: Option<serde_json::Value> = row.get(4);
        let network: Option<GrantNetwork> = network
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| DesiredError::Unreadable(format!("grant network: {e}")))?;
        grants.entry(row.get(0)).or_default().push(GrantTerms {
            location_id: row.get(1),
            validity: Validity {
                from: row.get(2),
                until: row.get(3),
            },
            network,
        });
    }
    let sealed = |value: serde_json::Value| {
        serde_json::from_value::<Sealed>(value)
            .map_err(|e| DesiredError::Unreadable(format!("sealed value: {e}")))
    };
    let mut members = Vec::new();
    for row in client.query(MEMBERS, &[&org_id]).await? {
        let user_id: String = row.get(0);
        let Some(member_grants) = grants.remove(&user_id) else {
            continue;
        };
        members.push(MemberRow {
            access: MemberAccess {
                suspended: row.get::<_, String>(1) != "active",
                home_location: row.get(2),
                group_vlan: row
                    .get::<_, Option<i32>>(5)
                    .and_then(|v| u16::try_from(v).ok()),
                grants: member_grants,
            },
            passphrase: sealed(row.get(3))?,
            wrapped_key: sealed(row.get(4))?,
            user_id,
        });
    }
    Ok(members)
}
