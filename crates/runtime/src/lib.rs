//! Service basics shared by ingest, provision, portal and the CLI: layered settings and the
//! shutdown signal.

use anyhow::Context;
use serde::Deserialize;
use std::fmt;
use std::path::Path;

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
    /// Full sync of every installed organization this often (seed 001: 15 minutes).
    pub sync_interval_secs: u64,
    pub consumer_name: String,
    /// At most this many webhooks of one organization are reconciled together.
    pub batch_size: usize,
    /// How long an organization's worker waits for more hints before reconciling a lone one,
    /// so a burst costs one Optix request per hundred members rather than one per webhook.
    pub coalesce_ms: u64,
}

impl Default for ProvisionSettings {
    fn default() -> Self {
        ProvisionSettings {
            listen: "127.0.0.1:8082".into(),
            master_key: Secret::default(),
            hash_key: Secret::default(),
            sync_interval_secs: 900,
            consumer_name: "provision".into(),
            batch_size: 1000,
            coalesce_ms: 5,
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
    pub secret: Secret,
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
    config
        .try_deserialize::<Settings>()
        .context("invalid configuration (every key can also be set as LANYARD__SECTION__KEY)")
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
            "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n[provision]\nmaster_key = \"topsecret\"\n\
             [[optix.apps]]\nclient_id = \"c\"\nsecret = \"s3cr3t\"\n",
        )
        .expect("write");
        let settings = load_settings(Some(&path)).expect("settings");
        assert_eq!(settings.database.pool_size, 16);
        assert_eq!(settings.ingest.max_body_bytes, 65536);
        assert_eq!(settings.provision.master_key.expose(), "topsecret");
        assert_eq!(settings.optix.apps[0].secret.expose(), "s3cr3t");
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("topsecret") && !debug.contains("s3cr3t"),
            "{debug}"
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
