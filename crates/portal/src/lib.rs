//! portal: the tenant portal (one URL per location, sign-in by emailed link), the mobile canvas
//! and the admin canvas inside Optix. It reads projections and asks provision (NATS
//! request/reply, `bus::commands`) for every change; its own tables hold only sign-in links,
//! sessions and rate-limit counters (hashed).
//!
//! Routes (`routes`, one module per page or flow):
//! - `GET /l/{org}/{location}`: ask for a sign-in link (`POST` the email);
//!   `GET|POST /l/{org}/{location}/signin`: the emailed link (`#token=…`), spent on `POST`.
//! - `GET /wifi`: the signed-in tenant's key page (a GET never changes anything or asks Optix);
//!   `POST /wifi/start` (onboarding), `/wifi/passphrase`, `/wifi/regenerate`, `/wifi/signout`.
//! - `GET /canvas/mobile?location_id=…#token=…` (`POST` the token): the Optix app's WiFi tile.
//! - `GET /canvas/admin#token=…` (`POST` the token), then `/canvas/admin/home`, `/locations`,
//!   `/plans`, `/members`, `/members/{user}`: the admin canvas.
//!
//! Below the pages, what they share: `state` (with `limits`, `commands`, `refusals`,
//! `address`), `responses` and `pages` (rendering), `session`, `tenant_session` and
//! `admin_session` and `session_store` (who is signed in), `place`, `onboarding`, `access`, `links`,
//! `canvas_sign_in`, `admin_forms`, `admin_words`, `sealed`, `input`, `forms`, `db`.
//! This file only wires them into the two listeners.
//!
//! Beside the listeners, `notify` sends tenants their emails (consumer `portal-notify` of member
//! events, and the reminder scan).
//!
//! `/metrics` and `/readyz` are served on a separate operations listener (`portal.ops_listen`).

mod access;
mod access_log;
mod address;
mod admin_forms;
mod admin_session;
mod admin_words;
mod canvas_sign_in;
mod commands;
mod db;
mod devices;
mod error;
mod forms;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod input;
pub mod language;
mod limits;
mod links;
mod mail;
pub mod metrics;
mod notify;
mod officernd_admin;
mod onboarding;
mod ops;
mod pages;
mod place;
mod purge;
mod refusals;
mod responses;
mod routes;
mod sealed;
mod session;
mod session_store;
mod state;
mod tenant_session;
mod verify;
pub mod wifi;

pub use address::client_address;
pub use error::PortalError;

use access_log::access_log;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use address::parse_trusted_proxies;
use anyhow::Context;
use ops::readyz;
use purge::spawn_purge;
use routes::site::{home, not_found, script, stylesheet};
use routes::{admin, canvas, tenant};
use state::{State, bounded};
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

pub struct Application {
    port: u16,
    ops_port: u16,
    server: actix_web::dev::Server,
    ops_server: actix_web::dev::Server,
}

