use bus::auth::Identity;
use bus::testing::NatsServer;
use futures::StreamExt;
use std::time::Duration;

#[tokio::test]
async fn durable_publish_deduplicates_and_the_consumer_acks() -> anyhow::Result<()> {
    let server = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    // Each side with its own identity: the permissions production grants suffice.
    let provision = server
        .bus_as(Identity::Provision)
        .await
        .map_err(anyhow::Error::msg)?;
    let bus = server
        .bus_as(Identity::Ingest)
        .await
        .map_err(anyhow::Error::msg)?;
    provision.ensure_streams().await?;
    provision.ensure_streams().await?; // idempotent
    bus.ensure_webhook_stream().await?;
    let subject = bus::webhook_subject("6267", "new_member");
    let timeout = Duration::from_secs(2);
    let first = bus
        .publish_durable(
            subject.clone(),
            "id-1",
            &[("X-Test", "1")],
            "a".into(),
            timeout,
        )
        .await?;
    let second = bus
        .publish_durable(subject.clone(), "id-1", &[], "a".into(), timeout)
        .await?;
    assert!(!first.duplicate);
    assert!(second.duplicate);

    let consumer = provision.webhook_consumer("provision", 1000).await?;
    let mut messages = consumer
        .fetch()
        .max_messages(10)
        .expires(Duration::from_millis(500))
        .messages()
        .await?;
    let message = messages
        .next()
        .await
        .expect("one message")
        .map_err(anyhow::Error::msg)?;
    assert_eq!(&message.payload[..], b"a");
    assert_eq!(
        message
            .headers
            .as_ref()
            .and_then(|h| h.get("X-Test"))
            .map(|v| v.to_string()),
        Some("1".into())
    );
    message.ack().await.map_err(anyhow::Error::msg)?;
    assert!(
        messages.next().await.is_none(),
        "deduplicated: one message only"
    );
    bus.ping().await?;
    provision.ping().await?;
    Ok(())
}

/// A server, and a connection to it as `identity`.
pub(crate) async fn server_and_bus(identity: Identity) -> anyhow::Result<(NatsServer, bus::Bus)> {
    let server = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let bus = server.bus_as(identity).await.map_err(anyhow::Error::msg)?;
    Ok((server, bus))
}

/// A server, and ingest's connection to it with the webhook stream made.
async fn ingest_with_webhook_stream() -> anyhow::Result<(NatsServer, bus::Bus)> {
    let (server, bus) = server_and_bus(Identity::Ingest).await?;
    bus.ensure_webhook_stream().await?;
    Ok((server, bus))
}

