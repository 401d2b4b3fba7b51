//! `lanyard-chaos --soak MINUTES` (`make soak`): no fault, a moderate steady load for that long,
//! in rounds (each round changes every member's plan once, to the round's own end), while the
//! resident memory and the open file descriptors of every service are sampled. Prints the
//! first, last and peak figures of each service and fails if a webhook was lost, a service
//! stopped, or one kept growing after warming up.

use crate::Sizes;
use crate::load::{self, Load};
use crate::processes::tracing_note;
use crate::system::System;
use std::time::Duration;
use tokio::time::Instant;

/// How often every service is sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(15);
/// Samples before this are the warm-up (pools filling, caches, allocator arenas).
const WARM_UP: Duration = Duration::from_secs(120);
/// Growth allowed between the warmed-up start and the end: the allocator's noise, not a leak.
const RSS_SLACK_KIB: u64 = 4 * 1024;
const RSS_SLACK_SHARE: f64 = 0.10;
const FD_SLACK: u64 = 8;
/// The start and the end of a soak are the floors of this long after the warm-up and before
/// the end.
const FLOOR_WINDOW: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, serde::Serialize)]
struct Sample {
    seconds: f64,
    rss_kib: u64,
    fds: u64,
}

#[derive(Debug, Default, serde::Serialize)]
struct ServiceSamples {
    name: String,
    samples: Vec<Sample>,
}

#[derive(Debug, serde::Serialize)]
struct Verdict {
    name: String,
    rss_mib: [f64; 3],
    fds: [u64; 3],
    flat: bool,
}

impl ServiceSamples {
    /// (start, end, peak) of memory and descriptors, and whether both stayed flat. Start and
    /// end are floors (the least of the first and of the last `FLOOR_WINDOW` after the
    /// warm-up): a periodic sync allocates for a few seconds every 15 minutes, and a sample
    /// that falls on one is a transient, not growth; a leak raises the floor.
    fn verdict(&self) -> Option<Verdict> {
        let warm: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| s.seconds >= WARM_UP.as_secs_f64())
            .collect();
        let (first, last) = (warm.first()?.seconds, warm.last()?.seconds);
        let window = FLOOR_WINDOW.as_secs_f64();
        let floor = |from: f64, to: f64, of: fn(&Sample) -> u64| {
            warm.iter()
                .filter(|s| s.seconds >= from && s.seconds <= to)
                .map(|s| of(s))
                .min()
                .unwrap_or(0)
        };
        let rss = |s: &Sample| s.rss_kib;
        let fds = |s: &Sample| s.fds;
        let (start_rss, end_rss) = (
            floor(first, first + window, rss),
            floor(last - window, last, rss),
        );
        let (start_fds, end_fds) = (
            floor(first, first + window, fds),
            floor(last - window, last, fds),
        );
        let peak_rss = warm.iter().map(|s| s.rss_kib).max().unwrap_or(0);
        let peak_fds = warm.iter().map(|s| s.fds).max().unwrap_or(0);
        let rss_allowed =
            start_rss + RSS_SLACK_KIB.max((start_rss as f64 * RSS_SLACK_SHARE) as u64);
        let mib = |kib: u64| (kib as f64 / 1024.0 * 10.0).round() / 10.0;
        Some(Verdict {
            name: self.name.clone(),
            rss_mib: [mib(start_rss), mib(end_rss), mib(peak_rss)],
            fds: [start_fds, end_fds, peak_fds],
            flat: end_rss <= rss_allowed && end_fds <= start_fds + FD_SLACK,
        })
    }
}

/// Resident memory (KiB) and open descriptors of `pid`, from /proc.
fn sample_of(pid: u32, seconds: f64) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count() as u64;
    Some(Sample {
        seconds,
        rss_kib,
        fds,
    })
}

/// What the log and the streams hold, for sizing: the soak's growth per webhook and per event.
#[derive(Clone, Copy, Debug, serde::Serialize)]
struct Storage {
    events: i64,
    event_table_bytes: i64,
    database_bytes: i64,
    webhook_messages: u64,
    webhook_stream_bytes: u64,
    event_messages: u64,
    event_stream_bytes: u64,
}

