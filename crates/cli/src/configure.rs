//! `lanyard locations …`, `lanyard plans …`, `lanyard vlan-pool`, `lanyard sync`,
//! `lanyard syncs`, `lanyard groups`, `lanyard notifications`: what the admin canvas does, from
//! a terminal; every listing also as JSON (`--json`) for scripts.
//! Changes go to provision as commands (it is the only writer); reads come from projections.

use anyhow::Context;
use bus::commands::{Command, Reply};
use clap::{Args, Subcommand, ValueEnum};
use domain::{AccessProfile, LocationSettings, RoamingPolicy, VlanRange};

/// `--org ORG [--json]`: one organization's listing, for people or, as JSON, for scripts.
#[derive(Args)]
pub struct OrgListing {
    #[arg(long)]
    pub org: String,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum LocationsCommand {
    /// Mapped locations, and unmapped ones tenants tried.
    List(OrgListing),
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

impl From<Roaming> for RoamingPolicy {
    fn from(roaming: Roaming) -> RoamingPolicy {
        match roaming {
            Roaming::Single => RoamingPolicy::SingleLocation,
            Roaming::All => RoamingPolicy::AllLocations,
            Roaming::ByPlan => RoamingPolicy::ByPlan,
        }
    }
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
    /// How many devices a holder may register (default 5).
    #[arg(long)]
    devices: Option<u16>,
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
            device_limit: self.devices,
        }
    }
}

#[derive(Subcommand)]
pub enum PlansCommand {
    /// The default profile, and plan templates with a profile of their own.
    List(OrgListing),
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

/// Sends a command to provision and prints its answer; a refusal is an error with its message.
pub(crate) async fn send(
    settings: &runtime::Settings,
    org: &str,
    command: Command,
    what: &str,
) -> anyhow::Result<()> {
    match connect(settings)
        .await?
        .command(org, "cli", command)
        .await?
    {
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
        LocationsCommand::List(OrgListing { org, json }) => {
            let client = pool.get().await.context("connecting to PostgreSQL")?;
            let all = location_lines(&client, &org).await?;
            if json {
                return print_json(&all);
            }
            print_locations(&org, all);
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
                roaming: roaming.into(),
            };
            // Checked here too, so a bad name or SSID is refused before connecting anywhere.
            settings_
                .validate()
                .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            send(
                settings,
                &org,
                Command::MapLocation {
                    location_id: location.clone(),
                    settings: settings_,
                },
                &format!(
                    "mapped {} location {location}",
                    domain::Platform::of_org(&org).name()
                ),
            )
            .await
        }
        LocationsCommand::Unmap { org, location } => {
            send(
                settings,
                &org,
                Command::UnmapLocation {
                    location_id: location.clone(),
                },
                &format!(
                    "unmapped {} location {location}",
                    domain::Platform::of_org(&org).name()
                ),
            )
            .await
        }
    }
}

/// The rows of `lanyard locations list`: mapped locations, then the ones tenants tried.
fn print_locations(org: &str, all: Vec<LocationLine>) {
    if all.is_empty() {
        println!("no location mapped for organization {org}");
    }
    for location in all {
        if location.mapped {
            println!(
                "{:<8} {:<20} network {:<20} {:<20} pool {:<9} roaming {}",
                location.location_id,
                location.name.unwrap_or_default(),
                location.network.unwrap_or_default(),
                location.timezone.unwrap_or_default(),
                location.vlan_pool.unwrap_or_else(|| "-".into()),
                location.roaming.unwrap_or_default()
            );
        } else {
            println!(
                "{:<8} NOT MAPPED: tenants tried it {} time(s), last {}",
                location.location_id,
                location.unmapped_uses,
                location
                    .last_unmapped_use
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "-".into())
            );
        }
    }
}

