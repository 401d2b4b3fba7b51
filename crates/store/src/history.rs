//! A recorded event's line in the history (`lanyard events …`, `lanyard members show`, the
//! admin canvas): the words are the domain's ([`domain::describe`]); this adds where, when and
//! why the event was recorded.

use crate::recorded::RecordedEvent;
use chrono_tz::Tz;
pub use domain::describe::{HistoryLine, describe, render};

pub fn line(recorded: &RecordedEvent, tz: Tz) -> HistoryLine {
    let (what, source) = describe(&recorded.event, tz);
    HistoryLine {
        position: recorded.global_position,
        stream: recorded.stream_id.clone(),
        version: recorded.stream_version,
        recorded_at: recorded.recorded_at,
        event_type: recorded.event.type_name().to_owned(),
        text: what,
        cause: domain::describe::cause_words(source, recorded.metadata.cause.as_ref()),
        causation_id: recorded.metadata.causation_id.clone(),
        actor: recorded.metadata.actor.clone(),
    }
}
