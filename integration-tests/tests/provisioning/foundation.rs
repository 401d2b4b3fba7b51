//! Foundation: one webhook flowing end to end on real components.
//! optix-sim → (signed form POST) → ingest → JetStream → provision → Optix API (sim) →
//! PostgreSQL event log + projections → `lanyard members list`.

use integration_tests::stack::DEMO_ORG;
use integration_tests::{Stack, eventually};
use std::time::Duration;

/// A demo user without a plan in the fixture (Optix user id), and the plan template to give them.
const USER_WITHOUT_PLAN: &str = "12350";
const HOT_DESK_TEMPLATE: &str = "916";

/// Gives the member without a plan a Hot Desk plan in Optix (Optix announces it); its id.
async fn add_hot_desk_plan(stack: &Stack) -> anyhow::Result<String> {
    stack
        .sim
        .sim
        .add_plan(DEMO_ORG, USER_WITHOUT_PLAN, HOT_DESK_TEMPLATE)
        .await
}

/// The data and metadata of the demo member's one event of `event_type`.
async fn member_event(
    stack: &Stack,
    user_id: &str,
    event_type: &str,
) -> anyhow::Result<(serde_json::Value, serde_json::Value)> {
    let client = stack.pool.get().await?;
    let row = client
        .query_one(
            "SELECT data, metadata FROM events WHERE stream_id = $1 AND event_type = $2",
            &[&format!("member-{DEMO_ORG}-{user_id}"), &event_type],
        )
        .await?;
    Ok((row.get(0), row.get(1)))
}

#[tokio::test]
async fn a_new_plan_subscription_gives_the_member_live_wifi_access() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;

    let account_plan_id = add_hot_desk_plan(&stack).await?;

    let member = eventually(
        "the member to appear with live access",
        Duration::from_secs(20),
        || async {
            let members = stack.members().await?;
            Ok(members
                .into_iter()
                .find(|m| m.user_id == USER_WITHOUT_PLAN && m.access == "live"))
        },
    )
    .await?;
    assert_eq!(member.org_id, DEMO_ORG);
    assert_eq!(member.status, "active");
    assert_eq!(member.passphrase, "issued (sealed)");
    assert!(
        member.grants.iter().any(|g| g.contains(&account_plan_id)),
        "grant names the plan: {:?}",
        member.grants
    );
    assert!(
        member.email.contains('@'),
        "profile opens with the member key: {}",
        member.email
    );

    // The table `lanyard members list` prints shows the same.
    let table = cli::members::table(&stack.members().await?);
    let line = table
        .lines()
        .find(|l| l.contains(USER_WITHOUT_PLAN))
        .expect("member line");
    assert!(
        line.contains("live") && line.contains("issued (sealed)"),
        "{table}"
    );

    // The passphrase is in the log only sealed: decrypt it with the member key and check that
    // the clear text appears nowhere in the events table.
    let client = stack.pool.get().await?;
    let (data, _) = member_event(&stack, USER_WITHOUT_PLAN, "PassphraseIssued").await?;
    let sealed: domain::Sealed = serde_json::from_value(data["passphrase"].clone())?;
    let aad = format!("member-{DEMO_ORG}-{USER_WITHOUT_PLAN}");
    let wrapped = store::queries::member_key(&client, DEMO_ORG, USER_WITHOUT_PLAN)
        .await?
        .expect("member key");
    let key = stack.keys.unwrap_member_key(&wrapped, &aad)?;
    let passphrase = String::from_utf8(key.open(&sealed, &aad)?)?;
    domain::passphrase::validate(&passphrase)?;
    let hits = stack.events_with_data_containing(&passphrase).await?;
    assert_eq!(hits, 0, "the passphrase never sits in the log in clear");

    // The organization token is sealed too.
    let token = stack.sim.sim.org_token(DEMO_ORG).expect("demo org token");
    let hits = stack.events_with_data_containing(&token).await?;
    assert_eq!(
        hits, 0,
        "the organization token never sits in the log in clear"
    );

    // Metadata names the cause.
    let (_, metadata) = member_event(&stack, USER_WITHOUT_PLAN, "AccessGranted").await?;
    assert_eq!(metadata["cause"], "webhook new_plan_subscription");
    assert_eq!(metadata["actor"], "optix-webhook");
    Ok(())
}

