//! The controllers service's metrics. Labels are small fixed sets (vendor, trigger, outcome,
//! change); never an organization, a location or a key.

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram};
use std::sync::LazyLock;
use std::time::Duration;

struct ControllerMetrics {
    reconciliations: Counter<u64>,
    changes: Counter<u64>,
    drift: Counter<u64>,
    duration: Histogram<f64>,
}

static INSTRUMENTS: LazyLock<ControllerMetrics> = LazyLock::new(|| ControllerMetrics {
    reconciliations: telemetry::metrics::counter(
        "lanyard_controller_reconciliations",
        "Reconciliations of a location with its controller, by vendor, trigger (event, \
         periodic, manual) and outcome (ok, failed, over_limit)",
    ),
    changes: telemetry::metrics::counter(
        "lanyard_controller_key_changes",
        "Keys created, updated and deleted at controllers, by vendor and change",
    ),
    drift: telemetry::metrics::counter(
        "lanyard_controller_drift_corrected",
        "Keys changed behind Lanyard's back and put right by a reconciliation, by vendor",
    ),
    duration: telemetry::metrics::latency_histogram(
        "lanyard_controller_reconciliation_duration",
        "Time to reconcile a location with its controller, by vendor and outcome",
    ),
});

/// Registers the instruments, so `/metrics` lists them before the first reconciliation.
pub fn init() {
    LazyLock::force(&INSTRUMENTS);
}

/// Counts one reconciliation and its changes.
pub fn reconciliation(
    vendor: &'static str,
    trigger: &'static str,
    outcome: &'static str,
    (created, updated, deleted, drift): (usize, usize, usize, usize),
    took: Duration,
) {
    let labels = [
        KeyValue::new("vendor", vendor),
        KeyValue::new("trigger", trigger),
        KeyValue::new("result", outcome),
    ];
    INSTRUMENTS.reconciliations.add(1, &labels);
    INSTRUMENTS.duration.record(
        took.as_secs_f64(),
        &[
            KeyValue::new("vendor", vendor),
            KeyValue::new("result", outcome),
        ],
    );
    for (change, count) in [
        ("created", created),
        ("updated", updated),
        ("deleted", deleted),
    ] {
        INSTRUMENTS.changes.add(
            count as u64,
            &[
                KeyValue::new("vendor", vendor),
                KeyValue::new("change", change),
            ],
        );
    }
    INSTRUMENTS
        .drift
        .add(drift as u64, &[KeyValue::new("vendor", vendor)]);
}
