//! Which controller a location's keys go to (`controller_mappings`, the projection of the
//! `controller-{org}-{location}` streams: `lanyard controllers map-…` and the admin canvas send
//! provision a `MapController` command), with its credentials opened only when a vendor client
//! is built.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use domain::Sealed;

/// A mapping could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("unreadable mapping of {location_id}: {reason}")]
    Unreadable { location_id: String, reason: String },
}

/// The vendor ids a location's keys go to (recorded by `ControllerMapped` on the location's
/// `controller-{org}-{location}` stream; this table is its projection).
pub use domain::controller::ControllerTarget as Target;

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
    secrets::controllers::fetch_token_hash(keys, token)
}

/// The additional data the credentials are sealed with: they open for this mapping only.
pub fn credentials_context(org_id: &str, location_id: &str) -> String {
    secrets::contexts::controller_credentials(org_id, location_id)
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
