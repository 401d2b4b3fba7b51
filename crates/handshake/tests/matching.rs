//! The IEEE 802.11 test vectors, and message 2 frames built by `make_fixtures.py` (Python's
//! hashlib/hmac, independent of this crate) matched among other keys.

use handshake::attributes::{self, Handshake};
use handshake::keys::prf;
use handshake::{Challenge, FrameError, KeySet, MatchError, parse_message2, pmk};

struct Fixture {
    akm: u8,
    passphrase: String,
    ssid: String,
    pmk: [u8; 32],
    handshake: Handshake,
}

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).expect("fixture hex")
}

fn fixtures() -> Vec<Fixture> {
    let text = include_str!("fixtures/wpa2.txt");
    text.split("\n\n")
        .filter(|record| !record.trim().is_empty())
        .map(|record| {
            let field = |name: &str| {
                record
                    .lines()
                    .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
                    .expect("fixture field")
                    .to_owned()
            };
            Fixture {
                akm: field("akm").parse().expect("akm number"),
                passphrase: field("passphrase"),
                ssid: field("ssid"),
                pmk: unhex(&field("pmk")).try_into().expect("32 bytes"),
                handshake: Handshake {
                    aa: unhex(&field("aa")).try_into().expect("6 bytes"),
                    spa: unhex(&field("spa")).try_into().expect("6 bytes"),
                    anonce: unhex(&field("anonce")).try_into().expect("32 bytes"),
                    frame: unhex(&field("frame")),
                    ssid: None,
                    akm: None,
                },
            }
        })
        .collect()
}

#[test]
fn ieee_pmk_vectors() {
    // IEEE 802.11-2020 Annex J.4.2.
    let cases = [
        (
            "password",
            "IEEE",
            "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e",
        ),
        (
            "ThisIsAPassword",
            "ThisIsASSID",
            "0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af",
        ),
    ];
    for (passphrase, ssid, expected) in cases {
        let pmk = pmk(passphrase, ssid.as_bytes()).expect("valid passphrase");
        assert_eq!(hex::encode(pmk), expected);
    }
}

/// Key, label, data, bits, expected output (hex).
type PrfCase = (Vec<u8>, &'static str, Vec<u8>, usize, &'static str);

#[test]
fn ieee_prf_vectors() {
    // IEEE Std 802.11 PRF-SHA1 test cases 1–4 (802.11-2016 J.6.5; cases 3 and 4 as a second
    // implementation's tests quote them, which Python's hmac reproduces).
    let cases: [PrfCase; 4] = [
        (
            vec![0x0b; 20],
            "prefix",
            b"Hi There".to_vec(),
            192,
            "bcd4c650b30b9684951829e0d75f9d54b862175ed9f00606",
        ),
        (
            b"Jefe".to_vec(),
            "prefix-2",
            b"what do ya want for nothing?".to_vec(),
            256,
            "47c4908e30c947521ad20be9053450ecbea23d3aa604b77326d8b3825ff7475c",
        ),
        (
            vec![0xaa; 80],
            "prefix-3",
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            384,
            "0ab6c33ccf70d0d736f4b04c8a7373255511abc5073713163bd0b8c9eeb7e195\
          6fa066820a73ddee3f6d3bd407e0682a",
        ),
        (
            vec![0x0b; 20],
            "prefix-4",
            b"Hi There Again".to_vec(),
            512,
            "248cfbc532ab38ffa483c8a2e40bf170eb542a2e0916d7bf6d97da2c4c5ca877\
          736c53a65b03fa4b3745ce7613f6ad68e0e4a798b7cf691c96176fd634a59a49",
        ),
    ];
    for (key, label, data, bits, expected) in cases {
        assert_eq!(
            hex::encode(prf(&key, label.as_bytes(), &data, bits)),
            expected
        );
    }
}

#[test]
fn fixture_pmks_match_python() {
    for fixture in fixtures() {
        let ours = pmk(&fixture.passphrase, fixture.ssid.as_bytes()).expect("valid");
        assert_eq!(ours, fixture.pmk);
    }
}

/// A key set of `noise` unrelated PMKs with the fixture's own somewhere in the middle.
fn key_set(noise: usize, own: &[u8; 32]) -> KeySet<usize> {
    let mut keys = KeySet::new();
    for id in 0..noise {
        let mut pmk = [0u8; 32];
        pmk[..8].copy_from_slice(&(id as u64).to_be_bytes());
        pmk[8] = 0xee;
        keys.insert(id, &pmk);
        if id == noise / 2 {
            keys.insert(usize::MAX, own);
        }
    }
    keys
}

