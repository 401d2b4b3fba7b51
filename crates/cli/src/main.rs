//! `lanyard`: the operator's command line.

use cli::configure::{self, LocationsCommand, PlansCommand};
use cli::{history, members};

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
    /// Follow and inspect the event log.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// Optix integration helpers (no configuration needed).
    Optix {
        #[command(subcommand)]
        command: OptixCommand,
    },
    /// Re-drive stored webhooks.
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// Rebuild every projection from the event log (side by side, swapped in when caught up;
    /// safe while the services run).
    Replay,
    /// Inspect projections.
    Projections {
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
    /// Map Optix locations to Lanyard locations (network, time zone, VLAN pool, roaming).
    Locations {
        #[command(subcommand)]
        command: LocationsCommand,
    },
    /// Map Optix plan templates to access profiles (VLAN, bandwidth, duration, no WiFi).
    Plans {
        #[command(subcommand)]
        command: PlansCommand,
    },
    /// Set (FIRST-LAST, e.g. 100-199) or remove (no argument) the organization's VLAN pool
    /// for team groups.
    VlanPool {
        #[arg(long)]
        org: String,
        pool: Option<String>,
    },
    /// Run a full sync of an organization with Optix now.
    Sync {
        #[arg(long)]
        org: String,
    },
    /// Recent full syncs and what they corrected (the drift report).
    Syncs {
        #[arg(long)]
        org: String,
    },
    /// Team groups with their VLANs.
    Groups {
        #[arg(long)]
        org: String,
    },
    /// What admins are told: unmapped locations, failed syncs, groups without a VLAN.
    Notifications {
        #[arg(long)]
        org: String,
    },
    /// Generate the NATS identities (no configuration needed): a seed per service in DIR
    /// (`ingest.nk`, `provision.nk`, `portal.nk`, `cli.nk`, `ops.nk`; mode 0600, kept when
    /// present) and DIR/auth.conf, the nats-server `authorization` block with each identity's
    /// permissions. Point each service at its seed (nats.credentials_dir = DIR, or
    /// nats.nkey_seed_file) and include auth.conf from the server's configuration.
    NatsAuth {
        dir: std::path::PathBuf,
        /// The webhook stream's name (nats.webhook_stream).
        #[arg(long, default_value = "OPTIX_WEBHOOKS")]
        webhook_stream: String,
    },
}

#[derive(Subcommand)]
enum EventsCommand {
    /// Print the log from a position on; with --follow, keep printing new events.
    Tail {
        /// Start after this global position (0 = from the beginning).
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long)]
        follow: bool,
        #[arg(long)]
        json: bool,
    },
    /// One stream's events, e.g. `member-6267-12346` or `org-6267`.
    Stream {
        stream: String,
        #[arg(long)]
        json: bool,
    },
    /// One member's history in plain words, with the cause of each step.
    History {
        #[arg(long)]
        org: String,
        #[arg(long)]
        user: String,
        /// Time zone for the times shown (IANA name, e.g. Europe/Rome).
        #[arg(long, default_value = "UTC")]
        tz: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum OptixCommand {
    /// Print the app settings file to paste into Optix (Apps → Develop → your app → Advanced
    /// settings): every webhook Lanyard needs and its canvases, at your public URL.
    Manifest {
        /// Where ingest and the portal are reachable from Optix, e.g. https://wifi.example.com
        #[arg(long)]
        public_url: String,
    },
}

#[derive(Subcommand)]
enum WebhooksCommand {
    /// Publish the webhooks stored since a time again, so provision reconciles every member they
    /// name against the Optix API. Safe to run any time: provision is idempotent. The repair tool
    /// for anything a bug or an outage got wrong.
    Replay {
        /// Only this Optix organization (default: all).
        #[arg(long)]
        org: Option<String>,
        /// RFC 3339 timestamp, or a duration back from now: 30m, 2h, 1d.
        #[arg(long)]
        since: String,
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
    /// What access one member had at a moment (default now), folded from the log.
    Show {
        #[arg(long)]
        org: String,
        user: String,
        /// RFC 3339 timestamp, e.g. 2026-11-22T23:30:00+01:00.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() {
    // Like any Unix tool: `lanyard ... | head` ends quietly instead of panicking on EPIPE.
    // SAFETY: restoring the default disposition of a signal, before any thread writes output.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("lanyard: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Optix {
        command: OptixCommand::Manifest { public_url },
    } = &cli.command
    {
        let settings = optix::manifest::app_settings(public_url)?;
        println!("{}", serde_json::to_string_pretty(&settings)?);
        return Ok(());
    }
    if let Command::NatsAuth {
        dir,
        webhook_stream,
    } = &cli.command
    {
        let generated = bus::auth::generate(dir, webhook_stream)?;
        println!(
            "NATS seeds in {} (nats.credentials_dir); nats-server authorization in {}",
            generated.dir.display(),
            generated.conf.display()
        );
        return Ok(());
    }
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
            for (table, rows, digest) in store::replay::checksums(&client).await? {
                println!("{table:<16} {rows:>10} rows  {digest}");
            }
        }
        Command::Events { command } => events(&pool, command).await?,
        Command::Locations { command } => configure::locations(&settings, &pool, command).await?,
        Command::Plans { command } => configure::plans(&settings, &pool, command).await?,
        Command::VlanPool { org, pool: range } => {
            configure::vlan_pool(&settings, &org, range).await?
        }
        Command::Sync { org } => configure::sync(&settings, &org).await?,
        Command::Syncs { org } => configure::syncs(&pool, &org).await?,
        Command::Groups { org } => configure::groups(&pool, &org).await?,
        Command::Notifications { org } => configure::notifications(&pool, &org).await?,
        Command::Optix { .. } | Command::NatsAuth { .. } => {
            unreachable!("handled before the configuration is loaded")
        }
        Command::Webhooks {
            command: WebhooksCommand::Replay { org, since },
        } => {
            let since = parse_since(&since, chrono::Utc::now())?;
            let bus = bus::Bus::connect(&settings.nats, bus::auth::Identity::Cli)
                .await
                .context("connecting to NATS (nats.url)")?;
            let start = time::OffsetDateTime::from_unix_timestamp(since.timestamp())
                .context("--since is out of range")?;
            let run_id = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f").to_string();
            let replayed = bus.replay_webhooks(org.as_deref(), start, &run_id).await?;
            println!(
                "re-published {replayed} webhooks received since {} ({}); provision reconciles them now (run {run_id})",
                since.to_rfc3339(),
                org.map(|o| format!("organization {o}"))
                    .unwrap_or_else(|| "all organizations".into())
            );
        }
        Command::Members {
            command:
                MembersCommand::Show {
                    org,
                    user,
                    at,
                    json,
                },
        } => {
            let at = match at {
                Some(text) => chrono::DateTime::parse_from_rfc3339(&text)
                    .with_context(|| {
                        format!(
                            "--at {text:?} is not an RFC 3339 timestamp (e.g. 2026-11-22T23:30:00Z)"
                        )
                    })?
                    .with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            let client = pool
                .get()
                .await
                .context("connecting to PostgreSQL (database.url)")?;
            let view = members::show_at(&client, &org, &user, at).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                print!("{}", members::render_show(&view));
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
            let members = members::list(&client, &keys, org.as_deref(), chrono::Utc::now()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&members)?);
            } else {
                print!("{}", members::table(&members));
            }
        }
    }
    Ok(())
}

