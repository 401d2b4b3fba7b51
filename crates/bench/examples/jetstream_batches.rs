//! What a JetStream publish costs nats-server one by one and in nats-server's batches (ADR-50),
//! at ingest's concurrency: 64 publishers over two connections (ingest's two actix workers),
//! each waiting for its message to be stored, as a webhook's 2xx waits for its ack.
//!
//! ```sh
//! cargo run --release -p bench --example jetstream_batches -- MODE [MESSAGES] [MAX_BATCH]
//! ```
//!
//! MODE:
//! - `single`: each message published with its own ack (what ingest does);
//! - `atomic`: each connection's waiting messages go as one atomic batch (`Nats-Batch-Id`, the
//!   first as a request, the last with `Nats-Batch-Commit: 1`), answered when it commits;
//! - `fast`: the same groups as fast-ingest batches (the reply subject's `$FI` form: start,
//!   append, commit and store), answered at the batch's pub ack;
//! - `fast-stream`: one fast-ingest batch per connection for the whole run, every message
//!   acknowledged (flow 1). A flow above 1 acknowledges only every n-th message, so the last
//!   webhooks of a quiet moment would wait for later ones: not a way to answer a webhook.
//!
//! `HEADERS` (environment) says what each message carries besides its body:
//! - `contract` (the default): the two headers ingest published from 2026-12-04 until the
//!   delivery frame (2026-12-05), `Lanyard-Delivery-Id` and `Lanyard-Body-Format`
//!   (`bus::webhooks`);
//! - `dedup`: the delivery id as JetStream's `Nats-Msg-Id` and a received-at stamp, as ingest
//!   published before 2026-12-04 (what session 37 measured);
//! - `none`: no headers at all (a plain `PUB`), as ingest publishes since the frame.
//!
//! Spawns its own nats-server (JetStream, a temporary store, no authorization) and prints the
//! rate and nats-server's and this process's CPU time per message, from `/proc`.

use anyhow::{Context, bail};
use async_nats::{HeaderMap, jetstream};
use futures::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

// The ingest scenario's reading of a process's CPU time (one source for both).
#[path = "../src/proc_stat.rs"]
mod proc_stat;

/// A process's CPU time so far, in seconds.
fn cpu_of(pid: u32) -> anyhow::Result<f64> {
    proc_stat::cpu_seconds(&format!("/proc/{pid}/stat"))
}

const PUBLISHERS: usize = 64;
const CONNECTIONS: usize = 2;

/// A message waiting for its batch, and where to say whether it was stored.
type Waiting = (Published, oneshot::Sender<bool>);

struct Published {
    subject: String,
    headers: HeaderMap,
    payload: bytes::Bytes,
}

/// What each message carries besides its body (`HEADERS`, see the module's doc).
#[derive(Clone, Copy, PartialEq)]
enum Headers {
    Contract,
    Dedup,
    None,
}

impl Headers {
    fn from_env() -> anyhow::Result<Headers> {
        match std::env::var("HEADERS").as_deref() {
            Err(_) | Ok("contract") => Ok(Headers::Contract),
            Ok("dedup") => Ok(Headers::Dedup),
            Ok("none") => Ok(Headers::None),
            Ok(other) => bail!("HEADERS is contract, dedup or none (got {other})"),
        }
    }
}

