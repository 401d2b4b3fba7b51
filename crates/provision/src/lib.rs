//! provision: the only writer of the event log.
//!
//! It pulls webhooks from JetStream (durable consumer, explicit ack), treats each as a hint,
//! asks the Optix API for the truth about the members concerned, decides with the domain, and
//! appends the events (with the projections and the hints' coverage) in one transaction. Only
//! after the commit are the messages acked; a crash means redelivery, and a redelivery changes
//! nothing. It also runs full syncs, the grant-expiry scheduler, the relay to NATS, and answers
//! the portal's commands.

pub mod batch;
mod cause;
pub mod commands;
mod connection;
mod controller_commands;
pub mod error;
pub mod event_contract;
pub mod facts;
pub mod hints;
mod installation;
pub mod known_locations;
pub mod lease;
pub mod metrics;
pub mod optix_budget;
mod pacing;
pub mod platform;
pub mod provisioner;
mod radius_commands;
pub mod received;
pub mod relay;
mod resolve;
mod scheduler;
mod sweeps;
pub mod sync;
pub mod sync_requests;
mod worker;
pub mod writer;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use tokio::sync::watch;

pub use error::ProvisionError;
pub use provisioner::Provisioner;
pub use received::{Incoming, Outcome};
pub use writer::Writer;

pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    provisioner: Arc<Provisioner>,
    bus: bus::Bus,
    settings: runtime::ProvisionConfig,
    relay_lag: relay::RelayLag,
    sync_queue: sync::SyncQueue,
    leases: lease::Leases,
}

struct Health {
    pool: deadpool_postgres::Pool,
    bus: bus::Bus,
}

