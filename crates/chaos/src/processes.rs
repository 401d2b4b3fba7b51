//! The processes a fault hits and the supervisor that brings them back: the service binaries
//! (children of this process), nats-server (found by its port) and PostgreSQL (the server
//! `scripts/infra.sh` started, controlled with `pg_ctl` as its owner).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Sends `signal` to `pid`.
pub fn signal(pid: u32, signal: libc::c_int) -> anyhow::Result<()> {
    let pid = libc::pid_t::try_from(pid)?;
    // SAFETY: kill(2) with a pid this suite started or found by its command line.
    let sent = unsafe { libc::kill(pid, signal) };
    anyhow::ensure!(
        sent == 0,
        "kill({pid}, {signal}): {}",
        std::io::Error::last_os_error()
    );
    Ok(())
}

/// Whether `pid` still runs (a zombie counts as gone).
pub fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(") ")
                .map(|(_, rest)| !rest.starts_with('Z'))
        })
        .unwrap_or(false)
}

/// Waits until `pid` is gone, for at most `deadline`.
pub async fn wait_gone(pid: u32, deadline: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while running(pid) {
        anyhow::ensure!(
            started.elapsed() < deadline,
            "process {pid} still runs after {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// The pid of the process whose command line holds every one of `words` as an argument (e.g.
/// nats-server's `-p` and its port).
pub fn pid_with_arguments(program: &str, words: &[&str]) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let is_program = args
                .first()
                .is_some_and(|a| String::from_utf8_lossy(a).ends_with(program));
            let in_order = args
                .windows(words.len())
                .any(|window| window.iter().zip(words).all(|(a, w)| *a == w.as_bytes()));
            (is_program && in_order && running(pid)).then_some(pid)
        })
}

/// A service binary run as a child process with its configuration; a fault kills it, the
/// supervisor starts it again the same way.
pub struct Service {
    pub name: String,
    binary: PathBuf,
    config: PathBuf,
    log: PathBuf,
    /// Where it answers `/healthz` once up.
    health_url: String,
    child: Option<Child>,
}

impl Service {
    pub fn new(name: &str, binary: &str, config: &Path, dir: &Path, health_url: String) -> Self {
        Service {
            name: name.to_owned(),
            binary: binary_path(binary),
            config: config.to_owned(),
            log: dir.join(format!("{name}.log")),
            health_url,
            child: None,
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// When its log last said `line` (the JSON log's `timestamp`, which sorts as text).
    pub fn last_logged(&self, line: &str) -> Option<String> {
        let log = std::fs::read_to_string(&self.log).ok()?;
        log.lines().rev().find(|l| l.contains(line)).and_then(|l| {
            let value: serde_json::Value = serde_json::from_str(l).ok()?;
            Some(value["timestamp"].as_str()?.to_owned())
        })
    }

    /// Starts it (its log appended to) and waits until it answers healthy.
    pub async fn start(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.binary.exists(),
            "{} is missing: build the services first (cargo build --workspace --bins)",
            self.binary.display()
        );
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(&self.binary)
            .arg("--config")
            .arg(&self.config)
            // Warnings, and which instance leads (the relay's lease: `relay_leader`).
            .env("RUST_LOG", "warn,provision::lease=info")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()?;
        self.child = Some(child);
        self.wait_healthy(Duration::from_secs(60)).await
    }

    async fn wait_healthy(&mut self, deadline: Duration) -> anyhow::Result<()> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let started = Instant::now();
        loop {
            self.alive()?;
            let healthy = http.get(&self.health_url).send().await;
            if healthy.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            anyhow::ensure!(
                started.elapsed() < deadline,
                "{} not healthy at {} within {deadline:?}",
                self.name,
                self.health_url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// An error with the last lines of its log if it has exited.
    pub fn alive(&mut self) -> anyhow::Result<()> {
        let Some(child) = self.child.as_mut() else {
            anyhow::bail!("{} is not running", self.name);
        };
        if let Some(status) = child.try_wait()? {
            return Err(integration_tests::process::exited(
                &self.name, status, &self.log,
            ));
        }
        Ok(())
    }

    /// kill -9, and the exit reaped.
    pub fn kill_hard(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// SIGTERM (a graceful stop), SIGKILL after 10 s.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = signal(child.id(), libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A binary next to this one (target/debug or target/release).
fn binary_path(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The PostgreSQL server of `scripts/infra.sh start` (its data directory in `PG_DATA`),
/// restarted and crashed through `pg_ctl` and signals as a supervisor would.
pub struct Postgres {
    data: PathBuf,
    pg_ctl: PathBuf,
    log: PathBuf,
}

impl Postgres {
    /// From the environment `scripts/infra.sh` writes (`PG_DATA`); the server must run.
    pub fn from_env() -> anyhow::Result<Postgres> {
        let data = PathBuf::from(std::env::var("PG_DATA").map_err(|_| {
            anyhow::anyhow!(
                "PG_DATA is not set: run the suite with scripts/chaos.sh (it starts PostgreSQL with scripts/infra.sh)"
            )
        })?);
        let opts = std::fs::read_to_string(data.join("postmaster.opts"))?;
        let postgres = opts.split_whitespace().next().ok_or_else(|| {
            anyhow::anyhow!("{} is empty", data.join("postmaster.opts").display())
        })?;
        let pg_ctl = Path::new(postgres.trim_matches('"')).with_file_name("pg_ctl");
        let log = data
            .parent()
            .map_or_else(|| data.join("pg.log"), |root| root.join("pg.log"));
        let pg = Postgres { data, pg_ctl, log };
        pg.postmaster()?;
        Ok(pg)
    }

    /// The postmaster's pid (the first line of postmaster.pid).
    pub fn postmaster(&self) -> anyhow::Result<u32> {
        let file = std::fs::read_to_string(self.data.join("postmaster.pid"))?;
        Ok(file
            .lines()
            .next()
            .ok_or_else(|| anyhow::anyhow!("postmaster.pid is empty"))?
            .trim()
            .parse()?)
    }

    /// `pg_ctl restart -m fast` (the options it started with are kept in postmaster.opts).
    pub fn restart_fast(&self) -> anyhow::Result<()> {
        self.pg_ctl(&["-m", "fast", "-w", "-t", "60", "restart"])
    }

    /// kill -9 of the postmaster; its backends notice and exit.
    pub async fn kill_postmaster(&self) -> anyhow::Result<()> {
        let pid = self.postmaster()?;
        signal(pid, libc::SIGKILL)?;
        wait_gone(pid, Duration::from_secs(10)).await
    }

    /// Starts it again after a crash, with the options it last ran with. Orphaned backends of
    /// the dead postmaster hold its shared memory for a moment: retried until they are gone.
    pub async fn start_after_crash(&self) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            // `restart` finds the old postmaster gone and starts one with postmaster.opts.
            match self.pg_ctl(&["-w", "-t", "60", "restart"]) {
                Ok(()) => return Ok(()),
                Err(e) if started.elapsed() < Duration::from_secs(60) => {
                    tracing_note(&format!("PostgreSQL not started yet ({e:#}); retrying"));
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn pg_ctl(&self, args: &[&str]) -> anyhow::Result<()> {
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&self.pg_ctl);
            c
        } else {
            Command::new(&self.pg_ctl)
        };
        let output = command
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        anyhow::ensure!(
            output.status.success(),
            "pg_ctl {} failed ({}): {}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }
}

/// PostgreSQL refuses to run as root: as root, `pg_ctl` runs as the postgres user.
fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A progress line on stderr (the table goes to stdout).
pub fn tracing_note(line: &str) {
    eprintln!("chaos: {line}");
}
