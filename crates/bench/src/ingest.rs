//! Ingest: accepted (durably published) webhooks per second with 64 concurrent connections,
//! and p50/p99 latency at a fixed offered rate, beside the HTTP ceiling (a trivial actix-web
//! handler) and the durability ceiling (raw JetStream publishes of the same payloads), and
//! what the two parts reach together with nothing of Lanyard's (a server that only publishes).

use crate::ingest_bodies::{CLIENT_ID, ORG, SEAL_KEY, SECRET, webhook};
use crate::stats::{Row, ms, quantile};
use crate::support;
use actix_web::{App, HttpResponse, HttpServer, web};
use bus::testing::NatsServer;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 64;

/// Issue 19: accepted/s at least this share of the lower ceiling, in each of [`RUNS`] runs.
const TARGET_SHARE: f64 = 0.60;
const RUNS: usize = 3;
/// Requests each phase of a run sends, in 48 slices of [`SLICE_REQUESTS`]: with 20,000 (16
/// slices) a run's share spread 2.4 points about its process's mean, and one run in 36 fell
/// under the target with the median 4.5 points above it; with 60,000 it spreads 1.35 points
/// and the median stays where it was (64.5 and 64.3 %, Mann-Whitney p 0.35: docs/performance.md,
/// "Runs of 60,000 requests, and what the metrics cost").
const REQUESTS_PER_RUN: usize = 60_000;
/// Webhooks taken through ingest's own steps after each run (about 0.3 s), for the bound with
/// them ([`crate::ingest_work`]).
const STEP_ROUNDS: usize = 50_000;

#[derive(Serialize, Deserialize)]
pub struct IngestFigures {
    pub requests: usize,
    pub concurrency: usize,
    /// Each run measures both ceilings, the parts server and ingest, taking turns in slices,
    /// with bodies of its own.
    pub runs: Vec<ThroughputRun>,
    pub target_share_of_lower_ceiling: f64,
    pub offered_rate_per_sec: u32,
    pub offered_seconds: u32,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The sum of [`IngestFigures::failures_at_fixed_rate`], for readers of the JSON.
    pub non_2xx_at_fixed_rate: usize,
    /// The failed requests by why: an HTTP status, or the client's error for a request it
    /// could not complete.
    pub failures_at_fixed_rate: support::Failures,
}

#[derive(Serialize, Deserialize)]
pub struct ThroughputRun {
    pub accepted_per_sec: f64,
    pub http_ceiling_per_sec: f64,
    pub jetstream_ceiling_per_sec: f64,
    /// `accepted_per_sec` ÷ the lower of the two ceilings.
    pub share_of_lower_ceiling: f64,
    /// What the two parts' CPU alone allows ([`parts_bound`]): every accepted webhook is one
    /// HTTP exchange and one publish, neither of them Lanyard's code
    /// (docs/performance-history.md, "What the parts' CPU allows").
    pub parts_bound_per_sec: f64,
    /// [`ThroughputRun::parts_bound_per_sec`] ÷ the lower ceiling: the most the target's ratio
    /// can be in this run.
    pub parts_bound_share_of_lower_ceiling: f64,
    /// Microseconds a webhook spends in the steps ingest must take besides the two parts
    /// (reading the form, the envelope, the signature, the subject, the seal, the delivery id),
    /// timed on one thread right after the run ([`crate::ingest_work`]).
    pub webhook_steps_us: f64,
    /// The parts' bound with those steps added to each webhook's CPU, ÷ the lower ceiling: the
    /// most the ratio can be for a webhook that costs nothing else of Lanyard's.
    pub steps_bound_share_of_lower_ceiling: f64,
    /// What the two parts reach together with nothing of Lanyard's: the same requests to a
    /// server that only publishes a prepared payload and answers after the ack
    /// ([`parts_server`]).
    pub parts_server_per_sec: f64,
    /// [`ThroughputRun::parts_server_per_sec`] ÷ the lower ceiling.
    pub parts_server_share_of_lower_ceiling: f64,
    /// `accepted_per_sec` ÷ [`ThroughputRun::parts_server_per_sec`]: what ingest's own work
    /// leaves of what the parts allow.
    pub share_of_parts_server: f64,
    /// CPU time per request of each phase: it moves less with other work on the machine than
    /// the rates do.
    pub ingest_cpu: CpuPerRequest,
    pub http_ceiling_cpu: CpuPerRequest,
    pub jetstream_ceiling_cpu: CpuPerRequest,
    pub parts_server_cpu: CpuPerRequest,
}

