//! RADIUS read path: Access-Requests per second and p50/p99 through FreeRADIUS exactly as
//! deployed (deploy/freeradius), at 1,000, 10,000 and 100,000 members, beside the same
//! FreeRADIUS answering the same members from its `files` module (bench/radius/files-ceiling.conf)
//! in the same run; then revocation → Reject: from a suspension's commit to the first Reject.
//!
//! For each size a fresh FreeRADIUS is started after the members are written: the radius
//! service notices its empty memory (the sentinel probe) and has every answer fetched into it
//! (`radius::answer_cache`), which is timed; then the same requests are sent to it (answers
//! from memory), to a FreeRADIUS that keeps nothing (every request through Lanyard's HTTP
//! endpoint, as a miss is) and to the `files` ceiling.
//!
//! The members are written straight into the read models the endpoint reads (members with
//! sealed passphrases and wrapped keys, grants, devices, a NAS, a location): this measures the
//! read path, not provisioning. A revocation goes the production way: the suspension is an
//! event appended with its projection in one transaction, which the relay publishes. The load
//! is closed loop from one UDP socket with `IN_FLIGHT` requests outstanding (MAC
//! authentication, as the access points send it).

use crate::stats::{Row, ms, quantile};
use bus::testing::ports::free_udp_port;
use integration_tests::Stack;
use integration_tests::radius::FreeRadius;
use integration_tests::seed::SeededMember;
use integration_tests::stack::RADIUS_TOKEN;
use serde::Serialize;
use std::net::UdpSocket;
use std::time::{Duration, Instant};

const ORG: &str = "bench";
const LOCATION: &str = "bench-location";
const NAS_SECRET: &str = "bench-nas-secret-0123456789";
const IN_FLIGHT: usize = 32;
/// The longest a fresh FreeRADIUS may take to get every answer (100,000 members).
const FILL_DEADLINE: Duration = Duration::from_secs(600);

/// One path's figures.
#[derive(Serialize)]
pub struct PathFigures {
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub lost: usize,
}

impl PathFigures {
    fn of(load: &Load) -> PathFigures {
        PathFigures {
            per_sec: load.per_sec(),
            p50_ms: ms(quantile(&mut load.latencies.clone(), 0.5)),
            p99_ms: ms(quantile(&mut load.latencies.clone(), 0.99)),
            lost: load.lost,
        }
    }
}

#[derive(Serialize)]
pub struct SizeFigures {
    pub members: usize,
    pub requests: usize,
    /// Time for a fresh FreeRADIUS to get every member's answer into memory.
    pub fill_secs: f64,
    /// Answers from FreeRADIUS's memory: what the access points get.
    pub memory: PathFigures,
    /// Every request through Lanyard's endpoint (a FreeRADIUS that keeps nothing).
    pub http: PathFigures,
    pub files: PathFigures,
}

#[derive(Serialize)]
pub struct RadiusFigures {
    pub in_flight: usize,
    pub sizes: Vec<SizeFigures>,
    pub revocations: usize,
    pub revocation_p50_ms: f64,
    pub revocation_p99_ms: f64,
}

impl RadiusFigures {
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for size in &self.sizes {
            let (memory, http, files) = (&size.memory, &size.http, &size.files);
            rows.push(Row {
                what: format!(
                    "RADIUS Access-Requests, {} members ({} in flight)",
                    size.members, self.in_flight
                ),
                figure: format!(
                    "{:.0}/s ({:.0} % of files), p50 {:.2} ms, p99 {:.2} ms, {} lost; \
                     filled in {:.1} s; through HTTP {:.0}/s, p99 {:.2} ms",
                    memory.per_sec,
                    100.0 * memory.per_sec / files.per_sec.max(1.0),
                    memory.p50_ms,
                    memory.p99_ms,
                    memory.lost,
                    size.fill_secs,
                    http.per_sec,
                    http.p99_ms
                ),
                ceiling: format!(
                    "files {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
                    files.per_sec, files.p50_ms, files.p99_ms
                ),
                target: "≥ 50 % of files, p99 < 5 ms".into(),
                met: Some(memory.per_sec >= 0.5 * files.per_sec && memory.p99_ms < 5.0),
            });
        }
        rows.push(Row {
            what: format!("revocation → Reject ({} members)", self.revocations),
            figure: format!(
                "p50 {:.1} ms, p99 {:.1} ms",
                self.revocation_p50_ms, self.revocation_p99_ms
            ),
            ceiling: "-".into(),
            target: "p99 < 1 s".into(),
            met: Some(self.revocation_p99_ms < 1000.0),
        });
        rows
    }
}

