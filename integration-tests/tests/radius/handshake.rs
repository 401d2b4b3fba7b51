//! Handshake mode (issue 17): no device registration. `radclient` plays a hostapd ≥ 2.11
//! access point (`wpa_psk_radius=3`) forwarding message 2 of the 4-way handshake, built by an
//! independent implementation (crates/handshake/tests/make_fixtures.py: Python's hashlib and
//! hmac), and Lanyard finds whose live key made it among a thousand at the location.

use super::*;
use chrono::Utc;
use integration_tests::seed::{self, SeededMember};
use integration_tests::wait::eventually;
use radius::handshake_keys::{self, MemberKeys, SetId};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

async fn loaded(radius: &Radius, user_id: Option<&str>) -> anyhow::Result<Vec<MemberKeys>> {
    let stack = &radius.stack;
    let known = |_: &str, _: &_, _: &_| None;
    let members = user_id.as_ref().map(std::slice::from_ref);
    Ok(handshake_keys::load(&stack.pool, &stack.keys, DEMO_ORG, members, known).await?)
}

fn place(location_id: &str) -> SetId {
    SetId {
        org_id: DEMO_ORG.into(),
        location_id: location_id.into(),
        ssid: "members".into(),
    }
}

/// Richard (single location, Gastown) and Jean (hot desk) both have a key on Gastown's SSID
/// once a NAS broadcasts it there, and it is their passphrase's PMK; Trastevere, with no NAS,
/// holds none; Jean's suspension leaves her no key anywhere.
#[tokio::test]
async fn each_member_s_pmk_is_kept_at_the_ssids_of_the_locations_that_may_admit_them()
-> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Hostapd)
        .await?;
    let everyone = loaded(&radius, None).await?;
    for user_id in [RICHARD, JEAN] {
        let keys = everyone
            .iter()
            .find(|keys| keys.user_id() == user_id)
            .ok_or_else(|| anyhow::anyhow!("{user_id} has no handshake keys"))?;
        let pmk = ::handshake::pmk(&radius.passphrase(user_id).await?, b"members")?;
        assert_eq!(
            keys.pmk_at(&place(GASTOWN)),
            Some(&pmk),
            "{user_id} at Gastown"
        );
        assert_eq!(
            keys.pmk_at(&place(TRASTEVERE)),
            None,
            "{user_id}: no NAS at Trastevere"
        );
    }
    radius.suspend_jean().await?;
    let jean = loaded(&radius, Some(JEAN)).await?;
    assert_eq!(jean.len(), 1, "Jean still has a passphrase");
    assert_eq!(jean[0].pmk_at(&place(GASTOWN)), None, "suspended: no key");
    assert_eq!(
        stored_pmks(&radius, JEAN).await?,
        0,
        "her stored PMK is deleted"
    );
    Ok(())
}

/// Richard's keys know each of his grants as `member_grants` has it (basis, source, location),
/// so a renewal of one (an `AccessGranted` of the same grant and location) leaves them as they
/// are, and the same grant at another location does not. Once no NAS broadcasts anywhere,
/// nobody has keys (the members are not even read) and the stored PMKs are deleted still.
#[tokio::test]
async fn keys_know_their_grants_and_an_organization_without_nases_keeps_no_pmks()
-> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Hostapd)
        .await?;
    let mut memory = handshake_keys::HandshakeKeys::new(100);
    for keys in loaded(&radius, Some(RICHARD)).await? {
        memory.replace(keys)?;
    }
    let client = radius.stack.pool.get().await?;
    let grants = client
        .query(
            "SELECT basis, source_id, location_id FROM member_grants
              WHERE org_id = $1 AND user_id = $2",
            &[&DEMO_ORG, &RICHARD],
        )
        .await?;
    assert!(!grants.is_empty(), "Richard has a grant");
    for row in &grants {
        let basis = domain::events::Basis::parse(row.get(0))
            .ok_or_else(|| anyhow::anyhow!("an unknown basis"))?;
        let grant = domain::events::GrantKey {
            basis,
            source_id: row.get(1),
        };
        let location: Option<String> = row.get(2);
        assert!(
            memory.built_with_grant(DEMO_ORG, RICHARD, &grant, location.as_deref()),
            "{grant:?} at {location:?}"
        );
        let elsewhere = match location {
            Some(_) => None,
            None => Some(TRASTEVERE),
        };
        assert!(!memory.built_with_grant(DEMO_ORG, RICHARD, &grant, elsewhere));
    }
    assert!(
        stored_pmks(&radius, RICHARD).await? > 0,
        "his PMK is stored"
    );

    radius.remove_nas(DEMO_ORG, "ap").await?;
    assert!(loaded(&radius, None).await?.is_empty(), "no keys anywhere");
    assert_eq!(stored_pmks(&radius, RICHARD).await?, 0, "deleted");
    Ok(())
}

