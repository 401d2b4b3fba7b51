//! The handshake matcher's parsers (issue 17) with any bytes: the EAPOL-Key message 2 parser,
//! the Ruckus TLV, and the text forms (octets, MACs, Cisco AVPairs, hostapd's attributes).
//! Never a panic; a frame that parses has the lengths it claims, and a challenge built from it
//! searches a key set without a panic and without a false match on an unrelated key.
#![no_main]

use handshake::attributes::{self, Handshake};
use handshake::{Challenge, KeySet, parse_message2};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = parse_message2(data) {
        let body = usize::from(u16::from_be_bytes([data[2], data[3]]));
        assert_eq!(message.zeroed.len(), body + 4);
        assert_eq!(message.zeroed.len(), 99 + message.key_data.len());
        assert!(message.zeroed[81..97].iter().all(|byte| *byte == 0));
        let handshake = Handshake {
            aa: [2; 6],
            spa: [4; 6],
            anonce: [6; 32],
            frame: data.to_vec(),
            ssid: None,
            akm: None,
        };
        let challenge = Challenge::new(&handshake).expect("a parsed message 2 is a challenge");
        let mut keys = KeySet::new();
        keys.insert(1u8, &[0x42; 32]);
        // A MIC forged for this PMK would need the fuzzer to invert HMAC: a match is a bug.
        assert_eq!(keys.find(&challenge), None);
    }
    if let Ok(params) = attributes::parse_ruckus_tlv(data) {
        let _ = attributes::ruckus(&params, data.get(..6).unwrap_or_default(), "", None);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = attributes::octets("fuzz", text);
        let _ = attributes::mac("fuzz", text);
        if let Ok(bytes) = attributes::cisco_octets("fuzz", text) {
            assert!(
                bytes.len() <= text.len(),
                "never more bytes than characters"
            );
        }
        let _ = attributes::cisco(text.split('\n'), text);
        let mut parts = text.splitn(4, '\n');
        let mut next = || parts.next().unwrap_or_default();
        let _ = attributes::hostapd(next(), next(), next(), next());
    }
});
