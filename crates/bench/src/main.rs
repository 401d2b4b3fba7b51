//! `lanyard-bench`: the figures behind `make bench`, each beside the ceiling it could at best
//! reach, measured in the same run (compare ratios: these machines are noisy).
//!
//! Needs what `make test` needs: PostgreSQL (`DATABASE_URL`) and nats-server (found like the
//! tests find it); the memory scenario also needs the service binaries next to this one.
//! `--smoke` runs every scenario tiny, so `make test` keeps it from rotting.

use bench::{
    budget, burst, controllers, freshness, handshake, ingest, memory, portal, provision, radius,
    replay, stats,
};

use clap::Parser;

use serde_json::{Value, json};

const SCENARIOS: [&str; 11] = [
    "ingest",
    "provision",
    "freshness",
    "budget",
    "burst",
    "replay",
    "portal",
    "memory",
    "radius",
    "controllers",
    "handshake",
];

#[derive(Parser)]
#[command(
    name = "lanyard-bench",
    about = "Lanyard benchmarks beside their ceilings"
)]
struct Args {
    /// Which scenarios: ingest, provision, freshness, budget, burst, replay, portal, memory, radius,
    /// controllers, handshake (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Tiny sizes: proves every scenario still runs, measures nothing worth quoting.
    #[arg(long)]
    smoke: bool,
    /// Write the results as JSON here (e.g. bench/results/2026-11-22T23-00-00.json).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Where the services' log lines go (JSON, as their binaries write them on stdout); by
    /// default a new file in the temporary directory, named as the run starts.
    #[arg(long)]
    log: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(unknown) = args.only.iter().find(|o| !SCENARIOS.contains(&o.as_str())) {
        anyhow::bail!(
            "unknown scenario {unknown}; known: {}",
            SCENARIOS.join(", ")
        );
    }
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|o| o == name);
    // The services run in this process and log as their binaries do (e.g.
    // `RUST_LOG=info,provision::batch=debug` times each batch).
    let log = args.log.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "lanyard-bench-{}.log",
            uuid::Uuid::new_v4().simple()
        ))
    });
    let _logs = bench::support::install_logs_into(&log)?;
    let machine = machine();
    eprintln!(
        "lanyard-bench{}: {} ({} cores, nats-server's GOMAXPROCS {}); the services' logs in {}",
        if args.smoke { " --smoke" } else { "" },
        machine["cpu"].as_str().unwrap_or("?"),
        machine["cores"],
        machine["nats_gomaxprocs"],
        log.display()
    );
    let mut run = Run::new();
    macro_rules! scenario {
        ($name:literal, $run:path) => {
            if wanted($name) {
                run.settle().await;
                let at = run.starting($name);
                let outcome = $run(args.smoke)
                    .await
                    .and_then(|figures| Ok((figures.rows(), serde_json::to_value(&figures)?)));
                run.record($name, at, outcome);
            }
        };
    }
    scenario!("ingest", ingest::run_in_own_process);
    scenario!("provision", provision::run);
    scenario!("freshness", freshness::run);
    scenario!("budget", budget::run);
    scenario!("burst", burst::run);
    scenario!("replay", replay::run);
    scenario!("portal", portal::run);
    scenario!("memory", memory::run);
    scenario!("radius", radius::run);
    scenario!("controllers", controllers::run);
    scenario!("handshake", handshake::run);
    run.report(machine, args.smoke, args.out.as_deref())
}

/// The scenarios run so far: their rows for the table, their figures for the JSON, and the
/// names of those that failed.
struct Run {
    started: std::time::Instant,
    table: Vec<stats::Row>,
    results: serde_json::Map<String, Value>,
    failed: Vec<&'static str>,
    /// Time spent between scenarios in [`Run::settle`].
    settling_seconds: f64,
}

impl Run {
    fn new() -> Run {
        Run {
            started: std::time::Instant::now(),
            table: Vec::new(),
            results: serde_json::Map::new(),
            failed: Vec::new(),
            settling_seconds: 0.0,
        }
    }