/// An operator sets `user_id`'s passphrase.
async fn set_passphrase(radius: &Radius, user_id: &str, passphrase: &str) -> anyhow::Result<()> {
    let passphrase = bus::commands::PassphraseText(passphrase.into());
    let user_id = user_id.into();
    let command = Command::SetPassphrase {
        user_id,
        passphrase,
    };
    radius.stack.command_done(DEMO_ORG, command).await
}

/// How many PMKs of `user_id` are stored.
async fn stored_pmks(radius: &Radius, user_id: &str) -> anyhow::Result<i64> {
    let client = radius.stack.pool.get().await?;
    let row = client
        .query_one(
            "SELECT count(*) FROM handshake_pmks WHERE org_id = $1 AND user_id = $2",
            &[&DEMO_ORG, &user_id],
        )
        .await?;
    Ok(row.get(0))
}

/// Computed PMKs are stored sealed with the member's data key (never in clear) and a later
/// load opens them instead of running PBKDF2 again, until the passphrase changes.
#[tokio::test]
async fn pmks_are_stored_sealed_and_reused_until_the_passphrase_changes() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Hostapd)
        .await?;
    loaded(&radius, None).await?;
    let stack = &radius.stack;
    let client = stack.pool.get().await?;
    let row = client
        .query_one(
            "SELECT p.pmk, k.wrapped_key FROM handshake_pmks p
               JOIN member_keys k ON k.org_id = p.org_id AND k.user_id = p.user_id
              WHERE p.org_id = $1 AND p.user_id = $2 AND p.ssid = 'members'",
            &[&DEMO_ORG, &RICHARD],
        )
        .await?;
    let (sealed, wrapped): (serde_json::Value, serde_json::Value) = (row.get(0), row.get(1));
    let pmk = ::handshake::pmk(&radius.passphrase(RICHARD).await?, b"members")?;
    assert!(
        !sealed.to_string().contains(&hex::encode(pmk)),
        "sealed, not in clear"
    );
    // Another PMK sealed in its place: what the next load returns proves where it came from.
    let aad = secrets::contexts::member(DEMO_ORG, RICHARD);
    let key = stack
        .keys
        .unwrap_member_key(&serde_json::from_value(wrapped)?, &aad)?;
    let planted = secrets::seal_member_pmk(&key, DEMO_ORG, RICHARD, "members", &[7; 32]);
    client
        .execute(
            "UPDATE handshake_pmks SET pmk = $3 WHERE org_id = $1 AND user_id = $2",
            &[&DEMO_ORG, &RICHARD, &serde_json::to_value(&planted)?],
        )
        .await?;
    let richard = loaded(&radius, Some(RICHARD)).await?;
    assert_eq!(
        richard[0].pmk_at(&place(GASTOWN)),
        Some(&[7; 32]),
        "opened, not computed"
    );

    let renewed = "Richard renewed passphrase 9";
    set_passphrase(&radius, RICHARD, renewed).await?;
    let richard = loaded(&radius, Some(RICHARD)).await?;
    let fresh = ::handshake::pmk(renewed, b"members")?;
    assert_eq!(
        richard[0].pmk_at(&place(GASTOWN)),
        Some(&fresh),
        "computed for the new one"
    );
    assert_eq!(stored_pmks(&radius, RICHARD).await?, 1);
    Ok(())
}

