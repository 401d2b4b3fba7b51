//! `lanyard-bench`: the figures behind `make bench`, each beside the ceiling it could at best
//! reach, measured in the same run (compare ratios: these machines are noisy).
//!
//! Needs what `make test` needs: PostgreSQL (`DATABASE_URL`) and nats-server (found like the
//! tests find it). `--smoke` runs every scenario tiny, so `make test` keeps it from rotting.

mod ingest;
mod replay;
mod stats;

use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "lanyard-bench",
    about = "Lanyard benchmarks beside their ceilings"
)]
struct Args {
    /// Which scenarios: ingest, replay (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Tiny sizes: proves every scenario still runs, measures nothing worth quoting.
    #[arg(long)]
    smoke: bool,
    /// Write the results as JSON here (e.g. bench/results/2026-11-22T23-00-00.json).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|o| o == name);
    let mut results = serde_json::Map::new();
    let mut table = Vec::new();
    if wanted("ingest") {
        let figures = ingest::run(args.smoke).await?;
        table.extend(figures.rows());
        results.insert("ingest".into(), serde_json::to_value(&figures)?);
    }
    if wanted("replay") {
        let figures = replay::run(args.smoke).await?;
        table.extend(figures.rows());
        results.insert("replay".into(), serde_json::to_value(&figures)?);
    }
    let report = json!({
        "at": chrono::Utc::now().to_rfc3339(),
        "smoke": args.smoke,
        "machine": machine(),
        "results": Value::Object(results),
    });
    println!("{}", stats::render_table(&table));
    if let Some(path) = args.out {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
        println!("results written to {}", path.display());
    }
    Ok(())
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
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    })
}
