//! The faults, one per scenario: what each does to the stack and how it is undone (the
//! supervisor loop in `main` starts a killed service again; the rest is undone here).

use crate::processes::{signal, tracing_note, wait_gone};
use crate::system::System;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// kill -9 of one ingest instance (the other keeps answering).
    IngestKill,
    /// kill -9 of one provision instance while it works through batches.
    ProvisionKill,
    /// kill -9 of the instance running the relay (the one holding the leader lease).
    RelayKill,
    /// kill -9 of a NATS node that leads no webhook stream (a follower).
    NatsKill,
    /// kill -9 of the node leading the webhook stream.
    NatsLeaderKill,
    /// SIGSTOP of the node leading the webhook stream (a partition: connections stay open,
    /// nothing answers), SIGCONT after the hold.
    NatsStop,
    /// `pg_ctl restart -m fast`.
    PostgresRestart,
    /// kill -9 of the postmaster, then a start (crash recovery from the WAL).
    PostgresKill,
    /// The Optix API answers 503 to everything for the hold.
    OptixOutage,
}

pub const ALL: [Fault; 9] = [
    Fault::IngestKill,
    Fault::ProvisionKill,
    Fault::RelayKill,
    Fault::NatsKill,
    Fault::NatsLeaderKill,
    Fault::NatsStop,
    Fault::PostgresRestart,
    Fault::PostgresKill,
    Fault::OptixOutage,
];

/// How long the faults that last last.
#[derive(Clone, Copy, Debug, Default)]
pub struct Holds {
    /// A supervisor's delay before it starts a killed process again.
    pub restart_after: Duration,
    /// SIGSTOP → SIGCONT (20 s in the full run).
    pub partition: Duration,
    /// Optix answering 5xx (30 s in the full run).
    pub outage: Duration,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::IngestKill => "ingest-kill",
            Fault::ProvisionKill => "provision-kill",
            Fault::RelayKill => "relay-kill",
            Fault::NatsKill => "nats-kill",
            Fault::NatsLeaderKill => "nats-leader-kill",
            Fault::NatsStop => "nats-stop",
            Fault::PostgresRestart => "postgres-restart",
            Fault::PostgresKill => "postgres-kill",
            Fault::OptixOutage => "optix-5xx",
        }
    }

    pub fn parse(name: &str) -> Option<Fault> {
        ALL.into_iter().find(|f| f.name() == name)
    }

    /// Strikes, and returns once what this fault undoes itself is undone (a killed service
    /// is left to the supervisor).
    pub async fn strike(self, system: &mut System, holds: Holds) -> anyhow::Result<()> {
        match self {
            Fault::IngestKill => kill_service(system, "ingest-a").await,
            Fault::ProvisionKill => kill_service(system, "provision-b").await,
            Fault::RelayKill => {
                let leader = relay_leader(system).await?;
                kill_service(system, &leader).await
            }
            Fault::NatsKill | Fault::NatsLeaderKill => {
                let (leader, follower) = system.nats_leader_and_follower().await?;
                let node = if self == Fault::NatsKill {
                    follower
                } else {
                    leader
                };
                let pid = system.nats_pid(node)?;
                tracing_note(&format!(
                    "kill -9 NATS node {node} (pid {pid}; stream leader: node {leader})"
                ));
                signal(pid, libc::SIGKILL)?;
                wait_gone(pid, Duration::from_secs(10)).await?;
                tokio::time::sleep(holds.restart_after).await;
                system.nats.restart(node).await.map_err(anyhow::Error::msg)
            }
            Fault::NatsStop => {
                let (leader, _) = system.nats_leader_and_follower().await?;
                let pid = system.nats_pid(leader)?;
                tracing_note(&format!(
                    "SIGSTOP NATS node {leader}, the stream leader (pid {pid})"
                ));
                signal(pid, libc::SIGSTOP)?;
                tokio::time::sleep(holds.partition).await;
                signal(pid, libc::SIGCONT)
            }
            Fault::PostgresRestart => {
                tokio::task::block_in_place(|| system.postgres.restart_fast())
            }
            Fault::PostgresKill => {
                system.postgres.kill_postmaster().await?;
                tokio::time::sleep(holds.restart_after).await;
                system.postgres.start_after_crash().await
            }
            Fault::OptixOutage => {
                system.sim.sim.fail_next_requests(u32::MAX);
                tokio::time::sleep(holds.outage).await;
                system.sim.sim.fail_next_requests(0);
                Ok(())
            }
        }
    }
}

async fn kill_service(system: &System, name: &str) -> anyhow::Result<()> {
    let mut services = system.services.lock().await;
    let service = services.named(name)?;
    tracing_note(&format!("kill -9 {name} (pid {:?})", service.pid()));
    service.kill_hard()
}

/// The provision instance that last became the leader (it runs the relay until it dies).
async fn relay_leader(system: &System) -> anyhow::Result<String> {
    let services = system.services.lock().await;
    services
        .all
        .iter()
        .filter(|s| s.name.starts_with("provision"))
        .filter_map(|s| {
            Some((
                s.last_logged("this instance is now the leader")?,
                s.name.clone(),
            ))
        })
        .max()
        .map(|(_, name)| name)
        .ok_or_else(|| anyhow::anyhow!("no provision instance said it leads"))
}
