//! `lanyard`: the operator's command line.

use cli::members;

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;

#[derive(Parser)]
#[command(
    name = "lanyard",
    about = "Operate Lanyard: migrate the database, inspect members"
)]
struct Cli {
    /// Configuration file (TOML); every key can be overridden with LANYARD__SECTION__KEY.
    #[arg(long, global = true, env = "LANYARD_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending database migrations.
    Migrate,
    /// Inspect members (WiFi accounts).
    Members {
        #[command(subcommand)]
        command: MembersCommand,
    },
    /// Rebuild every projection from the event log (side by side, swapped in when caught up;
    /// safe while the services run).
    Replay,
    /// Inspect projections.
    Projections {
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
}

#[derive(Subcommand)]
enum ProjectionsCommand {
    /// Print a digest of each projection table; equal digests mean identical tables.
    Checksum,
}

#[derive(Subcommand)]
enum MembersCommand {
    /// List members with their access, validity and passphrase state.
    List {
        /// Only this Optix organization.
        #[arg(long)]
        org: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("lanyard: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = runtime::load_settings(cli.config.as_deref())
        .context("loading configuration (pass --config FILE or set LANYARD_CONFIG)")?;
    let pool = store::create_pool(&settings.database.url, 2)?;
    match cli.command {
        Command::Migrate => {
            let mut client = pool
                .get()
                .await
                .with_context(|| "connecting to PostgreSQL (database.url)")?;
            let applied = store::migrations::migrate(&mut client).await?;
            if applied.is_empty() {
                println!("database is up to date");
            } else {
                println!("applied migrations: {applied:?}");
            }
        }
        Command::Replay => {
            let mut client = pool
                .get()
                .await
                .context("connecting to PostgreSQL (database.url)")?;
            let started = std::time::Instant::now();
            let on_terminal = std::io::stderr().is_terminal();
            let report = store::replay::rebuild_all(&mut client, |applied, last, head| {
                if on_terminal {
                    let rate = applied as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    eprint!("\rreplaying: {applied} events, position {last}/{head}, {rate:.0} events/s   ");
                }
            })
            .await?;
            if on_terminal {
                eprintln!();
            }
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "rebuilt projections from {} events (up to position {}) in {:.2} s ({:.0} events/s)",
                report.events,
                report.last_position,
                seconds,
                report.events as f64 / seconds.max(1e-6)
            );
        }
        Command::Projections {
            command: ProjectionsCommand::Checksum,
        } => {
            let client = pool
                .get()
                .await
                .context("connecting to PostgreSQL (database.url)")?;
            for (table, rows, digest) in store::replay::checksums(&**client).await? {
                println!("{table:<16} {rows:>10} rows  {digest}");
            }
        }
        Command::Members {
            command: MembersCommand::List { org, json },
        } => {
            let keys = store::KeyRing::from_hex(
                settings.provision.master_key.expose(),
                settings.provision.hash_key.expose(),
            )
            .context("provision.master_key / provision.hash_key are needed to show member names")?;
            let client = pool
                .get()
                .await
                .context("connecting to PostgreSQL (database.url)")?;
            let members =
                members::list(&**client, &keys, org.as_deref(), chrono::Utc::now()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&members)?);
            } else {
                print!("{}", members::table(&members));
            }
        }
    }
    Ok(())
}
