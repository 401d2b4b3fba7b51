//! TLS to PostgreSQL (crates/store/src/tls.rs) against the real server `make test` starts, which
//! takes TLS with a certificate from its own CA (`PG_TLS_CA`, scripts/infra.sh): asked for in
//! the URL, the connection is encrypted and the server verified; a server the roots do not
//! vouch for is refused; without `sslmode` nothing changes.

use integration_tests::database::server_url;

/// `DATABASE_URL` with `query` appended.
fn url_with(query: &str) -> anyhow::Result<String> {
    let server = server_url()?;
    let separator = if server.contains('?') { '&' } else { '?' };
    Ok(format!("{server}{separator}{query}"))
}

fn test_ca() -> anyhow::Result<String> {
    std::env::var("PG_TLS_CA").map_err(|_| {
        anyhow::anyhow!(
            "PG_TLS_CA is not set: run with `make test` (scripts/infra.sh makes the CA)"
        )
    })
}

/// Whether this pool's connection is encrypted, as the server sees it.
async fn encrypted(url: &str) -> anyhow::Result<bool> {
    let pool = store::create_pool(url, 1)?;
    let client = pool.get().await?;
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

#[tokio::test]
async fn sslmode_verify_full_encrypts_and_verifies_the_server() -> anyhow::Result<()> {
    let ca = test_ca()?;
    assert!(encrypted(&url_with(&format!("sslmode=verify-full&sslrootcert={ca}"))?).await?);
    assert!(encrypted(&url_with(&format!("sslmode=require&sslrootcert={ca}"))?).await?);
    assert!(
        !encrypted(&server_url()?).await?,
        "no sslmode: plain, as before"
    );
    assert!(!encrypted(&url_with("sslmode=prefer")?).await?);
    Ok(())
}

#[tokio::test]
async fn a_server_the_roots_do_not_vouch_for_is_refused() -> anyhow::Result<()> {
    // The Mozilla roots do not know the test CA.
    let pool = store::create_pool(&url_with("sslmode=verify-full")?, 1)?;
    let error = match pool.get().await {
        Ok(_) => anyhow::bail!("connected to a server no root vouches for"),
        Err(error) => format!("{error:?}"),
    };
    assert!(
        error.contains("UnknownIssuer") || error.contains("certificate"),
        "{error}"
    );
    Ok(())
}
