//! The stack under test on loopback: a 3-node NATS cluster (every stream with 3 replicas), PostgreSQL (the server `scripts/infra.sh`
//! started, a fresh database in it), two ingest, two provision and one portal instance as
//! real processes, and the Optix simulator in this process (its admin side drives the changes,
//! its steady delivery sends the webhooks). Several organizations share the load, each with
//! its own token and so its own 60-a-minute Optix budget.

use crate::processes::{Postgres, Service, tracing_note};
use integration_tests::stack::{ConfigOptions, DEMO_ORG, config_toml_with_nats, write_secret_file};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The demo organization's "Hot Desk" template: every populated member holds one.
const HOT_DESK: &str = "916";
/// Optix's limit per token and window, enforced by the simulator and kept by provision.
pub const OPTIX_REQUESTS_PER_MINUTE: u32 = 60;
/// Copies of every stream and bucket: one per node.
const REPLICAS: usize = 3;
/// The webhook stream (the settings' default), whose leader a fault may kill.
pub(crate) const WEBHOOK_STREAM: &str = "OPTIX_WEBHOOKS";

/// A populated member whose plan the load changes.
#[derive(Clone, Debug)]
pub struct Member {
    pub org_id: String,
    pub user_id: String,
    pub account_plan_id: String,
}

/// The instances a fault hits, and what brings them back.
pub struct Services {
    pub all: Vec<Service>,
    /// How often the supervisor started one again (after a fault or a crash of its own).
    pub restarts: u64,
}

impl Services {
    pub fn named(&mut self, name: &str) -> anyhow::Result<&mut Service> {
        self.all
            .iter_mut()
            .find(|s| s.name == name)
            .ok_or_else(|| anyhow::anyhow!("no service {name}"))
    }

    /// Starts again every instance that is not running, as systemd or Kubernetes would.
    pub async fn supervise(&mut self) {
        for service in &mut self.all {
            if service.alive().is_ok() {
                continue;
            }
            self.restarts += 1;
            if let Err(e) = service.start().await {
                tracing_note(&format!("{} did not come back yet: {e:#}", service.name));
                service.kill_hard().ok();
            }
        }
    }
}

pub struct System {
    pub nats: bus::testing::NatsCluster,
    pub postgres: Postgres,
    pub pool: deadpool_postgres::Pool,
    pub sim: optix_sim::RunningSim,
    pub services: Arc<Mutex<Services>>,
    /// `…/optix/webhooks` of each ingest instance.
    pub webhook_urls: Vec<String>,
    pub members: Vec<Member>,
    dir: RemoveOnDrop,
}

