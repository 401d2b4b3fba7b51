//! The sections of `lanyard.toml`, each with its defaults, the secrets it holds and the
//! client it configures.

use crate::secret::{Secret, read_secret_file, redact_url};
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How raw webhooks are kept on the bus between ingest and provision.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// 32 bytes, hex: ingest seals every webhook body with it before publishing (bodies carry
    /// organization tokens, names and emails); provision opens them. Needed by ingest and
    /// provision, not by the portal or `lanyard webhooks replay` (which re-publishes sealed).
    pub seal_key: Secret,
    /// A file holding `seal_key` (systemd credentials, Kubernetes secret volumes), read at start
    /// when set.
    pub seal_key_file: Option<PathBuf>,
}

/// Debug hides the password a URL may carry (see [`redact_url`]).
#[derive(Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    #[serde(default = "default_pool_size")]
    pub pool_size: usize,
}

/// Debug hides the credentials a URL may carry (see [`redact_url`]).
#[derive(Clone, Deserialize)]
pub struct NatsSettings {
    pub url: String,
    #[serde(default = "default_webhook_stream")]
    pub webhook_stream: String,
    #[serde(default = "default_duplicate_window")]
    pub duplicate_window_secs: u64,
    /// Raw webhooks are kept this long (JetStream `max_age`), then dropped: the window of
    /// `lanyard webhooks replay` and the longest a deleted member's data outlives them in a
    /// (sealed) webhook. At most a day unless a deployment documents why.
    #[serde(default = "default_webhook_retention")]
    pub webhook_retention_secs: u64,
    /// This service's NATS identity, an NKey seed (`SU…`), e.g. from
    /// `LANYARD__NATS__NKEY_SEED`. Takes precedence over the two below.
    #[serde(default)]
    pub nkey_seed: Option<Secret>,
    /// A file holding this service's NKey seed (a Kubernetes secret, a systemd credential).
    #[serde(default)]
    pub nkey_seed_file: Option<PathBuf>,
    /// A directory of seeds named after the services (`ingest.nk`, `provision.nk`,
    /// `portal.nk`, `cli.nk`), as `lanyard nats-auth` writes them: one setting for a machine
    /// that runs several services.
    #[serde(default)]
    pub credentials_dir: Option<PathBuf>,
    /// PEM file of the certificate authority that signed the NATS servers' certificates;
    /// set, the connection requires TLS (production, anything beyond loopback).
    #[serde(default)]
    pub tls_ca_file: Option<PathBuf>,
    /// Copies JetStream keeps of every stream and key-value bucket (1–5): 1 on one server, 3
    /// on a cluster of three (it then survives the loss of a node). Streams made with another
    /// count are moved to it when provision (or ingest, for its stream) starts.
    #[serde(default = "default_replicas")]
    pub replicas: usize,
}

