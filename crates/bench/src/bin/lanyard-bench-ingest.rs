//! `lanyard-bench-ingest`: `lanyard-bench`'s ingest scenario, in a process that allocates with
//! mimalloc as the `ingest` binary does. `lanyard-bench` keeps glibc's allocator, as provision's
//! and the other services' binaries do, since their scenarios run in it; it runs this one
//! (`bench::ingest::run_in_own_process`) and reads the figures it writes.

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
    // Ingest's logs as the `ingest` binary installs them.
    let _logs = bench::support::install_logs_into(&args.log)?;
    let figures = bench::ingest::run(args.smoke).await?;
    std::fs::write(&args.out, serde_json::to_vec(&figures)?)?;
    Ok(())
}