async fn storage(system: &System) -> anyhow::Result<Storage> {
    let row = system
        .pool
        .get()
        .await?
        .query_one(
            "SELECT (SELECT count(*) FROM events), pg_total_relation_size('events'),
                    pg_database_size(current_database())",
            &[],
        )
        .await?;
    let ops = system.ops_bus().await?;
    let mut webhooks = ops
        .jetstream()
        .get_stream(crate::system::WEBHOOK_STREAM)
        .await?;
    let mut events = ops.jetstream().get_stream(bus::EVENTS_STREAM).await?;
    let webhooks = webhooks.info().await?.state.clone();
    let events = events.info().await?.state.clone();
    Ok(Storage {
        events: row.get(0),
        event_table_bytes: row.get(1),
        database_bytes: row.get(2),
        webhook_messages: webhooks.messages,
        webhook_stream_bytes: webhooks.bytes,
        event_messages: events.messages,
        event_stream_bytes: events.bytes,
    })
}

/// Bytes each store grew by per accepted webhook and per event over the soak.
fn growth(start: &Storage, end: &Storage, accepted: usize) -> serde_json::Value {
    let per = |bytes: i128, count: i128| if count > 0 { bytes / count } else { 0 };
    let delta = |a: i64, b: i64| i128::from(b) - i128::from(a);
    let udelta = |a: u64, b: u64| i128::from(b) - i128::from(a);
    let events = delta(start.events, end.events);
    let webhooks = accepted as i128;
    let webhook_bytes = udelta(start.webhook_stream_bytes, end.webhook_stream_bytes);
    let webhook_messages = udelta(start.webhook_messages, end.webhook_messages);
    let event_bytes = udelta(start.event_stream_bytes, end.event_stream_bytes);
    let event_messages = udelta(start.event_messages, end.event_messages);
    serde_json::json!({
        "events_per_webhook": events as f64 / (webhooks.max(1)) as f64,
        "event_table_bytes_per_event":
            per(delta(start.event_table_bytes, end.event_table_bytes), events) as i64,
        "database_bytes_per_webhook":
            per(delta(start.database_bytes, end.database_bytes), webhooks) as i64,
        "webhook_stream_bytes_per_message": per(webhook_bytes, webhook_messages) as i64,
        "event_stream_bytes_per_message": per(event_bytes, event_messages) as i64,
    })
}

async fn sample_all(system: &System, started: Instant, into: &mut Vec<ServiceSamples>) {
    let services = system.services.lock().await;
    for service in &services.all {
        let Some(sample) = service
            .pid()
            .and_then(|pid| sample_of(pid, started.elapsed().as_secs_f64()))
        else {
            continue;
        };
        match into.iter_mut().find(|s| s.name == service.name) {
            Some(samples) => samples.samples.push(sample),
            None => into.push(ServiceSamples {
                name: service.name.clone(),
                samples: vec![sample],
            }),
        }
    }
}

/// Runs rounds of load until `minutes` have passed, sampling as it goes; the report.
pub async fn run(
    system: &mut System,
    minutes: u64,
    sizes: Sizes,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let storage_at_start = storage(system).await?;
    let started = Instant::now();
    let until = started + Duration::from_secs(minutes * 60);
    let mut samples: Vec<ServiceSamples> = Vec::new();
    let (mut rounds, mut accepted, mut lost) = (0usize, 0usize, 0usize);
    while Instant::now() < until {
        let load = Load::of(&sizes, 60 + rounds as i64);
        let load::Running {
            deliveries,
            settled,
            stop,
            watcher,
            ..
        } = load::start_watched(system, &load)?;
        let mut settled = Some(settled);
        let mut last_progress = (usize::MAX, Instant::now());
        loop {
            sample_all(system, started, &mut samples).await;
            let pending = load::lock(&deliveries)
                .iter()
                .filter(|d| !d.settled || (d.first_2xx.is_some() && d.applied.is_none()))
                .count();
            if pending == 0 {
                break;
            }
            if pending < last_progress.0 {
                last_progress = (pending, Instant::now());
            } else if last_progress.1.elapsed() > Duration::from_secs(120) {
                break;
            }
            match settled.as_mut() {
                Some(handle) => {
                    if let Ok(done) = tokio::time::timeout(SAMPLE_EVERY, handle).await {
                        done??;
                        // Every delivery answered; the projection may still be catching up.
                        settled = None;
                    }
                }
                None => tokio::time::sleep(SAMPLE_EVERY).await,
            }
        }
        let _ = stop.send(true);
        watcher.await?;
        let outcome = load::outcome(&load::lock(&deliveries), None);
        rounds += 1;
        accepted += outcome.accepted;
        lost += outcome.lost;
        tracing_note(&format!(
            "soak round {rounds}: {} accepted, {} applied, {} lost, p99 freshness {:.0} ms ({:.1} min in)",
            outcome.accepted,
            outcome.applied,
            outcome.lost,
            outcome.p99_freshness_ms,
            started.elapsed().as_secs_f64() / 60.0
        ));
    }
    let restarts = system.services.lock().await.restarts;
    let storage_at_end = storage(system).await?;
    let growth = growth(&storage_at_start, &storage_at_end, accepted);
    println!("soak storage: {storage_at_start:?} → {storage_at_end:?}; growth {growth}");
    report(
        &samples,
        (rounds, accepted, lost, restarts),
        minutes,
        (out, [storage_at_start, storage_at_end], growth),
    )
}

