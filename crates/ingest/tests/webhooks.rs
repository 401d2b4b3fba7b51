//! ingest against a real nats-server: what Optix sees (status codes) and what provision will
//! see (messages in the webhook stream).

use bus::testing::NatsServer;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "lanyard-test-app";
const SECRET: &str = "test-app-secret";

struct Ingest {
    base: String,
    http: reqwest::Client,
    nats: NatsServer,
    bus: bus::Bus,
}

fn settings(nats_url: String) -> runtime::Settings {
    runtime::Settings {
        database: runtime::DatabaseSettings {
            url: "postgres://unused@127.0.0.1:9/unused".into(),
            pool_size: 1,
        },
        nats: runtime::NatsSettings {
            url: nats_url,
            webhook_stream: "OPTIX_WEBHOOKS".into(),
            duplicate_window_secs: 120,
        },
        ingest: runtime::IngestSettings {
            listen: "127.0.0.1:0".into(),
            max_body_bytes: 4096,
            ..Default::default()
        },
        provision: Default::default(),
        portal: Default::default(),
        optix: runtime::OptixSettings {
            api_url: "http://127.0.0.1:9/graphql".into(),
            apps: vec![runtime::OptixApp {
                client_id: CLIENT_ID.into(),
                secret: runtime::Secret::new(SECRET),
            }],
        },
    }
}

