//! portal: the tenant portal, mobile canvas and admin canvas, served from projections.
//! Today it is a running service with its health endpoints; member pages come next.

use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use std::net::TcpListener;
use std::time::Duration;

pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
}

struct State {
    pool: deadpool_postgres::Pool,
    bus: bus::Bus,
}

impl Application {
    pub async fn build(settings: runtime::Settings) -> anyhow::Result<Application> {
        telemetry::metrics::init();
        let pool = store::create_pool(&settings.database.url, settings.database.pool_size)?;
        let bus = bus::Bus::connect(&settings.nats)
            .await
            .context("connecting to NATS")?;
        let listener = TcpListener::bind(&settings.portal.listen)
            .with_context(|| format!("binding portal.listen {}", settings.portal.listen))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(State { pool, bus });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::Data::new(telemetry::http::ServiceName("portal")))
                .wrap(from_fn(telemetry::http::record_requests))
                .route("/metrics", web::get().to(telemetry::http::metrics_endpoint))
                .route("/", web::get().to(home))
                .route(
                    "/healthz",
                    web::get().to(|| async { HttpResponse::Ok().body("ok") }),
                )
                .route("/readyz", web::get().to(readyz))
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn home() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Lanyard portal</title></head><body><main><h1>Lanyard portal</h1>\
         <p>Your WiFi key is one step away: open your location's portal link.</p></main></body></html>",
    )
}

/// Ready only when PostgreSQL answers `SELECT 1` and NATS answers, each within 1 s (checked
/// together, so the probe itself stays near 1 s); the 503 names what failed.
async fn readyz(state: web::Data<State>) -> HttpResponse {
    let timeout = Duration::from_secs(1);
    let (database, nats) = tokio::join!(
        tokio::time::timeout(timeout, store::ping(&state.pool)),
        tokio::time::timeout(timeout, state.bus.ping()),
    );
    let database_ok = matches!(database, Ok(Ok(())));
    let nats_ok = matches!(nats, Ok(Ok(())));
    if database_ok && nats_ok {
        return HttpResponse::Ok().body("ready");
    }
    let failing: Vec<&str> = [
        (!database_ok).then_some("postgresql"),
        (!nats_ok).then_some("nats"),
    ]
    .into_iter()
    .flatten()
    .collect();
    tracing::warn!(failing = ?failing, "not ready");
    HttpResponse::ServiceUnavailable().body(format!("not ready: {}", failing.join(", ")))
}
