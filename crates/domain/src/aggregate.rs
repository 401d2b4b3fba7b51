//! What every aggregate is (in the spirit of cqrs-es's `Aggregate`): a state folded from its
//! stream's events (`evolve`), and a pure decision (`decide`) that answers a command with the
//! events to append, or a refusal. The store's one load → decide → append path
//! (`store::decide`) works on any of them.
//!
//! Events are the one [`Event`] enum of the log rather than a type per aggregate: every
//! stream lives in one table and the projections read them all.

use crate::events::Event;

pub trait Aggregate: Default + Sized {
    /// What may be asked of the aggregate.
    type Command;
    /// Why a command is refused ([`std::convert::Infallible`] when it never is).
    type Error: std::error::Error;

    /// The events that carry out `command` on this state (none when nothing changes).
    fn decide(&self, command: Self::Command) -> Result<Vec<Event>, Self::Error>;

    /// The state after `event`; events of other aggregates leave it as it is.
    fn evolve(self, event: &Event) -> Self;

    /// The state a history folds to.
    fn from_history<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        events.into_iter().fold(Self::default(), Self::evolve)
    }
}