pub async fn run(smoke: bool) -> anyhow::Result<RadiusFigures> {
    let sizes: &[usize] = if smoke {
        &[50]
    } else {
        &[1_000, 10_000, 100_000]
    };
    let requests = if smoke { 200 } else { 20_000 };
    let stack = Stack::start().await?;
    let mut figures = Vec::new();
    let mut seeded = 0;
    let mut filled: Option<FreeRadius> = None;
    for &members in sizes {
        let macs = seed(&stack, seeded, members).await?;
        seeded = members;
        if let Some(mut previous) = filled.take() {
            previous.stop().await?;
        }
        let (freeradius, fill) = fresh_and_filled(&stack, members).await?;
        let unfilled = FreeRadius::start(&stack.radius_url, RADIUS_TOKEN, free_udp_port()?).await?;
        let ceiling = FreeRadius::start_files_ceiling(&users_file(&macs), NAS_SECRET).await?;
        // Warm all three (connection pools, FreeRADIUS's dynamic client), then measure each.
        for addr in [
            &freeradius.auth_addr,
            &unfilled.auth_addr,
            &ceiling.auth_addr,
        ] {
            load(addr, &macs, 500).await?;
        }
        let memory = load(&freeradius.auth_addr, &macs, requests).await?;
        let http = load(&unfilled.auth_addr, &macs, requests).await?;
        let files = load(&ceiling.auth_addr, &macs, requests).await?;
        for (path, measured) in [("memory", &memory), ("http", &http), ("files", &files)] {
            anyhow::ensure!(
                measured.accepts + measured.lost == requests,
                "every {path} request must be accepted: {measured:?}"
            );
        }
        figures.push(SizeFigures {
            members,
            requests,
            fill_secs: fill.as_secs_f64(),
            memory: PathFigures::of(&memory),
            http: PathFigures::of(&http),
            files: PathFigures::of(&files),
        });
        filled = Some(freeradius);
    }
    let freeradius = filled.ok_or_else(|| anyhow::anyhow!("no size measured"))?;
    let revocations = if smoke { 5 } else { 200 };
    let mut revocation = revoke(&stack, &freeradius.auth_addr, revocations).await?;
    Ok(RadiusFigures {
        in_flight: IN_FLIGHT,
        sizes: figures,
        revocations,
        revocation_p50_ms: ms(quantile(&mut revocation, 0.5)),
        revocation_p99_ms: ms(quantile(&mut revocation, 0.99)),
    })
}

