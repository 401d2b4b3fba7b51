//! The wire form of the requests Lanyard sends (RFC 5176: a Disconnect-Request to a NAS, a
//! CoA-Request to FreeRADIUS's answer-cache listener) and the reading of their answers.
//!
//! Written here rather than taken from a crate: the one Rust RADIUS crate on the registry
//! (`radius`, 0.4.0) has had no release or commit since January 2024, signs no
//! Message-Authenticator, and its name is this crate's. What Lanyard needs is one request
//! of four attributes and two answers, each checked below against the RFC's formulas and, in
//! the integration tests, against FreeRADIUS receiving it (which verifies both
//! authenticators).

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use runtime::Secret;
use std::net::IpAddr;

pub const DISCONNECT_REQUEST: u8 = 40;
pub const DISCONNECT_ACK: u8 = 41;
pub const DISCONNECT_NAK: u8 = 42;
/// CoA-Request (RFC 5176): how the answer cache tells FreeRADIUS which key to fetch again.
pub const COA_REQUEST: u8 = 43;
const USER_NAME: u8 = 1;
const NAS_IP_ADDRESS: u8 = 4;
const CALLING_STATION_ID: u8 = 31;
const ACCT_SESSION_ID: u8 = 44;
const EVENT_TIMESTAMP: u8 = 55;
const MESSAGE_AUTHENTICATOR: u8 = 80;
const NAS_IPV6_ADDRESS: u8 = 95;
const ERROR_CAUSE: u8 = 101;

const HEADER_LENGTH: usize = 20;
const AUTHENTICATOR: std::ops::Range<usize> = 4..20;
/// The largest RADIUS packet (RFC 2865 §3).
pub const MAX_PACKET_LENGTH: usize = 4096;
/// An attribute's value is at most 253 octets (its length octet counts the two header octets).
const MAX_VALUE_LENGTH: usize = 253;

/// What identifies the session at the NAS (RFC 5176 §3: session identification attributes),
/// as the NAS itself reported them in accounting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionIdentity {
    pub user_name: String,
    pub calling_station_id: String,
    pub acct_session_id: String,
    pub nas_ip: Option<IpAddr>,
}

/// The NAS's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Disconnect-ACK: the session is ended.
    Acked,
    /// Disconnect-NAK, with the NAS's Error-Cause (RFC 5176 §3.5) when it gave one.
    Nacked { error_cause: Option<u32> },
    /// No valid answer after every try.
    NoAnswer,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncodeError {
    #[error("the NAS's shared secret is empty")]
    EmptySecret,
    #[error("attribute {0} is longer than 253 octets")]
    TooLong(u8),
}

fn push_attribute(packet: &mut Vec<u8>, kind: u8, value: &[u8]) -> Result<(), EncodeError> {
    if value.len() > MAX_VALUE_LENGTH {
        return Err(EncodeError::TooLong(kind));
    }
    packet.push(kind);
    // At most 255: checked above.
    packet.push((value.len() + 2) as u8);
    packet.extend_from_slice(value);
    Ok(())
}

fn md5_over(parts: &[&[u8]]) -> [u8; 16] {
    let mut md5 = Md5::new();
    for part in parts {
        md5.update(part);
    }
    md5.finalize().into()
}

/// The Disconnect-Request for `session`, signed (see [`encode`]). `event_timestamp` (Unix
/// seconds) is the Event-Timestamp NASes check against replays (RFC 5176 §3.5; hostapd's
/// `radius_das_time_window` and `radius_das_require_event_timestamp`).
pub fn encode_request(
    identifier: u8,
    session: &SessionIdentity,
    event_timestamp: u32,
    secret: &Secret,
) -> Result<Vec<u8>, EncodeError> {
    let nas_ip = match session.nas_ip {
        Some(IpAddr::V4(v4)) => Some((NAS_IP_ADDRESS, v4.octets().to_vec())),
        Some(IpAddr::V6(v6)) => Some((NAS_IPV6_ADDRESS, v6.octets().to_vec())),
        None => None,
    };
    let mut attributes: Vec<(u8, &[u8])> = vec![
        (USER_NAME, session.user_name.as_bytes()),
        (CALLING_STATION_ID, session.calling_station_id.as_bytes()),
        (ACCT_SESSION_ID, session.acct_session_id.as_bytes()),
    ];
    if let Some((kind, value)) = &nas_ip {
        attributes.push((*kind, value));
    }
    let timestamp = event_timestamp.to_be_bytes();
    attributes.push((EVENT_TIMESTAMP, &timestamp));
    encode(DISCONNECT_REQUEST, identifier, &attributes, secret)
}

/// A CoA-Request naming one `user_name` (the answer cache's key), signed (see [`encode`]).
pub fn encode_coa_request(
    identifier: u8,
    user_name: &str,
    event_timestamp: u32,
    secret: &Secret,
) -> Result<Vec<u8>, EncodeError> {
    let timestamp = event_timestamp.to_be_bytes();
    let attributes: [(u8, &[u8]); 2] = [
        (USER_NAME, user_name.as_bytes()),
        (EVENT_TIMESTAMP, &timestamp),
    ];
    encode(COA_REQUEST, identifier, &attributes, secret)
}

