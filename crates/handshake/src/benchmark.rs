//! The matcher's benchmark (issue 17): candidate checks per second and the time to a match or a
//! reject among live keys, beside the physical ceiling measured in the same run (SHA-1
//! compressions per second of the same crate, on the same threads, divided by the compressions
//! one check needs). Run by `handshake-bench` and by `make bench` (lanyard-bench's `handshake`
//! scenario); build with `--release`, a debug build measures the debug build.

use crate::attributes::Handshake;
use crate::keys::prf;
use crate::{Challenge, KeySet};
use rayon::prelude::*;
use sha1::block_api::compress;
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Clone, Debug)]
pub struct Options {
    /// The key-set sizes.
    pub keys: Vec<usize>,
    /// Timed requests per size.
    pub requests: usize,
    /// Seconds per throughput measurement.
    pub seconds: f64,
}

/// The machine's SHA-1 rates (compressions per second on every rayon thread).
#[derive(Clone, Debug)]
pub struct Machine {
    pub threads: usize,
    pub sha_ni: bool,
    pub blocks_per_sec_bulk: f64,
    pub blocks_per_sec_single: f64,
}

/// One key-set size's figures.
#[derive(Clone, Debug)]
pub struct SizeFigures {
    pub keys: usize,
    /// Full scans that reject, on every rayon thread / on one.
    pub checks_per_sec: f64,
    pub ceiling_per_sec: f64,
    pub checks_per_sec_one_thread: f64,
    pub ceiling_per_sec_one_thread: f64,
    /// Time to a match (or a reject, one request in ten): parse, prepare, search.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub sha256_checks_per_sec: f64,
    /// Requests answered wrongly (must be 0).
    pub wrong: usize,
    /// SHA-1 compressions one check needs (the ceiling is the compression rate over this).
    pub blocks_per_check: usize,
}

/// The machine's rates, then every size of `options`.
pub fn run(options: &Options) -> (Machine, Vec<SizeFigures>) {
    let threads = rayon::current_num_threads();
    let machine = Machine {
        threads,
        sha_ni: sha_ni(),
        blocks_per_sec_bulk: compress_rate(1024, threads, options.seconds / 2.0),
        blocks_per_sec_single: compress_rate(1, threads, options.seconds / 2.0),
    };
    let mut rng = Rng(0x5eed_1a2d);
    let sizes = options
        .keys
        .iter()
        .filter_map(|&size| scenario(&mut rng, size, options))
        .collect();
    (machine, sizes)
}

#[cfg(target_arch = "x86_64")]
fn sha_ni() -> bool {
    std::is_x86_feature_detected!("sha")
}

#[cfg(not(target_arch = "x86_64"))]
fn sha_ni() -> bool {
    false
}

/// xorshift64*: reproducible inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next().to_be_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A message 2 for `pmk`, MIC'd with the plain PRF and the `hmac` crate's HMAC (not the fast
/// path the matcher uses).
fn message2(rng: &mut Rng, pmk: &[u8; 32]) -> Handshake {
    let (aa, spa) = (rng.bytes::<6>(), rng.bytes::<6>());
    let (anonce, snonce) = (rng.bytes::<32>(), rng.bytes::<32>());
    let rsne = hex_rsne();
    let mut frame = vec![1, 3, 0, (95 + rsne.len()) as u8, 2, 0x01, 0x0a, 0, 0];
    frame.extend_from_slice(&1u64.to_be_bytes());
    frame.extend_from_slice(&snonce);
    frame.extend_from_slice(&[0u8; 48]);
    frame.extend_from_slice(&(rsne.len() as u16).to_be_bytes());
    frame.extend_from_slice(&rsne);
    let mut data = Vec::new();
    let (low, high) = if aa <= spa { (aa, spa) } else { (spa, aa) };
    data.extend_from_slice(&low);
    data.extend_from_slice(&high);
    let (low, high) = if anonce <= snonce {
        (anonce, snonce)
    } else {
        (snonce, anonce)
    };
    data.extend_from_slice(&low);
    data.extend_from_slice(&high);
    let kck = prf(pmk, b"Pairwise key expansion", &data, 384);
    let mic = prf_free_hmac(&kck[..16], &frame);
    frame[81..97].copy_from_slice(&mic[..16]);
    Handshake {
        aa,
        spa,
        anonce,
        frame,
        ssid: None,
        akm: None,
    }
}

fn hex_rsne() -> Vec<u8> {
    vec![
        0x30, 0x14, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 2, 0, 0,
    ]
}