#[test]
fn python_built_message_2_matches_its_key_among_others() {
    for fixture in fixtures() {
        let challenge = Challenge::new(&fixture.handshake).expect("a message 2");
        let blocks = if fixture.akm == 2 { 9 } else { 0 };
        assert_eq!(challenge.blocks_per_check(), blocks);
        for noise in [10, 2_000] {
            let keys = key_set(noise, &fixture.pmk);
            assert_eq!(keys.find(&challenge), Some(&usize::MAX));
            assert_eq!(keys.find_sequential(&challenge), Some(&usize::MAX));
        }
    }
}

#[test]
fn psk_sha256_fixture_is_not_matched_as_wpa2_and_vice_versa() {
    let all = fixtures();
    let Some(sha256) = all.iter().find(|fixture| fixture.akm == 6) else {
        panic!("make_fixtures.py writes a PSK-SHA256 case");
    };
    let mut as_wpa2 = sha256.handshake.clone();
    as_wpa2.frame[6] = 0x0a;
    let challenge = Challenge::new(&as_wpa2).expect("a message 2");
    assert_eq!(key_set(10, &sha256.pmk).find(&challenge), None);
    let mut with_akm = sha256.handshake.clone();
    with_akm.akm = Some(0x000f_ac06);
    let challenge = Challenge::new(&with_akm).expect("PSK-SHA256 with its AKM");
    assert_eq!(
        key_set(600, &sha256.pmk).find(&challenge),
        Some(&usize::MAX)
    );
}

#[test]
fn wrong_key_tampered_frame_and_revoked_key_do_not_match() {
    let fixture = &fixtures()[0];
    let challenge = Challenge::new(&fixture.handshake).expect("a message 2");
    let mut keys = key_set(1_000, &[0x42; 32]);
    assert_eq!(keys.find(&challenge), None);

    let mut tampered = fixture.handshake.clone();
    tampered.frame[120] ^= 1;
    let tampered = Challenge::new(&tampered).expect("still a message 2");
    keys.insert(7_777, &fixture.pmk);
    assert_eq!(keys.find(&tampered), None);
    assert_eq!(keys.find(&challenge), Some(&7_777));
    assert_eq!(keys.find_where(&challenge, |id| *id == 7_777), Some(&7_777));
    assert_eq!(
        keys.find_where(&challenge, |id| *id != 7_777),
        None,
        "only the keys asked for are tried"
    );

    keys.retain(|id| *id != 7_777);
    assert_eq!(keys.find(&challenge), None);

    let mut other_station = fixture.handshake.clone();
    other_station.spa[5] ^= 1;
    let other = Challenge::new(&other_station).expect("a message 2");
    assert_eq!(key_set(10, &fixture.pmk).find(&other), None);
}

#[test]
fn bad_frames_are_rejected_with_their_reason() {
    let frame = fixtures()[0].handshake.frame.clone();
    let with = |at: usize, value: u8| {
        let mut copy = frame.clone();
        copy[at] = value;
        copy
    };
    let cases: Vec<(Vec<u8>, FrameError)> = vec![
        (frame[..60].to_vec(), FrameError::Truncated(60)),
        (vec![0; 5_000], FrameError::TooLong(5_000)),
        (with(0, 9), FrameError::ProtocolVersion(9)),
        (with(1, 0), FrameError::PacketType(0)),
        (
            with(2, 0xff),
            FrameError::BodyLength {
                body: 0xff75,
                frame: 121,
            },
        ),
        (with(4, 254), FrameError::DescriptorType(254)),
        (with(6, 0x09), FrameError::DescriptorVersion(1)),
        (with(6, 0x8a), FrameError::NotMessage2(0x018a)),
        (
            with(98, 0x30),
            FrameError::KeyDataLength {
                data: 0x30,
                available: 22,
            },
        ),
    ];
    for (bad, expected) in cases {
        assert_eq!(parse_message2(&bad), Err(expected));
    }
    let mut mismatched = fixtures()[0].handshake.clone();
    mismatched.akm = Some(0x000f_ac06);
    assert_eq!(
        Challenge::new(&mismatched).map(|_| ()),
        Err(MatchError::Unsupported)
    );
    assert!(parse_message2(&frame).is_ok());
}