/// Per request: microseconds of CPU and context switches, of this process (load generator and
/// server) and of nats-server.
#[derive(Serialize, Deserialize, Clone, Copy)]
pub struct CpuPerRequest {
    pub bench_process_us: f64,
    pub nats_server_us: f64,
    pub bench_process_context_switches: f64,
    pub nats_server_context_switches: f64,
}

impl CpuPerRequest {
    fn total_us(&self) -> f64 {
        self.bench_process_us + self.nats_server_us
    }
}

impl IngestFigures {
    pub fn rows(&self) -> Vec<Row> {
        let each = |f: &dyn Fn(&ThroughputRun) -> String| {
            self.runs.iter().map(f).collect::<Vec<_>>().join(", ")
        };
        let met = self.runs.len() == RUNS
            && self
                .runs
                .iter()
                .all(|run| run.share_of_lower_ceiling >= TARGET_SHARE);
        vec![
            Row {
                what: format!(
                    "ingest accepted/s ({} conns, {} runs)",
                    self.concurrency,
                    self.runs.len()
                ),
                figure: each(&|run| {
                    format!(
                        "{:.0}/s ({:.0} %)",
                        run.accepted_per_sec,
                        100.0 * run.share_of_lower_ceiling
                    )
                }),
                ceiling: format!(
                    "HTTP 200 {}/s; JetStream publish {}/s; the two parts alone (a server that only publishes) {} % of the lower, ingest {} % of them; the two parts' CPU alone allows {} % of the lower, with the webhook's own steps ({} µs) {} %",
                    each(&|run| format!("{:.0}", run.http_ceiling_per_sec)),
                    each(&|run| format!("{:.0}", run.jetstream_ceiling_per_sec)),
                    each(&|run| format!("{:.0}", 100.0 * run.parts_server_share_of_lower_ceiling)),
                    each(&|run| format!("{:.0}", 100.0 * run.share_of_parts_server)),
                    each(&|run| format!("{:.0}", 100.0 * run.parts_bound_share_of_lower_ceiling)),
                    each(&|run| format!("{:.1}", run.webhook_steps_us)),
                    each(&|run| format!("{:.1}", 100.0 * run.steps_bound_share_of_lower_ceiling))
                ),
                target: format!(
                    "≥ {:.0} % of the lower ceiling in each of {RUNS} runs",
                    100.0 * TARGET_SHARE
                ),
                met: Some(met),
            },
            Row {
                what: "ingest CPU per request (bench process + nats-server)".into(),
                figure: each(&|run| {
                    format!(
                        "{:.1} µs ({:.1} + {:.1}; {:.1} switches)",
                        run.ingest_cpu.total_us(),
                        run.ingest_cpu.bench_process_us,
                        run.ingest_cpu.nats_server_us,
                        run.ingest_cpu.bench_process_context_switches
                            + run.ingest_cpu.nats_server_context_switches
                    )
                }),
                ceiling: format!(
                    "HTTP 200 {} µs; JetStream publish {} µs; the two parts alone {} µs",
                    each(&|run| format!("{:.1}", run.http_ceiling_cpu.total_us())),
                    each(&|run| format!("{:.1}", run.jetstream_ceiling_cpu.total_us())),
                    each(&|run| format!("{:.1}", run.parts_server_cpu.total_us()))
                ),
                target: "-".into(),
                met: None,
            },
            Row {
                what: format!("ingest latency at {}/s", self.offered_rate_per_sec),
                figure: format!(
                    "p50 {:.2} ms, p99 {:.2} ms (max {:.1} ms, {})",
                    self.p50_ms,
                    self.p99_ms,
                    self.max_ms,
                    support::count_with_causes(&self.failures_at_fixed_rate, "non-2xx")
                ),
                ceiling: "-".into(),
                target: "p99 < 5 ms".into(),
                met: Some(self.p99_ms < 5.0 && self.failures_at_fixed_rate.is_empty()),
            },
        ]
    }
}

