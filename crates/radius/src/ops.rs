//! The operations listener's own route (`radius.ops_listen`): readiness. `/metrics` and
//! `/healthz` come from `telemetry::http::ops_routes`.

use crate::state::State;
use actix_web::{HttpResponse, web};
use std::time::Duration;

/// Ready when PostgreSQL answers `SELECT 1` within 1 s.
pub(crate) async fn readyz(state: web::Data<State>) -> HttpResponse {
    match tokio::time::timeout(Duration::from_secs(1), store::ping(&state.pool)).await {
        Ok(Ok(())) => HttpResponse::Ok().body("ready"),
        _ => {
            tracing::warn!(failing = "postgresql", "not ready");
            HttpResponse::ServiceUnavailable().body("not ready: postgresql")
        }
    }
}
