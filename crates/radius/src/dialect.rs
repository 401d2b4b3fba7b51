//! What an Accept carries in each NAS dialect: the same key, VLAN, time limit and bandwidth,
//! spelt in the attributes each vendor reads (docs/radius.md lists them per vendor).
//!
//! - Cisco (9800 iPSK): `Cisco-AVPair` `psk-mode=ascii` and `psk=<passphrase>`; bandwidth as
//!   Airespace contracts (kbps, AAA override).
//! - Aruba (MPSK): `Aruba-MPSK-Passphrase` (octets: sent as hex, so a passphrase starting with
//!   `0x` is never read as hex); no bandwidth attribute (Aruba rates come from a role).
//! - Meraki (iPSK with RADIUS) and hostapd/OpenWrt (`wpa_psk_radius`): `Tunnel-Password`;
//!   Meraki reads bandwidth from `WISPr-Bandwidth-Max-Up/Down` (bit/s), hostapd has none.
//! - Every dialect: the VLAN as `Tunnel-Type = VLAN`, `Tunnel-Medium-Type = IEEE-802`,
//!   `Tunnel-Private-Group-Id = "<vlan>"`, and `Session-Timeout` (seconds until the grant ends).

use crate::rest::Reply;
use domain::NasDialect;
use serde_json::Value;

/// What Lanyard grants one device on one NAS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub passphrase: String,
    pub vlan: Option<u16>,
    /// Seconds until the grant ends; none when it has no end.
    pub session_timeout: Option<u32>,
    pub bandwidth_up_kbps: Option<u32>,
    pub bandwidth_down_kbps: Option<u32>,
}

/// The metric label of a dialect.
pub fn label(dialect: NasDialect) -> &'static str {
    match dialect {
        NasDialect::Cisco => "cisco",
        NasDialect::Aruba => "aruba",
        NasDialect::Meraki => "meraki",
        NasDialect::Hostapd => "hostapd",
    }
}

/// The Accept for `grant` in `dialect`: rlm_rest's `control:Auth-Type := Accept` and the
/// reply attributes.
pub fn accept(dialect: NasDialect, grant: &Grant) -> Reply {
    let mut reply = Reply::new();
    reply.set("control:Auth-Type", "Accept");
    match dialect {
        NasDialect::Cisco => {
            reply.set_all(
                "reply:Cisco-AVPair",
                vec![
                    Value::from("psk-mode=ascii"),
                    Value::from(format!("psk={}", grant.passphrase)),
                ],
            );
        }
        NasDialect::Aruba => {
            reply.set(
                "reply:Aruba-MPSK-Passphrase",
                format!("0x{}", hex(grant.passphrase.as_bytes())),
            );
        }
        NasDialect::Meraki | NasDialect::Hostapd => {
            reply.set("reply:Tunnel-Password", grant.passphrase.as_str());
        }
    }
    if let Some(vlan) = grant.vlan {
        reply
            .set("reply:Tunnel-Type", "VLAN")
            .set("reply:Tunnel-Medium-Type", "IEEE-802")
            .set("reply:Tunnel-Private-Group-Id", vlan.to_string());
    }
    if let Some(seconds) = grant.session_timeout {
        reply.set("reply:Session-Timeout", seconds);
    }
    bandwidth(&mut reply, dialect, grant);
    reply
}

fn bandwidth(reply: &mut Reply, dialect: NasDialect, grant: &Grant) {
    let (up, down) = (grant.bandwidth_up_kbps, grant.bandwidth_down_kbps);
    match dialect {
        NasDialect::Cisco => {
            if let Some(down) = down {
                reply.set("reply:Airespace-Data-Bandwidth-Average-Contract", down);
            }
            if let Some(up) = up {
                reply.set(
                    "reply:Airespace-Data-Bandwidth-Average-Contract-Upstream",
                    up,
                );
            }
        }
        NasDialect::Meraki => {
            if let Some(up) = up {
                reply.set("reply:WISPr-Bandwidth-Max-Up", u64::from(up) * 1000);
            }
            if let Some(down) = down {
                reply.set("reply:WISPr-Bandwidth-Max-Down", u64::from(down) * 1000);
            }
        }
        NasDialect::Aruba | NasDialect::Hostapd => {}
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant() -> Grant {
        Grant {
            passphrase: "0xfeed-%{x}".into(),
            vlan: Some(142),
            session_timeout: Some(3600),
            bandwidth_up_kbps: Some(2000),
            bandwidth_down_kbps: Some(10000),
        }
    }

    fn value(v: Value) -> Value {
        json!({"op": ":=", "value": [v], "do_xlat": false})
    }

    fn common(mut expected: serde_json::Map<String, Value>) -> Value {
        expected.insert("control:Auth-Type".into(), value("Accept".into()));
        expected.insert("reply:Tunnel-Type".into(), value("VLAN".into()));
        expected.insert("reply:Tunnel-Medium-Type".into(), value("IEEE-802".into()));
        expected.insert("reply:Tunnel-Private-Group-Id".into(), value("142".into()));
        expected.insert("reply:Session-Timeout".into(), value(3600.into()));
        Value::Object(expected)
    }

    #[test]
    fn cisco_gets_the_key_in_two_av_pairs_and_airespace_bandwidth() {
        let reply = accept(NasDialect::Cisco, &grant()).to_json();
        let mut expected = serde_json::Map::new();
        expected.insert(
            "reply:Cisco-AVPair".into(),
            json!({"op": "+=", "value": ["psk-mode=ascii", "psk=0xfeed-%{x}"], "do_xlat": false}),
        );
        expected.insert(
            "reply:Airespace-Data-Bandwidth-Average-Contract".into(),
            value(10000.into()),
        );
        expected.insert(
            "reply:Airespace-Data-Bandwidth-Average-Contract-Upstream".into(),
            value(2000.into()),
        );
        assert_eq!(reply, common(expected));
    }

    #[test]
    fn aruba_gets_the_key_as_hex_octets_and_no_bandwidth() {
        let reply = accept(NasDialect::Aruba, &grant()).to_json();
        let mut expected = serde_json::Map::new();
        expected.insert(
            "reply:Aruba-MPSK-Passphrase".into(),
            value("0x3078666565642d257b787d".into()),
        );
        assert_eq!(reply, common(expected));
    }

    #[test]
    fn meraki_gets_a_tunnel_password_and_wispr_bandwidth_in_bits() {
        let reply = accept(NasDialect::Meraki, &grant()).to_json();
        let mut expected = serde_json::Map::new();
        expected.insert("reply:Tunnel-Password".into(), value("0xfeed-%{x}".into()));
        expected.insert(
            "reply:WISPr-Bandwidth-Max-Up".into(),
            value(2_000_000.into()),
        );
        expected.insert(
            "reply:WISPr-Bandwidth-Max-Down".into(),
            value(10_000_000.into()),
        );
        assert_eq!(reply, common(expected));
    }

    #[test]
    fn hostapd_gets_a_tunnel_password_and_nothing_without_a_vlan_or_an_end() {
        let open_ended = Grant {
            vlan: None,
            session_timeout: None,
            ..grant()
        };
        let reply = accept(NasDialect::Hostapd, &open_ended).to_json();
        assert_eq!(
            reply,
            json!({
                "control:Auth-Type": value("Accept".into()),
                "reply:Tunnel-Password": value("0xfeed-%{x}".into()),
            })
        );
    }
}