impl Application {
    pub async fn build(
        settings: impl Into<runtime::ProvisionConfig>,
    ) -> anyhow::Result<Application> {
        let settings = settings.into();
        telemetry::metrics::init();
        let keys = settings
            .provision
            .key_ring()
            .context("provision.master_key / provision.hash_key")?;
        let pool = migrated_pool(&settings.database).await?;
        let bus = bus::Bus::connect_service(&settings.nats, bus::auth::Identity::Provision).await?;
        let optix = settings
            .optix
            .client(std::time::Duration::from_secs(20))?
            .with_shared_budget(Arc::new(optix_budget::PostgresBudget::new(pool.clone())));
        let webhook_seal = bus::sealing::WebhookSeal::from_hex(settings.webhooks.seal_key.expose())
            .context("webhooks.seal_key (LANYARD__WEBHOOKS__SEAL_KEY)")?;
        let installations = bus
            .installations()
            .await
            .context("opening the installations registry")?;
        let (sync_requests, sync_queue) = sync::sync_channel();
        let provisioner = Arc::new(
            Provisioner::new(
                pool.clone(),
                keys,
                (
                    optix,
                    settings
                        .officernd
                        .client(std::time::Duration::from_secs(20))?,
                ),
                sync_requests,
                webhook_seal,
                installations,
            )
            .with_settle_margin(std::time::Duration::from_millis(
                settings.provision.webhook_settle_margin_ms,
            ))
            .with_officernd_full_sync_interval(std::time::Duration::from_secs(
                settings.officernd.full_sync_interval_secs,
            )),
        );
        let (listener, port) =
            telemetry::http::bind(&settings.provision.listen, "provision.listen")?;
        let relay_lag = relay::RelayLag::default();
        let leases = lease::Leases::new(settings.provision.partitions);
        let sources = metrics::Sources {
            pool: pool.clone(),
            bus: bus.clone(),
            consumer_name: settings.provision.consumer_name.clone(),
            relay_lag: relay_lag.clone(),
        };
        let health = Health {
            pool,
            bus: bus.clone(),
        };
        Ok(Application {
            port,
            server: operations_server(listener, health, sources)?,
            provisioner,
            bus,
            settings,
            relay_lag,
            sync_queue,
            leases,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn provisioner(&self) -> Arc<Provisioner> {
        self.provisioner.clone()
    }

    /// What this instance leads and which organizations' partitions it works (`lease`).
    pub fn leases(&self) -> lease::Leases {
        self.leases.clone()
    }

    /// Runs the consumer, the expiry scheduler and the health server until `shutdown` fires;
    /// then stops pulling, finishes the message in hand, and returns.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let leases = self.leases.clone();
        let keeper = tokio::spawn(
            leases
                .clone()
                .keep(self.provisioner.pool().clone(), stop_rx.clone()),
        );
        let consumer = tokio::spawn(worker::run(
            self.bus.clone(),
            leases.clone(),
            self.settings.provision.consumer_name.clone(),
            worker::WorkerSettings {
                batch_size: self.settings.provision.batch_size,
                coalesce: std::time::Duration::from_millis(self.settings.provision.coalesce_ms),
            },
            self.provisioner.clone(),
            stop_rx.clone(),
        ));
        let commands = tokio::spawn(commands::run(
            self.provisioner.clone(),
            self.bus.client().clone(),
            stop_rx.clone(),
        ));
        let syncs = tokio::spawn(sync::run(
            self.provisioner.clone(),
            self.sync_queue,
            stop_rx.clone(),
        ));
        let sync_timer = tokio::spawn(scheduler::sync_timer(
            self.provisioner.clone(),
            leases.clone(),
            std::time::Duration::from_secs(self.settings.provision.sync_interval_secs),
            stop_rx.clone(),
        ));
        let scheduler = tokio::spawn(scheduler::run(
            self.provisioner.clone(),
            leases.clone(),
            stop_rx.clone(),
        ));
        let relay = tokio::spawn(relay::run(
            self.provisioner.pool().clone(),
            self.bus.clone(),
            leases,
            self.relay_lag.clone(),
            stop_rx,
        ));
        let server_handle = self.server.handle();
        let server = tokio::spawn(self.server);
        shutdown.await;
        tracing::info!("shutting down: no more pulls, finishing in-flight work");
        let _ = stop_tx.send(true);
        let consumer_result = consumer.await;
        let _ = scheduler.await;
        let _ = syncs.await;
        let _ = sync_timer.await;
        if let Ok(Err(e)) = commands.await {
            tracing::warn!(error = %e, "the command listener stopped with an error");
        }
        let _ = relay.await;
        // Last: the leases go once the work in hand is done.
        let _ = keeper.await;
        server_handle.stop(true).await;
        let _ = server.await;
        consumer_result.context("consumer task")?
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(runtime::shutdown_signal()).await
    }
}

runtime::service!(Application {
    name: "provision",
    about: "Lanyard provision: folds Optix webhooks into the event log.",
    settings: runtime::ProvisionConfig,
    ports: |app| (app.port, None),
});

/// The database pool, migrated to the latest schema (provision owns the schema).
async fn migrated_pool(
    settings: &runtime::DatabaseSettings,
) -> anyhow::Result<deadpool_postgres::Pool> {
    let pool = settings.pool()?;
    let mut client = pool.get().await.context("connecting to PostgreSQL")?;
    store::migrations::migrate(&mut client)
        .await
        .context("migrating the database")?;
    drop(client);
    Ok(pool)
}

/// Provision's only listener, for operations: its own `/metrics` (it refreshes the stream and
/// consumer readings first), `/healthz` and `/readyz`.
fn operations_server(
    listener: TcpListener,
    health: Health,
    sources: metrics::Sources,
) -> std::io::Result<actix_web::dev::Server> {
    let health = web::Data::new(health);
    let sources = web::Data::new(sources);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(health.clone())
            .app_data(sources.clone())
            .app_data(web::Data::new(telemetry::http::ServiceName("provision")))
            .wrap(from_fn(telemetry::http::record_requests))
            .route("/metrics", web::get().to(metrics_endpoint))
            .route("/healthz", web::get().to(telemetry::http::healthz))
            .route("/readyz", web::get().to(readyz))
    })
    .workers(1)
    .shutdown_timeout(5)
    .listen(listener)?
    .run())
}

async fn metrics_endpoint(sources: web::Data<metrics::Sources>) -> HttpResponse {
    metrics::metrics().sample(&sources).await;
    telemetry::http::metrics_endpoint().await
}

async fn readyz(health: web::Data<Health>) -> HttpResponse {
    let timeout = std::time::Duration::from_secs(1);
    let db = tokio::time::timeout(timeout, store::ping(&health.pool)).await;
    let nats = tokio::time::timeout(timeout, health.bus.ping()).await;
    match (db, nats) {
        (Ok(Ok(())), Ok(Ok(()))) => HttpResponse::Ok().body("ready"),
        (db, nats) => {
            let mut failing = Vec::new();
            if !matches!(db, Ok(Ok(()))) {
                failing.push("postgresql");
            }
            if !matches!(nats, Ok(Ok(()))) {
                failing.push("nats");
            }
            HttpResponse::ServiceUnavailable().body(format!("not ready: {}", failing.join(", ")))
        }
    }
}
