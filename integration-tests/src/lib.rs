//! Test harness: real PostgreSQL, real NATS, the Optix simulator and Lanyard's services, all
//! started per test on free loopback ports. Nothing of ours is mocked.
//!
//! Needs `DATABASE_URL` (a PostgreSQL server where we may create databases) and a nats-server
//! binary (`NATS_SERVER_BIN`); `make test` provides both. A missing service fails the test.

use anyhow::{Context, bail};
use std::future::Future;
use std::time::{Duration, Instant};

pub mod agent;
pub mod axe;
pub mod browser;
pub mod mail;
pub mod stack;

pub use stack::{Stack, StackOptions};

/// Polls `check` until it yields `Some`, failing after `deadline` with `what` in the message.
pub async fn eventually<T, F, Fut>(
    what: &str,
    deadline: Duration,
    mut check: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let start = Instant::now();
    let mut last_error = None;
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if start.elapsed() > deadline {
            match last_error {
                Some(e) => {
                    bail!("timed out after {deadline:?} waiting for {what}; last error: {e:#}")
                }
                None => bail!("timed out after {deadline:?} waiting for {what}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The PostgreSQL server URL from the environment (required).
pub fn server_url() -> anyhow::Result<String> {
    std::env::var("DATABASE_URL").context(
        "DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL (or export DATABASE_URL)",
    )
}

/// A fresh database cloned from a migrated template (crates.io's trick): migrations run once
/// per schema version, each test gets its own empty, migrated database in milliseconds.
pub async fn fresh_database() -> anyhow::Result<String> {
    let server = server_url()?;
    let template = format!("lanyard_template_{}", migrations_fingerprint());
    let (admin, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .with_context(|| {
            format!(
                "connecting to PostgreSQL at DATABASE_URL ({})",
                redact(&server)
            )
        })?;
    tokio::spawn(connection);
    // Serialize template creation across concurrently running test processes.
    admin.execute("SELECT pg_advisory_lock(7100)", &[]).await?;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
        .await?
        .is_some();
    if !exists {
        let building = format!("{template}_building");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
            .await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await?;
        let (mut client, connection) =
            tokio_postgres::connect(&with_database(&server, &building), tokio_postgres::NoTls)
                .await?;
        let handle = tokio::spawn(connection);
        store::migrations::migrate(&mut client).await?;
        drop(client);
        let _ = handle.await;
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await?;
    }
    admin
        .execute("SELECT pg_advisory_unlock(7100)", &[])
        .await?;
    let name = format!("lanyard_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await?;
    Ok(with_database(&server, &name))
}

fn migrations_fingerprint() -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for (version, _, sql) in store::migrations::MIGRATIONS {
        for byte in version.to_le_bytes().iter().chain(sql.as_bytes()) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    format!("{hash:016x}")
}

/// Replaces the database name of a `postgres://…/db` URL.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| scheme_end + i);
    let root = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{database}?{q}"),
        None => format!("{root}/{database}"),
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => format!("{}…{}", &url[..s + 3], &url[at..]),
        _ => url.to_owned(),
    }
}

/// Every passphrase issued in this stack's log, opened with the member keys: what a test
/// scans logs and metrics for.
pub async fn issued_passphrases(stack: &Stack) -> anyhow::Result<Vec<String>> {
    let client = stack.pool.get().await?;
    let rows = client
        .query(
            "SELECT org_id, stream_id, data FROM events WHERE event_type = 'PassphraseIssued'",
            &[],
        )
        .await?;
    let mut passphrases = Vec::with_capacity(rows.len());
    for row in rows {
        let (org_id, stream_id, data): (String, String, serde_json::Value) =
            (row.get(0), row.get(1), row.get(2));
        let user_id = stream_id.rsplit('-').next().unwrap_or_default();
        let Some(wrapped) = store::queries::member_key(&client, &org_id, user_id).await? else {
            continue; // a deleted member: the key, and with it the passphrase, is gone
        };
        let key = stack.keys.unwrap_member_key(&wrapped, &stream_id)?;
        let sealed: domain::Sealed = serde_json::from_value(data["passphrase"].clone())?;
        passphrases.push(String::from_utf8(key.open(&sealed, &stream_id)?)?);
    }
    Ok(passphrases)
}

/// A `MakeWriter` keeping every log line in memory.
#[derive(Clone, Default)]
pub struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl LogCapture {
    /// Everything written so far.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(
            with_database("postgres://u@h:5/a?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
    }
}
