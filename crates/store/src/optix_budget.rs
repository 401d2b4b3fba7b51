//! Optix's per-token budget counted in PostgreSQL for every instance (`take_optix_budget`,
//! migrations/0030_optix_budget.sql): an instance that takes an organization over sees what the
//! previous one spent in the window.

use crate::StoreError;
use crate::statements::CachedStatements;
use deadpool_postgres::GenericClient;
use std::time::Duration;

/// Takes one request of `key`'s budget (`limit` per `window`) if it is free now (`Ok(())`), or
/// answers how long until it is, taking nothing.
pub async fn take(
    client: &impl GenericClient,
    key: &str,
    limit: u32,
    window: Duration,
) -> Result<Result<(), Duration>, StoreError> {
    let limit = i32::try_from(limit).unwrap_or(i32::MAX);
    let row = client
        .query_one_cached(
            "SELECT extract(epoch FROM take_optix_budget($1, $2, make_interval(secs => $3)))::float8",
            &[&key, &limit, &window.as_secs_f64()],
        )
        .await?;
    Ok(match row.get::<_, Option<f64>>(0) {
        None => Ok(()),
        Some(secs) => Err(Duration::from_secs_f64(secs.max(0.0))),
    })
}

/// Optix answered 429: no instance sends for `key` until `retry_after` has passed.
pub async fn block(
    client: &impl GenericClient,
    key: &str,
    retry_after: Duration,
) -> Result<(), StoreError> {
    client
        .execute_cached(
            "INSERT INTO optix_budget_blocks (token_key, blocked_until)
             VALUES ($1, clock_timestamp() + make_interval(secs => $2))
             ON CONFLICT (token_key) DO UPDATE
               SET blocked_until = greatest(optix_budget_blocks.blocked_until, EXCLUDED.blocked_until)",
            &[&key, &retry_after.as_secs_f64()],
        )
        .await?;
    Ok(())
}
