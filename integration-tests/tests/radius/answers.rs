//! What an Accept carries in each dialect, and the Rejects a member's situation brings.

use super::*;
use chrono::Utc;
use std::time::Duration;

/// Exactly the attributes of each dialect for Richard (team VLAN, open-ended plan): the key in
/// the dialect's own attribute, the VLAN triple, nothing else.
#[tokio::test]
async fn each_dialect_gets_exactly_its_attributes_with_the_key_and_the_team_vlan()
-> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.stack.set_vlan_pool(DEMO_ORG, 140, 149).await?;
    radius
        .stack
        .command_done(DEMO_ORG, Command::SyncNow)
        .await?;
    let richard = radius
        .stack
        .member_until(DEMO_ORG, RICHARD, "the team VLAN", |m| {
            m.is_some_and(|m| m.vlan(Utc::now()).is_some())
        })
        .await?
        .expect("Richard");
    let vlan = richard.vlan(Utc::now()).expect("team VLAN");
    assert_eq!(richard.group.as_ref().and_then(|g| g.vlan), Some(vlan));
    let key = radius.passphrase(RICHARD).await?;
    radius
        .add_device(DEMO_ORG, RICHARD, "02:42:AC:11:00:03")
        .await?;
    let tunnel = |rest: &[String]| {
        let mut all = vec![
            "Tunnel-Type:0 = VLAN".to_owned(),
            "Tunnel-Medium-Type:0 = IEEE-802".to_owned(),
            format!("Tunnel-Private-Group-Id:0 = \"{vlan}\""),
        ];
        all.extend_from_slice(rest);
        all.sort();
        all
    };
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    let expected = [
        (
            NasDialect::Cisco,
            tunnel(&[
                "Cisco-AVPair = \"psk-mode=ascii\"".into(),
                format!("Cisco-AVPair = \"psk={key}\""),
            ]),
        ),
        (
            NasDialect::Aruba,
            tunnel(&[format!("Aruba-MPSK-Passphrase = 0x{hex}")]),
        ),
        (
            NasDialect::Meraki,
            tunnel(&[format!("Tunnel-Password:0 = \"{key}\"")]),
        ),
        (
            NasDialect::Hostapd,
            tunnel(&[format!("Tunnel-Password:0 = \"{key}\"")]),
        ),
    ];
    for (dialect, want) in expected {
        radius
            .register_nas(DEMO_ORG, "ap", GASTOWN, dialect)
            .await?;
        let exchange = radius.ask(RICHARD_MAC).await?;
        println!("{dialect:?}:\n{}", exchange.output);
        assert_accepted(&radius, &exchange);
        assert_eq!(exchange.sorted_attributes(), want, "{dialect:?}");
    }
    Ok(())
}

/// A booking's guest: Session-Timeout is the time left of the grant, and once the meeting is
/// over the next Access-Request is rejected — no webhook, no scheduler needed.
#[tokio::test]
async fn a_guest_gets_the_time_left_and_is_rejected_after_the_meeting() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", TRASTEVERE, NasDialect::Hostapd)
        .await?;
    let ends = Utc::now().timestamp() + 6;
    let guest = radius.guest_until(TRASTEVERE, ends).await?;
    let guest_mac = "0242ac1100aa";
    radius.add_device(DEMO_ORG, &guest, guest_mac).await?;
    let exchange = radius.ask(guest_mac).await?;
    assert_accepted(&radius, &exchange);
    let timeout: i64 = exchange
        .attributes
        .iter()
        .find_map(|line| line.strip_prefix("Session-Timeout = "))
        .and_then(|seconds| seconds.parse().ok())
        .expect("a Session-Timeout");
    let left = ends - Utc::now().timestamp();
    assert!(
        (left - 2..=left + 2).contains(&timeout),
        "Session-Timeout {timeout} s, the meeting ends in {left} s"
    );
    let deliveries = radius.stack.sim.sim.deliveries().len();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let exchange = radius.ask(guest_mac).await?;
        if exchange.rejected() {
            assert_rejected(&radius, &exchange);
            assert!(Utc::now().timestamp() >= ends, "rejected before the end");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still accepted");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        radius.stack.sim.sim.deliveries().len(),
        deliveries,
        "no webhook involved"
    );
    Ok(())
}

/// A cancelled plan suspends the member: their device is rejected, with no attributes.
#[tokio::test]
async fn a_cancelled_plan_is_rejected_and_an_unknown_device_too() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.jean_accepted(NasDialect::Meraki).await?;
    assert_rejected(&radius, &radius.ask("0242ac11ffff").await?);
    radius.suspend_jean().await?;
    assert_rejected(&radius, &radius.ask(JEAN_MAC).await?);
    Ok(())
}
