//! The command line's shape (clap), in the library so completions, the manual page and tests
//! see exactly what `lanyard` parses.

use crate::configure::{LocationsCommand, OrgListing, PlansCommand};
use crate::controllers::ControllersCommand;
use crate::registry::{DevicesCommand, NasCommand};
use clap::{CommandFactory, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "lanyard",
    about = "Operate Lanyard: migrate the database, inspect members"
)]
pub struct Cli {
    /// Configuration file (TOML); every key can be overridden with LANYARD__SECTION__KEY.
    #[arg(long, global = true, env = "LANYARD_CONFIG")]
    pub config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// OfficeRnD: test and connect an organization (client id, secret, slug).
    Officernd {
        #[command(subcommand)]
        command: crate::officernd::OfficeRndCommand,
    },
    /// Re-drive stored webhooks.
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// Back up what only NATS holds (PostgreSQL: pg_dump; scripts/backup.sh does both).
    Backup {
        #[command(subcommand)]
        command: crate::backup::BackupCommand,
    },
    /// Restore a NATS backup into a fresh NATS, after PostgreSQL (scripts/restore.sh).
    Restore {
        #[command(subcommand)]
        command: crate::backup::RestoreCommand,
    },
    /// Rebuild every projection from the event log (side by side, swapped in when caught up;
    /// safe while the services run).
    Replay {
        /// Print the outcome as one JSON object (events, last position, seconds per phase).
        #[arg(long)]
        json: bool,
    },
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
    /// Register and list the NASes (access points, controllers) that may ask RADIUS for keys.
    Nas {
        #[command(subcommand)]
        command: NasCommand,
    },
    /// Map locations to cloud WiFi controllers (Meraki, UniFi, Mist, OpenWrt), list, unmap and test them.
    Controllers {
        #[command(subcommand)]
        command: ControllersCommand,
    },
    /// Register or remove a member's devices (MAC addresses for RADIUS MAC authentication).
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// Which emails an organization sends its tenants, from whom, its reminders and its own
    /// wording; `lanyard mail wording` prints the current wording (no configuration needed).
    Mail {
        #[command(subcommand)]
        command: crate::mail::MailCommand,
    },
    /// Set (FIRST-LAST, e.g. 100-199) or remove (no argument) the organization's VLAN pool
    /// for team groups.
    VlanPool {
        #[arg(long)]
        org: String,
        pool: Option<String>,
    },
    /// Run a full sync of an organization with Optix now, wait for it and say what it corrected.
    Sync {
        #[arg(long)]
        org: String,
        /// How long to wait for the sync to finish, in seconds (0: only request it).
        #[arg(long, default_value_t = 120)]
        wait: u64,
    },
    /// Recent full syncs and what they corrected (the drift report).
    Syncs(OrgListing),
    /// Team groups with their VLANs.
    Groups(OrgListing),
    /// What admins are told: unmapped locations, failed syncs, groups without a VLAN.
    Notifications(OrgListing),
    /// Generate the NATS identities (no configuration needed): a seed per service in DIR
    /// (`ingest.nk`, `provision.nk`, `portal.nk`, `cli.nk`, `radius.nk`, `ops.nk`; mode 0600, kept when
    /// present) and DIR/auth.conf, the nats-server `authorization` block with each identity's
    /// permissions. Point each service at its seed (nats.credentials_dir = DIR, or
    /// nats.nkey_seed_file) and include auth.conf from the server's configuration.
    NatsAuth {
        dir: std::path::PathBuf,
        /// The webhook stream's name (nats.webhook_stream).
        #[arg(long, default_value = "OPTIX_WEBHOOKS")]
        webhook_stream: String,
    },
    /// Print a shell completion script: `lanyard completions bash > /etc/bash_completion.d/lanyard`
    /// (zsh: into a directory on $fpath as `_lanyard`; fish: ~/.config/fish/completions/lanyard.fish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `lanyard man > lanyard.1; man ./lanyard.1`; with --dir,
    /// write it and a page per subcommand (lanyard-members.1, …) there.
    Man {
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum EventsCommand {
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
pub enum OptixCommand {
    /// Print the app settings file to paste into Optix (Apps → Develop → your app → Advanced
    /// settings): every webhook Lanyard needs and its canvases, at your public URL.
    Manifest {
        /// Where ingest and the portal are reachable from Optix, e.g. https://wifi.example.com
        #[arg(long)]
        public_url: String,
    },
}

#[derive(Subcommand)]
pub enum WebhooksCommand {
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
pub enum ProjectionsCommand {
    /// Print a digest of each projection table; equal digests mean identical tables.
    Checksum,
}

#[derive(Subcommand)]
pub enum MembersCommand {
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
        /// The Optix user id (as everywhere: `--org ORG --user USER`).
        #[arg(long)]
        user: String,
        /// RFC 3339 timestamp, e.g. 2026-11-22T23:30:00+01:00.
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// Parses a command line as `lanyard` does (tests drive the CLI through it).
pub fn parse_from<I, T>(argv: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    Cli::try_parse_from(argv)
}

/// The whole command tree, for completions and the manual page.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Writes the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut command(), "lanyard", out);
}

/// Writes the manual page (roff).
pub fn man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    clap_mangen::Man::new(command()).render(out)
}

/// Writes `lanyard.1` and a page per subcommand into `dir`.
pub fn man_pages(dir: &std::path::Path) -> std::io::Result<()> {
    clap_mangen::generate_to(command(), dir)
}
