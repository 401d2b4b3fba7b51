//! ingest against a real nats-server: what Optix sees (status codes) and what provision will
//! see (messages in the webhook stream).

use bus::testing::NatsServer;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CLIENT_ID: &str = "lanyard-test-app";
const SECRET: &str = "test-app-secret";

struct Ingest {
    base: String,
    /// The operations listener (`/metrics`, `/readyz`).
    ops: String,
    http: reqwest::Client,
    /// The nats-server this test started (None: an instance beside another, on its server).
    nats: Option<NatsServer>,
    bus: bus::Bus,
}

/// Ingest's sections only: it needs no database.
fn settings(nats: runtime::NatsSettings, client_id: &str, secret: &str) -> runtime::IngestConfig {
    runtime::IngestConfig {
        nats,
        ingest: runtime::IngestSettings {
            listen: "127.0.0.1:0".into(),
            ops_listen: "127.0.0.1:0".into(),
            max_body_bytes: 4096,
            ..Default::default()
        },
        officernd: Default::default(),
        optix: runtime::OptixSettings {
            apps: vec![runtime::OptixApp {
                client_id: client_id.into(),
                secret: runtime::Secret::new(secret),
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

/// A running ingest on a fresh nats-server; organization 6267 has installed the app.
async fn start() -> anyhow::Result<Ingest> {
    let ingest = start_for(CLIENT_ID, SECRET).await?;
    let install = ingest.post_form(&install_webhook("6267")).await;
    assert_eq!(install.status(), 200, "app_install is accepted");
    Ok(ingest)
}

async fn start_for(client_id: &str, secret: &str) -> anyhow::Result<Ingest> {
    let nats = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let settings = settings(nats.settings(), client_id, secret);
    // The test inspects the webhook stream: unrestricted.
    let bus = bus::Bus::connect(&settings.nats, bus::auth::Identity::Ops).await?;
    let app = ingest::Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let ops = format!("http://127.0.0.1:{}", app.ops_port());
    tokio::spawn(app.run_until_stopped());
    Ok(Ingest {
        base,
        ops,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
        nats: Some(nats),
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

fn install_webhook(org: &str) -> serde_json::Map<String, Value> {
    let mut fields = webhook(SECRET, now());
    fields.remove("member");
    fields.insert("event".into(), "app_install".into());
    fields.insert("organization_id".into(), org.into());
    fields
}

fn nats_of(server: &mut Option<NatsServer>) -> &mut NatsServer {
    server
        .as_mut()
        .expect("this instance started the nats-server")
}

impl Ingest {
    /// A second ingest on the same nats-server, as behind a load balancer.
    async fn beside(&self) -> anyhow::Result<Ingest> {
        let nats = self
            .nats
            .as_ref()
            .expect("beside the instance that started the nats-server")
            .settings();
        let app = ingest::Application::build(settings(nats, CLIENT_ID, SECRET)).await?;
        let base = format!("http://127.0.0.1:{}", app.port());
        let ops = format!("http://127.0.0.1:{}", app.ops_port());
        tokio::spawn(app.run_until_stopped());
        Ok(Ingest {
            base,
            ops,
            http: self.http.clone(),
            nats: None,
            bus: self.bus.clone(),
        })
    }

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

    /// Posts the demo organization's signed webhook created at `created`: ingest's status.
    async fn post_signed_webhook(&self, created: i64) -> u16 {
        self.post_form(&webhook(SECRET, created))
            .await
            .status()
            .as_u16()
    }

    /// Forgets the demo organization's installation in the registry, as provision does once
    /// Optix confirmed an uninstall.
    async fn forget_installation(&self) -> anyhow::Result<()> {
        self.bus
            .installations()
            .await?
            .forget(CLIENT_ID, "6267")
            .await?;
        Ok(())
    }

    /// Posts signed webhooks (created one second earlier each time) until ingest refuses one
    /// with 401: an instance hears of a forgotten installation through its watch of the
    /// registry, within moments, not at once. Answers how many were accepted before that.
    async fn accepted_until_refused(&self, mut created: i64) -> usize {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut accepted = 0;
        loop {
            let status = self.post_signed_webhook(created).await;
            if status == 401 {
                return accepted;
            }
            assert_eq!(status, 200);
            accepted += 1;
            assert!(
                Instant::now() < deadline,
                "still accepted 5 s after the installation was forgotten"
            );
            created -= 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Messages in the webhook stream, leaving out the `app_install` that [`start`] sent.
    async fn stream_messages(&self) -> anyhow::Result<u64> {
        Ok(self.all_stream_messages().await?.saturating_sub(1))
    }

    /// One sample from ingest's own `/metrics` (0 when the series does not exist yet).
    async fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.ops))
            .send()
            .await
            .expect("ingest answers /metrics")
            .text()
            .await
            .expect("metrics text");
        telemetry::metrics::sample(&text, name, labels).unwrap_or(0.0)
    }

    /// The last `new_member` webhook stored: its headers, its body's format and delivery id
    /// (read as provision reads them) and its body, opened with the test seal key.
    async fn stored_new_member(&self) -> anyhow::Result<StoredNewMember> {
        let subject = "optix.webhooks.6267.new_member";
        let stored = self
            .bus
            .jetstream()
            .get_stream("OPTIX_WEBHOOKS")
            .await?
            .get_last_raw_message_by_subject(subject)
            .await?;
        // Sealed on the bus: the member's email is not readable there.
        assert!(!String::from_utf8_lossy(&stored.payload).contains("ada@example.com"));
        let read = bus::webhooks::StoredDelivery::read(Some(&stored.headers), &stored.payload);
        let seal = bus::sealing::WebhookSeal::from_hex(&"ab".repeat(32))?;
        Ok(StoredNewMember {
            body_format: read.body_format.map_err(anyhow::Error::msg)?,
            delivery_id: read.delivery_id,
            opened: seal.open(subject, read.sealed_body)?,
            headers: stored.headers,
        })
    }

    async fn all_stream_messages(&self) -> anyhow::Result<u64> {
        let mut stream = self.bus.jetstream().get_stream("OPTIX_WEBHOOKS").await?;
        Ok(stream.info().await?.state.messages)
    }

    /// Posts until ingest answers 200, as Optix's retries would (NATS may be reconnecting).
    async fn post_form_until_accepted(&self, fields: &serde_json::Map<String, Value>) -> u16 {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let status = self.post_form(fields).await.status().as_u16();
            if status == 200 || Instant::now() > deadline {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A stored `new_member` webhook ([`Ingest::stored_new_member`]).
struct StoredNewMember {
    headers: async_nats::HeaderMap,
    body_format: bus::webhooks::BodyFormat,
    delivery_id: Option<String>,
    opened: Vec<u8>,
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

    // Sealed, and stored as sent: a form, which provision reads whole.
    let stored = ingest.stored_new_member().await?;
    assert_eq!(stored.body_format, bus::webhooks::BodyFormat::Form);
    assert_eq!(
        stored.opened,
        optix::webhook::encode_form(&fields).as_bytes()
    );
    let payload = optix::webhook::parse_form(&stored.opened)?;
    assert_eq!(payload["member"]["email"], "ada@example.com");
    assert_eq!(payload["request_signature"], fields["request_signature"]);
    // The delivery's id travels in the payload's frame, with the body's format: no headers
    // at all (no time of receipt: JetStream timestamps every message; no deduplication id,
    // which would cost nats-server an entry per webhook for its duplicate window), so the
    // publish is a plain one, cheaper for nats-server and ingest.
    let delivery_id = stored.delivery_id.expect("the frame's delivery id");
    assert_eq!(delivery_id.len(), 81, "{delivery_id}");
    assert!(stored.headers.is_empty(), "{:?}", stored.headers);
    Ok(())
}

#[tokio::test]
async fn a_json_webhook_is_accepted_too() -> anyhow::Result<()> {
    let ingest = start().await?;
    let body = serde_json::to_vec(&webhook(SECRET, now()))?;
    let response = ingest.post("application/json", body.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(ingest.stream_messages().await?, 1);
    // Sealed, and stored as sent: JSON.
    let stored = ingest.stored_new_member().await?;
    assert_eq!(stored.body_format, bus::webhooks::BodyFormat::Json);
    assert_eq!(stored.opened, body);
    Ok(())
}

#[tokio::test]
async fn a_look_alike_delivery_is_stored_too() -> anyhow::Result<()> {
    // A byte-identical body may be a retry or a second change in the same second: ingest
    // cannot tell, so it stores both; provision skips what a later reconciliation covered.
    let ingest = start().await?;
    let fields = webhook(SECRET, now());
    assert_eq!(ingest.post_form(&fields).await.status(), 200);
    assert_eq!(ingest.post_form(&fields).await.status(), 200);
    assert_eq!(ingest.stream_messages().await?, 2);
    assert_eq!(ingest.post_signed_webhook(now() - 1).await, 200);
    assert_eq!(ingest.stream_messages().await?, 3);
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

    let rejected = async |reason: &'static str| {
        ingest
            .metric(
                "lanyard_webhooks_rejected_total",
                &[("reason", reason), ("event", "new_member")],
            )
            .await
    };
    assert_eq!(rejected("bad_signature").await, 1.0);
    assert_eq!(rejected("unknown_client").await, 1.0);
    assert_eq!(rejected("stale_timestamp").await, 4.0);
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

    let rejected = async |reason: &'static str| {
        ingest
            .metric("lanyard_webhooks_rejected_total", &[("reason", reason)])
            .await
    };
    assert_eq!(rejected("content_type").await, 1.0);
    assert_eq!(rejected("too_large").await, 1.0);
    assert_eq!(rejected("malformed").await, 4.0);
    // The install from `start` is the only accepted one; it and the six refusals were timed.
    assert_eq!(
        ingest
            .metric(
                "lanyard_webhooks_accepted_total",
                &[("event", "app_install")]
            )
            .await,
        1.0
    );
    assert_eq!(
        ingest
            .metric("lanyard_ingest_duration_seconds_count", &[])
            .await,
        7.0
    );
    assert_eq!(
        ingest
            .metric(
                "lanyard_http_requests_total",
                &[("route", "/optix/webhooks"), ("status", "413")]
            )
            .await,
        1.0
    );
    Ok(())
}

#[tokio::test]
async fn nats_down_means_503_in_budget_then_the_retry_is_stored() -> anyhow::Result<()> {
    let mut ingest = start().await?;
    let get = |path: &str| ingest.http.get(format!("{}{path}", ingest.ops)).send();
    assert_eq!(get("/healthz").await?.status(), 200);
    assert_eq!(get("/readyz").await?.status(), 200);
    // Operations live on their own listener: the public one (the webhook URL) has none.
    for path in ["/metrics", "/readyz"] {
        let public = ingest.http.get(format!("{}{path}", ingest.base)).send();
        assert_eq!(public.await?.status(), 404, "public {path}");
    }

    nats_of(&mut ingest.nats).stop();
    let delivery = webhook(SECRET, now());
    let started = Instant::now();
    let response = ingest.post_form(&delivery).await;
    assert_eq!(response.status(), 503);
    // Optix gives up on a response after 2 s: the 503 must come before that.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "503 took {:?}",
        started.elapsed()
    );
    let get = |path: &str| ingest.http.get(format!("{}{path}", ingest.ops)).send();
    assert_eq!(get("/readyz").await?.status(), 503);
    assert_eq!(get("/healthz").await?.status(), 200);

    nats_of(&mut ingest.nats)
        .restart()
        .await
        .map_err(anyhow::Error::msg)?;
    assert_eq!(ingest.post_form_until_accepted(&delivery).await, 200);
    // Optix retries once more (our 200 was lost, say): stored again, like every accepted
    // delivery (attempts answered 503 may have been stored too, once NATS was back): look-alike
    // bodies may be distinct changes, and provision skips the copies a reconciliation covered.
    assert_eq!(ingest.post_form(&delivery).await.status(), 200);
    assert!(ingest.stream_messages().await? >= 2);
    assert_eq!(get("/readyz").await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn an_organization_without_the_app_is_refused_and_uninstall_closes_the_door()
-> anyhow::Result<()> {
    let ingest = start().await?;
    let mut stranger = webhook(SECRET, now());
    stranger.insert("organization_id".into(), "9999".into());
    let refused = ingest.post_form(&stranger).await;
    assert_eq!(refused.status(), 401);
    assert!(error_of(refused).await.contains("9999 has not installed"));
    assert_eq!(
        ingest
            .metric(
                "lanyard_webhooks_rejected_total",
                &[("reason", "organization_not_installed")]
            )
            .await,
        1.0
    );

    assert_eq!(ingest.post_signed_webhook(now()).await, 200);
    // An app_uninstall is only a claim (its body is not signed): it is stored for provision,
    // and the door stays open until provision, with Optix's confirmation, forgets the
    // installation.
    let mut uninstall = install_webhook("6267");
    uninstall.insert("event".into(), "app_uninstall".into());
    assert_eq!(ingest.post_form(&uninstall).await.status(), 200);
    assert_eq!(ingest.post_signed_webhook(now() - 1).await, 200);
    ingest.forget_installation().await?;
    let accepted_meanwhile = ingest.accepted_until_refused(now() - 2).await;
    // new_member, app_uninstall and new_member were stored (and whatever was accepted before
    // the watch brought the news); the refused ones were not.
    assert_eq!(
        ingest.stream_messages().await?,
        3 + accepted_meanwhile as u64
    );
    Ok(())
}

/// Two ingest instances behind one load balancer share the registry: each keeps the installed
/// organizations in memory, and an installation forgotten (by provision) closes the door on
/// every instance.
#[tokio::test]
async fn instances_share_installs_and_uninstalls() -> anyhow::Result<()> {
    let first = start().await?;
    let second = first.beside().await?;

    // Installed through the first: the second accepts (and now knows) the organization.
    assert_eq!(second.post_signed_webhook(now()).await, 200);
    assert_eq!(second.post_signed_webhook(now() - 1).await, 200);
    // Provision, once Optix confirmed an uninstall, forgets the installation in the registry.
    first.forget_installation().await?;
    // The second hears of it through its watch of the registry, within moments.
    second.accepted_until_refused(now() - 2).await;
    Ok(())
}

/// optix-sim delivers as Optix does (form, signed, retries on anything but 2xx and 410) to an
/// ingest whose NATS is down at first: the retries end in exactly one message per delivery.
#[tokio::test]
async fn optix_retries_are_stored_once_accepted_and_forgeries_never() -> anyhow::Result<()> {
    let placeholder = optix_sim::Sim::new(sim_config(None))?;
    let (client_id, secret) = placeholder.app();
    let mut ingest = start_for(&client_id, &secret).await?;
    let sim = optix_sim::Sim::new(sim_config(Some(format!("{}/optix/webhooks", ingest.base))))?;
    let org = "6267";
    assert_eq!(sim.install_app(org).await?, 200);

    nats_of(&mut ingest.nats).stop();
    let member = || {
        let Value::Object(fields) = json!({ "member": { "member_id": "12346" } }) else {
            unreachable!("a JSON object literal")
        };
        fields
    };
    assert_eq!(sim.deliver(org, "member_updated", member()).await?, 503);
    nats_of(&mut ingest.nats)
        .restart()
        .await
        .map_err(anyhow::Error::msg)?;
    // Duplicated and bad-signature deliveries while the first one is still being retried.
    let twice = optix_sim::Delivery {
        duplicates: 2,
        ..Default::default()
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while ingest.bus.ping().await.is_err() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        sim.deliver_with(org, "new_member", member(), &twice)
            .await?,
        200
    );
    let forged = optix_sim::Delivery {
        bad_signature: true,
        ..Default::default()
    };
    assert_eq!(
        sim.deliver_with(org, "member_deleted", member(), &forged)
            .await?,
        401
    );

    let accepted = |event: &str| {
        sim.deliveries()
            .iter()
            .any(|d| d.event == event && d.status == Some(200))
    };
    while !accepted("member_updated") {
        assert!(
            Instant::now() < deadline,
            "the retry never got through: {:?}",
            sim.deliveries()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deliveries = sim.deliveries();
    let attempts = |event: &str| deliveries.iter().filter(|d| d.event == event).count();
    assert!(attempts("member_updated") >= 2, "{deliveries:?}");
    assert_eq!(attempts("new_member"), 3);
    // app_install, member_updated once or more (an attempt answered 503 may still have been
    // stored), new_member as often as it was accepted (a look-alike body may be a second
    // change: provision decides whether it is covered); the forged one never.
    let stored = ingest.all_stream_messages().await?;
    assert!(
        (5..=4 + attempts("member_updated") as u64).contains(&stored),
        "{stored} stored: {deliveries:?}"
    );
    Ok(())
}

fn sim_config(webhook_url: Option<String>) -> optix_sim::SimConfig {
    optix_sim::SimConfig {
        listen: "127.0.0.1:0".into(),
        webhook_url,
        rate_limit_per_minute: 0,
        rate_window: Duration::from_secs(60),
        retry_interval: Duration::from_millis(200),
        max_retries: 10,
        fixture: None,
        dispatch_delay: None,
    }
}

/// Every log line `logs` holds, each a JSON object.
fn json_lines(logs: &telemetry::testing::CapturedLogs) -> Vec<Value> {
    logs.text()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON log line"))
        .collect()
}

#[tokio::test]
async fn a_refusal_is_logged_with_its_event_and_organization_and_an_acceptance_only_at_debug()
-> anyhow::Result<()> {
    // The services' default level.
    let logs = telemetry::testing::CapturedLogs::default();
    let writer = logs.clone();
    let _installed = telemetry::traces::install_with_writer(
        None,
        telemetry::traces::EnvFilter::new("info"),
        move || writer.clone(),
    )
    .expect("the first subscriber of this test process");
    let ingest = start().await?;
    assert_eq!(
        ingest.post_form(&webhook(SECRET, now())).await.status(),
        200
    );
    let forged = ingest.post_form(&webhook("not-the-secret", now())).await;
    assert_eq!(forged.status(), 401);

    let lines = json_lines(&logs);
    let refused: Vec<&Value> = lines
        .iter()
        .filter(|line| line["fields"]["message"] == "webhook refused")
        .collect();
    assert_eq!(refused.len(), 1, "{lines:?}");
    let fields = &refused[0]["fields"];
    assert_eq!(fields["reason"], "bad_signature");
    assert_eq!(fields["event"], "new_member");
    assert_eq!(fields["org_id"], "6267");
    assert_eq!(refused[0]["level"], "WARN");
    // Counted, not logged, at the default level: one line each would cost every webhook.
    assert!(
        !lines
            .iter()
            .any(|line| line["fields"]["message"] == "webhook accepted"),
        "{lines:?}"
    );
    // The webhook's span is for traces alone.
    assert!(
        !lines
            .iter()
            .any(|line| line.to_string().contains("ingest.webhook")),
        "{lines:?}"
    );
    Ok(())
}
