//! The projection contract: a read model's writer, run by the event log in the append's
//! transaction and by replay in the shadow schema (the same code both ways, in the spirit of
//! esrs's transactional event handlers). The list of projections is `read_models::PROJECTIONS`.

use crate::error::StoreError;
use crate::recorded::RecordedEvent;
use deadpool_postgres::Transaction;
use domain::StreamId;
use futures::future::BoxFuture;

/// Writes the rows of one event into a read model's tables (see [`Projection::apply`]).
pub type ApplyFn = for<'a> fn(
    &'a Transaction<'a>,
    &'a StreamId,
    &'a RecordedEvent,
) -> BoxFuture<'a, Result<(), StoreError>>;

/// One read model's writer.
pub struct Projection {
    /// For errors and logs, e.g. `members`.
    pub name: &'static str,
    /// The tables it writes and nothing else writes; replay rebuilds exactly these.
    pub tables: &'static [&'static str],
    /// Sees every event and ignores those its tables do not follow. Uses only what the event
    /// carries (never the clock), so a rebuild from position 0 yields identical rows.
    pub apply: ApplyFn,
}

impl Projection {
    pub const fn new(name: &'static str, tables: &'static [&'static str], apply: ApplyFn) -> Self {
        Projection {
            name,
            tables,
            apply,
        }
    }
}

/// An event on a stream it cannot belong to (e.g. a member event on a group stream).
pub fn misplaced(stream: &StreamId, recorded: &RecordedEvent) -> StoreError {
    StoreError::Corrupt {
        position: recorded.global_position,
        reason: format!(
            "{} does not belong on stream {stream}",
            recorded.event.type_name()
        ),
    }
}
