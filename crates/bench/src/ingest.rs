//! Ingest: accepted (durably published) webhooks per second with 64 concurrent connections,
//! and p50/p99 latency at a fixed offered rate, beside the HTTP ceiling (a trivial actix-web
//! handler) and the durability ceiling (raw JetStream publishes of the same payloads).

use crate::stats::{Row, ms, quantile};
use crate::support;
use actix_web::{App, HttpResponse, HttpServer, web};
use bus::testing::NatsServer;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "bench-app";
const SECRET: &str = "bench-secret";
const ORG: &str = "1";
const CONCURRENCY: usize = 64;

#[derive(Serialize)]
pub struct IngestFigures {
    pub requests: usize,
    pub concurrency: usize,
    pub accepted_per_sec: f64,
    pub http_ceiling_per_sec: f64,
    pub jetstream_ceiling_per_sec: f64,
    pub offered_rate_per_sec: u32,
    pub offered_seconds: u32,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub non_2xx_at_fixed_rate: usize,
}

impl IngestFigures {
    pub fn rows(&self) -> Vec<Row> {
        let lower = self
            .http_ceiling_per_sec
            .min(self.jetstream_ceiling_per_sec);
        vec![
            Row {
                what: format!("ingest accepted/s ({} conns)", self.concurrency),
                figure: format!(
                    "{:.0}/s ({:.0} % of lower ceiling)",
                    self.accepted_per_sec,
                    100.0 * self.accepted_per_sec / lower.max(1.0)
                ),
                ceiling: format!(
                    "HTTP 200 {:.0}/s; JetStream publish {:.0}/s",
                    self.http_ceiling_per_sec, self.jetstream_ceiling_per_sec
                ),
                target: "≥ 50 % of the lower ceiling".into(),
            },
            Row {
                what: format!("ingest latency at {}/s", self.offered_rate_per_sec),
                figure: format!(
                    "p50 {:.2} ms, p99 {:.2} ms (max {:.1} ms, {} non-2xx)",
                    self.p50_ms, self.p99_ms, self.max_ms, self.non_2xx_at_fixed_rate
                ),
                ceiling: "-".into(),
                target: "p99 < 5 ms".into(),
            },
        ]
    }
}

fn settings(nats: runtime::NatsSettings) -> runtime::Settings {
    runtime::Settings {
        database: runtime::DatabaseSettings {
            url: "postgres://unused@127.0.0.1:9/unused".into(),
            pool_size: 1,
        },
        nats,
        ingest: runtime::IngestSettings {
            listen: "127.0.0.1:0".into(),
            ops_listen: "127.0.0.1:0".into(),
            ..Default::default()
        },
        provision: Default::default(),
        portal: Default::default(),
        radius: Default::default(),
        officernd: Default::default(),
        controllers: Default::default(),
        optix: runtime::OptixSettings {
            api_url: "http://127.0.0.1:9/graphql".into(),
            apps: vec![runtime::OptixApp {
                client_id: CLIENT_ID.into(),
                secret: runtime::Secret::new(SECRET),
                secret_file: None,
            }],
            ..Default::default()
        },
        webhooks: runtime::WebhookSettings {
            seal_key: runtime::Secret::new("ab".repeat(32)),
            seal_key_file: None,
        },
    }
}

/// A realistic delivery: signed, form-encoded, different for every `n`.
fn webhook(event: &str, n: usize) -> serde_json::Map<String, Value> {
    let created = chrono::Utc::now().timestamp().to_string();
    let signature = optix::signature::expected_signature(CLIENT_ID, SECRET, &created);
    let Value::Object(fields) = json!({
        "client_id": CLIENT_ID,
        "created_timestamp": created,
        "organization_id": ORG,
        "event": event,
        "request_signature": signature,
        "member": {
            "member_id": (100_000 + n).to_string(),
            "email": format!("member{n}@example.com"),
            "fullname": format!("Member Number {n}"),
        },
    }) else {
        unreachable!("a JSON object literal")
    };
    fields
}

