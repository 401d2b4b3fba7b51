//! OpenWrt/hostapd: the `wpa_psk_file` of an AP group, which its routers fetch
//! (`deploy/openwrt/lanyard-psk-fetch.sh`) with the group's token, and reload with
//! `hostapd_cli reload_wpa_psk` only when its ETag changed. (Network-vendor reference §5.)
//!
//! A line is `keyid=<name> [vlanid=<n>] 00:00:00:00:00:00 <passphrase>`: any station may use
//! it, hostapd tells the keys apart by `keyid`. hostapd reads lines into a 128-byte buffer and a
//! bad line fails the whole load, so a line that would not fit or a passphrase outside 8–63
//! characters is left out (and logged) instead.

use crate::vendor::DesiredKey;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// hostapd's line buffer, with the newline and the terminating NUL.
const LINE_BUFFER: usize = 128;
/// Any station may use the key.
const ANY_STATION: &str = "00:00:00:00:00:00";

/// One key's line (without the newline), or None when hostapd would refuse it.
pub fn line(key: &DesiredKey) -> Option<String> {
    let passphrase_ok = (8..=63).contains(&key.passphrase.len())
        && key
            .passphrase
            .chars()
            .all(|c| c.is_ascii_graphic() || c == ' ');
    let keyid_ok = key.name.len() <= 31 && key.name.chars().all(|c| c.is_ascii_graphic());
    if !passphrase_ok || !keyid_ok {
        return None;
    }
    let vlan = key.vlan.map(|v| format!(" vlanid={v}")).unwrap_or_default();
    let line = format!("keyid={}{vlan} {ANY_STATION} {}", key.name, key.passphrase);
    (line.len() + 2 <= LINE_BUFFER).then_some(line)
}

/// The file of `keys` (in name order) and its ETag.
pub fn file(keys: &BTreeMap<String, DesiredKey>) -> (String, String) {
    let mut body = String::new();
    for key in keys.values() {
        match line(key) {
            Some(line) => {
                body.push_str(&line);
                body.push('\n');
            }
            None => {
                tracing::warn!(key = %key.name, "openwrt: a key hostapd would refuse is left out of the file")
            }
        }
    }
    let etag = format!("\"{}\"", hex::encode(Sha256::digest(body.as_bytes())));
    (body, etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, passphrase: &str, vlan: Option<u16>) -> DesiredKey {
        DesiredKey {
            name: name.into(),
            passphrase: passphrase.into(),
            vlan,
            expires_at: None,
        }
    }

    #[test]
    fn given_keys_then_exact_lines_with_keyid_vlanid_and_any_station() {
        let keys: BTreeMap<_, _> = [
            key("lanyard:aa", "pass word one", Some(120)),
            key("lanyard:bb", "secondpass", None),
        ]
        .into_iter()
        .map(|k| (k.name.clone(), k))
        .collect();
        let (body, etag) = file(&keys);
        assert_eq!(
            body,
            "keyid=lanyard:aa vlanid=120 00:00:00:00:00:00 pass word one\n\
             keyid=lanyard:bb 00:00:00:00:00:00 secondpass\n"
        );
        assert_eq!(etag, file(&keys).1);
        assert_eq!(etag.len(), 66);
    }

    #[test]
    fn given_a_line_hostapd_would_refuse_then_it_is_left_out() {
        assert_eq!(line(&key("lanyard:aa", "short", None)), None);
        assert_eq!(line(&key(&"k".repeat(32), "longenough", None)), None);
        // A 31-character keyid, a VLAN and a 63-character passphrase make 131 bytes: too long.
        assert_eq!(
            line(&key(&"k".repeat(31), &"p".repeat(63), Some(4094))),
            None
        );
        // Lanyard's names (`lanyard:` and 16 hex digits) always fit.
        let ours = key("lanyard:0123456789abcdef", &"p".repeat(63), Some(4094));
        assert!(line(&ours).is_some_and(|l| l.len() + 2 <= LINE_BUFFER));
    }
}
