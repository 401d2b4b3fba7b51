//! The one AEAD (XChaCha20-Poly1305 with a random 24-byte nonce) behind every sealed value:
//! secrets in the log ([`crate::KeyRing`], [`crate::MemberKey`]) and webhook bodies on the bus.
//!
//! XChaCha20-Poly1305 is ChaCha20-Poly1305 (RFC 8439) under a subkey that HChaCha20 derives
//! from the key and the nonce's first 16 bytes, with the nonce's last 8 bytes as the 12-byte
//! nonce's last 8 (draft-irtf-cfrg-xchacha-03, section 2.3). The subkey comes from RustCrypto's
//! `chacha20::hchacha` and the AEAD from ring's assembly ChaCha20-Poly1305: on ingest's ~300-byte
//! bodies that seals in 0.4 µs where the `chacha20poly1305` crate took 1.9 µs (its Poly1305 and
//! ChaCha backends set up for long messages), with the same bytes out; the tests check that
//! against `chacha20poly1305` itself, so every value sealed before still opens.

use chacha20::cipher::consts::U10;
use rand::RngCore;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use zeroize::{Zeroize, Zeroizing};

pub const NONCE_LEN: usize = 24;
/// Poly1305's tag, after the ciphertext.
const TAG_LEN: usize = 16;

/// A key ready to seal and open with (wiped when dropped).
#[derive(Clone)]
pub struct Cipher {
    key: Zeroizing<[u8; 32]>,
}

impl Cipher {
    /// ChaCha20-Poly1305 under the HChaCha20 subkey of `nonce`'s first 16 bytes, and the
    /// 12-byte nonce made of four zero bytes and `nonce`'s last 8.
    fn inner(&self, nonce: &[u8; NONCE_LEN]) -> (LessSafeKey, Nonce) {
        let (derive, rest) = nonce.split_at(16);
        let mut subkey = chacha20::hchacha::<U10>((&*self.key).into(), derive.into());
        let key = UnboundKey::new(&CHACHA20_POLY1305, subkey.as_slice());
        // ring keeps a copy of its own; this one is not left on the stack.
        subkey.as_mut_slice().zeroize();
        // A 32-byte key is what ChaCha20-Poly1305 takes: this cannot fail.
        let key = key.unwrap_or_else(|_| unreachable!("ChaCha20-Poly1305 takes a 32-byte key"));
        let mut inner_nonce = [0u8; 12];
        inner_nonce[4..].copy_from_slice(rest);
        (
            LessSafeKey::new(key),
            Nonce::assume_unique_for_key(inner_nonce),
        )
    }
}

/// A 32-byte key from 64 hex characters (surrounding white space ignored).
pub fn parse_key(hex_key: &str) -> Option<[u8; 32]> {
    hex::decode(hex_key.trim()).ok()?.try_into().ok()
}

pub fn cipher(key: &[u8; 32]) -> Cipher {
    Cipher {
        key: Zeroizing::new(*key),
    }
}

/// `plaintext` sealed under a fresh nonce, bound to `aad`: (nonce, ciphertext and tag).
pub fn seal(cipher: &Cipher, plaintext: &[u8], aad: &[u8]) -> ([u8; NONCE_LEN], Vec<u8>) {
    let nonce = fresh_nonce();
    let mut sealed = Vec::with_capacity(plaintext.len() + TAG_LEN);
    seal_with_nonce_into(cipher, &nonce, plaintext, aad, &mut sealed);
    (nonce, sealed)
}

/// [`seal`] written after what `out` holds: the nonce, then the ciphertext and tag, sealed in
/// place, so a caller framing the sealed value copies the plaintext once and allocates once
/// ([`sealed_len`] bytes more).
pub fn seal_into(cipher: &Cipher, plaintext: &[u8], aad: &[u8], out: &mut Vec<u8>) {
    let nonce = fresh_nonce();
    out.extend_from_slice(&nonce);
    seal_with_nonce_into(cipher, &nonce, plaintext, aad, out);
}

/// What [`seal_into`] appends for a plaintext of `plaintext_len` bytes.
pub const fn sealed_len(plaintext_len: usize) -> usize {
    NONCE_LEN + plaintext_len + TAG_LEN
}

fn fresh_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    // The thread's CSPRNG (ChaCha, reseeded from the OS): a syscall per nonce cost ingest
    // more than the encryption itself.
    rand::thread_rng().fill_bytes(&mut nonce);
    nonce
}

