//! The events' wire contract (proto/events/, issue 20) on real PostgreSQL and NATS: every event
//! the relay publishes validates against the checked-in JSON Schema and every event type the
//! schema lists is published; a plain NATS subscriber sees a republished batch again and
//! deduplicates it by event id.

use anyhow::Context;
use bus::commands::Command;
use domain::member::DisconnectRecord;
use domain::{AccessProfile, DisconnectOutcome};
use futures::StreamExt;
use integration_tests::stack::{DEMO_ORG, GASTOWN, TRASTEVERE};
use integration_tests::{Stack, eventually};
use optix_sim::{Change, Notify};
use provision::event_contract;
use std::collections::{BTreeSet, HashSet, VecDeque};
use std::time::Duration;

const JEAN: &str = "12346"; // Hot Desk (all locations), ACTIVE
const HOT_DESK: &str = "916";
const DEDICATED_DESK: &str = "917";
const DEADLINE: Duration = Duration::from_secs(30);

/// One message of the events stream as JetStream stored it.
struct Published {
    subject: String,
    msg_id: String,
    position_header: String,
    type_header: String,
    body: serde_json::Value,
}

/// The checked-in schema of a published message (what subscribers validate against).
fn checked_in_schema() -> anyhow::Result<serde_json::Value> {
    let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = event_contract::folder(&repository).join(event_contract::PUBLISHED_EVENT);
    Ok(event_contract::read(&path)?)
}

/// Every message of the events stream, in stream order.
async fn stream_messages(stack: &Stack) -> anyhow::Result<Vec<Published>> {
    let stream = stack.bus.jetstream().get_stream(bus::EVENTS_STREAM).await?;
    let state = stream.get_info().await?.state;
    let mut published = Vec::new();
    for sequence in state.first_sequence..=state.last_sequence {
        let message = stream.get_raw_message(sequence).await?;
        let header = |name: &str| {
            message
                .headers
                .get(name)
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default()
        };
        published.push(Published {
            subject: message.subject.to_string(),
            msg_id: header("Nats-Msg-Id"),
            position_header: header("Lanyard-Position"),
            type_header: header("Lanyard-Event-Type"),
            body: serde_json::from_slice(&message.payload)?,
        });
    }
    Ok(published)
}

/// Waits until the relay has published the whole log.
async fn relay_caught_up(stack: &Stack) -> anyhow::Result<i64> {
    eventually("the relay to publish the whole log", DEADLINE, || async {
        let client = stack.pool.get().await?;
        let head = store::event_log::head_position(&client).await?;
        let published =
            store::relay_checkpoint::position(&client, provision::relay::CHECKPOINT).await?;
        Ok((published == head).then_some(head))
    })
    .await
}

async fn events_of_type(stack: &Stack, event_type: &str) -> anyhow::Result<i64> {
    stack
        .count(
            "SELECT count(*) FROM events WHERE event_type = $1",
            &[&event_type],
        )
        .await
}

/// Runs `step` and waits until the log holds one more `event_type` than before it.
async fn appends<F: Future<Output = anyhow::Result<()>>>(
    stack: &Stack,
    event_type: &str,
    step: F,
) -> anyhow::Result<()> {
    let before = events_of_type(stack, event_type).await?;
    step.await?;
    let appended = eventually(&format!("a {event_type} in the log"), DEADLINE, || async {
        Ok((events_of_type(stack, event_type).await? > before).then_some(()))
    })
    .await;
    if appended.is_err() {
        let client = stack.pool.get().await?;
        let last: Vec<String> = client
            .query(
                "SELECT stream_id || ' ' || event_type FROM events \
                 ORDER BY global_position DESC LIMIT 12",
                &[],
            )
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        return appended.with_context(|| format!("the log's last events: {last:?}"));
    }
    appended
}

/// Applies `change` in Optix, which delivers its webhook; answers what it created.
async fn webhook(stack: &Stack, change: Change) -> anyhow::Result<Option<String>> {
    let applied = stack
        .sim
        .sim
        .apply(DEMO_ORG, change, Notify::Webhook)
        .await?;
    anyhow::ensure!(
        applied.webhook.is_some() && applied.status == Some(200),
        "the change's webhook {:?} was answered {:?}",
        applied.webhook,
        applied.status
    );
    Ok(applied.id)
}

pub(crate) async fn full_sync(stack: &Stack) -> anyhow::Result<()> {
    let runs = stack
        .count(
            "SELECT count(*) FROM sync_runs WHERE org_id = $1",
            &[&DEMO_ORG],
        )
        .await?;
    stack.command_done(DEMO_ORG, Command::SyncNow).await?;
    stack.wait_for_syncs(DEMO_ORG, runs + 1).await
}