#[tokio::test]
async fn publishing_without_a_server_fails_fast() -> anyhow::Result<()> {
    let (mut server, bus) = ingest_with_webhook_stream().await?;
    server.stop();
    let started = std::time::Instant::now();
    let result =
        crate::publish_webhook(&bus, ("1", "x"), "id", "p", Duration::from_millis(800)).await;
    assert!(result.is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(bus.ping().await.is_err());
    Ok(())
}

#[tokio::test]
async fn the_client_recovers_after_the_server_comes_back() -> anyhow::Result<()> {
    let (mut server, bus) = ingest_with_webhook_stream().await?;
    server.restart().await.map_err(anyhow::Error::msg)?;
    // The client reconnects in the background; the file store kept the stream.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let outcome = loop {
        match crate::publish_webhook(
            &bus,
            ("1", "after_restart"),
            "id-after-restart",
            "p",
            Duration::from_millis(500),
        )
        .await
        {
            Ok(outcome) => break outcome,
            Err(error) if std::time::Instant::now() > deadline => return Err(error.into()),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    assert!(!outcome.duplicate);
    bus.ping().await?;
    Ok(())
}

#[tokio::test]
async fn the_webhook_stream_keeps_raw_webhooks_only_for_the_configured_retention()
-> anyhow::Result<()> {
    let server = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    // A stream made by an older version, which kept webhooks 14 days.
    let old = bus::Bus::connect(
        &runtime::NatsSettings {
            webhook_retention_secs: 14 * 24 * 3600,
            ..server.settings()
        },
        Identity::Provision,
    )
    .await?;
    old.ensure_streams().await?;
    let max_age = |bus: bus::Bus| async move {
        let mut stream = bus.jetstream().get_stream("OPTIX_WEBHOOKS").await?;
        anyhow::Ok(stream.info().await?.config.max_age)
    };
    assert_eq!(max_age(old).await?, Duration::from_secs(14 * 24 * 3600));
    // This version, with the default retention: the existing stream follows it.
    let bus = bus::Bus::connect(&server.settings(), Identity::Provision).await?;
    bus.ensure_streams().await?;
    assert_eq!(max_age(bus).await?, Duration::from_secs(24 * 3600));
    Ok(())
}

/// The webhook consumer lets as many messages wait unacknowledged as provision asks for, and
/// one an earlier release made with JetStream's default is brought to it when provision starts.
#[tokio::test]
async fn the_webhook_consumer_lets_what_provision_asks_be_in_flight_even_when_made_before()
-> anyhow::Result<()> {
    let (_server, provision) = server_and_bus(Identity::Provision).await?;
    provision.ensure_streams().await?;
    let stream = provision
        .jetstream()
        .get_stream(provision.webhook_stream())
        .await?;
    // As releases before this one made it: JetStream's default limit.
    let earlier = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            durable_name: Some("provision".into()),
            ack_policy: async_nats::jetstream::consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_deliver: -1,
            ..Default::default()
        })
        .await?;
    const IN_FLIGHT: i64 = 2_000;
    assert_ne!(earlier.cached_info().config.max_ack_pending, IN_FLIGHT);
    for _ in 0..2 {
        let mut consumer = provision.webhook_consumer("provision", IN_FLIGHT).await?;
        assert_eq!(consumer.info().await?.config.max_ack_pending, IN_FLIGHT);
    }
    Ok(())
}

/// What the relay relies on to keep many publishes in flight (`provision::relay`): sent
/// together, each expecting the sequence of the one before it, messages are stored in the
/// order sent; once one is missing (lost on the way, here an expectation that cannot hold),
/// every one after it is refused instead of stored ahead of it.
#[tokio::test]
async fn publishes_in_flight_each_expecting_the_one_before_are_stored_in_order_or_refused()
-> anyhow::Result<()> {
    let (server, provision) = server_and_bus(Identity::Provision).await?;
    provision.ensure_streams().await?;
    let subject = || "lanyard.events.member.5".to_owned();
    let wait = Duration::from_secs(2);
    let send = |id: &'static str, expected: Option<u64>| {
        provision.send_durable(subject(), id, &[], id.as_bytes().to_vec().into(), expected)
    };

    let first = send("a", None).await?.acknowledged(wait).await?;
    assert!(!first.duplicate);
    let s = first.sequence;
    let b = send("b", Some(s)).await?;
    let c = send("c", Some(s + 1)).await?;
    let (b, c) = (b.acknowledged(wait).await?, c.acknowledged(wait).await?);
    assert_eq!(
        (b.sequence, c.sequence),
        (s + 1, s + 2),
        "stored in the order sent"
    );

    // "d" expects a message that never arrived; "e", sent behind it, is refused too.
    let d = send("d", Some(s + 5)).await?;
    let e = send("e", Some(s + 6)).await?;
    let refused = d.acknowledged(wait).await.expect_err("d refused");
    assert!(refused.to_string().contains("sequence"), "{refused}");
    e.acknowledged(wait).await.expect_err("e refused");

    // Refused means not stored: sent again they are new, in order, after "c".
    let d = send("d", None).await?.acknowledged(wait).await?;
    let e = send("e", Some(d.sequence))
        .await?
        .acknowledged(wait)
        .await?;
    assert_eq!((d.sequence, e.sequence), (s + 3, s + 4));
    assert!(!d.duplicate && !e.duplicate);
    // A message stored before is a duplicate whose ack names where it was stored.
    let again = send("a", None).await?.acknowledged(wait).await?;
    assert!(again.duplicate);
    assert_eq!(again.sequence, s);

    // Read as ops does (provision publishes events, never reads them).
    let ops = server
        .bus_as(Identity::Ops)
        .await
        .map_err(anyhow::Error::msg)?;
    let mut stream = ops.jetstream().get_stream(bus::EVENTS_STREAM).await?;
    let mut stored = Vec::new();
    for sequence in s..=s + 4 {
        let message = stream.get_raw_message(sequence).await?;
        stored.push(String::from_utf8(message.payload.to_vec())?);
    }
    assert_eq!(stored, ["a", "b", "c", "d", "e"]);
    assert_eq!(stream.info().await?.state.messages, 5);
    Ok(())
}

