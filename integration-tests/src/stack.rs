//! The whole system on loopback: nats-server, a fresh database, ingest, provision, portal and
//! the Optix simulator delivering signed webhooks to ingest.

use crate::database::fresh_database;
use crate::wait::eventually;
use anyhow::Context;
use std::future::Future;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The demo app's credentials (deploy/demo/optix-demo.json); ingest verifies with them.
pub const DEMO_CLIENT_ID: &str = "lanyard-demo-app";
pub const DEMO_SECRET: &str = "demo-app-secret-change-me";
pub const DEMO_ORG: &str = "6267";
const MASTER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const HASH_KEY: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
/// Seals webhook bodies on the bus (ingest → provision).
pub const WEBHOOK_SEAL_KEY: &str =
    "5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1";
/// The bearer token FreeRADIUS presents to the radius service in tests.
pub const RADIUS_TOKEN: &str = "lanyard-test-freeradius-token-0123456789abcdef";

pub struct Stack {
    pub nats: bus::testing::NatsServer,
    pub database_url: String,
    pub pool: deadpool_postgres::Pool,
    /// Connected as `ops` (unrestricted): the harness inspects streams and consumers.
    pub bus: bus::Bus,
    /// Connected as the CLI: [`Stack::command`] sends operator commands, as `lanyard` does.
    pub cli: bus::Bus,
    pub settings: runtime::Settings,
    pub sim: optix_sim::RunningSim,
    /// The OfficeRnD simulator, with the demo organization (`crate::officernd`); its webhook
    /// endpoint is ingest's `/webhooks/officernd/{organization id}`.
    pub officernd: officernd_sim::RunningSim,
    pub ingest_url: String,
    pub portal_url: String,
    pub provision_url: String,
    /// The operations listeners (`/metrics`, `/readyz`) of ingest and portal; provision's
    /// only listener (`provision_url`) is one already.
    pub ingest_ops_url: String,
    pub portal_ops_url: String,
    /// The radius service FreeRADIUS calls (`/freeradius/…`), and its operations listener.
    pub radius_url: String,
    pub radius_ops_url: String,
    /// Where the radius service sends its CoA-Requests (the answers FreeRADIUS keeps): the
    /// port a test's FreeRADIUS takes them on (`FreeRadius::start`).
    pub radius_fill_port: u16,
    pub keys: secrets::KeyRing,
    /// The SMTP sink the portal sends sign-in links to, when the environment names one
    /// (`SMTP_URL`, `MAILDIR`: `make test` does).
    pub mailbox: Option<crate::mail::Mailbox>,
    sync_requests: provision::sync::SyncRequests,
    provision_stop: Option<oneshot::Sender<()>>,
    provision_task: Option<JoinHandle<anyhow::Result<()>>>,
    tasks: Vec<JoinHandle<()>>,
    _config_dir: TempDir,
}

/// A directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a test may change about the stack: the simulated Optix rate limit and provision's own
/// budget (both per `window`), and settings overrides.
#[derive(Clone, Debug)]
pub struct StackOptions {
    pub sim_rate_limit: u32,
    pub client_rate_limit: u32,
    pub window: Duration,
    /// Changes to the settings before the services are built.
    pub settings: Option<fn(&mut runtime::Settings)>,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            sim_rate_limit: 0,
            client_rate_limit: 60,
            window: Duration::from_secs(60),
            settings: None,
        }
    }
}

impl StackOptions {
    /// Rate limits for Optix (`sim_rate_limit`, 0 for none) and provision's client over one
    /// `window`, with the settings left alone.
    pub fn rate_limits(sim_rate_limit: u32, client_rate_limit: u32, window: Duration) -> Self {
        StackOptions {
            sim_rate_limit,
            client_rate_limit,
            window,
            settings: None,
        }
    }
}

impl Stack {
    pub async fn start() -> anyhow::Result<Stack> {
        Stack::start_with(StackOptions::default()).await
    }