/// HMAC-SHA1 through the `hmac` crate (via pbkdf2's re-export).
fn prf_free_hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    use pbkdf2::hmac::{Hmac, KeyInit, Mac};
    match Hmac::<sha1::Sha1>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// SHA-1 compressions per second on every rayon thread: `batch` blocks per call (1 = the
/// matcher's call pattern, large = the crate's best case).
fn compress_rate(batch: usize, threads: usize, seconds: f64) -> f64 {
    let blocks = vec![[0x5au8; 64]; batch];
    let started = Instant::now();
    let done: u64 = (0..threads)
        .into_par_iter()
        .map(|thread| {
            let mut state = crate::sha1x::H0;
            state[0] ^= thread as u32;
            let mut count = 0u64;
            let begun = Instant::now();
            while begun.elapsed().as_secs_f64() < seconds {
                for _ in 0..(4096 / batch).max(1) {
                    compress(&mut state, &blocks);
                    count += batch as u64;
                }
            }
            std::hint::black_box(state);
            count
        })
        .sum();
    done as f64 / started.elapsed().as_secs_f64()
}

/// One key-set size: a key set, then throughput (full scans that reject) beside the ceiling
/// measured just before on the same threads, and latency (requests whose key sits at a random
/// place, one in ten with no key at all).
fn scenario(rng: &mut Rng, size: usize, options: &Options) -> Option<SizeFigures> {
    let mut keys = KeySet::new();
    let mut pmks = Vec::with_capacity(size);
    for id in 0..size {
        let pmk = rng.bytes::<32>();
        keys.insert(id, &pmk);
        pmks.push(pmk);
    }
    let unknown = rng.bytes::<32>();
    let stranger = message2(rng, &unknown);
    let reject = Challenge::new(&stranger).ok()?;
    let per_check = reject.blocks_per_check() as f64;
    let threads = rayon::current_num_threads();
    let half = options.seconds / 2.0;
    let all_ceiling = compress_rate(1024, threads, half) / per_check;
    let parallel = throughput(&keys, &reject, options.seconds, true);
    let one_ceiling = compress_rate(1024, 1, half) / per_check;
    let sequential = throughput(&keys, &reject, half, false);
    // PSK-SHA256 (HMAC-SHA256 KDF, AES-CMAC MIC): the same frame as key descriptor version 3;
    // a full scan that rejects costs what a search does.
    let mut cmac_frame = stranger.clone();
    cmac_frame.frame[6] = 0x0b;
    let sha256 = Challenge::new(&cmac_frame)
        .map(|challenge| throughput(&keys, &challenge, half, true))
        .unwrap_or_default();
    let (mut times, wrong) = latencies(rng, &keys, &pmks, options.requests);
    times.sort();
    let pct = |p: f64| millis(times[((times.len() as f64 - 1.0) * p) as usize]);
    Some(SizeFigures {
        keys: size,
        checks_per_sec: parallel,
        ceiling_per_sec: all_ceiling,
        checks_per_sec_one_thread: sequential,
        ceiling_per_sec_one_thread: one_ceiling,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
        sha256_checks_per_sec: sha256,
        wrong,
        blocks_per_check: reject.blocks_per_check(),
    })
}

/// Checks per second over full scans that find nothing.
fn throughput(keys: &KeySet<usize>, challenge: &Challenge, seconds: f64, parallel: bool) -> f64 {
    let started = Instant::now();
    let mut scans = 0u64;
    while started.elapsed().as_secs_f64() < seconds || scans == 0 {
        let found = if parallel {
            keys.find(challenge)
        } else {
            keys.find_sequential(challenge)
        };
        std::hint::black_box(found);
        scans += 1;
    }
    (scans * keys.len() as u64) as f64 / started.elapsed().as_secs_f64()
}

/// Per request: parse, prepare, search; the key at a random place or (1 in 10) absent. The
/// times, and how many requests found the wrong key (or none where there was one).
fn latencies(
    rng: &mut Rng,
    keys: &KeySet<usize>,
    pmks: &[[u8; 32]],
    n: usize,
) -> (Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(n);
    let mut wrong = 0;
    for request in 0..n.max(1) {
        let owner = rng.below(pmks.len());
        let absent = request % 10 == 9;
        let pmk = if absent {
            rng.bytes::<32>()
        } else {
            pmks[owner]
        };
        let handshake = message2(rng, &pmk);
        let started = Instant::now();
        let found = Challenge::new(&handshake)
            .ok()
            .and_then(|challenge| keys.find(&challenge).copied());
        times.push(started.elapsed());
        let expected = (!absent).then_some(owner);
        if found != expected {
            wrong += 1;
        }
    }
    (times, wrong)
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
