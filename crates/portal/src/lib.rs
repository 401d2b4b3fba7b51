//! portal: the tenant portal, mobile canvas and admin canvas, served from projections.
//! Today it is a running service with its health endpoints; member pages come next.

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

async fn readyz(state: web::Data<State>) -> HttpResponse {
    let timeout = Duration::from_secs(1);
    let db_ok = matches!(
        tokio::time::timeout(timeout, store::ping(&state.pool)).await,
        Ok(Ok(()))
    );
    let nats_ok = matches!(
        tokio::time::timeout(timeout, state.bus.ping()).await,
        Ok(Ok(()))
    );
    match (db_ok, nats_ok) {
        (true, true) => HttpResponse::Ok().body("ready"),
        _ => {
            let failing: Vec<&str> = [
                (!db_ok).then_some("postgresql"),
                (!nats_ok).then_some("nats"),
            ]
            .into_iter()
            .flatten()
            .collect();
            HttpResponse::ServiceUnavailable().body(format!("not ready: {}", failing.join(", ")))
        }
    }
}
