//! Which controller a location's keys go to (`controller_mappings`), with its credentials
//! opened only when a vendor client is built.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::Sealed;
use serde::{Deserialize, Serialize};

/// A mapping could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("unreadable mapping of {location_id}: {reason}")]
    Unreadable { location_id: String, reason: String },
}

/// The vendor ids a location's keys go to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "vendor", rename_all = "snake_case")]
pub enum Target {
    /// Identity PSKs on SSID `ssid_number` of network `network_id` in organization
    /// `organization_id`.
    Meraki {
        organization_id: String,
        network_id: String,
        ssid_number: u8,
    },
    /// A `wpa_psk_file` the AP group's routers fetch.
    Openwrt { ap_group: String },
    /// The `private_preshared_keys` of WLAN `wlan_id` on site `site` of the UniFi Network
    /// application at `url` (`…/proxy/network` on a UniFi OS console).
    Unifi {
        url: String,
        site: String,
        wlan_id: String,
    },
    /// Mist PSKs for SSID `ssid`: the site's when `site_id` is set, else the organization's.
    Mist {
        org_id: String,
        site_id: Option<String>,
        ssid: String,
    },
}

impl Target {
    pub fn vendor(&self) -> &'static str {
        match self {
            Target::Meraki { .. } => "meraki",
            Target::Openwrt { .. } => "openwrt",
            Target::Unifi { .. } => "unifi",
            Target::Mist { .. } => "mist",
        }
    }
}

/// One mapped location.
#[derive(Clone, Debug)]
pub struct Mapping {
    pub org_id: String,
    pub location_id: String,
    pub target: Target,
    pub credentials: Sealed,
    pub updated_at: DateTime<Utc>,
}

/// The keyed hash an OpenWrt AP group's token is stored and looked up by.
pub fn token_hash(keys: &secrets::KeyRing, token: &str) -> String {
    keys.keyed_hash("openwrt-token", "", token)
}

/// The additional data the credentials are sealed with: they open for this mapping only.
pub fn credentials_context(org_id: &str, location_id: &str) -> String {
    format!("controller-credentials:{org_id}:{location_id}")
}

const COLUMNS: &str = "org_id, location_id, target, credentials, updated_at";

/// Every mapping of `org_id` (every organization's when None).
pub async fn mappings(
    client: &impl GenericClient,
    org_id: Option<&str>,
) -> Result<Vec<Mapping>, MappingError> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM controller_mappings
                  WHERE $1::text IS NULL OR org_id = $1 ORDER BY org_id, location_id"
            ),
            &[&org_id],
        )
        .await?;
    rows.iter().map(mapping).collect()
}

/// The mapping of one location.
pub async fn mapping_of(
    client: &impl GenericClient,
    org_id: &str,
    location_id: &str,
) -> Result<Option<Mapping>, MappingError> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {COLUMNS} FROM controller_mappings WHERE org_id = $1 AND location_id = $2"
            ),
            &[&org_id, &location_id],
        )
        .await?;
    row.as_ref().map(mapping).transpose()
}

fn mapping(row: &tokio_postgres::Row) -> Result<Mapping, MappingError> {
    let location_id: String = row.get(1);
    let unreadable = |reason: String| MappingError::Unreadable {
        location_id: location_id.clone(),
        reason,
    };
    let target = serde_json::from_value(row.get(2)).map_err(|e| unreadable(e.to_string()))?;
    let credentials = serde_json::from_value(row.get(3)).map_err(|e| unreadable(e.to_string()))?;
    Ok(Mapping {
        org_id: row.get(0),
        location_id: location_id.clone(),
        target,
        credentials,
        updated_at: row.get(4),
    })
}

/// Maps `location_id` of `org_id` to `target`, with `credentials` (a Meraki API key, an OpenWrt
/// AP group's token) sealed with the master key; replaces an earlier mapping.
pub async fn map(
    client: &impl GenericClient,
    keys: &secrets::KeyRing,
    (org_id, location_id): (&str, &str),
    target: &Target,
    credentials: &str,
) -> Result<(), MappingError> {
    let sealed = keys.seal_with_master(
        credentials.as_bytes(),
        &credentials_context(org_id, location_id),
    );
    let token_hash =
        matches!(target, Target::Openwrt { .. }).then(|| token_hash(keys, credentials));
    let unreadable = |e: serde_json::Error| MappingError::Unreadable {
        location_id: location_id.to_owned(),
        reason: e.to_string(),
    };
    let target_json = serde_json::to_value(target).map_err(unreadable)?;
    let sealed_json = serde_json::to_value(&sealed).map_err(unreadable)?;
    client
        .execute(
            "INSERT INTO controller_mappings
                 (org_id, location_id, vendor, target, credentials, token_hash, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, now())
             ON CONFLICT (org_id, location_id) DO UPDATE
                SET vendor = $3, target = $4, credentials = $5, token_hash = $6, updated_at = now()",
            &[
                &org_id,
                &location_id,
                &target.vendor(),
                &target_json,
                &sealed_json,
                &token_hash,
            ],
        )
        .await?;
    Ok(())
}

/// Forgets the location's controller (its keys there stay until removed by hand); whether
/// there was one.
pub async fn unmap(
    client: &impl GenericClient,
    org_id: &str,
    location_id: &str,
) -> Result<bool, MappingError> {
    let removed = client
        .execute(
            "DELETE FROM controller_mappings WHERE org_id = $1 AND location_id = $2",
            &[&org_id, &location_id],
        )
        .await?;
    Ok(removed > 0)
}
