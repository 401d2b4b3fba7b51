//! `lanyard backup nats` and `lanyard restore nats`: what only NATS holds, to a file and back
//! (see `bus::backup`). PostgreSQL is backed up with its own tools (`scripts/backup.sh` runs
//! both, NATS first: docs/operations.md, "Backups and restore", says why).

use anyhow::Context;
use clap::Subcommand;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Write every message of the webhook stream, the events stream and the installations
    /// bucket to FILE (JSON lines; payloads as sealed as on the bus). Connects as `ops`: the
    /// credentials directory must hold `ops.nk`.
    Nats {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum RestoreCommand {
    /// Publish a NATS backup into a fresh NATS (before the services start), then have the
    /// relay republish whatever the restored PostgreSQL logged after the backup's last event.
    /// Restore PostgreSQL first. Connects as `ops`.
    Nats {
        #[arg(long)]
        from: PathBuf,
    },
}

pub async fn backup(settings: &runtime::Settings, command: BackupCommand) -> anyhow::Result<()> {
    let BackupCommand::Nats { out } = command;
    let bus = ops_bus(settings).await?;
    // Members' webhooks (sealed) and events: readable by its owner only, from the start.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&out)
        .with_context(|| format!("creating {} (--out)", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let summary = bus.backup(&mut writer).await?;
    drop(writer);
    println!(
        "NATS backed up to {}: {}; last event position {}",
        out.display(),
        counts(&summary),
        summary.last_event_position
    );
    Ok(())
}

pub async fn restore(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    command: RestoreCommand,
) -> anyhow::Result<()> {
    let RestoreCommand::Nats { from } = command;
    let file = std::fs::File::open(&from)
        .with_context(|| format!("opening {} (--from)", from.display()))?;
    let bus = ops_bus(settings).await?;
    let summary = bus
        .restore(std::io::BufReader::new(file))
        .await
        .with_context(|| format!("restoring {}", from.display()))?;
    let client = pool
        .get()
        .await
        .context("connecting to PostgreSQL (database.url): restore it first")?;
    let published =
        store::relay_checkpoint::position(&client, store::relay_checkpoint::NATS_RELAY).await?;
    // Events the log holds past the backup's last one were published after the NATS backup:
    // the relay publishes them again into the restored stream.
    let resume = published.min(summary.last_event_position);
    store::relay_checkpoint::save(&client, store::relay_checkpoint::NATS_RELAY, resume).await?;
    println!(
        "NATS restored from {}: {}; {} webhooks past their retention left out; the relay \
         publishes the log after position {resume} (it had reached {published})",
        from.display(),
        counts(&summary),
        summary.expired
    );
    Ok(())
}

async fn ops_bus(settings: &runtime::Settings) -> anyhow::Result<bus::Bus> {
    bus::Bus::connect(&settings.nats, bus::auth::Identity::Ops)
        .await
        .context("connecting to NATS (nats.url) as ops (ops.nk in nats.credentials_dir)")
}

fn counts(summary: &bus::backup::Summary) -> String {
    summary
        .messages
        .iter()
        .map(|(stream, n)| format!("{stream} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
