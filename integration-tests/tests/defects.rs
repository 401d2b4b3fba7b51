//! Defects found by trying Lanyard as a new operator would (issue 22), each performed end to
//! end against the real services: a change lost to a look-alike webhook, a sign-in link
//! dropped when Optix's budget is spent, a stale budget gauge, an uninstalled organization that
//! keeps alerting, and team deletions counted as missed webhooks.

use chrono::Utc;
use integration_tests::stack::DEMO_ORG;
use integration_tests::{Stack, eventually};
use optix_sim::{Change, Notify};
use serde_json::{Map, Value, json};
use std::time::Duration;

const JEAN: &str = "12346"; // Hot Desk (all locations), ACTIVE

/// Posts `fields` to ingest the way Optix does, signed with the demo app's secret and carrying
/// `created` as its timestamp (Optix stamps whole seconds; its retries keep the original).
async fn post_webhook(
    stack: &Stack,
    event: &str,
    fields: &Map<String, Value>,
    created: i64,
) -> anyhow::Result<u16> {
    let (client_id, secret) = stack.sim.sim.app();
    let created = created.to_string();
    let mut signed = fields.clone();
    signed.insert("client_id".into(), json!(client_id));
    signed.insert("created_timestamp".into(), json!(created));
    signed.insert("organization_id".into(), json!(DEMO_ORG));
    signed.insert("event".into(), json!(event));
    signed.insert(
        "request_signature".into(),
        json!(optix::signature::expected_signature(
            &client_id, &secret, &created
        )),
    );
    let response = reqwest::Client::new()
        .post(format!("{}/optix/webhooks", stack.ingest_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(optix::webhook::encode_form(&signed))
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// What `member_updated` carries: the member and its account, nothing that changed.
fn member_updated(user_id: &str) -> Map<String, Value> {
    let Value::Object(fields) = json!({"member_id": user_id, "account_id": user_id}) else {
        unreachable!("a JSON object literal")
    };
    fields
}

async fn processed_messages(stack: &Stack) -> anyhow::Result<i64> {
    let client = stack.pool.get().await?;
    Ok(client
        .query_one("SELECT count(*) FROM processed_messages", &[])
        .await?
        .get(0))
}

async fn stored_webhooks(stack: &Stack) -> anyhow::Result<u64> {
    let mut stream = stack
        .bus
        .jetstream()
        .get_stream(&stack.settings.nats.webhook_stream)
        .await?;
    Ok(stream.info().await?.state.messages)
}

fn active(member: Option<&store::queries::MemberView>) -> bool {
    member.is_some_and(|m| m.status == "active")
}

/// Defect 2: an email change and a deactivation in the same second give byte-identical
/// `member_updated` bodies. The first delivery is reconciled while the second change has not
/// happened yet; the second delivery must still lead to a reconciliation that sees it.
#[tokio::test]
async fn two_changes_to_one_member_in_one_second_are_both_applied() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    stack.install(DEMO_ORG).await?;
    stack
        .member_until(DEMO_ORG, JEAN, "an active account", active)
        .await?;
    // Start at the beginning of a second, so both changes and deliveries share it.
    let second_starts = eventually("a fresh second", Duration::from_secs(3), || async {
        Ok((Utc::now().timestamp_subsec_millis() < 50).then(Utc::now))
    })
    .await?;
    let created = second_starts.timestamp();
    let processed_before = processed_messages(&stack).await?;

    stack
        .sim
        .sim
        .apply(
            DEMO_ORG,
            Change::UpdateUser {
                user_id: JEAN.into(),
                email: Some("jean.new@example.com".into()),
                is_active: None,
            },
            Notify::Quietly,
        )
        .await?;
    assert_eq!(
        post_webhook(&stack, "member_updated", &member_updated(JEAN), created).await?,
        200
    );
    // Give provision the rest of the second to handle the first delivery, as it would when
    // idle (it may rightly wait longer: that is the point of the fix).
    let _ = eventually(
        "the first delivery to be processed",
        Duration::from_millis(800),
        || async { Ok((processed_messages(&stack).await? > processed_before).then_some(())) },
    )
    .await;
    stack
        .sim
        .sim
        .apply(
            DEMO_ORG,
            Change::UpdateUser {
                user_id: JEAN.into(),
                email: None,
                is_active: Some(false),
            },
            Notify::Quietly,
        )
        .await?;
    assert_eq!(
        post_webhook(&stack, "member_updated", &member_updated(JEAN), created).await?,
        200
    );
    stack
        .member_until(DEMO_ORG, JEAN, "the deactivation applied", |m| !active(m))
        .await?;
    Ok(())
}

/// Defect 2, the other half: a genuine retry of a delivery that a reconciliation after its
/// time already covered (Optix retries for up to 100 minutes, far past any duplicate window)
/// reaches provision and costs no Optix request and no event.
#[tokio::test]
async fn a_retry_of_a_covered_delivery_costs_no_optix_request() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    stack.install(DEMO_ORG).await?;
    stack
        .member_until(DEMO_ORG, JEAN, "an active account", active)
        .await?;
    stack
        .sim
        .sim
        .apply(
            DEMO_ORG,
            Change::UpdateUser {
                user_id: JEAN.into(),
                email: None,
                is_active: Some(false),
            },
            Notify::Quietly,
        )
        .await?;
    // Optix dispatches 1–15 s after the change.
    let created = Utc::now().timestamp() - 5;
    let body = member_updated(JEAN);
    assert_eq!(
        post_webhook(&stack, "member_updated", &body, created).await?,
        200
    );
    stack
        .member_until(DEMO_ORG, JEAN, "the deactivation applied", |m| !active(m))
        .await?;
    stack.wait_until_provisioned().await?;
    let (calls, events, stored) = (
        stack.sim.sim.api_calls(),
        stack.event_count().await?,
        stored_webhooks(&stack).await?,
    );

    assert_eq!(
        post_webhook(&stack, "member_updated", &body, created).await?,
        200
    );
    eventually(
        "the retry to reach the stream",
        Duration::from_secs(5),
        || async { Ok((stored_webhooks(&stack).await? > stored).then_some(())) },
    )
    .await?;
    stack.wait_until_provisioned().await?;
    assert_eq!(
        stack.sim.sim.api_calls(),
        calls,
        "the retry was covered by the reconciliation after its time"
    );
    assert_eq!(stack.event_count().await?, events);
    Ok(())
}
