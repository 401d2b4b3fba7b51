//! NAS shared secrets: sealed with the master key before they enter an event, opened only by
//! a service that holds the key ring (the RADIUS endpoint, the Disconnect-Request sender).

use crate::contexts;
use crate::key_ring::{CryptoError, KeyRing};
use domain::Sealed;
use domain::nas::SecretText;

pub fn seal_nas_secret(keys: &KeyRing, org_id: &str, nas_id: &str, secret: &SecretText) -> Sealed {
    keys.seal_with_master(
        secret.expose().as_bytes(),
        &contexts::nas_secret(org_id, nas_id),
    )
}

pub fn open_nas_secret(
    keys: &KeyRing,
    org_id: &str,
    nas_id: &str,
    sealed: &Sealed,
) -> Result<SecretText, CryptoError> {
    let clear = keys.open_with_master(sealed, &contexts::nas_secret(org_id, nas_id))?;
    String::from_utf8(clear)
        .map(SecretText::new)
        .map_err(|_| CryptoError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nas_secret_opens_only_for_its_own_nas() {
        let keys = KeyRing::from_hex(&"11".repeat(32), &"22".repeat(32)).expect("keys");
        let secret = SecretText::new("testing123testing123");
        let sealed = seal_nas_secret(&keys, "6267", "lobby", &secret);
        assert!(!sealed.ciphertext.contains("testing123"));
        assert_eq!(
            open_nas_secret(&keys, "6267", "lobby", &sealed).expect("open"),
            secret
        );
        assert!(open_nas_secret(&keys, "6267", "other", &sealed).is_err());
        assert!(open_nas_secret(&keys, "9999", "lobby", &sealed).is_err());
    }
}
