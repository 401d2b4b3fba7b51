//! Memory: the peak resident memory (VmHWM) of each service at 100,000 members. In-process
//! services share one address space, so here the real binaries run as child processes
//! (`ingest`, `provision`, `portal` beside `lanyard-bench`) with a generated configuration,
//! and the load of the other scenarios is played against them:
//!
//! 1. the simulated organization holds 100,000 members with a plan; the app is installed and
//!    provision imports them all (full sync, no rate limit);
//! 2. ingest takes a burst of plan changes with 64 connections, provision reconciles them;
//! 3. a tenant signs in by email and the portal serves their key page at 500 requests/s;
//!
//! then `/proc/<pid>/status` gives each one's VmHWM (the high-water mark of its RSS).

use crate::stats::{self, Row};
use crate::support;
use integration_tests::stack::{ConfigOptions, DEMO_ORG, config_toml};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SERVICES: [&str; 3] = ["ingest", "provision", "portal"];

#[derive(Serialize)]
pub struct ServiceMemory {
    pub service: String,
    pub peak_rss_mib: f64,
    pub rss_at_end_mib: f64,
    /// The high-water mark after each phase: import, webhooks, portal.
    pub peak_after_phase_mib: Vec<f64>,
}

#[derive(Serialize)]
pub struct MemoryFigures {
    pub members: usize,
    pub import_seconds: f64,
    pub webhooks: usize,
    pub services: Vec<ServiceMemory>,
}

impl MemoryFigures {
    pub fn rows(&self) -> Vec<Row> {
        self.services
            .iter()
            .map(|s| Row {
                what: format!("peak RSS of {} at {} members", s.service, self.members),
                figure: format!(
                    "{:.1} MiB (VmHWM after import/webhooks/portal: {}; {:.1} at the end)",
                    s.peak_rss_mib,
                    stats::joined(&s.peak_after_phase_mib, 1, "/"),
                    s.rss_at_end_mib
                ),
                ceiling: if s.service == "provision" {
                    format!(
                        "import {:.0} s, then {} webhooks",
                        self.import_seconds, self.webhooks
                    )
                } else {
                    "-".into()
                },
                target: "< 64 MiB".into(),
                met: Some(s.peak_rss_mib < 64.0),
            })
            .collect()
    }
}

/// A child process killed (SIGTERM, then SIGKILL) on drop.
struct Service {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Service {
    fn status_kib(&self, field: &str) -> anyhow::Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/{}/status", self.child.id()))
    }

    /// The lines of the service's log that contain one of `needles`.
    fn logged(&self, needles: &[&str]) -> anyhow::Result<Vec<String>> {
        let log = std::fs::read_to_string(&self.log)?;
        Ok(log
            .lines()
            .filter(|line| needles.iter().any(|n| line.contains(n)))
            .map(str::to_owned)
            .collect())
    }

    fn alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            return Err(integration_tests::process::exited(
                self.name, status, &self.log,
            ));
        }
        Ok(())
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(name: &'static str, config: &Path, dir: &Path) -> anyhow::Result<Service> {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log)?;
    let child = Command::new(support::binary(name)?)
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::from(file.try_clone()?))
        .stderr(Stdio::from(file))
        .spawn()?;
    Ok(Service { name, child, log })
}

