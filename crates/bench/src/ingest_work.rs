//! What ingest must do for every webhook besides the HTTP exchange and the publish, timed on
//! one thread with no I/O: read the form (its envelope, as provision will read it whole), take
//! the envelope, check the HMAC-SHA256 signature, name the subject, seal the body
//! (XChaCha20-Poly1305) and derive the delivery id — the steps
//! of `ingest::accept` and `ingest::publish`, through the same functions, on the bodies the
//! ingest scenario posts. The ingest scenario adds them to its two parts' CPU for the bound it
//! prints; `cargo run --release -p bench --example ingest_work` prints them one by one.
//!
//! On one warm thread, with nothing else to do, the steps cost no more than inside a request:
//! a bound computed with them can only be too generous.

use crate::ingest_bodies::SECRET;
use std::time::{Duration, Instant};

/// The steps, in the order a webhook takes them.
pub const STEPS: [&str; 6] = [
    "read the form",
    "take the envelope",
    "check the signature",
    "name the subject",
    "seal the body",
    "derive the delivery id",
];

/// Microseconds a webhook spent in each of [`STEPS`].
pub struct StepTimes {
    pub per_step_us: [f64; STEPS.len()],
}

impl StepTimes {
    pub fn total_us(&self) -> f64 {
        self.per_step_us.iter().sum()
    }
}

/// Takes `rounds` webhooks (the `bodies` in turn, form-encoded as the scenario posts them)
/// through the steps; answers each step's time a webhook.
pub fn time_steps(
    seal: &bus::sealing::WebhookSeal,
    bodies: &[String],
    rounds: usize,
) -> anyhow::Result<StepTimes> {
    anyhow::ensure!(!bodies.is_empty(), "no bodies to time the steps on");
    let mut spent = [Duration::ZERO; STEPS.len()];
    for round in 0..rounds {
        let body = bodies[round % bodies.len()].as_bytes();
        let mut marks = [Instant::now(); STEPS.len() + 1];
        let form = optix::webhook::parse_form_envelope(body)?;
        marks[1] = Instant::now();
        let envelope = form.envelope()?;
        marks[2] = Instant::now();
        let signed = optix::signature::verify_signature(
            &envelope.client_id,
            SECRET,
            &envelope.created_timestamp_raw,
            &envelope.request_signature,
        );
        anyhow::ensure!(signed, "the bench's signature does not verify");
        marks[3] = Instant::now();
        let subject = bus::webhook_subject(&envelope.organization_id, &envelope.event);
        marks[4] = Instant::now();
        let sealed = seal.seal(&subject, body);
        marks[5] = Instant::now();
        let delivery_id = seal.delivery_id(&subject, body);
        marks[6] = Instant::now();
        // Kept from the optimizer, so that none of the work can be left out.
        std::hint::black_box((sealed, delivery_id));
        for (step, pair) in marks.windows(2).enumerate() {
            spent[step] += pair[1] - pair[0];
        }
    }
    let per_webhook = |spent: Duration| spent.as_secs_f64() * 1e6 / rounds.max(1) as f64;
    Ok(StepTimes {
        per_step_us: spent.map(per_webhook),
    })
}