fn settings(nats: runtime::NatsSettings) -> runtime::Settings {
    runtime::Settings {
        database: runtime::DatabaseSettings {
            url: "postgres://unused@127.0.0.1:9/unused".into(),
            pool_size: 1,
        },
        nats,
        ingest: runtime::IngestSettings {
            listen: "127.0.0.1:0".into(),
            ops_listen: "127.0.0.1:0".into(),
            ..Default::default()
        },
        provision: Default::default(),
        portal: Default::default(),
        radius: Default::default(),
        officernd: Default::default(),
        controllers: Default::default(),
        optix: runtime::OptixSettings {
            api_url: "http://127.0.0.1:9/graphql".into(),
            apps: vec![runtime::OptixApp {
                client_id: CLIENT_ID.into(),
                secret: runtime::Secret::new(SECRET),
                secret_file: None,
            }],
            ..Default::default()
        },
        webhooks: runtime::WebhookSettings {
            seal_key: runtime::Secret::new(SEAL_KEY),
            seal_key_file: None,
        },
    }
}

/// The scenario in a process of its own, `lanyard-bench-ingest`, which allocates with mimalloc
/// as the `ingest` binary does; this process keeps glibc's allocator, as provision's and the
/// other services' binaries do, since their scenarios run in it. Its progress lines come
/// through on stderr; its figures and ingest's log lines through files (the log is kept, and
/// named, if it fails).
pub async fn run_in_own_process(smoke: bool) -> anyhow::Result<IngestFigures> {
    let files = std::env::temp_dir().join(format!(
        "lanyard-bench-ingest-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let (out, log) = (files.with_extension("json"), files.with_extension("log"));
    let mut command = tokio::process::Command::new(support::binary("lanyard-bench-ingest")?);
    command.arg("--out").arg(&out).arg("--log").arg(&log);
    if smoke {
        command.arg("--smoke");
    }
    let status = command.stdin(std::process::Stdio::null()).status().await?;
    let figures = std::fs::read(&out);
    let _ = std::fs::remove_file(&out);
    anyhow::ensure!(
        status.success(),
        "lanyard-bench-ingest failed ({status}); its log: {}",
        log.display()
    );
    let _ = std::fs::remove_file(&log);
    Ok(serde_json::from_slice(&figures?)?)
}

/// The scenario in this process (`lanyard-bench-ingest`'s body).
pub async fn run(smoke: bool) -> anyhow::Result<IngestFigures> {
    let (requests, rate, seconds) = if smoke {
        (200, 100, 1)
    } else {
        (REQUESTS_PER_RUN, 2_000, 10)
    };
    let nats = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let settings = settings(nats.settings());
    let seal = bus::sealing::WebhookSeal::from_hex(settings.webhooks.seal_key.expose())?;
    let app = ingest::Application::build(settings.clone()).await?;
    let ingest_url = format!("http://127.0.0.1:{}/optix/webhooks", app.port());
    tokio::spawn(app.run_until_stopped());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .timeout(Duration::from_secs(10))
        .build()?;
    let install = http
        .post(&ingest_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(optix::webhook::encode_form(&webhook("app_install", 0)))
        .send()
        .await?;
    anyhow::ensure!(install.status() == 200, "app_install: {}", install.status());

    // Every body differs (JetStream would drop a repeated one as a duplicate, cheaply).
    let bodies: Vec<String> = (0..requests * RUNS + rate * seconds)
        .map(|n| optix::webhook::encode_form(&webhook("member_updated", n)))
        .collect();
    let ceiling_url = trivial_server()?;
    let cpu = CpuClock {
        nats_server_pid: nats.pid(),
    };
    let ceiling_bus = bus::Bus::connect(&settings.nats, bus::auth::Identity::Ingest).await?;
    // One sealed body for every request, each with a delivery id of its own, as ingest's.
    let parts_payload = ceiling_payloads(0, 0, &bodies[..1], &seal)[0].1.clone();
    let parts_url = parts_server(&settings.nats, ceiling_bus.clone(), parts_payload)?;
    let servers = Servers {
        http: &http,
        ceiling_url: &ceiling_url,
        parts_url: &parts_url,
        ingest_url: &ingest_url,
        ceiling_bus: &ceiling_bus,
        cpu: &cpu,
        seal: &seal,
    };
    let mut runs = Vec::with_capacity(RUNS);
    for (run, bodies) in bodies[..requests * RUNS].chunks(requests).enumerate() {
        let phases = servers.measure(run, bodies).await?;
        // On this thread while nothing else runs: the servers wait for the next phase.
        let rounds = if smoke { 1_000 } else { STEP_ROUNDS };
        let steps = crate::ingest_work::time_steps(&seal, bodies, rounds)?.total_us();
        let measured = ThroughputRun::of(phases, steps);
        eprintln!(
            "ingest run {}: {:.0}/s, {:.0} % of the lower ceiling (HTTP 200 {:.0}/s, JetStream {:.0}/s; the two parts alone {:.0}/s, {:.0} %)",
            run + 1,
            measured.accepted_per_sec,
            100.0 * measured.share_of_lower_ceiling,
            measured.http_ceiling_per_sec,
            measured.jetstream_ceiling_per_sec,
            measured.parts_server_per_sec,
            100.0 * measured.parts_server_share_of_lower_ceiling
        );
        runs.push(measured);
    }
    let (mut latencies, failures) =
        fixed_rate(&http, &ingest_url, &bodies[requests * RUNS..], rate).await?;
    drop(nats);
    Ok(IngestFigures {
        requests,
        concurrency: CONCURRENCY,
        runs,
        target_share_of_lower_ceiling: TARGET_SHARE,
        offered_rate_per_sec: rate as u32,
        offered_seconds: seconds as u32,
        p50_ms: ms(quantile(&mut latencies, 0.50)),
        p99_ms: ms(quantile(&mut latencies, 0.99)),
        max_ms: ms(quantile(&mut latencies, 1.0)),
        non_2xx_at_fixed_rate: failures.values().sum(),
        failures_at_fixed_rate: failures,
    })
}

/// What a run's phases send to.
struct Servers<'a> {
    http: &'a reqwest::Client,
    ceiling_url: &'a str,
    parts_url: &'a str,
    ingest_url: &'a str,
    ceiling_bus: &'a bus::Bus,
    cpu: &'a CpuClock,
    seal: &'a bus::sealing::WebhookSeal,
}

impl Servers<'_> {
    /// Runs run `run`'s four phases, each sending `bodies`.
    async fn measure(&self, run: usize, bodies: &[String]) -> anyhow::Result<Phases> {
        // The phases take turns in slices, in the order A B C D D C B A …, so each sees the
        // machine as the others do: a VM's speed moves within seconds (the HTTP ceiling cost
        // 43.0 µs a request in one run, 29.5 in the next but one, bench/results/
        // 2026-12-05T00-15-58Z.json), and a ceiling measured in a fast moment against ingest
        // in a slow one says nothing of ingest.
        let mut totals = [PhaseTotal::default(); 4];
        let slice_len = SLICE_REQUESTS.min(bodies.len().div_ceil(MIN_SLICES));
        for (slice, bodies) in bodies.chunks(slice_len).enumerate() {
            let mut order = PHASE_ORDER;
            if slice % 2 == 1 {
                order.reverse();
            }
            for phase in order {
                let measured = match phase {
                    PhaseName::HttpCeiling => {
                        self.cpu
                            .measure(throughput(self.http, self.ceiling_url, bodies))
                            .await?
                    }
                    PhaseName::Parts => {
                        self.cpu
                            .measure(throughput(self.http, self.parts_url, bodies))
                            .await?
                    }
                    PhaseName::Accepted => {
                        self.cpu
                            .measure(throughput(self.http, self.ingest_url, bodies))
                            .await?
                    }
                    PhaseName::JetStreamCeiling => {
                        let payloads = ceiling_payloads(run, slice, bodies, self.seal);
                        self.cpu
                            .measure(publish_ceiling(self.ceiling_bus, payloads))
                            .await?
                    }
                };
                totals[phase as usize].add(measured, bodies.len());
            }
        }
        Ok(Phases {
            accepted: totals[PhaseName::Accepted as usize].phase(),
            http_ceiling: totals[PhaseName::HttpCeiling as usize].phase(),
            jetstream_ceiling: totals[PhaseName::JetStreamCeiling as usize].phase(),
            parts: totals[PhaseName::Parts as usize].phase(),
        })
    }
}

/// A phase's rate and its CPU per request.
type Phase = (f64, CpuPerRequest);

/// Requests a slice of a phase sends: the phases take turns in slices of about 50 ms each,
/// which average the machine's moments better than four of 5,000 requests did (the share's
/// spread over 36 runs 3.7 → 2.6 points, its median 61.8 → 62.4 %, Mann-Whitney p 0.67:
/// docs/performance.md, "Sixteen slices"), while a slice stays long against its start and its
/// last in-flight requests.
const SLICE_REQUESTS: usize = 1_250;

/// A smoke run's slices: its runs are too short for [`SLICE_REQUESTS`], and still take turns.
const MIN_SLICES: usize = 16;

/// A run's phases, in the order of its first slice.
#[derive(Clone, Copy)]
enum PhaseName {
    HttpCeiling,
    Parts,
    Accepted,
    JetStreamCeiling,
}

const PHASE_ORDER: [PhaseName; 4] = [
    PhaseName::HttpCeiling,
    PhaseName::Parts,
    PhaseName::Accepted,
    PhaseName::JetStreamCeiling,
];

/// A phase's slices summed: its rate is all its requests over all its time, its CPU per
/// request the mean over all its requests.
#[derive(Clone, Copy, Default)]
struct PhaseTotal {
    requests: f64,
    seconds: f64,
    bench_process_us: f64,
    nats_server_us: f64,
    bench_process_context_switches: f64,
    nats_server_context_switches: f64,
}

impl PhaseTotal {
    fn add(&mut self, (rate, cpu): Phase, requests: usize) {
        let requests = requests as f64;
        self.requests += requests;
        self.seconds += requests / rate.max(f64::MIN_POSITIVE);
        self.bench_process_us += cpu.bench_process_us * requests;
        self.nats_server_us += cpu.nats_server_us * requests;
        self.bench_process_context_switches += cpu.bench_process_context_switches * requests;
        self.nats_server_context_switches += cpu.nats_server_context_switches * requests;
    }

    fn phase(&self) -> Phase {
        let per_request = |sum: f64| sum / self.requests.max(1.0);
        let rate = if self.seconds > 0.0 {
            self.requests / self.seconds
        } else {
            0.0
        };
        (
            rate,
            CpuPerRequest {
                bench_process_us: per_request(self.bench_process_us),
                nats_server_us: per_request(self.nats_server_us),
                bench_process_context_switches: per_request(self.bench_process_context_switches),
                nats_server_context_switches: per_request(self.nats_server_context_switches),
            },
        )
    }
}

/// The four phases of a run.
struct Phases {
    accepted: Phase,
    http_ceiling: Phase,
    jetstream_ceiling: Phase,
    parts: Phase,
}

impl ThroughputRun {
    /// A run's figures from its phases and the webhook's own steps (µs).
    fn of(phases: Phases, steps_us: f64) -> Self {
        let Phases {
            accepted,
            http_ceiling,
            jetstream_ceiling,
            parts,
        } = phases;
        let lower = http_ceiling.0.min(jetstream_ceiling.0).max(1.0);
        let http = (http_ceiling.0, http_ceiling.1.total_us());
        let publish_us = jetstream_ceiling.1.total_us();
        let parts_bound = parts_bound(http, publish_us);
        ThroughputRun {
            accepted_per_sec: accepted.0,
            http_ceiling_per_sec: http_ceiling.0,
            jetstream_ceiling_per_sec: jetstream_ceiling.0,
            share_of_lower_ceiling: accepted.0 / lower,
            parts_bound_per_sec: parts_bound,
            parts_bound_share_of_lower_ceiling: parts_bound / lower,
            webhook_steps_us: steps_us,
            steps_bound_share_of_lower_ceiling: parts_bound_with_steps(http, publish_us, steps_us)
                / lower,
            parts_server_per_sec: parts.0,
            parts_server_share_of_lower_ceiling: parts.0 / lower,
            share_of_parts_server: accepted.0 / parts.0.max(1.0),
            ingest_cpu: accepted.1,
            http_ceiling_cpu: http_ceiling.1,
            jetstream_ceiling_cpu: jetstream_ceiling.1,
            parts_server_cpu: parts.1,
        }
    }
}

/// The most webhooks a second that cost one HTTP exchange and one publish each can reach: the
/// HTTP ceiling keeps the cores busy (the load generator and the server: 2 % idle under perf),
/// so its rate is what the machine's CPU buys at `http_us` a request; a webhook costs at least
/// `http_us + publish_us` (the publish's CPU from the JetStream ceiling: client and
/// nats-server), hence at most `http_per_sec × http_us / (http_us + publish_us)`. The
/// JetStream ceiling's rate is not used: with 64 publishes in flight it waits for acks and
/// leaves the cores idle (14 % under perf), so its rate understates what its CPU allows.
fn parts_bound((http_per_sec, http_us): (f64, f64), publish_us: f64) -> f64 {
    parts_bound_with_steps((http_per_sec, http_us), publish_us, 0.0)
}

/// [`parts_bound`] for webhooks that also cost `steps_us` of ingest's own work each.
fn parts_bound_with_steps(
    (http_per_sec, http_us): (f64, f64),
    publish_us: f64,
    steps_us: f64,
) -> f64 {
    if http_us <= 0.0 || publish_us < 0.0 || steps_us < 0.0 {
        return 0.0;
    }
    http_per_sec * http_us / (http_us + publish_us + steps_us)
}

/// Reads what this process and nats-server have used so far, from `/proc`.
struct CpuClock {
    nats_server_pid: u32,
}

impl CpuClock {
    /// Runs `phase`, which sends requests and returns its rate and their count; the rate and
    /// what it used per request.
    async fn measure(
        &self,
        phase: impl Future<Output = anyhow::Result<(f64, usize)>>,
    ) -> anyhow::Result<Phase> {
        let nats = format!("/proc/{}", self.nats_server_pid);
        let (bench_before, nats_before) = (Usage::of("/proc/self")?, Usage::of(&nats)?);
        let (rate, requests) = phase.await?;
        let (bench_after, nats_after) = (Usage::of("/proc/self")?, Usage::of(&nats)?);
        let per_request = |after: f64, before: f64| (after - before) / requests.max(1) as f64;
        Ok((
            rate,
            CpuPerRequest {
                bench_process_us: 1e6
                    * per_request(bench_after.cpu_seconds, bench_before.cpu_seconds),
                nats_server_us: 1e6 * per_request(nats_after.cpu_seconds, nats_before.cpu_seconds),
                bench_process_context_switches: per_request(
                    bench_after.context_switches,
                    bench_before.context_switches,
                ),
                nats_server_context_switches: per_request(
                    nats_after.context_switches,
                    nats_before.context_switches,
                ),
            },
        ))
    }
}

/// A process's totals so far, all its threads.
struct Usage {
    cpu_seconds: f64,
    context_switches: f64,
}

impl Usage {
    fn of(proc_dir: &str) -> anyhow::Result<Usage> {
        let mut context_switches = 0.0;
        for task in std::fs::read_dir(format!("{proc_dir}/task"))? {
            // A thread that ended since the listing took its count with it.
            let Ok(status) = std::fs::read_to_string(task?.path().join("status")) else {
                continue;
            };
            context_switches += sum_fields(
                &status,
                &["voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:"],
            );
        }
        Ok(Usage {
            cpu_seconds: crate::proc_stat::cpu_seconds(&format!("{proc_dir}/stat"))?,
            context_switches,
        })
    }
}

/// The sum of the numbers after each of `names` at the start of a line of `text`.
fn sum_fields(text: &str, names: &[&str]) -> f64 {
    text.lines()
        .filter_map(|line| {
            let value = names.iter().find_map(|name| line.strip_prefix(name))?;
            value.trim().parse::<f64>().ok()
        })
        .sum()
}

/// What the parts server's handlers share: the process's NATS connection (until a worker's
/// own is up), the payload, the next delivery id.
struct PartsOnly {
    shared: bus::Bus,
    payload: bytes::Bytes,
    next_id: AtomicUsize,
}

/// The two parts alone: actix-web reading the body, then one JetStream publish of a prepared
/// sealed payload (with ingest's headers: a delivery id of its own, the body's format) over each worker's own NATS
/// connection (ingest's [`ingest::WorkerBus`]), answering 200 after the ack, as ingest does,
/// with none of ingest's own work. Its rate is what an HTTP exchange and a publish reach with webhook traffic: each
/// publish behind a request, not 64 publishers in a loop as in the JetStream ceiling (which
/// costs nats-server less a message: it receives them in larger groups).
fn parts_server(
    nats: &runtime::NatsSettings,
    shared: bus::Bus,
    payload: bytes::Bytes,
) -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://127.0.0.1:{}/", listener.local_addr()?.port());
    let parts = web::Data::new(PartsOnly {
        shared,
        payload,
        next_id: AtomicUsize::new(0),
    });
    let nats = nats.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(parts.clone())
            // Each worker's own connection, on its runtime, exactly as ingest's.
            .app_data(web::Data::new(ingest::WorkerBus::connect(nats.clone())))
            .route("/", web::post().to(publish_only))
    })
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(url)
}

