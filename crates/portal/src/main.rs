use clap::Parser;

/// Lanyard portal: tenant portal and Optix canvases.
#[derive(Parser)]
struct Args {
    /// Configuration file (TOML); every key can be overridden with LANYARD__SECTION__KEY.
    #[arg(long, env = "LANYARD_CONFIG")]
    config: Option<std::path::PathBuf>,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let _tracing = telemetry::init("portal");
    let args = Args::parse();
    let settings = runtime::load_settings(args.config.as_deref())?;
    let app = portal::Application::build(settings).await?;
    tracing::info!(
        port = app.port(),
        ops_port = app.ops_port(),
        "portal listening"
    );
    app.run_until_stopped().await?;
    Ok(())
}
