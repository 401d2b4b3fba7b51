//! Who sent a command is established by the bus, not by the body: the review's attack (a raw
//! NATS connection sending `set_passphrase` as a made-up `admin:12351`) and its variants with
//! stolen service keys, against the whole system. Provision must refuse each and execute
//! nothing, which the event log shows.

use bus::auth::Identity;
use bus::commands::{Command, CommandRequest, PassphraseText, RefusalCode, Reply};
use integration_tests::Stack;
use integration_tests::stack::DEMO_ORG;
use std::time::Duration;

const JEAN: &str = "12346"; // a member with an account after the import
const RICHARD: &str = "12347";
const SOFIA: &str = "12351"; // an Optix admin of the demo organization

fn set_jeans_passphrase() -> Command {
    Command::SetPassphrase {
        user_id: JEAN.into(),
        passphrase: PassphraseText("chosen by the attacker".into()),
    }
}

fn assert_forbidden(reply: Reply, what: &str) {
    assert!(
        matches!(
            reply,
            Reply::Refused {
                code: RefusalCode::Forbidden,
                ..
            }
        ),
        "{what}: {reply:?}"
    );
}

async fn events_by(stack: &Stack, actors: &[&str]) -> anyhow::Result<i64> {
    let client = stack.pool.get().await?;
    let actors: Vec<String> = actors.iter().map(|a| (*a).to_owned()).collect();
    Ok(client
        .query_one(
            "SELECT count(*) FROM events WHERE metadata->>'actor' = ANY($1)",
            &[&actors],
        )
        .await?
        .get(0))
}

#[tokio::test]
async fn a_forged_actor_is_refused_and_provision_executes_nothing() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.wait_for_syncs_to_settle().await?;
    stack.wait_until_provisioned().await?;
    anyhow::ensure!(
        stack.member(DEMO_ORG, JEAN).await?.is_some(),
        "Jean has an account to attack"
    );
    let events_before = stack.event_count().await?;

    // The review's connection: plain NATS, no credentials. Refused at the door.
    let anonymous = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(2))
        .connect(stack.nats.url())
        .await;
    assert!(anonymous.is_err(), "an anonymous client got in");

    // With the CLI's key: the operator may not pose as an admin or a tenant.
    let cli = stack
        .nats
        .bus_as(Identity::Cli)
        .await
        .map_err(anyhow::Error::msg)?;
    for actor in [format!("admin:{SOFIA}"), format!("tenant:{JEAN}")] {
        assert_forbidden(
            cli.command(DEMO_ORG, &actor, set_jeans_passphrase())
                .await?,
            &format!("the CLI as {actor}"),
        );
    }

    // With the portal's key: not the operator, an admin cannot set a member's passphrase, a
    // tenant acts only on their own account, a visitor cannot sync.
    let portal = stack
        .nats
        .bus_as(Identity::Portal)
        .await
        .map_err(anyhow::Error::msg)?;
    for (actor, command) in [
        ("cli".to_owned(), set_jeans_passphrase()),
        (format!("admin:{SOFIA}"), set_jeans_passphrase()),
        (format!("tenant:{RICHARD}"), set_jeans_passphrase()),
        ("portal".to_owned(), Command::SyncNow),
        (format!("tenant:{JEAN}"), Command::SyncNow),
    ] {
        let what = format!("the portal as {actor} sending {}", command.name());
        assert_forbidden(portal.command(DEMO_ORG, &actor, command).await?, &what);
    }

    // The portal's key on the CLI's subject (and on the old subject without a sender):
    // nats-server drops the publish, so nobody answers and nothing runs.
    let raw_portal = stack
        .nats
        .client_as(Identity::Portal)
        .await
        .map_err(anyhow::Error::msg)?;
    let forged = serde_json::to_vec(&CommandRequest {
        org_id: DEMO_ORG.into(),
        actor: "cli".into(),
        command: set_jeans_passphrase(),
    })?;
    for subject in [
        format!("lanyard.commands.cli.{DEMO_ORG}.set_passphrase"),
        format!("lanyard.commands.{DEMO_ORG}.set_passphrase"),
    ] {
        let answer = tokio::time::timeout(
            Duration::from_secs(3),
            raw_portal.request(subject.clone(), forged.clone().into()),
        )
        .await;
        assert!(
            !matches!(answer, Ok(Ok(_))),
            "provision answered the portal on {subject}"
        );
    }

    // Nothing was executed: no event at all, none in a forged actor's name.
    stack.wait_until_provisioned().await?;
    assert_eq!(stack.event_count().await?, events_before);
    assert_eq!(
        events_by(
            &stack,
            &[
                &format!("admin:{SOFIA}"),
                &format!("tenant:{RICHARD}"),
                "portal"
            ]
        )
        .await?,
        0
    );

    // The genuine paths still work: the portal for Jean herself, the CLI as the operator.
    let reply = portal
        .command(
            DEMO_ORG,
            &format!("tenant:{JEAN}"),
            Command::RegeneratePassphrase {
                user_id: JEAN.into(),
            },
        )
        .await?;
    assert!(
        matches!(reply, Reply::Done { events: 1.., .. }),
        "{reply:?}"
    );
    assert_eq!(events_by(&stack, &[&format!("tenant:{JEAN}")]).await?, 1);
    let reply = stack.command(DEMO_ORG, Command::SyncNow).await?;
    assert!(matches!(reply, Reply::Done { .. }), "{reply:?}");
    Ok(())
}