/// The parts server's one handler: the publish and its ack, then 200.
async fn publish_only(
    _body: web::Bytes,
    parts: web::Data<PartsOnly>,
    own: web::Data<ingest::WorkerBus>,
) -> HttpResponse {
    let id = parts.next_id.fetch_add(1, Ordering::Relaxed);
    let published = own
        .get()
        .unwrap_or(&parts.shared)
        .publish_webhook(
            bus::webhooks::WebhookPublication {
                subject: bus::webhook_subject(ORG, "parts"),
                delivery_id: &format!("parts-{id}"),
                trace_headers: &[],
                body_format: bus::webhooks::BodyFormat::Form,
                body: bus::webhooks::DeliveryBody::Sealed(&parts.payload),
            },
            Duration::from_millis(1_500),
        )
        .await;
    match published {
        Ok(_) => HttpResponse::Ok().body("ok"),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

/// The HTTP ceiling: actix-web reading the body and answering 200, nothing else.
fn trivial_server() -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://127.0.0.1:{}/", listener.local_addr()?.port());
    let server = HttpServer::new(|| {
        App::new().route(
            "/",
            web::post().to(|_body: web::Bytes| async { HttpResponse::Ok().body("ok") }),
        )
    })
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok(url)
}

/// Requests per second with `CONCURRENCY` connections each sending its share back to back;
/// fails unless every answer is a 2xx.
async fn throughput(
    http: &reqwest::Client,
    url: &str,
    bodies: &[String],
) -> anyhow::Result<(f64, usize)> {
    let bodies = bodies.to_vec();
    let total = bodies.len();
    let started = Instant::now();
    crate::support::post_all(http, url, bodies).await?;
    Ok((total as f64 / started.elapsed().as_secs_f64(), total))
}

/// Open loop: request `i` is due at `i / rate` s and its latency counts from then, so a slow
/// answer cannot hide the requests queued behind it (no coordinated omission).
async fn fixed_rate(
    http: &reqwest::Client,
    url: &str,
    bodies: &[String],
    rate: usize,
) -> anyhow::Result<(Vec<Duration>, support::Failures)> {
    let pace = support::OpenLoop::at(rate);
    let mut tasks = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.iter().enumerate() {
        let due = pace.wait(i).await;
        let (http, url, body) = (http.clone(), url.to_owned(), body.clone());
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await;
            let outcome = match response {
                Ok(response) if response.status().is_success() => Ok(()),
                Ok(response) => Err(format!("HTTP {}", response.status().as_u16())),
                Err(error) => Err(support::failure_of(&error)),
            };
            (due.elapsed(), outcome)
        }));
    }
    support::latencies_and_failures(tasks).await
}

