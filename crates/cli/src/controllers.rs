//! `lanyard controllers …`: which cloud WiFi controller a location's keys go to (Meraki, an
//! OpenWrt AP group, a UniFi WLAN, Mist PSKs), listing, forgetting and testing it. Vendor
//! credentials (a Meraki or UniFi API key, a Mist token, an AP group's token) come from a file
//! or stdin, never the command line (argv is visible to every user of the machine); provision
//! seals them before they enter an event (the mapping is a `MapController` command, like
//! `lanyard nas add`) and nothing prints them.

use crate::configure::{OrgListing, print_json, send};
use anyhow::Context;
use bus::commands::{Command, CredentialText};
use clap::Subcommand;
use controllers::mapping::{self, Target};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ControllersCommand {
    /// The organization's mapped controllers (never their credentials).
    List(OrgListing),
    /// Map a location's keys to a Meraki SSID (identity PSKs), replacing an earlier mapping.
    MapMeraki {
        #[arg(long)]
        org: String,
        /// The Optix location (a mapped Lanyard location).
        #[arg(long)]
        location: String,
        /// The Meraki organization id (rate limits are per organization).
        #[arg(long)]
        meraki_org: String,
        /// The network id (N_…).
        #[arg(long)]
        network: String,
        /// The SSID number (0–14) in identity-PSK-without-RADIUS mode.
        #[arg(long)]
        ssid: u8,
        /// A file holding the Dashboard API key, or `-` for stdin.
        #[arg(long)]
        api_key_file: PathBuf,
    },
    /// Map a location's keys to a UniFi WLAN's private pre-shared keys, replacing an earlier
    /// mapping.
    MapUnifi {
        #[arg(long)]
        org: String,
        #[arg(long)]
        location: String,
        /// The Network application's base URL (`https://console/proxy/network` on UniFi OS).
        #[arg(long)]
        url: String,
        /// The UniFi site name (`default`, …).
        #[arg(long, default_value = "default")]
        site: String,
        /// The WLAN's `_id`.
        #[arg(long)]
        wlan: String,
        /// A file holding the API key (`X-Api-Key`), or `-` for stdin.
        #[arg(long)]
        api_key_file: PathBuf,
    },
    /// Map a location's keys to Mist PSKs of an SSID (a site's, or the organization's when no
    /// site is given), replacing an earlier mapping.
    MapMist {
        #[arg(long)]
        org: String,
        #[arg(long)]
        location: String,
        /// The Mist organization id.
        #[arg(long)]
        mist_org: String,
        /// The Mist site id (site PSKs); without it, organization PSKs.
        #[arg(long)]
        site: Option<String>,
        /// The SSID the keys apply to.
        #[arg(long)]
        ssid: String,
        /// A file holding the API token, or `-` for stdin.
        #[arg(long)]
        token_file: PathBuf,
    },
    /// Map a location's keys to an OpenWrt AP group, which fetches its wpa_psk_file with the
    /// token in the file (at least 32 characters; deploy/openwrt/lanyard-psk-fetch.sh).
    MapOpenwrt {
        #[arg(long)]
        org: String,
        #[arg(long)]
        location: String,
        /// A name for the AP group.
        #[arg(long)]
        ap_group: String,
        /// A file holding the AP group's token, or `-` for stdin.
        #[arg(long)]
        token_file: PathBuf,
    },
    /// Forget a location's controller (its keys at the vendor stay until removed there).
    Unmap {
        #[arg(long)]
        org: String,
        #[arg(long)]
        location: String,
    },
    /// Whether the controller answers with the stored credentials.
    Test {
        #[arg(long)]
        org: String,
        #[arg(long)]
        location: String,
    },
}

/// A credential from `path` (`-`: stdin), without its trailing line break.
pub fn read_credential(
    path: &Path,
    stdin: &mut dyn Read,
    min_chars: usize,
) -> anyhow::Result<String> {
    let mut text = String::new();
    if path == Path::new("-") {
        stdin
            .read_to_string(&mut text)
            .context("reading the credential from stdin")?;
    } else {
        text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the credential from {}", path.display()))?;
    }
    let text = text.trim_end_matches(['\n', '\r']).to_owned();
    anyhow::ensure!(
        text.chars().count() >= min_chars && !text.chars().any(char::is_whitespace),
        "refused: the credential in {} must be at least {min_chars} characters, no spaces",
        path.display()
    );
    Ok(text)
}