/// The ciphertext and tag of `plaintext`, appended to `out`.
fn seal_with_nonce_into(
    cipher: &Cipher,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
    out: &mut Vec<u8>,
) {
    let (key, nonce) = cipher.inner(nonce);
    let start = out.len();
    out.extend_from_slice(plaintext);
    match key.seal_in_place_separate_tag(nonce, Aad::from(aad), &mut out[start..]) {
        Ok(tag) => out.extend_from_slice(tag.as_ref()),
        // ring refuses only plaintexts beyond ChaCha20's 256 GiB.
        Err(_) => out.truncate(start),
    }
}

/// The plaintext, or `None` when the nonce is malformed, the key or `aad` is wrong, or the
/// ciphertext was tampered with.
pub fn open(cipher: &Cipher, nonce: &[u8], ciphertext: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().ok()?;
    let (key, nonce) = cipher.inner(nonce);
    let mut buffer = ciphertext.to_vec();
    let plaintext_len = key
        .open_in_place(nonce, Aad::from(aad), &mut buffer)
        .ok()?
        .len();
    buffer.truncate(plaintext_len);
    Some(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};

    /// The reference: RustCrypto's XChaCha20-Poly1305, which sealed every value until ring did.
    fn reference(key: &[u8; 32]) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(key.into())
    }

    fn bytes(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn sealing_gives_the_bytes_of_xchacha20_poly1305_and_opens_what_it_sealed() {
        let key: [u8; 32] = bytes(32, 7).try_into().expect("32 bytes");
        // Lengths around ChaCha20's 64-byte blocks and Poly1305's 16-byte ones.
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 255, 300, 1_000, 4_097] {
            for aad in [&b""[..], b"optix.webhooks.6267.member_updated"] {
                let plaintext = bytes(len, 3);
                let nonce: [u8; NONCE_LEN] = bytes(NONCE_LEN, len as u8).try_into().expect("24");
                let mut ours = Vec::new();
                seal_with_nonce_into(&cipher(&key), &nonce, &plaintext, aad, &mut ours);
                let theirs = reference(&key)
                    .encrypt(
                        XNonce::from_slice(&nonce),
                        Payload {
                            msg: &plaintext,
                            aad,
                        },
                    )
                    .expect("sealed");
                assert_eq!(ours, theirs, "{len} bytes, aad {aad:?}");
                assert_eq!(
                    open(&cipher(&key), &nonce, &theirs, aad),
                    Some(plaintext.clone())
                );
            }
        }
    }

    #[test]
    fn what_the_reference_opens_it_opens_and_nothing_else() {
        let key = [0x42u8; 32];
        let (nonce, sealed) = seal(&cipher(&key), b"passphrase", b"member-17");
        assert_eq!(sealed.len(), b"passphrase".len() + TAG_LEN);
        let opened = reference(&key)
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &sealed,
                    aad: b"member-17",
                },
            )
            .expect("the reference opens it");
        assert_eq!(opened, b"passphrase");
        // Wrong associated data, wrong key, a flipped bit, a short nonce, a cut tag.
        assert_eq!(open(&cipher(&key), &nonce, &sealed, b"member-18"), None);
        assert_eq!(
            open(&cipher(&[0x43; 32]), &nonce, &sealed, b"member-17"),
            None
        );
        let mut flipped = sealed.clone();
        flipped[0] ^= 1;
        assert_eq!(open(&cipher(&key), &nonce, &flipped, b"member-17"), None);
        assert_eq!(
            open(&cipher(&key), &nonce[..23], &sealed, b"member-17"),
            None
        );
        assert_eq!(
            open(&cipher(&key), &nonce, &sealed[..TAG_LEN - 1], b"member-17"),
            None
        );
        // Every seal draws a new nonce.
        assert_ne!(seal(&cipher(&key), b"x", b"").0, nonce);
    }

    #[test]
    fn sealing_into_a_buffer_appends_the_nonce_and_the_sealed_bytes_after_what_it_held() {
        let key = [0x42u8; 32];
        let frame = b"frame line\n";
        let mut out = frame.to_vec();
        seal_into(&cipher(&key), b"passphrase", b"member-17", &mut out);
        assert_eq!(out.len(), frame.len() + sealed_len(b"passphrase".len()));
        let (held, sealed) = out.split_at(frame.len());
        assert_eq!(held, frame);
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        // The reference's bytes under that nonce, and they open.
        let theirs = reference(&key)
            .encrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: b"passphrase",
                    aad: b"member-17",
                },
            )
            .expect("sealed");
        assert_eq!(ciphertext, theirs);
        assert_eq!(
            open(&cipher(&key), nonce, ciphertext, b"member-17"),
            Some(b"passphrase".to_vec())
        );
    }
}