/// The durability ceiling's payloads: what ingest publishes, the form body as posted, sealed
/// as ingest seals it, each with a delivery id of its own; prepared before the clock starts.
fn ceiling_payloads(
    run: usize,
    slice: usize,
    bodies: &[String],
    seal: &bus::sealing::WebhookSeal,
) -> Arc<Vec<(String, bytes::Bytes)>> {
    let subject = ceiling_subject();
    let payloads = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let sealed = seal.seal(&subject, body.as_bytes());
            (format!("ceiling-{run}-{slice}-{i}"), sealed.into())
        })
        .collect();
    Arc::new(payloads)
}

fn ceiling_subject() -> String {
    bus::webhook_subject(ORG, "ceiling")
}

/// The durability ceiling: `payloads` published straight to JetStream as ingest publishes them
/// (`Bus::publish_webhook`: the delivery id and the body's format) and its ack wait,
/// `CONCURRENCY` at a time.
/// Returns the rate and the count.
async fn publish_ceiling(
    bus: &bus::Bus,
    payloads: Arc<Vec<(String, bytes::Bytes)>>,
) -> anyhow::Result<(f64, usize)> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (bus, next, payloads) = (bus.clone(), next.clone(), payloads.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((id, payload)) = payloads.get(i) else {
                        return Ok::<_, bus::BusError>(());
                    };
                    bus.publish_webhook(
                        bus::webhooks::WebhookPublication {
                            subject: ceiling_subject(),
                            delivery_id: id,
                            trace_headers: &[],
                            body_format: bus::webhooks::BodyFormat::Form,
                            body: bus::webhooks::DeliveryBody::Sealed(payload),
                        },
                        Duration::from_secs(5),
                    )
                    .await?;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    Ok((
        payloads.len() as f64 / started.elapsed().as_secs_f64(),
        payloads.len(),
    ))
}