pub async fn plans(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    command: PlansCommand,
) -> anyhow::Result<()> {
    match command {
        PlansCommand::List(OrgListing { org, json }) => {
            let client = pool.get().await.context("connecting to PostgreSQL")?;
            let plans = plan_profiles(&client, &org).await?;
            if json {
                return print_json(&plans);
            }
            println!("default profile: {}", describe(&plans.default_profile));
            for plan in &plans.plans {
                println!(
                    "plan {:<8} {}",
                    plan.plan_template_id,
                    describe(&plan.profile)
                );
            }
            Ok(())
        }
        PlansCommand::Map { org, plan, profile } => {
            let profile = profile.profile();
            profile
                .validate()
                .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            send(
                settings,
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
                settings,
                &org,
                Command::UnmapPlan {
                    plan_template_id: plan.clone(),
                },
                &format!("plan {plan} back on the default profile"),
            )
            .await
        }
        PlansCommand::Default { org, profile } => {
            let profile = profile.profile();
            profile
                .validate()
                .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            send(
                settings,
                &org,
                Command::SetDefaultProfile { profile },
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
    parts.push(format!("up to {} devices", profile.devices_allowed()));
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
        settings,
        org,
        Command::SetVlanPool { pool: range },
        &match range {
            Some(r) => format!("organization VLAN pool set to {}-{}", r.first, r.last),
            None => "organization VLAN pool removed".into(),
        },
    )
    .await
}

pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// One row of `lanyard locations list`.
#[derive(Debug, serde::Serialize)]
pub struct LocationLine {
    pub location_id: String,
    pub mapped: bool,
    pub name: Option<String>,
    pub network: Option<String>,
    pub timezone: Option<String>,
    /// `FIRST-LAST`, e.g. `100-199`.
    pub vlan_pool: Option<String>,
    pub roaming: Option<String>,
    /// How often tenants tried the location while it was not mapped.
    pub unmapped_uses: i32,
    pub last_unmapped_use: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn location_lines(
    client: &impl store::GenericClient,
    org: &str,
) -> anyhow::Result<Vec<LocationLine>> {
    let mut lines = Vec::new();
    for location in store::queries::locations(client, org).await? {
        let settings = location.settings;
        lines.push(LocationLine {
            location_id: location.location_id,
            mapped: settings.is_some(),
            roaming: match &settings {
                Some(s) => serde_json::to_value(s.roaming)?.as_str().map(str::to_owned),
                None => None,
            },
            vlan_pool: settings
                .as_ref()
                .and_then(|s| s.vlan_pool)
                .map(|p| format!("{}-{}", p.first, p.last)),
            name: settings.as_ref().map(|s| s.name.clone()),
            network: settings.as_ref().map(|s| s.network_name.clone()),
            timezone: settings.map(|s| s.timezone),
            unmapped_uses: location.unmapped_uses,
            last_unmapped_use: location.last_unmapped_use,
        });
    }
    Ok(lines)
}

/// `lanyard plans list`: the default profile and each mapped plan template's.
#[derive(Debug, serde::Serialize)]
pub struct PlanProfiles {
    pub default_profile: AccessProfile,
    pub plans: Vec<PlanProfile>,
}

#[derive(Debug, serde::Serialize)]
pub struct PlanProfile {
    pub plan_template_id: String,
    pub profile: AccessProfile,
}

pub async fn plan_profiles(
    client: &impl store::GenericClient,
    org: &str,
) -> anyhow::Result<PlanProfiles> {
    let policy = store::queries::org_policy(client, org).await?;
    Ok(PlanProfiles {
        default_profile: policy.default_profile,
        plans: store::queries::plan_profiles(client, org)
            .await?
            .into_iter()
            .map(|(plan_template_id, profile)| PlanProfile {
                plan_template_id,
                profile,
            })
            .collect(),
    })
}

/// Asks provision for a full sync and, unless `wait` is zero, waits for it to finish and reports
/// what it found and corrected. A failed sync, or none within `wait`, is an error.
pub async fn sync(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    org: &str,
    wait: std::time::Duration,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let client = pool.get().await.context("connecting to PostgreSQL")?;
    // Runs recorded from here on are the requested one (or one that covered it).
    let before = store::queries::latest_sync_position(&client, org).await?;
    match connect(settings)
        .await?
        .command(org, "cli", Command::SyncNow)
        .await?
    {
        Reply::Done { .. } => {}
        Reply::Refused { message, .. } => {
            anyhow::bail!("sync of organization {org} refused: {message}")
        }
    }
    writeln!(out, "full sync of organization {org} requested")?;
    if wait.is_zero() {
        writeln!(out, "follow it with `lanyard syncs --org {org}`")?;
        return Ok(());
    }
    let deadline = std::time::Instant::now() + wait;
    let run = loop {
        if let Some(run) = store::queries::sync_run_after(&client, org, before).await? {
            break run;
        }
        if std::time::Instant::now() >= deadline {
            anyhow::bail!(
                "the sync of organization {org} did not finish within {} s; it may still run: `lanyard syncs --org {org}`",
                wait.as_secs()
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    let line = SyncLine::from(run);
    if line.outcome != "ok" {
        anyhow::bail!(
            "the sync of organization {org} failed: {}",
            line.reason.unwrap_or_default()
        );
    }
    write!(out, "{}", render_finished_sync(&line))?;
    Ok(())
}

/// What a finished sync found and corrected, in words.
pub fn render_finished_sync(line: &SyncLine) -> String {
    let mut text = format!(
        "sync finished: {} users seen, ",
        line.users_seen.unwrap_or(0)
    );
    if line.corrections.is_empty() {
        text.push_str("nothing needed correcting\n");
        return text;
    }
    text.push_str(&format!(
        "{} stream(s) corrected with {} event(s):\n",
        line.corrected_streams.unwrap_or(0),
        line.events_appended.unwrap_or(0)
    ));
    for correction in &line.corrections {
        text.push_str(&format!(
            "  {:<28} {}\n",
            correction.stream,
            correction.events.join(", ")
        ));
    }
    text
}

/// One row of `lanyard syncs`.
#[derive(Debug, serde::Serialize)]
pub struct SyncLine {
    pub finished_at: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    /// `ok` or `failed`.
    pub outcome: String,
    pub users_seen: Option<i32>,
    pub corrected_streams: Option<i32>,
    pub events_appended: Option<i32>,
    /// Each corrected stream with the events the correction appended.
    pub corrections: Vec<domain::events::Correction>,
    pub reason: Option<String>,
}

impl From<store::queries::SyncRunView> for SyncLine {
    fn from(run: store::queries::SyncRunView) -> Self {
        SyncLine {
            finished_at: run.finished_at,
            kind: run.kind,
            outcome: run.outcome,
            users_seen: run.users_seen,
            corrected_streams: run.corrected_streams,
            events_appended: run.events_appended,
            // Recorded by provision from the same type; anything else reads as none.
            corrections: run
                .corrections
                .and_then(|c| serde_json::from_value(c).ok())
                .unwrap_or_default(),
            reason: run.reason,
        }
    }
}

pub async fn sync_lines(
    client: &impl store::GenericClient,
    org: &str,
) -> anyhow::Result<Vec<SyncLine>> {
    Ok(store::queries::sync_runs(client, org, 20)
        .await?
        .into_iter()
        .map(SyncLine::from)
        .collect())
}

pub async fn syncs(pool: &deadpool_postgres::Pool, org: &str, json: bool) -> anyhow::Result<()> {
    let client = pool.get().await.context("connecting to PostgreSQL")?;
    let runs = sync_lines(&client, org).await?;
    if json {
        return print_json(&runs);
    }
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

/// One row of `lanyard groups`.
#[derive(Debug, serde::Serialize)]
pub struct GroupLine {
    pub team_id: String,
    pub name: String,
    pub vlan: Option<u16>,
    pub members: i64,
}

pub async fn group_lines(
    client: &impl store::GenericClient,
    org: &str,
) -> anyhow::Result<Vec<GroupLine>> {
    Ok(store::queries::groups(client, org)
        .await?
        .into_iter()
        .map(|(group, members)| GroupLine {
            team_id: group.team_id,
            name: group.name,
            vlan: group.vlan,
            members,
        })
        .collect())
}

pub async fn groups(pool: &deadpool_postgres::Pool, org: &str, json: bool) -> anyhow::Result<()> {
    let client = pool.get().await.context("connecting to PostgreSQL")?;
    let groups = group_lines(&client, org).await?;
    if json {
        return print_json(&groups);
    }
    if groups.is_empty() {
        println!("no team groups in organization {org}");
    }
    for group in groups {
        println!(
            "team {:<10} {:<24} VLAN {:<5} {} member(s)",
            group.team_id,
            group.name,
            group
                .vlan
                .map(|v| v.to_string())
                .unwrap_or_else(|| "none".into()),
            group.members
        );
    }
    Ok(())
}

/// One row of `lanyard notifications`.
#[derive(Debug, serde::Serialize)]
pub struct NotificationLine {
    pub raised_at: chrono::DateTime<chrono::Utc>,
    pub kind: String,
    /// What it is about (a location id, a team id, …).
    pub subject: String,
    pub message: String,
}

pub async fn notification_lines(
    client: &impl store::GenericClient,
    org: &str,
) -> anyhow::Result<Vec<NotificationLine>> {
    Ok(store::queries::notifications(client, org, 50)
        .await?
        .into_iter()
        .map(|n| NotificationLine {
            raised_at: n.raised_at,
            kind: n.kind,
            subject: n.subject,
            message: n.message,
        })
        .collect())
}

pub async fn notifications(
    pool: &deadpool_postgres::Pool,
    org: &str,
    json: bool,
) -> anyhow::Result<()> {
    let client = pool.get().await.context("connecting to PostgreSQL")?;
    let notices = notification_lines(&client, org).await?;
    if json {
        return print_json(&notices);
    }
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