/// Sends each operator command and waits until the log holds the event type beside it.
async fn commands_append(stack: &Stack, steps: Vec<(&str, Command)>) -> anyhow::Result<()> {
    for (event_type, command) in steps {
        appends(stack, event_type, stack.command_done(DEMO_ORG, command)).await?;
    }
    Ok(())
}

/// Applies each change in Optix, which delivers its webhook, and waits until the log holds the
/// event type beside it.
async fn webhooks_append(stack: &Stack, steps: Vec<(&str, Change)>) -> anyhow::Result<()> {
    for (event_type, change) in steps {
        appends(stack, event_type, async {
            webhook(stack, change).await.map(drop)
        })
        .await?;
    }
    Ok(())
}

/// Applies `change` in Optix without a webhook; answers the id of what it created.
async fn quietly(stack: &Stack, change: Change) -> anyhow::Result<String> {
    let applied = stack.sim.sim.apply(DEMO_ORG, change, Notify::Quietly);
    applied
        .await?
        .id
        .ok_or_else(|| anyhow::anyhow!("the simulator made nothing"))
}

/// The organization's configuration changes the rich history leaves out.
async fn configuration_events(stack: &Stack) -> anyhow::Result<()> {
    let profile = AccessProfile {
        name: "standard plus".into(),
        ..AccessProfile::default()
    };
    let steps = vec![
        (
            "PlanUnmapped",
            Command::UnmapPlan {
                plan_template_id: DEDICATED_DESK.into(),
            },
        ),
        ("DefaultProfileSet", Command::SetDefaultProfile { profile }),
        (
            "LocationUnmapped",
            Command::UnmapLocation {
                location_id: TRASTEVERE.into(),
            },
        ),
        // Rome is now an Optix location that no Lanyard location maps.
        (
            "UnmappedLocationUsed",
            Command::ReportUnmappedLocation {
                location_id: TRASTEVERE.into(),
                user_id: Some(JEAN.into()),
            },
        ),
        (
            "NasRemoved",
            Command::RemoveNas {
                nas_id: "lobby".into(),
            },
        ),
    ];
    commands_append(stack, steps).await
}

/// A member's life the rich history leaves out: opened by a sync without a location, bound
/// where first asked for, a new passphrase, a new email, suspended and resumed. Answers the
/// member's user id.
async fn member_events(stack: &Stack) -> anyhow::Result<String> {
    let add = Change::AddUser {
        name: "Nia".into(),
        surname: "Test".into(),
        email: "nia@example.com".into(),
        is_admin: false,
    };
    let nia = quietly(stack, add).await?;
    let hot_desk = |user_id: &str| Change::AddPlan {
        user_id: user_id.into(),
        plan_template_id: HOT_DESK.into(),
        starts_in_secs: 0,
        ends_in_secs: None,
    };
    let plan = quietly(stack, hot_desk(&nia)).await?;
    appends(stack, "AccountOpened", full_sync(stack)).await?;
    let onboard = Command::Onboard {
        user_id: nia.clone(),
        location_id: GASTOWN.into(),
        via: domain::events::OnboardedVia::Portal,
    };
    let regenerate = Command::RegeneratePassphrase {
        user_id: nia.clone(),
    };
    commands_append(
        stack,
        vec![("AccountBound", onboard), ("PassphraseChanged", regenerate)],
    )
    .await?;
    let email = Change::UpdateUser {
        user_id: nia.clone(),
        email: Some("nia.new@example.com".into()),
        is_active: None,
    };
    let cancel = Change::CancelPlan {
        account_plan_id: plan,
    };
    let steps = vec![
        ("ProfileChanged", email),
        ("AccountSuspended", cancel),
        ("AccountResumed", hot_desk(&nia)),
    ];
    webhooks_append(stack, steps).await?;
    Ok(nia)
}

/// A team's life (renamed, its member `user_id` leaving, a VLAN once the pool has room,
/// deleted) and a device's and a session's end.
async fn group_and_network_events(stack: &Stack, user_id: &str) -> anyhow::Result<()> {
    // A team becomes a group when a member of no other team joins it; the pool (100-100) is
    // taken, so the group has no VLAN.
    let add = Change::AddTeam {
        name: "Green".into(),
    };
    let team = quietly(stack, add).await?;
    let (team_id, user_id) = (team.clone(), user_id.to_owned());
    let steps = vec![
        (
            "GroupCreated",
            Change::AddTeamMember {
                team_id: team_id.clone(),
                user_id: user_id.clone(),
            },
        ),
        (
            "GroupRenamed",
            Change::RenameTeam {
                team_id: team_id.clone(),
                name: "Emerald".into(),
            },
        ),
        ("LeftGroup", Change::RemoveTeamMember { team_id, user_id }),
    ];
    webhooks_append(stack, steps).await?;
    appends(stack, "GroupVlanAssigned", async {
        stack.set_vlan_pool(DEMO_ORG, 100, 110).await?;
        full_sync(stack).await
    })
    .await?;
    // Optix sends no webhook for a deleted team: the next sync deletes its group.
    stack
        .sim
        .sim
        .apply(
            DEMO_ORG,
            Change::DeleteTeam { team_id: team },
            Notify::Quietly,
        )
        .await?;
    appends(stack, "GroupDeleted", full_sync(stack)).await?;
    network_events(stack).await
}

