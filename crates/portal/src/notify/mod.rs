//! The tenant emails (issue 21): welcome, key changed, access ending, access suspended and
//! guest invited, each sent exactly once per trigger through an outbox.
//!
//! - `consumer`: the durable consumer `portal-notify` of member events (delayed NAKs pace the
//!   retries); `reminders`: the periodic scan of grants ending soon.
//! - `decide`: which email an event asks for (pure); `deliver`: one email from its claim to its
//!   outcome; `outbox`: the `sent_messages` table; `render`: askama templates and the `mail`
//!   catalogue; `settings`: the organization's email settings and the email's language.
//!
//! Exactly once, in practice: the outbox row (trigger, kind) is claimed before the email goes
//! and marked sent after, so a redelivery or a second instance sends nothing. An instance that
//! stops between the SMTP answer and the mark leaves the row `sending`; after its hold (2 min)
//! the email is sent again, with the same Message-ID. SMTP has no two-phase commit: this one
//! window is at-least-once, which for these emails beats maybe-never.

mod consumer;
mod decide;
mod deliver;
pub(crate) mod outbox;
mod reminders;
mod render;
mod settings;

use crate::state::State;
use actix_web::web;

/// Starts the consumer and the reminder scan (unless `portal.notify_enabled` is off).
pub(crate) fn spawn(state: web::Data<State>) {
    if !state.settings.notify_enabled {
        tracing::info!("portal.notify_enabled is off: no tenant emails");
        return;
    }
    consumer::spawn(state.clone());
    reminders::spawn(state);
}
