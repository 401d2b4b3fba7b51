//! controllers: keeps cloud-managed WiFi controllers' key lists equal to Lanyard's, per mapped
//! location, continuously and within each vendor's rate limits, repairing what someone changes
//! in the vendor's dashboard.
//!
//! - `follow`: the durable consumer of `lanyard.events.>` (an organization's events reconcile
//!   its mapped locations) and the periodic full reconciliation (`controllers.reconcile_interval_secs`).
//! - `desired`: the keys wanted at a location (the shared roaming decision,
//!   `domain::location_access`); `plan`: the exact difference, on Lanyard's keys only (named
//!   with `controllers.key_prefix`); `reconcile`: applies it and records it; `listed`: the
//!   vendor's list kept between an event's reconciliations; `written`: what Lanyard last wrote
//!   (drift).
//! - `vendor`: what a vendor offers (the `Vendor` trait, typed errors); `meraki`, `unifi`,
//!   `mist`, `openwrt` (`http`: what their HTTP clients share);
//!   `budget`: request budgets per vendor organization.
//! - `mapping`: which controller a location's keys go to (`controller_mappings`).
//! - The listener (`controllers.listen`) serves OpenWrt AP groups their `wpa_psk_file`
//!   (`routes`); the operations listener `/metrics`, `/healthz`, `/readyz`.

pub mod budget;
pub mod desired;
mod follow;
pub mod http;
pub mod listed;
pub mod mapping;
pub mod meraki;
pub mod metrics;
pub mod mist;
pub mod openwrt;
pub mod plan;
pub mod reconcile;
mod routes;
pub mod unifi;
pub mod vendor;
pub mod written;

use anyhow::Context as _;
use mapping::{Mapping, Target};
use reconcile::{ReconcileError, Report, Trigger};
use std::sync::Arc;

/// What reconciliations share.
#[derive(Clone)]
pub struct Context {
    pub pool: deadpool_postgres::Pool,
    pub keys: Arc<secrets::KeyRing>,
    pub settings: Arc<runtime::ControllersSettings>,
    pub budgets: Arc<budget::Budgets>,
    pub meraki_policies: Arc<meraki::PolicyCache>,
    pub http: reqwest::Client,
    /// Where a vendor's key limit is reported (a command to provision); None in the CLI.
    pub bus: Option<bus::Bus>,
    /// What Lanyard last wrote at each location (drift in any run).
    pub written: Arc<written::Written>,
    /// The vendor's list at each location as Lanyard left it (an event's reconciliation).
    pub listed: Arc<listed::Listed>,
}

impl Context {
    pub fn new(
        pool: deadpool_postgres::Pool,
        keys: secrets::KeyRing,
        settings: runtime::ControllersSettings,
    ) -> anyhow::Result<Context> {
        let http = reqwest::Client::builder()
            .user_agent("lanyard-controllers")
            .build()
            .context("building the HTTP client")?;
        Ok(Context {
            pool,
            keys: Arc::new(keys),
            settings: Arc::new(settings),
            budgets: Arc::new(budget::Budgets::default()),
            meraki_policies: Arc::default(),
            http,
            bus: None,
            written: Arc::default(),
            listed: Arc::default(),
        })
    }

    /// The same, reporting vendor limits on `bus`.
    pub fn with_bus(self, bus: bus::Bus) -> Context {
        Context {
            bus: Some(bus),
            ..self
        }
    }

    /// The mapping's credentials in clear.
    pub fn open_credentials(&self, mapping: &Mapping) -> Result<String, ReconcileError> {
        let aad = mapping::credentials_context(&mapping.org_id, &mapping.location_id);
        let bytes = self
            .keys
            .open_with_master(&mapping.credentials, &aad)
            .map_err(|e| ReconcileError::Credentials(e.to_string()))?;
        String::from_utf8(bytes).map_err(|_| ReconcileError::Credentials("not UTF-8".into()))
    }

    /// The Meraki client of a Meraki mapping.
    pub fn meraki(&self, mapping: &Mapping) -> Result<Option<meraki::Meraki>, ReconcileError> {
        let Target::Meraki {
            organization_id,
            network_id,
            ssid_number,
        } = &mapping.target
        else {
            return Ok(None);
        };
        let settings = &self.settings;
        let rate = settings.meraki_requests_per_second;
        let budget = self
            .budgets
            .of(&format!("meraki:{organization_id}"), rate, rate);
        Ok(Some(meraki::Meraki::new(
            self.http.clone(),
            &settings.meraki_api_url,
            self.open_credentials(mapping)?,
            (organization_id.clone(), network_id.clone(), *ssid_number),
            (budget, self.meraki_policies.clone()),
            settings.meraki_keys_per_ssid,
        )))
    }

    /// Whether the mapping's controller answers with the stored credentials: what it says, or
    /// None for OpenWrt (routers fetch their file; nothing to reach).
    pub async fn test_mapping(&self, mapping: &Mapping) -> Result<Option<String>, ReconcileError> {
        async fn answer(
            vendor: Option<impl vendor::Vendor>,
        ) -> Result<Option<String>, ReconcileError> {
            Ok(match vendor {
                Some(vendor) => Some(vendor.test().await?),
                None => None,
            })
        }
        match &mapping.target {
            Target::Meraki { .. } => answer(self.meraki(mapping)?).await,
            Target::Unifi { .. } => answer(self.unifi(mapping)?).await,
            Target::Mist { .. } => answer(self.mist(mapping)?).await,
            Target::Openwrt { .. } => Ok(None),
        }
    }

