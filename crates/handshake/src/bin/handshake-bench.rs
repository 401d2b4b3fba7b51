//! `handshake-bench [--keys 1000,10000,50000] [--requests 400] [--seconds 2]`: the matcher's
//! benchmark (`handshake::benchmark`) as a table. `make bench` runs the same measurement as
//! lanyard-bench's `handshake` scenario. Build it with `--release`.

use handshake::benchmark::{self, Options};

fn options() -> Result<Options, String> {
    let mut options = Options {
        keys: vec![1_000, 10_000, 50_000],
        requests: 400,
        seconds: 2.0,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let bad = || format!("{flag}: {value:?} is not a number");
        match flag.as_str() {
            "--keys" => {
                options.keys = value
                    .split(',')
                    .map(|n| n.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad())?;
            }
            "--requests" => options.requests = value.parse().map_err(|_| bad())?,
            "--seconds" => options.seconds = value.parse().map_err(|_| bad())?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(options)
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("handshake-bench: {message}");
            std::process::exit(2);
        }
    };
    println!(
        "load average before: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let (machine, sizes) = benchmark::run(&options);
    let threads = machine.threads;
    println!(
        "threads: {threads} (rayon), sha-ni: {}; SHA-1 (sha1 crate): {:.1} M blocks/s in \
         1024-block calls, {:.1} M in 1-block calls",
        machine.sha_ni,
        machine.blocks_per_sec_bulk / 1e6,
        machine.blocks_per_sec_single / 1e6
    );
    println!(
        "  keys | checks/s ({threads} thr) | ceiling | % | checks/s (1 thr) | ceiling | % \
         | p50 ms | p99 ms | max ms | PSK-SHA256 checks/s ({threads} thr) | wrong"
    );
    for size in &sizes {
        println!(
            "{:>6} | {:>8.2} M | {:>5.2} M | {:>3.0} | {:>8.2} M | {:>5.2} M | {:>3.0} \
             | {:>6.3} | {:>6.3} | {:>6.3} | {:>5.2} M | {}",
            size.keys,
            size.checks_per_sec / 1e6,
            size.ceiling_per_sec / 1e6,
            100.0 * size.checks_per_sec / size.ceiling_per_sec,
            size.checks_per_sec_one_thread / 1e6,
            size.ceiling_per_sec_one_thread / 1e6,
            100.0 * size.checks_per_sec_one_thread / size.ceiling_per_sec_one_thread,
            size.p50_ms,
            size.p99_ms,
            size.max_ms,
            size.sha256_checks_per_sec / 1e6,
            size.wrong,
        );
    }
    if sizes.iter().any(|size| size.wrong > 0) {
        std::process::exit(1);
    }
}