/// A device removed, and a session's disconnect as the RADIUS service records it.
async fn network_events(stack: &Stack) -> anyhow::Result<()> {
    let remove = Command::RemoveDevice {
        user_id: JEAN.into(),
        mac: "02:00:00:00:00:01".into(),
    };
    commands_append(stack, vec![("DeviceRemoved", remove)]).await?;
    let radius = stack
        .nats
        .bus_as(bus::auth::Identity::Radius)
        .await
        .map_err(anyhow::Error::msg)?;
    let mac: domain::Mac = "02:00:00:00:00:01".parse()?;
    let records = [
        (
            "SessionDisconnectRequested",
            DisconnectRecord::Requested {
                nas_id: "lobby".into(),
                session_id: "contract-1".into(),
                mac,
            },
        ),
        (
            "SessionDisconnectAnswered",
            DisconnectRecord::Answered {
                nas_id: "lobby".into(),
                session_id: "contract-1".into(),
                outcome: DisconnectOutcome::Acked,
            },
        ),
    ];
    for (event_type, record) in records {
        let command = Command::RecordDisconnect {
            user_id: JEAN.into(),
            record,
        };
        appends(stack, event_type, async {
            match radius.command(DEMO_ORG, "radius", command).await? {
                bus::commands::Reply::Done { .. } => Ok(()),
                refused => anyhow::bail!("refused: {refused:?}"),
            }
        })
        .await?;
    }
    Ok(())
}

/// The installation's end of life: a token rotation, a sync that fails, the uninstall.
async fn installation_events(stack: &Stack) -> anyhow::Result<()> {
    appends(stack, "OrganizationTokenRotated", async {
        anyhow::ensure!(stack.sim.sim.rotate_token(DEMO_ORG).await? == 200);
        Ok(())
    })
    .await?;
    stack.wait_until_provisioned().await?;
    // Optix fails for longer than the client retries.
    stack.sim.sim.fail_next_requests(1000);
    let failed = appends(stack, "SyncFailed", full_sync(stack)).await;
    stack.sim.sim.fail_next_requests(0);
    failed?;
    appends(stack, "AppUninstalled", async {
        anyhow::ensure!(stack.sim.sim.uninstall_app(DEMO_ORG).await? == 200);
        Ok(())
    })
    .await
}

/// Every event the relay published (the rich history of the replay test, then every event
/// type it leaves out) is valid against proto/events/v1/published-event.schema.json as
/// checked in; each is in the stream once, in log order, with its id as `Nats-Msg-Id`; and
/// every event type the schema lists was published. A type missing from the schema fails
/// validation; a type the history does not make fails the last check.
#[tokio::test]
async fn every_event_the_relay_publishes_validates_against_the_checked_in_schema()
-> anyhow::Result<()> {
    let mut stack = Stack::start_installed_with_vlan_pool(100, 100).await?;
    crate::provisioning::rich_history(&stack).await?;
    configuration_events(&stack).await?;
    let nia = member_events(&stack).await?;
    group_and_network_events(&stack, &nia).await?;
    installation_events(&stack).await?;
    stack.wait_until_provisioned().await?;
    relay_caught_up(&stack).await?;
    stack.stop_provision().await?;
    let logged = stack.event_count().await?;

    let schema = checked_in_schema()?;
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| anyhow::anyhow!("the checked-in schema does not compile: {e}"))?;
    let published = stream_messages(&stack).await?;
    assert_eq!(
        published.len() as i64,
        logged,
        "each event is in the stream once"
    );
    let mut invalid = Vec::new();
    let mut seen_types = BTreeSet::new();
    let mut last_position = 0;
    for message in &published {
        let body = &message.body;
        for error in validator.iter_errors(body) {
            invalid.push(format!(
                "{} at {}: {error}",
                body["event"]["type"],
                error.instance_path()
            ));
        }
        let position = body["position"].as_i64().unwrap_or_default();
        assert!(position > last_position, "in log order: {position}");
        last_position = position;
        assert_eq!(
            message.msg_id,
            body["event_id"].as_str().unwrap_or_default()
        );
        assert_eq!(message.position_header, position.to_string());
        let event_type = body["event"]["type"].as_str().unwrap_or_default();
        assert_eq!(message.type_header, event_type);
        let stream = body["stream"].as_str().unwrap_or_default();
        let category = stream.split('-').next().unwrap_or_default();
        assert_eq!(
            message.subject,
            format!("lanyard.events.{category}.{DEMO_ORG}.{event_type}")
        );
        seen_types.insert(event_type.to_owned());
    }
    assert!(
        invalid.is_empty(),
        "{} of {} published events do not validate:\n{}",
        invalid.len(),
        published.len(),
        invalid.join("\n")
    );
    let listed: BTreeSet<String> = event_contract::event_types(&schema).into_iter().collect();
    let never_published: Vec<&String> = listed.difference(&seen_types).collect();
    assert!(
        never_published.is_empty(),
        "the history published no {never_published:?}: make them in this test's history"
    );
    assert!(seen_types.is_subset(&listed), "{seen_types:?} ⊄ {listed:?}");
    Ok(())
}

