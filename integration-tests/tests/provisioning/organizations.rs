//! Many organizations, set up the way Optix would: a second organization is created through the
//! simulator's admin API, installs the app (a signed `app_install` whose token provision
//! confirms with `me {}`), is imported, and changes there reach only it. Neither organization
//! sees the other: not in the projections, not in either admin's canvas.

use integration_tests::agent::Agent;
use integration_tests::stack::DEMO_ORG;
use integration_tests::{Stack, eventually};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

const DEMO_JEAN: &str = "12346";
const DEMO_ADMIN: &str = "12351"; // Sofia

/// POSTs to the simulator's admin API and returns the JSON answer (any status but 200 fails).
async fn admin(stack: &Stack, path: &str, body: Value) -> anyhow::Result<Value> {
    let response = reqwest::Client::new()
        .post(format!("{}/admin{path}", stack.sim.base_url))
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let answer: Value = response.json().await?;
    anyhow::ensure!(status == 200, "POST /admin{path}: {status} {answer}");
    Ok(answer)
}

async fn created_id(stack: &Stack, org: &str, change: Value) -> anyhow::Result<String> {
    let applied = admin(stack, &format!("/orgs/{org}/changes"), change).await?;
    applied["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no id in {applied}"))
}

async fn members_of(stack: &Stack, org: &str) -> anyhow::Result<BTreeSet<String>> {
    let client = stack.pool.get().await?;
    Ok(client
        .query("SELECT user_id FROM members WHERE org_id = $1", &[&org])
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect())
}

#[tokio::test]
async fn a_second_organization_installed_as_optix_would_is_imported_and_neither_sees_the_other()
-> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let demo_members = members_of(&stack, DEMO_ORG).await?;
    assert!(demo_members.contains(DEMO_JEAN));

    // A new space on Optix, with a location, a plan, an admin and two members, one of them
    // with the same email as a member of the demo organization. No webhooks yet: the app is
    // not installed there.
    let canal = admin(
        &stack,
        "/orgs",
        json!({"name": "Canal Works", "timezone": "Europe/Amsterdam"}),
    )
    .await?["organization_id"]
        .as_str()
        .map(str::to_owned)
        .expect("an organization id");
    let jordaan = created_id(
        &stack,
        &canal,
        json!({"change": "add_location", "name": "Jordaan", "timezone": "Europe/Amsterdam"}),
    )
    .await?;
    let flex = created_id(
        &stack,
        &canal,
        json!({"change": "add_plan_template", "name": "Flex", "in_all_locations": false, "location_ids": [jordaan]}),
    )
    .await?;
    let user = |name: &str, email: &str, is_admin: bool| {
        let (stack, canal) = (&stack, canal.clone());
        let change = json!({"change": "add_user", "name": name, "surname": "Canal", "email": email, "is_admin": is_admin});
        async move { created_id(stack, &canal, change).await }
    };
    let anouk = user("Anouk", "anouk@canal.example", true).await?;
    let jean_too = user("Jean", "jean@example.com", false).await?;
    for member in [&anouk, &jean_too] {
        created_id(
            &stack,
            &canal,
            json!({"change": "add_plan", "user_id": member, "plan_template_id": flex}),
        )
        .await?;
    }
    assert!(
        stack
            .sim
            .sim
            .deliveries()
            .iter()
            .all(|d| d.organization_id != canal),
        "nothing is sent for an organization without the app"
    );

    // The admin installs the app: a signed app_install with a new token, which provision
    // confirms with Optix before it imports.
    let installed = admin(&stack, &format!("/orgs/{canal}/install"), json!({})).await?;
    assert_eq!(installed["status"], 200, "{installed}");
    stack.wait_for_syncs(&canal, 1).await?;
    let expected: BTreeSet<String> = [anouk.clone(), jean_too.clone()].into();
    eventually(
        "the second organization's import",
        Duration::from_secs(20),
        || async {
            let members = members_of(&stack, &canal).await?;
            Ok((members == expected).then_some(()))
        },
    )
    .await?;
    let client = stack.pool.get().await?;
    let outcome: String = client
        .query_one(
            "SELECT outcome FROM sync_runs WHERE org_id = $1 ORDER BY global_position LIMIT 1",
            &[&canal],
        )
        .await?
        .get(0);
    assert_eq!(outcome, "ok", "the import ran with the confirmed token");

    // A change made there afterwards (a plan in its free trial) arrives as a webhook and
    // reaches that organization only.
    let daan = user("Daan", "daan@canal.example", false).await?;
    let applied = admin(
        &stack,
        &format!("/orgs/{canal}/changes"),
        json!({"change": "add_trial_plan", "user_id": daan, "plan_template_id": flex, "trial_days": 7}),
    )
    .await?;
    assert_eq!(applied["status"], 200, "{applied}");
    stack
        .member_until(&canal, &daan, "live access in the trial", |m| {
            m.is_some_and(|m| m.live_grants(chrono::Utc::now()).next().is_some())
        })
        .await?;
    stack.wait_until_provisioned().await?;

    // Neither organization holds the other's members, and the shared email is two accounts.
    assert_eq!(members_of(&stack, DEMO_ORG).await?, demo_members);
    let canal_members = members_of(&stack, &canal).await?;
    assert_eq!(
        canal_members,
        [anouk.clone(), jean_too.clone(), daan.clone()].into()
    );
    assert!(canal_members.is_disjoint(&demo_members));
    for (org, user) in [(DEMO_ORG, DEMO_JEAN), (canal.as_str(), jean_too.as_str())] {
        assert!(stack.member(org, user).await?.is_some());
    }
    assert!(stack.member(&canal, DEMO_JEAN).await?.is_none());
    assert!(stack.member(DEMO_ORG, &jean_too).await?.is_none());

    // Each organization's admin canvas lists its own members and nobody else's.
    let token_for = |org: &str, user: &str| {
        let stack = &stack;
        let path = format!("/orgs/{org}/personal-tokens");
        let body = json!({"user_id": user});
        async move {
            let answer = admin(stack, &path, body).await?;
            answer["token"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| anyhow::anyhow!("no token in {answer}"))
        }
    };
    let canal_token = token_for(&canal, &anouk).await?;
    let demo_token = token_for(DEMO_ORG, DEMO_ADMIN).await?;
    for (token, [shown, hidden], foreign_member, why) in [
        (
            canal_token,
            ["daan@canal.example", "richard@example.com"],
            DEMO_JEAN,
            "the demo's Jean is not Canal Works' member",
        ),
        (
            demo_token,
            ["richard@example.com", "canal.example"],
            daan.as_str(),
            "Canal Works' Daan is not the demo's member",
        ),
    ] {
        let mut agent = Agent::new(&stack.portal_url);
        let signed_in = agent.canvas_sign_in("/canvas/admin", &token).await?;
        assert_eq!(signed_in.status, 303, "{signed_in:?}");
        let page = agent.get("/canvas/admin/members").await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(shown), "{}", page.body);
        assert!(!page.body.contains(hidden));
        let foreign = agent
            .get(&format!("/canvas/admin/members/{foreign_member}"))
            .await?;
        assert_eq!(foreign.status, 404, "{why}");
    }
    Ok(())
}