async fn start() -> anyhow::Result<Ingest> {
    let nats = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let settings = settings(nats.url());
    let bus = bus::Bus::connect(&settings.nats).await?;
    let app = ingest::Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Ok(Ingest {
        base,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
        nats,
        bus,
    })
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An Optix-style `new_member` webhook, signed with `secret` at `created`.
fn webhook(secret: &str, created: i64) -> serde_json::Map<String, Value> {
    let created = created.to_string();
    let signature = optix::signature::expected_signature(CLIENT_ID, secret, &created);
    let Value::Object(fields) = json!({
        "client_id": CLIENT_ID,
        "created_timestamp": created,
        "organization_id": "6267",
        "event": "new_member",
        "request_signature": signature,
        "organization_token": "org-token-never-logged",
        "member": { "member_id": "42", "email": "ada@example.com" },
    }) else {
        unreachable!("a JSON object literal")
    };
    fields
}

impl Ingest {
    async fn post(&self, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.http
            .post(format!("{}/optix/webhooks", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("ingest answers")
    }

    async fn post_form(&self, fields: &serde_json::Map<String, Value>) -> reqwest::Response {
        self.post(
            "application/x-www-form-urlencoded",
            optix::webhook::encode_form(fields),
        )
        .await
    }

    async fn stream_messages(&self) -> anyhow::Result<u64> {
        let mut stream = self.bus.jetstream().get_stream("OPTIX_WEBHOOKS").await?;
        Ok(stream.info().await?.state.messages)
    }
}

async fn error_of(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("JSON error body");
    body["error"].as_str().expect("an error text").to_owned()
}

#[tokio::test]
async fn a_signed_form_webhook_is_accepted_after_it_is_in_the_stream() -> anyhow::Result<()> {
    let ingest = start().await?;
    let fields = webhook(SECRET, now());
    let response = ingest.post_form(&fields).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await?,
        json!({ "status": "accepted" })
    );

    let stream = ingest.bus.jetstream().get_stream("OPTIX_WEBHOOKS").await?;
    let stored = stream
        .get_last_raw_message_by_subject("optix.webhooks.6267.new_member")
        .await?;
    let payload: serde_json::Map<String, Value> = serde_json::from_slice(&stored.payload)?;
    assert_eq!(payload["member"]["email"], "ada@example.com");
    assert_eq!(payload["request_signature"], fields["request_signature"]);
    let received_at = stored
        .headers
        .get("Lanyard-Received-At")
        .map(|v| v.to_string())
        .expect("Lanyard-Received-At header");
    chrono::DateTime::parse_from_rfc3339(&received_at)?;
    assert!(stored.headers.get("Nats-Msg-Id").is_some());
    Ok(())
}

#[tokio::test]
async fn a_json_webhook_is_accepted_too() -> anyhow::Result<()> {
    let ingest = start().await?;
    let body = serde_json::to_vec(&webhook(SECRET, now()))?;
    let response = ingest.post("application/json", body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(ingest.stream_messages().await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_retried_delivery_is_stored_once() -> anyhow::Result<()> {
    let ingest = start().await?;
    let fields = webhook(SECRET, now());
    assert_eq!(ingest.post_form(&fields).await.status(), 200);
    assert_eq!(ingest.post_form(&fields).await.status(), 200);
    assert_eq!(ingest.stream_messages().await?, 1);
    // A different delivery (new timestamp, new signature) is a new message.
    assert_eq!(
        ingest.post_form(&webhook(SECRET, now() - 1)).await.status(),
        200
    );
    assert_eq!(ingest.stream_messages().await?, 2);
    Ok(())
}

#[tokio::test]
async fn forged_unknown_and_stale_webhooks_are_unauthorized() -> anyhow::Result<()> {
    let ingest = start().await?;

    let forged = ingest.post_form(&webhook("not-the-secret", now())).await;
    assert_eq!(forged.status(), 401);
    assert!(error_of(forged).await.contains("signature"));

    let mut unknown = webhook(SECRET, now());
    unknown.insert("client_id".into(), "someone-else".into());
    assert_eq!(ingest.post_form(&unknown).await.status(), 401);

    let stale = ingest.post_form(&webhook(SECRET, now() - 3 * 3600)).await;
    assert_eq!(stale.status(), 401);
    assert!(error_of(stale).await.contains("window"));

    let future = ingest.post_form(&webhook(SECRET, now() + 3600)).await;
    assert_eq!(future.status(), 401);

    // Extremes of i64 must not overflow the window arithmetic.
    for extreme in [i64::MIN, i64::MAX] {
        assert_eq!(
            ingest.post_form(&webhook(SECRET, extreme)).await.status(),
            401
        );
    }
    assert_eq!(ingest.stream_messages().await?, 0);
    Ok(())
}

#[tokio::test]
async fn wrong_type_oversized_and_garbage_bodies_are_refused() -> anyhow::Result<()> {
    let ingest = start().await?;

    let wrong_type = ingest.post("text/plain", "hello").await;
    assert_eq!(wrong_type.status(), 415);
    assert!(error_of(wrong_type).await.contains("text/plain"));

    let mut big = webhook(SECRET, now());
    big.insert("padding".into(), "x".repeat(8192).into());
    let oversized = ingest.post_form(&big).await;
    assert_eq!(oversized.status(), 413);
    assert!(error_of(oversized).await.contains("4096"));

    let garbage = ingest.post("application/json", "{not json").await;
    assert_eq!(garbage.status(), 400);
    assert!(error_of(garbage).await.contains("JSON"));

    let not_an_object = ingest.post("application/json", "[1,2]").await;
    assert_eq!(not_an_object.status(), 400);

    let mut incomplete = webhook(SECRET, now());
    incomplete.remove("organization_id");
    let missing = ingest.post_form(&incomplete).await;
    assert_eq!(missing.status(), 400);
    assert!(error_of(missing).await.contains("organization_id"));

    let empty = ingest.post("application/x-www-form-urlencoded", "").await;
    assert_eq!(empty.status(), 400);

    assert_eq!(ingest.stream_messages().await?, 0);
    Ok(())
}

#[tokio::test]
async fn health_and_readiness_follow_nats() -> anyhow::Result<()> {
    let mut ingest = start().await?;
    let get = |path: &str| ingest.http.get(format!("{}{path}", ingest.base)).send();
    assert_eq!(get("/healthz").await?.status(), 200);
    assert_eq!(get("/readyz").await?.status(), 200);

    ingest.nats.stop();
    let started = Instant::now();
    let response = ingest.post_form(&webhook(SECRET, now())).await;
    assert_eq!(response.status(), 503);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "503 took {:?}",
        started.elapsed()
    );
    let get = |path: &str| ingest.http.get(format!("{}{path}", ingest.base)).send();
    assert_eq!(get("/readyz").await?.status(), 503);
    assert_eq!(get("/healthz").await?.status(), 200);
    Ok(())
}
