//! Who FreeRADIUS answers: registered NASes only, each for its own organization; garbage is
//! dropped and the server keeps answering; only FreeRADIUS's token opens the endpoint.

use super::*;
use std::time::Duration;

const OTHER_ORG: &str = "7100";

/// A copy of the demo organization, installed: the same users, MACs free to reuse.
async fn install_other_org(radius: &Radius) -> anyhow::Result<()> {
    radius
        .stack
        .add_demo_org_copy([OTHER_ORG, "Other Coworking", "other-org-token"], |_| {});
    radius.stack.install(OTHER_ORG).await
}

/// A NAS of the demo organization never hands out the other organization's key, even for a
/// MAC the other organization knows; with the same MAC in both, it gets its own member's.
#[tokio::test]
async fn a_nas_gets_only_its_own_organizations_keys() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    install_other_org(&radius).await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Meraki)
        .await?;
    radius.add_device(OTHER_ORG, JEAN, JEAN_MAC).await?;
    assert_rejected(&radius, &radius.ask(JEAN_MAC).await?);

    radius.add_device(DEMO_ORG, JEAN, JEAN_MAC).await?;
    let exchange = radius.ask(JEAN_MAC).await?;
    assert_accepted(&radius, &exchange);
    let own = radius.passphrase(JEAN).await?;
    let other = radius.stack.passphrase(OTHER_ORG, JEAN).await?;
    assert_ne!(own, other);
    assert!(
        exchange
            .output
            .contains(&format!("Tunnel-Password:0 = \"{own}\""))
    );
    assert!(!exchange.output.contains(&other), "{}", exchange.output);
    Ok(())
}

/// No registered NAS at 127.0.0.1: FreeRADIUS learns no client and answers nothing. A NAS
/// removed while FreeRADIUS still knows it as a client is silenced at once by authorize.
#[tokio::test]
async fn unknown_and_removed_nases_get_no_answer() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.add_device(DEMO_ORG, JEAN, JEAN_MAC).await?;
    let exchange = radius.ask(JEAN_MAC).await?;
    assert_eq!(exchange.code, None, "{}", exchange.output);

    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Cisco)
        .await?;
    assert_accepted(&radius, &radius.ask(JEAN_MAC).await?);
    radius.remove_nas(DEMO_ORG, "ap").await?;
    let exchange = radius.ask_until(JEAN_MAC, |e| e.code.is_none()).await?;
    assert_eq!(exchange.code, None, "{}", exchange.output);
    // A wrong secret is not this NAS either: FreeRADIUS drops what does not verify.
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Cisco)
        .await?;
    let exchange = radius
        .freeradius
        .access_request(
            "not-the-nas-secret",
            &integration_tests::radius::mac_auth_attributes(JEAN_MAC),
            Duration::from_secs(2),
        )
        .await?;
    assert!(!exchange.accepted(), "{}", exchange.output);
    Ok(())
}

/// Garbage, a truncated packet and an oversized one are dropped; the next real request is
/// answered as usual.
#[tokio::test]
async fn malformed_and_oversized_packets_are_dropped_and_the_server_still_answers()
-> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.jean_accepted(NasDialect::Hostapd).await?;
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    // Access-Request header claiming 4096 octets, with 20; a header claiming 20 with
    // attribute lengths running past the end; 8 KiB of noise; a 5000-octet datagram.
    let mut truncated = vec![1u8, 7, 0x10, 0x00];
    truncated.extend_from_slice(&[0; 16]);
    let mut bad_attributes = vec![1u8, 8, 0, 26];
    bad_attributes.extend_from_slice(&[0; 16]);
    bad_attributes.extend_from_slice(&[1, 200, b'x', b'y', b'z', b'w']);
    let noise: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut oversized = vec![1u8, 9, 0x13, 0x88];
    oversized.extend_from_slice(&[0; 16]);
    oversized.extend(std::iter::repeat_n(0x41u8, 5000 - 20));
    for packet in [truncated, bad_attributes, noise, oversized] {
        socket
            .send_to(&packet, &radius.freeradius.auth_addr)
            .await?;
    }
    let mut buffer = [0u8; 4096];
    let answer =
        tokio::time::timeout(Duration::from_millis(500), socket.recv_from(&mut buffer)).await;
    assert!(answer.is_err(), "a malformed packet was answered");
    assert_accepted(&radius, &radius.ask(JEAN_MAC).await?);
    Ok(())
}

/// The endpoint answers FreeRADIUS's bearer token only.
#[tokio::test]
async fn the_endpoint_refuses_requests_without_freeradius_s_token() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Hostapd)
        .await?;
    let url = format!(
        "{}/freeradius/clients?address=127.0.0.1",
        radius.stack.radius_url
    );
    let http = reqwest::Client::new();
    for token in [None, Some("wrong-token-of-at-least-thirty-two-chars")] {
        let mut request = http.get(&url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        assert_eq!(request.send().await?.status(), 401);
    }
    let answer = http.get(&url).bearer_auth(RADIUS_TOKEN).send().await?;
    assert_eq!(answer.status(), 200);
    Ok(())
}
