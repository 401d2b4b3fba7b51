//! `lanyard-bench-ingest`: `lanyard-bench`'s ingest scenario, in a process that allocates with
//! mimalloc as the `ingest` binary does. `lanyard-bench` keeps glibc's allocator, as provision's
//! and the other services' binaries do, since their scenarios run in it; it runs this one
//! (`bench::ingest::run_in_own_process`) and reads the figures it writes.

use anyhow::Context;
use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "lanyard-bench-ingest",
    about = "lanyard-bench's ingest scenario, with ingest's allocator"
)]
struct Args {
    /// Tiny sizes, as `lanyard-bench --smoke`.
    #[arg(long)]
    smoke: bool,
    /// Where to write the figures (JSON).
    #[arg(long)]
    out: std::path::PathBuf,
    /// Where to write ingest's log lines (JSON, as the `ingest` binary writes them on stdout).
    #[arg(long)]
    log: std::path::PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Ingest's logs as the `ingest` binary installs them (`RUST_LOG`, else `info`), so the
    // figures price what a deployment pays for them: into `--log`, a line a write as on stdout.
    let log = std::fs::File::create(&args.log)
        .with_context(|| format!("creating the log file {}", args.log.display()))?;
    let _logs = telemetry::traces::install_with_writer(
        None,
        telemetry::traces::default_filter(),
        std::sync::Arc::new(log),
    );
    let figures = bench::ingest::run(args.smoke).await?;
    std::fs::write(&args.out, serde_json::to_vec(&figures)?)?;
    Ok(())
}