    /// Lets the machine finish the previous scenario's writes before the next one is timed:
    /// a PostgreSQL checkpoint, then the kernel's dirty pages written out. Without it the
    /// writeback of replay's million rows landed in the portal scenario, where the SMTP sink's
    /// fsync of each message waited 0.18–0.47 s behind it (magic link p99 358 ms after replay,
    /// 18 ms alone). The first scenario waits too, for whatever ran before the benchmark.
    ///
    /// Before that, the finished scenarios' databases nobody is connected to are dropped: left
    /// in place, PostgreSQL's autovacuum visited them during later scenarios (`VACUUM ANALYZE
    /// public.members` while the portal's links were timed: 76–102 MB dirtied, and the sink's
    /// fsync of a message waited for the flush). Those still in use (a finished scenario's
    /// in-process services keep their connections) are vacuumed instead ([`vacuum`]).
    async fn settle(&mut self) {
        let at = std::time::Instant::now();
        let finished = integration_tests::database::take_created();
        let (mut dropped, mut vacuumed) = (0, 0);
        let mut problems = Vec::new();
        match integration_tests::database::server_admin().await {
            Ok(admin) => {
                for database in &finished {
                    match drop_unused(&admin, database).await {
                        Ok(true) => dropped += 1,
                        Ok(false) => match vacuum(database).await {
                            Ok(()) => vacuumed += 1,
                            Err(e) => problems.push(format!(
                                "{database} is still in use and vacuuming it failed: {e:#}"
                            )),
                        },
                        Err(e) => problems.push(format!("dropping {database} failed: {e:#}")),
                    }
                }
                if let Err(e) = admin.batch_execute("CHECKPOINT").await {
                    problems.push(format!("the checkpoint failed: {e}"));
                }
            }
            Err(e) => problems.push(format!("connecting to PostgreSQL failed: {e:#}")),
        }
        let before_sync = at.elapsed().as_secs_f64();
        // sync(2) returns once the dirty pages are on disk.
        let synced = tokio::task::spawn_blocking(rustix::fs::sync).await;
        let mut line = format!(
            "[{:>5.0} s] settled in {:.1} s ({dropped} of {} finished databases dropped, {vacuumed} still in use vacuumed; dropped, vacuumed and checkpointed in {:.1} s)",
            self.started.elapsed().as_secs_f64(),
            at.elapsed().as_secs_f64(),
            finished.len(),
            before_sync
        );
        for problem in problems {
            line.push_str(&format!("; {problem}"));
        }
        if let Err(e) = synced {
            line.push_str(&format!("; sync failed: {e}"));
        }
        eprintln!("{line}");
        self.settling_seconds += at.elapsed().as_secs_f64();
    }

    fn starting(&self, name: &str) -> std::time::Instant {
        eprintln!(
            "[{:>5.0} s] {} …",
            self.started.elapsed().as_secs_f64(),
            name
        );
        std::time::Instant::now()
    }

    /// A scenario that fails is reported (in the table, the JSON and the exit status) and the
    /// others still run.
    fn record(
        &mut self,
        name: &'static str,
        at: std::time::Instant,
        outcome: anyhow::Result<(Vec<stats::Row>, Value)>,
    ) {
        let elapsed = self.started.elapsed().as_secs_f64();
        match outcome {
            Ok((rows, figures)) => {
                eprintln!(
                    "[{:>5.0} s] {} done in {:.0} s\n{}",
                    elapsed,
                    name,
                    at.elapsed().as_secs_f64(),
                    stats::render_table(&rows)
                );
                self.table.extend(rows);
                self.results.insert(name.into(), figures);
            }
            Err(e) => {
                eprintln!("[{elapsed:>5.0} s] {name} FAILED: {e:#}");
                self.table.push(stats::Row {
                    what: format!("{name} scenario"),
                    figure: "FAILED (see the log)".into(),
                    ceiling: "-".into(),
                    // Its targets cannot be checked: counted as one missed.
                    target: "the scenario completes".into(),
                    met: Some(false),
                });
                self.results
                    .insert(name.into(), json!({ "error": format!("{e:#}") }));
                self.failed.push(name);
            }
        }
    }

