use anyhow::Context;
use clap::Parser;
use std::path::PathBuf;

/// The OfficeRnD simulator: token endpoint, API v2 subset, signed webhooks, admin API.
#[derive(Parser)]
struct Args {
    /// Configuration file (TOML, section [officernd_sim]: listen, demo, webhook_url,
    /// webhook_secret_file, reads_per_minute); the options below override it.
    #[arg(long, env = "LANYARD_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8092).
    #[arg(long)]
    listen: Option<String>,
    /// Seed the demo organization (`lanyard-demo`).
    #[arg(long)]
    demo: bool,
    /// Register this URL as the demo organization's webhook endpoint.
    #[arg(long)]
    webhook_url: Option<String>,
    /// A file holding that endpoint's secret.
    #[arg(long)]
    webhook_secret_file: Option<PathBuf>,
    /// Reads per organization per minute (0: no limit).
    #[arg(long)]
    reads_per_minute: Option<u32>,
}

#[derive(serde::Deserialize, Default)]
struct Section {
    listen: Option<String>,
    #[serde(default)]
    demo: bool,
    webhook_url: Option<String>,
    webhook_secret_file: Option<PathBuf>,
    reads_per_minute: Option<u32>,
}

#[derive(serde::Deserialize)]
struct File {
    #[serde(default)]
    officernd_sim: Section,
}

fn section(path: Option<&std::path::Path>) -> anyhow::Result<Section> {
    let Some(path) = path else {
        return Ok(Section::default());
    };
    let file: File = config::Config::builder()
        .add_source(config::File::from(path).format(config::FileFormat::Toml))
        .build()
        .and_then(|c| c.try_deserialize())
        .with_context(|| format!("reading [officernd_sim] from {}", path.display()))?;
    Ok(file.officernd_sim)
}

/// The demo organization, with its webhook endpoint when one is given.
fn demo_organization(
    webhook_url: Option<String>,
    secret_file: Option<PathBuf>,
) -> anyhow::Result<officernd_sim::model::Organization> {
    let mut org = officernd_sim::demo::organization(chrono::Utc::now());
    if let Some(url) = webhook_url {
        let path = secret_file.context("webhook_url needs webhook_secret_file")?;
        let secret = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the webhook secret from {}", path.display()))?;
        org.webhooks.push(officernd_sim::model::WebhookEndpoint {
            id: officernd_sim::model::new_id(),
            url,
            event_types: vec![],
            secret: secret.trim().to_owned(),
            description: "Lanyard (make up)".into(),
        });
    }
    Ok(org)
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let _tracing = telemetry::init("officernd-sim");
    let args = Args::parse();
    let file = section(args.config.as_deref())?;
    let listen = args
        .listen
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8092".into());
    let mut orgs = Vec::new();
    if args.demo || file.demo {
        orgs.push(demo_organization(
            args.webhook_url.or(file.webhook_url),
            args.webhook_secret_file.or(file.webhook_secret_file),
        )?);
    }
    let config = officernd_sim::SimConfig {
        reads_per_minute: args.reads_per_minute.or(file.reads_per_minute).unwrap_or(0),
        ..Default::default()
    };
    let running = officernd_sim::spawn(&listen, config, orgs).context("starting the simulator")?;
    tracing::info!(url = running.url, "officernd-sim listening");
    tokio::signal::ctrl_c().await?;
    running.server.stop(true).await;
    Ok(())
}
