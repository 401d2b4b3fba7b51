//! The bus's authorization, attacked on a real nats-server configured as production is:
//! clients without one of Lanyard's keys are refused, and the portal's identity (the one facing
//! the internet, hence the likeliest to leak) can neither inject webhooks nor read the streams
//! that hold tokens and emails; domain events it reads only through its one mail consumer.

use async_nats::jetstream;
use bus::auth::Identity;
use bus::testing::NatsServer;
use futures::StreamExt;
use std::time::Duration;

async fn server() -> anyhow::Result<NatsServer> {
    NatsServer::start().await.map_err(anyhow::Error::msg)
}

#[tokio::test]
async fn a_client_without_a_known_key_is_refused() -> anyhow::Result<()> {
    let server = server().await?;
    let anonymous = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(2))
        .connect(server.url())
        .await;
    let error = anonymous.expect_err("an anonymous client must be refused");
    assert!(
        error.to_string().to_lowercase().contains("authorization"),
        "{error}"
    );

    // A well-formed key the server was not told about is refused alike.
    let stranger = nkeys::KeyPair::new_user().seed()?;
    let forged = async_nats::ConnectOptions::new()
        .nkey(stranger)
        .connection_timeout(Duration::from_secs(2))
        .connect(server.url())
        .await;
    assert!(forged.is_err(), "an unknown key must be refused");

    // Each of Lanyard's identities gets in.
    for identity in Identity::ALL {
        server
            .client_as(identity)
            .await
            .map_err(|e| anyhow::anyhow!("{identity:?}: {e}"))?;
    }
    Ok(())
}

async fn bus_as(server: &NatsServer, identity: Identity) -> anyhow::Result<bus::Bus> {
    server.bus_as(identity).await.map_err(anyhow::Error::msg)
}

/// Provision's bus, once it has made the streams (as it does at start).
async fn with_streams(server: &NatsServer) -> anyhow::Result<bus::Bus> {
    let provision = bus_as(server, Identity::Provision).await?;
    provision.ensure_streams().await?;
    Ok(provision)
}

/// The webhook stream's last sequence, read with the unrestricted identity.
async fn last_sequence(ops: &jetstream::Context, stream: &str) -> anyhow::Result<u64> {
    Ok(ops
        .get_stream(stream)
        .await?
        .info()
        .await?
        .state
        .last_sequence)
}