pub async fn controllers(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    command: ControllersCommand,
) -> anyhow::Result<()> {
    let stdin = &mut std::io::stdin();
    let (org, location, target, credential) = match command {
        ControllersCommand::List(listing) => {
            let client = pool.get().await.context("connecting to PostgreSQL")?;
            return list(&client, &listing).await;
        }
        ControllersCommand::Unmap { org, location } => {
            let what = format!("unmapped the controller of {location}");
            let command = Command::UnmapController {
                location_id: location,
            };
            return send(settings, &org, command, &what).await;
        }
        ControllersCommand::Test { org, location } => {
            return test(settings, pool.clone(), &org, &location).await;
        }
        ControllersCommand::MapMeraki {
            org,
            location,
            meraki_org,
            network,
            ssid,
            api_key_file,
        } => {
            let target = Target::Meraki {
                organization_id: meraki_org,
                network_id: network,
                ssid_number: ssid,
            };
            (
                org,
                location,
                target,
                read_credential(&api_key_file, stdin, 20)?,
            )
        }
        command @ (ControllersCommand::MapUnifi { .. } | ControllersCommand::MapMist { .. }) => {
            cloud_mapping(command, stdin)?
        }
        ControllersCommand::MapOpenwrt {
            org,
            location,
            ap_group,
            token_file,
        } => (
            org,
            location,
            Target::Openwrt { ap_group },
            read_credential(&token_file, stdin, 32)?,
        ),
    };
    let what = format!(
        "mapped {location} to {} (credentials sealed)",
        target.vendor()
    );
    let command = Command::MapController {
        location_id: location,
        target,
        credentials: CredentialText(credential),
    };
    send(settings, &org, command, &what).await
}

/// The location, target and credential of `map-unifi` / `map-mist`.
fn cloud_mapping(
    command: ControllersCommand,
    stdin: &mut impl Read,
) -> anyhow::Result<(String, String, Target, String)> {
    Ok(match command {
        ControllersCommand::MapUnifi {
            org,
            location,
            url,
            site,
            wlan,
            api_key_file,
        } => {
            let target = Target::Unifi {
                url,
                site,
                wlan_id: wlan,
            };
            let key = read_credential(&api_key_file, stdin, 20)?;
            (org, location, target, key)
        }
        ControllersCommand::MapMist {
            org,
            location,
            mist_org,
            site,
            ssid,
            token_file,
        } => {
            let target = Target::Mist {
                org_id: mist_org,
                site_id: site,
                ssid,
            };
            let token = read_credential(&token_file, stdin, 20)?;
            (org, location, target, token)
        }
        _ => anyhow::bail!("not a UniFi or Mist mapping"),
    })
}

async fn list(client: &deadpool_postgres::Client, listing: &OrgListing) -> anyhow::Result<()> {
    let all = mapping::mappings(client, Some(&listing.org)).await?;
    if listing.json {
        let rows: Vec<_> = all
            .iter()
            .map(|m| serde_json::json!({"location_id": m.location_id, "target": m.target, "updated_at": m.updated_at}))
            .collect();
        return print_json(&rows);
    }
    for m in &all {
        println!(
            "{:<12} {:<8} {}",
            m.location_id,
            m.target.vendor(),
            serde_json::to_string(&m.target)?
        );
    }
    Ok(())
}

async fn test(
    settings: &runtime::Settings,
    pool: deadpool_postgres::Pool,
    org: &str,
    location: &str,
) -> anyhow::Result<()> {
    let client = pool.get().await?;
    let found = mapping::mapping_of(&client, org, location).await?;
    drop(client);
    let found = found.ok_or_else(|| anyhow::anyhow!("no controller is mapped to {location}"))?;
    let context = controllers::Context::new(
        pool,
        controllers::key_ring(&settings.provision)?,
        settings.controllers.clone(),
    )?;
    let answer = context.test_mapping(&found).await?;
    match answer {
        Some(answer) => println!("ok: {answer}"),
        None => println!("ok: OpenWrt routers fetch their file; nothing to reach from here"),
    }
    Ok(())
}
