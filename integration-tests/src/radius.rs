//! A real FreeRADIUS per test, from Lanyard's own configuration (deploy/freeradius) and pointed
//! at the test stack's radius service, and `radclient` (freeradius-utils) to talk to it. Each
//! test gets its own server on free loopback ports, so tests never share a NAS cache.

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

/// The readiness probe's secret (Status-Server, its own listener); never a NAS's.
const STATUS_SECRET: &str = "lanyard-test-status-secret";

/// A FreeRADIUS process, stopped on drop.
pub struct FreeRadius {
    /// `127.0.0.1:port` of Access-Requests and of accounting.
    pub auth_addr: String,
    pub acct_addr: String,
    child: Child,
    run_dir: PathBuf,
}

impl FreeRadius {
    /// Starts FreeRADIUS asking the radius service at `radius_url` with `token`, taking its
    /// CoA-Requests (which answers to keep in memory) on `fill_port` (`Stack::radius_fill_port`),
    /// and waits (at most 20 s) until it answers Status-Server. A missing `freeradius` fails.
    pub async fn start(
        radius_url: &str,
        token: &str,
        fill_port: u16,
    ) -> anyhow::Result<FreeRadius> {
        let mut last_error = None;
        for _ in 0..3 {
            match FreeRadius::try_start(radius_url, token, fill_port).await {
                Ok(server) => return Ok(server),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("freeradius did not start")))
    }

    async fn try_start(
        radius_url: &str,
        token: &str,
        fill_port: u16,
    ) -> anyhow::Result<FreeRadius> {
        let run_dir = run_dir()?;
        let token_conf = run_dir.join("token.conf");
        crate::stack::write_secret_file(&token_conf, format!("lanyard_token = \"{token}\"\n"))?;
        let [auth, acct, status] = bus::testing::ports::free_udp_ports()?;
        let env = [
            ("RADIUS_AUTH_PORT", auth.to_string()),
            ("RADIUS_ACCT_PORT", acct.to_string()),
            ("RADIUS_STATUS_PORT", status.to_string()),
            ("RADIUS_LISTEN", "127.0.0.1".to_owned()),
            ("RADIUS_SECRET", STATUS_SECRET.to_owned()),
            ("RADIUS_FILL_LISTEN", "127.0.0.1".to_owned()),
            ("RADIUS_FILL_PORT", fill_port.to_string()),
            ("LANYARD_RADIUS_FILL_FROM", "127.0.0.1".to_owned()),
            (
                "LANYARD_RADIUS_URL",
                radius_url.trim_end_matches('/').to_owned(),
            ),
            (
                "LANYARD_RADIUS_TOKEN_CONF",
                token_conf.display().to_string(),
            ),
        ];
        let mut server = FreeRadius::spawn(
            &repository_dir("deploy/freeradius"),
            "radiusd",
            &env,
            run_dir,
            [auth, acct],
        )?;
        server.wait_ready(status, STATUS_SECRET).await?;
        Ok(server)
    }

    /// FreeRADIUS answering MAC authentication from its `files` module with `users` (a users
    /// file's text) for a NAS at 127.0.0.1 with `secret`: the ceiling of the read path
    /// (bench/radius/files-ceiling.conf).
    pub async fn start_files_ceiling(users: &str, secret: &str) -> anyhow::Result<FreeRadius> {
        let run_dir = run_dir()?;
        let users_file = run_dir.join("users");
        std::fs::write(&users_file, users)?;
        let [auth, acct, _] = bus::testing::ports::free_udp_ports()?;
        let env = [
            ("RADIUS_AUTH_PORT", auth.to_string()),
            ("RADIUS_SECRET", secret.to_owned()),
            ("RADIUS_USERS_FILE", users_file.display().to_string()),
        ];
        let mut server = FreeRadius::spawn(
            &repository_dir("bench/radius"),
            "files-ceiling",
            &env,
            run_dir,
            [auth, acct],
        )?;
        server.wait_ready(auth, secret).await?;
        Ok(server)
    }

    /// `freeradius -f -n NAME -d CONF_DIR` with `env` and RADIUS_RUN_DIR, logging to the run
    /// directory.
    fn spawn(
        conf_dir: &std::path::Path,
        name: &str,
        env: &[(&str, String)],
        run_dir: PathBuf,
        [auth, acct]: [u16; 2],
    ) -> anyhow::Result<FreeRadius> {
        let log = std::fs::File::create(run_dir.join("radius.log"))?;
        // LANYARD_FREERADIUS_DEBUG=1 logs every request's processing into radius.log.
        let debug = std::env::var_os("LANYARD_FREERADIUS_DEBUG").is_some();
        let child = Command::new("freeradius")
            .args(["-f", "-l", "stdout", "-n", name])
            .args(debug.then_some("-xx"))
            .arg("-d")
            .arg(conf_dir)
            .envs(env.iter().map(|(key, value)| (*key, value.as_str())))
            .env("RADIUS_RUN_DIR", &run_dir)
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("freeradius is missing: run scripts/infra.sh install")?;
        Ok(FreeRadius {
            auth_addr: format!("127.0.0.1:{auth}"),
            acct_addr: format!("127.0.0.1:{acct}"),
            child,
            run_dir,
        })
    }

