//! The tests' databases: a fresh one per test, cloned from a template migrated once per
//! schema version, on the server `DATABASE_URL` names.

use anyhow::Context;

/// The first column of every row `sql` (without parameters) answers.
pub async fn first_column<T: tokio_postgres::types::FromSqlOwned>(
    pool: &deadpool_postgres::Pool,
    sql: &str,
) -> anyhow::Result<Vec<T>> {
    let client = pool.get().await?;
    let rows = client.query(sql, &[]).await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Every row, of every table in every schema (the event log included), holding `needle`
/// (case-insensitive), as `table: row`: where a secret or a deleted member's data must not be.
pub async fn rows_holding(
    pool: &deadpool_postgres::Pool,
    needle: &str,
) -> anyhow::Result<Vec<String>> {
    let tables: Vec<String> = first_column(
        pool,
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)
           FROM information_schema.tables
          WHERE table_type = 'BASE TABLE'
            AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .await?;
    anyhow::ensure!(tables.len() > 5, "the schema has its tables");
    let client = pool.get().await?;
    let mut found = Vec::new();
    for table in tables {
        let query =
            format!("SELECT t::text FROM {table} t WHERE strpos(lower(t::text), lower($1)) > 0");
        for row in client.query(&query, &[&needle]).await? {
            found.push(format!("{table}: {}", row.get::<_, String>(0)));
        }
    }
    Ok(found)
}

/// The PostgreSQL server URL from the environment (required).
pub fn server_url() -> anyhow::Result<String> {
    std::env::var("DATABASE_URL").context(
        "DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL (or export DATABASE_URL)",
    )
}

/// A connection to the server's own database (`DATABASE_URL`), for what is done to the
/// server rather than to one test's database: creating databases, a checkpoint.
pub async fn server_admin() -> anyhow::Result<tokio_postgres::Client> {
    let server = server_url()?;
    let (admin, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .with_context(|| {
            format!(
                "connecting to PostgreSQL at DATABASE_URL ({})",
                redact(&server)
            )
        })?;
    tokio::spawn(connection);
    Ok(admin)
}

/// A connection to one database of the server, outside any pool: for work done to the
/// database as a whole (migrating a template, a vacuum). [`Connection::close`] waits until the
/// connection has ended.
pub struct Connection {
    pub client: tokio_postgres::Client,
    task: tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Connection {
    pub async fn close(self) {
        drop(self.client);
        let _ = self.task.await;
    }
}

/// Connects to `database` on the server `DATABASE_URL` names.
pub async fn connect_to(database: &str) -> anyhow::Result<Connection> {
    let url = with_database(&server_url()?, database);
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .with_context(|| format!("connecting to database {database} ({})", redact(&url)))?;
    Ok(Connection {
        client,
        task: tokio::spawn(connection),
    })
}

/// The databases this process created ([`fresh_database`], [`empty_database`]), for
/// [`take_created`].
static CREATED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn created(name: &str) {
    CREATED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(name.to_owned());
}

/// The names of the databases this process created since the last call: the benchmark drops
/// a finished scenario's, so PostgreSQL's autovacuum of them does not run in a later one.
pub fn take_created() -> Vec<String> {
    std::mem::take(
        &mut *CREATED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
}

/// A fresh database cloned from a migrated template (crates.io's trick): migrations run once
/// per schema version, each test gets its own empty, migrated database in milliseconds.
pub async fn fresh_database() -> anyhow::Result<String> {
    let server = server_url()?;
    let template = format!("lanyard_template_{}", migrations_fingerprint());
    let admin = server_admin().await?;
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
        let mut building_db = connect_to(&building).await?;
        store::migrations::migrate(&mut building_db.client).await?;
        building_db.close().await;
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
    created(&name);
    Ok(with_database(&server, &name))
}

/// A new database with nothing in it (no migrations): what a restore goes into.
pub async fn empty_database() -> anyhow::Result<String> {
    let server = server_url()?;
    let admin = server_admin().await?;
    let name = format!("lanyard_empty_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    created(&name);
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
