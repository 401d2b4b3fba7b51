//! Structured logs (JSON, one object per line) and metrics for every service.

pub mod http;
pub mod metrics;

use tracing_subscriber::EnvFilter;

/// Installs the JSON log subscriber (`RUST_LOG` filters, default `info`). Safe to call twice.
pub fn init(service: &'static str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_target(true)
        .try_init();
    tracing::info!(service, "logging initialised");
}
