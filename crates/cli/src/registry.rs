//! `lanyard nas …` (the NAS registry: access points and controllers that may ask RADIUS for
//! keys) and `lanyard devices …` (members' devices). Changes go to provision as commands; the
//! listing reads the projection. A NAS secret comes from a file or stdin, never the command
//! line (argv is visible to every user of the machine), and is never printed.

use crate::configure::{OrgListing, print_json, send};
use anyhow::Context;
use bus::commands::{Command, NasSecretText};
use clap::{Args, Subcommand};
use domain::NasDialect;
use domain::nas::{DEFAULT_COA_PORT, SecretText, canonical_address, check_nas_id, check_secret};
use std::io::Read;
use std::path::{Path, PathBuf};
use store::queries::NasView;

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
        /// Which attributes carry the key: cisco (iPSK: Cisco-AVPair psk-mode/psk), aruba
        /// (MPSK: Aruba-MPSK-Passphrase), meraki (iPSK with RADIUS: Tunnel-Password) or
        /// hostapd (OpenWrt ppsk: Tunnel-Password).
        #[arg(long, value_parser = parse_dialect)]
        dialect: NasDialect,
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

fn parse_dialect(text: &str) -> Result<NasDialect, String> {
    NasDialect::parse(text).ok_or_else(|| {
        format!("{text:?} is not a dialect Lanyard speaks: cisco, aruba, meraki or hostapd")
    })
}

/// Whose device, and which.
#[derive(Args)]
pub struct DeviceArgs {
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub user: String,
    /// AA:BB:CC:DD:EE:FF, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff or aabbccddeeff.
    #[arg(long)]
    pub mac: String,
}

#[derive(Subcommand)]
pub enum DevicesCommand {
    /// Register a device (by MAC) to a member.
    Add {
        #[command(flatten)]
        device: DeviceArgs,
        #[arg(long)]
        name: String,
    },
    /// Remove a member's device.
    Remove(DeviceArgs),
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
                dialect,
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
    let (device, name) = match command {
        DevicesCommand::Add { device, name } => (device, Some(name)),
        DevicesCommand::Remove(device) => (device, None),
    };
    let parsed: domain::Mac = device
        .mac
        .parse()
        .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
    let (user_id, mac) = (device.user, device.mac);
    let (what, command) = match name {
        Some(name) => (
            format!(
                "added device {} to member {user_id}",
                parsed.display_colons()
            ),
            Command::AddDevice { user_id, mac, name },
        ),
        None => (
            format!(
                "removed device {} of member {user_id}",
                parsed.display_colons()
            ),
            Command::RemoveDevice { user_id, mac },
        ),
    };
    send(settings, &device.org, command, &what).await
}

/// The rows of `lanyard nas list` (their JSON has no secret, not even sealed).
pub async fn nas_lines(
    client: &impl store::GenericClient,
    org: &str,
) -> anyhow::Result<Vec<NasView>> {
    Ok(store::queries::nases(client, org).await?)
}

pub fn render_nas_lines(org: &str, lines: &[NasView]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_comes_from_stdin_or_a_file_without_its_line_break_and_is_checked() {
        let mut stdin = std::io::Cursor::new("stdin-secret-0123456789\r\n");
        let secret = read_secret(Path::new("-"), &mut stdin).expect("from stdin");
        assert_eq!(secret.expose(), "stdin-secret-0123456789");

        let path = std::env::temp_dir().join(format!("lanyard-secret-{}", std::process::id()));
        std::fs::write(&path, "short\n").expect("write");
        let error = format!(
            "{:#}",
            read_secret(&path, &mut std::io::empty()).expect_err("too short")
        );
        assert!(error.contains("16–128 printable"), "{error}");
        assert!(
            !error.contains("short\n"),
            "the secret is not echoed: {error}"
        );
        std::fs::remove_file(&path).expect("remove");
        let missing = read_secret(Path::new("/nonexistent/secret"), &mut std::io::empty());
        assert!(format!("{:#}", missing.expect_err("missing")).contains("/nonexistent/secret"));
    }
}
