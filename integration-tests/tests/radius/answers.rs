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
    let richard = radius.richard_with_team_vlan().await?;
    let vlan = richard.vlan(Utc::now()).expect("team VLAN");
    assert_eq!(richard.group.as_ref().and_then(|g| g.vlan), Some(vlan));
    let key = radius.passphrase(RICHARD).await?;
    radius
        .add_device(DEMO_ORG, RICHARD, "02:42:AC:11:00:03")
        .await?;
    let expected = dialect_answers(&key, vlan, None);
    for (dialect, want) in expected {
        radius
            .register_nas(DEMO_ORG, "ap", GASTOWN, dialect)
            .await?;
        let exchange = radius
            .ask_until(RICHARD_MAC, |e| e.sorted_attributes() == want)
            .await?;
        println!("{dialect:?}:\n{}", exchange.output);
        assert_accepted(&radius, &exchange);
        assert_eq!(exchange.sorted_attributes(), want, "{dialect:?}");
    }
    Ok(())
}

/// Each dialect's attributes (sorted) for `key` on `vlan`, with its bandwidth attributes when
/// the profile has `(up, down)` kbit/s.
fn dialect_answers(
    key: &str,
    vlan: u16,
    bandwidth: Option<(u32, u32)>,
) -> [(NasDialect, Vec<String>); 4] {
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    let with_vlan = |rest: Vec<String>| {
        let mut all = vec![
            "Tunnel-Type:0 = VLAN".to_owned(),
            "Tunnel-Medium-Type:0 = IEEE-802".to_owned(),
            format!("Tunnel-Private-Group-Id:0 = \"{vlan}\""),
        ];
        all.extend(rest);
        all.sort();
        all
    };
    let (mut cisco, mut meraki) = (Vec::new(), Vec::new());
    if let Some((up, down)) = bandwidth {
        cisco.push(format!(
            "Airespace-Data-Bandwidth-Average-Contract = {down}"
        ));
        cisco.push(format!(
            "Airespace-Data-Bandwidth-Average-Contract-Upstream = {up}"
        ));
        meraki.push(format!("WISPr-Bandwidth-Max-Up = {}", u64::from(up) * 1000));
        meraki.push(format!(
            "WISPr-Bandwidth-Max-Down = {}",
            u64::from(down) * 1000
        ));
    }
    cisco.push("Cisco-AVPair = \"psk-mode=ascii\"".into());
    cisco.push(format!("Cisco-AVPair = \"psk={key}\""));
    meraki.push(format!("Tunnel-Password:0 = \"{key}\""));
    [
        (NasDialect::Cisco, with_vlan(cisco)),
        (
            NasDialect::Aruba,
            with_vlan(vec![format!("Aruba-MPSK-Passphrase = 0x{hex}")]),
        ),
        (NasDialect::Meraki, with_vlan(meraki)),
        (
            NasDialect::Hostapd,
            with_vlan(vec![format!("Tunnel-Password:0 = \"{key}\"")]),
        ),
    ]
}

/// A plan ending in two hours whose profile sets a VLAN and bandwidth: each dialect gets the
/// profile's VLAN, its own bandwidth attributes, and Session-Timeout = the time left.
#[tokio::test]
async fn each_dialect_gets_the_profile_vlan_its_bandwidth_and_the_time_left() -> anyhow::Result<()>
{
    use optix_sim::{Change, Notify};
    let radius = Radius::start().await?;
    let profile = domain::AccessProfile {
        name: "fast".into(),
        vlan: Some(230),
        bandwidth_up_kbps: Some(2000),
        bandwidth_down_kbps: Some(10000),
        ..domain::AccessProfile::default()
    };
    radius
        .stack
        .command_done(
            DEMO_ORG,
            Command::MapPlan {
                plan_template_id: "916".into(),
                profile,
            },
        )
        .await?;
    let sim = &radius.stack.sim.sim;
    let pia = radius.new_user("Pia").await?;
    let ends = Utc::now().timestamp() + 7200;
    sim.apply(
        DEMO_ORG,
        Change::AddPlan {
            user_id: pia.clone(),
            plan_template_id: "916".into(),
            starts_in_secs: 0,
            ends_in_secs: Some(7200),
        },
        Notify::Webhook,
    )
    .await?;
    radius
        .stack
        .member_until(DEMO_ORG, &pia, "the plan's VLAN", |m| {
            m.is_some_and(|m| m.vlan(Utc::now()) == Some(230))
        })
        .await?;
    let key = radius.passphrase(&pia).await?;
    let mac = "0242ac1100bb";
    radius.add_device(DEMO_ORG, &pia, mac).await?;
    for (dialect, want) in dialect_answers(&key, 230, Some((2000, 10000))) {
        radius
            .register_nas(DEMO_ORG, "ap", GASTOWN, dialect)
            .await?;
        let exchange = radius
            .ask_until(mac, |e| {
                let attributes = e.sorted_attributes();
                attributes
                    .iter()
                    .filter(|a| !a.starts_with("Session-Timeout"))
                    .eq(want.iter())
            })
            .await?;
        println!("{dialect:?}:\n{}", exchange.output);
        assert_accepted(&radius, &exchange);
        let (timeout, rest): (Vec<String>, Vec<String>) = exchange
            .sorted_attributes()
            .into_iter()
            .partition(|line| line.starts_with("Session-Timeout = "));
        assert_eq!(rest, want, "{dialect:?}");
        let seconds: i64 = timeout
            .first()
            .and_then(|line| line.strip_prefix("Session-Timeout = "))
            .and_then(|seconds| seconds.parse().ok())
            .expect("a Session-Timeout");
        let left = ends - Utc::now().timestamp();
        assert!(
            (left - 5..=left + 2).contains(&seconds),
            "{seconds} s, {left} s left"
        );
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
    assert_rejected(
        &radius,
        &radius.ask_until(JEAN_MAC, Exchange::rejected).await?,
    );
    Ok(())
}