pub async fn run(smoke: bool) -> anyhow::Result<IngestFigures> {
    let (requests, rate, seconds) = if smoke {
        (200, 100, 1)
    } else {
        (20_000, 2_000, 10)
    };
    let nats = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let settings = settings(nats.settings());
    let app = ingest::Application::build(settings.clone()).await?;
    let ingest_url = format!("http://127.0.0.1:{}/optix/webhooks", app.port());
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .timeout(Duration::from_secs(10))
        .build()?;
    let install = http
        .post(&ingest_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(optix::webhook::encode_form(&webhook("app_install", 0)))
        .send()
        .await?;
    anyhow::ensure!(install.status() == 200, "app_install: {}", install.status());

    let bodies: Arc<Vec<String>> = Arc::new(
        (0..requests + rate * seconds)
            .map(|n| optix::webhook::encode_form(&webhook("member_updated", n)))
            .collect(),
    );
    let ceiling_url = trivial_server()?;
    let http_ceiling = throughput(&http, &ceiling_url, &bodies[..requests]).await?;
    let accepted = throughput(&http, &ingest_url, &bodies[..requests]).await?;
    let (mut latencies, non_2xx) =
        fixed_rate(&http, &ingest_url, &bodies[requests..], rate).await?;
    let jetstream_ceiling = publish_ceiling(&settings, &bodies[..requests]).await?;
    drop(nats);
    Ok(IngestFigures {
        requests,
        concurrency: CONCURRENCY,
        accepted_per_sec: accepted,
        http_ceiling_per_sec: http_ceiling,
        jetstream_ceiling_per_sec: jetstream_ceiling,
        offered_rate_per_sec: rate as u32,
        offered_seconds: seconds as u32,
        p50_ms: ms(quantile(&mut latencies, 0.50)),
        p99_ms: ms(quantile(&mut latencies, 0.99)),
        max_ms: ms(quantile(&mut latencies, 1.0)),
        non_2xx_at_fixed_rate: non_2xx,
    })
}

/// The HTTP ceiling: actix-web reading the body and answering 200, nothing else.
fn trivial_server() -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://127.0.0.1:{}/", listener.local_addr()?.port());
    let server = HttpServer::new(|| {
        App::new().route(
            "/",
            web::post().to(|_body: web::Bytes| async { HttpResponse::Ok().body("ok") }),
        )
    })
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(url)
}

/// Requests per second with `CONCURRENCY` connections each sending its share back to back;
/// fails unless every answer is a 2xx.
async fn throughput(http: &reqwest::Client, url: &str, bodies: &[String]) -> anyhow::Result<f64> {
    let bodies = bodies.to_vec();
    let total = bodies.len();
    let started = Instant::now();
    crate::support::post_all(http, url, bodies).await?;
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Open loop: request `i` is due at `i / rate` s and its latency counts from then, so a slow
/// answer cannot hide the requests queued behind it (no coordinated omission).
async fn fixed_rate(
    http: &reqwest::Client,
    url: &str,
    bodies: &[String],
    rate: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut tasks = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.iter().enumerate() {
        let due = start + Duration::from_secs_f64(i as f64 / rate as f64);
        tokio::time::sleep_until(due).await;
        let (http, url, body) = (http.clone(), url.to_owned(), body.clone());
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await;
            let ok = response.is_ok_and(|r| r.status().is_success());
            (due.elapsed(), ok)
        }));
    }
    support::latencies_and_failures(tasks).await
}

/// The durability ceiling: what ingest publishes (the parsed fields as JSON), published
/// straight to JetStream with the same dedupe header and ack wait, `CONCURRENCY` at a time.
async fn publish_ceiling(settings: &runtime::Settings, bodies: &[String]) -> anyhow::Result<f64> {
    let bus = bus::Bus::connect(&settings.nats, bus::auth::Identity::Ingest).await?;
    let payloads: Vec<(String, bytes::Bytes)> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let fields = optix::webhook::parse_form(body.as_bytes())?;
            Ok((format!("ceiling-{i}"), serde_json::to_vec(&fields)?.into()))
        })
        .collect::<anyhow::Result<_>>()?;
    let payloads = Arc::new(payloads);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (bus, next, payloads) = (bus.clone(), next.clone(), payloads.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((id, payload)) = payloads.get(i) else {
                        return Ok::<_, bus::BusError>(());
                    };
                    bus.publish_durable(
                        bus::webhook_subject(ORG, "ceiling"),
                        id,
                        &[],
                        payload.clone(),
                        Duration::from_secs(5),
                    )
                    .await?;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    Ok(payloads.len() as f64 / started.elapsed().as_secs_f64())
}
