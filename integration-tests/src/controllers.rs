//! The controllers service and the vendors' simulator beside a test stack: the service built
//! from the stack's settings (its own NATS identity, a durable consumer of the events stream)
//! and pointed at the simulator, and what tests ask the simulator (through its admin API, as a
//! person in the vendor's dashboard would).

use crate::stack::Stack;
use crate::wait::eventually;
use anyhow::Context;
use std::time::Duration;
use tokio::task::JoinHandle;
use vendor_sim::meraki::IdentityPsk;

/// The simulated Meraki organization, network, SSID and API key the tests map.
pub const MERAKI_ORG: &str = "549236";
pub const MERAKI_NETWORK: &str = "N_24329156";
pub const MERAKI_SSID: u8 = 3;
pub const MERAKI_API_KEY: &str = "meraki-test-api-key-0123456789abcdef";
/// The simulated Mist organization, site, SSID and token the tests map.
pub const MIST_ORG: &str = "6748cfa6-4e12-11e6-9188-0242ac110007";
pub const MIST_SITE: &str = "4ac1dcf4-9d8b-7211-65c4-057819f0862b";
pub const MIST_SSID: &str = "Members";
pub const MIST_TOKEN: &str = "mist-test-token-0123456789abcdef";
/// The simulated UniFi site, WLAN, networks and API key the tests map.
pub const UNIFI_SITE: &str = "default";
pub const UNIFI_WLAN: &str = "65f0c1d2e3a4b5c6d7e8f901";
pub const UNIFI_LAN: &str = "65f0c1d2e3a4b5c6d7e8f000";
pub const UNIFI_API_KEY: &str = "unifi-test-api-key-0123456789abcdef";

/// The vendors' simulator, started before the stack so every service may be pointed at it.
pub struct VendorSim {
    pub url: String,
    pub sim: std::sync::Arc<vendor_sim::Sim>,
    task: JoinHandle<()>,
}

impl VendorSim {
    pub async fn start() -> anyhow::Result<VendorSim> {
        let sim = vendor_sim::start("127.0.0.1:0").await?;
        let (url, state) = (sim.url.clone(), sim.sim.clone());
        let task = tokio::spawn(async move {
            let _ = sim.server.await;
        });
        Ok(VendorSim {
            url,
            sim: state,
            task,
        })
    }

    /// Points `settings` (every service's) at the simulator.
    pub fn point(&self, settings: &mut runtime::Settings) {
        settings.controllers.meraki_api_url = format!("{}/meraki/api/v1", self.url);
        settings.controllers.mist_api_url = format!("{}/mist", self.url);
    }
}

