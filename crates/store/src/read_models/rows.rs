//! Reading rows, and converting between projection columns and domain values: shared by the
//! read models.

use crate::error::StoreError;
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;
use domain::Sealed;
use domain::policy::VlanRange;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// A value for a `jsonb` column.
pub fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Config(e.to_string()))
}

/// A serde enum's name as stored in a `text` column (e.g. `single_location`).
pub fn enum_text<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    Ok(json(value)?.as_str().unwrap_or_default().to_owned())
}

/// A value read back from a `jsonb` column.
pub fn from_json<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt {
        position: -1,
        reason: e.to_string(),
    })
}

pub fn sealed(value: serde_json::Value) -> Result<Sealed, StoreError> {
    from_json(value)
}

pub fn vlan_from_db(value: i32) -> Option<u16> {
    u16::try_from(value).ok()
}

pub fn pool_from_db(first: Option<i32>, last: Option<i32>) -> Option<VlanRange> {
    Some(VlanRange {
        first: vlan_from_db(first?)?,
        last: vlan_from_db(last?)?,
    })
}

/// A pool as (first, last) columns.
pub fn pool_to_db(pool: Option<VlanRange>) -> (Option<i32>, Option<i32>) {
    (
        pool.map(|p| i32::from(p.first)),
        pool.map(|p| i32::from(p.last)),
    )
}

/// Every row a query returns, each made into a value by `from_row`.
pub async fn select<T>(
    client: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    from_row: impl Fn(&Row) -> T,
) -> Result<Vec<T>, StoreError> {
    Ok(client
        .query_cached(sql, params)
        .await?
        .iter()
        .map(from_row)
        .collect())
}

/// The row a query returns, if any, made into a value by `from_row`.
pub async fn select_opt<T>(
    client: &impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    from_row: impl Fn(&Row) -> T,
) -> Result<Option<T>, StoreError> {
    Ok(client
        .query_opt_cached(sql, params)
        .await?
        .as_ref()
        .map(from_row))
}