#[cfg(test)]
mod tests {
    use super::{CpuPerRequest, PhaseTotal, parts_bound, parts_bound_with_steps};

    #[test]
    fn a_phases_slices_add_up_to_all_its_requests_over_all_its_time() {
        let cpu = |us: f64| CpuPerRequest {
            bench_process_us: us,
            nats_server_us: us / 2.0,
            bench_process_context_switches: 1.0,
            nats_server_context_switches: 0.0,
        };
        let mut total = PhaseTotal::default();
        // 100 requests in 1 s, then 300 in 1 s: 200/s, not the mean of the rates.
        total.add((100.0, cpu(40.0)), 100);
        total.add((300.0, cpu(20.0)), 300);
        let (rate, per_request) = total.phase();
        assert!((rate - 200.0).abs() < 1e-9, "{rate}");
        // CPU per request over all 400: (100 × 40 + 300 × 20) / 400.
        assert!((per_request.bench_process_us - 25.0).abs() < 1e-9);
        assert!((per_request.nats_server_us - 12.5).abs() < 1e-9);
        assert!((per_request.bench_process_context_switches - 1.0).abs() < 1e-9);
        assert_eq!(PhaseTotal::default().phase().0, 0.0);
    }

    #[test]
    fn the_parts_bound_adds_the_cpu_of_both_parts() {
        // A publish costing as much CPU as an exchange: half the HTTP ceiling's rate.
        assert_eq!(parts_bound((40_000.0, 50.0), 50.0), 20_000.0);
        // 2026-12-03T03-34-22Z's first run: HTTP 39,589/s at 49.0 µs, publish 27.0 µs.
        let bound = parts_bound((39_589.0, 49.0), 27.0);
        assert!((bound - 25_524.0).abs() < 1.0, "{bound}");
        assert_eq!(parts_bound((39_589.0, 0.0), 27.0), 0.0);
    }

    #[test]
    fn the_steps_bound_adds_the_webhooks_own_work() {
        // 2026-12-04T16-05-09Z's first run: HTTP 61,168/s at 31.0 µs, publish 17.5 µs, the
        // steps 5.26 µs (the example's median on this VM): 57.7 % of the HTTP ceiling.
        let bound = parts_bound_with_steps((61_168.0, 31.0), 17.5, 5.26);
        assert!((bound / 61_168.0 - 0.5767).abs() < 0.001, "{bound}");
        assert_eq!(
            parts_bound_with_steps((40_000.0, 50.0), 50.0, 0.0),
            parts_bound((40_000.0, 50.0), 50.0)
        );
        assert_eq!(parts_bound_with_steps((40_000.0, 50.0), 50.0, -1.0), 0.0);
    }
}