/// What proto/events/README.md tells a plain subscriber to do: remember the ids of the last
/// events handled (a bounded number: a republish repeats at most one relay batch) and skip
/// those seen. Answers whether the event is new.
fn first_time(seen: &mut HashSet<String>, order: &mut VecDeque<String>, event_id: &str) -> bool {
    const REMEMBERED: usize = 10_000;
    if !seen.insert(event_id.to_owned()) {
        return false;
    }
    order.push_back(event_id.to_owned());
    if order.len() > REMEMBERED {
        order.pop_front().map(|old| seen.remove(&old));
    }
    true
}

/// The event ids of the next `count` messages of a plain subscription.
async fn next_event_ids(
    subscription: &mut async_nats::Subscriber,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::with_capacity(count);
    while ids.len() < count {
        let message = tokio::time::timeout(DEADLINE, subscription.next())
            .await
            .map_err(|_| anyhow::anyhow!("{} of {count} events arrived", ids.len()))?
            .ok_or_else(|| anyhow::anyhow!("the subscription ended"))?;
        let body: serde_json::Value = serde_json::from_slice(&message.payload)?;
        ids.push(body["event_id"].as_str().unwrap_or_default().to_owned());
    }
    Ok(ids)
}

/// A relay that published a batch and died before saving its checkpoint publishes it again
/// (simulated by setting the checkpoint back, provision stopped). JetStream drops the copies
/// (the stream gains nothing), but a plain NATS subscriber to `lanyard.events.>` receives
/// every event a second time: deduplicated by `event_id` as proto/events/README.md shows, it
/// handles each once, in log order.
#[tokio::test]
async fn a_plain_subscriber_sees_a_republished_batch_again_and_deduplicates_it_by_event_id()
-> anyhow::Result<()> {
    let mut stack = Stack::start().await?;
    let mut plain = stack.bus.client().subscribe("lanyard.events.>").await?;
    stack.bus.client().flush().await?;
    stack.install(DEMO_ORG).await?;
    stack.wait_until_provisioned().await?;
    let head = relay_caught_up(&stack).await?;
    stack.stop_provision().await?;
    let stored: Vec<String> = stream_messages(&stack)
        .await?
        .into_iter()
        .map(|m| m.msg_id)
        .collect();
    let mut received = next_event_ids(&mut plain, stored.len()).await?;
    assert_eq!(received, stored, "the first publication, in log order");

    let client = stack.pool.get().await?;
    store::relay_checkpoint::save(&client, provision::relay::CHECKPOINT, 0).await?;
    let relay_bus = stack
        .nats
        .bus_as(bus::auth::Identity::Provision)
        .await
        .map_err(anyhow::Error::msg)?;
    let lag = provision::relay::RelayLag::default();
    while provision::relay::relay_batch(&stack.pool, &relay_bus, &lag).await? > 0 {}
    assert_eq!(
        store::relay_checkpoint::position(&client, provision::relay::CHECKPOINT).await?,
        head
    );
    received.extend(next_event_ids(&mut plain, stored.len()).await?);
    assert_eq!(received.len(), 2 * stored.len(), "every event twice");
    let (mut seen, mut order) = (HashSet::new(), VecDeque::new());
    let handled: Vec<&String> = received
        .iter()
        .filter(|id| first_time(&mut seen, &mut order, id))
        .collect();
    assert_eq!(
        handled,
        stored.iter().collect::<Vec<_>>(),
        "deduplicated by event id: each event handled once, in log order"
    );
    let in_stream = stream_messages(&stack).await?.len();
    assert_eq!(
        in_stream,
        stored.len(),
        "JetStream dropped every copy by Nats-Msg-Id"
    );
    Ok(())
}