pub struct Controllers {
    /// The simulator's base URL and state.
    pub vendor_url: String,
    pub vendor: std::sync::Arc<vendor_sim::Sim>,
    /// Where OpenWrt routers fetch their file, and the operations listener.
    pub url: String,
    pub ops_url: String,
    pub settings: runtime::ControllersSettings,
    /// The stack's settings as the controllers service got them (the CLI's, for the tests).
    pub all_settings: runtime::Settings,
    pub http: reqwest::Client,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Controllers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Controllers {
    /// The simulator and the controllers service, with `adjust` changing its section.
    pub async fn start(
        stack: &Stack,
        sim: VendorSim,
        adjust: impl FnOnce(&mut runtime::ControllersSettings),
    ) -> anyhow::Result<Controllers> {
        let VendorSim {
            url: vendor_url,
            sim: vendor,
            task: sim_task,
        } = sim;
        let mut settings = stack.settings.clone();
        settings.controllers.listen = "127.0.0.1:0".into();
        settings.controllers.ops_listen = "127.0.0.1:0".into();
        settings.controllers.meraki_api_url = format!("{vendor_url}/meraki/api/v1");
        settings.controllers.mist_api_url = format!("{vendor_url}/mist");
        adjust(&mut settings.controllers);
        let section = settings.controllers.clone();
        let all_settings = settings.clone();
        let app = controllers::Application::build(settings)
            .await
            .context("building controllers")?;
        let (port, ops_port) = (app.listeners().port, app.listeners().ops_port);
        let task = tokio::spawn(async move {
            let _ = app.run_until_stopped().await;
        });
        Ok(Controllers {
            vendor_url,
            vendor,
            url: format!("http://127.0.0.1:{port}"),
            ops_url: format!("http://127.0.0.1:{ops_port}"),
            settings: section,
            all_settings,
            http: reqwest::Client::new(),
            tasks: vec![sim_task, task],
        })
    }

    /// Makes the Meraki network in the simulator and maps `location_id` to its SSID, as
    /// `lanyard controllers map` does.
    pub async fn map_meraki(
        &self,
        stack: &Stack,
        org_id: &str,
        location_id: &str,
    ) -> anyhow::Result<()> {
        let status = self
            .http
            .post(format!("{}/_admin/meraki/networks", self.vendor_url))
            .json(&serde_json::json!({
                "organization_id": MERAKI_ORG, "network_id": MERAKI_NETWORK, "api_key": MERAKI_API_KEY,
            }))
            .send()
            .await?
            .status();
        anyhow::ensure!(status.is_success(), "making the Meraki network: {status}");
        let meraki = [
            "map-meraki",
            "--org",
            org_id,
            "--location",
            location_id,
            "--meraki-org",
            MERAKI_ORG,
            "--network",
            MERAKI_NETWORK,
            "--ssid",
            &MERAKI_SSID.to_string(),
            "--api-key-file",
        ];
        self.lanyard(stack, &meraki, Some(MERAKI_API_KEY)).await
    }

    /// Maps `location_id` to an OpenWrt AP group fetching with `token`.
    pub async fn map_openwrt(
        &self,
        stack: &Stack,
        (org_id, location_id): (&str, &str),
        ap_group: &str,
        token: &str,
    ) -> anyhow::Result<()> {
        let openwrt = [
            "map-openwrt",
            "--org",
            org_id,
            "--location",
            location_id,
            "--ap-group",
            ap_group,
            "--token-file",
        ];
        self.lanyard(stack, &openwrt, Some(token)).await
    }

    /// Makes the Mist organization (with `limits`: calls per hour, the hour's seconds) in the
    /// simulator and maps `location_id` to its site's SSID (`site`) or the organization's.
    pub async fn map_mist(
        &self,
        stack: &Stack,
        (org_id, location_id): (&str, &str),
        site: bool,
        (calls_per_hour, hour_secs): (u32, f64),
    ) -> anyhow::Result<()> {
        self.admin_post(
            "/_admin/mist/orgs",
            serde_json::json!({"org_id": MIST_ORG, "token": MIST_TOKEN, "site_ids": [MIST_SITE],
                               "calls_per_hour": calls_per_hour, "hour_secs": hour_secs}),
        )
        .await?;
        let mut argv = vec![
            "map-mist",
            "--org",
            org_id,
            "--location",
            location_id,
            "--mist-org",
            MIST_ORG,
            "--ssid",
            MIST_SSID,
        ];
        if site {
            argv.extend(["--site", MIST_SITE]);
        }
        argv.push("--token-file");
        self.lanyard(stack, &argv, Some(MIST_TOKEN)).await
    }

    /// Makes the UniFi site (its WLAN's own network and one VLAN network, VLAN 20; `limits`:
    /// requests per second, keys per WLAN) and maps `location_id` to its WLAN.
    pub async fn map_unifi(
        &self,
        stack: &Stack,
        (org_id, location_id): (&str, &str),
        (requests_per_second, key_limit): (f64, usize),
    ) -> anyhow::Result<()> {
        self.admin_post(
            "/_admin/unifi/sites",
            serde_json::json!({"site": UNIFI_SITE, "api_key": UNIFI_API_KEY, "wlan_id": UNIFI_WLAN,
                "networks": [{"_id": UNIFI_LAN, "name": "LAN", "purpose": "corporate", "vlan_enabled": false},
                             {"_id": "65f0c1d2e3a4b5c6d7e8f020", "name": "Guests", "purpose": "vlan-only",
                              "vlan_enabled": true, "vlan": 20}],
                "requests_per_second": requests_per_second, "key_limit": key_limit}),
        )
        .await?;
        let url = format!("{}/unifi", self.vendor_url);
        let argv = [
            "map-unifi",
            "--org",
            org_id,
            "--location",
            location_id,
            "--url",
            &url,
            "--site",
            UNIFI_SITE,
            "--wlan",
            UNIFI_WLAN,
            "--api-key-file",
        ];
        self.lanyard(stack, &argv, Some(UNIFI_API_KEY)).await
    }

    /// POSTs `body` to the simulator's admin `path`.
    pub async fn admin_post(&self, path: &str, body: serde_json::Value) -> anyhow::Result<()> {
        let status = self
            .http
            .post(format!("{}{path}", self.vendor_url))
            .json(&body)
            .send()
            .await?
            .status();
        anyhow::ensure!(status.is_success(), "{path}: {status}");
        Ok(())
    }

    /// Waits (at most `deadline`) until `check` holds for what `fetch` reads; that.
    pub async fn vendor_until<T>(
        &self,
        what: &str,
        deadline: Duration,
        fetch: impl Fn() -> T,
        check: impl Fn(&T) -> bool,
    ) -> anyhow::Result<T> {
        let (fetch, check) = (&fetch, &check);
        eventually(what, deadline, || async move {
            let found = fetch();
            Ok(check(&found).then_some(found))
        })
        .await
    }

    /// The Mist organization's PSKs (its sites' too), as the Mist portal shows them.
    pub fn mist_keys(&self) -> Vec<vendor_sim::mist::Psk> {
        self.vendor.mist.psks(MIST_ORG)
    }

    /// The UniFi WLAN's `private_preshared_keys`, as the UniFi application holds them.
    pub fn unifi_keys(&self) -> Vec<serde_json::Value> {
        self.vendor
            .unifi
            .wlan(UNIFI_SITE, UNIFI_WLAN)
            .and_then(|w| {
                w.get("private_preshared_keys")
                    .and_then(|k| k.as_array())
                    .cloned()
            })
            .unwrap_or_default()
    }

    /// The VLAN of a UniFi key's network (None: the WLAN's own).
    pub fn unifi_vlan(&self, key: &serde_json::Value) -> Option<u16> {
        let network = key
            .get("networkconf_id")
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        self.vendor.unifi.network_vlan(UNIFI_SITE, network)
    }

    /// The SSID's identity PSKs, through the simulator's admin API (the dashboard's view).
    pub async fn meraki_keys(&self) -> anyhow::Result<Vec<IdentityPsk>> {
        Ok(self
            .http
            .get(self.meraki_admin_url(""))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// The admin URL of the SSID's identity PSKs, and `suffix`.
    pub fn meraki_admin_url(&self, suffix: &str) -> String {
        format!(
            "{}/_admin/meraki/networks/{MERAKI_NETWORK}/ssids/{MERAKI_SSID}/identityPsks{suffix}",
            self.vendor_url
        )
    }

    /// Waits (at most `deadline`) until `check` holds for the SSID's keys; those keys.
    pub async fn meraki_until(
        &self,
        what: &str,
        deadline: Duration,
        check: impl Fn(&[IdentityPsk]) -> bool,
    ) -> anyhow::Result<Vec<IdentityPsk>> {
        let check = &check;
        eventually(what, deadline, || async move {
            let keys = self.meraki_keys().await?;
            Ok(check(&keys).then_some(keys))
        })
        .await
    }

    /// The name of a member's key at vendors.
    pub fn key_name(&self, stack: &Stack, org_id: &str, user_id: &str) -> String {
        controllers::desired::key_name(&stack.keys, &self.settings.key_prefix, org_id, user_id)
    }

    /// The VLAN a Meraki key's group policy sets.
    pub fn meraki_vlan(&self, key: &IdentityPsk) -> Option<u16> {
        self.vendor
            .meraki
            .policy_vlan(MERAKI_NETWORK, &key.group_policy_id)
    }

    /// The simulator's statistics of the Meraki organization.
    pub fn meraki_stats(&self) -> vendor_sim::shared::Stats {
        self.vendor.shared.stats(&format!("meraki:{MERAKI_ORG}"))
    }

    /// Every vendor request answers `status` for `seconds`.
    pub async fn fail_for(&self, status: u16, seconds: f64) -> anyhow::Result<()> {
        self.http
            .post(format!("{}/_admin/faults", self.vendor_url))
            .json(&serde_json::json!({"status": status, "seconds": seconds, "retry_after_secs": 1}))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Runs `lanyard controllers ARGV…` as the CLI does; with `credential`, written to a file
    /// (mode 0600) whose path ends the arguments.
    pub async fn lanyard(
        &self,
        stack: &Stack,
        argv: &[&str],
        credential: Option<&str>,
    ) -> anyhow::Result<()> {
        let dir =
            std::env::temp_dir().join(format!("lanyard-ctl-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("credential");
        let mut args: Vec<String> = ["lanyard", "controllers"]
            .iter()
            .chain(argv)
            .map(|a| a.to_string())
            .collect();
        if let Some(credential) = credential {
            crate::stack::write_secret_file(&file, credential)?;
            args.push(file.display().to_string());
        }
        let parsed = cli::args::parse_from(args);
        let result = async {
            let cli::args::Command::Controllers { command } = parsed?.command else {
                anyhow::bail!("not a controllers command");
            };
            cli::controllers::controllers(&self.all_settings, &stack.pool, command).await
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        result
    }
}
