//! Housekeeping of the portal's own tables: spent links, ended sessions, old counters.

use crate::db;
use crate::limits::LONGEST_WINDOW_SECS;
use crate::state::State;
use actix_web::web;
use std::time::Duration;

/// Removes spent links, ended sessions and old counters every 10 minutes.
pub(crate) fn spawn_purge(state: web::Data<State>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let result = async {
                let client = state.pool.get().await.map_err(|e| e.to_string())?;
                // Counters of the longest window (a day: links per client) must outlive it.
                db::purge(
                    &client,
                    state.settings.rate_window_secs.max(LONGEST_WINDOW_SECS),
                )
                .await
                .map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(removed) => tracing::debug!(removed, "purged expired portal rows"),
                Err(error) => tracing::warn!(%error, "purging expired portal rows failed"),
            }
        }
    });
}
