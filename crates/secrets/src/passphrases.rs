//! Generating and sealing the secrets provision hands to the domain.

use crate::key_ring::{CryptoError, KeyRing, MemberKey, ProfileData, email_hash};
use domain::member::{FreshPassphrase, Profile};
use domain::passphrase::{ALPHABET, GROUP_LEN, GROUPS, from_indices};
use rand::Rng;

/// A passphrase from the OS CSPRNG over the unambiguous alphabet (≈ 69 bits).
pub fn generate_passphrase() -> String {
    let mut rng = rand::rngs::OsRng;
    let mut indices = [0usize; GROUPS * GROUP_LEN];
    for index in indices.iter_mut() {
        *index = rng.gen_range(0..ALPHABET.len());
    }
    from_indices(&indices)
}

pub fn passphrase_hash(keys: &KeyRing, org_id: &str, passphrase: &str) -> String {
    keys.keyed_hash("passphrase", org_id, passphrase)
}

pub fn seal_passphrase(
    keys: &KeyRing,
    key: &MemberKey,
    org_id: &str,
    aad: &str,
    passphrase: &str,
) -> FreshPassphrase {
    FreshPassphrase {
        passphrase: key.seal(passphrase.as_bytes(), aad),
        lookup_hash: passphrase_hash(keys, org_id, passphrase),
    }
}

/// A member's passphrase in clear, opened with their data key, which the key ring unwraps
/// (both bound to the member's stream id). The portal shows it; RADIUS hands it to the NAS.
pub fn open_member_passphrase(
    keys: &KeyRing,
    org_id: &str,
    user_id: &str,
    wrapped_key: &domain::Sealed,
    passphrase: &domain::Sealed,
) -> Result<String, CryptoError> {
    let aad = crate::contexts::member(org_id, user_id);
    let key = keys.unwrap_member_key(wrapped_key, &aad)?;
    let bytes = key.open(passphrase, &aad)?;
    String::from_utf8(bytes).map_err(|_| CryptoError::Malformed)
}

pub fn seal_profile(
    keys: &KeyRing,
    key: &MemberKey,
    org_id: &str,
    aad: &str,
    profile: &ProfileData,
) -> Profile {
    let plaintext = serde_json::to_vec(profile).unwrap_or_default();
    Profile {
        sealed: key.seal(&plaintext, aad),
        email_hash: email_hash(keys, org_id, &profile.email),
    }
}

/// A member's PMK for `ssid`, sealed with their data key (bound to the member and the SSID).
pub fn seal_member_pmk(
    key: &MemberKey,
    org_id: &str,
    user_id: &str,
    ssid: &str,
    pmk: &[u8; 32],
) -> domain::Sealed {
    key.seal(pmk, &crate::contexts::member_pmk(org_id, user_id, ssid))
}

/// A member's PMK for `ssid`, opened with their data key.
pub fn open_member_pmk(
    key: &MemberKey,
    org_id: &str,
    user_id: &str,
    ssid: &str,
    sealed: &domain::Sealed,
) -> Result<[u8; 32], CryptoError> {
    let bytes = key.open(sealed, &crate::contexts::member_pmk(org_id, user_id, ssid))?;
    bytes.try_into().map_err(|_| CryptoError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_passphrase_opens_only_for_its_own_member() {
        let keys = KeyRing::from_hex(&"11".repeat(32), &"22".repeat(32)).expect("keys");
        let aad = crate::contexts::member("6267", "12346");
        let (key, wrapped) = keys.new_member_key(&aad);
        let fresh = seal_passphrase(&keys, &key, "6267", &aad, "Kr26-3w5u-bnQ4");
        assert_eq!(
            open_member_passphrase(&keys, "6267", "12346", &wrapped, &fresh.passphrase).as_deref(),
            Ok("Kr26-3w5u-bnQ4")
        );
        assert_eq!(
            open_member_passphrase(&keys, "6267", "12347", &wrapped, &fresh.passphrase),
            Err(CryptoError::Open)
        );
    }
}