    /// Prints the machine and the table, writes the JSON to `out`; an error if any failed.
    fn report(
        self,
        mut machine: Value,
        smoke: bool,
        out: Option<&std::path::Path>,
    ) -> anyhow::Result<()> {
        machine["load_average_at_end"] = load_average().into();
        let (met, total) = stats::targets_met(&self.table);
        let summary = format!("{met} of {total} targets met");
        let report = json!({
            "at": chrono::Utc::now().to_rfc3339(),
            "smoke": smoke,
            "machine": machine,
            "seconds": self.started.elapsed().as_secs_f64(),
            "settling_seconds": self.settling_seconds,
            "targets": {
                "summary": summary,
                "met": met,
                "total": total,
                "rows": stats::verdicts(&self.table),
            },
            "results": Value::Object(self.results),
        });
        println!(
            "machine: {} ({} cores, {} GiB; nats-server's GOMAXPROCS {}); load average at the start {}, at the end {}",
            report["machine"]["cpu"].as_str().unwrap_or("?"),
            report["machine"]["cores"],
            report["machine"]["memory_gib"],
            report["machine"]["nats_gomaxprocs"],
            report["machine"]["load_average_at_start"]
                .as_str()
                .unwrap_or("?"),
            report["machine"]["load_average_at_end"]
                .as_str()
                .unwrap_or("?")
        );
        println!("{}", stats::render_table(&self.table));
        println!("{summary}");
        if let Some(path) = out {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
            println!("results written to {}", path.display());
        }
        anyhow::ensure!(self.failed.is_empty(), "failed: {}", self.failed.join(", "));
        Ok(())
    }
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kib| (kib / 1024.0 / 1024.0 * 10.0).round() / 10.0);
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "memory_gib": memory_gib,
        "load_average_at_start": load_average(),
        // What every nats-server of the run was started with (bus::testing::nats_gomaxprocs
        // and scripts/infra.sh share the rule): nats-server's cost a publish depends on it.
        "nats_gomaxprocs": bus::testing::nats_gomaxprocs().map_or_else(|e| json!(e), |n| json!(n)),
    })
}

/// The 1, 5 and 15 minute load averages: other work on the machine shows here.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// `VACUUM (ANALYZE)` of a finished scenario's database that its services still hold (they
/// outlive the scenario in this process): autovacuum then has nothing left to do there while a
/// later scenario is timed, as it would have once the scenario's writes passed its thresholds.
async fn vacuum(database: &str) -> anyhow::Result<()> {
    let connection = integration_tests::database::connect_to(database).await?;
    // The statistics ANALYZE writes leave pg_statistic's old rows dead: vacuumed last, or
    // autovacuum comes back for them seconds later. (Two queries: several in one would be one
    // transaction, where VACUUM cannot run.)
    let mut vacuumed = connection.client.batch_execute("VACUUM (ANALYZE)").await;
    if vacuumed.is_ok() {
        vacuumed = connection
            .client
            .batch_execute("VACUUM pg_catalog.pg_statistic")
            .await;
    }
    connection.close().await;
    Ok(vacuumed?)
}

/// Drops `database` unless someone is connected to it; whether it was dropped. Not `WITH
/// (FORCE)`: a finished scenario's in-process services are not all gone when its stack is
/// dropped (actix's workers and the tasks spawned at build outlive the aborted task; 5
/// connections to the portal scenario's database remained after it), and killing their
/// connections would set them retrying during the next scenario.
async fn drop_unused(admin: &tokio_postgres::Client, database: &str) -> anyhow::Result<bool> {
    let connected: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
            &[&database],
        )
        .await?
        .get(0);
    if connected > 0 {
        return Ok(false);
    }
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{database}\""))
        .await?;
    Ok(true)
}
