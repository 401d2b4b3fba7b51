//! Optix's per-token budget shared by every provision instance through PostgreSQL
//! (`store::optix_budget`): when a partition moves or an instance dies, the organization's new
//! holder waits for what the previous one spent in the window instead of earning a 429.

use optix::limiter::{SharedBudget, SharedBudgetFuture};
use std::time::Duration;

pub struct PostgresBudget {
    pool: deadpool_postgres::Pool,
}

impl PostgresBudget {
    pub fn new(pool: deadpool_postgres::Pool) -> PostgresBudget {
        PostgresBudget { pool }
    }
}

impl SharedBudget for PostgresBudget {
    fn take<'a>(
        &'a self,
        key: &'a str,
        limit: u32,
        window: Duration,
    ) -> SharedBudgetFuture<'a, Result<(), Duration>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            Ok(store::optix_budget::take(&client, key, limit, window).await?)
        })
    }

    fn block<'a>(&'a self, key: &'a str, retry_after: Duration) -> SharedBudgetFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            Ok(store::optix_budget::block(&client, key, retry_after).await?)
        })
    }
}
