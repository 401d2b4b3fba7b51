//! `lanyard locations map` refuses a location name or SSID with line breaks or control
//! characters (they reach email bodies, pages and access-point configurations) before it sends
//! anything, with the reason and exit status 1. Provision refuses the same for any sender
//! (integration-tests/tests/portal/portal_abuse.rs).

use std::process::Command;

fn map_location(name: &str, network: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .args([
            "locations",
            "map",
            "--org",
            "6267",
            "--location",
            "3391",
            "--name",
            name,
            "--network",
            network,
            "--timezone",
            "Europe/Rome",
        ])
        .env_remove("LANYARD_CONFIG")
        // Nothing listens here: the refusal must come before any connection.
        .env(
            "LANYARD__DATABASE__URL",
            "postgres://nobody@127.0.0.1:9/none",
        )
        .env("LANYARD__NATS__URL", "nats://127.0.0.1:9")
        .output()
        .expect("running lanyard")
}

#[test]
fn names_and_ssids_with_control_characters_are_refused_with_the_reason() {
    for (name, network, field) in [
        (
            "Trastevere\r\nBcc: all@example.com",
            "trastevere",
            "location name",
        ),
        ("Trastevere", "free\nwifi", "network name"),
        ("Trastevere", "wifi\u{7}", "network name"),
    ] {
        let output = map_location(name, network);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(field) && stderr.contains("control characters"),
            "{stderr}"
        );
    }
    // An SSID is at most 32 bytes, however many characters that is.
    let output = map_location("Trastevere", &"é".repeat(17));
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("32 bytes"));
}
