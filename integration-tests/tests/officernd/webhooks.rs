//! OfficeRnD's webhooks: refused with a reason unless signed as OfficeRnD signs them; hints
//! whose order and repetition do not matter; a lost one repaired by the sync; and an Optix and
//! an OfficeRnD organization side by side in one deployment.

use crate::{ADA, DAY_TRIPPER, GRACE, connected, live_with, member, membership};
use chrono::Utc;
use integration_tests::Stack;
use integration_tests::officernd::{ORG, WEBHOOK_SECRET, webhook_url};
use integration_tests::stack::DEMO_ORG;
use officernd_sim::{Change, Faults, demo};
use rand::seq::SliceRandom;

/// Posts `body` to ingest's OfficeRnD endpoint with `signature` (None: no header).
async fn post(
    stack: &Stack,
    organization: &str,
    body: &str,
    signature: Option<String>,
) -> anyhow::Result<(u16, String)> {
    let mut request = reqwest::Client::new()
        .post(webhook_url(&stack.ingest_url, organization))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header(officernd::webhook::SIGNATURE_HEADER, signature);
    }
    let response = request.send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

fn notification(event_type: &str, object: serde_json::Value) -> String {
    serde_json::json!({"eventType": event_type, "data": {"object": object, "previousAttributes": {}}}).to_string()
}

#[tokio::test]
async fn a_forged_stale_or_unsigned_webhook_is_refused_with_its_reason() -> anyhow::Result<()> {
    let stack = connected().await?;
    let body = notification("member.updated", serde_json::json!({"_id": ADA}));
    let now = Utc::now().timestamp();
    let sign = |secret: &str, t: i64| {
        Some(officernd::webhook::sign(
            secret.as_bytes(),
            body.as_bytes(),
            t,
        ))
    };
    for (signature, reason) in [
        (None, "officernd-signature header is missing"),
        (Some("t=1,v1=abc".to_owned()), "malformed"),
        (
            sign("a-forger-s-guess-of-the-secret", now),
            "does not match",
        ),
        (
            sign(WEBHOOK_SECRET, now - 3600),
            "outside the accepted window",
        ),
    ] {
        let (status, answer) = post(&stack, demo::DEMO_ORG_ID, &body, signature).await?;
        assert_eq!(status, 401, "{answer}");
        assert!(answer.contains(reason), "{answer} should say {reason}");
    }
    // A body changed after signing does not match either.
    let signature = sign(WEBHOOK_SECRET, now);
    let tampered = body.replace(ADA, GRACE);
    let (status, _) = post(&stack, demo::DEMO_ORG_ID, &tampered, signature.clone()).await?;
    assert_eq!(status, 401);
    // An organization that is not connected: 404 with the reason.
    let (status, answer) =
        post(&stack, "5f00000000000000000000ff", &body, signature.clone()).await?;
    assert_eq!(
        (status, answer.contains("not connected")),
        (404, true),
        "{answer}"
    );
    // Signed as OfficeRnD signs: accepted.
    let (status, answer) = post(&stack, demo::DEMO_ORG_ID, &body, signature).await?;
    assert_eq!(status, 200, "{answer}");
    // The simulator's own deliveries with a wrong secret or a stale t are refused too.
    stack.officernd.sim.set_faults(Faults {
        wrong_secret: 1,
        stale: 1,
        ..Default::default()
    });
    let applied = stack
        .officernd
        .sim
        .apply(
            demo::DEMO_SLUG,
            Change::PutMember {
                member: member("5f00000000000000000000e6", "Eve"),
            },
        )
        .await?;
    assert_eq!(applied.webhooks[0].1, vec![401]);
    Ok(())
}

/// The final state of the OfficeRnD organization's read models, without what differs by run.
async fn state(stack: &Stack) -> anyhow::Result<Vec<String>> {
    let client = stack.pool.get().await?;
    let mut lines = Vec::new();
    for sql in [
        "SELECT concat_ws('|', user_id, status, team_id, passphrase IS NOT NULL) FROM members WHERE org_id = $1 ORDER BY user_id",
        "SELECT concat_ws('|', user_id, basis, source_id, location_id, valid_from, valid_until) FROM member_grants WHERE org_id = $1 ORDER BY user_id, basis, source_id",
    ] {
        for row in client.query(sql, &[&ORG]).await? {
            lines.push(row.get::<_, String>(0));
        }
    }
    Ok(lines)
}

