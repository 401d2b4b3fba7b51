//! The operations listener's own route (`portal.ops_listen`): readiness. `/metrics` and
//! `/healthz` come from `telemetry::http::ops_routes`.

use crate::state::State;
use actix_web::{HttpResponse, web};
use std::time::Duration;

/// Ready only when PostgreSQL answers `SELECT 1` and NATS answers, each within 1 s (checked
/// together, so the probe itself stays near 1 s); the 503 names what failed.
pub(crate) async fn readyz(state: web::Data<State>) -> HttpResponse {
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
