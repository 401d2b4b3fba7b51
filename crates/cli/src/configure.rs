//! `lanyard locations …`, `lanyard plans …`, `lanyard vlan-pool`, `lanyard sync`,
//! `lanyard groups`, `lanyard notifications`: what the admin canvas does, from a terminal.
//! Changes go to provision as commands (it is the only writer); reads come from projections.

use anyhow::Context;
use bus::commands::{Command, Reply};
use clap::{Args, Subcommand, ValueEnum};
use domain::{AccessProfile, LocationSettings, RoamingPolicy, VlanRange};

#[derive(Subcommand)]
pub enum LocationsCommand {
    /// Mapped locations, and unmapped ones tenants tried.
    List {
        #[arg(long)]
        org: String,
    },
    /// Map an Optix location to a Lanyard location.
    Map {
        #[arg(long)]
        org: String,
        /// The Optix location id.
        #[arg(long)]
        location: String,
        #[arg(long)]
        name: String,
        /// The network name (SSID) tenants join.
        #[arg(long)]
        network: String,
        /// IANA time zone, e.g. Europe/Rome (booking keys end at local midnight).
        #[arg(long)]
        timezone: String,
        /// VLANs for team groups of members bound here, e.g. 100-199.
        #[arg(long, value_parser = parse_pool)]
        vlan_pool: Option<VlanRange>,
        #[arg(long, value_enum, default_value_t = Roaming::Single)]
        roaming: Roaming,
    },
    Unmap {
        #[arg(long)]
        org: String,
        #[arg(long)]
        location: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Roaming {
    /// Only at the account's home location.
    Single,
    /// At every location of the organization.
    All,
    /// Where the member's plan is valid.
    ByPlan,
}

#[derive(Args)]
pub struct ProfileArgs {
    /// The profile's name, e.g. premium.
    #[arg(long)]
    profile: String,
    /// The plan gives no WiFi (e.g. a virtual office).
    #[arg(long)]
    no_wifi: bool,
    #[arg(long)]
    vlan: Option<u16>,
    #[arg(long)]
    up_kbps: Option<u32>,
    #[arg(long)]
    down_kbps: Option<u32>,
    /// Time-limited from the plan's start (24 for a day pass).
    #[arg(long)]
    hours: Option<u32>,
}

impl ProfileArgs {
    fn profile(self) -> AccessProfile {
        AccessProfile {
            name: self.profile,
            wifi: !self.no_wifi,
            vlan: self.vlan,
            bandwidth_up_kbps: self.up_kbps,
            bandwidth_down_kbps: self.down_kbps,
            duration_hours: self.hours,
        }
    }
}

#[derive(Subcommand)]
pub enum PlansCommand {
    /// Plan templates with a profile of their own.
    List {
        #[arg(long)]
        org: String,
    },
    /// Map an Optix plan template to an access profile.
    Map {
        #[arg(long)]
        org: String,
        #[arg(long)]
        plan: String,
        #[command(flatten)]
        profile: ProfileArgs,
    },
    /// The plan template goes back to the default profile.
    Unmap {
        #[arg(long)]
        org: String,
        #[arg(long)]
        plan: String,
    },
    /// The profile of plans without a mapping.
    Default {
        #[arg(long)]
        org: String,
        #[command(flatten)]
        profile: ProfileArgs,
    },
}

fn parse_pool(text: &str) -> Result<VlanRange, String> {
    let (first, last) = text
        .split_once('-')
        .ok_or_else(|| format!("{text:?}: write the pool as FIRST-LAST, e.g. 100-199"))?;
    let number = |s: &str| {
        s.trim()
            .parse::<u16>()
            .map_err(|_| format!("{s:?} is not a VLAN id (1-4094)"))
    };
    VlanRange::new(number(first)?, number(last)?).map_err(|e| e.to_string())
}

/// Sends a command and prints provision's answer; a refusal is an error with its message.
async fn send(bus: &bus::Bus, org: &str, command: Command, what: &str) -> anyhow::Result<()> {
    match bus.command(org, "cli", command).await? {
        Reply::Done { events, .. } => {
            if events == 0 {
                println!("{what}: already so, nothing changed");
            } else {
                println!("{what} ({events} event(s) recorded)");
            }
            Ok(())
        }
        Reply::Refused { message, .. } => anyhow::bail!("{what} refused: {message}"),
    }
}

async fn connect(settings: &runtime::Settings) -> anyhow::Result<bus::Bus> {
    bus::Bus::connect(&settings.nats, bus::auth::Identity::Cli)
        .await
        .context("connecting to NATS (nats.url): provision answers commands there")
}

pub async fn locations(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    command: LocationsCommand,
) -> anyhow::Result<()> {
    match command {
        LocationsCommand::List { org } => {
            let client = pool.get().await.context("connecting to PostgreSQL")?;
            let all = store::queries::locations(&client, &org).await?;
            if all.is_empty() {
                println!("no location mapped for organization {org}");
            }
            for location in all {
                match location.settings {
                    Some(s) => println!(
                        "{:<8} {:<20} network {:<20} {:<20} pool {:<9} roaming {}",
                        location.location_id,
                        s.name,
                        s.network_name,
                        s.timezone,
                        s.vlan_pool
                            .map(|p| format!("{}-{}", p.first, p.last))
                            .unwrap_or_else(|| "-".into()),
                        serde_json::to_value(s.roaming)?
                            .as_str()
                            .unwrap_or_default()
                    ),
                    None => println!(
                        "{:<8} NOT MAPPED: tenants tried it {} time(s), last {}",
                        location.location_id,
                        location.unmapped_uses,
                        location
                            .last_unmapped_use
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_else(|| "-".into())
                    ),
                }
            }
            Ok(())
        }
        LocationsCommand::Map {
            org,
            location,
            name,
            network,
            timezone,
            vlan_pool,
            roaming,
        } => {
            let settings_ = LocationSettings {
                name,
                network_name: network,
                timezone,
                vlan_pool,
                roaming: match roaming {
                    Roaming::Single => RoamingPolicy::SingleLocation,
                    Roaming::All => RoamingPolicy::AllLocations,
                    Roaming::ByPlan => RoamingPolicy::ByPlan,
                },
            };
            // Checked here too, so a bad name or SSID is refused before connecting anywhere.
            settings_
                .validate()
                .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            send(
                &connect(settings).await?,
                &org,
                Command::MapLocation {
                    location_id: location.clone(),
                    settings: settings_,
                },
                &format!("mapped Optix location {location}"),
            )
            .await
        }
        LocationsCommand::Unmap { org, location } => {
            send(
                &connect(settings).await?,
                &org,
                Command::UnmapLocation {
                    location_id: location.clone(),
                },
                &format!("unmapped Optix location {location}"),
            )
            .await
        }
    }
}

pub async fn plans(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    command: PlansCommand,
) -> anyhow::Result<()> {
    match command {
        PlansCommand::List { org } => {
            let client = pool.get().await.context("connecting to PostgreSQL")?;
            let policy = store::queries::org_policy(&client, &org).await?;
            println!("default profile: {}", describe(&policy.default_profile));
            for (plan, profile) in store::queries::plan_profiles(&client, &org).await? {
                println!("plan {plan:<8} {}", describe(&profile));
            }
            Ok(())
        }
        PlansCommand::Map { org, plan, profile } => {
            let profile = profile.profile();
            profile
                .validate()
                .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            send(
                &connect(settings).await?,
                &org,
                Command::MapPlan {
                    plan_template_id: plan.clone(),
                    profile,
                },
                &format!("mapped plan {plan}"),
            )
            .await
        }
        PlansCommand::Unmap { org, plan } => {
            send(
                &connect(settings).await?,
                &org,
                Command::UnmapPlan {
                    plan_template_id: plan.clone(),
                },
                &format!("plan {plan} back on the default profile"),
            )
            .await
        }
        PlansCommand::Default { org, profile } => {
            send(
                &connect(settings).await?,
                &org,
                Command::SetDefaultProfile {
                    profile: profile.profile(),
                },
                "default profile set",
            )
            .await
        }
    }
}

fn describe(profile: &AccessProfile) -> String {
    if !profile.wifi {
        return format!("{} (no WiFi)", profile.name);
    }
    let mut parts = vec![profile.name.clone()];
    if let Some(vlan) = profile.vlan {
        parts.push(format!("VLAN {vlan}"));
    }
    if let Some(down) = profile.bandwidth_down_kbps {
        parts.push(format!("down {down} kbit/s"));
    }
    if let Some(up) = profile.bandwidth_up_kbps {
        parts.push(format!("up {up} kbit/s"));
    }
    if let Some(hours) = profile.duration_hours {
        parts.push(format!("{hours} h from the plan's start"));
    }
    parts.join(", ")
}

pub async fn vlan_pool(
    settings: &runtime::Settings,
    org: &str,
    pool: Option<String>,
) -> anyhow::Result<()> {
    let range = pool
        .as_deref()
        .map(parse_pool)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    send(
        &connect(settings).await?,
        org,
        Command::SetVlanPool { pool: range },
        &match range {
            Some(r) => format!("organization VLAN pool set to {}-{}", r.first, r.last),
            None => "organization VLAN pool removed".into(),
        },
    )
    .await
}

pub async fn sync(settings: &runtime::Settings, org: &str) -> anyhow::Result<()> {
    send(
        &connect(settings).await?,
        org,
        Command::SyncNow,
        &format!("sync of organization {org} requested (see `lanyard syncs --org {org}`)"),
    )
    .await
}

pub async fn syncs(pool: &deadpool_postgres::Pool, org: &str) -> anyhow::Result<()> {
    let client = pool.get().await.context("connecting to PostgreSQL")?;
    let runs = store::queries::sync_runs(&client, org, 20).await?;
    if runs.is_empty() {
        println!("no sync recorded for organization {org} yet");
    }
    for run in runs {
        match run.outcome.as_str() {
            "ok" => println!(
                "{} {:<8} ok     {} users, {} streams corrected with {} events",
                run.finished_at.to_rfc3339(),
                run.kind,
                run.users_seen.unwrap_or(0),
                run.corrected_streams.unwrap_or(0),
                run.events_appended.unwrap_or(0)
            ),
            _ => println!(
                "{} {:<8} FAILED {}",
                run.finished_at.to_rfc3339(),
                run.kind,
                run.reason.unwrap_or_default()
            ),
        }
    }
    Ok(())
}

pub async fn groups(pool: &deadpool_postgres::Pool, org: &str) -> anyhow::Result<()> {
    let client = pool.get().await.context("connecting to PostgreSQL")?;
    let groups = store::queries::groups(&client, org).await?;
    if groups.is_empty() {
        println!("no team groups in organization {org}");
    }
    for (group, members) in groups {
        println!(
            "team {:<10} {:<24} VLAN {:<5} {members} member(s)",
            group.team_id,
            group.name,
            group
                .vlan
                .map(|v| v.to_string())
                .unwrap_or_else(|| "none".into())
        );
    }
    Ok(())
}

pub async fn notifications(pool: &deadpool_postgres::Pool, org: &str) -> anyhow::Result<()> {
    let client = pool.get().await.context("connecting to PostgreSQL")?;
    let notices = store::queries::notifications(&client, org, 50).await?;
    if notices.is_empty() {
        println!("no notifications for organization {org}");
    }
    for notice in notices {
        println!(
            "{} {:<20} {}",
            notice.raised_at.to_rfc3339(),
            notice.kind,
            notice.message
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vlan_pools_parse_with_a_reason_when_wrong() {
        assert_eq!(
            parse_pool("100-199"),
            Ok(VlanRange {
                first: 100,
                last: 199
            })
        );
        assert!(parse_pool("100").unwrap_err().contains("FIRST-LAST"));
        assert!(parse_pool("100-x").unwrap_err().contains("not a VLAN id"));
        assert!(parse_pool("300-200").is_err());
    }
}