/// A consumer that acts on some event types is delivered those only (the type is the
/// subject's last token) and whatever was published before types were in the subjects; an
/// existing consumer asked for other filters (a release acting on other types) has them
/// changed in place and goes on from where it was.
#[tokio::test]
async fn an_events_consumer_is_delivered_the_types_it_names_and_keeps_its_place()
-> anyhow::Result<()> {
    let (server, provision) = server_and_bus(Identity::Provision).await?;
    provision.ensure_streams().await?;
    let radius = server
        .bus_as(Identity::Radius)
        .await
        .map_err(anyhow::Error::msg)?;
    let since = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let publish = |subject: String, id: &'static str| {
        provision.publish_durable(
            subject,
            id,
            &[],
            id.as_bytes().to_vec().into(),
            Duration::from_secs(2),
        )
    };
    // Before the upgrade: every member event, on `lanyard.events.member.<org>`.
    let legacy = || "lanyard.events.member.6267".to_owned();
    let before = radius
        .events_consumer(
            bus::DISCONNECT_CONSUMER,
            &[bus::MEMBER_EVENT_SUBJECTS.into()],
            since,
        )
        .await?;
    publish(legacy(), "read-before").await?;
    assert_eq!(pull_all(&before).await?, ["read-before"]);
    publish(legacy(), "left-before").await?;
    for (category, org, event_type, id) in [
        ("member", "6267", "AccessGranted", "granted"),
        ("member", "6267", "AccountSuspended", "suspended"),
        ("org", "6267", "AccountSuspended", "another-category"),
        ("member", "6268", "AccountDeleted", "deleted"),
    ] {
        publish(bus::event_subject(category, org, event_type), id).await?;
    }

    // Opened twice: changed by the first, left as it is by the second.
    let filters = bus::event_type_filters("member", &["AccountSuspended", "AccountDeleted"]);
    radius
        .events_consumer(bus::DISCONNECT_CONSUMER, &filters, since)
        .await?;
    let mut after = radius
        .events_consumer(bus::DISCONNECT_CONSUMER, &filters, since)
        .await?;
    let config = after.info().await?.config.clone();
    assert_eq!(config.filter_subjects, filters);
    assert!(config.filter_subject.is_empty());
    assert_eq!(
        pull_all(&after).await?,
        ["left-before", "suspended", "deleted"]
    );
    Ok(())
}

/// The payloads `consumer` is delivered within half a second, each acknowledged.
async fn pull_all(
    consumer: &async_nats::jetstream::consumer::PullConsumer,
) -> anyhow::Result<Vec<String>> {
    let mut messages = consumer
        .fetch()
        .max_messages(100)
        .expires(Duration::from_millis(500))
        .messages()
        .await?;
    let mut payloads = Vec::new();
    while let Some(message) = messages.next().await {
        let message = message.map_err(anyhow::Error::msg)?;
        payloads.push(String::from_utf8(message.payload.to_vec())?);
        message.double_ack().await.map_err(anyhow::Error::msg)?;
    }
    Ok(payloads)
}

/// nats-server runs with the GOMAXPROCS the harness gives it (`bus::testing::nats_gomaxprocs`):
/// the bench's figures depend on it.
#[tokio::test]
async fn the_test_server_runs_with_the_harness_gomaxprocs() -> anyhow::Result<()> {
    let server = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let environ = std::fs::read(format!("/proc/{}/environ", server.pid()))?;
    let expected = format!(
        "GOMAXPROCS={}",
        bus::testing::nats_gomaxprocs().map_err(anyhow::Error::msg)?
    );
    let given: Vec<&[u8]> = environ
        .split(|&byte| byte == 0)
        .filter(|entry| entry.starts_with(b"GOMAXPROCS="))
        .collect();
    assert_eq!(given, [expected.as_bytes()]);
    Ok(())
}
