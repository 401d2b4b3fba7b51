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

/// What changes in OfficeRnD, in order (fixed ids: every run's final state is the same).
fn scenario() -> Vec<Change> {
    let yesterday = (Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let globex = "5f00000000000000000000d2";
    let mut changes = vec![Change::PutCompany {
        company: officernd::model::Company {
            id: globex.into(),
            name: "Globex".into(),
        },
    }];
    for (i, id) in PEOPLE.iter().enumerate() {
        let mut m = member(id, &format!("Person {i}"));
        m.company = (i == 0).then(|| globex.to_owned());
        changes.push(Change::PutMember { member: m });
        let ms = membership(
            &format!("5f00000000000000000000c{}", i + 6),
            id,
            demo::HOT_DESK,
        );
        changes.push(Change::PutMembership { membership: ms });
    }
    changes.extend([
        Change::RemoveMember {
            id: DAY_TRIPPER.into(),
        },
        Change::RemoveCompany {
            id: demo::ACME.into(),
        },
        Change::CancelMembership {
            id: "5f00000000000000000000f1".into(),
            end_date: yesterday,
        },
    ]);
    changes
}

const PEOPLE: [&str; 3] = [
    "5f00000000000000000000d7",
    "5f00000000000000000000d8",
    "5f00000000000000000000d9",
];

/// The bodies OfficeRnD sends for `scenario`, held back (dropped on the way) once OfficeRnD has
/// reached its final state.
async fn held_deliveries(stack: &Stack) -> anyhow::Result<Vec<String>> {
    stack.officernd.sim.set_faults(Faults {
        drop: 1000,
        ..Default::default()
    });
    for change in scenario() {
        stack.officernd.sim.apply(demo::DEMO_SLUG, change).await?;
    }
    stack.officernd.sim.set_faults(Faults::default());
    Ok(stack
        .officernd
        .sim
        .deliveries()
        .into_iter()
        .filter(|d| d.status == 0)
        .map(|d| d.body)
        .collect())
}

#[tokio::test]
async fn officernd_webhooks_in_any_order_and_any_number_converge_on_what_the_api_says()
-> anyhow::Result<()> {
    use rand::SeedableRng;
    let mut snapshots = Vec::new();
    for run in 0..4u64 {
        let stack = Stack::start().await?;
        stack.set_vlan_pool(ORG, 300, 399).await?;
        stack.connect_officernd().await?;
        let bodies = held_deliveries(&stack).await?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(run);
        // Run 0 tells each once, in order; the others up to three times, reversed or shuffled.
        let mut told: Vec<&String> = bodies
            .iter()
            .flat_map(|b| {
                let copies = if run == 0 {
                    1
                } else {
                    rand::Rng::gen_range(&mut rng, 1..4)
                };
                std::iter::repeat_n(b, copies)
            })
            .collect();
        match run {
            0 => {}
            1 => told.reverse(),
            _ => told.shuffle(&mut rng),
        }
        for body in told {
            let t = Utc::now().timestamp();
            let signature = officernd::webhook::sign(WEBHOOK_SECRET.as_bytes(), body.as_bytes(), t);
            let (status, answer) = post(&stack, demo::DEMO_ORG_ID, body, Some(signature)).await?;
            assert_eq!(status, 200, "{answer}");
        }
        stack.wait_until_provisioned().await?;
        for id in PEOPLE {
            assert!(
                live_with(stack.member(ORG, id).await?.as_ref(), "plan"),
                "run {run}: {id}"
            );
        }
        assert!(stack.member(ORG, DAY_TRIPPER).await?.is_none(), "run {run}");
        // What the webhooks left is what the API says: a sync corrects nothing.
        let told_state = state(&stack).await?;
        stack.request_sync(ORG);
        stack.wait_for_syncs(ORG, 2).await?;
        assert_eq!(stack.last_sync_corrections(ORG).await?, 0, "run {run}");
        assert_eq!(state(&stack).await?, told_state, "run {run}");
        // The demo's meeting is an hour from each stack's start: its grants' times differ.
        let meeting = "5f0000000000000000000091";
        snapshots.push(
            told_state
                .into_iter()
                .filter(|l| !l.contains(meeting))
                .collect::<Vec<_>>(),
        );
    }
    assert!(snapshots[0].len() > 8, "{:#?}", snapshots[0]);
    for (run, other) in snapshots.iter().enumerate().skip(1) {
        assert_eq!(&snapshots[0], other, "run {run} differs");
    }
    Ok(())
}

/// A new member `late` whose Hot Desk membership's webhook is lost (with the `drop - 1`
/// deliveries after it).
async fn lose_a_membership_webhook(
    stack: &Stack,
    late: &str,
    membership_id: &str,
    drop: u32,
) -> anyhow::Result<()> {
    stack
        .officernd_apply(Change::PutMember {
            member: member(late, "Late"),
        })
        .await?;
    stack.officernd.sim.set_faults(Faults {
        drop,
        ..Default::default()
    });
    stack
        .officernd_apply(Change::PutMembership {
            membership: membership(membership_id, late, demo::HOT_DESK),
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_sync_repairs_a_dropped_officernd_webhook() -> anyhow::Result<()> {
    let stack = connected().await?;
    let late = "5f00000000000000000000d6";
    lose_a_membership_webhook(&stack, late, "5f00000000000000000000c5", 1).await?;
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

/// The `users_seen` of each sync of the organization, oldest first.
async fn users_seen_by_syncs(stack: &Stack) -> anyhow::Result<Vec<i64>> {
    let client = stack.pool.get().await?;
    let rows = client
        .query(
            "SELECT data FROM events WHERE org_id = $1 AND event_type = 'SyncCompleted'
             ORDER BY global_position",
            &[&ORG],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            r.get::<_, serde_json::Value>(0)["users_seen"]
                .as_i64()
                .unwrap_or(-1)
        })
        .collect())
}

/// Between full sweeps a periodic sync reads only who changed (`modifiedAt[$gte]` and the
/// booking window): it repairs a lost membership webhook, but cannot see a removal whose
/// webhook was lost; the next full sweep (`officernd.full_sync_interval_secs`) shreds them.
#[tokio::test]
async fn periodic_syncs_read_what_changed_and_the_full_sweep_finds_a_lost_removal()
-> anyhow::Result<()> {
    let stack = Stack::start_with(integration_tests::StackOptions {
        settings: Some(|settings| settings.officernd.full_sync_interval_secs = 5),
        ..Default::default()
    })
    .await?;
    stack.connect_officernd().await?;
    let late = "5f00000000000000000000d7";
    // The membership's webhook lost, and the removal's after it.
    lose_a_membership_webhook(&stack, late, "5f00000000000000000000c7", 2).await?;
    stack
        .officernd_apply(Change::RemoveMember {
            id: DAY_TRIPPER.into(),
        })
        .await?;
    stack.request_sync(ORG);
    stack.wait_for_syncs(ORG, 2).await?;
    assert!(
        live_with(stack.member(ORG, late).await?.as_ref(), "plan"),
        "the incremental sync repaired the lost membership webhook"
    );
    let seen = users_seen_by_syncs(&stack).await?;
    assert!(
        seen[1] < seen[0],
        "the incremental sync read fewer members than the import: {seen:?}"
    );
    assert!(
        stack.member(ORG, DAY_TRIPPER).await?.is_some(),
        "a removal leaves nothing to list between sweeps"
    );
    integration_tests::eventually(
        "a full sweep to shred the day tripper",
        std::time::Duration::from_secs(30),
        || async {
            stack.request_sync(ORG);
            stack.wait_for_syncs_to_settle().await?;
            Ok(stack
                .member(ORG, DAY_TRIPPER)
                .await?
                .is_none()
                .then_some(()))
        },
    )
    .await?;
    Ok(())
}
