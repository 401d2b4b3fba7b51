//! The key ring: sealing secrets for the log and keyed hashes (HMAC-SHA256).
//!
//! The master key (from configuration, never stored) seals organization tokens and wraps the
//! per-member data keys; member keys seal a member's profile and passphrase. Associated data
//! binds each ciphertext to its stream, so a sealed value cannot be moved to another member.

use crate::aead;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use domain::Sealed;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("{0} must be 64 hex characters (32 bytes)")]
    BadKey(&'static str),
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value could not be opened (wrong key or tampered)")]
    Open,
}

pub struct KeyRing {
    master: aead::Cipher,
    hash_key: [u8; 32],
}

/// A member's data key (32 random bytes).
pub struct MemberKey(aead::Cipher);

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing([redacted])")
    }
}

fn parse_key(hex_key: &str, what: &'static str) -> Result<[u8; 32], CryptoError> {
    aead::parse_key(hex_key).ok_or(CryptoError::BadKey(what))
}

fn seal_with(cipher: &aead::Cipher, key_name: &str, plaintext: &[u8], aad: &[u8]) -> Sealed {
    let (nonce, ciphertext) = aead::seal(cipher, plaintext, aad);
    Sealed {
        key: key_name.to_owned(),
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
    }
}

fn open_with(cipher: &aead::Cipher, sealed: &Sealed, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let nonce = B64
        .decode(&sealed.nonce)
        .map_err(|_| CryptoError::Malformed)?;
    if nonce.len() != aead::NONCE_LEN {
        return Err(CryptoError::Malformed);
    }
    let ciphertext = B64
        .decode(&sealed.ciphertext)
        .map_err(|_| CryptoError::Malformed)?;
    aead::open(cipher, &nonce, &ciphertext, aad).ok_or(CryptoError::Open)
}

impl KeyRing {
    pub fn from_hex(master_key: &str, hash_key: &str) -> Result<Self, CryptoError> {
        let master = parse_key(master_key, "master_key")?;
        let hash_key = parse_key(hash_key, "hash_key")?;
        Ok(KeyRing {
            master: aead::cipher(&master),
            hash_key,
        })
    }

    pub fn seal_with_master(&self, plaintext: &[u8], aad: &str) -> Sealed {
        seal_with(&self.master, "master", plaintext, aad.as_bytes())
    }

    pub fn open_with_master(&self, sealed: &Sealed, aad: &str) -> Result<Vec<u8>, CryptoError> {
        open_with(&self.master, sealed, aad.as_bytes())
    }

    /// A fresh member data key, and its wrapped form for `member_keys`.
    pub fn new_member_key(&self, aad: &str) -> (MemberKey, Sealed) {
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let wrapped = self.seal_with_master(&raw, aad);
        (MemberKey(aead::cipher(&raw)), wrapped)
    }

    pub fn unwrap_member_key(&self, wrapped: &Sealed, aad: &str) -> Result<MemberKey, CryptoError> {
        let raw = self.open_with_master(wrapped, aad)?;
        let raw: [u8; 32] = raw.try_into().map_err(|_| CryptoError::Malformed)?;
        Ok(MemberKey(aead::cipher(&raw)))
    }

    /// HMAC-SHA256 over `purpose`, `org_id` and `value` (lowercase hex). Used for lookups and
    /// uniqueness (email, passphrase, token fingerprint) without decrypting anything.
    pub fn keyed_hash(&self, purpose: &str, org_id: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in [purpose, org_id, value] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

impl MemberKey {
    pub fn seal(&self, plaintext: &[u8], aad: &str) -> Sealed {
        seal_with(&self.0, "member", plaintext, aad.as_bytes())
    }
    pub fn open(&self, sealed: &Sealed, aad: &str) -> Result<Vec<u8>, CryptoError> {
        open_with(&self.0, sealed, aad.as_bytes())
    }
}

/// The keyed hash of an email address (trimmed, lowercased) within an organization: how the
/// portal finds an account by email without opening any profile.
pub fn email_hash(keys: &KeyRing, org_id: &str, email: &str) -> String {
    keys.keyed_hash("email", org_id, &email.trim().to_lowercase())
}

/// A member's personal data, sealed with their data key in `members.profile`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ProfileData {
    pub email: String,
    pub fullname: String,
}

/// Opens a sealed profile (`aad`: the member's stream id, e.g. `member-6267-12346`).
pub fn open_profile(key: &MemberKey, aad: &str, sealed: &Sealed) -> Option<ProfileData> {
    let bytes = key.open(sealed, aad).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A member's profile, opened with their wrapped data key (`None` when either does not open).
pub fn open_member_profile(
    keys: &KeyRing,
    org_id: &str,
    user_id: &str,
    wrapped_key: &Sealed,
    profile: &Sealed,
) -> Option<ProfileData> {
    let aad = crate::contexts::member(org_id, user_id);
    let key = keys.unwrap_member_key(wrapped_key, &aad).ok()?;
    open_profile(&key, &aad, profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> KeyRing {
        KeyRing::from_hex(&"11".repeat(32), &"22".repeat(32)).expect("keys")
    }

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let ring = ring();
        let (key, wrapped) = ring.new_member_key("member-1-2");
        let sealed = key.seal(b"correct horse", "member-1-2");
        assert!(!sealed.ciphertext.contains("correct"));
        let reopened = ring
            .unwrap_member_key(&wrapped, "member-1-2")
            .expect("unwrap");
        assert_eq!(
            reopened.open(&sealed, "member-1-2").expect("open"),
            b"correct horse"
        );
        assert_eq!(reopened.open(&sealed, "member-1-3"), Err(CryptoError::Open));
        let (other, _) = ring.new_member_key("member-1-2");
        assert_eq!(other.open(&sealed, "member-1-2"), Err(CryptoError::Open));
    }

    #[test]
    fn keyed_hashes_are_stable_and_separated_by_purpose_and_org() {
        let ring = ring();
        let a = ring.keyed_hash("passphrase", "6267", "abc");
        assert_eq!(a, ring.keyed_hash("passphrase", "6267", "abc"));
        assert_ne!(a, ring.keyed_hash("email", "6267", "abc"));
        assert_ne!(a, ring.keyed_hash("passphrase", "6268", "abc"));
    }

    #[test]
    fn bad_keys_are_refused_with_the_key_name() {
        assert_eq!(
            KeyRing::from_hex("abc", &"22".repeat(32)).err(),
            Some(CryptoError::BadKey("master_key"))
        );
    }
}
