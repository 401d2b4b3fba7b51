//! `lanyard`: the operator's command line.

use cli::args::{
    Cli, Command, EventsCommand, MembersCommand, OptixCommand, ProjectionsCommand, WebhooksCommand,
};
use cli::configure::{self, OrgListing};
use cli::{history, members};

use anyhow::Context;
use clap::Parser;
use std::io::IsTerminal;

/// `lanyard replay` folds the whole log into in-memory tables: about ten allocations per event,
/// made on one thread and freed on others. glibc's malloc spent a third of the replay's CPU
/// there (docs/performance.md, "Replay"); mimalloc a fraction of it. Of the services only ingest
/// uses it: provision's peak memory at 100,000 members was 112 MiB with it against 59 with
/// glibc's (docs/performance.md, "mimalloc for ingest").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    if run_without_configuration(&cli.command)? {
        return Ok(());
    }
    let settings = runtime::load_settings(cli.config.as_deref())
        .context("loading configuration (pass --config FILE or set LANYARD_CONFIG)")?;
    let pool = store::create_pool(&settings.database.url, 2)?;
    run_with_configuration(cli.command, &settings, &pool).await
}

/// The commands that need no configuration (an Optix manifest, NATS keys, completions, manual
/// pages); false for every other command.
fn run_without_configuration(command: &Command) -> anyhow::Result<bool> {
    match command {
        Command::Optix {
            command: OptixCommand::Manifest { public_url },
        } => {
            let settings = optix::manifest::app_settings(public_url)?;
            println!("{}", serde_json::to_string_pretty(&settings)?);
        }
        Command::NatsAuth {
            dir,
            webhook_stream,
        } => {
            let generated = bus::auth::generate(dir, webhook_stream)?;
            println!(
                "NATS seeds in {} (nats.credentials_dir); nats-server authorization in {}",
                generated.dir.display(),
                generated.conf.display()
            );
        }
        Command::Mail {
            command: cli::mail::MailCommand::Wording { lang },
        } => print!("{}", cli::mail::wording(lang)?),
        Command::Completions { shell } => {
            cli::args::completions(*shell, &mut std::io::stdout());
        }
        Command::Man { dir: None } => {
            cli::args::man_page(&mut std::io::stdout())?;
        }
        Command::Man { dir: Some(dir) } => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            cli::args::man_pages(dir)
                .with_context(|| format!("writing manual pages to {}", dir.display()))?;
            println!("manual pages written to {}", dir.display());
        }
        _ => return Ok(false),
    }
    Ok(true)
}

async fn run_with_configuration(
    command: Command,
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
) -> anyhow::Result<()> {
    match command {
        Command::Migrate => migrate(pool).await?,
        Command::Replay { json } => replay(pool, json).await?,
        Command::Backup { command } => cli::backup::backup(settings, command).await?,
        Command::Restore { command } => cli::backup::restore(settings, pool, command).await?,
        Command::Projections {
            command: ProjectionsCommand::Checksum,
        } => {
            let client = connect(pool).await?;
            for (table, rows, digest) in store::replay::checksums(&client).await? {
                println!("{table:<16} {rows:>10} rows  {digest}");
            }
        }
        Command::Events { command } => events(pool, command).await?,
        Command::Locations { command } => configure::locations(settings, pool, command).await?,
        Command::Plans { command } => configure::plans(settings, pool, command).await?,
        Command::Nas { command } => cli::registry::nas(settings, pool, command).await?,
        Command::Devices { command } => cli::registry::devices(settings, command).await?,
        Command::Controllers { command } => {
            cli::controllers::controllers(settings, pool, command).await?
        }
        Command::Mail { command } => cli::mail::mail(settings, pool, command).await?,
        Command::VlanPool { org, pool: range } => {
            configure::vlan_pool(settings, &org, range).await?
        }
        Command::Sync { org, wait } => {
            configure::sync(
                settings,
                pool,
                &org,
                std::time::Duration::from_secs(wait),
                &mut std::io::stdout(),
            )
            .await?
        }
        Command::Officernd { command } => cli::officernd::run(settings, command).await?,
        Command::Syncs(OrgListing { org, json }) => configure::syncs(pool, &org, json).await?,
        Command::Groups(OrgListing { org, json }) => configure::groups(pool, &org, json).await?,
        Command::Notifications(OrgListing { org, json }) => {
            configure::notifications(pool, &org, json).await?
        }
        Command::Optix { .. }
        | Command::NatsAuth { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => {
            unreachable!("handled before the configuration is loaded")
        }
        Command::Webhooks {
            command: WebhooksCommand::Replay { org, since },
        } => replay_webhooks(settings, org, &since).await?,
        Command::Members {
            command:
                MembersCommand::Show {
                    org,
                    user,
                    at,
                    json,
                },
        } => show_member(pool, &org, &user, at, json).await?,
        Command::Members {
            command: MembersCommand::List { org, json },
        } => list_members(settings, pool, org, json).await?,
    }
    Ok(())
}

async fn connect(pool: &deadpool_postgres::Pool) -> anyhow::Result<deadpool_postgres::Object> {
    pool.get()
        .await
        .context("connecting to PostgreSQL (database.url)")
}

async fn migrate(pool: &deadpool_postgres::Pool) -> anyhow::Result<()> {
    let mut client = connect(pool).await?;
    let applied = store::migrations::migrate(&mut client).await?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        println!("applied migrations: {applied:?}");
    }
    Ok(())
}

