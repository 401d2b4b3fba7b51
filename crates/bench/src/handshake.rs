//! The handshake matcher (issue 17): candidate checks per second and the time to a match (or a
//! reject) at 1,000, 10,000 and 50,000 live keys of one location and SSID, beside the ceiling
//! measured in the same run: this machine's SHA-1 compressions per second (the `sha1` crate, on
//! the same threads) divided by the compressions one check needs. `handshake::benchmark` does
//! the measuring; `handshake-bench` prints the same as a wider table.

use crate::stats::Row;
use handshake::benchmark::{self, Options};
use serde::Serialize;

/// rlm_dpsk's documented rate: the target is ten times it.
const RLM_DPSK_CHECKS_PER_SEC: f64 = 100_000.0;

#[derive(Serialize)]
pub struct HandshakeFigures {
    pub threads: usize,
    pub sha_ni: bool,
    pub sizes: Vec<SizeFigures>,
}

#[derive(Serialize)]
pub struct SizeFigures {
    pub keys: usize,
    pub checks_per_sec: f64,
    pub ceiling_checks_per_sec: f64,
    pub checks_per_sec_one_thread: f64,
    pub ceiling_one_thread: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub psk_sha256_checks_per_sec: f64,
    pub blocks_per_check: usize,
}

pub async fn run(smoke: bool) -> anyhow::Result<HandshakeFigures> {
    let options = if smoke {
        Options {
            keys: vec![600],
            requests: 20,
            seconds: 0.05,
        }
    } else {
        Options {
            keys: vec![1_000, 10_000, 50_000],
            requests: 400,
            seconds: 2.0,
        }
    };
    let (machine, sizes) = tokio::task::spawn_blocking(move || benchmark::run(&options)).await?;
    if let Some(size) = sizes.iter().find(|size| size.wrong > 0) {
        anyhow::bail!(
            "{} of the requests at {} keys found the wrong key",
            size.wrong,
            size.keys
        );
    }
    Ok(HandshakeFigures {
        threads: machine.threads,
        sha_ni: machine.sha_ni,
        sizes: sizes
            .into_iter()
            .map(|size| SizeFigures {
                keys: size.keys,
                checks_per_sec: size.checks_per_sec,
                ceiling_checks_per_sec: size.ceiling_per_sec,
                checks_per_sec_one_thread: size.checks_per_sec_one_thread,
                ceiling_one_thread: size.ceiling_per_sec_one_thread,
                p50_ms: size.p50_ms,
                p99_ms: size.p99_ms,
                max_ms: size.max_ms,
                psk_sha256_checks_per_sec: size.sha256_checks_per_sec,
                blocks_per_check: size.blocks_per_check,
            })
            .collect(),
    })
}

impl HandshakeFigures {
    pub fn rows(&self) -> Vec<Row> {
        self.sizes
            .iter()
            .map(|size| Row {
                what: format!(
                    "handshake match among {} keys ({} threads)",
                    size.keys, self.threads
                ),
                figure: format!(
                    "{:.2} M checks/s ({:.0} % of the ceiling, {:.0}× rlm_dpsk), p50 {:.2} ms, \
                     p99 {:.2} ms",
                    size.checks_per_sec / 1e6,
                    100.0 * size.checks_per_sec / size.ceiling_checks_per_sec,
                    size.checks_per_sec / RLM_DPSK_CHECKS_PER_SEC,
                    size.p50_ms,
                    size.p99_ms
                ),
                ceiling: format!(
                    "{:.2} M checks/s (SHA-1 {:.1} M blocks/s ÷ {})",
                    size.ceiling_checks_per_sec / 1e6,
                    size.ceiling_checks_per_sec * size.blocks_per_check as f64 / 1e6,
                    size.blocks_per_check
                ),
                target: if size.keys == 10_000 {
                    "≥ 1 M checks/s, ≥ 50 % of the ceiling, p99 < 10 ms".into()
                } else {
                    "≥ 1 M checks/s, ≥ 50 % of the ceiling".into()
                },
                met: Some(
                    size.checks_per_sec >= 1e6
                        && size.checks_per_sec >= 0.5 * size.ceiling_checks_per_sec
                        && (size.keys != 10_000 || size.p99_ms < 10.0),
                ),
            })
            .collect()
    }
}
