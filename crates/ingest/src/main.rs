use clap::Parser;

/// Lanyard ingest: verifies Optix webhooks and publishes them to JetStream.
#[derive(Parser)]
struct Args {
    /// Configuration file (TOML); every key can be overridden with LANYARD__SECTION__KEY.
    #[arg(long, env = "LANYARD_CONFIG")]
    config: Option<std::path::PathBuf>,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let _tracing = telemetry::init("ingest");
    let args = Args::parse();
    let settings = runtime::load_settings(args.config.as_deref())?;
    let app = ingest::Application::build(settings).await?;
    tracing::info!(
        port = app.port(),
        ops_port = app.ops_port(),
        "ingest listening"
    );
    app.run_until_stopped().await?;
    Ok(())
}
