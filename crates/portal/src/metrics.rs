//! The portal's own metrics (besides the HTTP ones every service has). Labels are small
//! fixed sets: never an email, a token, a user id or a path.

use opentelemetry::KeyValue;
use opentelemetry::metrics::Counter;
use std::sync::LazyLock;

struct PortalMetrics {
    links: Counter<u64>,
    commands: Counter<u64>,
    notify: Counter<u64>,
}

static INSTRUMENTS: LazyLock<PortalMetrics> = LazyLock::new(|| PortalMetrics {
    links: telemetry::metrics::counter(
        "lanyard_magic_links_sent",
        "Sign-in link requests by outcome: sent, no_match (no Optix user with that \
         email), rate_limited, smtp_failed, lookup_failed (provision could not be asked within the link's lifetime)",
    ),
    commands: telemetry::metrics::counter(
        "lanyard_portal_commands",
        "Commands the portal sent to provision, by command and outcome (done, a \
         refusal code, or unavailable)",
    ),
    notify: telemetry::metrics::counter(
        "lanyard_notify_messages",
        "Tenant emails by kind (welcome, key_changed, access_ending, access_suspended, \
         guest_invited) and outcome (sent, failed: one per failed attempt, skipped_off, \
         skipped_deleted)",
    ),
});

/// Outcomes of a sign-in link request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkOutcome {
    Sent,
    NoMatch,
    RateLimited,
    SmtpFailed,
    LookupFailed,
}

impl LinkOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkOutcome::Sent => "sent",
            LinkOutcome::NoMatch => "no_match",
            LinkOutcome::RateLimited => "rate_limited",
            LinkOutcome::SmtpFailed => "smtp_failed",
            LinkOutcome::LookupFailed => "lookup_failed",
        }
    }
}

pub fn link(outcome: LinkOutcome) {
    INSTRUMENTS
        .links
        .add(1, &[KeyValue::new("outcome", outcome.as_str())]);
}

pub fn command(command: &'static str, outcome: &'static str) {
    INSTRUMENTS.commands.add(
        1,
        &[
            KeyValue::new("command", command),
            KeyValue::new("outcome", outcome),
        ],
    );
}

pub fn notify_message(kind: &'static str, outcome: &'static str) {
    INSTRUMENTS.notify.add(
        1,
        &[
            KeyValue::new("kind", kind),
            KeyValue::new("outcome", outcome),
        ],
    );
}

/// Registers the instruments so `/metrics` lists them from the start.
pub fn init() {
    LazyLock::force(&INSTRUMENTS);
}
