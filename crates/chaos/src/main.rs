//! `lanyard-chaos`: the chaos suite. The stack on loopback (two ingest, two provision, one
//! portal, NATS, PostgreSQL with fsync on, the Optix simulator delivering signed webhooks at a
//! steady rate over both ingest instances with Optix's retry policy), then one fault per
//! scenario under that load, the killed process started again as a supervisor would, and the
//! checks: every webhook answered 2xx shows in the projections (per delivery), the relay
//! published every committed event once and in log order, no change was recorded twice, the
//! projections equal a replay from scratch, Optix never answered 429. A scenario that loses or
//! duplicates anything fails (and so does the run).
//!
//! Run it with `scripts/chaos.sh` (`make chaos`; `--smoke` is the short form `make test` runs):
//! it needs `scripts/infra.sh`'s environment (DATABASE_URL, PG_DATA, nats-server) and the
//! service binaries next to this one.

mod checks;
mod faults;
mod load;
mod processes;
mod report;
mod soak;
mod system;

use clap::Parser;
use faults::{Fault, Holds};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "lanyard-chaos",
    about = "Faults under load; nothing lost, nothing twice"
)]
struct Args {
    /// The scenarios to run (default: all): ingest-kill, provision-kill, relay-kill,
    /// nats-kill, nats-leader-kill, nats-stop, postgres-restart, postgres-kill, optix-5xx.
    scenarios: Vec<String>,
    /// The short form (`make test`): provision-kill and nats-kill unless scenarios are named,
    /// 20 webhooks/s for 6 s each, holds of 3 s.
    #[arg(long)]
    smoke: bool,
    /// Webhooks per second (full: 300).
    #[arg(long)]
    rate: Option<f64>,
    /// Seconds of load per scenario (full: 60).
    #[arg(long)]
    seconds: Option<u64>,
    /// Organizations sharing the load, each with its own Optix budget (full: 6).
    #[arg(long)]
    orgs: Option<usize>,
    /// Write the results as JSON here (e.g. chaos/results/2026-12-01T10-00-00Z.json).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// No fault: a steady load for this many minutes (rounds of --seconds, default 60, at
    /// --rate, default 20/s), every service's memory and open descriptors sampled (`make soak`:
    /// 30).
    #[arg(long, value_name = "MINUTES")]
    soak: Option<u64>,
}

/// The sizes of a run.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Sizes {
    pub rate: f64,
    pub seconds: u64,
    pub orgs: usize,
    /// Into the load when the fault strikes.
    #[serde(skip)]
    pub fault_after: Duration,
    #[serde(skip)]
    pub holds: Holds,
    /// Optix waits this long between attempts (10 minutes for real: compressed here).
    #[serde(skip)]
    pub retry_interval: Duration,
    pub max_retries: u32,
}

impl Sizes {
    fn of(args: &Args) -> Sizes {
        let (rate, seconds, orgs, holds) = if args.soak.is_some() {
            (20.0, 60, 2, Holds::default())
        } else if args.smoke {
            let short = Duration::from_secs(3);
            (
                20.0,
                6,
                2,
                Holds {
                    restart_after: Duration::from_secs(1),
                    partition: short,
                    outage: short,
                },
            )
        } else {
            let holds = Holds {
                restart_after: Duration::from_secs(1),
                partition: Duration::from_secs(20),
                outage: Duration::from_secs(30),
            };
            (300.0, 60, 6, holds)
        };
        let seconds = args.seconds.unwrap_or(seconds);
        Sizes {
            rate: args.rate.unwrap_or(rate),
            seconds,
            orgs: args.orgs.unwrap_or(orgs),
            fault_after: Duration::from_secs(seconds / 4).max(Duration::from_secs(1)),
            holds,
            retry_interval: Duration::from_secs(if args.smoke { 1 } else { 5 }),
            max_retries: 10,
        }
    }

    fn webhooks(&self) -> usize {
        (self.rate * self.seconds as f64).round() as usize
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sizes = Sizes::of(&args);
    if let Some(minutes) = args.soak {
        processes::tracing_note(&format!(
            "soak: {minutes} min at {} webhooks/s over {} organizations",
            sizes.rate, sizes.orgs
        ));
        let mut system = system::System::start(sizes.orgs, sizes.webhooks()).await?;
        return soak::run(&mut system, minutes, sizes, args.out.as_deref()).await;
    }
    let faults = chosen(&args)?;
    processes::tracing_note(&format!(
        "{} scenario(s), {} webhooks/s for {} s each over {} organizations",
        faults.len(),
        sizes.rate,
        sizes.seconds,
        sizes.orgs
    ));
    let mut system = system::System::start(sizes.orgs, sizes.webhooks()).await?;
    processes::tracing_note(&format!("services' logs under {}", system.dir().display()));
    let mut relay = checks::RelayReader::default();
    let mut results = Vec::new();
    for (index, fault) in faults.into_iter().enumerate() {
        processes::tracing_note(&format!("scenario {} …", fault.name()));
        let result = report::run_scenario(&mut system, fault, index, sizes, &mut relay).await;
        let result = result.unwrap_or_else(|e| report::Scenario::failed(fault, &e));
        processes::tracing_note(&format!("{}: {}", fault.name(), result.verdict()));
        results.push(result);
    }
    report::print_and_write(&results, sizes, args.out.as_deref())
}

fn chosen(args: &Args) -> anyhow::Result<Vec<Fault>> {
    if args.scenarios.is_empty() {
        return Ok(if args.smoke {
            vec![Fault::ProvisionKill, Fault::NatsKill]
        } else {
            faults::ALL.to_vec()
        });
    }
    args.scenarios
        .iter()
        .map(|name| {
            Fault::parse(name).ok_or_else(|| {
                let known: Vec<&str> = faults::ALL.iter().map(|f| f.name()).collect();
                anyhow::anyhow!("unknown scenario {name}; known: {}", known.join(", "))
            })
        })
        .collect()
}
