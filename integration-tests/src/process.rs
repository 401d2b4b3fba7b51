//! Service binaries run as child processes (the benchmarks' memory scenario, the chaos suite).

use std::path::Path;

/// The error for a child process `name` that exited with `status`: what it says, with the last
/// lines of its log at `log`.
pub fn exited(name: &str, status: std::process::ExitStatus, log: &Path) -> anyhow::Error {
    let log = std::fs::read_to_string(log).unwrap_or_default();
    let tail: Vec<&str> = log.lines().rev().take(15).collect();
    anyhow::anyhow!(
        "{name} exited ({status}); last log lines:\n{}",
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    )
}
