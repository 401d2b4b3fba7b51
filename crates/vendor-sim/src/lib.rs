//! The WiFi controller vendors' APIs, simulated after the network-vendor reference: one
//! listener, a module per vendor (`meraki` under `/meraki/api/v1`), and what they share
//! (`shared`): rate limits answering 429 + `Retry-After`, 5xx on demand, request statistics,
//! and an admin API (`/_admin/…`) to change keys behind Lanyard's back.

pub mod meraki;
pub mod mist;
pub mod shared;
pub mod unifi;

use actix_web::{App, HttpServer, web};
use std::sync::Arc;

/// The simulator's state: every vendor's, and the shared faults and statistics.
#[derive(Default)]
pub struct Sim {
    pub shared: shared::Shared,
    pub meraki: meraki::Meraki,
    pub mist: mist::Mist,
    pub unifi: unifi::Unifi,
}

/// A started simulator.
pub struct RunningSim {
    pub url: String,
    pub sim: Arc<Sim>,
    pub server: actix_web::dev::Server,
}

/// Starts the simulator on `listen` (port 0: any free port).
pub async fn start(listen: &str) -> anyhow::Result<RunningSim> {
    let listener = std::net::TcpListener::bind(listen)?;
    let port = listener.local_addr()?.port();
    let sim = Arc::new(Sim::default());
    let data = web::Data::from(sim.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::JsonConfig::default().limit(16 * 1024 * 1024))
            .configure(meraki::routes)
            .configure(mist::routes)
            .configure(unifi::routes)
            .configure(shared::admin_routes)
    })
    .workers(2)
    .listen(listener)?
    .run();
    Ok(RunningSim {
        url: format!("http://127.0.0.1:{port}"),
        sim,
        server,
    })
}