    /// The UniFi client of a UniFi mapping.
    pub fn unifi(&self, mapping: &Mapping) -> Result<Option<unifi::Unifi>, ReconcileError> {
        let Target::Unifi { url, site, wlan_id } = &mapping.target else {
            return Ok(None);
        };
        let rate = self.settings.unifi_requests_per_second;
        let budget = self.budgets.of(&format!("unifi:{url}"), rate, rate);
        Ok(Some(unifi::Unifi::new(
            self.http.clone(),
            (url, self.open_credentials(mapping)?),
            (site.clone(), wlan_id.clone()),
            (budget, self.settings.unifi_keys_per_wlan),
            (self.pool.clone(), self.keys.clone()),
            (mapping.org_id.clone(), mapping.location_id.clone()),
        )))
    }

    /// The Mist client of a Mist mapping; the budget is the API token's (Mist counts per token).
    pub fn mist(&self, mapping: &Mapping) -> Result<Option<mist::Mist>, ReconcileError> {
        let Target::Mist {
            org_id,
            site_id,
            ssid,
        } = &mapping.target
        else {
            return Ok(None);
        };
        let settings = &self.settings;
        let token = self.open_credentials(mapping)?;
        let hour = std::time::Duration::from_secs(settings.mist_hour_secs.max(1));
        let calls = settings.mist_calls_per_hour;
        let budget = self.budgets.of_with(
            &format!("mist:{}", self.keys.keyed_hash("mist-token", "", &token)),
            || budget::Budget::per_window(calls, hour),
        );
        let scope = match site_id {
            Some(site) => mist::Scope::Site(site.clone()),
            None => mist::Scope::Org(org_id.clone()),
        };
        Ok(Some(mist::Mist {
            http: self.http.clone(),
            base_url: settings.mist_api_url.trim_end_matches('/').to_owned(),
            token,
            scope,
            ssid: ssid.clone(),
            budget,
            key_limit: settings.mist_keys_per_ssid,
            rate_limited_wait: hour / calls.max(1),
        }))
    }
}

/// The key ring that opens passphrases and vendor credentials (`provision.master_key`) and
/// hashes tokens (`provision.hash_key`): the service's and the CLI's.
pub fn key_ring(provision: &runtime::ProvisionSettings) -> anyhow::Result<secrets::KeyRing> {
    let (master, hash) = (provision.master_key.expose(), provision.hash_key.expose());
    secrets::KeyRing::from_hex(master, hash).context(
        "controllers open passphrases and vendor credentials with provision.master_key and \
         hash tokens with provision.hash_key: set both",
    )
}

/// Reconciles one mapped location with its controller. OpenWrt routers pull their file, so
/// there is nothing to push to them.
pub async fn reconcile_mapping(
    context: &Context,
    mapping: &Mapping,
    trigger: Trigger,
) -> Result<Report, ReconcileError> {
    match &mapping.target {
        Target::Meraki { .. } => match context.meraki(mapping)? {
            Some(vendor) => reconcile::run(context, &vendor, mapping, trigger).await,
            None => Ok(Report::default()),
        },
        Target::Unifi { .. } => match context.unifi(mapping)? {
            Some(vendor) => reconcile::run(context, &vendor, mapping, trigger).await,
            None => Ok(Report::default()),
        },
        Target::Mist { .. } => match context.mist(mapping)? {
            Some(vendor) => reconcile::run(context, &vendor, mapping, trigger).await,
            None => Ok(Report::default()),
        },
        Target::Openwrt { .. } => Ok(Report {
            outcome: "ok",
            ..Report::default()
        }),
    }
}

/// The controllers service: the OpenWrt file listener, the operations listener, and the
/// follower (events and the periodic reconciliation).
pub struct Application {
    listeners: telemetry::http::Listeners,
    context: Context,
    bus: bus::Bus,
}

impl Application {
    pub async fn build(
        settings: impl Into<runtime::ControllersConfig>,
    ) -> anyhow::Result<Application> {
        let settings = settings.into();
        let keys = key_ring(&settings.provision)?;
        telemetry::metrics::init();
        metrics::init();
        let pool = settings.database.pool()?;
        let bus =
            bus::Bus::connect_service(&settings.nats, bus::auth::Identity::Controllers).await?;
        let controllers = settings.controllers;
        let (listener, port) = telemetry::http::bind(&controllers.listen, "controllers.listen")?;
        let (ops_listener, ops_port) =
            telemetry::http::bind(&controllers.ops_listen, "controllers.ops_listen")?;
        let context = Context::new(pool, keys, controllers)?.with_bus(bus.clone());
        let state = actix_web::web::Data::new(context.clone());
        let ops_server = telemetry::http::ops_server(ops_listener, state.clone(), routes::readyz)?;
        let listeners = telemetry::http::Listeners::new(
            (port, routes::server(listener, state)?),
            (ops_port, ops_server),
        );
        Ok(Application {
            listeners,
            context,
            bus,
        })
    }

    pub fn listeners(&self) -> &telemetry::http::Listeners {
        &self.listeners
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let follower = tokio::spawn(follow::run(self.context, self.bus));
        let result = self.listeners.run().await;
        follower.abort();
        result
    }
}

runtime::service!(Application {
    name: "controllers",
    about: "Lanyard controllers: keeps Meraki, OpenWrt (and other) WiFi controllers' keys equal to Lanyard's.",
    settings: runtime::ControllersConfig,
    ports: |app| (app.listeners.port, Some(app.listeners.ops_port)),
});