async fn wait_healthy(service: &mut Service, url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        service.alive()?;
        if http
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(60),
            "{} not ready at {url}",
            service.name
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn run(smoke: bool) -> anyhow::Result<MemoryFigures> {
    let (members, webhooks, portal_rate, portal_seconds) = if smoke {
        (200, 100, 50, 1)
    } else {
        (100_000, 20_000, 500, 10)
    };
    let dir = std::env::temp_dir().join(format!("lanyard-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let _cleanup = RemoveOnDrop(dir.clone());
    let mut system = System::start(&dir).await?;
    let (sim, settings, ports) = (&system.sim, &system.settings, system.ports);

    // 1. The import of `members` members.
    let plans = sim.sim.populate(DEMO_ORG, members, support::HOT_DESK)?;
    let pool = store::create_pool(&system.database_url, 2)?;
    let import_seconds = import(sim, &pool, &mut system.services, members).await?;
    // Where the import's time went (provision's own account: the snapshot, then the writes).
    for service in system.services.iter().filter(|s| s.name == "provision") {
        for line in service.logged(&["sync snapshot taken", "sync completed"])? {
            eprintln!("memory: provision: {line}");
        }
    }
    let mut phases: Vec<Vec<f64>> = vec![Vec::new(); system.services.len()];
    mark_peaks(&mut system.services, &mut phases)?;

    // 2. A burst of plan changes through ingest, reconciled by provision.
    let ingest_url = format!("http://127.0.0.1:{}", ports[0]);
    plan_change_burst(
        sim,
        settings,
        &ingest_url,
        &plans[..webhooks.min(plans.len())],
    )
    .await?;
    mark_peaks(&mut system.services, &mut phases)?;

    // 3. A signed-in tenant's key page at a fixed rate.
    let portal_url = format!("http://127.0.0.1:{}", ports[2]);
    let email = sim
        .sim
        .user_email(DEMO_ORG, &plans[0].0)
        .ok_or_else(|| anyhow::anyhow!("no email for the first member"))?;
    key_page_load(
        settings,
        &system.mailbox,
        &portal_url,
        &email,
        portal_rate,
        portal_seconds,
    )
    .await?;
    mark_peaks(&mut system.services, &mut phases)?;
    let mut figures = Vec::new();
    for (service, marks) in system.services.iter_mut().zip(phases) {
        service.alive()?;
        figures.push(ServiceMemory {
            service: service.name.to_owned(),
            peak_rss_mib: service.status_kib("VmHWM:")? / 1024.0,
            rss_at_end_mib: service.status_kib("VmRSS:")? / 1024.0,
            peak_after_phase_mib: marks,
        });
    }
    drop(system.services);
    drop(system.nats);
    Ok(MemoryFigures {
        members,
        import_seconds,
        webhooks,
        services: figures,
    })
}

/// nats-server, a fresh database, the simulator and the three service binaries, configured by
/// a generated `lanyard.toml` in the run's directory.
struct System {
    nats: bus::testing::NatsServer,
    database_url: String,
    /// Where ingest, provision and portal listen.
    ports: [u16; 3],
    sim: optix_sim::RunningSim,
    mailbox: integration_tests::mail::Mailbox,
    settings: runtime::Settings,
    services: Vec<Service>,
}

impl System {
    async fn start(dir: &Path) -> anyhow::Result<System> {
        let nats = bus::testing::NatsServer::start()
            .await
            .map_err(anyhow::Error::msg)?;
        let database_url = integration_tests::fresh_database().await?;
        let ports: [u16; 3] = bus::testing::ports::free_tcp_ports()?;
        let ingest_url = format!("http://127.0.0.1:{}", ports[0]);
        let sim = optix_sim::spawn(optix_sim::SimConfig {
            listen: "127.0.0.1:0".into(),
            webhook_url: Some(format!("{ingest_url}/optix/webhooks")),
            rate_limit_per_minute: 0,
            rate_window: Duration::from_secs(60),
            retry_interval: Duration::from_millis(200),
            max_retries: 3,
            fixture: None,
            dispatch_delay: None,
        })
        .await?;
        let mailbox = integration_tests::mail::Mailbox::from_env()?;
        let config_path = dir.join("lanyard.toml");
        integration_tests::stack::write_secret_file(
            &config_path,
            config_toml(
                &database_url,
                &nats,
                &sim.graphql_url,
                &mailbox.smtp_url,
                ConfigOptions {
                    ports,
                    requests_per_minute: 0,
                },
            ),
        )?;
        let settings = runtime::load_settings(Some(&config_path))?;
        let mut services = Vec::new();
        for (name, port) in SERVICES.into_iter().zip(ports) {
            let mut service = spawn(name, &config_path, dir)?;
            wait_healthy(&mut service, &format!("http://127.0.0.1:{port}/healthz")).await?;
            services.push(service);
        }
        Ok(System {
            nats,
            database_url,
            ports,
            sim,
            mailbox,
            settings,
            services,
        })
    }
}

/// Installs the app and waits for provision's import of the `members` members (every service
/// still alive); its seconds.
async fn import(
    sim: &optix_sim::RunningSim,
    pool: &deadpool_postgres::Pool,
    services: &mut [Service],
    members: usize,
) -> anyhow::Result<f64> {
    let importing = Instant::now();
    let status = sim.sim.install_app(DEMO_ORG).await?;
    anyhow::ensure!(status == 200, "app_install was answered {status}");
    let count = |sql: &'static str| async move {
        let client = pool.get().await?;
        let count: i64 = client.query_one(sql, &[&DEMO_ORG]).await?.get(0);
        anyhow::Ok(count)
    };
    loop {
        for service in services.iter_mut() {
            service.alive()?;
        }
        if count("SELECT count(*) FROM sync_runs WHERE org_id = $1").await? > 0 {
            break;
        }
        anyhow::ensure!(
            importing.elapsed() < Duration::from_secs(1800),
            "the import of {members} members did not finish in 30 min"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let import_seconds = importing.elapsed().as_secs_f64();
    let projected = count("SELECT count(*) FROM members WHERE org_id = $1").await?;
    anyhow::ensure!(
        projected >= members as i64,
        "the import projected {projected} of {members} members"
    );
    Ok(import_seconds)
}

/// Notes each service's high-water mark (MiB) after a phase.
fn mark_peaks(services: &mut [Service], phases: &mut [Vec<f64>]) -> anyhow::Result<()> {
    for (service, marks) in services.iter_mut().zip(phases.iter_mut()) {
        service.alive()?;
        marks.push(service.status_kib("VmHWM:")? / 1024.0);
    }
    Ok(())
}

/// One plan change per (user, plan) posted to ingest, then waits until provision drained them.
async fn plan_change_burst(
    sim: &optix_sim::RunningSim,
    settings: &runtime::Settings,
    ingest_url: &str,
    plans: &[(String, String)],
) -> anyhow::Result<()> {
    let end = chrono::Utc::now() + chrono::Duration::days(30);
    let bodies: Vec<String> = plans
        .iter()
        .map(|(_, plan)| {
            let (_, webhook) = sim.sim.apply_held(
                DEMO_ORG,
                optix_sim::Change::ChangePlan {
                    account_plan_id: plan.clone(),
                    end_timestamp: Some(end.timestamp()),
                },
            )?;
            let (event, fields) =
                webhook.ok_or_else(|| anyhow::anyhow!("a plan change sends a webhook"))?;
            Ok(optix::webhook::encode_form(
                &sim.sim.signed_webhook(DEMO_ORG, &event, fields),
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let http = support::http_client()?;
    support::post_all(&http, &format!("{ingest_url}/optix/webhooks"), bodies).await?;
    let ops = bus::Bus::connect(&settings.nats, bus::auth::Identity::Ops).await?;
    support::wait_drained_on(
        &ops,
        &settings.nats.webhook_stream,
        &settings.provision.consumer_name,
        Duration::from_secs(600),
    )
    .await
}

/// Maps the portal benchmark's location, signs the member with `email` in and gets their key
/// page at `rate` per second for `seconds`; every request must succeed.
async fn key_page_load(
    settings: &runtime::Settings,
    mailbox: &integration_tests::mail::Mailbox,
    portal_url: &str,
    email: &str,
    rate: usize,
    seconds: usize,
) -> anyhow::Result<()> {
    let cli = bus::Bus::connect(&settings.nats, bus::auth::Identity::Cli).await?;
    let gastown = integration_tests::stack::gastown();
    integration_tests::stack::map_location(&cli, DEMO_ORG, crate::portal::LOCATION, gastown)
        .await?;
    let mut tenant = integration_tests::agent::Agent::new(portal_url);
    tenant
        .sign_in(mailbox, DEMO_ORG, crate::portal::LOCATION, email)
        .await?;
    let (_, failures) = crate::portal::fixed_rate_get(
        &format!("{}/wifi", tenant.base),
        &tenant.cookie_header(),
        rate,
        seconds,
    )
    .await?;
    support::ensure_none_failed(&failures, "key page requests")
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
