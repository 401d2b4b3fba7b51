//! Optix webhook signatures: `request_signature = sha1(client_id + secret + created_timestamp)`
//! in hex (seed 002, "Using Webhooks"). Not an HMAC and the body is not covered, so ingest also
//! checks the timestamp window and the organization, and provision re-reads the API.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

pub fn expected_signature(client_id: &str, secret: &str, created_timestamp: &str) -> String {
    hex::encode(signature_digest(client_id, secret, created_timestamp))
}

fn signature_digest(client_id: &str, secret: &str, created_timestamp: &str) -> [u8; 20] {
    let mut hasher = Sha1::new();
    hasher.update(client_id.as_bytes());
    hasher.update(secret.as_bytes());
    hasher.update(created_timestamp.as_bytes());
    hasher.finalize().into()
}

/// Constant-time comparison of the digests; hex case does not matter. The given hex is decoded
/// instead of the expected digest encoded: no allocation on ingest's path.
pub fn verify_signature(
    client_id: &str,
    secret: &str,
    created_timestamp: &str,
    given: &str,
) -> bool {
    let mut given_digest = [0u8; 20];
    if hex::decode_to_slice(given.trim(), &mut given_digest).is_err() {
        return false;
    }
    let expected = signature_digest(client_id, secret, created_timestamp);
    expected.ct_eq(&given_digest).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_test_vector() {
        assert_eq!(
            expected_signature("123", "secret", "123456"),
            "4739add6e433e2e9510761d994ba127f1b45834d"
        );
        assert!(verify_signature(
            "123",
            "secret",
            "123456",
            "4739ADD6E433E2E9510761D994BA127F1B45834D"
        ));
        assert!(!verify_signature(
            "123",
            "secret",
            "123457",
            "4739add6e433e2e9510761d994ba127f1b45834d"
        ));
        assert!(!verify_signature("123", "secret", "123456", ""));
    }

    #[test]
    fn a_signature_is_read_whatever_its_case_and_surrounding_spaces_and_refused_otherwise() {
        let right = "4739add6e433e2e9510761d994ba127f1b45834d";
        let check = |given: &str| verify_signature("123", "secret", "123456", given);
        assert!(check(&format!("  {right}\n")));
        assert!(check("4739Add6E433e2e9510761d994ba127f1b45834D"));
        // Too short, too long, not hex, one digit off.
        assert!(!check(&right[..39]));
        assert!(!check(&format!("{right}0")));
        assert!(!check(&format!("{}g", &right[..39])));
        assert!(!check("4739add6e433e2e9510761d994ba127f1b45834e"));
    }
}
