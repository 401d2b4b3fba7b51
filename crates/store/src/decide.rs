//! The one way to change a stream: load it (read and fold), decide on the state, append what
//! was decided at the version read (which updates the projections in the same transaction),
//! and when another writer got to the stream first, or took a VLAN or passphrase checked at
//! commit, do it all again on fresh state ([`in_transaction`]).

use crate::event_log;
use crate::event_log::StreamEvent;
use crate::{Metadata, StoreError};
use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool, Transaction};
use domain::{Aggregate, Event, StreamId};
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use tracing::Instrument;

/// How many times a transaction is decided again after losing a race.
pub const CONFLICT_RETRIES: usize = 5;

/// A decision that did not append: the aggregate refused the command, or the store failed.
#[derive(Debug, thiserror::Error)]
pub enum DecideError<R> {
    #[error("{0}")]
    Refused(R),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<R> DecideError<R> {
    /// The refusal, for a caller that goes on after one (logging it); a store error is
    /// passed up.
    pub fn into_refusal(self) -> Result<R, StoreError> {
        match self {
            DecideError::Refused(refusal) => Ok(refusal),
            DecideError::Store(e) => Err(e),
        }
    }
}

/// A decision that can never be refused fails only in the store.
impl From<DecideError<Infallible>> for StoreError {
    fn from(error: DecideError<Infallible>) -> StoreError {
        match error {
            DecideError::Refused(never) => match never {},
            DecideError::Store(e) => e,
        }
    }
}

/// Errors that may mean "another writer got there first: decide again".
pub trait Conflict {
    fn is_conflict(&self) -> bool;
}

impl Conflict for StoreError {
    fn is_conflict(&self) -> bool {
        StoreError::is_conflict(self)
    }
}

impl<R> Conflict for DecideError<R> {
    fn is_conflict(&self) -> bool {
        matches!(self, DecideError::Store(e) if e.is_conflict())
    }
}

/// A stream's state folded from its history, with what appending after it needs.
#[derive(Clone, Debug)]
pub struct Loaded<A> {
    pub state: A,
    /// The stream's version (-1 when it is empty): appends expect it.
    pub version: i64,
    /// The global position of the stream's last event, if any.
    pub last_position: Option<i64>,
}

impl<A: Aggregate> Loaded<A> {
    /// The state `history` (one stream's events, in order) folds to.
    pub fn from_history(history: &[StreamEvent]) -> Self {
        Loaded {
            state: A::from_history(history.iter().map(|e| &e.event)),
            version: history.last().map_or(-1, |e| e.stream_version),
            last_position: history.last().map(|e| e.global_position),
        }
    }

    /// Decides `command` in memory, for a caller that appends many decisions at once
    /// ([`event_log::append_batch`]): the state and the version move past the events decided
    /// (the last position stays as read: they are not in the log yet). Answers the version the
    /// events must be appended at, and the events.
    pub fn decide_in_memory(&mut self, command: A::Command) -> Result<(i64, Vec<Event>), A::Error> {
        let events = self.state.decide(command)?;
        let expected_version = self.version;
        for event in &events {
            self.state = std::mem::take(&mut self.state).evolve(event);
        }
        self.version += events.len() as i64;
        Ok((expected_version, events))
    }
}

/// Reads `stream` and folds it.
pub async fn load<A: Aggregate>(
    client: &impl GenericClient,
    stream: &StreamId,
) -> Result<Loaded<A>, StoreError> {
    let history = event_log::read_streams(client, std::slice::from_ref(stream)).await?;
    Ok(Loaded::from_history(
        history.first().map_or(&[], Vec::as_slice),
    ))
}

/// Several streams' histories, read in one query by [`load_many`]; each is folded into the
/// aggregate its caller names.
pub struct Histories(HashMap<StreamId, Vec<StreamEvent>>);

impl Histories {
    /// `stream` folded, with its version and last position. A stream that was not read is an
    /// error of the caller's (folding nothing would append at the wrong version).
    pub fn loaded<A: Aggregate>(&self, stream: &StreamId) -> Result<Loaded<A>, StoreError> {
        self.0
            .get(stream)
            .map(|history| Loaded::from_history(history))
            .ok_or_else(|| StoreError::Config(format!("stream {stream} was not read")))
    }
}

/// Reads all of `streams` in one query (see [`event_log::read_streams`]).
pub async fn load_many(
    client: &impl GenericClient,
    streams: &[StreamId],
) -> Result<Histories, StoreError> {
    let histories = event_log::read_streams(client, streams).await?;
    Ok(Histories(streams.iter().cloned().zip(histories).collect()))
}

impl<A: Aggregate + Sync> Loaded<A>
where
    A::Error: Send,
{
    /// Decides `command` on the loaded state and appends the outcome at the loaded version;
    /// answers the types of the events appended (none when nothing changes).
    pub async fn decide_and_append(
        &self,
        tx: &Transaction<'_>,
        stream: &StreamId,
        command: A::Command,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Vec<&'static str>, DecideError<A::Error>> {
        let events = self.state.decide(command).map_err(DecideError::Refused)?;
        let types = events.iter().map(Event::type_name).collect();
        event_log::append(tx, stream, self.version, events, metadata, now).await?;
        Ok(types)
    }
}

/// Load, decide and append `command` on `stream` inside `tx`.
pub async fn decide_and_append<A: Aggregate + Send + Sync>(
    tx: &Transaction<'_>,
    stream: &StreamId,
    command: A::Command,
    metadata: &Metadata,
    now: DateTime<Utc>,
) -> Result<Vec<&'static str>, DecideError<A::Error>>
where
    A::Command: Send,
    A::Error: Send,
{
    load::<A>(tx, stream)
        .await?
        .decide_and_append(tx, stream, command, metadata, now)
        .await
}

/// What a transaction body answers: a boxed future borrowing the transaction and its inputs.
pub type TxFuture<'t, T> = Pin<Box<dyn Future<Output = T> + Send + 't>>;

/// Runs `body` in a transaction on `pool` and commits it; on a conflict (see [`Conflict`]) it
/// runs again on fresh state, at most [`CONFLICT_RETRIES`] more times.
///
/// Whatever the body borrows comes in `inputs` (e.g. a tuple of references) rather than being
/// captured: a future borrowing both the transaction and the caller's variables is then `Send`
/// for `tokio::spawn`, which a borrowing async closure is not (rust-lang/rust#110338).
pub async fn in_transaction<I, T, E>(
    pool: &Pool,
    inputs: &I,
    mut body: impl for<'t> FnMut(&'t Transaction<'_>, &'t I) -> TxFuture<'t, Result<T, E>>,
) -> Result<T, E>
where
    I: Sync + ?Sized,
    E: From<StoreError> + Conflict,
{
    let mut attempt = 0usize;
    loop {
        attempt += 1;
        match attempt_once(pool, inputs, &mut body).await {
            Err(e) if e.is_conflict() && attempt <= CONFLICT_RETRIES => {
                tracing::info!(attempt, "lost a race with another writer; deciding again");
            }
            outcome => return outcome,
        }
    }
}