    /// A stack with the app installed in the demo organization and its import done.
    pub async fn start_installed() -> anyhow::Result<Stack> {
        Stack::start_installed_with(StackOptions::default()).await
    }

    /// Like [`Stack::start_installed`], with `options`.
    pub async fn start_installed_with(options: StackOptions) -> anyhow::Result<Stack> {
        let stack = Stack::start_with(options).await?;
        stack.install(DEMO_ORG).await?;
        Ok(stack)
    }

    /// A stack whose demo organization has the VLAN pool `first..=last` before the app is
    /// installed there and its import done.
    pub async fn start_installed_with_vlan_pool(first: u16, last: u16) -> anyhow::Result<Stack> {
        let stack = Stack::start().await?;
        stack.set_vlan_pool(DEMO_ORG, first, last).await?;
        stack.install(DEMO_ORG).await?;
        Ok(stack)
    }

    /// Adds to the simulator a copy of the demo organization as `org_id`, with its own name and
    /// `token` and no personal tokens, as `adjust` changes it: the copy.
    pub fn add_demo_org_copy(
        &self,
        [org_id, name, token]: [&str; 3],
        adjust: impl FnOnce(&mut optix_sim::model::Organization),
    ) -> optix_sim::model::Organization {
        self.sim.sim.with_state(|s| {
            let mut copy = s.orgs[DEMO_ORG].clone();
            copy.organization_id = org_id.into();
            copy.name = name.into();
            copy.token = token.into();
            copy.personal_tokens.clear();
            adjust(&mut copy);
            s.orgs.insert(org_id.into(), copy.clone());
            copy
        })
    }

    pub async fn start_with(options: StackOptions) -> anyhow::Result<Stack> {
        Stack::start_adjusted(options, |_| {}).await
    }

    /// Like [`Stack::start_with`], with `adjust` changing the loaded settings before the
    /// services start (e.g. a short webhook retention).
    pub async fn start_adjusted(
        options: StackOptions,
        adjust: impl FnOnce(&mut runtime::Settings),
    ) -> anyhow::Result<Stack> {
        let database_url = fresh_database().await?;
        Stack::start_on(database_url, None, options, adjust).await
    }

    /// A fresh stack (new nats-server, the EMPTY database `database_url`) into which
    /// `scripts/restore.sh` restores the backup in `backup_dir` before the services start, as
    /// an operator would (docs/operations.md, "Backups and restore").
    pub async fn start_restored(
        backup_dir: &std::path::Path,
        database_url: String,
    ) -> anyhow::Result<Stack> {
        Stack::start_on(
            database_url,
            Some(backup_dir),
            StackOptions::default(),
            |_| {},
        )
        .await
    }