/// A FreeRADIUS with an empty memory, once the radius service has had every one of the
/// `members` answers fetched into it; and how long that took from its start.
async fn fresh_and_filled(stack: &Stack, members: usize) -> anyhow::Result<(FreeRadius, Duration)> {
    let since = chrono::Utc::now();
    let started = Instant::now();
    let freeradius =
        FreeRadius::start(&stack.radius_url, RADIUS_TOKEN, stack.radius_fill_port).await?;
    let client = stack.pool.get().await?;
    loop {
        let row = client
            .query_one(
                "SELECT count(*) FROM radius_cached_answers WHERE org_id = $1 AND filled_at >= $2",
                &[&ORG, &since],
            )
            .await?;
        if usize::try_from(row.get::<_, i64>(0))? >= members {
            return Ok((freeradius, started.elapsed()));
        }
        anyhow::ensure!(
            started.elapsed() < FILL_DEADLINE,
            "{members} answers not all fetched into FreeRADIUS after {FILL_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn mac_of(index: usize) -> String {
    format!("02{:010x}", index)
}

/// Members `from..to` of the bench organization, each with a sealed passphrase, an open-ended
/// grant (VLAN 100) and one device; the first call also maps the location and registers the
/// NAS at 127.0.0.1. The MACs of all members so far.
async fn seed(stack: &Stack, from: usize, to: usize) -> anyhow::Result<Vec<String>> {
    let client = stack.pool.get().await?;
    if from == 0 {
        client
            .execute(
                "INSERT INTO locations (org_id, location_id, mapped, name, network_name, timezone,
                                        roaming, updated_at, last_position)
                 VALUES ($1, $2, true, 'Bench', 'bench', 'UTC', 'all_locations', now(), 0)",
                &[&ORG, &LOCATION],
            )
            .await?;
        let secret = secrets::seal_nas_secret(
            &stack.keys,
            ORG,
            "bench-nas",
            &domain::nas::SecretText::new(NAS_SECRET),
        );
        client
            .execute(
                "INSERT INTO radius_nas (org_id, nas_id, location_id, name, address, dialect, ssids,
                                         coa_port, secret_sealed, registered_at)
                 VALUES ($1, 'bench-nas', $2, 'Bench NAS', '127.0.0.1/32', 'hostapd', '{bench}',
                         3799, $3, now())",
                &[&ORG, &LOCATION, &serde_json::to_value(&secret)?],
            )
            .await?;
    }
    for chunk_start in (from..to).step_by(2000) {
        let chunk: Vec<usize> = (chunk_start..to.min(chunk_start + 2000)).collect();
        insert_members(&client, stack, &chunk).await?;
    }
    Ok((0..to).map(mac_of).collect())
}

async fn insert_members(
    client: &deadpool_postgres::Client,
    stack: &Stack,
    indexes: &[usize],
) -> anyhow::Result<()> {
    let members: Vec<SeededMember> = indexes
        .iter()
        .map(|&index| SeededMember {
            user_id: format!("u{index}"),
            passphrase: format!("bench-passphrase-{index:08}"),
            mac: Some(mac_of(index)),
        })
        .collect();
    integration_tests::seed::members(client, &stack.keys, ORG, &members, 100).await
}

/// The users file of the ceiling: the same answer Lanyard gives (hostapd dialect).
fn users_file(macs: &[String]) -> String {
    let mut users = String::with_capacity(macs.len() * 160);
    for (index, mac) in macs.iter().enumerate() {
        users.push_str(&format!(
            "{mac} Auth-Type := Accept\n\tTunnel-Password = \"bench-passphrase-{index:08}\",\n\t\
             Tunnel-Type = VLAN, Tunnel-Medium-Type = IEEE-802, Tunnel-Private-Group-Id = \"100\"\n\n"
        ));
    }
    users
}