#[test]
fn dialect_attributes_give_the_same_handshake() {
    let fixture = &fixtures()[0];
    let want = &fixture.handshake;
    let anonce = hex::encode(want.anonce);
    let frame = hex::encode(&want.frame);

    let hostapd = attributes::hostapd(
        &format!("0x{anonce}"),
        &format!("0x{frame}"),
        "0A-0B-0C-0D-0E-0F:Lanyard",
        "02-AA-BB-CC-DD-EE",
    )
    .expect("hostapd attributes");
    assert_eq!(
        (hostapd.aa, hostapd.spa, hostapd.anonce),
        (want.aa, want.spa, want.anonce)
    );
    assert_eq!(hostapd.frame, want.frame);
    assert_eq!(hostapd.ssid.as_deref(), Some(&b"Lanyard"[..]));

    let pairs = [
        format!("cisco-anonce={anonce}"),
        format!("cisco-8021x-data={frame}"),
        "cisco-bssid=0a:0b:0c:0d:0e:0f".to_owned(),
        "cisco-wlan-ssid=Lanyard".to_owned(),
        "audit-session-id=whatever".to_owned(),
    ];
    let cisco = attributes::cisco(pairs.iter().map(String::as_str), "02aabbccddee")
        .expect("cisco attributes");
    assert_eq!(cisco, hostapd);
    // As IOS XE sends them: raw bytes, each one character U+0000–U+00FF after rlm_rest's JSON.
    let latin1 = |bytes: &[u8]| bytes.iter().map(|&b| char::from(b)).collect::<String>();
    let binary = [
        format!("cisco-anonce={}", latin1(&want.anonce)),
        format!("cisco-8021x-data={}", latin1(&want.frame)),
        "cisco-bssid=0a0b.0c0d.0e0f".to_owned(),
        "cisco-wlan-ssid=Lanyard".to_owned(),
    ];
    let cisco = attributes::cisco(binary.iter().map(String::as_str), "02aabbccddee")
        .expect("binary cisco attributes");
    assert_eq!(cisco, hostapd);
    assert_eq!(
        attributes::cisco_octets("cisco-8021x-data", "\u{100}"),
        Err(handshake::AttributeError::Hex("cisco-8021x-data")),
        "a character above U+00FF is no byte"
    );

    let mut tlv = vec![1, 6, 0x00, 0x0f, 0xac, 0x02, 2, 3, 4, 3, 34];
    tlv.extend_from_slice(&want.anonce);
    tlv.extend_from_slice(&[4, (2 + want.frame.len()) as u8]);
    tlv.extend_from_slice(&want.frame);
    let params = attributes::parse_ruckus_tlv(&tlv).expect("tlv");
    assert_eq!(params.akm, Some(0x000f_ac02));
    let ruckus = attributes::ruckus(&params, &want.aa, "02:aa:bb:cc:dd:ee", Some("Lanyard"))
        .expect("ruckus attributes");
    assert_eq!(ruckus.frame, want.frame);
    assert!(Challenge::new(&ruckus).is_ok());

    let rest = attributes::ruckus_rest(
        Some("0x000fac02"),
        &format!("0x{anonce}"),
        &format!("0x{frame}"),
        "0x0a0b0c0d0e0f",
        "02-AA-BB-CC-DD-EE",
        Some("Lanyard"),
    )
    .expect("ruckus rlm_rest attributes");
    assert_eq!(rest, ruckus);
}

#[test]
fn bad_attributes_are_rejected_with_their_reason() {
    use attributes::AttributeError;
    assert_eq!(
        attributes::parse_ruckus_tlv(&[3, 40, 0]),
        Err(AttributeError::Tlv(0))
    );
    assert_eq!(
        attributes::parse_ruckus_tlv(&[3, 1]),
        Err(AttributeError::Tlv(0))
    );
    assert_eq!(
        attributes::octets("x", "0xzz"),
        Err(AttributeError::Hex("x"))
    );
    assert_eq!(
        attributes::mac("m", "00:11:22"),
        Err(AttributeError::Mac("m"))
    );
    let short = attributes::hostapd("0x00", "0x00", "00-11-22-33-44-55", "00-11-22-33-44-66");
    assert_eq!(
        short.map(|_| ()),
        Err(AttributeError::Length {
            name: "FreeRADIUS-802.1X-Anonce",
            expected: 32,
            got: 1
        })
    );
    let huge = format!("0x{}", "00".repeat(5_000));
    assert_eq!(
        attributes::octets("big", &huge),
        Err(AttributeError::TooLong("big"))
    );
    assert!(matches!(
        attributes::cisco(["cisco-anonce=00"], "00-11-22-33-44-66"),
        Err(AttributeError::Missing("cisco-8021x-data"))
    ));
}

#[test]
fn passphrases_outside_wpa2_rules_have_no_pmk() {
    assert!(pmk("short", b"ssid").is_err());
    assert!(pmk(&"x".repeat(64), b"ssid").is_err());
    assert!(pmk("tab\there!", b"ssid").is_err());
    assert!(pmk("long enough", b"").is_err());
}
