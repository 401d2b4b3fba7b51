//! What ingest must do for every webhook besides the HTTP exchange and the publish, step by
//! step (`crates/bench/src/ingest_work.rs`, which the ingest scenario runs for the bound it
//! prints). docs/performance-history.md ("What the parts' CPU allows") sets this beside the
//! scenario's CPU per request.
//!
//! `cargo run --release -p bench --example ingest_work`

// The ingest scenario's own bodies and steps (one source for both).
#[path = "../src/ingest_bodies.rs"]
mod ingest_bodies;
#[path = "../src/ingest_work.rs"]
mod ingest_work;

const ROUNDS: usize = 200_000;

fn main() -> anyhow::Result<()> {
    let seal = bus::sealing::WebhookSeal::from_hex(ingest_bodies::SEAL_KEY)?;
    let bodies: Vec<String> = (0..1_000)
        .map(|n| optix::webhook::encode_form(&ingest_bodies::webhook("member_updated", n)))
        .collect();
    let times = ingest_work::time_steps(&seal, &bodies, ROUNDS)?;
    println!("{ROUNDS} webhooks of {} bytes", bodies[0].len());
    for (step, us) in ingest_work::STEPS.iter().zip(times.per_step_us) {
        println!("{step:>40}: {us:.2} µs");
    }
    println!("{:>40}: {:.2} µs", "in all", times.total_us());
    Ok(())
}
