//! Generating and sealing the secrets provision hands to the domain.

use crate::key_ring::{KeyRing, MemberKey, ProfileData, email_hash};
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

/// A member's passphrase in clear, opened with their data key (`wrapped`, sealed with the
/// master key) from its sealed form; the error says what failed, never the secret.
pub fn open_passphrase(
    keys: &KeyRing,
    org_id: &str,
    user_id: &str,
    wrapped: &domain::Sealed,
    sealed: &domain::Sealed,
) -> Result<String, String> {
    let aad = crate::contexts::member(org_id, user_id);
    let key = keys
        .unwrap_member_key(wrapped, &aad)
        .map_err(|e| e.to_string())?;
    let bytes = key.open(sealed, &aad).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "the passphrase is not UTF-8".to_owned())
}
