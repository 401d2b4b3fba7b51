//! Statements through the connection's prepared-statement cache.
//!
//! A `&str` statement costs tokio-postgres two round trips (Parse/Describe, then Execute) and
//! PostgreSQL a parse and a plan every time; a cached one costs one round trip and neither
//! (docs/performance-history.md, "What changed after the first profiles", measured the
//! difference). Every statement whose text is fixed goes through these; the cache lives with
//! the pooled connection.

use deadpool_postgres::GenericClient;
use std::future::Future;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Error, Row};

/// `fn $cached(sql, params)`: prepares `sql` through the connection's cache, then runs it as
/// `GenericClient::$uncached` does. The four methods differ only in that name and their output.
macro_rules! through_the_cache {
    ($cached:ident => $uncached:ident -> $output:ty) => {
        fn $cached(
            &self,
            sql: &str,
            params: &[&(dyn ToSql + Sync)],
        ) -> impl Future<Output = Result<$output, Error>> + Send {
            async move {
                self.$uncached(&self.prepare_cached(sql).await?, params)
                    .await
            }
        }
    };
}

pub trait CachedStatements: GenericClient {
    through_the_cache!(query_cached => query -> Vec<Row>);
    through_the_cache!(query_one_cached => query_one -> Row);
    through_the_cache!(query_opt_cached => query_opt -> Option<Row>);
    through_the_cache!(execute_cached => execute -> u64);
}

impl<C: GenericClient> CachedStatements for C {}

/// Runs `statements` on one connection pipelined, in the order given: each is put on the wire
/// (polled once: tokio-postgres sends a prepared statement's request at its first poll) before
/// the next, then all are awaited. PostgreSQL runs them one after the other as it would one at
/// a time, at the cost of one round trip instead of one each (a batch's commit spent most of its
/// time outside PostgreSQL's execution of its statements: docs/performance-history.md, session 43).
/// Statements not yet prepared would be prepared first and sent late: prepare them before.
pub async fn in_order<F: Future>(statements: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut all: Vec<_> = statements
        .into_iter()
        .map(|statement| Box::pin(futures::future::maybe_done(statement)))
        .collect();
    for statement in &mut all {
        let _ = futures::poll!(statement.as_mut());
    }
    futures::future::join_all(all.iter_mut().map(|statement| statement.as_mut())).await;
    all.iter_mut()
        .filter_map(|statement| statement.as_mut().take_output())
        .collect()
}

/// `first` put on the wire (polled once) before `then` is polled, then both awaited: `then`'s
/// statements run after `first`'s, on one round trip ([`in_order`] for two of different kinds).
pub async fn first_then<A: Future, B: Future>(first: A, then: B) -> (A::Output, B::Output) {
    let mut first = std::pin::pin!(first);
    match futures::poll!(first.as_mut()) {
        std::task::Poll::Ready(output) => (output, then.await),
        std::task::Poll::Pending => futures::future::join(first, then).await,
    }
}
