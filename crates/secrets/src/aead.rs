//! The one AEAD (XChaCha20-Poly1305 with a random 24-byte nonce) behind every sealed value:
//! secrets in the log ([`crate::KeyRing`], [`crate::MemberKey`]) and webhook bodies on the bus.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore;

pub const NONCE_LEN: usize = 24;

/// A key ready to seal and open with.
pub type Cipher = XChaCha20Poly1305;

/// A 32-byte key from 64 hex characters (surrounding white space ignored).
pub fn parse_key(hex_key: &str) -> Option<[u8; 32]> {
    hex::decode(hex_key.trim()).ok()?.try_into().ok()
}

pub fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(Key::from_slice(key))
}

/// `plaintext` sealed under a fresh nonce, bound to `aad`: (nonce, ciphertext).
pub fn seal(
    cipher: &XChaCha20Poly1305,
    plaintext: &[u8],
    aad: &[u8],
) -> ([u8; NONCE_LEN], Vec<u8>) {
    let mut nonce = [0u8; NONCE_LEN];
    // The thread's CSPRNG (ChaCha, reseeded from the OS): a syscall per nonce cost ingest
    // more than the encryption itself.
    rand::thread_rng().fill_bytes(&mut nonce);
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        // Encryption fails only for plaintexts beyond 256 GiB.
        .unwrap_or_default();
    (nonce, ciphertext)
}

/// The plaintext, or `None` when the nonce is malformed, the key or `aad` is wrong, or the
/// ciphertext was tampered with.
pub fn open(
    cipher: &XChaCha20Poly1305,
    nonce: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
) -> Option<Vec<u8>> {
    if nonce.len() != NONCE_LEN {
        return None;
    }
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
}
