//! radius: the HTTP endpoints Lanyard's FreeRADIUS calls through `rlm_rest`, one round trip per
//! RADIUS packet. FreeRADIUS holds no Lanyard data: it learns its clients (the registered NASes
//! and their opened secrets) and every answer (key, VLAN, Session-Timeout in the NAS's dialect)
//! from here, and the key ring that opens sealed passphrases never leaves this process.
//!
//! Routes (all under `/freeradius/`, all behind FreeRADIUS's bearer token, `bearer`):
//! - `GET /freeradius/clients?address=…`: the `dynamic_clients` lookup (`clients`).
//! - `POST /freeradius/authorize?nas=…&source=…`: an Access-Request (`authorize`; one that
//!   carries a WPA2 handshake: `handshake_mode`).
//! - `POST /freeradius/accounting?…`: Accounting-Request (`accounting`).
//! - `GET /freeradius/answer?key=…`: an answer FreeRADIUS keeps in memory (`answer_cache`).
//!
//! `rest` is rlm_rest's JSON in and out; `state` what the handlers share; `metrics` and `ops`
//! the operations listener (`radius.ops_listen`: `/metrics`, `/healthz`, `/readyz`).

mod accounting;
pub mod answer_cache;
mod authorize;
mod bearer;
mod clients;
pub mod dialect;
pub mod disconnect;
pub mod events;
mod grant;
pub mod handshake_keys;
pub mod handshake_mode;
pub mod instance_events;
mod lookup;
pub mod metrics;
mod ops;
pub mod rest;
mod state;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use state::State;
use std::net::TcpListener;

/// The radius service: the rlm_rest listener and the operations listener.
pub struct Application {
    listeners: telemetry::http::Listeners,
}

/// FreeRADIUS's token must be long enough that guessing it is out of the question.
const MIN_TOKEN_CHARS: usize = 32;

impl Application {
    pub async fn build(settings: impl Into<runtime::RadiusConfig>) -> anyhow::Result<Application> {
        let settings = settings.into();
        telemetry::metrics::init();
        metrics::init();
        let keys = key_ring(&settings.provision)?;
        let radius = settings.radius;
        anyhow::ensure!(
            radius.freeradius_token.expose().chars().count() >= MIN_TOKEN_CHARS,
            "radius.freeradius_token (or radius.freeradius_token_file) must hold at least \
             {MIN_TOKEN_CHARS} characters: FreeRADIUS presents it as its bearer token"
        );
        let pool = settings.database.pool()?;
        tokio::spawn(accounting::purge_periodically(
            pool.clone(),
            radius.accounting_retention_days,
        ));
        // Revocations end live sessions: the follower of member events (`disconnect`).
        let follower = disconnect::follower::Follower {
            pool: pool.clone(),
            bus: bus::Bus::connect_service(&settings.nats, bus::auth::Identity::Radius).await?,
            keys: std::sync::Arc::new(key_ring(&settings.provision)?),
            policy: disconnect::sender::RetryPolicy {
                tries: radius.disconnect_tries,
                first_wait: std::time::Duration::from_millis(radius.disconnect_first_wait_ms),
            },
            since: time::OffsetDateTime::now_utc(),
        };
        let instance = radius.instance_name();
        tracing::info!(
            instance,
            "this radius instance's own consumer of the events is named after it"
        );
        let answer_cache = answer_cache_of(&radius, &pool)?;
        let handshakes = handshake_mode::HandshakeMemory::new(
            pool.clone(),
            follower.keys.clone(),
            radius.handshake_max_keys,
        );
        tokio::spawn(handshakes.clone().build_keys());
        let instance_follower = instance_events::InstanceFollower {
            answers: answer_cache.clone(),
            keys: handshakes.clone(),
        };
        let (bus, since) = (follower.bus.clone(), follower.since);
        tokio::spawn(async move {
            instance_events::run(bus, since, &instance, instance_follower).await
        });
        let bus = follower.bus.clone();
        tokio::spawn(follower.run());
        let (listener, port) = telemetry::http::bind(&radius.listen, "radius.listen")?;
        let (ops_listener, ops_port) =
            telemetry::http::bind(&radius.ops_listen, "radius.ops_listen")?;
        let state = web::Data::new(State {
            pool,
            keys,
            token: radius.freeradius_token.clone(),
            answer_cache,
            handshakes,
            bus,
        });
        let ops_server = telemetry::http::ops_server(ops_listener, state.clone(), ops::readyz)?;
        let listeners = telemetry::http::Listeners::new(
            (port, freeradius_server(listener, state)?),
            (ops_port, ops_server),
        );
        Ok(Application { listeners })
    }

    /// Its listeners: `port` is where FreeRADIUS calls (`radius.listen`), `ops_port` the
    /// operations listener (`/metrics`, `/healthz`, `/readyz`).
    pub fn listeners(&self) -> &telemetry::http::Listeners {
        &self.listeners
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.listeners.run().await
    }
}

/// The answer cache, when some FreeRADIUS keeps answers (`radius.freeradius_answer_caches`):
/// its filler (the instance's consumer of events follows into it, `instance_events`).
fn answer_cache_of(
    radius: &runtime::RadiusSettings,
    pool: &deadpool_postgres::Pool,
) -> anyhow::Result<Option<answer_cache::AnswerCache>> {
    if radius.freeradius_answer_caches.is_empty() {
        return Ok(None);
    }
    let mut targets = Vec::new();
    for address in &radius.freeradius_answer_caches {
        let address = address.parse().with_context(|| {
            format!(
                "radius.freeradius_answer_caches: {address:?} is not an address:port \
                 (FreeRADIUS's lanyard_fill listener, e.g. 127.0.0.1:1814)"
            )
        })?;
        targets.push(disconnect::sender::DisconnectTarget {
            address,
            secret: radius.freeradius_token.clone(),
        });
    }
    Ok(Some(answer_cache::filler::start(pool.clone(), targets)))
}

/// The key ring from provision's keys (the radius service opens passphrases and NAS secrets).
fn key_ring(provision: &runtime::ProvisionSettings) -> anyhow::Result<secrets::KeyRing> {
    provision.key_ring().context(
        "the radius service opens passphrases and NAS secrets with provision.master_key \
         and hashes with provision.hash_key: set both (LANYARD__PROVISION__MASTER_KEY, …)",
    )
}

runtime::service!(Application {
    name: "radius",
    about: "Lanyard radius: the endpoints FreeRADIUS asks for clients, keys and VLANs.",
    settings: runtime::RadiusConfig,
    ports: |app| (app.listeners.port, Some(app.listeners.ops_port)),
});

/// The listener FreeRADIUS calls: every route behind its bearer token.
fn freeradius_server(
    listener: TcpListener,
    state: web::Data<State>,
) -> std::io::Result<actix_web::dev::Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::Data::new(telemetry::http::ServiceName("radius")))
            .app_data(rest::json_config())
            .app_data(rest::query_config())
            .wrap(from_fn(bearer::require_token))
            .wrap(from_fn(telemetry::http::record_requests))
            .service(
                web::scope("/freeradius")
                    .route("/clients", web::get().to(clients::lookup))
                    .route("/authorize", web::post().to(authorize::authorize))
                    .route("/accounting", web::post().to(accounting::accounting))
                    .route("/answer", web::get().to(answer_cache::endpoint::answer)),
            )
            .default_service(web::to(rest::not_found))
    })
    .shutdown_timeout(5)
    .listen(listener)?
    .run())
}
