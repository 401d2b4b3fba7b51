//! portal's health endpoints against a real PostgreSQL (`DATABASE_URL`, started by `make test`)
//! and a real nats-server.

use bus::testing::NatsServer;
use std::time::Duration;

fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        panic!("DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL")
    })
}

fn settings(database_url: String, nats: runtime::NatsSettings) -> runtime::Settings {
    runtime::Settings {
        database: runtime::DatabaseSettings {
            url: database_url,
            pool_size: 2,
        },
        nats,
        ingest: Default::default(),
        // The portal opens passphrases: it needs provision's keys.
        provision: runtime::ProvisionSettings {
            master_key: runtime::Secret::new("11".repeat(32)),
            hash_key: runtime::Secret::new("22".repeat(32)),
            ..Default::default()
        },
        portal: runtime::PortalSettings {
            listen: "127.0.0.1:0".into(),
            ops_listen: "127.0.0.1:0".into(),
            ..Default::default()
        },
        optix: Default::default(),
        officernd: Default::default(),
        webhooks: Default::default(),
        radius: Default::default(),
        controllers: Default::default(),
    }
}

/// The public base URL and the operations one (`/metrics`, `/healthz`, `/readyz`).
async fn start(settings: runtime::Settings) -> anyhow::Result<(String, String)> {
    let app = portal::Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let ops = format!("http://127.0.0.1:{}", app.ops_port());
    tokio::spawn(app.run_until_stopped());
    Ok((base, ops))
}

async fn get(url: String) -> anyhow::Result<(u16, String, String)> {
    let response = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?
        .get(url)
        .send()
        .await?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok((status, content_type, response.text().await?))
}

#[tokio::test]
async fn ready_with_postgres_and_nats_and_not_after_nats_stops() -> anyhow::Result<()> {
    let mut nats = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    // The webhook stream is what the readiness probe looks at; ingest/provision create it.
    let bus = nats
        .bus_as(bus::auth::Identity::Provision)
        .await
        .map_err(anyhow::Error::msg)?;
    bus.ensure_streams().await?;
    let (base, ops) = start(settings(database_url(), nats.settings())).await?;

    assert_eq!(get(format!("{ops}/healthz")).await?.0, 200);
    let (status, _, body) = get(format!("{ops}/readyz")).await?;
    assert_eq!(status, 200, "{body}");
    // The attack of the security review: reading sign-in outcomes (an email oracle) from the
    // public listener. It has no metrics and no readiness details.
    for path in ["/metrics", "/readyz"] {
        let (status, _, body) = get(format!("{base}{path}")).await?;
        assert_eq!(status, 404, "public {path}");
        assert!(!body.contains("lanyard_"), "public {path}: {body}");
    }
    // They are on the operations listener, which counted the two refused requests.
    let (status, _, metrics) = get(format!("{ops}/metrics")).await?;
    assert_eq!(status, 200);
    assert!(metrics.contains("lanyard_http_requests_total"), "{metrics}");

    let (status, content_type, page) = get(format!("{base}/")).await?;
    assert_eq!(status, 200);
    assert!(content_type.contains("charset=utf-8"), "{content_type}");
    assert!(page.contains("Lanyard portal"));

    nats.stop();
    let (status, _, body) = get(format!("{ops}/readyz")).await?;
    assert_eq!(status, 503);
    assert!(
        body.contains("nats") && !body.contains("postgresql"),
        "{body}"
    );
    assert_eq!(get(format!("{ops}/healthz")).await?.0, 200);
    Ok(())
}

#[tokio::test]
async fn not_ready_names_postgresql_when_it_is_unreachable() -> anyhow::Result<()> {
    let nats = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let bus = nats
        .bus_as(bus::auth::Identity::Provision)
        .await
        .map_err(anyhow::Error::msg)?;
    bus.ensure_streams().await?;
    // Port 9 (discard) on loopback: nothing listens, so connecting fails at once.
    let unreachable = "postgres://postgres@127.0.0.1:9/postgres".to_owned();
    let (_, ops) = start(settings(unreachable, nats.settings())).await?;

    let started = std::time::Instant::now();
    let (status, _, body) = get(format!("{ops}/readyz")).await?;
    assert_eq!(status, 503);
    assert!(
        body.contains("postgresql") && !body.contains("nats"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    Ok(())
}