    async fn wait_ready(&mut self, status_port: u16, secret: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status_addr = format!("127.0.0.1:{status_port}");
        loop {
            if let Some(exit) = self.child.try_wait()? {
                bail!("freeradius exited ({exit}):\n{}", self.log());
            }
            let probe = radclient(
                &status_addr,
                "status",
                secret,
                "Message-Authenticator = 0x00\n",
                Duration::from_millis(300),
            )
            .await?;
            if probe.code.is_some() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "freeradius did not answer Status-Server within 20 s:\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server and waits until it has exited (its ports are free again).
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// What FreeRADIUS logged so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.run_dir.join("radius.log")).unwrap_or_default()
    }

    /// Sends an Access-Request from 127.0.0.1 with `secret`; radclient waits `timeout` for an
    /// answer (one try each).
    pub async fn access_request(
        &self,
        secret: &str,
        attributes: &str,
        timeout: Duration,
    ) -> anyhow::Result<Exchange> {
        radclient(&self.auth_addr, "auth", secret, attributes, timeout).await
    }

    /// An Access-Request for MAC authentication of `mac` (12 lowercase hex digits), as the
    /// access points send it: User-Name = User-Password = the MAC, Calling-Station-Id dashed.
    pub async fn mac_auth(&self, secret: &str, mac: &str) -> anyhow::Result<Exchange> {
        self.access_request(secret, &mac_auth_attributes(mac), Duration::from_secs(2))
            .await
    }
}

impl Drop for FreeRadius {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.run_dir);
    }
}

/// The attributes of MAC authentication for `mac` (12 lowercase hex digits).
pub fn mac_auth_attributes(mac: &str) -> String {
    let dashed: Vec<String> = mac
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_uppercase())
        .collect();
    format!(
        "User-Name = \"{mac}\"\nUser-Password = \"{mac}\"\nCalling-Station-Id = \"{}\"\n",
        dashed.join("-")
    )
}

/// What came back: the packet type (None: no answer within the timeout) and the attribute
/// lines, trimmed, in the order radclient printed them.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub code: Option<String>,
    pub attributes: Vec<String>,
    pub output: String,
}

impl Exchange {
    pub fn accepted(&self) -> bool {
        self.code.as_deref() == Some("Access-Accept")
    }

    pub fn rejected(&self) -> bool {
        self.code.as_deref() == Some("Access-Reject")
    }

    /// The attribute lines sorted, for comparing with an expected set.
    pub fn sorted_attributes(&self) -> Vec<String> {
        let mut attributes = self.attributes.clone();
        attributes.sort();
        attributes
    }
}

/// Runs `radclient -x -r 1 -t <timeout> ADDR COMMAND SECRET` with `attributes` on stdin.
pub async fn radclient(
    addr: &str,
    command: &str,
    secret: &str,
    attributes: &str,
    timeout: Duration,
) -> anyhow::Result<Exchange> {
    let seconds = format!("{:.3}", timeout.as_secs_f64());
    let mut child = Command::new("radclient")
        .args(["-x", "-r", "1", "-t", &seconds, addr, command, secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("radclient (freeradius-utils) is missing: run scripts/infra.sh install")?;
    let mut stdin = child.stdin.take().context("radclient's stdin")?;
    stdin.write_all(attributes.as_bytes()).await?;
    drop(stdin);
    let out = tokio::time::timeout(timeout + Duration::from_secs(10), child.wait_with_output())
        .await
        .context("radclient did not finish")??;
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = output.lines().find_map(|line| {
        let rest = line.strip_prefix("Received ")?;
        Some(rest.split_whitespace().next()?.to_owned())
    });
    let attributes = output
        .lines()
        .skip_while(|line| !line.starts_with("Received "))
        .skip(1)
        .take_while(|line| line.starts_with('\t') || line.starts_with(' '))
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    Ok(Exchange {
        code,
        attributes,
        output,
    })
}

/// A fresh run directory for one FreeRADIUS (pid file, log, token).
fn run_dir() -> anyhow::Result<PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("lanyard-radius-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `path` in this repository.
fn repository_dir(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}
