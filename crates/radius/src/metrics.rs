//! The radius service's own metrics (besides the HTTP ones every service has). Labels are
//! small fixed sets: a dialect, a result; never a MAC, a user, a NAS or an organization.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram};
use std::sync::LazyLock;
use std::time::Duration;

struct RadiusMetrics {
    requests: Counter<u64>,
    duration: Histogram<f64>,
}

static INSTRUMENTS: LazyLock<RadiusMetrics> = LazyLock::new(|| RadiusMetrics {
    requests: telemetry::metrics::counter(
        "lanyard_radius_requests",
        "Access-Requests answered, by the NAS's dialect (or unknown) and result: accept, \
         reject, unknown_nas (not a registered NAS at that address), error",
    ),
    duration: telemetry::metrics::latency_histogram(
        "lanyard_radius_request_duration",
        "Time to answer an Access-Request inside Lanyard, by dialect and result",
    ),
});

/// What an Access-Request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accept,
    Reject,
    UnknownNas,
    Error,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accept => "accept",
            Outcome::Reject => "reject",
            Outcome::UnknownNas => "unknown_nas",
            Outcome::Error => "error",
        }
    }
}

/// Registers the instruments, so `/metrics` lists them before the first request.
pub fn init() {
    LazyLock::force(&INSTRUMENTS);
}

/// Counts and times one Access-Request; `dialect` is `cisco`, `aruba`, `meraki`, `hostapd` or
/// `unknown`.
pub fn request(dialect: &'static str, outcome: Outcome, took: Duration) {
    let labels = [
        KeyValue::new("dialect", dialect),
        KeyValue::new("result", outcome.as_str()),
    ];
    INSTRUMENTS.duration.record(took.as_secs_f64(), &labels);
    INSTRUMENTS.requests.add(1, &labels);
}
