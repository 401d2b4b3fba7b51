//! `lanyard nas …` (the NAS registry: access points and controllers that may ask RADIUS for
//! keys) and `lanyard devices …` (members' devices). Changes go to provision as commands; the
//! listing reads the projection. A NAS secret comes from a file or stdin, never the command
//! line (argv is visible to every user of the machine), and is never printed.

use crate::configure::{OrgListing, print_json, send};
use anyhow::Context;
use bus::commands::{Command, NasSecretText};
use clap::{Subcommand, ValueEnum};
use domain::NasDialect;
use domain::nas::{DEFAULT_COA_PORT, SecretText, canonical_address, check_nas_id, check_secret};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum NasCommand {
    /// The organization's NASes (never their secrets).
    List(OrgListing),
    /// Register a NAS, or change its registration (same --id).
    Add {
        #[arg(long)]
        org: String,
        /// The Optix location it serves (a mapped location).
        #[arg(long)]
        location: String,
        /// A short id of your choosing: a–z, 0–9 and '-', at most 32 (e.g. lobby-ap-1).
        #[arg(long)]
        id: String,
        /// A name for people (default: the id).
        #[arg(long)]
        name: Option<String>,
        /// The address RADIUS requests come from: one address (10.0.0.7) or a network
        /// (10.0.0.0/24). No two NASes, of any organization, may overlap.
        #[arg(long)]
        address: String,
        #[arg(long, value_enum)]
        dialect: Dialect,
        /// An SSID it serves Lanyard keys on (repeat for several).
        #[arg(long = "ssid", required = true)]
        ssids: Vec<String>,
        /// Where it listens for Disconnect-Requests (RFC 5176).
        #[arg(long, default_value_t = DEFAULT_COA_PORT)]
        coa_port: u16,
        /// A file holding the RADIUS shared secret (16–128 printable characters, no spaces),
        /// or `-` for stdin. Leave it out to keep the recorded secret when changing a NAS.
        #[arg(long)]
        secret_file: Option<PathBuf>,
    },
    /// Remove a NAS: its requests are dropped from then on.
    Remove {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Dialect {
    /// Cisco iPSK (Cisco-AVPair psk-mode/psk).
    Cisco,
    /// Aruba MPSK (Aruba-MPSK-Passphrase).
    Aruba,
    /// Meraki iPSK with RADIUS (Tunnel-Password).
    Meraki,
    /// OpenWrt / hostapd ppsk (Tunnel-Password).
    Hostapd,
}

impl From<Dialect> for NasDialect {
    fn from(dialect: Dialect) -> NasDialect {
        match dialect {
            Dialect::Cisco => NasDialect::Cisco,
            Dialect::Aruba => NasDialect::Aruba,
            Dialect::Meraki => NasDialect::Meraki,
            Dialect::Hostapd => NasDialect::Hostapd,
        }
    }
}

#[derive(Subcommand)]
pub enum DevicesCommand {
    /// Register a device (by MAC) to a member.
    Add {
        #[arg(long)]
        org: String,
        #[arg(long)]
        user: String,
        /// AA:BB:CC:DD:EE:FF, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or aabbccddeeff.
        #[arg(long)]
        mac: String,
        #[arg(long)]
        name: String,
    },
    /// Remove a member's device.
    Remove {
        #[arg(long)]
        org: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        mac: String,
    },
}

/// The secret as read from `path` (`-`: stdin), without its trailing line break.
pub fn read_secret(path: &Path, stdin: &mut dyn Read) -> anyhow::Result<SecretText> {
    let mut text = String::new();
    if path == Path::new("-") {
        stdin
            .read_to_string(&mut text)
            .context("reading the NAS secret from stdin")?;
    } else {
        text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the NAS secret from {}", path.display()))?;
    }
    let secret = SecretText::new(text.trim_end_matches(['\n', '\r']));
    check_secret(&secret).map_err(|e| anyhow::anyhow!("refused: {e} (in {})", path.display()))?;
    Ok(secret)
}

pub async fn nas(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    command: NasCommand,
) -> anyhow::Result<()> {
    match command {
        NasCommand::List(OrgListing { org, json }) => {
            let client = pool.get().await.context("connecting to PostgreSQL")?;
            let lines = nas_lines(&client, &org).await?;
            if json {
                return print_json(&lines);
            }
            print!("{}", render_nas_lines(&org, &lines));
            Ok(())
        }
        NasCommand::Add {
            org,
            location,
            id,
            name,
            address,
            dialect,
            ssids,
            coa_port,
            secret_file,
        } => {
            // Checked here too, so bad input is refused before connecting anywhere.
            check_nas_id(&id).map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            canonical_address(&address).map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            let secret = secret_file
                .map(|path| read_secret(&path, &mut std::io::stdin()))
                .transpose()?;
            let command = Command::RegisterNas {
                nas_id: id.clone(),
                location_id: location,
                name: name.unwrap_or_else(|| id.clone()),
                address,
                dialect: dialect.into(),
                ssids,
                coa_port: Some(coa_port),
                secret: secret.map(|s| NasSecretText(s.expose().to_owned())),
            };
            send(settings, &org, command, &format!("registered NAS {id}")).await
        }
        NasCommand::Remove { org, id } => {
            let command = Command::RemoveNas { nas_id: id.clone() };
            send(settings, &org, command, &format!("removed NAS {id}")).await
        }
    }
}

pub async fn devices(settings: &runtime::Settings, command: DevicesCommand) -> anyhow::Result<()> {
    match command {
        DevicesCommand::Add {
            org,
            user,
            mac,
            name,
        } => {
            let parsed: domain::Mac = mac.parse().map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            let what = format!("added device {} to member {user}", parsed.display_colons());
            let command = Command::AddDevice {
                user_id: user,
                mac,
                name,
            };
            send(settings, &org, command, &what).await
        }
        DevicesCommand::Remove { org, user, mac } => {
            let parsed: domain::Mac = mac.parse().map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            let what = format!(
                "removed device {} of member {user}",
                parsed.display_colons()
            );
            let command = Command::RemoveDevice { user_id: user, mac };
            send(settings, &org, command, &what).await
        }
    }
}

/// One row of `lanyard nas list` (no secret: not even sealed).
#[derive(Debug, serde::Serialize)]
pub struct NasLine {
    pub nas_id: String,
    pub location_id: String,
    pub name: String,
    pub address: String,
    pub dialect: NasDialect,
    pub ssids: Vec<String>,
    pub coa_port: u16,
    pub registered_at: chrono::DateTime<chrono::Utc>,
}

pub async fn nas_lines(
    client: &impl store::GenericClient,
    org: &str,
) -> anyhow::Result<Vec<NasLine>> {
    Ok(store::queries::nases(client, org)
        .await?
        .into_iter()
        .map(|nas| NasLine {
            nas_id: nas.nas_id,
            location_id: nas.location_id,
            name: nas.name,
            address: nas.address,
            dialect: nas.dialect,
            ssids: nas.ssids,
            coa_port: nas.coa_port,
            registered_at: nas.registered_at,
        })
        .collect())
}

pub fn render_nas_lines(org: &str, lines: &[NasLine]) -> String {
    if lines.is_empty() {
        return format!("no NAS registered for organization {org}\n");
    }
    let mut out = String::new();
    for nas in lines {
        out.push_str(&format!(
            "{:<16} location {:<8} {:<20} {:<18} {:<8} CoA {:<5} SSIDs {}  (secret sealed)\n",
            nas.nas_id,
            nas.location_id,
            nas.name,
            nas.address,
            nas.dialect.as_str(),
            nas.coa_port,
            nas.ssids.join(", ")
        ));
    }
    out
}