#[derive(Debug)]
struct Load {
    accepts: usize,
    rejects: usize,
    lost: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

impl Load {
    fn per_sec(&self) -> f64 {
        (self.accepts + self.rejects) as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

async fn load(addr: &str, macs: &[String], count: usize) -> anyhow::Result<Load> {
    let addr = addr.to_owned();
    let macs = macs.to_vec();
    tokio::task::spawn_blocking(move || closed_loop(&addr, &macs, count)).await?
}

/// `count` Access-Requests with `IN_FLIGHT` outstanding; a request unanswered for 2 s is lost.
fn closed_loop(addr: &str, macs: &[String], count: usize) -> anyhow::Result<Load> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.connect(addr)?;
    socket.set_read_timeout(Some(Duration::from_millis(20)))?;
    let mut in_flight: [Option<Instant>; 256] = [None; 256];
    let mut free: Vec<u8> = (0..=255).collect();
    let (mut sent, mut outstanding) = (0, 0);
    let mut result = Load {
        accepts: 0,
        rejects: 0,
        lost: 0,
        wall: Duration::ZERO,
        latencies: Vec::with_capacity(count),
    };
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    while sent < count || outstanding > 0 {
        while sent < count && outstanding < IN_FLIGHT {
            let Some(id) = free.pop() else { break };
            socket.send(&access_request(id, &macs[(sent * 7919) % macs.len()]))?;
            in_flight[usize::from(id)] = Some(Instant::now());
            sent += 1;
            outstanding += 1;
        }
        if let Ok(length) = socket.recv(&mut buffer)
            && length >= 20
            && let Some(at) = in_flight[usize::from(buffer[1])].take()
        {
            result.latencies.push(at.elapsed());
            if buffer[0] == 2 {
                result.accepts += 1;
            } else {
                result.rejects += 1;
            }
            free.push(buffer[1]);
            outstanding -= 1;
        }
        for (id, slot) in in_flight.iter_mut().enumerate() {
            if slot.is_some_and(|at| at.elapsed() > Duration::from_secs(2)) {
                *slot = None;
                result.lost += 1;
                free.push(u8::try_from(id)?);
                outstanding -= 1;
            }
        }
    }
    result.wall = started.elapsed();
    Ok(result)
}

/// MAC authentication without a password (Lanyard and the ceiling both set Auth-Type Accept):
/// User-Name, Calling-Station-Id, NAS-IP-Address.
fn access_request(id: u8, mac: &str) -> Vec<u8> {
    let dashed = mac
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_uppercase())
        .collect::<Vec<_>>()
        .join("-");
    let mut packet = vec![1, id, 0, 0];
    packet.extend_from_slice(&rand::random::<[u8; 16]>());
    for (kind, value) in [
        (1u8, mac.as_bytes()),
        (31, dashed.as_bytes()),
        (4, &[127, 0, 0, 1][..]),
    ] {
        packet.push(kind);
        packet.push(u8::try_from(value.len() + 2).unwrap_or(u8::MAX));
        packet.extend_from_slice(value);
    }
    let length = u16::try_from(packet.len())
        .unwrap_or(u16::MAX)
        .to_be_bytes();
    packet[2..4].copy_from_slice(&length);
    packet
}

/// For `count` members in turn: append their suspension (the event and its projection in one
/// committed transaction, as provision commits it; the relay publishes it), then ask for their
/// device until the Reject; the time from the commit to the Reject.
async fn revoke(stack: &Stack, addr: &str, count: usize) -> anyhow::Result<Vec<Duration>> {
    let mut client = stack.pool.get().await?;
    let metadata = store::recorded::Metadata {
        causation_id: "bench".into(),
        correlation_id: "bench".into(),
        actor: "bench".into(),
        cause: Some("bench revocation".into()),
        trace_parent: None,
    };
    let mut latencies = Vec::with_capacity(count);
    for index in 0..count {
        let user_id = format!("u{index}");
        let stream = domain::events::StreamId::member(ORG, &user_id);
        let tx = client.transaction().await?;
        let suspended = vec![domain::Event::AccountSuspended];
        store::event_log::append(&tx, &stream, -1, suspended, &metadata, chrono::Utc::now())
            .await?;
        tx.commit().await?;
        let committed = Instant::now();
        loop {
            let once = load(addr, &[mac_of(index)], 1).await?;
            if once.rejects == 1 {
                latencies.push(committed.elapsed());
                break;
            }
            anyhow::ensure!(
                committed.elapsed() < Duration::from_secs(10),
                "member {user_id} still accepted 10 s after the suspension"
            );
        }
    }
    Ok(latencies)
}
