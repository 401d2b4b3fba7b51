use anyhow::Context;
use clap::Parser;
use std::time::Duration;

/// The Optix simulator: GraphQL subset, signed webhooks, admin API.
#[derive(Parser)]
struct Args {
    /// Configuration file (TOML, section [sim]); keys can be overridden with LANYARD__SIM__KEY.
    #[arg(long, env = "LANYARD_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Deliver the demo organization's webhooks once started.
    #[arg(long)]
    deliver_demo: bool,
}

#[derive(serde::Deserialize)]
struct SimSection {
    #[serde(default = "default_listen")]
    listen: String,
    webhook_url: Option<String>,
    fixture: Option<std::path::PathBuf>,
    #[serde(default = "default_rate")]
    rate_limit_per_minute: u32,
    #[serde(default = "default_retry_interval")]
    retry_interval_secs: u64,
    #[serde(default = "default_retries")]
    max_retries: u32,
    /// Each change's webhook waits a random time between these (Optix: 1 and 15 s);
    /// 0 and 0 (the default) deliver at once.
    #[serde(default)]
    dispatch_delay_min_secs: u64,
    #[serde(default)]
    dispatch_delay_max_secs: u64,
}

fn default_listen() -> String {
    "127.0.0.1:8090".into()
}
fn default_rate() -> u32 {
    60
}
fn default_retry_interval() -> u64 {
    600
}
fn default_retries() -> u32 {
    10
}

#[derive(serde::Deserialize)]
struct File {
    sim: SimSection,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let _tracing = telemetry::init("optix-sim");
    let args = Args::parse();
    let mut builder = config::Config::builder();
    if let Some(path) = &args.config {
        builder =
            builder.add_source(config::File::from(path.as_path()).format(config::FileFormat::Toml));
    }
    let file: File = builder
        .add_source(
            config::Environment::with_prefix("LANYARD")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        )
        .build()
        .and_then(|c| c.try_deserialize())
        .context("reading the [sim] configuration")?;
    let s = file.sim;
    anyhow::ensure!(
        s.dispatch_delay_min_secs <= s.dispatch_delay_max_secs,
        "sim.dispatch_delay_min_secs exceeds sim.dispatch_delay_max_secs"
    );
    let dispatch_delay = (s.dispatch_delay_max_secs > 0).then(|| {
        Duration::from_secs(s.dispatch_delay_min_secs)
            ..=Duration::from_secs(s.dispatch_delay_max_secs)
    });
    let running = optix_sim::spawn(optix_sim::SimConfig {
        listen: s.listen,
        webhook_url: s.webhook_url,
        rate_limit_per_minute: s.rate_limit_per_minute,
        rate_window: Duration::from_secs(60),
        retry_interval: Duration::from_secs(s.retry_interval_secs),
        max_retries: s.max_retries,
        fixture: s.fixture,
        dispatch_delay,
    })
    .await?;
    tracing::info!(url = running.base_url, "optix-sim listening");
    if args.deliver_demo {
        let accepted = running.sim.deliver_demo().await?;
        tracing::info!(accepted, "demo webhooks delivered");
    }
    runtime_shutdown().await;
    running.server.stop(true).await;
    Ok(())
}

async fn runtime_shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
