//! Service basics shared by ingest, provision, portal and the CLI: layered settings and the
//! shutdown signal.

use anyhow::Context;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// A secret from configuration: never printed by Debug or Display.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub nats: NatsSettings,
    #[serde(default)]
    pub ingest: IngestSettings,
    #[serde(default)]
    pub provision: ProvisionSettings,
    #[serde(default)]
    pub portal: PortalSettings,
    #[serde(default)]
    pub optix: OptixSettings,
    #[serde(default)]
    pub webhooks: WebhookSettings,
}

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
    pub nkey_seed_file: Option<std::path::PathBuf>,
    /// A directory of seeds named after the services (`ingest.nk`, `provision.nk`,
    /// `portal.nk`, `cli.nk`), as `lanyard nats-auth` writes them: one setting for a machine
    /// that runs several services.
    #[serde(default)]
    pub credentials_dir: Option<std::path::PathBuf>,
    /// PEM file of the certificate authority that signed the NATS servers' certificates;
    /// set, the connection requires TLS (production, anything beyond loopback).
    #[serde(default)]
    pub tls_ca_file: Option<std::path::PathBuf>,
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
            .finish()
    }
}

/// A connection URL fit for logs: the userinfo of `scheme://user:password@host/...` loses its
/// password (a bare token `scheme://token@host` is hidden whole), and libpq key/value strings
/// lose `password=...`. Several comma-separated URLs (NATS server lists) are handled each.
pub fn redact_url(url: &str) -> String {
    if !url.contains("://") {
        return url
            .split_whitespace()
            .map(|pair| {
                if pair.to_ascii_lowercase().starts_with("password=") {
                    "password=[redacted]"
                } else {
                    pair
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    url.split(',')
        .map(|one| {
            let Some((scheme, rest)) = one.split_once("://") else {
                return one.to_owned();
            };
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = match userinfo.split_once(':') {
                        Some((user, _password)) => format!("{user}:[redacted]"),
                        None => "[redacted]".to_owned(),
                    };
                    format!("{scheme}://{user}@{host}{path}")
                }
                None => one.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
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
fn default_webhook_retention() -> u64 {
    24 * 3600
}

/// Settings from an optional TOML file, overridden by `LANYARD__SECTION__KEY` variables.
pub fn load_settings(path: Option<&Path>) -> anyhow::Result<Settings> {
    let mut builder = config::Config::builder();
    if let Some(path) = path {
        anyhow::ensure!(
            path.exists(),
            "configuration file {} does not exist",
            path.display()
        );
        builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
    }
    builder = builder.add_source(
        config::Environment::with_prefix("LANYARD")
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            // Lists from the environment, comma-separated: only these keys (a NATS URL may
            // hold a comma-separated server list and stays one string).
            .list_separator(",")
            .with_list_parse_key("portal.trusted_proxies"),
    );
    let config = builder.build().context("reading configuration")?;
    let mut settings = config
        .try_deserialize::<Settings>()
        .context("invalid configuration (every key can also be set as LANYARD__SECTION__KEY)")?;
    settings.read_secret_files()?;
    settings.refuse_published_keys()?;
    Ok(settings)
}

/// Keys and secrets that anyone can read in this repository (the `make up` template of old, the
/// integration tests, the demo Optix app): fine on a developer's loopback, fatal anywhere else.
const PUBLISHED_SECRETS: [&str; 7] = [
    // The webhook seal key of the first sealed `make up` template and of the integration tests.
    "6c616e796172642d6465762d7765626b6f6f6b2d7365616c2d6b65792d2d2d2d",
    "5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1",
    "6c616e796172642d6465762d6d61737465722d6b65792d6e6f742d7365637265",
    "6c616e796172642d6465762d686173682d6b65792d6e6f742d7365637265742e",
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100",
    "demo-app-secret-change-me",
];

impl Settings {
    /// Replaces each secret that names a file (`*_file`) with that file's contents, trailing
    /// newline removed: how systemd credentials and Kubernetes secret volumes hand them over.
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        read_secret_file(
            &mut self.provision.master_key,
            self.provision.master_key_file.as_deref(),
            "provision.master_key_file",
        )?;
        read_secret_file(
            &mut self.provision.hash_key,
            self.provision.hash_key_file.as_deref(),
            "provision.hash_key_file",
        )?;
        read_secret_file(
            &mut self.portal.smtp_url,
            self.portal.smtp_url_file.as_deref(),
            "portal.smtp_url_file",
        )?;
        read_secret_file(
            &mut self.webhooks.seal_key,
            self.webhooks.seal_key_file.as_deref(),
            "webhooks.seal_key_file",
        )?;
        for app in &mut self.optix.apps {
            read_secret_file(
                &mut app.secret,
                app.secret_file.as_deref(),
                "optix.apps[].secret_file",
            )?;
        }
        Ok(())
    }

    /// Refuses to run with a key published in this repository unless tenants reach the portal
    /// on this machine only: a copied development configuration must never guard real data.
    fn refuse_published_keys(&self) -> anyhow::Result<()> {
        let public_url = if self.portal.public_url.trim().is_empty() {
            format!("http://{}", self.portal.listen)
        } else {
            self.portal.public_url.clone()
        };
        if is_loopback_url(&public_url) {
            return Ok(());
        }
        let mut named = vec![
            ("provision.master_key", &self.provision.master_key),
            ("provision.hash_key", &self.provision.hash_key),
        ];
        named.push(("webhooks.seal_key", &self.webhooks.seal_key));
        named.extend(
            self.optix
                .apps
                .iter()
                .map(|app| ("optix.apps[].secret", &app.secret)),
        );
        for (name, secret) in named {
            if PUBLISHED_SECRETS.contains(&secret.expose().trim()) {
                anyhow::bail!(
                    "{name} is a development value published in Lanyard's repository, and the \
                     portal's public URL ({public_url}) is not on this machine: generate a new \
                     one (`openssl rand -hex 32` for keys) and pass it through the environment \
                     (LANYARD__SECTION__KEY) or a file (`*_file`), see docs/security.md"
                );
            }
        }
        Ok(())
    }
}

fn read_secret_file(secret: &mut Secret, file: Option<&Path>, key: &str) -> anyhow::Result<()> {
    let Some(file) = file else { return Ok(()) };
    let contents = std::fs::read_to_string(file)
        .with_context(|| format!("{key}: cannot read {}", file.display()))?;
    let value = contents.trim_end_matches(['\n', '\r']);
    anyhow::ensure!(!value.is_empty(), "{key}: {} is empty", file.display());
    *secret = Secret::new(value);
    Ok(())
}

/// Whether a URL's host is this machine: `localhost` (and `*.localhost`) or a loopback address.
fn is_loopback_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

/// Resolves on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutdown signal received");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_settings_with_defaults_and_redacted_secrets() {
        let _guard = ENV_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dir = std::env::temp_dir().join(format!("lanyard-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("s.toml");
        std::fs::write(
            &path,
            "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\nnkey_seed = \"SUnatsseed\"\n[provision]\nmaster_key = \"topsecret\"\n\
             [[optix.apps]]\nclient_id = \"c\"\nsecret = \"s3cr3t\"\n\
             [webhooks]\nseal_key = \"sealsecret\"\n",
        )
        .expect("write");
        let settings = load_settings(Some(&path)).expect("settings");
        assert_eq!(settings.database.pool_size, 16);
        assert_eq!(settings.ingest.max_body_bytes, 65536);
        assert_eq!(settings.provision.master_key.expose(), "topsecret");
        assert_eq!(settings.optix.apps[0].secret.expose(), "s3cr3t");
        assert_eq!(settings.webhooks.seal_key.expose(), "sealsecret");
        // Raw webhooks are kept a day unless configured otherwise.
        assert_eq!(settings.nats.webhook_retention_secs, 24 * 3600);
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("topsecret")
                && !debug.contains("s3cr3t")
                && !debug.contains("sealsecret")
                && !debug.contains("SUnats"),
            "{debug}"
        );
        assert_eq!(
            settings.nats.nkey_seed.as_ref().map(Secret::expose),
            Some("SUnatsseed")
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The environment is process-wide: tests that set or depend on LANYARD__* take this lock.
    static ENV_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn write_config(name: &str, contents: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("lanyard-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("lanyard.toml");
        std::fs::write(&path, contents).expect("write");
        path
    }

    #[test]
    fn environment_overrides_the_file() {
        let _guard = ENV_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let path = write_config(
            "env",
            "[database]\nurl = \"postgres://file\"\n[nats]\nurl = \"nats://file\"\n[ingest]\npublish_timeout_ms = 900\n",
        );
        // SAFETY: the variables are set and removed under ENV_LOCK; nothing else in this test
        // binary reads the environment concurrently.
        unsafe {
            std::env::set_var("LANYARD__NATS__URL", "nats://env:4222");
            std::env::set_var("LANYARD__INGEST__PUBLISH_TIMEOUT_MS", "700");
            std::env::set_var("LANYARD__PROVISION__HASH_KEY", "from-env");
        }
        let settings = load_settings(Some(&path));
        unsafe {
            std::env::remove_var("LANYARD__NATS__URL");
            std::env::remove_var("LANYARD__INGEST__PUBLISH_TIMEOUT_MS");
            std::env::remove_var("LANYARD__PROVISION__HASH_KEY");
        }
        let settings = settings.expect("settings");
        assert_eq!(settings.database.url, "postgres://file");
        assert_eq!(settings.nats.url, "nats://env:4222");
        assert_eq!(settings.nats.webhook_stream, "OPTIX_WEBHOOKS");
        assert_eq!(settings.ingest.publish_timeout_ms, 700);
        assert_eq!(settings.ingest.listen, "127.0.0.1:8081");
        assert_eq!(settings.provision.hash_key.expose(), "from-env");
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_missing_key_is_named() {
        let _guard = ENV_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let path = write_config("missing-key", "[database]\nurl = \"postgres://x\"\n");
        let error = load_settings(Some(&path)).expect_err("nats is required");
        assert!(format!("{error:#}").contains("nats"), "{error:#}");
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn secrets_never_show_in_debug_or_display() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(secret.to_string(), "[redacted]");
        let app = OptixApp {
            client_id: "c".into(),
            secret,
            secret_file: None,
        };
        assert!(!format!("{app:?}").contains("hunter2"));
    }

    #[test]
    fn urls_lose_their_passwords_in_debug() {
        assert_eq!(
            redact_url("postgres://lanyard:pw@db:5432/lanyard?sslmode=require"),
            "postgres://lanyard:[redacted]@db:5432/lanyard?sslmode=require"
        );
        assert_eq!(
            redact_url("nats://tok@a:4222,nats://b:4222"),
            "nats://[redacted]@a:4222,nats://b:4222"
        );
        assert_eq!(
            redact_url("host=db user=x password=pw"),
            "host=db user=x password=[redacted]"
        );
        assert_eq!(redact_url("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
        let database = DatabaseSettings {
            url: "postgres://u:hunter2@h/d".into(),
            pool_size: 1,
        };
        assert!(!format!("{database:?}").contains("hunter2"));
    }

    const TEMPLATE_KEYS: &str = "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n\
        [provision]\nmaster_key = \"6c616e796172642d6465762d6d61737465722d6b65792d6e6f742d7365637265\"\n\
        hash_key = \"6c616e796172642d6465762d686173682d6b65792d6e6f742d7365637265742e\"\n";

    #[test]
    fn published_development_keys_are_refused_off_this_machine() {
        let _guard = ENV_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let public = write_config(
            "published-public",
            &format!("{TEMPLATE_KEYS}[portal]\npublic_url = \"https://wifi.example.com\"\n"),
        );
        let error = load_settings(Some(&public)).expect_err("a published key in production");
        let message = format!("{error:#}");
        assert!(
            message.contains("provision.master_key") && message.contains("wifi.example.com"),
            "{message}"
        );
        assert!(
            !message.contains("6c616e79"),
            "the key itself is not echoed: {message}"
        );
        // An empty public URL means the listen address, which defaults to loopback.
        for (name, portal) in [
            (
                "published-localhost",
                "public_url = \"http://localhost:8083\"",
            ),
            (
                "published-loopback",
                "public_url = \"http://127.0.0.1:8083\"",
            ),
            ("published-default", "listen = \"127.0.0.1:8083\""),
        ] {
            let path = write_config(name, &format!("{TEMPLATE_KEYS}[portal]\n{portal}\n"));
            load_settings(Some(&path)).expect("development keys on loopback");
        }
        let all_interfaces = write_config(
            "published-all-interfaces",
            &format!("{TEMPLATE_KEYS}[portal]\nlisten = \"0.0.0.0:8083\"\n"),
        );
        load_settings(Some(&all_interfaces)).expect_err("listening on every interface");
        let demo_app = write_config(
            "published-app",
            "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n\
             [portal]\npublic_url = \"https://wifi.example.com\"\n\
             [[optix.apps]]\nclient_id = \"c\"\nsecret = \"demo-app-secret-change-me\"\n",
        );
        let test_seal_key = write_config(
            "published-seal",
            "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n\
             [portal]\npublic_url = \"https://wifi.example.com\"\n\
             [webhooks]\nseal_key = \"5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1\"\n",
        );
        let error = load_settings(Some(&test_seal_key)).expect_err("the tests' seal key");
        assert!(
            format!("{error:#}").contains("webhooks.seal_key"),
            "{error:#}"
        );
        let error = load_settings(Some(&demo_app)).expect_err("the demo app's secret");
        assert!(
            format!("{error:#}").contains("optix.apps[].secret"),
            "{error:#}"
        );
    }

    #[test]
    fn secrets_are_read_from_the_files_named() {
        let _guard = ENV_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dir = std::env::temp_dir().join(format!("lanyard-secret-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("master"), format!("{}\n", "ab".repeat(32))).expect("write");
        std::fs::write(dir.join("app"), "from-a-file").expect("write");
        std::fs::write(dir.join("seal"), format!("{}\n", "cd".repeat(32))).expect("write");
        let path = write_config(
            "secret-files",
            &format!(
                "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n\
                 [provision]\nmaster_key_file = \"{}\"\n\
                 [webhooks]\nseal_key_file = \"{}\"\n\
                 [[optix.apps]]\nclient_id = \"c\"\nsecret_file = \"{}\"\n",
                dir.join("master").display(),
                dir.join("seal").display(),
                dir.join("app").display()
            ),
        );
        let settings = load_settings(Some(&path)).expect("settings");
        assert_eq!(settings.provision.master_key.expose(), "ab".repeat(32));
        assert_eq!(settings.webhooks.seal_key.expose(), "cd".repeat(32));
        assert_eq!(settings.optix.apps[0].secret.expose(), "from-a-file");
        std::fs::write(dir.join("master"), "\n").expect("write");
        let error = load_settings(Some(&path)).expect_err("an empty key file");
        assert!(
            format!("{error:#}").contains("master_key_file"),
            "{error:#}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn trusted_proxies_come_from_the_environment_as_a_list() {
        let _guard = ENV_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let path = write_config(
            "proxies",
            "[database]\nurl = \"postgres://file\"\n[nats]\nurl = \"nats://file\"\n",
        );
        // SAFETY: set and removed under ENV_LOCK, as above.
        unsafe {
            std::env::set_var("LANYARD__PORTAL__TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.1");
            std::env::set_var("LANYARD__NATS__URL", "nats://a:4222,nats://b:4222");
        }
        let settings = load_settings(Some(&path));
        unsafe {
            std::env::remove_var("LANYARD__PORTAL__TRUSTED_PROXIES");
            std::env::remove_var("LANYARD__NATS__URL");
        }
        let settings = settings.expect("settings");
        assert_eq!(settings.portal.trusted_proxies, ["10.0.0.0/8", "192.0.2.1"]);
        assert_eq!(settings.nats.url, "nats://a:4222,nats://b:4222");
        assert_eq!(settings.portal.ops_listen, "127.0.0.1:9083");
        assert_eq!(settings.ingest.ops_listen, "127.0.0.1:9081");
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_missing_file_is_named() {
        let error =
            load_settings(Some(Path::new("/nonexistent/lanyard.toml"))).expect_err("missing");
        assert!(error.to_string().contains("/nonexistent/lanyard.toml"));
    }
}
