//! Keys: the PMK from a passphrase (once, when a key is issued or changed, never per request),
//! the IEEE 802.11 PRF, and the KCK a candidate check needs.

use pbkdf2::hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use thiserror::Error;

use crate::sha1x::{Block, Pads, pad_message};

/// A passphrase the PMK cannot be derived from.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("a WPA2 passphrase has 8 to 63 printable ASCII characters (got {0} bytes)")]
    PassphraseLength(usize),
    #[error("a WPA2 passphrase is printable ASCII")]
    PassphraseCharacters,
    #[error("an SSID has 1 to 32 bytes (got {0})")]
    SsidLength(usize),
}

/// PMK = PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 32) (IEEE 802.11-2020 §J.4.1). About 8,192
/// HMAC blocks: a few milliseconds, which is why it is never on the request path.
pub fn pmk(passphrase: &str, ssid: &[u8]) -> Result<[u8; 32], KeyError> {
    let bytes = passphrase.as_bytes();
    if !(8..=63).contains(&bytes.len()) {
        return Err(KeyError::PassphraseLength(bytes.len()));
    }
    if !bytes.iter().all(|b| (32..=126).contains(b)) {
        return Err(KeyError::PassphraseCharacters);
    }
    if !(1..=32).contains(&ssid.len()) {
        return Err(KeyError::SsidLength(ssid.len()));
    }
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha1>(bytes, ssid, 4096, &mut out);
    Ok(out)
}

/// PRF-n (IEEE 802.11-2020 §12.7.1.2): HMAC-SHA1(K, A ‖ 0 ‖ B ‖ i) for i = 0.., truncated to
/// `bits`. The straightforward form, for tests and for deriving whole PTKs after a match.
pub fn prf(key: &[u8], label: &[u8], data: &[u8], bits: usize) -> Vec<u8> {
    let bytes = bits.div_ceil(8);
    let mut out = Vec::with_capacity(bytes + 20);
    let mut counter = 0u8;
    while out.len() < bytes {
        // HMAC takes a key of any length.
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
            break;
        };
        mac.update(label);
        mac.update(&[0]);
        mac.update(data);
        mac.update(&[counter]);
        out.extend_from_slice(&mac.finalize().into_bytes());
        counter = counter.wrapping_add(1);
    }
    out.truncate(bytes);
    out
}

/// min(AA,SPA) ‖ max(AA,SPA) ‖ min(ANonce,SNonce) ‖ max(ANonce,SNonce): the context both key
/// expansions share.
fn push_ordered(
    message: &mut Vec<u8>,
    aa: &[u8; 6],
    spa: &[u8; 6],
    anonce: &[u8; 32],
    snonce: &[u8; 32],
) {
    let (low, high) = if aa <= spa { (aa, spa) } else { (spa, aa) };
    message.extend_from_slice(low);
    message.extend_from_slice(high);
    let (low, high) = if anonce <= snonce {
        (anonce, snonce)
    } else {
        (snonce, anonce)
    };
    message.extend_from_slice(low);
    message.extend_from_slice(high);
}

/// The PRF's first block input for the pairwise key expansion: "Pairwise key expansion" ‖ 0 ‖
/// min(AA,SPA) ‖ max(AA,SPA) ‖ min(ANonce,SNonce) ‖ max(ANonce,SNonce) ‖ 0, SHA-1 padded after
/// the HMAC's 64-byte inner pad: 100 bytes, two blocks, the same for every candidate.
pub fn kck_input(aa: &[u8; 6], spa: &[u8; 6], anonce: &[u8; 32], snonce: &[u8; 32]) -> [Block; 2] {
    let mut message = Vec::with_capacity(100);
    message.extend_from_slice(b"Pairwise key expansion");
    message.push(0);
    push_ordered(&mut message, aa, spa, anonce, snonce);
    message.push(0);
    let blocks = pad_message(&message, 64);
    [blocks[0], blocks[1]]
}

/// The pad states of a PMK for HMAC-SHA256 (the KDF of PSK-SHA256): the `hmac` crate's keyed
/// state, cloned per check.
pub type Sha256Pads = hmac::Hmac<sha2::Sha256>;

/// The HMAC-SHA256 keyed state of a PMK (the key zero-padded to the block, as RFC 2104 does).
pub fn sha256_pads(pmk: &[u8; 32]) -> Sha256Pads {
    use hmac::digest::KeyInit;
    let mut key = hmac::digest::Key::<Sha256Pads>::default();
    key[..32].copy_from_slice(pmk);
    <Sha256Pads as KeyInit>::new(&key)
}

/// The first (and only needed) input of KDF-SHA256-384 (IEEE 802.11-2020 §12.7.1.7.2) for the
/// pairwise key expansion: i = 1 (LE16) ‖ label ‖ context ‖ 384 (LE16).
pub fn kdf_sha256_input(
    aa: &[u8; 6],
    spa: &[u8; 6],
    anonce: &[u8; 32],
    snonce: &[u8; 32],
) -> Vec<u8> {
    let mut message = Vec::with_capacity(102);
    message.extend_from_slice(&1u16.to_le_bytes());
    message.extend_from_slice(b"Pairwise key expansion");
    push_ordered(&mut message, aa, spa, anonce, snonce);
    message.extend_from_slice(&384u16.to_le_bytes());
    message
}

/// Whether the PMK with these HMAC-SHA256 pads produced an AES-128-CMAC MIC over `zeroed`.
pub fn check_sha256(pmk: &Sha256Pads, kdf_input: &[u8], zeroed: &[u8], mic: &[u8; 16]) -> bool {
    use cmac::Cmac;
    use hmac::Mac;
    let mut kdf = pmk.clone();
    kdf.update(kdf_input);
    let ptk = kdf.finalize().into_bytes();
    let Ok(mut cmac) = <Cmac<aes::Aes128> as cmac::Mac>::new_from_slice(&ptk[..16]) else {
        return false;
    };
    cmac.update(zeroed);
    cmac.finalize().into_bytes().as_slice() == mic
}

/// The KCK (the PTK's first 128 bits) of the PMK whose pads are given: three compressions.
#[inline]
pub fn kck(pmk: &Pads, input: &[Block; 2]) -> [u32; 4] {
    let digest = pmk.mac_padded(input);
    [digest[0], digest[1], digest[2], digest[3]]
}
