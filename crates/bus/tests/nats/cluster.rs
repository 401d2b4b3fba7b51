//! The bus on a real 3-node JetStream cluster: streams with three replicas, and clients that
//! reconnect and resume while nodes die.

use anyhow::Context;
use bus::auth::Identity;
use bus::testing::NatsCluster;
use futures::StreamExt;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const STREAMS: [&str; 3] = [
    "OPTIX_WEBHOOKS",
    bus::EVENTS_STREAM,
    "KV_LANYARD_INSTALLATIONS",
];

async fn stream_info(
    bus: &bus::Bus,
    name: &str,
) -> anyhow::Result<async_nats::jetstream::stream::Info> {
    let mut stream = bus.jetstream().get_stream(name).await?;
    Ok(stream.info().await?.clone())
}

/// `attempt` until it succeeds, for at most `seconds` (a cluster electing a leader answers
/// errors for a moment).
async fn retrying<T, F, Fut>(seconds: u64, mut attempt: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if Instant::now() > deadline => return Err(error),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_and_the_bucket_get_the_configured_replicas_even_when_made_with_one()
-> anyhow::Result<()> {
    let cluster = NatsCluster::start().await.map_err(anyhow::Error::msg)?;
    // An older deployment made everything with one replica.
    let old = bus::Bus::connect(&cluster.settings(1), Identity::Provision).await?;
    old.ensure_streams().await?;
    for name in STREAMS {
        assert_eq!(
            stream_info(&old, name).await?.config.num_replicas,
            1,
            "{name}"
        );
    }
    // This one is configured for three: starting moves every stream, no manual step.
    let provision = bus::Bus::connect(&cluster.settings(3), Identity::Provision).await?;
    provision.ensure_streams().await?;
    let ingest = bus::Bus::connect(&cluster.settings(3), Identity::Ingest).await?;
    ingest.ensure_webhook_stream().await?;
    for name in STREAMS {
        let info = retrying(20, || async {
            let info = stream_info(&provision, name).await?;
            let replicas = info.cluster.as_ref().map_or(0, |c| c.replicas.len());
            anyhow::ensure!(replicas == 2, "{name}: {replicas} followers so far");
            Ok(info)
        })
        .await?;
        assert_eq!(info.config.num_replicas, 3, "{name}");
    }
    // Nothing else was changed on the way (the retention stays the configured one).
    assert_eq!(
        stream_info(&provision, "OPTIX_WEBHOOKS")
            .await?
            .config
            .max_age,
        Duration::from_secs(24 * 3600)
    );
    let refused = bus::Bus::connect(&cluster.settings(7), Identity::Provision).await;
    assert!(matches!(refused, Err(bus::BusError::Replicas(7))));
    Ok(())
}

/// Publishes webhooks `ids` one by one, each retried under the same message id until
/// JetStream acknowledges it (30 s at most), as ingest's callers would.
async fn publish_all(
    ingest: &bus::Bus,
    ids: std::ops::Range<usize>,
    acked: &mut HashSet<String>,
) -> anyhow::Result<()> {
    for i in ids {
        let id = format!("webhook-{i}");
        retrying(30, || async {
            Ok(ingest
                .publish_durable(
                    bus::webhook_subject("6267", "new_member"),
                    &id,
                    &[],
                    format!("payload {i}").into(),
                    Duration::from_secs(2),
                )
                .await?)
        })
        .await
        .with_context(|| format!("publishing {id}"))?;
        acked.insert(id);
    }
    Ok(())
}

/// provision's way of consuming: the durable pull consumer, pulled again whenever the pull
/// ends or fails; records each message id received and acks it.
async fn consume(provision: bus::Bus, received: Arc<Mutex<HashSet<String>>>) {
    loop {
        let messages = match provision.webhook_consumer("failover", 2_000).await {
            Ok(consumer) => consumer.messages().await.ok(),
            Err(_) => None,
        };
        if let Some(mut messages) = messages {
            while let Some(Ok(message)) = messages.next().await {
                if let Some(id) = message.headers.as_ref().and_then(|h| h.get("Nats-Msg-Id")) {
                    received
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(id.to_string());
                }
                // A lost ack is a redelivery, which the set absorbs.
                let _ = message.ack().await;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_the_connected_node_and_the_stream_leader_die()
-> anyhow::Result<()> {
    let mut cluster = NatsCluster::start().await.map_err(anyhow::Error::msg)?;
    let provision = bus::Bus::connect(&cluster.settings(3), Identity::Provision).await?;
    provision.ensure_streams().await?;
    let ingest = bus::Bus::connect(&cluster.settings(3), Identity::Ingest).await?;
    let received = Arc::new(Mutex::new(HashSet::new()));
    let consumer = tokio::spawn(consume(provision.clone(), received.clone()));
    let mut acked = HashSet::new();
    publish_all(&ingest, 0..40, &mut acked).await?;

    // kill -9 the node ingest is connected to; it reconnects to another.
    let connected = cluster
        .node_of_port(ingest.client().server_info().port)
        .context("ingest's server is one of the cluster's")?;
    cluster.kill(connected);
    publish_all(&ingest, 40..80, &mut acked).await?;
    cluster
        .restart(connected)
        .await
        .map_err(anyhow::Error::msg)?;

    // kill -9 the webhook stream's leader (after the restarted node caught up).
    let leader = retrying(20, || async {
        let info = stream_info(&provision, "OPTIX_WEBHOOKS").await?;
        let cluster_info = info.cluster.context("no cluster information")?;
        anyhow::ensure!(
            cluster_info.replicas.iter().all(|r| r.current),
            "a replica is catching up"
        );
        cluster_info.leader.context("no leader yet")
    })
    .await?;
    let leader = cluster
        .node_named(&leader)
        .context("the leader is a node")?;
    cluster.kill(leader);
    publish_all(&ingest, 80..120, &mut acked).await?;
    cluster.restart(leader).await.map_err(anyhow::Error::msg)?;
    publish_all(&ingest, 120..160, &mut acked).await?;

    // Every acknowledged webhook reaches the consumer, which resumed after both deaths.
    let missing = retrying(60, || async {
        let received = received.lock().unwrap_or_else(|p| p.into_inner());
        let missing: Vec<&String> = acked.difference(&received).collect();
        anyhow::ensure!(missing.is_empty(), "{} not received yet", missing.len());
        Ok(())
    })
    .await;
    consumer.abort();
    if let Err(error) = missing {
        anyhow::bail!("{error}; nats logs:\n{}", cluster.logs());
    }
    assert_eq!(acked.len(), 160);
    let info = stream_info(&provision, "OPTIX_WEBHOOKS").await?;
    assert_eq!(info.state.messages, 160, "each webhook stored once");
    Ok(())
}
