//! PostgreSQL persistence: the append-only event log, projections updated in the same
//! transaction, migrations, and the key material for sealed secrets.

pub mod crypto;
pub mod decide;
pub mod event_log;
pub mod history;
pub mod migrations;
pub mod projections;
pub mod queries;
pub mod relay_checkpoint;
pub mod replay;
pub mod statements;

pub use crypto::{CryptoError, KeyRing, MemberKey};
pub use event_log::{Metadata, RecordedEvent, StoreError};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::str::FromStr;

pub use deadpool_postgres::GenericClient;
pub use statements::CachedStatements;

pub type Transaction<'a> = deadpool_postgres::Transaction<'a>;

/// A connection pool for `url` (a libpq URL such as `postgres://user@host:port/db`).
pub fn create_pool(url: &str, size: usize) -> Result<Pool, StoreError> {
    let config =
        tokio_postgres::Config::from_str(url).map_err(|e| StoreError::Config(e.to_string()))?;
    let manager = Manager::from_config(
        config,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size.max(1))
        .build()
        .map_err(|e| StoreError::Config(e.to_string()))
}

/// Readiness probe: a round trip to PostgreSQL.
pub async fn ping(pool: &Pool) -> Result<(), StoreError> {
    let client = pool.get().await?;
    client.simple_query("SELECT 1").await?;
    Ok(())
}
