//! Optix webhook signatures: `request_signature = sha1(client_id + secret + created_timestamp)`
//! in hex (seed 002, "Using Webhooks"). Not an HMAC and the body is not covered, so ingest also
//! checks the timestamp window and the organization, and provision re-reads the API.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

pub fn expected_signature(client_id: &str, secret: &str, created_timestamp: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(client_id.as_bytes());
    hasher.update(secret.as_bytes());
    hasher.update(created_timestamp.as_bytes());
    hex::encode(hasher.finalize())
}

/// Constant-time comparison; hex case does not matter.
pub fn verify_signature(
    client_id: &str,
    secret: &str,
    created_timestamp: &str,
    given: &str,
) -> bool {
    let expected = expected_signature(client_id, secret, created_timestamp);
    let given = given.trim().to_ascii_lowercase();
    expected.as_bytes().ct_eq(given.as_bytes()).into()
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
}