/// Members seeded beside the demo organization's own, all with a key at Gastown.
const OTHERS: usize = 998;
/// The access point's BSSID (the AA of the handshake).
const BSSID: &str = "0a0b0c0d0e0f";
/// A station nobody registered: the handshake alone says whose it is.
const STATION: &str = "02aabbccdd01";

/// Message 2 of a handshake a station `spa` made with `passphrase` on the SSID "members",
/// built by the Python implementation (the passphrase goes on its stdin, never in arguments):
/// the ANonce and the EAPOL-Key frame, in hex.
async fn message_2(passphrase: &str, spa: &str) -> anyhow::Result<(String, String)> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/handshake/tests/make_fixtures.py"
    );
    let mut child = tokio::process::Command::new("python3")
        .args([script, "--one", "e2e", "members", BSSID, spa])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("python's stdin"))?;
    stdin
        .write_all(format!("{passphrase}\n").as_bytes())
        .await?;
    drop(stdin);
    let output = child.wait_with_output().await?;
    anyhow::ensure!(output.status.success(), "make_fixtures.py failed");
    let text = String::from_utf8(output.stdout)?;
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("no {name} in {text}"))
    };
    Ok((field("anonce ")?, field("frame ")?))
}

/// A hostapd Access-Request carrying the handshake `passphrase` made from `spa`.
async fn handshake(radius: &Radius, passphrase: &str, spa: &str) -> anyhow::Result<Exchange> {
    let (anonce, frame) = message_2(passphrase, spa).await?;
    let attributes = format!(
        "{}Called-Station-Id = \"0A-0B-0C-0D-0E-0F:members\"\n\
         FreeRADIUS-802.1X-Anonce = 0x{anonce}\n\
         FreeRADIUS-802.1X-EAPoL-Key-Msg = 0x{frame}\n",
        integration_tests::radius::mac_auth_attributes(spa)
    );
    radius
        .freeradius
        .access_request(NAS_SECRET, &attributes, Duration::from_secs(2))
        .await
}