impl System {
    /// Everything started, `orgs` organizations with `members` populated members in all
    /// installed and imported.
    pub async fn start(orgs: usize, members: usize) -> anyhow::Result<System> {
        let dir =
            std::env::temp_dir().join(format!("lanyard-chaos-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let dir = RemoveOnDrop(dir);
        let postgres = Postgres::from_env()?;
        let nats = bus::testing::NatsCluster::start()
            .await
            .map_err(anyhow::Error::msg)?;
        let nats_settings = nats.settings(REPLICAS);
        let database_url = integration_tests::fresh_database().await?;
        let ports: [u16; 10] = bus::testing::ports::free_tcp_ports()?;
        let url = |port: u16| format!("http://127.0.0.1:{port}");
        let webhook_urls = vec![
            format!("{}/optix/webhooks", url(ports[0])),
            format!("{}/optix/webhooks", url(ports[3])),
        ];
        let sim = optix_sim::spawn(optix_sim::SimConfig {
            listen: "127.0.0.1:0".into(),
            webhook_url: Some(webhook_urls[0].clone()),
            rate_limit_per_minute: OPTIX_REQUESTS_PER_MINUTE,
            rate_window: Duration::from_secs(60),
            retry_interval: Duration::from_secs(1),
            max_retries: 10,
            fixture: None,
            dispatch_delay: None,
        })
        .await?;
        let configs = write_configs(&dir.0, &database_url, &nats_settings, &sim, &ports)?;
        let mut all: Vec<Service> = [
            ("ingest-a", "ingest", 0, ports[0]),
            ("ingest-b", "ingest", 1, ports[3]),
            ("provision-a", "provision", 0, ports[1]),
            ("provision-b", "provision", 1, ports[4]),
            ("portal", "portal", 0, ports[2]),
        ]
        .into_iter()
        .map(|(name, binary, config, port)| {
            let health = format!("{}/healthz", url(port));
            Service::new(name, binary, &configs[config], &dir.0, health)
        })
        .collect();
        for service in &mut all {
            service.start().await?;
        }
        let pool = store::create_pool(&database_url, 4)?;
        let mut system = System {
            nats,
            postgres,
            pool,
            sim,
            services: Arc::new(Mutex::new(Services { all, restarts: 0 })),
            webhook_urls,
            members: Vec::new(),
            dir,
        };
        system.members = system.populate(orgs, members).await?;
        Ok(system)
    }

    /// `orgs` organizations (the demo one and copies of it, each with its own token), `members`
    /// members with a plan spread over them, the app installed in each and the import done.
    /// Members are interleaved across organizations, so consecutive webhooks hit different ones.
    async fn populate(&self, orgs: usize, members: usize) -> anyhow::Result<Vec<Member>> {
        let sim = &self.sim.sim;
        let org_ids: Vec<String> = (0..orgs.max(1))
            .map(|k| {
                if k == 0 {
                    DEMO_ORG.to_owned()
                } else {
                    (7000 + k).to_string()
                }
            })
            .collect();
        for (k, org_id) in org_ids.iter().enumerate().skip(1) {
            sim.with_state(|s| {
                let mut copy = s.orgs[DEMO_ORG].clone();
                copy.organization_id = org_id.clone();
                copy.name = format!("Chaos Coworking {k}");
                copy.personal_tokens.clear();
                // Installing gives it a token of its own.
                copy.token = String::new();
                copy.app_installed = false;
                s.orgs.insert(org_id.clone(), copy);
            });
        }
        let per_org = members.div_ceil(org_ids.len());
        let mut by_org = Vec::new();
        for org_id in &org_ids {
            by_org.push(sim.populate(org_id, per_org, HOT_DESK)?);
        }
        let importing = Instant::now();
        for org_id in &org_ids {
            let status = sim.install_app(org_id).await?;
            anyhow::ensure!(
                status == 200,
                "app_install of {org_id} was answered {status}"
            );
        }
        for org_id in &org_ids {
            self.wait_for_import(org_id, per_org).await?;
        }
        tracing_note(&format!(
            "{} organizations, {} members imported in {:.0} s",
            org_ids.len(),
            per_org * org_ids.len(),
            importing.elapsed().as_secs_f64()
        ));
        let mut interleaved = Vec::with_capacity(per_org * org_ids.len());
        for i in 0..per_org {
            for (org_id, people) in org_ids.iter().zip(&by_org) {
                let (user_id, account_plan_id) = people[i].clone();
                interleaved.push(Member {
                    org_id: org_id.clone(),
                    user_id,
                    account_plan_id,
                });
            }
        }
        Ok(interleaved)
    }

    async fn wait_for_import(&self, org_id: &str, members: usize) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            let client = self.pool.get().await?;
            let runs: i64 = client
                .query_one(
                    "SELECT count(*) FROM sync_runs WHERE org_id = $1",
                    &[&org_id],
                )
                .await?
                .get(0);
            if runs > 0 {
                let projected: i64 = client
                    .query_one("SELECT count(*) FROM members WHERE org_id = $1", &[&org_id])
                    .await?
                    .get(0);
                anyhow::ensure!(
                    projected >= members as i64,
                    "the import of {org_id} projected {projected} of {members} members"
                );
                return Ok(());
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(600),
                "the import of {org_id} did not finish in 10 min"
            );
            self.services.lock().await.supervise().await;
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Where the services' configurations and logs are (kept with CHAOS_KEEP=1).
    pub fn dir(&self) -> &Path {
        &self.dir.0
    }

    /// The pid of NATS node `node` (found by its port).
    pub fn nats_pid(&self, node: usize) -> anyhow::Result<u32> {
        let url = self.nats.node_url(node);
        let port = url.rsplit(':').next().unwrap_or_default();
        crate::processes::pid_with_arguments("nats-server", &["-p", port])
            .ok_or_else(|| anyhow::anyhow!("no nats-server listening at {url}"))
    }

    /// A connection to the cluster as `ops` (unrestricted: the checks read streams).
    pub async fn ops_bus(&self) -> anyhow::Result<bus::Bus> {
        Ok(bus::Bus::connect(&self.nats.settings(REPLICAS), bus::auth::Identity::Ops).await?)
    }

    /// The node leading the webhook stream, and one that does not.
    pub async fn nats_leader_and_follower(&self) -> anyhow::Result<(usize, usize)> {
        let ops = self.ops_bus().await?;
        let mut stream = ops.jetstream().get_stream(WEBHOOK_STREAM).await?;
        let info = stream.info().await?;
        let leader = info
            .cluster
            .as_ref()
            .and_then(|c| c.leader.as_deref())
            .and_then(|name| self.nats.node_named(name))
            .ok_or_else(|| anyhow::anyhow!("the webhook stream has no leader"))?;
        Ok((leader, (leader + 1) % 3))
    }
}

/// The configurations of instance a (ingest, provision, portal on `ports[0..3]`) and instance b
/// (ingest, provision on `ports[3..5]`; its portal port is never listened on).
fn write_configs(
    dir: &Path,
    database_url: &str,
    nats: &runtime::NatsSettings,
    sim: &optix_sim::RunningSim,
    ports: &[u16],
) -> anyhow::Result<Vec<PathBuf>> {
    let smtp_url = std::env::var("SMTP_URL").unwrap_or_default();
    let mut configs = Vec::new();
    for (name, first) in [("a", 0), ("b", 3)] {
        let path = dir.join(format!("lanyard-{name}.toml"));
        let options = ConfigOptions {
            ports: [ports[first], ports[first + 1], ports[first + 2]],
            requests_per_minute: OPTIX_REQUESTS_PER_MINUTE,
        };
        let toml = config_toml_with_nats(database_url, nats, &sim.graphql_url, &smtp_url, options);
        write_secret_file(&path, toml)?;
        configs.push(path);
    }
    Ok(configs)
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        // Kept when asked for (the services' logs are in it).
        if std::env::var_os("CHAOS_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
