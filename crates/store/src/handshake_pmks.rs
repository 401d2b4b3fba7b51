//! The handshake matcher's sealed PMKs (`handshake_pmks`, migration 0017): written by the radius
//! service when it computes a PMK, read when it builds its keys, so a restart costs reads and
//! AEAD opens, not a PBKDF2 per key. Not a projection: it follows the passphrases and is never
//! replayed. Every PMK is sealed with its member's data key.

use crate::StoreError;
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;
use domain::Sealed;

/// One member's PMK at one SSID, and which sealed passphrase it came from.
#[derive(Clone, Debug)]
pub struct StoredPmk {
    pub user_id: String,
    pub ssid: String,
    /// The nonce of the sealed passphrase it was computed from.
    pub passphrase_nonce: String,
    pub pmk: Sealed,
}

/// The stored PMKs of `org_id` (only `members`' when given).
pub async fn stored(
    client: &impl GenericClient,
    org_id: &str,
    members: Option<&[&str]>,
) -> Result<Vec<StoredPmk>, StoreError> {
    // Two statements: a generic plan of `($2 IS NULL OR user_id = ANY($2))` reads the whole
    // organization's PMKs for a few members.
    macro_rules! select {
        ($filter:literal) => {
            concat!(
                "SELECT user_id, ssid, passphrase_nonce, pmk FROM handshake_pmks WHERE ",
                $filter
            )
        };
    }
    let rows = match members {
        Some(members) => {
            let sql = select!("org_id = $1 AND user_id = ANY($2)");
            client.query_cached(sql, &[&org_id, &members]).await?
        }
        None => {
            let sql = select!("org_id = $1");
            client.query_cached(sql, &[&org_id]).await?
        }
    };
    rows.iter()
        .map(|row| {
            Ok(StoredPmk {
                user_id: row.get(0),
                ssid: row.get(1),
                passphrase_nonce: row.get(2),
                pmk: serde_json::from_value(row.get(3))
                    .map_err(|e| StoreError::Unreadable(format!("handshake_pmks.pmk: {e}")))?,
            })
        })
        .collect()
}

/// The stored PMKs of `org_id` (of `members` when given) are exactly `keep` (user, SSID,
/// passphrase nonce) from now on: `fresh` ones are written, every other row (a changed
/// passphrase, an SSID no longer theirs, a member gone) is deleted.
pub async fn replace(
    client: &mut deadpool_postgres::Client,
    org_id: &str,
    members: Option<&[&str]>,
    keep: &[(String, String, String)],
    fresh: &[StoredPmk],
) -> Result<(), StoreError> {
    let (users, (ssids, nonces)): (Vec<&str>, (Vec<&str>, Vec<&str>)) = keep
        .iter()
        .map(|(user, ssid, nonce)| (user.as_str(), (ssid.as_str(), nonce.as_str())))
        .unzip();
    let mut rows = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for row in fresh {
        rows.0.push(row.user_id.as_str());
        rows.1.push(row.ssid.as_str());
        rows.2.push(row.passphrase_nonce.as_str());
        rows.3.push(
            serde_json::to_value(&row.pmk).map_err(|e| StoreError::Unreadable(e.to_string()))?,
        );
    }
    let tx = client.transaction().await?;
    tx.execute(
        "DELETE FROM handshake_pmks p
          WHERE p.org_id = $1 AND ($2::text[] IS NULL OR p.user_id = ANY($2))
            AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[], $5::text[])
                                       AS k(user_id, ssid, nonce)
                             WHERE k.user_id = p.user_id AND k.ssid = p.ssid
                               AND k.nonce = p.passphrase_nonce)",
        &[&org_id, &members, &users, &ssids, &nonces],
    )
    .await?;
    tx.execute(
        "INSERT INTO handshake_pmks (org_id, user_id, ssid, passphrase_nonce, pmk, computed_at)
         SELECT $1, f.user_id, f.ssid, f.nonce, f.pmk, now()
           FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[])
                AS f(user_id, ssid, nonce, pmk)
         ON CONFLICT (org_id, user_id, ssid) DO UPDATE
            SET passphrase_nonce = excluded.passphrase_nonce, pmk = excluded.pmk,
                computed_at = excluded.computed_at",
        &[&org_id, &rows.0, &rows.1, &rows.2, &rows.3],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
