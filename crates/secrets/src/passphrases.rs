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