impl NatsSettings {
    /// Settings for `url` with every optional key at its default (tests, tools).
    pub fn new(url: impl Into<String>) -> NatsSettings {
        NatsSettings {
            url: url.into(),
            webhook_stream: default_webhook_stream(),
            duplicate_window_secs: default_duplicate_window(),
            webhook_retention_secs: default_webhook_retention(),
            nkey_seed: None,
            nkey_seed_file: None,
            credentials_dir: None,
            tls_ca_file: None,
            replicas: default_replicas(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct IngestSettings {
    pub listen: String,
    /// Operations listener (`/metrics`, `/readyz`, `/healthz`): never the public one.
    pub ops_listen: String,
    pub max_body_bytes: usize,
    /// Webhooks older than this are refused (Optix retries for 100 minutes at most).
    pub timestamp_horizon_secs: i64,
    pub future_skew_secs: i64,
    /// Bound on waiting for the JetStream ack: well inside Optix's 2 s response timeout.
    pub publish_timeout_ms: u64,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            listen: "127.0.0.1:8081".into(),
            ops_listen: "127.0.0.1:9081".into(),
            max_body_bytes: 65536,
            timestamp_horizon_secs: 7200,
            future_skew_secs: 300,
            publish_timeout_ms: 1500,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct ProvisionSettings {
    pub listen: String,
    /// 32 bytes, hex: seals organization tokens and wraps member data keys.
    pub master_key: Secret,
    /// 32 bytes, hex: keyed hashes for lookups and uniqueness.
    pub hash_key: Secret,
    /// Files holding `master_key` / `hash_key` (systemd credentials, Kubernetes secret volumes):
    /// read at start when set, so the keys need not sit in the configuration file.
    pub master_key_file: Option<PathBuf>,
    pub hash_key_file: Option<PathBuf>,
    /// Full sync of every installed organization this often (seed 001: 15 minutes).
    pub sync_interval_secs: u64,
    pub consumer_name: String,
    /// At most this many webhooks of one organization are reconciled together.
    pub batch_size: usize,
    /// How long an organization's worker waits for more hints before reconciling a lone one,
    /// so a burst costs one Optix request per hundred members rather than one per webhook.
    pub coalesce_ms: u64,
    /// Optix stamps webhooks in whole seconds, so two changes in one second may send identical
    /// bodies. A webhook is reconciled no earlier than the end of its second plus this margin
    /// (clock skew), so that one reconciliation sees every change of that second and covers
    /// any later retry of the delivery (docs/design.md, "Look-alike webhooks").
    pub webhook_settle_margin_ms: u64,
    /// The organizations are split into this many partitions, each worked by one provision
    /// instance at a time (a PostgreSQL lease; the live instances share them evenly). The
    /// same number on every instance; more partitions than instances.
    pub partitions: u32,
}

impl ProvisionSettings {
    /// The key ring built from `master_key` and `hash_key`: what provision seals with and what
    /// the portal, the radius service and the CLI open members' and NASes' secrets with.
    pub fn key_ring(&self) -> Result<secrets::KeyRing, secrets::CryptoError> {
        secrets::KeyRing::from_hex(self.master_key.expose(), self.hash_key.expose())
    }
}

impl Default for ProvisionSettings {
    fn default() -> Self {
        ProvisionSettings {
            listen: "127.0.0.1:8082".into(),
            master_key: Secret::default(),
            hash_key: Secret::default(),
            master_key_file: None,
            hash_key_file: None,
            sync_interval_secs: 900,
            consumer_name: "provision".into(),
            batch_size: 1000,
            coalesce_ms: 5,
            webhook_settle_margin_ms: 1000,
            partitions: 16,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct PortalSettings {
    pub listen: String,
    /// Operations listener (`/metrics`, `/readyz`, `/healthz`): never the public one, since
    /// metrics would tell the internet which emails are members'.
    pub ops_listen: String,
    /// The base URL tenants reach the portal at, used in the sign-in links it emails (never
    /// taken from the request's Host header). Empty: `http://` + the listen address.
    pub public_url: String,
    /// SMTP server for sign-in links: `smtp://host:port` (plain, e.g. a local sink),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465`.
    /// Empty: no email is sent (requests are counted as `smtp_failed`).
    pub smtp_url: Secret,
    /// A file holding `smtp_url` (it carries the SMTP password), read at start when set.
    pub smtp_url_file: Option<PathBuf>,
    /// The From address of sign-in emails.
    pub mail_from: String,
    /// How long a sign-in link works (single use).
    pub magic_link_ttl_secs: u64,
    /// Whether the portal sends tenants their emails (welcome, key changed, reminders,
    /// suspension, guest invitations: `portal::notify`, consumer `portal-notify`).
    pub notify_enabled: bool,
    /// How long the sign-in link in a tenant email works (single use, like every link). Longer
    /// than `magic_link_ttl_secs`: a welcome is read hours after it was sent, not seconds after
    /// the tenant asked for it.
    pub notify_link_ttl_secs: u64,
    /// How often the grants are scanned for "access ending" reminders that are due.
    pub reminder_scan_secs: u64,
    /// Tenant sessions (portal and mobile app).
    pub session_ttl_secs: u64,
    /// Admin canvas sessions.
    pub admin_session_ttl_secs: u64,
    /// Sign-in link requests allowed per email address, and per client address, in each
    /// window of `rate_window_secs`: a whole coworking space behind one NAT (200 members on a
    /// Monday morning) must fit in the per-client limit.
    pub link_requests_per_email: u32,
    pub link_requests_per_client: u32,
    /// Sign-in link requests allowed per client address in a day, so one address cannot ask
    /// for links for thousands of emails however slowly it goes.
    pub link_requests_per_client_daily: u32,
    /// Passphrase changes (chosen or regenerated) allowed per member, and per client address,
    /// in each window of `rate_window_secs`: "already in use" must not become an oracle.
    pub passphrase_changes_per_member: u32,
    pub passphrase_changes_per_client: u32,
    /// Onboarding attempts (each asks Optix) allowed per user in each window of
    /// `rate_window_secs`, and per organization each minute, so tenants can never starve
    /// webhooks and syncs of the organization's 60/min Optix budget.
    pub onboardings_per_user: u32,
    pub onboardings_per_org_per_minute: u32,
    /// How long a refused onboarding (no plan, unknown user) is remembered before Optix is
    /// asked again for the same user.
    pub onboarding_refusal_cache_secs: u64,
    /// Unmapped-location reports the portal forwards per anonymous client address in each
    /// window of `rate_window_secs` (provision records only locations Optix knows, once an
    /// hour each).
    pub unmapped_reports_per_client: u32,
    /// Refused canvas tokens allowed per client address in each window (then 429); valid
    /// sign-ins are not counted.
    pub canvas_refusals_per_client: u32,
    pub rate_window_secs: u64,
    /// How long a verified canvas token (Optix `me`) is remembered, keyed by its hash.
    pub canvas_cache_secs: u64,
    /// Reverse proxies (IP addresses or CIDR ranges) whose `X-Forwarded-For` is believed: the
    /// client address is the rightmost hop that is not one of them. Empty: the TCP peer.
    pub trusted_proxies: Vec<String>,
    /// How often an admin canvas session is re-checked with Optix (a removed admin loses
    /// access within this time).
    pub admin_recheck_secs: u64,
    /// Who may frame the canvases and the key page (CSP `frame-ancestors`).
    pub frame_ancestors: String,
}

impl Default for PortalSettings {
    fn default() -> Self {
        PortalSettings {
            listen: "127.0.0.1:8083".into(),
            ops_listen: "127.0.0.1:9083".into(),
            public_url: String::new(),
            smtp_url: Secret::default(),
            smtp_url_file: None,
            mail_from: "Lanyard WiFi <wifi@lanyard.invalid>".into(),
            magic_link_ttl_secs: 900,
            notify_enabled: true,
            notify_link_ttl_secs: 72 * 3600,
            reminder_scan_secs: 60,
            session_ttl_secs: 7 * 24 * 3600,
            admin_session_ttl_secs: 8 * 3600,
            link_requests_per_email: 3,
            link_requests_per_client: 250,
            link_requests_per_client_daily: 500,
            passphrase_changes_per_member: 10,
            passphrase_changes_per_client: 30,
            onboardings_per_user: 10,
            onboardings_per_org_per_minute: 20,
            onboarding_refusal_cache_secs: 120,
            unmapped_reports_per_client: 20,
            canvas_refusals_per_client: 30,
            rate_window_secs: 900,
            canvas_cache_secs: 60,
            trusted_proxies: Vec::new(),
            admin_recheck_secs: 900,
            frame_ancestors: "https://*.optixapp.com".into(),
        }
    }
}

/// The RADIUS service: the HTTP endpoints FreeRADIUS calls through `rlm_rest`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct RadiusSettings {
    /// Where FreeRADIUS reaches the endpoints: loopback unless FreeRADIUS runs elsewhere.
    pub listen: String,
    /// Operations listener (`/metrics`, `/readyz`, `/healthz`).
    pub ops_listen: String,
    /// The bearer token FreeRADIUS presents (`Authorization: Bearer …`), at least 32
    /// characters; only the process that knows it is answered.
    pub freeradius_token: Secret,
    /// A file holding `freeradius_token`, read at start when set (the same file FreeRADIUS's
    /// configuration includes).
    pub freeradius_token_file: Option<PathBuf>,
    /// How long accounting (`radius_sessions`) is kept; older rows are purged hourly.
    pub accounting_retention_days: u32,
    /// Disconnect-Requests sent per session before giving up (the first one included).
    pub disconnect_tries: u32,
    /// How long to wait for the NAS's answer to the first Disconnect-Request; each retry waits
    /// twice as long as the one before (1 s, 2 s, 4 s).
    pub disconnect_first_wait_ms: u64,
    /// The `lanyard_fill` listeners (address:port) of the FreeRADIUS servers that keep answers
    /// in memory (deploy/freeradius: RADIUS_FILL_PORT); each is told by CoA-Request which
    /// answer to fetch again. Empty: every request takes the HTTP path.
    pub freeradius_answer_caches: Vec<String>,
    /// At most this many handshake keys (one per member × SSID of each location that may
    /// admit them) are kept in memory for the handshake matcher (about 1.5 KiB each, measured).
    pub handshake_max_keys: usize,
    /// This instance's name, unique among the radius instances and stable across its
    /// restarts: its own event consumers are named after it. Empty: the host name (a pod's).
    pub instance: String,
}

impl Default for RadiusSettings {
    fn default() -> Self {
        RadiusSettings {
            listen: "127.0.0.1:8084".into(),
            ops_listen: "127.0.0.1:9084".into(),
            freeradius_token: Secret::default(),
            freeradius_token_file: None,
            accounting_retention_days: 30,
            disconnect_tries: 3,
            disconnect_first_wait_ms: 1000,
            freeradius_answer_caches: Vec::new(),
            handshake_max_keys: 200_000,
            instance: String::new(),
        }
    }
}

impl RadiusSettings {
    /// `instance`, or the host name when it is empty (`radius` if even that is unknown).
    pub fn instance_name(&self) -> String {
        if !self.instance.trim().is_empty() {
            return self.instance.trim().to_owned();
        }
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "radius".into())
    }

    pub(crate) fn read_secret_files(&mut self) -> anyhow::Result<()> {
        read_secret_file(
            &mut self.freeradius_token,
            self.freeradius_token_file.as_deref(),
            "radius.freeradius_token_file",
        )
    }

    pub(crate) fn secret(&self) -> (&'static str, &Secret) {
        ("radius.freeradius_token", &self.freeradius_token)
    }
}

/// The controllers service: keeps cloud WiFi controllers' key lists (Meraki, OpenWrt, …)
/// equal to Lanyard's.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct ControllersSettings {
    /// Where OpenWrt routers fetch their `wpa_psk_file` (behind the TLS proxy that fronts the
    /// portal, as the portal's listener is).
    pub listen: String,
    /// Operations listener (`/metrics`, `/readyz`, `/healthz`).
    pub ops_listen: String,
    /// A full reconciliation of every mapped location this often (repairs drift).
    pub reconcile_interval_secs: u64,
    /// The prefix naming Lanyard's keys at a vendor; keys without it are never touched.
    pub key_prefix: String,
    /// Meraki's Dashboard API base (`https://api.meraki.com/api/v1`; a simulator in tests).
    pub meraki_api_url: String,
    /// Meraki's budget per organization (10 requests/s).
    pub meraki_requests_per_second: u32,
    /// Identity PSKs per SSID Meraki accepts (5,000, MR 30.1+).
    pub meraki_keys_per_ssid: usize,
    /// Mist's API base (`https://api.mist.com`, or the organization's cloud's; a simulator in
    /// tests).
    pub mist_api_url: String,
    /// Mist's budget per API token: `mist_calls_per_hour` (5,000) per `mist_hour_secs` (3,600;
    /// tests and benchmarks shorten the hour, scaling the rate).
    pub mist_calls_per_hour: u32,
    pub mist_hour_secs: u64,
    /// PSKs an SSID takes (5,000 per AP with local lookup).
    pub mist_keys_per_ssid: usize,
    /// Lanyard's own budget towards a UniFi controller (UniFi documents no API rate limit).
    pub unifi_requests_per_second: u32,
    /// Private pre-shared keys a UniFi WLAN takes (UniFi documents no maximum: Lanyard's bound).
    pub unifi_keys_per_wlan: usize,
}

impl Default for ControllersSettings {
    fn default() -> Self {
        ControllersSettings {
            listen: "127.0.0.1:8085".into(),
            ops_listen: "127.0.0.1:9085".into(),
            reconcile_interval_secs: 900,
            key_prefix: "lanyard:".into(),
            meraki_api_url: "https://api.meraki.com/api/v1".into(),
            meraki_requests_per_second: 10,
            meraki_keys_per_ssid: 5000,
            mist_api_url: "https://api.mist.com".into(),
            mist_calls_per_hour: 5000,
            mist_hour_secs: 3600,
            mist_keys_per_ssid: 5000,
            unifi_requests_per_second: 10,
            unifi_keys_per_wlan: 1000,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct OptixSettings {
    pub api_url: String,
    pub apps: Vec<OptixApp>,
    /// Optix's budget per token (60/min); 0 turns the client-side limit off (benchmarks).
    pub requests_per_minute: u32,
    /// The budget's window in seconds: 60, as Optix counts (tests shorten it).
    pub budget_window_secs: u64,
    /// Page size of list queries (users, plans, bookings, teams).
    pub page_size: i64,
    /// How long background work (webhooks, syncs) may wait for the budget before retrying later.
    pub patience_secs: u64,
}

impl Default for OptixSettings {
    fn default() -> Self {
        OptixSettings {
            api_url: String::new(),
            apps: Vec::new(),
            requests_per_minute: 60,
            budget_window_secs: 60,
            page_size: 100,
            patience_secs: 120,
        }
    }
}

/// OfficeRnD, the second membership platform (docs/officernd.md): where its API and token
/// endpoint are (configuration, so tests and `make up` point at `officernd-sim`), how long
/// background work waits for its rate limit, and how far a webhook signature's `t` may be
/// from now. Each organization's client id, secret and slug are in the log (the secret sealed),
/// given by `lanyard officernd connect`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct OfficeRndSettings {
    pub api_url: String,
    pub token_url: String,
    pub patience_secs: u64,
    pub signature_tolerance_secs: i64,
    /// A periodic sync of an OfficeRnD organization reads only what changed since the last
    /// (`modifiedAt[$gte]`), except once per this interval, when it reads everything (a full
    /// sweep: what a removal without a webhook left behind).
    pub full_sync_interval_secs: u64,
}

impl Default for OfficeRndSettings {
    fn default() -> Self {
        OfficeRndSettings {
            api_url: "https://app.officernd.com".into(),
            token_url: "https://identity.officernd.com/oauth/token".into(),
            patience_secs: 120,
            signature_tolerance_secs: 300,
            full_sync_interval_secs: 3600,
        }
    }
}

impl OfficeRndSettings {
    /// The OfficeRnD API client these settings describe; each call gives up after
    /// `http_timeout`.
    pub fn client(&self, http_timeout: Duration) -> anyhow::Result<officernd::OfficeRndClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(http_timeout)
            .build()?;
        Ok(officernd::OfficeRndClient::new(
            http,
            officernd::ClientSettings {
                api_url: self.api_url.clone(),
                token_url: self.token_url.clone(),
                patience: Duration::from_secs(self.patience_secs),
            },
        ))
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct OptixApp {
    pub client_id: String,
    #[serde(default)]
    pub secret: Secret,
    /// A file holding `secret`, read at start when set.
    #[serde(default)]
    pub secret_file: Option<PathBuf>,
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

impl fmt::Debug for NatsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsSettings")
            .field("url", &redact_url(&self.url))
            .field("webhook_stream", &self.webhook_stream)
            .field("duplicate_window_secs", &self.duplicate_window_secs)
            .field("webhook_retention_secs", &self.webhook_retention_secs)
            .field("nkey_seed", &self.nkey_seed)
            .field("nkey_seed_file", &self.nkey_seed_file)
            .field("credentials_dir", &self.credentials_dir)
            .field("tls_ca_file", &self.tls_ca_file)
            .field("replicas", &self.replicas)
            .finish()
    }
}

fn default_pool_size() -> usize {
    16
}
fn default_webhook_stream() -> String {
    "OPTIX_WEBHOOKS".into()
}
fn default_duplicate_window() -> u64 {
    120
}
fn default_replicas() -> usize {
    1
}
fn default_webhook_retention() -> u64 {
    24 * 3600
}

impl DatabaseSettings {
    /// The connection pool these settings describe (connections are opened on first use).
    pub fn pool(&self) -> Result<deadpool_postgres::Pool, store::StoreError> {
        store::create_pool(&self.url, self.pool_size)
    }
}

impl OptixSettings {
    /// The Optix API client these settings describe: its budget per token
    /// (`requests_per_minute` in `budget_window_secs`), page size and patience. Each call gives
    /// up after `http_timeout`.
    pub fn client(&self, http_timeout: Duration) -> anyhow::Result<optix::api::OptixClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(http_timeout)
            .build()?;
        Ok(optix::api::OptixClient::with_settings(
            self.api_url.clone(),
            http,
            optix::api::ClientSettings {
                requests_per_minute: self.requests_per_minute,
                window: Duration::from_secs(self.budget_window_secs.max(1)),
                page_size: self.page_size.max(1),
                patience: Duration::from_secs(self.patience_secs),
                ..Default::default()
            },
        ))
    }

    pub(crate) fn read_secret_files(&mut self) -> anyhow::Result<()> {
        for app in &mut self.apps {
            read_secret_file(
                &mut app.secret,
                app.secret_file.as_deref(),
                "optix.apps[].secret_file",
            )?;
        }
        Ok(())
    }

    pub(crate) fn secrets(&self) -> impl Iterator<Item = (&'static str, &Secret)> {
        self.apps
            .iter()
            .map(|app| ("optix.apps[].secret", &app.secret))
    }
}

impl ProvisionSettings {
    pub(crate) fn read_secret_files(&mut self) -> anyhow::Result<()> {
        read_secret_file(
            &mut self.master_key,
            self.master_key_file.as_deref(),
            "provision.master_key_file",
        )?;
        read_secret_file(
            &mut self.hash_key,
            self.hash_key_file.as_deref(),
            "provision.hash_key_file",
        )
    }

    pub(crate) fn secrets(&self) -> [(&'static str, &Secret); 2] {
        [
            ("provision.master_key", &self.master_key),
            ("provision.hash_key", &self.hash_key),
        ]
    }
}

impl PortalSettings {
    pub(crate) fn read_secret_files(&mut self) -> anyhow::Result<()> {
        read_secret_file(
            &mut self.smtp_url,
            self.smtp_url_file.as_deref(),
            "portal.smtp_url_file",
        )
    }
}

impl WebhookSettings {
    pub(crate) fn read_secret_files(&mut self) -> anyhow::Result<()> {
        read_secret_file(
            &mut self.seal_key,
            self.seal_key_file.as_deref(),
            "webhooks.seal_key_file",
        )
    }

    pub(crate) fn secret(&self) -> (&'static str, &Secret) {
        ("webhooks.seal_key", &self.seal_key)
    }
}
