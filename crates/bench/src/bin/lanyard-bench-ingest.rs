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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // As in `lanyard-bench`: ingest's logs only when asked for.
    let _logs = std::env::var_os("RUST_LOG").and_then(|_| {
        let filter = telemetry::traces::EnvFilter::from_default_env();
        telemetry::traces::install_with_writer(None, filter, std::io::stderr)
    });
    let figures = bench::ingest::run(args.smoke).await?;
    std::fs::write(&args.out, serde_json::to_vec(&figures)?)?;
    Ok(())
}
