//! What ingest must do for every webhook besides the HTTP exchange and the publish, timed on
//! one thread with no I/O: read the form, take the envelope, check the HMAC-SHA256 signature,
//! serialize the fields, seal them (XChaCha20-Poly1305) and derive the delivery id — the steps
//! of `ingest::accept` and `ingest::publish`, through the same functions, on the bodies the
//! ingest scenario posts. docs/performance.md ("Ingest: what the parts' CPU allows") sets this
//! beside the scenario's CPU per request.
//!
//! `cargo run --release -p bench --example ingest_work`

use std::time::{Duration, Instant};

// The ingest scenario's own bodies (one source for both).
#[path = "../src/ingest_bodies.rs"]
mod ingest_bodies;

const ROUNDS: usize = 200_000;

fn main() -> anyhow::Result<()> {
    let seal = bus::sealing::WebhookSeal::from_hex(ingest_bodies::SEAL_KEY)?;
    let bodies: Vec<String> = (0..1_000)
        .map(|n| optix::webhook::encode_form(&ingest_bodies::webhook("member_updated", n)))
        .collect();
    let steps = [
        "read the form",
        "take the envelope",
        "check the signature",
        "serialize the fields, name the subject",
        "seal the fields",
        "derive the delivery id",
    ];
    let mut spent = [Duration::ZERO; 6];
    let mut kept = 0usize;
    for round in 0..ROUNDS {
        let body = bodies[round % bodies.len()].as_bytes();
        let mut marks = [Instant::now(); 7];
        let fields = optix::webhook::parse_form(body)?;
        marks[1] = Instant::now();
        let envelope = optix::webhook::Envelope::from_fields(&fields)?;
        marks[2] = Instant::now();
        let signed = optix::signature::verify_signature(
            &envelope.client_id,
            ingest_bodies::SECRET,
            &envelope.created_timestamp_raw,
            &envelope.request_signature,
        );
        anyhow::ensure!(signed, "the bench's signature does not verify");
        marks[3] = Instant::now();
        let json = serde_json::to_vec(&fields)?;
        let subject = bus::webhook_subject(&envelope.organization_id, &envelope.event);
        marks[4] = Instant::now();
        let sealed = seal.seal(&subject, &json);
        marks[5] = Instant::now();
        let delivery_id = seal.delivery_id(&subject, body);
        marks[6] = Instant::now();
        kept += sealed.len() + delivery_id.len();
        for (step, pair) in marks.windows(2).enumerate() {
            spent[step] += pair[1] - pair[0];
        }
    }
    println!("{ROUNDS} webhooks of {} bytes", bodies[0].len());
    let per_webhook = |spent: Duration| spent.as_secs_f64() * 1e6 / ROUNDS as f64;
    for (step, spent) in steps.iter().zip(spent) {
        println!("{step:>40}: {:.2} µs", per_webhook(spent));
    }
    let total = spent.iter().sum::<Duration>();
    println!(
        "{:>40}: {:.2} µs ({kept} bytes kept)",
        "in all",
        per_webhook(total)
    );
    Ok(())
}