async fn attempt_once<I, T, E>(
    pool: &Pool,
    inputs: &I,
    body: &mut impl for<'t> FnMut(&'t Transaction<'_>, &'t I) -> TxFuture<'t, Result<T, E>>,
) -> Result<T, E>
where
    I: Sync + ?Sized,
    E: From<StoreError>,
{
    let mut client = pool.get().await.map_err(StoreError::from)?;
    let transaction = client.transaction().await.map_err(StoreError::from)?;
    let value = body(&transaction, inputs).await?;
    transaction
        .commit()
        .instrument(tracing::info_span!("postgres.commit"))
        .await
        .map_err(StoreError::from_commit)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict() -> StoreError {
        StoreError::Conflict {
            stream: "member-1-42".into(),
            expected: 3,
        }
    }

    #[test]
    fn a_decision_in_memory_moves_the_state_and_the_version_past_its_events() {
        use domain::group::{Group, GroupCommand};
        let ensure = |name: &str, vlan| GroupCommand::Ensure {
            team_id: "t1".into(),
            name: name.into(),
            vlan,
        };
        let mut group = Loaded::<Group>::from_history(&[]);
        assert_eq!((group.version, group.last_position), (-1, None));

        let Ok((at, created)) = group.decide_in_memory(ensure("Blue", Some(100)));
        assert_eq!((at, created.len()), (-1, 1), "created at the empty stream");
        assert!(group.state.live);
        assert_eq!(group.state.vlan, Some(100));
        assert_eq!(group.version, 0);

        // A later member of the batch sees the group: no second creation, no second VLAN.
        let Ok((at, again)) = group.decide_in_memory(ensure("Blue", Some(101)));
        assert_eq!((at, again.len()), (0, 0));
        let Ok((at, renamed)) = group.decide_in_memory(ensure("Navy", None));
        assert_eq!((at, renamed.len()), (0, 1), "appended after the creation");
        assert_eq!((group.version, group.state.vlan), (1, Some(100)));
        assert_eq!(group.last_position, None, "nothing of it is in the log yet");
    }

    #[test]
    fn only_a_store_conflict_is_decided_again_and_a_refusal_is_handed_back() {
        assert!(DecideError::<&str>::Store(conflict()).is_conflict());
        assert!(!DecideError::Refused("no account").is_conflict());
        assert!(!DecideError::<&str>::Store(StoreError::Config("x".into())).is_conflict());
        assert_eq!(
            DecideError::Refused("no account").into_refusal().ok(),
            Some("no account")
        );
        assert!(
            DecideError::<&str>::Store(conflict())
                .into_refusal()
                .is_err_and(|e| e.is_conflict())
        );
    }
}