#[tokio::test]
async fn officernd_webhooks_in_any_order_and_repeated_give_what_the_api_says() -> anyhow::Result<()>
{
    let stack = connected().await?;
    // Changes made in OfficeRnD whose deliveries are lost on the way...
    let people = [
        "5f00000000000000000000d7",
        "5f00000000000000000000d8",
        "5f00000000000000000000d9",
    ];
    stack.officernd.sim.set_faults(Faults {
        drop: 100,
        ..Default::default()
    });
    let mut bodies = Vec::new();
    for (i, id) in people.iter().enumerate() {
        let m = member(id, &format!("Person {i}"));
        stack
            .officernd
            .sim
            .apply(demo::DEMO_SLUG, Change::PutMember { member: m.clone() })
            .await?;
        bodies.push(notification("member.created", serde_json::to_value(&m)?));
        let ms = membership(
            &format!("5f00000000000000000000c{}", i + 6),
            id,
            demo::HOT_DESK,
        );
        stack
            .officernd
            .sim
            .apply(
                demo::DEMO_SLUG,
                Change::PutMembership {
                    membership: ms.clone(),
                },
            )
            .await?;
        bodies.push(notification(
            "membership.created",
            serde_json::to_value(&ms)?,
        ));
    }
    stack
        .officernd
        .sim
        .apply(
            demo::DEMO_SLUG,
            Change::RemoveMember {
                id: DAY_TRIPPER.into(),
            },
        )
        .await?;
    bodies.push(notification(
        "member.removed",
        serde_json::json!({"_id": DAY_TRIPPER}),
    ));
    stack.officernd.sim.set_faults(Faults::default());
    // ...arrive shuffled, some twice, signed as OfficeRnD signs them.
    let mut deliveries: Vec<&String> = bodies.iter().chain(bodies.iter().step_by(2)).collect();
    deliveries.shuffle(&mut rand::thread_rng());
    for body in deliveries {
        let t = Utc::now().timestamp();
        let signature = officernd::webhook::sign(WEBHOOK_SECRET.as_bytes(), body.as_bytes(), t);
        let (status, answer) = post(&stack, demo::DEMO_ORG_ID, body, Some(signature)).await?;
        assert_eq!(status, 200, "{answer}");
    }
    stack.wait_until_provisioned().await?;
    for id in people {
        assert!(
            live_with(stack.member(ORG, id).await?.as_ref(), "plan"),
            "{id}"
        );
    }
    assert!(stack.member(ORG, DAY_TRIPPER).await?.is_none());
    // What the webhooks left is what the API says: a sync corrects nothing.
    let before = state(&stack).await?;
    stack.request_sync(ORG);
    stack.wait_for_syncs(ORG, 2).await?;
    assert_eq!(stack.last_sync_corrections(ORG).await?, 0);
    assert_eq!(state(&stack).await?, before);
    Ok(())
}

#[tokio::test]
async fn a_sync_repairs_a_dropped_officernd_webhook() -> anyhow::Result<()> {
    let stack = connected().await?;
    let late = "5f00000000000000000000d6";
    stack
        .officernd_apply(Change::PutMember {
            member: member(late, "Late"),
        })
        .await?;
    stack.officernd.sim.set_faults(Faults {
        drop: 1,
        ..Default::default()
    });
    stack
        .officernd_apply(Change::PutMembership {
            membership: membership("5f00000000000000000000c5", late, demo::HOT_DESK),
        })
        .await?;
    assert!(
        !live_with(stack.member(ORG, late).await?.as_ref(), "plan"),
        "the webhook was lost"
    );
    stack.request_sync(ORG);
    stack
        .member_until(ORG, late, "the sync to grant access", |m| {
            live_with(m, "plan")
        })
        .await?;
    stack.wait_for_syncs(ORG, 2).await?;
    assert!(
        stack.last_sync_corrections(ORG).await? >= 1,
        "the drift report names it"
    );
    Ok(())
}

#[tokio::test]
async fn an_optix_and_an_officernd_organization_side_by_side_never_see_each_other()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    stack.install(DEMO_ORG).await?;
    stack.connect_officernd().await?;
    let client = stack.pool.get().await?;
    let optix_members = store::queries::member_user_ids(&client, DEMO_ORG).await?;
    let officernd_members = store::queries::member_user_ids(&client, ORG).await?;
    assert!(!optix_members.is_empty() && !officernd_members.is_empty());
    assert!(officernd_members.iter().all(|u| !optix_members.contains(u)));
    assert!(officernd_members.contains(&ADA.to_owned()));
    // An OfficeRnD change touches only its organization; an Optix sync only its own.
    let optix_events = stack
        .count(
            "SELECT count(*) FROM events WHERE org_id = $1",
            &[&DEMO_ORG],
        )
        .await?;
    stack
        .officernd_apply(Change::RemoveMember { id: ADA.into() })
        .await?;
    stack
        .member_until(ORG, ADA, "Ada to go", |m| m.is_none())
        .await?;
    assert_eq!(
        stack
            .count(
                "SELECT count(*) FROM events WHERE org_id = $1",
                &[&DEMO_ORG]
            )
            .await?,
        optix_events
    );
    stack.request_sync(DEMO_ORG);
    stack.wait_for_syncs(DEMO_ORG, 2).await?;
    assert_eq!(
        store::queries::member_user_ids(&client, ORG).await?.len(),
        officernd_members.len() - 1
    );
    // The OfficeRnD organization's streams name it: none is an Optix organization's.
    let streams = stack
        .count(
            "SELECT count(*) FROM events WHERE org_id = $1 AND stream_id NOT LIKE '%officernd_%'",
            &[&ORG],
        )
        .await?;
    assert_eq!(streams, 0);
    Ok(())
}
