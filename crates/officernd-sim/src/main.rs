use anyhow::Context;
use clap::Parser;

/// The OfficeRnD simulator: token endpoint, API v2 subset, signed webhooks, admin API.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "OFFICERND_SIM_LISTEN", default_value = "127.0.0.1:8092")]
    listen: String,
    /// Seed the demo organization (`lanyard-demo`).
    #[arg(long)]
    demo: bool,
    /// Register this URL as the demo organization's webhook endpoint, with this secret.
    #[arg(long, requires = "webhook_secret")]
    webhook_url: Option<String>,
    #[arg(long, env = "OFFICERND_SIM_WEBHOOK_SECRET")]
    webhook_secret: Option<String>,
    /// Reads per organization per minute (0: no limit).
    #[arg(long, default_value_t = 0)]
    reads_per_minute: u32,
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let _tracing = telemetry::init("officernd-sim");
    let args = Args::parse();
    let mut orgs = Vec::new();
    if args.demo {
        let now = chrono::Utc::now();
        let mut org = officernd_sim::demo::organization(&now.format("%Y-%m-%d").to_string(), now);
        if let (Some(url), Some(secret)) = (&args.webhook_url, &args.webhook_secret) {
            org.webhooks.push(officernd_sim::model::WebhookEndpoint {
                id: officernd_sim::model::new_id(),
                url: url.clone(),
                event_types: vec![],
                secret: secret.clone(),
                description: "Lanyard (make up)".into(),
            });
        }
        orgs.push(org);
    }
    let config = officernd_sim::SimConfig {
        reads_per_minute: args.reads_per_minute,
        ..Default::default()
    };
    let running =
        officernd_sim::spawn(&args.listen, config, orgs).context("starting the simulator")?;
    tracing::info!(url = running.url, "officernd-sim listening");
    tokio::signal::ctrl_c().await?;
    running.server.stop(true).await;
    Ok(())
}
