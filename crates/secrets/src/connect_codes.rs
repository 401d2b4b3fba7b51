//! Connect codes: how an operator lets someone connect an OfficeRnD organization from the
//! portal's connect page before Lanyard holds any secret of that organization (so nothing
//! OfficeRnD signs can be checked yet). `lanyard officernd connect-code --slug …` issues one:
//! `<expiry, unix seconds>.<HMAC-SHA256 with the hash key over the slug and the expiry>`. It
//! is bound to one slug, expires, and is spent once the organization is connected (the page
//! refuses a slug already connected). Nothing is stored: the keyed hash is the proof.

use crate::KeyRing;
use subtle::ConstantTimeEq;

const PURPOSE: &str = "officernd-connect-code";

/// Why a connect code is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectCodeError {
    #[error(
        "the connect code is malformed: expected <expiry>.<hex> as `lanyard officernd connect-code` prints it"
    )]
    Malformed,
    #[error("the connect code expired: ask the operator for a new one")]
    Expired,
    #[error("the connect code is not valid for this organization slug")]
    Mismatch,
}

/// The code for `slug`, valid until `expires_at` (unix seconds).
pub fn issue(keys: &KeyRing, slug: &str, expires_at: i64) -> String {
    format!(
        "{expires_at}.{}",
        keys.keyed_hash(PURPOSE, slug, &expires_at.to_string())
    )
}

/// Checks `code` for `slug` at `now`; the comparison is constant-time.
pub fn check(keys: &KeyRing, slug: &str, code: &str, now: i64) -> Result<(), ConnectCodeError> {
    let (expires_at, mac) = code
        .trim()
        .split_once('.')
        .ok_or(ConnectCodeError::Malformed)?;
    let expires_at: i64 = expires_at
        .parse()
        .map_err(|_| ConnectCodeError::Malformed)?;
    if mac.len() != 64 || !mac.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ConnectCodeError::Malformed);
    }
    let expected = keys.keyed_hash(PURPOSE, slug, &expires_at.to_string());
    if !bool::from(
        expected
            .as_bytes()
            .ct_eq(mac.to_ascii_lowercase().as_bytes()),
    ) {
        return Err(ConnectCodeError::Mismatch);
    }
    if now >= expires_at {
        return Err(ConnectCodeError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> KeyRing {
        KeyRing::from_hex(&"11".repeat(32), &"22".repeat(32)).expect("keys")
    }

    #[test]
    fn a_code_opens_its_slug_until_it_expires() {
        let code = issue(&keys(), "lanyard-demo", 1_000);
        assert_eq!(check(&keys(), "lanyard-demo", &code, 999), Ok(()));
        assert_eq!(
            check(&keys(), "lanyard-demo", &code, 1_000),
            Err(ConnectCodeError::Expired)
        );
        assert_eq!(
            check(&keys(), "another-space", &code, 999),
            Err(ConnectCodeError::Mismatch)
        );
        let later = code.replacen("1000.", "9000.", 1);
        assert_eq!(
            check(&keys(), "lanyard-demo", &later, 999),
            Err(ConnectCodeError::Mismatch),
            "the expiry is signed"
        );
        assert_eq!(
            check(&keys(), "lanyard-demo", "not-a-code", 999),
            Err(ConnectCodeError::Malformed)
        );
        let other_keys = KeyRing::from_hex(&"11".repeat(32), &"33".repeat(32)).expect("keys");
        assert_eq!(
            check(&other_keys, "lanyard-demo", &code, 999),
            Err(ConnectCodeError::Mismatch)
        );
    }
}