/// A request's bytes, signed: Message-Authenticator (HMAC-MD5 over the packet with the
/// Authenticator field and itself zeroed, RFC 5176 §3.1 / RFC 3579 §3.2), then the Request
/// Authenticator, MD5(Code | Identifier | Length | 16 zero octets | Attributes | secret)
/// (RFC 5176 §2.3, as RFC 2866 §3 for accounting).
fn encode(
    code: u8,
    identifier: u8,
    attributes: &[(u8, &[u8])],
    secret: &Secret,
) -> Result<Vec<u8>, EncodeError> {
    let secret = secret.expose().as_bytes();
    if secret.is_empty() {
        return Err(EncodeError::EmptySecret);
    }
    let mut packet = vec![code, identifier, 0, 0];
    packet.extend_from_slice(&[0; 16]);
    for (kind, value) in attributes {
        push_attribute(&mut packet, *kind, value)?;
    }
    push_attribute(&mut packet, MESSAGE_AUTHENTICATOR, &[0; 16])?;
    // A few attributes of at most 255 octets and a header: far below u16::MAX.
    let length = u16::try_from(packet.len()).map_err(|_| EncodeError::TooLong(0))?;
    packet[2..4].copy_from_slice(&length.to_be_bytes());
    let signature_at = packet.len() - 16;
    let mut hmac =
        <Hmac<Md5> as Mac>::new_from_slice(secret).map_err(|_| EncodeError::EmptySecret)?;
    hmac.update(&packet);
    packet[signature_at..].copy_from_slice(&hmac.finalize().into_bytes());
    let authenticator = md5_over(&[&packet, secret]);
    packet[AUTHENTICATOR].copy_from_slice(&authenticator);
    Ok(packet)
}

/// Reads a datagram as the answer to `request`: its identifier, a Response Authenticator
/// MD5(Code | Identifier | Length | Request Authenticator | Attributes | secret) (RFC 5176
/// §2.3), the request's ACK or NAK whose attributes parse. Anything else is not an answer (a
/// stray or forged datagram) and the caller skips it.
pub fn read_answer(datagram: &[u8], request: &[u8], secret: &Secret) -> Option<Answer> {
    if datagram.len() < HEADER_LENGTH || request.len() < HEADER_LENGTH {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([datagram[2], datagram[3]]));
    if !(HEADER_LENGTH..=MAX_PACKET_LENGTH).contains(&length) || datagram.len() < length {
        return None;
    }
    let packet = &datagram[..length];
    if packet[1] != request[1] {
        return None;
    }
    let expected = md5_over(&[
        &packet[..4],
        &request[AUTHENTICATOR],
        &packet[HEADER_LENGTH..],
        secret.expose().as_bytes(),
    ]);
    if packet[AUTHENTICATOR] != expected {
        return None;
    }
    let attributes = attributes(&packet[HEADER_LENGTH..])?;
    // Each request's ACK and NAK follow its code: 40 → 41/42, 43 → 44/45 (RFC 5176 §3).
    let (ack, nak) = (request[0].wrapping_add(1), request[0].wrapping_add(2));
    match packet[0] {
        code if code == ack => Some(Answer::Acked),
        code if code == nak => Some(Answer::Nacked {
            error_cause: attributes
                .iter()
                .find(|(kind, _)| *kind == ERROR_CAUSE)
                .and_then(|(_, value)| <[u8; 4]>::try_from(*value).ok())
                .map(u32::from_be_bytes),
        }),
        _ => None,
    }
}

