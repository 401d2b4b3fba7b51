//! The store's one error type.

use tokio_postgres::error::SqlState;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("stream {stream} expected at version {expected}, but another writer got there first")]
    Conflict { stream: String, expected: i64 },
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("migration {version} failed: {source}")]
    Migration {
        version: i32,
        source: tokio_postgres::Error,
    },
    #[error("configuration: {0}")]
    Config(String),
    #[error("stored event at position {position} is unreadable: {reason}")]
    Corrupt { position: i64, reason: String },
    #[error("a stored row is unreadable: {0}")]
    Unreadable(String),
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }

    /// A failed COMMIT. Uniqueness that is checked at commit (a VLAN, a passphrase or a device's
    /// MAC another transaction took first; a NAS address overlapping one registered first)
    /// reads as a conflict: decide again on fresh state.
    pub fn from_commit(error: tokio_postgres::Error) -> StoreError {
        let code = error.code();
        if code == Some(&SqlState::UNIQUE_VIOLATION) || code == Some(&SqlState::EXCLUSION_VIOLATION)
        {
            StoreError::Conflict {
                stream: "(checked at commit)".into(),
                expected: -1,
            }
        } else {
            StoreError::Db(error)
        }
    }
}