/// A webhook-like message: a unique delivery id of a delivery id's length (64 hex digits, a
/// dot, 16), the headers `kind` says, a sealed body's size.
fn published(i: usize, kind: Headers) -> Published {
    let mut headers = HeaderMap::new();
    let id = format!(
        "{:064x}.{i:016x}",
        (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    match kind {
        Headers::Contract => {
            headers.insert(bus::webhooks::DELIVERY_ID, id.as_str());
            headers.insert(bus::webhooks::BODY_FORMAT, "form");
        }
        Headers::Dedup => {
            headers.insert(bus::webhooks::MSG_ID, id.as_str());
            headers.insert(bus::webhooks::RECEIVED_AT, "2026-12-03T11:00:00.123456Z");
        }
        Headers::None => {}
    }
    Published {
        subject: format!("bench.org{}.user_updated", i % 7),
        headers,
        payload: bytes::Bytes::from(vec![b'x'; 640]),
    }
}

fn is_error(payload: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(payload)
        .map(|v| v.get("error").is_some())
        .unwrap_or(true)
}

/// Publishes `message`, asking for an answer at `reply` when there is one.
async fn send(
    client: &async_nats::Client,
    message: Published,
    reply: Option<String>,
) -> anyhow::Result<()> {
    match reply {
        Some(reply) => {
            client
                .publish_with_reply_and_headers(
                    message.subject,
                    reply,
                    message.headers,
                    message.payload,
                )
                .await?
        }
        None => {
            client
                .publish_with_headers(message.subject, message.headers, message.payload)
                .await?
        }
    }
    Ok(())
}

/// Takes the first waiting message and whatever else is waiting, up to `max`.
async fn next_group(queue: &mut mpsc::Receiver<Waiting>, max: usize) -> Option<Vec<Waiting>> {
    let first = queue.recv().await?;
    let mut group = vec![first];
    while group.len() < max {
        match queue.try_recv() {
            Ok(more) => group.push(more),
            Err(_) => break,
        }
    }
    Some(group)
}

/// One connection's batches, one at a time: the waiting messages as one batch, each answered
/// when the batch's last reply comes.
async fn group_commit(
    client: async_nats::Client,
    mut queue: mpsc::Receiver<Waiting>,
    max: usize,
    fast: bool,
) -> anyhow::Result<()> {
    let inbox = client.new_inbox();
    let mut replies = client.subscribe(format!("{inbox}.>")).await?;
    let nuid = inbox.trim_start_matches("_INBOX.").to_owned();
    let mut batches = 0u64;
    while let Some(group) = next_group(&mut queue, max).await {
        batches += 1;
        let batch_id = format!("b{batches}x{nuid}");
        let len = group.len();
        let mut answers = Vec::with_capacity(len);
        let mut stored = true;
        for (index, (mut message, answer)) in group.into_iter().enumerate() {
            let (first, last) = (index == 0, index + 1 == len);
            answers.push(answer);
            let reply = if len == 1 {
                Some(format!("{inbox}.one{batches}"))
            } else if fast {
                let operation = match (first, last) {
                    (true, _) => 0,
                    (_, true) => 2,
                    _ => 1,
                };
                let sequence = index + 1;
                Some(format!(
                    "{inbox}.{batch_id}.{len}.fail.{sequence}.{operation}.$FI"
                ))
            } else {
                message.headers.insert("Nats-Batch-Id", batch_id.as_str());
                let sequence = (index + 1).to_string();
                message
                    .headers
                    .insert("Nats-Batch-Sequence", sequence.as_str());
                if last {
                    message.headers.insert("Nats-Batch-Commit", "1");
                }
                (first || last).then(|| format!("{inbox}.{batch_id}.{index}"))
            };
            send(&client, message, reply).await?;
            if fast && first && len > 1 {
                // A fast batch's client must wait for the server's first flow answer.
                let start = replies.next().await.context("replies ended")?;
                stored &= !is_error(&start.payload);
            }
        }
        // The pub ack ends it: for an atomic batch after the first message's empty reply, for
        // a fast one after any flow answers.
        let mut outstanding = if len > 1 && !fast { 2 } else { 1 };
        while outstanding > 0 {
            let reply = replies.next().await.context("replies ended")?;
            let text = String::from_utf8_lossy(&reply.payload);
            if is_error(&reply.payload) && !reply.payload.is_empty() {
                eprintln!("batch refused: {text}");
                stored = false;
                break;
            }
            if !(fast && text.contains("\"type\"")) {
                outstanding -= 1;
            }
        }
        for answer in answers {
            let _ = answer.send(stored);
        }
    }
    Ok(())
}

/// One fast-ingest batch for the whole run, every message acknowledged (flow 1).
async fn fast_stream(
    client: async_nats::Client,
    mut queue: mpsc::Receiver<Waiting>,
) -> anyhow::Result<()> {
    let inbox = client.new_inbox();
    let mut replies = client.subscribe(format!("{inbox}.>")).await?;
    let batch_id = format!("s{}", inbox.trim_start_matches("_INBOX."));
    let mut sequence = 0u64;
    let mut unanswered = std::collections::VecDeque::new();
    loop {
        tokio::select! {
            waiting = queue.recv() => {
                let Some((message, answer)) = waiting else { return Ok(()) };
                sequence += 1;
                let operation = if sequence == 1 { 0 } else { 1 };
                let reply = format!("{inbox}.{batch_id}.1.fail.{sequence}.{operation}.$FI");
                send(&client, message, Some(reply)).await?;
                unanswered.push_back((sequence, answer));
            }
            reply = replies.next() => {
                let reply = reply.context("replies ended")?;
                let ack: serde_json::Value = serde_json::from_slice(&reply.payload)?;
                if ack.get("type").and_then(|t| t.as_str()) != Some("ack") {
                    bail!("fast batch: {ack}");
                }
                let through = ack.get("seq").and_then(|s| s.as_u64()).unwrap_or(0);
                while unanswered.front().is_some_and(|(s, _)| *s <= through) {
                    if let Some((_, answer)) = unanswered.pop_front() {
                        let _ = answer.send(true);
                    }
                }
            }
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("single")
        .to_owned();
    let total: usize = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(40_000);
    let max: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(64);
    if !["single", "atomic", "fast", "fast-stream"].contains(&mode.as_str()) {
        bail!("MODE is single, atomic, fast or fast-stream (got {mode})");
    }
    let store = std::env::temp_dir().join(format!("jetstream-batches-{}", std::process::id()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server =
        std::process::Command::new(bus::testing::nats_server_binary().map_err(anyhow::Error::msg)?)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
    let result = run(&mode, total, max, port, server.id(), Headers::from_env()?).await;
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&store);
    result
}

async fn run(
    mode: &str,
    total: usize,
    max: usize,
    port: u16,
    server_pid: u32,
    headers: Headers,
) -> anyhow::Result<()> {
    let url = format!("nats://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let admin = loop {
        match async_nats::connect(&url).await {
            Ok(client) => break client,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => return Err(e).context("nats-server did not start"),
        }
    };
    let js = jetstream::new(admin);
    js.create_stream(jetstream::stream::Config {
        name: "BENCH".into(),
        subjects: vec!["bench.>".into()],
        allow_atomic_publish: true,
        allow_batch_publish: true,
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    })
    .await?;
    let next = Arc::new(AtomicUsize::new(0));
    let mut connections = Vec::new();
    for _ in 0..CONNECTIONS {
        connections.push(async_nats::connect(&url).await?);
    }
    let mut queues = Vec::new();
    if mode != "single" {
        for client in &connections {
            let (queue, waiting) = mpsc::channel::<Waiting>(PUBLISHERS);
            let client = client.clone();
            let mode = mode.to_owned();
            tokio::spawn(async move {
                let ended = match mode.as_str() {
                    "fast-stream" => fast_stream(client, waiting).await,
                    fast_or_atomic => {
                        group_commit(client, waiting, max, fast_or_atomic == "fast").await
                    }
                };
                if let Err(e) = ended {
                    eprintln!("publisher ended: {e:#}");
                }
            });
            queues.push(queue);
        }
    }
    let (server_before, own_before) = (cpu_of(server_pid)?, cpu_of(std::process::id())?);
    let started = Instant::now();
    let mut publishers = Vec::new();
    for p in 0..PUBLISHERS {
        let js = jetstream::new(connections[p % CONNECTIONS].clone());
        let queue = queues.get(p % CONNECTIONS.max(1)).cloned();
        let next = next.clone();
        publishers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), anyhow::Error>(());
                }
                let message = published(i, headers);
                let stored = match &queue {
                    // A plain `PUB` when there is no header, as the client sends it.
                    None if headers == Headers::None => js
                        .publish(message.subject, message.payload)
                        .await?
                        .await
                        .is_ok(),
                    None => js
                        .publish_with_headers(message.subject, message.headers, message.payload)
                        .await?
                        .await
                        .is_ok(),
                    Some(queue) => {
                        let (answer, stored) = oneshot::channel();
                        queue
                            .send((message, answer))
                            .await
                            .ok()
                            .context("publisher gone")?;
                        stored.await.unwrap_or(false)
                    }
                };
                if !stored {
                    bail!("message {i} not stored");
                }
            }
        }));
    }
    for publisher in publishers {
        publisher.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let server_seconds = cpu_of(server_pid)? - server_before;
    let own_seconds = cpu_of(std::process::id())? - own_before;
    let stored = js.get_stream("BENCH").await?.info().await?.state.messages;
    println!(
        "{mode} (batches up to {max}, headers: {}): {:.0} messages/s, nats-server {:.1} µs a message, this process {:.1} µs a message, {stored} stored",
        match headers {
            Headers::Contract => "contract",
            Headers::Dedup => "dedup",
            Headers::None => "none",
        },
        total as f64 / seconds,
        1e6 * server_seconds / total as f64,
        1e6 * own_seconds / total as f64,
    );
    Ok(())
}
