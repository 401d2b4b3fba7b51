//! Layered loading: `lanyard.toml` (optional), then `LANYARD__SECTION__KEY` variables, then the
//! secret files named by `*_file` keys, then the refusal of keys published in this repository.
//! Every program reads only the sections it uses ([`ServiceSettings`]), from the same file.

use crate::secret::Secret;
use crate::sections::PortalSettings;
use anyhow::Context;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

/// The settings one program reads: the sections it uses of `lanyard.toml`.
pub trait ServiceSettings: DeserializeOwned {
    /// Replaces each secret that names a file (`*_file`) with that file's contents.
    fn read_secret_files(&mut self) -> anyhow::Result<()>;
    /// The secrets it holds, by key, for the refusal of published ones.
    fn secrets(&self) -> Vec<(&'static str, &Secret)>;
}

/// Settings from an optional TOML file, overridden by `LANYARD__SECTION__KEY` variables.
pub fn load<S: ServiceSettings>(path: Option<&Path>) -> anyhow::Result<S> {
    let config = layered(path)?;
    let mut settings = config
        .clone()
        .try_deserialize::<S>()
        .context("invalid configuration (every key can also be set as LANYARD__SECTION__KEY)")?;
    settings.read_secret_files()?;
    let exposure = config
        .try_deserialize::<Exposure>()
        .context("invalid configuration ([portal])")?;
    refuse_published_keys(&exposure.public_url(), settings.secrets())?;
    Ok(settings)
}

fn layered(path: Option<&Path>) -> anyhow::Result<config::Config> {
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
    builder.build().context("reading configuration")
}

/// Where tenants reach the portal: whatever a program reads, this decides whether the keys it
/// holds may be development ones.
#[derive(Deserialize)]
struct Exposure {
    #[serde(default)]
    portal: PortalSettings,
}

impl Exposure {
    fn public_url(&self) -> String {
        if self.portal.public_url.trim().is_empty() {
            format!("http://{}", self.portal.listen)
        } else {
            self.portal.public_url.clone()
        }
    }
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

/// Refuses to run with a key published in this repository unless tenants reach the portal on
/// this machine only: a copied development configuration must never guard real data.
fn refuse_published_keys(
    public_url: &str,
    secrets: Vec<(&'static str, &Secret)>,
) -> anyhow::Result<()> {
    if is_loopback_url(public_url) {
        return Ok(());
    }
    for (name, secret) in secrets {
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

#[cfg(test)]
pub(crate) mod tests {
    use crate::{Secret, load_settings};
    use std::path::Path;

    #[test]
    fn file_settings_with_defaults_and_redacted_secrets() {
        let _guard = lock_environment();
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

    pub(crate) fn lock_environment() -> std::sync::MutexGuard<'static, ()> {
        ENV_LOCK
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn write_config(name: &str, contents: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("lanyard-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("lanyard.toml");
        std::fs::write(&path, contents).expect("write");
        path
    }

    /// [`load_settings`] of the configuration `contents` (written as `name`) with `variables`
    /// set in the environment (the caller holds the lock).
    fn load_with_environment(
        name: &str,
        contents: &str,
        variables: &[(&str, &str)],
    ) -> (std::path::PathBuf, anyhow::Result<crate::Settings>) {
        let path = write_config(name, contents);
        // SAFETY: the variables are set and removed under ENV_LOCK; nothing else in this test
        // binary reads the environment concurrently.
        unsafe {
            for (name, value) in variables {
                std::env::set_var(name, value);
            }
        }
        let settings = load_settings(Some(&path));
        unsafe {
            for (name, _) in variables {
                std::env::remove_var(name);
            }
        }
        (path, settings)
    }

    /// The error's message (with its causes) names `what`.
    pub(crate) fn assert_names(error: anyhow::Error, what: &str) {
        let message = format!("{error:#}");
        assert!(message.contains(what), "{message}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let _guard = lock_environment();
        let (path, settings) = load_with_environment(
            "env",
            "[database]\nurl = \"postgres://file\"\n[nats]\nurl = \"nats://file\"\n[ingest]\npublish_timeout_ms = 900\n",
            &[
                ("LANYARD__NATS__URL", "nats://env:4222"),
                ("LANYARD__INGEST__PUBLISH_TIMEOUT_MS", "700"),
                ("LANYARD__PROVISION__HASH_KEY", "from-env"),
            ],
        );
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
        let _guard = lock_environment();
        let path = write_config("missing-key", "[database]\nurl = \"postgres://x\"\n");
        let error = load_settings(Some(&path)).expect_err("nats is required");
        assert_names(error, "nats");
        let _ = std::fs::remove_file(path);
    }

    const TEMPLATE_KEYS: &str = "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n\
        [provision]\nmaster_key = \"6c616e796172642d6465762d6d61737465722d6b65792d6e6f742d7365637265\"\n\
        hash_key = \"6c616e796172642d6465762d686173682d6b65792d6e6f742d7365637265742e\"\n";

    #[test]
    fn published_development_keys_are_refused_off_this_machine() {
        let _guard = lock_environment();
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
        assert_names(error, "webhooks.seal_key");
        let error = load_settings(Some(&demo_app)).expect_err("the demo app's secret");
        assert_names(error, "optix.apps[].secret");
    }

    #[test]
    fn secrets_are_read_from_the_files_named() {
        let _guard = lock_environment();
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
        assert_names(error, "master_key_file");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn trusted_proxies_come_from_the_environment_as_a_list() {
        let _guard = lock_environment();
        let (path, settings) = load_with_environment(
            "proxies",
            "[database]\nurl = \"postgres://file\"\n[nats]\nurl = \"nats://file\"\n",
            &[
                ("LANYARD__PORTAL__TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.1"),
                ("LANYARD__NATS__URL", "nats://a:4222,nats://b:4222"),
            ],
        );
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
