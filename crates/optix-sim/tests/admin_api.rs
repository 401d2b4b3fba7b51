//! The simulator's admin API can stage everything Lanyard handles: new organizations and
//! locations, a second organization installed by a signed `app_install` whose token `me {}`
//! confirms, IN_TRIAL plans, and webhooks dispatched late and out of order as Optix does.

use actix_web::{App, HttpResponse, HttpServer, web};
use serde_json::{Map, Value, json};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Webhook bodies as they arrived, with when.
type Received = Arc<Mutex<Vec<(Instant, Map<String, Value>)>>>;

/// A webhook receiver on loopback that answers 200 and keeps every body.
async fn receiver() -> anyhow::Result<(String, Received, actix_web::dev::ServerHandle)> {
    let received: Received = Arc::default();
    let kept = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        let kept = kept.clone();
        App::new().route(
            "/hooks",
            web::post().to(move |body: web::Bytes| {
                let kept = kept.clone();
                async move {
                    match optix::webhook::parse_form(&body) {
                        Ok(fields) => {
                            kept.lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((Instant::now(), fields));
                            HttpResponse::Ok().finish()
                        }
                        Err(e) => HttpResponse::BadRequest().body(e.to_string()),
                    }
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((format!("http://127.0.0.1:{port}/hooks"), received, handle))
}

async fn sim(
    webhook_url: String,
    dispatch_delay: Option<RangeInclusive<Duration>>,
) -> anyhow::Result<optix_sim::RunningSim> {
    optix_sim::spawn(optix_sim::SimConfig {
        listen: "127.0.0.1:0".into(),
        webhook_url: Some(webhook_url),
        rate_limit_per_minute: 0,
        rate_window: Duration::from_secs(60),
        retry_interval: Duration::from_millis(100),
        max_retries: 1,
        fixture: None,
        dispatch_delay,
    })
    .await
}

async fn post(url: &str, body: Value) -> anyhow::Result<(u16, Value)> {
    let response = reqwest::Client::new().post(url).json(&body).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

async fn graphql(sim: &optix_sim::RunningSim, token: &str, query: &str) -> anyhow::Result<Value> {
    Ok(reqwest::Client::new()
        .post(&sim.graphql_url)
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await?
        .json()
        .await?)
}

/// Waits until `received` holds at least `n` webhooks.
async fn wait_for(received: &Received, n: usize, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let count = received.lock().unwrap_or_else(|p| p.into_inner()).len();
        if count >= n {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{count} of {n} webhooks arrived within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_second_organization_is_created_installed_by_a_signed_app_install_and_confirmed_by_me()
-> anyhow::Result<()> {
    let (hooks, received, _receiver) = receiver().await?;
    let sim = sim(hooks, None).await?;
    let admin = &sim.base_url;

    let (status, created) = post(
        &format!("{admin}/admin/orgs"),
        json!({"name": "Canal Works", "timezone": "Europe/Amsterdam"}),
    )
    .await?;
    assert_eq!(status, 200, "{created}");
    let org = created["organization_id"]
        .as_str()
        .expect("an organization id")
        .to_owned();
    assert_ne!(org, "6267");

    // Bad input is refused with a reason.
    let (status, refused) = post(
        &format!("{admin}/admin/orgs"),
        json!({"name": "Nowhere", "timezone": "Mars/Olympus"}),
    )
    .await?;
    assert_eq!(status, 400);
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|e| e.contains("time zone"))
    );
    let (status, _) = post(
        &format!("{admin}/admin/orgs"),
        json!({"organization_id": org, "name": "Twice", "timezone": "UTC"}),
    )
    .await?;
    assert_eq!(status, 400, "an organization id is taken once");

    let (status, location) = post(
        &format!("{admin}/admin/orgs/{org}/changes"),
        json!({"change": "add_location", "name": "Jordaan", "timezone": "Europe/Amsterdam"}),
    )
    .await?;
    assert_eq!(status, 200, "{location}");
    let location_id = location["id"].as_str().expect("a location id").to_owned();

    // Before the install, Optix has no token for the app there.
    assert!(sim.sim.org_token(&org).is_some_and(|t| t.is_empty()));

    let (status, installed) = post(&format!("{admin}/admin/orgs/{org}/install"), json!({})).await?;
    assert_eq!(status, 200, "{installed}");
    assert_eq!(installed["status"], 200);
    wait_for(&received, 1, Duration::from_secs(5)).await?;
    let install = received.lock().unwrap_or_else(|p| p.into_inner())[0]
        .1
        .clone();
    assert_eq!(install["event"], "app_install");
    assert_eq!(install["organization_id"], json!(org));
    let (client_id, secret) = sim.sim.app();
    let signed = optix::signature::expected_signature(
        &client_id,
        &secret,
        install["created_timestamp"].as_str().expect("timestamp"),
    );
    assert_eq!(
        install["request_signature"],
        json!(signed),
        "signed like Optix"
    );
    let token = install["organization_token"]
        .as_str()
        .expect("the new token")
        .to_owned();
    assert!(token.ends_with('o'), "an organization token");

    // Optix confirms the token as the new organization's, and it sees only its own locations.
    let me = graphql(
        &sim,
        &token,
        "{ me { authType organization { organization_id } } }",
    )
    .await?;
    assert_eq!(me["data"]["me"]["authType"], "ORGANIZATION", "{me}");
    assert_eq!(
        me["data"]["me"]["organization"]["organization_id"],
        json!(org)
    );
    let locations = graphql(
        &sim,
        &token,
        "{ locations(page: 1, limit: 50) { data { location_id timezone } } }",
    )
    .await?;
    assert_eq!(
        locations["data"]["locations"]["data"],
        json!([{"location_id": location_id, "timezone": "Europe/Amsterdam"}]),
        "{locations}"
    );
    // The demo organization's token still names the demo organization only.
    let demo_token = sim.sim.org_token("6267").expect("demo token");
    let demo = graphql(
        &sim,
        &demo_token,
        "{ me { organization { organization_id } } }",
    )
    .await?;
    assert_eq!(
        demo["data"]["me"]["organization"]["organization_id"],
        "6267"
    );
    Ok(())
}

#[tokio::test]
async fn a_trial_plan_is_in_trial_in_the_api_and_in_its_webhook() -> anyhow::Result<()> {
    let (hooks, received, _receiver) = receiver().await?;
    let sim = sim(hooks, None).await?;
    let admin = &sim.base_url;
    // Mei (12349) has no plan in the demo; the Hot Desk template is 916.
    let (status, applied) = post(
        &format!("{admin}/admin/orgs/6267/changes"),
        json!({"change": "add_trial_plan", "user_id": "12349", "plan_template_id": "916", "trial_days": 14}),
    )
    .await?;
    assert_eq!(status, 200, "{applied}");
    let plan_id = applied["id"].as_str().expect("plan id").to_owned();
    wait_for(&received, 1, Duration::from_secs(5)).await?;
    let webhook = received.lock().unwrap_or_else(|p| p.into_inner())[0]
        .1
        .clone();
    assert_eq!(webhook["event"], "new_plan_subscription");
    assert_eq!(webhook["account_plan_id"], json!(plan_id));
    assert_eq!(webhook["status"], "IN_TRIAL");
    assert_eq!(webhook["free_trial_days"], "14");

    let token = sim.sim.org_token("6267").expect("demo token");
    let plans = graphql(
        &sim,
        &token,
        &format!("{{ accountPlans(account_plan_id: [\"{plan_id}\"], limit: 5) {{ data {{ account_plan_id status }} }} }}"),
    )
    .await?;
    assert_eq!(
        plans["data"]["accountPlans"]["data"],
        json!([{"account_plan_id": plan_id, "status": "IN_TRIAL"}]),
        "{plans}"
    );
    let (status, refused) = post(
        &format!("{admin}/admin/orgs/6267/changes"),
        json!({"change": "add_trial_plan", "user_id": "12349", "plan_template_id": "916", "trial_days": 0}),
    )
    .await?;
    assert_eq!(status, 400, "{refused}");
    Ok(())
}

#[tokio::test]
async fn with_a_dispatch_delay_webhooks_arrive_late_and_out_of_order() -> anyhow::Result<()> {
    let (hooks, received, _receiver) = receiver().await?;
    let least = Duration::from_millis(100);
    let sim = sim(hooks, Some(least..=Duration::from_millis(2_500))).await?;
    let changes = 10;
    let mut applied_at = Vec::new();
    for i in 0..changes {
        let started = Instant::now();
        let applied = sim
            .sim
            .apply(
                "6267",
                optix_sim::Change::AddUser {
                    name: format!("Delayed{i}"),
                    surname: "Member".into(),
                    email: format!("delayed{i}@example.com"),
                    is_admin: false,
                },
                optix_sim::Notify::Webhook,
            )
            .await?;
        assert_eq!(applied.webhook.as_deref(), Some("new_member"));
        assert_eq!(
            applied.status, None,
            "not delivered yet: it is dispatched later"
        );
        applied_at.push((format!("delayed{i}@example.com"), started));
    }
    assert!(sim.sim.dispatching() > 0);
    wait_for(&received, changes, Duration::from_secs(10)).await?;
    let arrivals: Vec<(Instant, String)> = received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|(at, fields)| (*at, fields["email"].as_str().unwrap_or_default().to_owned()))
        .collect();
    for (email, started) in &applied_at {
        let (arrived, _) = arrivals
            .iter()
            .find(|(_, e)| e == email)
            .expect("every change's webhook arrives");
        assert!(
            arrived.duration_since(*started) >= least,
            "{email} arrived before the least delay"
        );
    }
    let order: Vec<&str> = arrivals.iter().map(|(_, e)| e.as_str()).collect();
    let in_change_order: Vec<&str> = applied_at.iter().map(|(e, _)| e.as_str()).collect();
    // Ten random delays over 2.4 s leave the change order intact once in 10! (3.6 million).
    assert_ne!(
        order, in_change_order,
        "delivered in any order, not the change's"
    );
    // The last delivery leaves the count once its answer is back, a moment after the receiver
    // recorded it: waited for, with a deadline.
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim.sim.dispatching() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sim.sim.dispatching(), 0);
    Ok(())
}
