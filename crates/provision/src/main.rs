use clap::Parser;

/// Lanyard provision: folds Optix webhooks into the event log.
#[derive(Parser)]
struct Args {
    /// Configuration file (TOML); every key can be overridden with LANYARD__SECTION__KEY.
    #[arg(long, env = "LANYARD_CONFIG")]
    config: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _tracing = telemetry::init("provision");
    let args = Args::parse();
    let settings = runtime::load_settings(args.config.as_deref())?;
    let app = provision::Application::build(settings).await?;
    tracing::info!(port = app.port(), "provision started");
    app.run_until_stopped().await
}
