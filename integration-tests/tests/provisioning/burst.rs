//! A burst of new members under a small Optix budget: their emails are resolved ten a request,
//! and the webhooks a worker holds while Optix keeps it waiting (longer than JetStream's 30 s
//! ack wait) are kept alive with in-progress acks, not redelivered.

use chrono::Utc;
use integration_tests::stack::DEMO_ORG;
use integration_tests::{Stack, StackOptions};
use optix_sim::{Change, Notify};
use serde_json::json;
use std::time::Duration;
use store::queries::MemberView;

const HOT_DESK: &str = "916";
/// Longer than the webhook consumer's ack wait (30 s, `bus::Bus::webhook_consumer`).
const OPTIX_KEEPS_US_WAITING: Duration = Duration::from_secs(35);

fn live(member: Option<&MemberView>) -> bool {
    member.is_some_and(|m| m.status == "active" && m.live_grants(Utc::now()).next().is_some())
}

/// Person `i`, added to Optix with a plan and no webhook sent: (user id, email).
async fn newcomer(stack: &Stack, i: usize) -> anyhow::Result<(String, String)> {
    let email = format!("newcomer{i}@example.com");
    let sim = &stack.sim.sim;
    let added = Change::AddUser {
        name: format!("Newcomer{i}"),
        surname: "Burst".into(),
        email: email.clone(),
        is_admin: false,
    };
    let user = sim
        .apply(DEMO_ORG, added, Notify::Quietly)
        .await?
        .id
        .ok_or_else(|| anyhow::anyhow!("no user id"))?;
    let plan = Change::AddPlan {
        user_id: user.clone(),
        plan_template_id: HOT_DESK.into(),
        starts_in_secs: 0,
        ends_in_secs: None,
    };
    sim.apply(DEMO_ORG, plan, Notify::Quietly).await?;
    Ok((user, email))
}

/// A `new_member` webhook naming the person by email only (the hint provision resolves
/// through Optix: no user or member id to go by).
async fn announce(stack: &Stack, email: &str) -> anyhow::Result<()> {
    let fields = json!({"email": email, "first_name": "Newcomer", "venue_name": "Location"});
    let serde_json::Value::Object(fields) = fields else {
        anyhow::bail!("fields are an object");
    };
    let status = stack
        .sim
        .sim
        .deliver_with(DEMO_ORG, "new_member", fields, &Default::default())
        .await?;
    anyhow::ensure!(status == 200, "new_member was answered {status}");
    Ok(())
}

#[tokio::test]
async fn a_burst_of_new_members_is_resolved_in_batches_and_never_redelivered() -> anyhow::Result<()>
{
    // A small budget: 20 requests a minute, Optix and provision's client alike.
    let stack =
        Stack::start_installed_with(StackOptions::rate_limits(20, 20, Duration::from_secs(60)))
            .await?;
    stack.wait_until_provisioned().await?;
    let mut people = Vec::new();
    for i in 0..31 {
        people.push(newcomer(&stack, i).await?);
    }
    let operations_before = stack.sim.sim.operations();
    let (deliveries_before, sequence_before) = stack.webhook_deliveries().await?;

    // The first newcomer's batch waits on Optix past the ack wait, while the other thirty
    // arrive and wait for the next batch.
    let hold = stack.sim.sim.hold_operation("UsersByEmailBatch");
    announce(&stack, &people[0].1).await?;
    tokio::time::timeout(Duration::from_secs(20), hold.arrived()).await?;
    for (_, email) in &people[1..] {
        announce(&stack, email).await?;
    }
    tokio::time::sleep(OPTIX_KEEPS_US_WAITING).await;
    // Provision's 20 s HTTP timeout gave up on the held request once and sent it again: what
    // the first batch cost is counted up to here.
    let operations_at_release = stack.sim.sim.operations();
    hold.release();

    for (user, _) in &people {
        stack
            .member_until(DEMO_ORG, user, "live access", live)
            .await?;
    }
    stack.wait_until_provisioned().await?;
    let (deliveries, sequence) = stack.webhook_deliveries().await?;
    assert_eq!(
        deliveries - deliveries_before,
        sequence - sequence_before,
        "every webhook was delivered once"
    );
    let operations = stack.sim.sim.operations();
    let asked = |name: &str, since: &std::collections::BTreeMap<String, u64>| {
        operations.get(name).copied().unwrap_or(0) - since.get(name).copied().unwrap_or(0)
    };
    // The thirty emails waiting for the second batch: ⌈30/10⌉ requests.
    assert_eq!(
        asked("UsersByEmailBatch", &operations_at_release),
        3,
        "emails are asked ten a request"
    );
    assert!(asked("UsersByEmailBatch", &operations_before) <= 5);
    assert_eq!(
        asked("UserByEmail", &operations_before),
        0,
        "never one request per email"
    );
    assert!(
        asked("FactsBatch", &operations_before) <= 2,
        "the facts of a batch's users come in one request"
    );
    assert_eq!(stack.sim.sim.rate_limited(), 0, "never a 429");
    Ok(())
}