#[tokio::test]
async fn the_portal_identity_cannot_publish_webhooks_nor_read_any_stream() -> anyhow::Result<()> {
    let server = server().await?;
    with_streams(&server).await?;
    let ingest = bus_as(&server, Identity::Ingest).await?;
    // What ingest publishes: organization 6267's webhooks, as they come from Optix.
    let genuine = |kind, msg_id, payload| {
        crate::publish_webhook(
            &ingest,
            ("6267", kind),
            msg_id,
            payload,
            Duration::from_secs(2),
        )
    };
    genuine(
        "app_install",
        "genuine-1",
        "organization_token=secret-token-6267&email=jean@example.com",
    )
    .await?;
    let ops = jetstream::new(
        server
            .client_as(Identity::Ops)
            .await
            .map_err(anyhow::Error::msg)?,
    );
    assert_eq!(last_sequence(&ops, "OPTIX_WEBHOOKS").await?, 1);

    let portal = server
        .client_as(Identity::Portal)
        .await
        .map_err(anyhow::Error::msg)?;
    let mut portal_js = jetstream::new(portal.clone());
    // A refused request is dropped by the server, never answered: wait briefly for nothing.
    portal_js.set_timeout(Duration::from_millis(500));

    // 1. Injecting a webhook: through JetStream (no ack comes back) and as a plain publish.
    let injected = tokio::time::timeout(Duration::from_secs(2), async {
        portal_js
            .publish(
                bus::webhook_subject("6267", "app_uninstall"),
                "organization_id=6267".into(),
            )
            .await?
            .await
    })
    .await;
    assert!(
        !matches!(injected, Ok(Ok(_))),
        "JetStream acknowledged a webhook published by the portal"
    );
    portal
        .publish(
            bus::webhook_subject("6267", "app_uninstall"),
            "organization_id=6267".into(),
        )
        .await?;
    portal.flush().await?;
    // The portal's publishes were handled before its flush returned: had one been stored, the
    // next genuine webhook would not get sequence 2.
    let next = genuine("new_member", "genuine-2", "user_id=12346").await?;
    assert_eq!(next.sequence, 2, "the portal's webhooks reached the stream");

    // 2. Reading the streams through the JetStream API: info, a consumer, a direct get.
    // The events stream it may look up (its mail consumer, `the_portal_identity_follows_…`),
    // but not make a consumer of its own choosing on it.
    for stream in [
        "OPTIX_WEBHOOKS",
        bus::EVENTS_STREAM,
        "KV_LANYARD_INSTALLATIONS",
    ] {
        assert!(
            stream == bus::EVENTS_STREAM || portal_js.get_stream(stream).await.is_err(),
            "the portal looked up {stream}"
        );
        let consumer = portal_js
            .create_consumer_on_stream(
                jetstream::consumer::pull::Config {
                    durable_name: Some("stolen".into()),
                    ..Default::default()
                },
                stream,
            )
            .await;
        assert!(
            consumer.is_err(),
            "the portal created a consumer on {stream}"
        );
    }
    let direct_get = tokio::time::timeout(
        Duration::from_millis(500),
        portal.request("$JS.API.DIRECT.GET.OPTIX_WEBHOOKS", r#"{"seq":1}"#.into()),
    )
    .await;
    assert!(
        !matches!(direct_get, Ok(Ok(ref m)) if m.payload.windows(12).any(|w| w == b"secret-token")),
        "the portal read a stored webhook"
    );

    // 3. Listening on the subjects: webhooks, domain events, another identity's replies.
    let mut webhooks = portal.subscribe("optix.webhooks.>").await?;
    let mut events = portal.subscribe("lanyard.events.>").await?;
    let mut replies = portal.subscribe("_INBOX.cli.>").await?;
    let mut marker = portal.subscribe("_INBOX.portal.marker").await?;
    portal.flush().await?;
    let ops_client = server
        .client_as(Identity::Ops)
        .await
        .map_err(anyhow::Error::msg)?;
    for subject in [
        "optix.webhooks.6267.new_member",
        "lanyard.events.6267.member",
        "_INBOX.cli.answer",
        "_INBOX.portal.marker",
    ] {
        ops_client.publish(subject, "secret".into()).await?;
    }
    ops_client.flush().await?;
    // One publisher's messages reach a subscriber in order: once the marker arrived, anything
    // the denied subscriptions could have received would have arrived before it.
    tokio::time::timeout(Duration::from_secs(5), marker.next())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the portal's own inbox got nothing"))?;
    for (what, subscription) in [
        ("webhooks", &mut webhooks),
        ("domain events", &mut events),
        ("the CLI's replies", &mut replies),
    ] {
        let leaked = tokio::time::timeout(Duration::ZERO, subscription.next()).await;
        assert!(!matches!(leaked, Ok(Some(_))), "the portal received {what}");
    }

    assert!(
        server.log().contains("Publish Violation")
            && server.log().contains("Subscription Violation"),
        "nats-server logs what it refused:\n{}",
        server.log()
    );
    Ok(())
}

/// The production single-node configuration, with the generated authorization included, is
/// one nats-server accepts (`-t`: check the configuration and exit).
#[test]
fn the_deployed_single_node_configuration_includes_the_authorization() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!(
        "lanyard-deploy-conf-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos()
    ));
    let generated = bus::auth::generate(&dir.join("nats"), "OPTIX_WEBHOOKS")?;
    let deployed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nats/single.conf"),
    )?;
    assert!(deployed.contains("include \"auth.conf\""));
    // Installed as documented: beside auth.conf (nats-server resolves includes relative to
    // the including file).
    let conf = generated.dir.join("single.conf");
    std::fs::write(
        &conf,
        deployed.replace(
            "/var/lib/lanyard/nats",
            &dir.join("store").display().to_string(),
        ),
    )?;
    let binary = bus::testing::nats_server_binary().map_err(anyhow::Error::msg)?;
    let output = std::process::Command::new(binary)
        .arg("-t")
        .arg("-c")
        .arg(&conf)
        .output()?;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// The radius service's identity follows member events through its own durable consumer (to
/// end revoked members' sessions) and reads nothing else: no webhook, no other consumer.
#[tokio::test]
async fn the_radius_identity_follows_member_events_through_its_consumer_only() -> anyhow::Result<()>
{
    follows_events_through_its_consumer_only(
        Identity::Radius,
        bus::DISCONNECT_CONSUMER,
        &bus::event_type_filters("member", &["AccountSuspended", "AccountDeleted"]),
    )
    .await
}