/// Rebuilds every projection from the log, with progress on a terminal.
async fn replay(pool: &deadpool_postgres::Pool, json: bool) -> anyhow::Result<()> {
    // Fails early, naming the setting, when PostgreSQL cannot be reached.
    drop(connect(pool).await?);
    let started = std::time::Instant::now();
    let on_terminal = std::io::stderr().is_terminal();
    let report = store::replay::rebuild_all(pool, |applied, last, head| {
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
    let phases = report.phases;
    if json {
        let outcome = serde_json::json!({
            "events": report.events,
            "last_position": report.last_position,
            "seconds": seconds,
            "read_and_fold_seconds": phases.read_and_fold.as_secs_f64(),
            "write_seconds": phases.write.as_secs_f64(),
            "catch_up_and_swap_seconds": phases.catch_up_and_swap.as_secs_f64(),
            "writers": report.writers,
        });
        println!("{outcome}");
        return Ok(());
    }
    println!(
        "rebuilt projections from {} events (up to position {}) in {:.2} s ({:.0} events/s; \
         reading and folding {:.2} s, writing {:.2} s on {} connection(s), catching up and \
         swapping {:.2} s)",
        report.events,
        report.last_position,
        seconds,
        report.events as f64 / seconds.max(1e-6),
        phases.read_and_fold.as_secs_f64(),
        phases.write.as_secs_f64(),
        report.writers,
        phases.catch_up_and_swap.as_secs_f64(),
    );
    Ok(())
}

/// Re-publishes the stored webhooks received since `since` for provision to reconcile.
async fn replay_webhooks(
    settings: &runtime::Settings,
    org: Option<String>,
    since: &str,
) -> anyhow::Result<()> {
    let since = parse_since(since, chrono::Utc::now())?;
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
    Ok(())
}

/// One member's access at `at` (an RFC 3339 timestamp; now without it).
async fn show_member(
    pool: &deadpool_postgres::Pool,
    org: &str,
    user: &str,
    at: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let at = match at {
        Some(text) => chrono::DateTime::parse_from_rfc3339(&text)
            .with_context(|| {
                format!("--at {text:?} is not an RFC 3339 timestamp (e.g. 2026-11-22T23:30:00Z)")
            })?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    };
    let client = connect(pool).await?;
    let view = members::show_at(&client, org, user, at).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        print!("{}", members::render_show(&view));
    }
    Ok(())
}

async fn list_members(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    org: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let keys = settings
        .provision
        .key_ring()
        .context("provision.master_key / provision.hash_key are needed to show member names")?;
    let client = connect(pool).await?;
    let members = members::list(&client, &keys, org.as_deref(), chrono::Utc::now()).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&members)?);
    } else {
        print!("{}", members::table(&members));
    }
    Ok(())
}

fn parse_tz(name: &str) -> anyhow::Result<chrono_tz::Tz> {
    name.parse::<chrono_tz::Tz>().map_err(|_| {
        anyhow::anyhow!("unknown time zone {name:?} (use an IANA name such as Europe/Rome)")
    })
}

async fn events(pool: &deadpool_postgres::Pool, command: EventsCommand) -> anyhow::Result<()> {
    let client = connect(pool).await?;
    match command {
        EventsCommand::Tail {
            after,
            follow,
            json,
        } => tail_events(&client, after, follow, json).await,
        EventsCommand::Stream { stream, json } => print_stream(&client, &stream, json).await,
        EventsCommand::History {
            org,
            user,
            tz,
            json,
        } => print_history(&client, &org, &user, &tz, json).await,
    }
}

/// The log from after `after` on, in batches; with `follow`, waiting for new events.
async fn tail_events(
    client: &deadpool_postgres::Object,
    after: i64,
    follow: bool,
    json: bool,
) -> anyhow::Result<()> {
    let utc = chrono_tz::UTC;
    let mut last = after;
    loop {
        let batch = store::event_log::read_all(client, last, 1000).await?;
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
            return Ok(());
        }
        if batch.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

async fn print_stream(
    client: &deadpool_postgres::Object,
    stream: &str,
    json: bool,
) -> anyhow::Result<()> {
    let utc = chrono_tz::UTC;
    let id = store::replay::parse_stream_id(stream)
        .with_context(|| format!("{stream:?} is not a stream id (member-ORG-USER or org-ORG)"))?;
    let (events, version) = store::event_log::read_stream(client, &id).await?;
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
    Ok(())
}

/// One member's history in words, in time zone `tz`.
async fn print_history(
    client: &deadpool_postgres::Object,
    org: &str,
    user: &str,
    tz: &str,
    json: bool,
) -> anyhow::Result<()> {
    let tz = parse_tz(tz)?;
    let (events, _) =
        store::event_log::read_stream(client, &domain::StreamId::member(org, user)).await?;
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