impl Application {
    pub async fn build(settings: impl Into<runtime::PortalConfig>) -> anyhow::Result<Application> {
        let settings = settings.into();
        telemetry::metrics::init();
        metrics::init();
        // lettre and reqwest choose their TLS provider explicitly, but anything using rustls'
        // process default would panic with two providers compiled in: pick one.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let keys = settings.provision.key_ring().context(
            "the portal opens passphrases with provision.master_key and hashes with \
             provision.hash_key: set both (LANYARD__PROVISION__MASTER_KEY, …__HASH_KEY)",
        )?;
        let pool = settings.database.pool()?;
        let controllers = controllers::Context::new(
            pool.clone(),
            controllers::key_ring(&settings.provision)?,
            settings.controllers.clone(),
        )?;
        let bus = bus::Bus::connect_service(&settings.nats, bus::auth::Identity::Portal).await?;
        let portal = settings.portal;
        let (listener, port) = telemetry::http::bind(&portal.listen, "portal.listen")?;
        let (ops_listener, ops_port) =
            telemetry::http::bind(&portal.ops_listen, "portal.ops_listen")?;
        let trusted_proxies = parse_trusted_proxies(&portal.trusted_proxies)?;
        let (public_url, https) = public_url(&portal, listener.local_addr()?)?;
        let mailer = mail::Mailer::new(portal.smtp_url.expose(), &portal.mail_from)?;
        if portal.smtp_url.expose().trim().is_empty() {
            tracing::warn!("portal.smtp_url is not set: sign-in links cannot be emailed");
        }
        // Canvas tokens are checked with Optix under the [optix] budget per token.
        let optix = settings
            .optix
            .client(Duration::from_secs(10))
            .context("building the HTTP client")?;
        let verifier =
            verify::Verifier::new(optix, Duration::from_secs(portal.canvas_cache_secs.max(1)));
        let officernd = settings
            .officernd
            .client(Duration::from_secs(10))
            .context("building the OfficeRnD client")?;
        let state = web::Data::new(State {
            pool,
            bus,
            keys,
            settings: portal,
            public_url,
            mailer,
            verifier,
            reports: bounded(),
            onboarding_refusals: bounded(),
            trusted_proxies,
            controllers,
            officernd,
            officernd_tolerance_secs: settings.officernd.signature_tolerance_secs,
        });
        spawn_purge(state.clone());
        notify::spawn(state.clone());
        // Metrics count sign-in outcomes (`sent` vs `no_match`): on the public listener they
        // would tell anyone which emails are members'. Operations get a listener of their own.
        let ops_server = telemetry::http::ops_server(ops_listener, state.clone(), readyz)?;
        Ok(Application {
            port,
            ops_port,
            // Browsers that once reached the portal over https never fall back to http for it.
            server: portal_server(listener, state, https)?,
            ops_server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the operations listener (`/metrics`, `/healthz`, `/readyz`).
    pub fn ops_port(&self) -> u16 {
        self.ops_port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (served, ops) = tokio::join!(self.server, self.ops_server);
        served.and(ops)
    }
}

runtime::service!(Application {
    name: "portal",
    about: "Lanyard portal: tenant portal and Optix canvases.",
    settings: runtime::PortalConfig,
    ports: |app| (app.port, Some(app.ops_port)),
});

/// The base URL of links in emails, without a trailing slash (`portal.public_url`, or the
/// address the portal listens on), and whether it is https. Warns when browsers would refuse
/// the portal's cookies.
fn public_url(
    portal: &runtime::PortalSettings,
    address: SocketAddr,
) -> anyhow::Result<(String, bool)> {
    let public_url = if portal.public_url.trim().is_empty() {
        format!("http://{address}")
    } else {
        portal.public_url.trim().trim_end_matches('/').to_owned()
    };
    let parsed = url::Url::parse(&public_url)
        .with_context(|| format!("portal.public_url {public_url:?} is not a URL"))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if parsed.scheme() != "https" && !loopback {
        tracing::warn!(
            "portal.public_url is not https: browsers refuse the portal's Secure cookies \
             over plain http anywhere but on localhost, so nobody could sign in"
        );
    }
    let https = parsed.scheme() == "https";
    Ok((public_url, https))
}

/// The public listener: the tenant portal, the canvases and the admin canvas (HSTS when the
/// public URL is https).
fn portal_server(
    listener: TcpListener,
    state: web::Data<State>,
    hsts: bool,
) -> std::io::Result<actix_web::dev::Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::Data::new(telemetry::http::ServiceName("portal")))
            .app_data(web::FormConfig::default().limit(16 * 1024))
            .wrap(from_fn(access_log))
            .wrap(from_fn(telemetry::http::record_requests))
            .wrap(actix_web::middleware::Condition::new(
                hsts,
                actix_web::middleware::DefaultHeaders::new().add((
                    actix_web::http::header::STRICT_TRANSPORT_SECURITY,
                    "max-age=31536000; includeSubDomains",
                )),
            ))
            .route("/healthz", web::get().to(telemetry::http::healthz))
            .route("/", web::get().to(home))
            .route("/assets/portal.css", web::get().to(stylesheet))
            .route("/assets/portal.js", web::get().to(script))
            .configure(tenant::routes)
            .configure(canvas::routes)
            .configure(admin::routes)
            .default_service(web::to(not_found))
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run())
}