/// Sends the handshake until `wanted` holds, for at most `deadline` (the keys follow the
/// events: a reload is a read and, for a new passphrase, one PBKDF2 per SSID).
async fn handshake_until(
    radius: &Radius,
    passphrase: &str,
    spa: &str,
    deadline: Duration,
    wanted: impl Fn(&Exchange) -> bool,
) -> anyhow::Result<Exchange> {
    let since = std::time::Instant::now();
    loop {
        let exchange = handshake(radius, passphrase, spa).await?;
        if wanted(&exchange) || since.elapsed() >= deadline {
            return Ok(exchange);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The attributes an Accept for `user_id`'s `key` on `vlan` carries (hostapd dialect).
fn hostapd_accept(user_id: &str, key: &str, vlan: Option<u16>, exchange: &Exchange) -> bool {
    let has = |line: String| exchange.attributes.contains(&line);
    exchange.accepted()
        && has(format!("Tunnel-Password:0 = \"{key}\""))
        && has(format!("User-Name = \"lanyard-{user_id}\""))
        && vlan.is_none_or(|vlan| has(format!("Tunnel-Private-Group-Id:0 = \"{vlan}\"")))
}

/// Where the station is bound, and how: (user_id, bound_via).
async fn binding(radius: &Radius, mac: &str) -> anyhow::Result<Option<(String, String)>> {
    let client = radius.stack.pool.get().await?;
    let row = client
        .query_opt(
            "SELECT user_id, bound_via FROM member_devices WHERE org_id = $1 AND mac = $2",
            &[&DEMO_ORG, &mac],
        )
        .await?;
    Ok(row.map(|row| (row.get(0), row.get(1))))
}

/// Among a thousand live keys at Gastown, a station nobody registered gets the member whose
/// passphrase made its handshake: key, VLAN and identity, and the station is bound to them. A
/// passphrase nobody has is refused; after a passphrase change the old one is refused and the
/// new one matches; after a plan is cancelled the member's handshake is refused.
#[tokio::test]
async fn the_handshake_alone_finds_the_member_among_a_thousand_keys() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    let others: Vec<SeededMember> = (0..OTHERS)
        .map(|index| SeededMember {
            user_id: format!("h{index:04}"),
            passphrase: format!("handshake-other-{index:04}"),
            mac: None,
        })
        .collect();
    let client = radius.stack.pool.get().await?;
    seed::members(&client, &radius.stack.keys, DEMO_ORG, &others, 130).await?;
    drop(client);
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Hostapd)
        .await?;

    let richard = radius.richard_with_team_vlan().await?;
    let vlan = richard.vlan(Utc::now());
    let richard_key = radius.passphrase(RICHARD).await?;
    // The keys follower may reach Richard's own events before the NAS's (it computes the
    // thousand PMKs then): wait for every key, so his handshake is searched among them all.
    let keys = eventually(
        "the seeded members', Richard's and Jean's keys in memory",
        Duration::from_secs(60),
        || async {
            let keys = metric(&radius, "lanyard_radius_handshake_keys").await?;
            Ok((keys >= (OTHERS + 2) as f64).then_some(keys))
        },
    )
    .await?;
    let accepted = handshake_until(
        &radius,
        &richard_key,
        STATION,
        Duration::from_secs(10),
        |e| e.accepted(),
    )
    .await?;
    println!("Richard's handshake:\n{}", accepted.output);
    assert!(
        hostapd_accept(RICHARD, &richard_key, vlan, &accepted),
        "Richard's key, VLAN and identity:\n{}\n--- freeradius:\n{}",
        accepted.output,
        radius.freeradius.log()
    );
    assert_eq!(
        metric(&radius, "lanyard_radius_handshake_keys_refused").await?,
        0.0,
        "{keys} keys in memory, some members refused"
    );

    let other = handshake(&radius, "handshake-other-0500", "02aabbccdd02").await?;
    assert!(
        hostapd_accept("h0500", "handshake-other-0500", Some(130), &other),
        "{}",
        other.output
    );
    let bound = eventually(
        "the station bound to Richard",
        Duration::from_secs(10),
        || async {
            Ok(binding(&radius, STATION)
                .await?
                .filter(|(user, _)| user == RICHARD))
        },
    )
    .await?;
    assert_eq!(bound.1, "handshake");

    let wrong = handshake(&radius, "nobody has this passphrase", "02aabbccdd03").await?;
    assert_rejected(&radius, &wrong);

    let renewed = "a brand new passphrase for Richard 42";
    set_passphrase(&radius, RICHARD, renewed).await?;
    assert_rejected(&radius, &handshake(&radius, &richard_key, STATION).await?);
    let renewed_answer = handshake_until(&radius, renewed, STATION, Duration::from_secs(10), |e| {
        e.accepted()
    })
    .await?;
    assert!(
        hostapd_accept(RICHARD, renewed, vlan, &renewed_answer),
        "{}",
        renewed_answer.output
    );

    let jean_key = radius.passphrase(JEAN).await?;
    let jean = handshake(&radius, &jean_key, "02aabbccdd04").await?;
    assert_accepted(&radius, &jean);
    radius.suspend_jean().await?;
    assert_rejected(
        &radius,
        &handshake(&radius, &jean_key, "02aabbccdd04").await?,
    );
    let handshakes = metric(&radius, "lanyard_radius_handshakes_total").await?;
    assert!(handshakes >= 6.0, "{handshakes} handshakes counted");
    Ok(())
}

/// The vendor attributes of a handshake `passphrase` made from `spa`: Ruckus external DPSK
/// (`Ruckus-DPSK-Params`' members, which radclient packs into the TLV) or Cisco Easy-PSK.
async fn vendor_handshake(
    radius: &Radius,
    passphrase: &str,
    spa: &str,
    ruckus: bool,
) -> anyhow::Result<Exchange> {
    let (anonce, frame) = message_2(passphrase, spa).await?;
    let carried = if ruckus {
        format!(
            "Ruckus-SSID = \"members\"\nRuckus-BSSID = 0x{BSSID}\n\
             Ruckus-DPSK-AKM-Suite = 0x000fac02\nRuckus-DPSK-Cipher = 4\n\
             Ruckus-DPSK-Anonce = 0x{anonce}\nRuckus-DPSK-EAPOL-Key-Frame = 0x{frame}\n"
        )
    } else {
        // IOS XE sends the ANonce and the frame as raw bytes (radclient: octal escapes).
        let raw = |hex_text: &str| -> anyhow::Result<String> {
            Ok(hex::decode(hex_text)?
                .iter()
                .map(|&byte| match byte {
                    b' '..=b'~' if byte != b'"' && byte != b'\\' => char::from(byte).to_string(),
                    _ => format!("\\{byte:03o}"),
                })
                .collect())
        };
        format!(
            "Cisco-AVPair += \"cisco-wlan-ssid=members\"\n\
             Cisco-AVPair += \"cisco-bssid=0a0b.0c0d.0e0f\"\n\
             Cisco-AVPair += \"cisco-anonce={}\"\n\
             Cisco-AVPair += \"cisco-8021x-data={}\"\n",
            raw(&anonce)?,
            raw(&frame)?
        )
    };
    let attributes = format!(
        "{}{carried}",
        integration_tests::radius::mac_auth_attributes(spa)
    );
    radius
        .freeradius
        .access_request(NAS_SECRET, &attributes, Duration::from_secs(2))
        .await
}

/// Ruckus forwards the handshake in its DPSK attributes and is answered with the PMK
/// (`Ruckus-Dpsk` = 0x00 ‖ PMK), never the passphrase; Cisco Easy-PSK forwards it in
/// `Cisco-AVPair`s and is answered with `psk=`. A wrong key is refused on both.
#[tokio::test]
async fn ruckus_and_cisco_handshakes_get_their_vendors_answers() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Meraki)
        .await?;
    let key = radius.passphrase(RICHARD).await?;
    let pmk = ::handshake::pmk(&key, b"members")?;
    let ruckus = eventually("Ruckus's Accept", Duration::from_secs(30), || async {
        let exchange = vendor_handshake(&radius, &key, STATION, true).await?;
        Ok(exchange.accepted().then_some(exchange))
    })
    .await?;
    println!("Ruckus:\n{}", ruckus.output);
    assert!(
        ruckus
            .attributes
            .contains(&format!("Ruckus-Dpsk = 0x00{}", hex::encode(pmk))),
        "{}",
        ruckus.output
    );
    assert!(
        !ruckus.output.contains(&key),
        "the passphrase never goes to Ruckus"
    );
    let wrong = vendor_handshake(&radius, "not Richard's key at all", STATION, true).await?;
    assert_rejected(&radius, &wrong);

    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Cisco)
        .await?;
    let cisco = vendor_handshake(&radius, &key, STATION, false).await?;
    println!("Cisco:\n{}", cisco.output);
    assert_accepted(&radius, &cisco);
    assert!(
        cisco
            .attributes
            .contains(&format!("Cisco-AVPair = \"psk={key}\"")),
        "{}",
        cisco.output
    );
    let wrong = vendor_handshake(&radius, "not Richard's key at all", STATION, false).await?;
    assert_rejected(&radius, &wrong);
    Ok(())
}
