//! The portal's own metrics (besides the HTTP ones every service has). Labels are small
//! fixed sets: never an email, a token, a user id or a path.

use opentelemetry::KeyValue;
use opentelemetry::metrics::Counter;
use std::sync::OnceLock;

struct PortalMetrics {
    links: Counter<u64>,
    commands: Counter<u64>,
}

fn instruments() -> &'static PortalMetrics {
    static INSTRUMENTS: OnceLock<PortalMetrics> = OnceLock::new();
    INSTRUMENTS.get_or_init(|| {
        let meter = telemetry::metrics::meter();
        PortalMetrics {
            links: meter
                .u64_counter("lanyard_magic_links_sent")
                .with_description(
                    "Sign-in link requests by outcome: sent, no_match (no Optix user with that \
                     email), rate_limited, smtp_failed, lookup_failed (provision could not be asked within the link's lifetime)",
                )
                .build(),
            commands: meter
                .u64_counter("lanyard_portal_commands")
                .with_description(
                    "Commands the portal sent to provision, by command and outcome (done, a \
                     refusal code, or unavailable)",
                )
                .build(),
        }
    })
}

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
    instruments()
        .links
        .add(1, &[KeyValue::new("outcome", outcome.as_str())]);
}

pub fn command(command: &'static str, outcome: &'static str) {
    instruments().commands.add(
        1,
        &[
            KeyValue::new("command", command),
            KeyValue::new("outcome", outcome),
        ],
    );
}

/// Registers the instruments so `/metrics` lists them from the start.
pub fn init() {
    instruments();
}
