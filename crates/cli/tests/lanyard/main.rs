//! The `lanyard` binary as operators and scripts run it, one test binary.

mod optix_manifest;
mod shape;
mod validation;

use std::process::Command;

/// `lanyard` with `args`, without a configuration from the environment.
fn lanyard(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .args(args)
        .env_remove("LANYARD_CONFIG")
        .output()
        .expect("running lanyard")
}
