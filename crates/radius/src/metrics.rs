//! The radius service's own metrics (besides the HTTP ones every service has). Labels are
//! small fixed sets: a dialect, a result; never a MAC, a user, a NAS or an organization.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Gauge, Histogram};
use std::sync::LazyLock;
use std::time::Duration;

struct RadiusMetrics {
    requests: Counter<u64>,
    duration: Histogram<f64>,
    accounting: Counter<u64>,
    disconnects_sent: Counter<u64>,
    disconnect_retries: Counter<u64>,
    disconnects_acknowledged: Counter<u64>,
    disconnects_failed: Counter<u64>,
    cache_fetches: Counter<u64>,
    cache_answers: Counter<u64>,
    cache_refills: Counter<u64>,
    handshakes: Counter<u64>,
    handshake_search: Histogram<f64>,
    handshake_keys: Gauge<u64>,
    handshake_keys_refused: Counter<u64>,
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
    accounting: telemetry::metrics::counter(
        "lanyard_radius_accounting_requests",
        "Accounting-Requests, by status (start, interim, stop, accounting-on, accounting-off, \
         unknown) and result (stored, refused, unknown_nas, error)",
    ),
    disconnects_sent: telemetry::metrics::counter(
        "lanyard_radius_disconnects_sent",
        "Sessions a Disconnect-Request (RFC 5176) was sent for",
    ),
    disconnect_retries: telemetry::metrics::counter(
        "lanyard_radius_disconnect_retries",
        "Disconnect-Requests sent again because the NAS had not answered",
    ),
    disconnects_acknowledged: telemetry::metrics::counter(
        "lanyard_radius_disconnects_acknowledged",
        "Disconnect-Requests the NAS acknowledged (Disconnect-ACK)",
    ),
    disconnects_failed: telemetry::metrics::counter(
        "lanyard_radius_disconnects_failed",
        "Disconnect-Requests that did not end the session, by outcome: nacked (Disconnect-NAK), \
         no_answer (every try timed out, or the NAS is not registered any more)",
    ),
    cache_fetches: telemetry::metrics::counter(
        "lanyard_radius_cache_fetches",
        "CoA-Requests asking FreeRADIUS to fetch a cached answer again, by outcome: acked, \
         nacked (FreeRADIUS could not fetch it; retried), no_answer (retried)",
    ),
    cache_answers: telemetry::metrics::counter(
        "lanyard_radius_cache_answers",
        "Answers FreeRADIUS fetched to keep in memory, by result: kept (an Accept), dropped \
         (no key now: FreeRADIUS forgets it), refused (a malformed key), error",
    ),
    cache_refills: telemetry::metrics::counter(
        "lanyard_radius_cache_refills",
        "Times every cached answer was fetched again because a FreeRADIUS had lost its memory \
         (restarted) or the service started",
    ),
    handshakes: telemetry::metrics::counter(
        "lanyard_radius_handshakes",
        "Access-Requests carrying a WPA2 handshake (message 2), by result: matched (a live key \
         produced its MIC), no_match, refused (bad input, with its reason: truncated frames, \
         wrong key descriptor, absurd lengths…), not_ready (the keys are still being built), \
         error",
    ),
    handshake_search: telemetry::metrics::latency_histogram(
        "lanyard_radius_handshake_search_duration",
        "Time to find the key a handshake was made with among its location's live keys (or to \
         find none), by result: matched, no_match",
    ),
    handshake_keys: telemetry::metrics::meter()
        .u64_gauge("lanyard_radius_handshake_keys")
        .with_description(
            "Handshake keys in memory (one per member × SSID of each location that may admit \
             them); bounded by radius.handshake_max_keys",
        )
        .build(),
    handshake_keys_refused: telemetry::metrics::counter(
        "lanyard_radius_handshake_keys_refused",
        "Members left without a handshake key because radius.handshake_max_keys was reached",
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

/// Counts one Accounting-Request: `status` as `accounting::status` names it, `result` one of
/// stored, refused, unknown_nas, error.
pub fn accounting(status: &'static str, result: &'static str) {
    INSTRUMENTS.accounting.add(
        1,
        &[
            KeyValue::new("status", status),
            KeyValue::new("result", result),
        ],
    );
}

/// Counts one session's Disconnect-Request: `sent` datagrams (tries; 0 when none could leave:
/// the NAS is no longer registered, or the socket failed) and the NAS's answer.
pub fn disconnect(answer: crate::disconnect::packet::Answer, sent: u32) {
    use crate::disconnect::packet::Answer;
    if sent > 0 {
        INSTRUMENTS.disconnects_sent.add(1, &[]);
        INSTRUMENTS.disconnect_retries.add(u64::from(sent - 1), &[]);
    }
    match answer {
        Answer::Acked => INSTRUMENTS.disconnects_acknowledged.add(1, &[]),
        Answer::Nacked { .. } => INSTRUMENTS
            .disconnects_failed
            .add(1, &[KeyValue::new("outcome", "nacked")]),
        Answer::NoAnswer => INSTRUMENTS
            .disconnects_failed
            .add(1, &[KeyValue::new("outcome", "no_answer")]),
    }
}

/// The label (and `radius_disconnects.outcome`) of a disconnect's outcome.
pub fn disconnect_outcome(outcome: domain::events::DisconnectOutcome) -> &'static str {
    use domain::events::DisconnectOutcome;
    match outcome {
        DisconnectOutcome::Acked => "acked",
        DisconnectOutcome::Nacked => "nacked",
        DisconnectOutcome::NoAnswer => "no_answer",
    }
}

/// Counts one CoA-Request of the answer cache: `outcome` acked, nacked or no_answer.
pub fn cache_fetch(outcome: &'static str) {
    INSTRUMENTS
        .cache_fetches
        .add(1, &[KeyValue::new("outcome", outcome)]);
}

/// Counts one answer FreeRADIUS fetched: `result` kept, dropped, refused or error.
pub fn cache_answer(result: &'static str) {
    INSTRUMENTS
        .cache_answers
        .add(1, &[KeyValue::new("result", result)]);
}

/// Counts one full refill of a FreeRADIUS's cached answers.
pub fn cache_refill() {
    INSTRUMENTS.cache_refills.add(1, &[]);
}

/// Counts one handshake request: `result` matched, no_match, refused, not_ready or error;
/// `reason` says why a refused one was (a fixed label from the parsers), else "".
pub fn handshake(result: &'static str, reason: &'static str) {
    INSTRUMENTS.handshakes.add(
        1,
        &[
            KeyValue::new("result", result),
            KeyValue::new("reason", reason),
        ],
    );
}

/// Times one search of a location's keys: `matched` or `no_match`.
pub fn handshake_search(result: &'static str, took: Duration) {
    INSTRUMENTS
        .handshake_search
        .record(took.as_secs_f64(), &[KeyValue::new("result", result)]);
}

/// The handshake keys in memory now, and the members just refused a key for the limit.
pub fn handshake_keys(in_memory: usize, refused: usize) {
    INSTRUMENTS.handshake_keys.record(in_memory as u64, &[]);
    if refused > 0 {
        INSTRUMENTS.handshake_keys_refused.add(refused as u64, &[]);
    }
}
