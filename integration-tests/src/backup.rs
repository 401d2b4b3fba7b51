//! Runs `scripts/backup.sh` and `scripts/restore.sh` as an operator would: the real scripts,
//! the real `lanyard` binary (`cargo build -p cli --bins`, which `make test` does first) and
//! PostgreSQL's own pg_dump and pg_restore.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// The `lanyard` binary beside this test binary's directory (target/<profile>/lanyard).
fn lanyard_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let binary = exe
        .parent()
        .and_then(Path::parent)
        .map(|profile_dir| profile_dir.join("lanyard"))
        .context("no target directory above the test binary")?;
    anyhow::ensure!(
        binary.is_file(),
        "{} is missing: build it first (cargo build -p cli --bins; make test does)",
        binary.display()
    );
    Ok(binary)
}

/// Runs `scripts/<script> <backup_dir>` against the stack configured by `config_file` and
/// `database_url`; fails with the script's output if it fails.
pub async fn run_script(
    script: &str,
    backup_dir: &Path,
    config_file: &Path,
    database_url: &str,
) -> anyhow::Result<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the repository")?;
    let output = tokio::process::Command::new(repo.join("scripts").join(script))
        .arg(backup_dir)
        .env("LANYARD_CONFIG", config_file)
        .env("DATABASE_URL", database_url)
        .env("LANYARD_BIN", lanyard_binary()?)
        .output()
        .await
        .with_context(|| format!("running scripts/{script}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    anyhow::ensure!(
        output.status.success(),
        "scripts/{script} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(stdout)
}
