//! Lanyard's secrets: sealing (AEAD: XChaCha20-Poly1305), keyed hashes (HMAC-SHA256), the key
//! ring, generated passphrases, and the encryption contexts (associated data) they are bound
//! to. No I/O: the store keeps only what this crate sealed.

pub mod aead;
pub mod connect_codes;
pub mod contexts;
pub mod controllers;
pub mod key_ring;
pub mod nas;
pub mod passphrases;

pub use key_ring::{
    CryptoError, KeyRing, MemberKey, ProfileData, email_hash, open_member_profile, open_profile,
};
pub use nas::{open_nas_secret, seal_nas_secret};
pub use passphrases::{
    generate_passphrase, open_member_passphrase, open_member_pmk, passphrase_hash, seal_member_pmk,
    seal_passphrase, seal_profile,
};