/// The (type, value) pairs of an attribute area, or None when one's length is impossible.
fn attributes(mut area: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut found = Vec::new();
    while !area.is_empty() {
        let [kind, length, ..] = *area else {
            return None;
        };
        let length = usize::from(length);
        if length < 2 || length > area.len() {
            return None;
        }
        found.push((kind, &area[2..length]));
        area = &area[length..];
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENT_AT: u32 = 1_764_500_000;

    fn session() -> SessionIdentity {
        SessionIdentity {
            user_name: "aabbccddeeff".into(),
            calling_station_id: "AA-BB-CC-DD-EE-FF".into(),
            acct_session_id: "5F1A2B3C-00000001".into(),
            nas_ip: Some("192.0.2.10".parse().expect("address")),
        }
    }

    /// A NAS's answer as RFC 5176 §2.3 makes it.
    fn answer_to(request: &[u8], code: u8, attributes: &[u8], secret: &[u8]) -> Vec<u8> {
        let mut answer = vec![code, request[1], 0, 0];
        answer.extend_from_slice(&request[AUTHENTICATOR]);
        answer.extend_from_slice(attributes);
        let length = answer.len() as u16;
        answer[2..4].copy_from_slice(&length.to_be_bytes());
        let authenticator = md5_over(&[&answer, secret]);
        answer[AUTHENTICATOR].copy_from_slice(&authenticator);
        answer
    }

    #[test]
    fn the_request_authenticator_is_md5_over_the_packet_with_zeros_and_the_secret() {
        let bytes =
            encode_request(7, &session(), SENT_AT, &Secret::new("nas-secret")).expect("encode");
        assert_eq!(bytes[0], DISCONNECT_REQUEST);
        assert_eq!(bytes[1], 7);
        assert_eq!(
            usize::from(u16::from_be_bytes([bytes[2], bytes[3]])),
            bytes.len()
        );
        let mut zeroed = bytes.clone();
        zeroed[AUTHENTICATOR].fill(0);
        assert_eq!(bytes[AUTHENTICATOR], md5_over(&[&zeroed, b"nas-secret"]));
    }

    #[test]
    fn the_message_authenticator_is_hmac_md5_with_both_authenticators_zeroed() {
        let bytes = encode_request(9, &session(), SENT_AT, &Secret::new("s")).expect("encode");
        let signature_at = bytes.len() - 16;
        assert_eq!(bytes[signature_at - 2], MESSAGE_AUTHENTICATOR);
        assert_eq!(bytes[signature_at - 1], 18);
        let mut zeroed = bytes.clone();
        zeroed[AUTHENTICATOR].fill(0);
        zeroed[signature_at..].fill(0);
        let mut hmac = <Hmac<Md5> as Mac>::new_from_slice(b"s").expect("key");
        hmac.update(&zeroed);
        assert_eq!(
            &bytes[signature_at..],
            hmac.finalize().into_bytes().as_slice()
        );
    }

    #[test]
    fn the_request_carries_the_session_s_identifiers_in_order() {
        let bytes = encode_request(1, &session(), SENT_AT, &Secret::new("s")).expect("encode");
        let found = attributes(&bytes[HEADER_LENGTH..]).expect("attributes");
        let kinds: Vec<u8> = found.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(
            kinds,
            [
                USER_NAME,
                CALLING_STATION_ID,
                ACCT_SESSION_ID,
                NAS_IP_ADDRESS,
                EVENT_TIMESTAMP,
                MESSAGE_AUTHENTICATOR
            ]
        );
        assert_eq!(found[0].1, b"aabbccddeeff");
        assert_eq!(found[1].1, b"AA-BB-CC-DD-EE-FF");
        assert_eq!(found[2].1, b"5F1A2B3C-00000001");
        assert_eq!(found[3].1, [192, 0, 2, 10]);
        assert_eq!(found[4].1, SENT_AT.to_be_bytes());
        let v6 = SessionIdentity {
            nas_ip: Some("2001:db8::1".parse().expect("address")),
            ..session()
        };
        let bytes = encode_request(1, &v6, SENT_AT, &Secret::new("s")).expect("encode");
        let found = attributes(&bytes[HEADER_LENGTH..]).expect("attributes");
        assert_eq!(found[3].0, NAS_IPV6_ADDRESS);
        assert_eq!(found[3].1.len(), 16);
    }

    #[test]
    fn an_empty_secret_and_an_overlong_attribute_are_refused() {
        assert_eq!(
            encode_request(1, &session(), SENT_AT, &Secret::new("")),
            Err(EncodeError::EmptySecret)
        );
        let long = SessionIdentity {
            user_name: "x".repeat(254),
            ..session()
        };
        assert_eq!(
            encode_request(1, &long, SENT_AT, &Secret::new("s")),
            Err(EncodeError::TooLong(USER_NAME))
        );
    }

    #[test]
    fn acks_and_naks_are_read_only_with_the_right_secret_and_identifier() {
        let secret = Secret::new("s");
        let request = encode_request(3, &session(), SENT_AT, &secret).expect("encode");
        let ack = answer_to(&request, DISCONNECT_ACK, &[], b"s");
        assert_eq!(read_answer(&ack, &request, &secret), Some(Answer::Acked));
        // Error-Cause 503, Session-Context-Not-Found.
        let nak = answer_to(&request, DISCONNECT_NAK, &[101, 6, 0, 0, 1, 247], b"s");
        assert_eq!(
            read_answer(&nak, &request, &secret),
            Some(Answer::Nacked {
                error_cause: Some(503)
            })
        );
        let forged = answer_to(&request, DISCONNECT_ACK, &[], b"not-the-secret");
        assert_eq!(read_answer(&forged, &request, &secret), None);
        let mut other_id = ack.clone();
        other_id[1] = 4;
        assert_eq!(read_answer(&other_id, &request, &secret), None);
        assert_eq!(read_answer(&ack[..10], &request, &secret), None);
        let broken = answer_to(&request, DISCONNECT_NAK, &[101, 1], b"s");
        assert_eq!(read_answer(&broken, &request, &secret), None);
        let not_an_answer = answer_to(&request, 2, &[], b"s");
        assert_eq!(read_answer(&not_an_answer, &request, &secret), None);
    }
}