#[tokio::test]
async fn delivering_the_same_webhook_twice_changes_nothing() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let account_plan_id = add_hot_desk_plan(&stack).await?;
    stack.wait_until_provisioned().await?;
    let events_after_first = stack.event_count().await?;
    let members_after_first = stack.members().await?;
    assert!(
        members_after_first
            .iter()
            .any(|m| m.user_id == USER_WITHOUT_PLAN && m.access == "live")
    );

    // 1. An Optix retry: the very same signed body again. Both are stored; the reconciliation
    //    after the first one's second covers the other, or finds nothing to change.
    let fields = plan_webhook(&stack, &account_plan_id);
    let body_fields =
        stack
            .sim
            .sim
            .signed_webhook(DEMO_ORG, "new_plan_subscription", fields.clone());
    let body = optix::webhook::encode_form(&body_fields);
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let response = http
            .post(format!("{}/optix/webhooks", stack.ingest_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await?;
        assert_eq!(response.status(), 200);
    }
    // 2. The same event as a new delivery (new timestamp and signature, so a new message id):
    //    provision reconciles against the API and finds nothing to change.
    assert_eq!(
        stack
            .sim
            .sim
            .deliver(DEMO_ORG, "new_plan_subscription", fields)
            .await?,
        200
    );
    stack.wait_until_provisioned().await?;

    assert_eq!(
        stack.event_count().await?,
        events_after_first,
        "no new events"
    );
    let members_after = stack.members().await?;
    assert_eq!(
        serde_json::to_value(&members_after)?,
        serde_json::to_value(&members_after_first)?,
        "projections unchanged"
    );
    let passphrases = stack
        .passphrases_issued(DEMO_ORG, USER_WITHOUT_PLAN)
        .await?;
    assert_eq!(passphrases, 1, "a user never has two passphrases");
    Ok(())
}

#[tokio::test]
async fn the_event_log_refuses_updates_and_deletes() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.wait_until_provisioned().await?;
    let client = stack.pool.get().await?;
    assert!(stack.event_count().await? >= 1);
    for statement in [
        "UPDATE events SET event_type = 'X'",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let error = client.batch_execute(statement).await.expect_err(statement);
        assert!(
            format!("{error:?}").contains("append-only"),
            "{statement}: {error:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn services_report_health_and_readiness() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let http = reqwest::Client::new();
    // Health and readiness are on the operations listeners (provision's only listener is one).
    for base in [
        &stack.ingest_ops_url,
        &stack.provision_url,
        &stack.portal_ops_url,
    ] {
        assert_eq!(
            http.get(format!("{base}/healthz")).send().await?.status(),
            200,
            "{base}/healthz"
        );
        assert_eq!(
            http.get(format!("{base}/readyz")).send().await?.status(),
            200,
            "{base}/readyz"
        );
    }
    Ok(())
}

/// The `new_plan_subscription` fields Optix would send for the plan (without the envelope).
fn plan_webhook(
    stack: &Stack,
    account_plan_id: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let email = stack
        .sim
        .sim
        .user_email(DEMO_ORG, USER_WITHOUT_PLAN)
        .expect("demo user email");
    let value = serde_json::json!({
        "plan_template_id": HOT_DESK_TEMPLATE,
        "account_plan_id": account_plan_id,
        "status": "ACTIVE",
        "subscription_type": "member",
        "subscribers": [{"email": email}],
    });
    match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

#[tokio::test]
async fn replaying_stored_webhooks_repairs_a_lost_cancellation() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let since = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    stack.install(DEMO_ORG).await?;
    let plan = add_hot_desk_plan(&stack).await?;
    stack.wait_until_provisioned().await?;
    let live = |members: &[cli::members::MemberLine]| {
        members
            .iter()
            .any(|m| m.user_id == USER_WITHOUT_PLAN && m.access == "live")
    };
    assert!(live(&stack.members().await?));

    // Optix cancels the plan but the cancel_plan_subscription delivery is lost.
    stack.sim.sim.cancel_plan_quietly(DEMO_ORG, &plan)?;
    stack.wait_until_provisioned().await?;
    assert!(live(&stack.members().await?), "nothing told Lanyard yet");

    // As `lanyard webhooks replay` does, with the CLI's identity.
    let replayed = stack
        .cli
        .replay_webhooks(Some(DEMO_ORG), since, "test")
        .await?;
    assert_eq!(replayed, 2, "app_install and new_plan_subscription");
    // Each copy is a delivery of its own: the replay's id, never the original's (provision
    // would take a copy carrying it for the delivery it already processed).
    let webhooks = stack.webhook_stream().await?;
    let last = webhooks.get_info().await?.state.last_sequence;
    for sequence in last - 1..=last {
        let copy = webhooks.get_raw_message(sequence).await?;
        let header = |name: &str| copy.headers.get(name).map(|v| v.as_str().to_owned());
        let original = header(bus::webhooks::REPLAY_OF).expect("a replayed copy");
        assert_eq!(
            header(bus::webhooks::DELIVERY_ID),
            Some(format!("replay-test-{original}")),
            "copy {sequence}"
        );
    }
    stack.wait_until_provisioned().await?;
    let member = stack
        .members()
        .await?
        .into_iter()
        .find(|m| m.user_id == USER_WITHOUT_PLAN)
        .expect("account kept");
    assert_eq!(
        (member.status.as_str(), member.access.as_str()),
        ("suspended", "none")
    );

    // Replaying again changes nothing.
    let events = stack.event_count().await?;
    stack
        .bus
        .replay_webhooks(Some(DEMO_ORG), since, "again")
        .await?;
    stack.wait_until_provisioned().await?;
    assert_eq!(stack.event_count().await?, events);
    Ok(())
}
