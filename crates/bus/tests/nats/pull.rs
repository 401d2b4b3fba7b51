//! `Bus::pull`, the continuous pull every consumer of Lanyard's streams reads through, against
//! a real nats-server.

use bus::auth::Identity;
use bus::testing::NatsServer;
use futures::StreamExt;
use std::collections::HashSet;
use std::time::Duration;

/// Provision's connection and ingest's, with the streams made.
async fn provision_and_ingest() -> anyhow::Result<(NatsServer, bus::Bus, bus::Bus)> {
    let (server, provision) = crate::jetstream::server_and_bus(Identity::Provision).await?;
    let ingest = server
        .bus_as(Identity::Ingest)
        .await
        .map_err(anyhow::Error::msg)?;
    provision.ensure_streams().await?;
    Ok((server, provision, ingest))
}

async fn publish(ingest: &bus::Bus, ids: std::ops::Range<usize>) -> anyhow::Result<()> {
    for id in ids {
        ingest
            .publish_durable(
                bus::webhook_subject("6267", "user_updated"),
                &format!("id-{id}"),
                &[],
                format!("{id}").into(),
                Duration::from_secs(2),
            )
            .await?;
    }
    Ok(())
}

/// The next message of `pull`, failing the test past `within`.
async fn next(
    pull: &mut bus::Pull,
    within: Duration,
) -> anyhow::Result<async_nats::jetstream::Message> {
    match tokio::time::timeout(within, pull.next()).await {
        Ok(Some(Ok(message))) => Ok(message),
        Ok(Some(Err(error))) => anyhow::bail!("the pull failed: {error}"),
        Ok(None) => anyhow::bail!("the pull ended"),
        Err(_) => anyhow::bail!("nothing within {within:?}"),
    }
}

/// Through a consumer that lets 50 be unacknowledged, 1,000 messages take at least 20 requests
/// of 50, each counted by the pull and each held by the server until acks make room (as under
/// provision's backlog); a miscount would leave the pull waiting for messages nobody owes it
/// (no heartbeat, an error after 4 s).
#[tokio::test]
async fn a_pull_delivers_every_message_through_many_requests_then_ends_with_its_consumer()
-> anyhow::Result<()> {
    let (server, provision, ingest) = provision_and_ingest().await?;
    const MESSAGES: usize = 1_000;
    publish(&ingest, 0..MESSAGES).await?;
    let consumer = provision.webhook_consumer("provision", 50).await?;
    let mut pull = provision.pull(&consumer).await?;
    let mut received = HashSet::new();
    while received.len() < MESSAGES {
        let message = next(&mut pull, Duration::from_secs(5)).await?;
        received.insert(String::from_utf8(message.payload.to_vec())?);
        message.ack().await.map_err(anyhow::Error::msg)?;
    }
    assert_eq!(received.len(), MESSAGES, "each once");

    // Gone, the consumer's pull ends with why, at once rather than after a missed heartbeat.
    let ops = server
        .bus_as(Identity::Ops)
        .await
        .map_err(anyhow::Error::msg)?;
    ops.jetstream()
        .get_stream(provision.webhook_stream())
        .await?
        .delete_consumer("provision")
        .await?;
    let ended = tokio::time::timeout(Duration::from_secs(3), pull.next()).await?;
    let error = ended
        .expect("an error before the end")
        .expect_err("not a message");
    assert!(error.to_string().contains("Consumer Deleted"), "{error}");
    assert!(pull.next().await.is_none(), "nothing after the error");
    Ok(())
}

/// Idle for longer than twice the heartbeat, a pull stays trusted (the server's heartbeats
/// keep it) and delivers what is published afterwards.
#[tokio::test]
async fn an_idle_pull_lives_on_heartbeats_and_delivers_what_comes_later() -> anyhow::Result<()> {
    let (_server, provision, ingest) = provision_and_ingest().await?;
    let consumer = provision.webhook_consumer("provision", 2_000).await?;
    let mut pull = provision.pull(&consumer).await?;
    let idle = 2 * bus::PULL_HEARTBEAT + Duration::from_secs(1);
    assert!(
        tokio::time::timeout(idle, pull.next()).await.is_err(),
        "neither a message nor an error while nothing is published"
    );
    publish(&ingest, 0..1).await?;
    let message = next(&mut pull, Duration::from_secs(2)).await?;
    assert_eq!(message.payload.as_ref(), b"0");
    Ok(())
}

/// A restarted server holds none of the requests it was asked before; back from the
/// reconnection, the pull asks again at once, so what is published then arrives (without it,
/// the pull would wait for nothing until its missed heartbeat ended it with an error).
#[tokio::test]
async fn a_pull_asks_again_once_its_connection_is_back() -> anyhow::Result<()> {
    let (mut server, provision, ingest) = provision_and_ingest().await?;
    let consumer = provision.webhook_consumer("provision", 2_000).await?;
    let mut pull = provision.pull(&consumer).await?;
    // Polled, the pull has its request at the server (nothing to deliver yet).
    let waiting = tokio::time::timeout(Duration::from_millis(500), pull.next()).await;
    assert!(waiting.is_err(), "nothing published yet");
    server.restart().await.map_err(anyhow::Error::msg)?;
    // Ingest reconnects in the background too: its publish is retried until it is back.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Err(error) = publish(&ingest, 0..1).await {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "ingest did not reconnect: {error}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let message = next(&mut pull, Duration::from_secs(10)).await?;
    assert_eq!(message.payload.as_ref(), b"0");
    Ok(())
}
