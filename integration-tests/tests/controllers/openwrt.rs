//! OpenWrt: the AP group's `wpa_psk_file` (exact lines, ETag, 304 when unchanged, a token), and
//! deploy/openwrt/lanyard-psk-fetch.sh run with sh against it.

use super::*;
use chrono::Utc;
use integration_tests::stack::TRASTEVERE;

const TOKEN: &str = "openwrt-ap-group-token-0123456789abcdef";

/// Jean (a hot desk, bound to no location) has a key at Trastevere; Richard (at home in
/// Gastown, where his location admits him only) has none there.
#[tokio::test]
async fn the_file_has_exact_lines_an_etag_and_304_when_unchanged() -> anyhow::Result<()> {
    let (stack, controllers) = start(|_| {}).await?;
    controllers
        .map_openwrt(&stack, (DEMO_ORG, TRASTEVERE), "rome-aps", TOKEN)
        .await?;
    let url = format!("{}/openwrt/wpa_psk_file", controllers.url);
    let refused = controllers
        .http
        .get(&url)
        .bearer_auth("x".repeat(40))
        .send()
        .await?;
    assert_eq!(refused.status(), 401, "an unknown token");

    let response = controllers.http.get(&url).bearer_auth(TOKEN).send().await?;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str()?.to_owned();
    let body = response.text().await?;
    let jean = controllers.key_name(&stack, DEMO_ORG, JEAN);
    let vlan = stack
        .member(DEMO_ORG, JEAN)
        .await?
        .and_then(|m| {
            m.live_grants(Utc::now())
                .find_map(|g| g.network.as_ref().and_then(|n| n.vlan))
        })
        .map(|v| format!(" vlanid={v}"))
        .unwrap_or_default();
    let line = format!(
        "keyid={jean}{vlan} 00:00:00:00:00:00 {}",
        stack.passphrase(DEMO_ORG, JEAN).await?
    );
    assert!(
        body.lines().any(|l| l == line),
        "Jean's exact line in:\n{body}"
    );
    let richard = controllers.key_name(&stack, DEMO_ORG, RICHARD);
    assert!(!body.contains(&richard), "Richard has no key at Trastevere");
    assert!(
        body.lines()
            .all(|l| l.len() < 127 && l.starts_with("keyid=lanyard:"))
    );

    let again = controllers
        .http
        .get(&url)
        .bearer_auth(TOKEN)
        .header("If-None-Match", &etag)
        .send()
        .await?;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str()?, etag);
    let found = rows_holding(&stack, TOKEN).await?;
    assert!(found.is_empty(), "the AP group's token in clear: {found:?}");
    let reused = controllers
        .map_openwrt(&stack, (DEMO_ORG, GASTOWN), "gastown-aps", TOKEN)
        .await;
    assert!(
        reused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("already fetches with this token")),
        "another location's token is refused in words: {reused:?}"
    );
    Ok(())
}

/// The router's script writes the file and reloads hostapd once; unchanged, it reloads nothing;
/// after a passphrase change, it fetches and reloads again.
#[tokio::test]
async fn the_fetch_script_reloads_hostapd_only_when_the_file_changed() -> anyhow::Result<()> {
    let (stack, controllers) = start(|_| {}).await?;
    controllers
        .map_openwrt(&stack, (DEMO_ORG, TRASTEVERE), "rome-aps", TOKEN)
        .await?;
    let dir =
        std::env::temp_dir().join(format!("lanyard-openwrt-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let token_file = dir.join("token");
    std::fs::write(&token_file, TOKEN)?;
    // Stands in for the router's hostapd_cli: records each call.
    let cli = dir.join("hostapd_cli");
    std::fs::write(
        &cli,
        format!("#!/bin/sh\necho \"$@\" >> {}/reloads\n", dir.display()),
    )?;
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&cli)
        .status()?;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/openwrt/lanyard-psk-fetch.sh"
    );
    let run = || {
        tokio::process::Command::new("sh")
            .arg(script)
            .env("LANYARD_PSK_CONF", dir.join("none"))
            .env("LANYARD_URL", &controllers.url)
            .env("LANYARD_TOKEN_FILE", &token_file)
            .env("PSK_FILE", dir.join("wpa_psk"))
            .env("HOSTAPD_CLI", &cli)
            .env("HOSTAPD_IFACES", "wlan0 wlan1")
            .output()
    };
    let reloads = || std::fs::read_to_string(dir.join("reloads")).unwrap_or_default();
    let first = run().await?;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        reloads(),
        "-i wlan0 reload_wpa_psk\n-i wlan1 reload_wpa_psk\n"
    );
    let file = std::fs::read_to_string(dir.join("wpa_psk"))?;
    let passphrase = stack.passphrase(DEMO_ORG, JEAN).await?;
    assert!(file.contains(&passphrase));

    let second = run().await?;
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(reloads().lines().count(), 2, "unchanged: no reload");

    stack
        .command_done(
            DEMO_ORG,
            bus::commands::Command::RegeneratePassphrase {
                user_id: JEAN.into(),
            },
        )
        .await?;
    let third = run().await?;
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert_eq!(reloads().lines().count(), 4, "changed: reloaded");
    let file = std::fs::read_to_string(dir.join("wpa_psk"))?;
    assert!(file.contains(&stack.passphrase(DEMO_ORG, JEAN).await?));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
