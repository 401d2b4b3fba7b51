//! The Optix signature check with any client_id, secret, timestamp and given signature: never
//! a panic; the expected signature (any hex case, surrounding blanks) always verifies, and
//! nothing else does, in particular no other 40-character string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use optix::signature::{expected_signature, verify_signature};

fuzz_target!(|input: (&str, &str, &str, &str, u8, u8)| {
    let (client_id, secret, timestamp, given, position, digit) = input;
    let expected = expected_signature(client_id, secret, timestamp);
    assert_eq!(expected.len(), 40);
    assert!(
        expected
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    );

    let verify = |candidate: &str| verify_signature(client_id, secret, timestamp, candidate);
    assert!(verify(&expected));
    assert!(verify(&expected.to_ascii_uppercase()));
    assert!(verify(&format!(" {expected}\n")));

    // Any string verifies exactly when it is the expected one, give or take case and blanks.
    let matches = given.trim().to_ascii_lowercase() == expected;
    assert_eq!(
        verify(given),
        matches,
        "given {given:?}, expected {expected}"
    );

    // The same string fitted to 40 characters, so equal-length near misses are tried too.
    let fitted: String = given
        .chars()
        .chain(std::iter::repeat('0'))
        .take(40)
        .collect();
    assert_eq!(
        verify(&fitted),
        fitted.trim().to_ascii_lowercase() == expected
    );

    // The expected signature with one hex digit changed.
    let position = usize::from(position) % 40;
    let mut near: Vec<u8> = expected.clone().into_bytes();
    let replacement = b"0123456789abcdef"[usize::from(digit) % 16];
    if near[position] != replacement {
        near[position] = replacement;
        let near = String::from_utf8(near).expect("hex is ASCII");
        assert!(!verify(&near), "{near} verified in place of {expected}");
    }
});