    async fn start_on(
        database_url: String,
        restore_from: Option<&std::path::Path>,
        options: StackOptions,
        adjust: impl FnOnce(&mut runtime::Settings),
    ) -> anyhow::Result<Stack> {
        let nats = bus::testing::NatsServer::start()
            .await
            .map_err(anyhow::Error::msg)
            .context("starting nats-server")?;
        let dir =
            std::env::temp_dir().join(format!("lanyard-it-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let mailbox = crate::mail::Mailbox::from_env().ok();
        let mut settings = load_test_settings(&dir, &database_url, &nats, mailbox.as_ref())?;
        if let Some(backup) = restore_from {
            crate::backup::run_script(
                "restore.sh",
                backup,
                &dir.join("lanyard.toml"),
                &database_url,
            )
            .await?;
        }
        let radius_fill_port = bus::testing::ports::free_udp_port()?;
        settings.radius.freeradius_answer_caches = vec![format!("127.0.0.1:{radius_fill_port}")];
        adjust(&mut settings);
        if let Some(change) = options.settings {
            change(&mut settings);
        }

        let ingest = ingest::Application::build(settings.clone())
            .await
            .context("building ingest")?;
        let ingest = Started::spawn(ingest.port(), ingest.ops_port(), ingest.run_until_stopped());
        let sim = start_sim(&ingest.url, &options).await?;
        settings.optix.api_url = sim.graphql_url.clone();
        settings.optix.requests_per_minute = options.client_rate_limit;
        settings.optix.budget_window_secs = options.window.as_secs().max(1);
        let officernd = crate::officernd::start_sim(&ingest.url)?;
        settings.officernd.api_url = officernd.url.clone();
        settings.officernd.token_url = officernd.token_url.clone();
        let provision = provision::Application::build(settings.clone())
            .await
            .context("building provision")?;
        let provision_url = format!("http://127.0.0.1:{}", provision.port());
        let sync_requests = provision.provisioner().syncs().clone();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let provision_task = tokio::spawn(provision.run_until(async {
            let _ = stop_rx.await;
        }));
        let (portal, radius) = start_portal_and_radius(&settings).await?;

        let pool = store::create_pool(&database_url, 4)?;
        let bus = bus::Bus::connect(&settings.nats, bus::auth::Identity::Ops).await?;
        let cli = bus::Bus::connect(&settings.nats, bus::auth::Identity::Cli).await?;
        let keys = secrets::KeyRing::from_hex(MASTER_KEY, HASH_KEY)?;
        Ok(Stack {
            nats,
            database_url,
            pool,
            bus,
            cli,
            settings,
            sim,
            officernd,
            ingest_url: ingest.url,
            portal_url: portal.url,
            provision_url,
            ingest_ops_url: ingest.ops_url,
            portal_ops_url: portal.ops_url,
            radius_url: radius.url,
            radius_ops_url: radius.ops_url,
            radius_fill_port,
            keys,
            mailbox,
            sync_requests,
            provision_stop: Some(stop_tx),
            provision_task: Some(provision_task),
            tasks: vec![ingest.task, portal.task, radius.task],
            _config_dir: TempDir(dir),
        })
    }

    /// Waits until provision has committed and acked everything in the webhook stream.
    pub async fn wait_until_provisioned(&self) -> anyhow::Result<()> {
        let consumer_name = self.settings.provision.consumer_name.clone();
        let stream_name = self.settings.nats.webhook_stream.clone();
        let js = self.bus.jetstream().clone();
        eventually(
            "provision to drain the webhook stream",
            Duration::from_secs(20),
            || {
                let js = js.clone();
                let stream_name = stream_name.clone();
                let consumer_name = consumer_name.clone();
                async move {
                    let mut stream = js.get_stream(&stream_name).await?;
                    let info = stream.consumer_info(&consumer_name).await?;
                    let messages = stream.info().await?.state.last_sequence;
                    let idle = info.num_pending == 0
                        && info.num_ack_pending == 0
                        && info.delivered.stream_sequence >= messages;
                    Ok(idle.then_some(()))
                }
            },
        )
        .await
    }

    /// (deliveries, last stream sequence delivered) of provision's webhook consumer: the first
    /// less the second grows by one with every redelivery.
    pub async fn webhook_deliveries(&self) -> anyhow::Result<(u64, u64)> {
        let stream = self.webhook_stream().await?;
        let info = stream
            .consumer_info(&self.settings.provision.consumer_name)
            .await?;
        Ok((
            info.delivered.consumer_sequence,
            info.delivered.stream_sequence,
        ))
    }

    /// Installs the app in `org_id` (Optix sends `app_install`) and waits until provision's
    /// initial import has completed, so what a test changes next is seen as a change.
    pub async fn install(&self, org_id: &str) -> anyhow::Result<()> {
        let status = self.sim.sim.install_app(org_id).await?;
        anyhow::ensure!(status == 200, "app_install was answered {status}");
        self.wait_for_syncs(org_id, 1).await
    }

    /// Waits until every sync requested so far (the import, those configuration changes ask
    /// for) has finished, so that nothing a test does next races a sync.
    pub async fn wait_for_syncs_to_settle(&self) -> anyhow::Result<()> {
        let requests = self.sync_requests.clone();
        eventually(
            "the requested syncs to finish",
            Duration::from_secs(30),
            || {
                let requests = requests.clone();
                async move { Ok((requests.unfinished() == 0).then_some(())) }
            },
        )
        .await
    }

    /// Asks provision for a full sync of `org_id` now (what the periodic timer does).
    pub fn request_sync(&self, org_id: &str) {
        self.sync_requests
            .request(org_id, provision::sync::SyncKind::Periodic);
    }

    /// Waits until `count` full syncs of `org_id` have been recorded (successful or not).
    pub async fn wait_for_syncs(&self, org_id: &str, count: i64) -> anyhow::Result<()> {
        let pool = self.pool.clone();
        let org = org_id.to_owned();
        eventually(
            &format!("{count} sync(s) of organization {org_id}"),
            Duration::from_secs(30),
            || {
                let pool = pool.clone();
                let org = org.clone();
                async move {
                    let client = pool.get().await?;
                    let runs: i64 = client
                        .query_one("SELECT count(*) FROM sync_runs WHERE org_id = $1", &[&org])
                        .await?
                        .get(0);
                    Ok((runs >= count).then_some(()))
                }
            },
        )
        .await
    }

    /// Sends a command to provision as the CLI does (the operator).
    pub async fn command(
        &self,
        org_id: &str,
        command: bus::commands::Command,
    ) -> anyhow::Result<bus::commands::Reply> {
        Ok(self.cli.command(org_id, "cli", command).await?)
    }

    /// The webhook stream (the configured name), to read what ingest or a replay stored.
    pub async fn webhook_stream(&self) -> anyhow::Result<async_nats::jetstream::stream::Stream> {
        Ok(self
            .bus
            .jetstream()
            .get_stream(&self.settings.nats.webhook_stream)
            .await?)
    }

    /// One member's projection (None: no account).
    pub async fn member(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> anyhow::Result<Option<store::queries::MemberView>> {
        let client = self.pool.get().await?;
        Ok(store::queries::member(&client, org_id, user_id).await?)
    }

    /// The member's passphrase in force, opened with their data key.
    pub async fn passphrase(&self, org_id: &str, user_id: &str) -> anyhow::Result<String> {
        let client = self.pool.get().await?;
        let member = store::queries::member(&client, org_id, user_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no account"))?;
        let wrapped = store::queries::member_key(&client, org_id, user_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no key"))?;
        let sealed = member
            .passphrase
            .ok_or_else(|| anyhow::anyhow!("no passphrase"))?;
        Ok(secrets::open_member_passphrase(
            &self.keys, org_id, user_id, &wrapped, &sealed,
        )?)
    }

    /// Waits until `check` holds for the member's projection (None: no account).
    pub async fn member_until(
        &self,
        org_id: &str,
        user_id: &str,
        what: &str,
        check: impl Fn(Option<&store::queries::MemberView>) -> bool,
    ) -> anyhow::Result<Option<store::queries::MemberView>> {
        let started = std::time::Instant::now();
        loop {
            let member = self.member(org_id, user_id).await?;
            if check(member.as_ref()) {
                return Ok(member);
            }
            if started.elapsed() > Duration::from_secs(20) {
                anyhow::bail!(
                    "timed out waiting for member {user_id}: {what}; last seen {member:#?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Maps a plan template of the demo organization to a profile allowing `limit` devices,
    /// and waits until the grants of each of `holders` carry it (the sync the mapping asks
    /// for has run).
    pub async fn map_plan_device_limit(
        &self,
        plan_template_id: &str,
        limit: u16,
        holders: &[&str],
    ) -> anyhow::Result<()> {
        let profile = domain::AccessProfile {
            name: format!("{limit} devices"),
            device_limit: Some(limit),
            ..domain::AccessProfile::default()
        };
        let map = bus::commands::Command::MapPlan {
            plan_template_id: plan_template_id.into(),
            profile,
        };
        self.command_done(DEMO_ORG, map).await?;
        for user in holders {
            self.member_until(DEMO_ORG, user, "the grant carries the device limit", |m| {
                m.is_some_and(|m| {
                    m.grants
                        .iter()
                        .any(|g| g.network.as_ref().and_then(|n| n.device_limit) == Some(limit))
                })
            })
            .await?;
        }
        Ok(())
    }

    /// Sends an operator command that must be done (a refusal is an error with its message).
    pub async fn command_done(
        &self,
        org_id: &str,
        command: bus::commands::Command,
    ) -> anyhow::Result<()> {
        command_done(&self.cli, org_id, command).await
    }

    /// Gives the organization the VLAN pool `first`-`last` (team groups' VLANs come from it).
    pub async fn set_vlan_pool(&self, org_id: &str, first: u16, last: u16) -> anyhow::Result<()> {
        let pool = domain::VlanRange { first, last };
        self.command_done(
            org_id,
            bus::commands::Command::SetVlanPool { pool: Some(pool) },
        )
        .await
    }

    /// Maps an Optix location of the organization to a Lanyard location.
    pub async fn map_location(
        &self,
        org_id: &str,
        location_id: &str,
        settings: domain::LocationSettings,
    ) -> anyhow::Result<()> {
        map_location(&self.cli, org_id, location_id, settings).await
    }

    /// Maps the demo organization's Gastown (Vancouver, 3390) as `map_demo_locations` does.
    pub async fn map_gastown(&self) -> anyhow::Result<()> {
        self.map_location(DEMO_ORG, GASTOWN, gastown()).await
    }

    /// Maps the demo organization's two Optix locations (Vancouver 3390, Rome 3391).
    pub async fn map_demo_locations(&self) -> anyhow::Result<()> {
        self.map_gastown().await?;
        let trastevere = location_settings("Trastevere", "trastevere-members", "Europe/Rome");
        self.map_location(DEMO_ORG, TRASTEVERE, trastevere).await
    }

    /// A new location in the demo organization's Optix (Optix announces it); its id. Nothing
    /// maps it: a tenant trying it is reported to the admins.
    pub async fn add_optix_location(&self, name: &str, timezone: &str) -> anyhow::Result<String> {
        let change = optix_sim::Change::AddLocation {
            name: name.into(),
            timezone: timezone.into(),
        };
        let applied = self
            .sim
            .sim
            .apply(DEMO_ORG, change, optix_sim::Notify::Webhook)
            .await?;
        applied
            .id
            .ok_or_else(|| anyhow::anyhow!("the simulator gave the location no id"))
    }

    /// A member's personal (canvas) token in the simulator.
    pub fn personal_token(&self, org_id: &str, user_id: &str) -> anyhow::Result<String> {
        self.sim
            .sim
            .personal_token(org_id, user_id)
            .ok_or_else(|| anyhow::anyhow!("no user {user_id} in {org_id}"))
    }

    /// The first column of the first row `sql` answers, a count (the harness's and the tests'
    /// look into the database).
    pub async fn count(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> anyhow::Result<i64> {
        let client = self.pool.get().await?;
        Ok(client.query_one(sql, params).await?.get(0))
    }

    /// How many passphrases the member's stream was ever issued.
    pub async fn passphrases_issued(&self, org_id: &str, user_id: &str) -> anyhow::Result<i64> {
        self.count(
            "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'PassphraseIssued'",
            &[&format!("member-{org_id}-{user_id}")],
        )
        .await
    }

    /// How many events hold `text` in their data in clear (a secret must never).
    pub async fn events_with_data_containing(&self, text: &str) -> anyhow::Result<i64> {
        self.count(
            "SELECT count(*) FROM events WHERE data::text LIKE '%' || $1 || '%'",
            &[&text],
        )
        .await
    }

    pub async fn event_count(&self) -> anyhow::Result<i64> {
        self.count("SELECT count(*) FROM events", &[]).await
    }

    pub async fn members(&self) -> anyhow::Result<Vec<cli::members::MemberLine>> {
        let client = self.pool.get().await?;
        cli::members::list(&client, &self.keys, None, chrono::Utc::now()).await
    }

    /// The configuration file the services were built from (what `lanyard` reads).
    pub fn config_file(&self) -> std::path::PathBuf {
        self._config_dir.0.join("lanyard.toml")
    }

    /// Stops provision gracefully (stop pulling, finish in-flight work).
    pub async fn stop_provision(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.provision_stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.provision_task.take() {
            task.await??;
        }
        Ok(())
    }
}

/// A service running in-process until the stack drops: its listener, its operations
/// listener and its task.
struct Started {
    url: String,
    ops_url: String,
    task: JoinHandle<()>,
}

impl Started {
    /// Runs `service` (its `run_until_stopped`) listening on `port` and `ops_port`.
    fn spawn<T: Send + 'static>(
        port: u16,
        ops_port: u16,
        service: impl Future<Output = T> + Send + 'static,
    ) -> Started {
        Started {
            url: format!("http://127.0.0.1:{port}"),
            ops_url: format!("http://127.0.0.1:{ops_port}"),
            task: tokio::spawn(async move {
                let _ = service.await;
            }),
        }
    }
}

/// The portal and the radius service, built from `settings` and running.
async fn start_portal_and_radius(
    settings: &runtime::Settings,
) -> anyhow::Result<(Started, Started)> {
    let portal = portal::Application::build(settings.clone())
        .await
        .context("building portal")?;
    let portal = Started::spawn(portal.port(), portal.ops_port(), portal.run_until_stopped());
    let radius = radius::Application::build(settings.clone())
        .await
        .context("building radius")?;
    let (port, ops_port) = (radius.listeners().port, radius.listeners().ops_port);
    Ok((
        portal,
        Started::spawn(port, ops_port, radius.run_until_stopped()),
    ))
}

/// Writes the test configuration (0600) into `dir` and loads it as the services would.
fn load_test_settings(
    dir: &std::path::Path,
    database_url: &str,
    nats: &bus::testing::NatsServer,
    mailbox: Option<&crate::mail::Mailbox>,
) -> anyhow::Result<runtime::Settings> {
    let config_path = dir.join("lanyard.toml");
    write_secret_file(
        &config_path,
        config_toml(
            database_url,
            nats,
            "http://127.0.0.1:9/graphql",
            mailbox.map_or("", |m| m.smtp_url.as_str()),
            // Optix's own limit; tests change it through `StackOptions`.
            ConfigOptions {
                ports: [0; 3],
                requests_per_minute: 60,
            },
        ),
    )?;
    let mut settings = runtime::load_settings(Some(&config_path))?;
    // Tenant emails (welcome, …) would land in the shared sink beside every test's sign-in
    // emails: only the tests of the emails switch them on (`integration-tests/tests/portal/notify.rs`).
    settings.portal.notify_enabled = false;
    Ok(settings)
}

/// The Optix simulator with the demo organization, delivering webhooks to ingest at
/// `ingest_url`, limited as `options` say.
async fn start_sim(
    ingest_url: &str,
    options: &StackOptions,
) -> anyhow::Result<optix_sim::RunningSim> {
    let sim = optix_sim::spawn(optix_sim::SimConfig {
        listen: "127.0.0.1:0".into(),
        webhook_url: Some(format!("{ingest_url}/optix/webhooks")),
        rate_limit_per_minute: options.sim_rate_limit,
        rate_window: options.window,
        retry_interval: Duration::from_millis(200),
        max_retries: 3,
        fixture: None,
        dispatch_delay: None,
    })
    .await
    .context("starting optix-sim")?;
    let (client_id, _) = sim.sim.app();
    anyhow::ensure!(
        client_id == DEMO_CLIENT_ID,
        "the simulator's demo app is {client_id}, expected {DEMO_CLIENT_ID}"
    );
    Ok(sim)
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(stop) = self.provision_stop.take() {
            let _ = stop.send(());
        }
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The demo organization's locations in Optix: Vancouver and Rome.
pub const GASTOWN: &str = "3390";
pub const TRASTEVERE: &str = "3391";

/// A location with its own network, no VLAN pool, where members have access at home only.
pub fn location_settings(name: &str, network: &str, timezone: &str) -> domain::LocationSettings {
    domain::LocationSettings {
        name: name.into(),
        network_name: network.into(),
        timezone: timezone.into(),
        vlan_pool: None,
        roaming: domain::RoamingPolicy::SingleLocation,
    }
}

/// Gastown (Vancouver) as the tests and the benchmarks map it.
pub fn gastown() -> domain::LocationSettings {
    location_settings("Gastown", "gastown-members", "America/Vancouver")
}

/// Sends an operator command on `cli` (connected as the CLI) that must be done; a refusal is
/// an error with its message.
pub async fn command_done(
    cli: &bus::Bus,
    org_id: &str,
    command: bus::commands::Command,
) -> anyhow::Result<()> {
    match cli.command(org_id, "cli", command).await? {
        bus::commands::Reply::Done { .. } => Ok(()),
        bus::commands::Reply::Refused { message, .. } => anyhow::bail!("refused: {message}"),
    }
}

/// Maps an Optix location to a Lanyard location, as `lanyard locations map` does.
pub async fn map_location(
    cli: &bus::Bus,
    org_id: &str,
    location_id: &str,
    settings: domain::LocationSettings,
) -> anyhow::Result<()> {
    let map = bus::commands::Command::MapLocation {
        location_id: location_id.into(),
        settings,
    };
    command_done(cli, org_id, map)
        .await
        .with_context(|| format!("mapping {location_id}"))
}

/// Writes a configuration that holds keys readable by its owner only (mode 0600), as
/// `make up` does.
pub fn write_secret_file(
    path: &std::path::Path,
    contents: impl AsRef<[u8]>,
) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_ref())
}

/// Where the services of a generated configuration listen (0: any free port) and the
/// client-side Optix limit (0: none).
pub struct ConfigOptions {
    pub ports: [u16; 3],
    pub requests_per_minute: u32,
}

/// A `lanyard.toml` for the demo app against these servers.
pub fn config_toml(
    database_url: &str,
    nats: &bus::testing::NatsServer,
    api_url: &str,
    smtp_url: &str,
    options: ConfigOptions,
) -> String {
    config_toml_with_nats(database_url, &nats.settings(), api_url, smtp_url, options)
}

/// [`config_toml`] for any NATS server or cluster: its URL(s), credentials and replicas.
pub fn config_toml_with_nats(
    database_url: &str,
    nats: &runtime::NatsSettings,
    api_url: &str,
    smtp_url: &str,
    options: ConfigOptions,
) -> String {
    let [ingest, provision, portal] = options.ports;
    let requests_per_minute = options.requests_per_minute;
    let (nats_url, replicas) = (&nats.url, nats.replicas);
    // Each service picks its own seed there (authorization is on, as in production).
    let nats_credentials = nats
        .credentials_dir
        .as_deref()
        .map(|dir| dir.display().to_string())
        .unwrap_or_default();
    format!(
        r#"
[database]
url = "{database_url}"
pool_size = 8

[nats]
url = "{nats_url}"
credentials_dir = "{nats_credentials}"
replicas = {replicas}

[ingest]
listen = "127.0.0.1:{ingest}"
ops_listen = "127.0.0.1:0"

[provision]
listen = "127.0.0.1:{provision}"
master_key = "{MASTER_KEY}"
hash_key = "{HASH_KEY}"

[portal]
listen = "127.0.0.1:{portal}"
ops_listen = "127.0.0.1:0"
smtp_url = "{smtp_url}"
mail_from = "Lanyard WiFi <wifi@lanyard.test>"

[radius]
listen = "127.0.0.1:0"
ops_listen = "127.0.0.1:0"
freeradius_token = "{RADIUS_TOKEN}"

[optix]
api_url = "{api_url}"
requests_per_minute = {requests_per_minute}

[[optix.apps]]
client_id = "{DEMO_CLIENT_ID}"
secret = "{DEMO_SECRET}"

[webhooks]
seal_key = "{WEBHOOK_SEAL_KEY}"
"#
    )
}
