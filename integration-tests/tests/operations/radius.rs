//! FreeRADIUS as infrastructure (issue 16, head start): the server `scripts/infra.sh start` runs
//! from `deploy/freeradius` answers a real Access-Request sent by `radclient` (freeradius-utils).
//!
//! It answers from its `files` module and `deploy/freeradius/users.fixture`, a FIXTURE and not
//! Lanyard's data: Lanyard's read path (rlm_rest, NOTES-16.md) is not built yet. What this pins
//! down is the plumbing the next tests build on: the address and secret in the env file, the
//! exchange, and that a Reject carries none of the attributes `authorize` prepared.

use anyhow::{Context, bail};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The device in `deploy/freeradius/users.fixture` (MAC authentication: name = password = MAC).
const FIXTURE_MAC: &str = "aabbccddeeff";

/// What `radclient -x` printed and whether it exited 0 (0: Accept, 1: Reject).
struct Exchange {
    accepted: bool,
    output: String,
}

/// Sends one Access-Request to the FreeRADIUS of `scripts/infra.sh` (RADIUS_ADDR,
/// RADIUS_SECRET); a missing server fails the test. radclient retries once after 2 s, and the
/// whole exchange has a 10 s deadline.
async fn access_request(attributes: &str) -> anyhow::Result<Exchange> {
    let addr = std::env::var("RADIUS_ADDR").context(
        "RADIUS_ADDR is not set: run the tests with `make test` (scripts/infra.sh starts FreeRADIUS)",
    )?;
    let secret = std::env::var("RADIUS_SECRET").context("RADIUS_SECRET is not set")?;
    let mut child = Command::new("radclient")
        .args(["-x", "-t", "2", "-r", "2", &addr, "auth", &secret])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("radclient (freeradius-utils) is missing: run scripts/infra.sh install")?;
    let mut stdin = child.stdin.take().context("radclient's stdin")?;
    stdin.write_all(attributes.as_bytes()).await?;
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .context("radclient did not finish within 10 s")??;
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !output.contains("Received Access-") {
        bail!("no answer from FreeRADIUS at {addr}:\n{output}");
    }
    Ok(Exchange {
        accepted: out.status.success(),
        output,
    })
}

/// The attribute lines of the answer (after "Received …"), trimmed.
fn reply_attributes(output: &str) -> Vec<String> {
    output
        .lines()
        .skip_while(|line| !line.starts_with("Received Access-"))
        .skip(1)
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty() && !line.starts_with('('))
        .collect()
}

#[tokio::test]
async fn freeradius_accepts_the_fixture_device_with_its_key_vlan_and_session_timeout()
-> anyhow::Result<()> {
    let exchange = access_request(&format!(
        "User-Name = \"{FIXTURE_MAC}\"\nUser-Password = \"{FIXTURE_MAC}\"\n\
         Calling-Station-Id = \"AA-BB-CC-DD-EE-FF\"\n"
    ))
    .await?;
    assert!(
        exchange.accepted,
        "expected an Accept:\n{}",
        exchange.output
    );
    let mut got = reply_attributes(&exchange.output);
    got.sort();
    let mut want = vec![
        "Session-Timeout = 3600",
        "Tunnel-Medium-Type:0 = IEEE-802",
        "Tunnel-Password:0 = \"fixture-passphrase-not-lanyard\"",
        "Tunnel-Private-Group-Id:0 = \"142\"",
        "Tunnel-Type:0 = VLAN",
    ];
    want.sort_unstable();
    assert_eq!(got, want, "{}", exchange.output);
    Ok(())
}

#[tokio::test]
async fn a_reject_carries_none_of_the_attributes_authorize_prepared() -> anyhow::Result<()> {
    let exchange = access_request(&format!(
        "User-Name = \"{FIXTURE_MAC}\"\nUser-Password = \"not-the-mac\"\n"
    ))
    .await?;
    assert!(
        !exchange.accepted,
        "expected a Reject:\n{}",
        exchange.output
    );
    assert!(
        exchange.output.contains("Received Access-Reject"),
        "{}",
        exchange.output
    );
    assert_eq!(
        reply_attributes(&exchange.output),
        Vec::<String>::new(),
        "{}",
        exchange.output
    );
    Ok(())
}