/// Every radius instance gets every event through a consumer of its own (removed by JetStream
/// once the instance is gone), and radius still cannot touch the other services' consumers.
#[tokio::test]
async fn each_radius_instance_follows_every_event_through_its_own_consumer() -> anyhow::Result<()> {
    let server = server().await?;
    let provision = with_streams(&server).await?;
    let since = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let mut consumers = Vec::new();
    for instance in ["radius-0", "radius-1"] {
        let radius = bus_as(&server, Identity::Radius).await?;
        let name = bus::instance_consumer(bus::INSTANCE_EVENTS_CONSUMER, instance);
        let mut consumer = radius
            .instance_events_consumer(&name, &[bus::EVENT_SUBJECTS.into()], since)
            .await?;
        assert_eq!(
            consumer.info().await?.config.inactive_threshold,
            bus::INSTANCE_CONSUMER_INACTIVITY
        );
        consumers.push(consumer);
    }
    publish_member_event(&provision).await?;
    for consumer in &consumers {
        receive_member_event(consumer).await?;
    }
    let radius = bus_as(&server, Identity::Radius).await?;
    for other in [bus::CONTROLLERS_CONSUMER, bus::NOTIFY_CONSUMER] {
        assert!(
            radius
                .events_consumer(other, &[bus::EVENT_SUBJECTS.into()], since)
                .await
                .is_err(),
            "radius made or opened {other}"
        );
    }
    Ok(())
}

/// The portal reads member events (the tenant emails) through its own consumer only.
#[tokio::test]
async fn the_portal_identity_follows_member_events_through_its_notify_consumer_only()
-> anyhow::Result<()> {
    follows_events_through_its_consumer_only(
        Identity::Portal,
        bus::NOTIFY_CONSUMER,
        &bus::event_type_filters("member", &["AccessGranted", "AccountSuspended"]),
    )
    .await
}

#[tokio::test]
async fn the_controllers_identity_follows_events_through_its_consumer_only() -> anyhow::Result<()> {
    follows_events_through_its_consumer_only(
        Identity::Controllers,
        bus::CONTROLLERS_CONSUMER,
        &[bus::EVENT_SUBJECTS.into()],
    )
    .await
}

/// The subject of the member event [`publish_member_event`] relays.
fn member_event_subject() -> String {
    bus::event_subject("member", "6267", "AccountSuspended")
}

/// provision relays a member event of organization 6267.
async fn publish_member_event(provision: &bus::Bus) -> anyhow::Result<()> {
    provision
        .publish_durable(
            member_event_subject(),
            "event-1",
            &[],
            "{\"event\":\"AccountSuspended\"}".into(),
            Duration::from_secs(2),
        )
        .await?;
    Ok(())
}

/// `consumer` receives that event (within 5 s) and acknowledges it.
async fn receive_member_event(consumer: &jetstream::consumer::PullConsumer) -> anyhow::Result<()> {
    let mut messages = consumer.messages().await?;
    let message = tokio::time::timeout(Duration::from_secs(5), messages.next())
        .await?
        .ok_or_else(|| anyhow::anyhow!("no event"))?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(message.subject.as_str(), member_event_subject());
    message.ack().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// `identity` receives events through its durable `consumer` (filtered to `filter`), and can
/// neither look up the webhook stream, make another consumer nor publish a domain event.
async fn follows_events_through_its_consumer_only(
    identity: Identity,
    consumer_name: &str,
    filter: &[String],
) -> anyhow::Result<()> {
    let name = identity.name();
    let server = server().await?;
    let provision = with_streams(&server).await?;
    let follower = bus_as(&server, identity).await?;
    let since = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let consumer = follower
        .events_consumer(consumer_name, filter, since)
        .await?;
    publish_member_event(&provision).await?;
    receive_member_event(&consumer).await?;

    let mut js = follower.jetstream().clone();
    js.set_timeout(Duration::from_millis(500));
    assert!(
        js.get_stream("OPTIX_WEBHOOKS").await.is_err(),
        "the {name} identity looked up the webhook stream"
    );
    let events = js.get_stream(bus::EVENTS_STREAM).await?;
    // radius names its instances' consumers itself: another service's is what it may not make.
    let other_name = match identity {
        Identity::Radius => bus::CONTROLLERS_CONSUMER.to_owned(),
        _ => format!("not-{name}"),
    };
    let other = events
        .create_consumer(jetstream::consumer::pull::Config {
            durable_name: Some(other_name),
            ..Default::default()
        })
        .await;
    assert!(other.is_err(), "the {name} identity made another consumer");
    let published = tokio::time::timeout(Duration::from_secs(2), async {
        js.publish(member_event_subject(), "{}".into()).await?.await
    })
    .await;
    assert!(
        !matches!(published, Ok(Ok(_))),
        "the {name} identity published a domain event"
    );
    Ok(())
}

/// `nats.url` lists a cluster's servers comma-separated: a list whose first server is down
/// still connects through the next one.
#[tokio::test]
async fn a_comma_separated_url_is_a_list_of_servers() -> anyhow::Result<()> {
    let server = server().await?;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut settings = server.settings();
    settings.url = format!("nats://127.0.0.1:{closed}, {}", server.url());
    let bus = bus::Bus::connect(&settings, Identity::Provision).await?;
    bus.ensure_streams().await?;
    Ok(())
}