fn report(
    samples: &[ServiceSamples],
    (rounds, accepted, lost, restarts): (usize, usize, usize, u64),
    minutes: u64,
    (out, storage, growth): (Option<&std::path::Path>, [Storage; 2], serde_json::Value),
) -> anyhow::Result<()> {
    let verdicts: Vec<Verdict> = samples.iter().filter_map(ServiceSamples::verdict).collect();
    println!(
        "soak: {minutes} min, {rounds} rounds, {accepted} webhooks accepted, {lost} lost, {restarts} restarts"
    );
    println!(
        "| service | RSS MiB (floor after warm-up → floor of the last 5 min, peak) | open fds (same) | flat |"
    );
    println!("|---|---|---|---|");
    for v in &verdicts {
        println!(
            "| {} | {} → {} ({}) | {} → {} ({}) | {} |",
            v.name,
            v.rss_mib[0],
            v.rss_mib[1],
            v.rss_mib[2],
            v.fds[0],
            v.fds[1],
            v.fds[2],
            if v.flat { "yes" } else { "NO" }
        );
    }
    if let Some(path) = out {
        let report = serde_json::json!({
            "minutes": minutes,
            "rounds": rounds,
            "accepted": accepted,
            "lost": lost,
            "restarts": restarts,
            "verdicts": verdicts,
            "storage": { "start": storage[0], "end": storage[1], "growth": growth },
            "samples": samples,
        });
        crate::report::write_results(path, report)?;
    }
    anyhow::ensure!(lost == 0, "{lost} accepted webhooks never applied");
    anyhow::ensure!(restarts == 0, "services stopped {restarts} times");
    anyhow::ensure!(
        !verdicts.is_empty(),
        "no service was sampled after the warm-up"
    );
    let growing: Vec<&str> = verdicts
        .iter()
        .filter(|v| !v.flat)
        .map(|v| v.name.as_str())
        .collect();
    anyhow::ensure!(growing.is_empty(), "kept growing: {}", growing.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(rss_mib_each_minute: &[u64]) -> ServiceSamples {
        ServiceSamples {
            name: "provision".into(),
            samples: rss_mib_each_minute
                .iter()
                .enumerate()
                .map(|(minute, mib)| Sample {
                    seconds: minute as f64 * 60.0,
                    rss_kib: mib * 1024,
                    fds: 20,
                })
                .collect(),
        }
    }

    #[test]
    fn a_sync_allocating_at_the_last_sample_is_not_growth() {
        let mut minutes = vec![37; 30];
        minutes[15] = 39;
        minutes.push(45);
        let verdict = service(&minutes).verdict().expect("sampled");
        assert!(verdict.flat, "{verdict:?}");
        assert_eq!(verdict.rss_mib, [37.0, 37.0, 45.0]);
    }

    #[test]
    fn a_floor_that_keeps_rising_is_growth() {
        let minutes: Vec<u64> = (0..30).map(|m| 37 + m / 3).collect();
        let verdict = service(&minutes).verdict().expect("sampled");
        assert!(!verdict.flat, "{verdict:?}");
    }
}