fn parse_tz(name: &str) -> anyhow::Result<chrono_tz::Tz> {
    name.parse::<chrono_tz::Tz>().map_err(|_| {
        anyhow::anyhow!("unknown time zone {name:?} (use an IANA name such as Europe/Rome)")
    })
}

async fn events(pool: &deadpool_postgres::Pool, command: EventsCommand) -> anyhow::Result<()> {
    let client = pool
        .get()
        .await
        .context("connecting to PostgreSQL (database.url)")?;
    let utc = chrono_tz::UTC;
    match command {
        EventsCommand::Tail {
            after,
            follow,
            json,
        } => {
            let mut last = after;
            loop {
                let batch = store::event_log::read_all(&client, last, 1000).await?;
                for event in &batch {
                    let line = history::line(event, utc);
                    if json {
                        println!("{}", serde_json::to_string(&line)?);
                    } else {
                        println!(
                            "{:>8} {:<24} {}",
                            line.position,
                            line.stream,
                            history::render(&line, utc)
                        );
                    }
                    last = event.global_position;
                }
                if !follow {
                    break;
                }
                if batch.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
        EventsCommand::Stream { stream, json } => {
            let id = store::replay::parse_stream_id(&stream).with_context(|| {
                format!("{stream:?} is not a stream id (member-ORG-USER or org-ORG)")
            })?;
            let (events, version) = store::event_log::read_stream(&client, &id).await?;
            if events.is_empty() {
                anyhow::bail!("stream {stream} has no events");
            }
            for event in &events {
                if json {
                    println!("{}", serde_json::to_string(&history::line(event, utc))?);
                } else {
                    println!(
                        "{:>4} {:<22} {}",
                        event.stream_version,
                        event.event.type_name(),
                        history::render(&history::line(event, utc), utc)
                    );
                }
            }
            if !json {
                println!("stream {stream} at version {version}");
            }
        }
        EventsCommand::History {
            org,
            user,
            tz,
            json,
        } => {
            let tz = parse_tz(&tz)?;
            let (events, _) =
                store::event_log::read_stream(&client, &domain::StreamId::member(&org, &user))
                    .await?;
            if events.is_empty() {
                anyhow::bail!("no history for user {user} of organization {org}");
            }
            for event in &events {
                let line = history::line(event, tz);
                if json {
                    println!("{}", serde_json::to_string(&line)?);
                } else {
                    println!("{}", history::render(&line, tz));
                }
            }
        }
    }
    Ok(())
}

/// `2026-11-22T10:00:00Z`, or `30m` / `2h` / `1d` back from `now`.
fn parse_since(
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let amount: i64 = number.parse().map_err(|_| {
        anyhow::anyhow!(
            "--since {text:?}: use an RFC 3339 timestamp or a duration like 30m, 2h, 1d"
        )
    })?;
    let span = match unit {
        "m" => chrono::Duration::minutes(amount),
        "h" => chrono::Duration::hours(amount),
        "d" => chrono::Duration::days(amount),
        _ => anyhow::bail!("--since {text:?}: the unit must be m, h or d"),
    };
    Ok(now - span)
}
