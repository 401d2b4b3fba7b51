//! PostgreSQL persistence: the append-only event log, the read models (projections) updated
//! in the same transaction, migrations, and the members' wrapped data keys (sealed by
//! the `secrets` crate; the store only keeps them).
//!
//! A batch's look-ups by many keys are never `key = ANY($n)` against a table that grows:
//! statements are cached, and after five runs PostgreSQL may keep a generic plan, which cannot
//! hash a parameter array; planned while a table was small, it scans and compares every row
//! with every element (40–54 ms a call in `make bench`). Instead a probe per key,
//! `FROM (SELECT DISTINCT unnest($n::text[])) AS wanted(key) CROSS JOIN LATERAL (SELECT …
//! WHERE key = wanted.key OFFSET 0)`: the members' keys, e-mail and passphrase hashes, a
//! sync's staged plans, the processed marks and the webhook coverage. A semi-join
//! (`key IN (SELECT unnest(…))`) hashes the keys and reads the whole table (nothing is analyzed
//! during an import, and the planner's page costs favour a scan), so its cost grows with the
//! table: 5–10 ms a batch of 300 at 10,000 members; 3.6 and 1.95 ms for the ~30 coverage keys
//! and processed marks of a batch at 1,000 webhooks/s, where the probes take 0.2 ms. `OFFSET 0`
//! keeps the subquery from being flattened back into that join; each key is one index probe,
//! 5–8 µs measured, whatever the size. The price: a batch of a thousand keys against ten
//! thousand rows (a drain after downtime) probes in 7.0 and 7.8 ms where the semi-join hashed
//! them in 5.8 and 3.9.
//!
//! The event log's stream read keeps `= ANY`: its index takes the array as an index condition
//! (one probe per key); the probe form measured three times slower there (7 against 23 ms for
//! a thousand streams) and the semi-join hashed the array and scanned the log.

pub mod decide;
pub mod error;
pub mod event_log;
pub mod handshake_pmks;
pub mod history;
pub mod member_keys;
pub mod migrations;
pub mod optix_budget;
pub mod project_sql;
pub mod projection;
pub mod queries;
pub mod radius_cached_answers;
pub mod radius_sessions;
pub mod read_models;
pub mod recorded;
pub mod relay_checkpoint;
pub mod replay;
pub mod replay_fold;
pub mod statements;
pub mod sync_staging;
pub mod tls;

pub use error::StoreError;
pub use recorded::{Metadata, RecordedEvent};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

pub use deadpool_postgres::GenericClient;
pub use statements::CachedStatements;

pub type Transaction<'a> = deadpool_postgres::Transaction<'a>;

/// A connection pool for `url` (a libpq URL such as `postgres://user@host:port/db`; TLS with
/// `sslmode=verify-full&sslrootcert=FILE`, see [`tls`]).
pub fn create_pool(url: &str, size: usize) -> Result<Pool, StoreError> {
    let (mut config, tls) = tls::from_url(url)?;
    without_jit(&mut config);
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match tls {
        Some(tls) => Manager::from_config(config, tls, manager_config),
        None => Manager::from_config(config, tokio_postgres::NoTls, manager_config),
    };
    Pool::builder(manager)
        .max_size(size.max(1))
        .build()
        .map_err(|e| StoreError::Config(e.to_string()))
}

/// Lanyard's statements are short: PostgreSQL's JIT, switched on by a plan's estimated cost
/// and not by its work, compiled a batch's stream read for 150 ms that ran in 10 ms when the
/// log's statistics were stale (docs/performance-history.md, "The batch's stream read"). Options in
/// the URL come after, so an operator's `-c jit=on` still wins.
fn without_jit(config: &mut tokio_postgres::Config) {
    let options = match config.get_options() {
        Some(theirs) => format!("-c jit=off {theirs}"),
        None => "-c jit=off".to_owned(),
    };
    config.options(&options);
}

/// Readiness probe: a round trip to PostgreSQL.
pub async fn ping(pool: &Pool) -> Result<(), StoreError> {
    let client = pool.get().await?;
    client.simple_query("SELECT 1").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::without_jit;
    use std::str::FromStr;

    #[test]
    fn connections_go_without_jit_unless_the_url_asks_for_it() {
        let mut plain = tokio_postgres::Config::from_str("postgres://u@h/db").expect("a url");
        without_jit(&mut plain);
        assert_eq!(plain.get_options(), Some("-c jit=off"));
        let mut theirs =
            tokio_postgres::Config::from_str("postgres://u@h/db?options=-c%20jit%3Don")
                .expect("a url");
        without_jit(&mut theirs);
        assert_eq!(theirs.get_options(), Some("-c jit=off -c jit=on"));
    }
}
