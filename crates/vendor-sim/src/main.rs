//! `vendor-sim`: the simulated APIs of the WiFi controller vendors Lanyard pushes keys to.

use clap::Parser;

/// The WiFi vendors' simulator: Meraki, Mist and UniFi API subsets, faults, admin API.
#[derive(Parser)]
struct Args {
    /// Where it listens.
    #[arg(long, env = "VENDOR_SIM_LISTEN", default_value = "127.0.0.1:8095")]
    listen: String,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let _tracing = telemetry::init("vendor-sim");
    let args = Args::parse();
    let running = vendor_sim::start(&args.listen).await?;
    tracing::info!(url = %running.url, "vendor-sim listening");
    running.server.await?;
    Ok(())
}
