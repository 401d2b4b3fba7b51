//! A NAS's Dynamic Authorization Server for the tests: a real FreeRADIUS 3.2 started from
//! `deploy/freeradius/nas-simulator` on a free loopback port. It verifies each
//! Disconnect-Request's authenticators (Message-Authenticator required), logs its identifying
//! attributes one line per request, and answers ACK or NAK as told.

use crate::wait::eventually;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How the simulated NAS answers every Disconnect-Request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NasAnswer {
    Ack,
    /// NAK with Error-Cause 503 (Session-Context-Not-Found).
    Nak,
}

pub struct NasSimulator {
    pub port: u16,
    pub secret: String,
    dir: tempdir::Dir,
    _child: Child,
}

mod tempdir {
    use std::path::{Path, PathBuf};

    /// A directory removed when dropped.
    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(prefix: &str) -> std::io::Result<Dir> {
            let path =
                std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path)?;
            Ok(Dir(path))
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn config_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy/freeradius/nas-simulator")
}

impl NasSimulator {
    /// Starts one, answering `answer`, sharing `secret` with Lanyard; fails when FreeRADIUS
    /// is missing or not ready within 10 s (another process may take the port between our
    /// probe and its bind: then it tries another, three times).
    pub async fn start(answer: NasAnswer, secret: &str) -> anyhow::Result<NasSimulator> {
        let mut last_error = None;
        for _ in 0..3 {
            match Self::start_once(answer, secret).await {
                Ok(nas) => return Ok(nas),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("the NAS simulator did not start")))
    }

    async fn start_once(answer: NasAnswer, secret: &str) -> anyhow::Result<NasSimulator> {
        let port = bus::testing::ports::free_udp_port()?;
        let dir = tempdir::Dir::new("lanyard-nas-sim")?;
        let mut child = Command::new("freeradius")
            .args(["-f", "-l", "stdout", "-n", "radiusd", "-d"])
            .arg(config_dir())
            .env("NAS_SIM_PORT", port.to_string())
            .env("NAS_SIM_SECRET", secret)
            .env(
                "NAS_SIM_ANSWER",
                match answer {
                    NasAnswer::Ack => "ok",
                    NasAnswer::Nak => "reject",
                },
            )
            .env("NAS_SIM_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("freeradius is missing: run scripts/infra.sh install")?;
        let stdout = child.stdout.take().context("freeradius's stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = String::new();
        let ready = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(line) = lines.next_line().await? {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains("Ready to process requests") {
                    return Ok::<bool, std::io::Error>(true);
                }
            }
            Ok(false)
        })
        .await;
        if !matches!(ready, Ok(Ok(true))) {
            bail!("the NAS simulator (FreeRADIUS) did not become ready:\n{seen}");
        }
        // Keep draining its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(NasSimulator {
            port,
            secret: secret.to_owned(),
            dir,
            _child: child,
        })
    }

    /// Every Disconnect-Request it received so far, one line each
    /// (`Disconnect-Request user-name=… calling-station-id=… acct-session-id=… nas-ip-address=…`).
    pub fn disconnects(&self) -> anyhow::Result<Vec<String>> {
        let path = self.dir.path().join("disconnects.log");
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text.lines().map(str::to_owned).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e).context("reading the NAS simulator's log"),
        }
    }

    /// Waits until a received Disconnect-Request's line contains every one of `parts`.
    pub async fn wait_for_disconnect(
        &self,
        parts: &[&str],
        deadline: Duration,
    ) -> anyhow::Result<String> {
        eventually("a Disconnect-Request at the NAS", deadline, || async {
            Ok(self
                .disconnects()?
                .into_iter()
                .find(|line| parts.iter().all(|part| line.contains(part))))
        })
        .await
    }
}

/// Records a live session of `mac` (a member's device when `user_id` is given) at a location,
/// as the radius service stores a NAS's accounting Start: for pages that show who is online.
pub async fn online_session(
    pool: &deadpool_postgres::Pool,
    org_id: &str,
    location_id: &str,
    user_id: Option<&str>,
    mac: &str,
) -> anyhow::Result<()> {
    let client = pool.get().await?;
    let report = store::radius_sessions::SessionReport {
        org_id: org_id.into(),
        ids: store::radius_sessions::SessionIds {
            unique_session_id: format!("test-{mac}"),
            nas_id: "lobby-ap".into(),
            location_id: location_id.into(),
            user_id: user_id.map(str::to_owned),
            mac: mac.into(),
            acct_session_id: format!("S-{mac}"),
            user_name: mac.into(),
            calling_station_id: mac.into(),
            nas_ip: None,
            source_ip: "127.0.0.1".parse()?,
            framed_ip: Some("10.0.0.23".parse()?),
        },
        at: chrono::Utc::now(),
        session_seconds: 600,
        traffic: store::radius_sessions::Traffic {
            input_octets: 1_200_000,
            output_octets: 45_000_000,
        },
        terminate_cause: None,
    };
    store::radius_sessions::record(
        &client,
        store::radius_sessions::AccountingKind::Interim,
        &report,
    )
    .await?;
    Ok(())
}
