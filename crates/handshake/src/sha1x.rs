//! HMAC-SHA1 on the bare SHA-1 compression function (`sha1::block_api::compress`, the same
//! RustCrypto crate, SHA-NI when the CPU has it): a key's inner and outer pad states are computed
//! once, so one HMAC over a message of `n` padded blocks costs `n + 1` compressions.

use sha1::block_api::compress;

/// SHA-1's initial state (FIPS 180-4 §5.3.1).
pub const H0: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// One 64-byte SHA-1 block.
pub type Block = [u8; 64];

/// The inner (`key ⊕ ipad`) and outer (`key ⊕ opad`) SHA-1 states of one HMAC key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pads {
    pub inner: [u32; 5],
    pub outer: [u32; 5],
}

impl Pads {
    /// The pad states for a key of at most 64 bytes (PMKs are 32, KCKs 16); longer keys are
    /// hashed first, as RFC 2104 says.
    pub fn new(key: &[u8]) -> Pads {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            let mut state = H0;
            let blocks = pad_message(key, 0);
            compress(&mut state, &blocks);
            block[..20].copy_from_slice(&state_bytes(&state));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        Pads {
            inner: xor_state(&block, 0x36),
            outer: xor_state(&block, 0x5c),
        }
    }

    /// The pad states for a 16-byte key given as four big-endian words (the KCK), without
    /// going through bytes: the hot path.
    #[inline]
    pub fn from_kck(kck: &[u32; 4]) -> Pads {
        let mut inner = [0x3636_3636u32; 16];
        let mut outer = [0x5c5c_5c5cu32; 16];
        for i in 0..4 {
            inner[i] ^= kck[i];
            outer[i] ^= kck[i];
        }
        Pads {
            inner: compress_words(H0, &inner),
            outer: compress_words(H0, &outer),
        }
    }

    /// HMAC over a message already padded for a 64-byte prefix (see [`pad_message`]).
    #[inline]
    pub fn mac_padded(&self, padded: &[Block]) -> [u32; 5] {
        let mut inner = self.inner;
        compress(&mut inner, padded);
        let mut outer = self.outer;
        compress(&mut outer, &[digest_block(&inner)]);
        outer
    }
}

fn xor_state(key_block: &Block, pad: u8) -> [u32; 5] {
    let mut block = *key_block;
    for byte in block.iter_mut() {
        *byte ^= pad;
    }
    let mut state = H0;
    compress(&mut state, &[block]);
    state
}

fn compress_words(mut state: [u32; 5], words: &[u32; 16]) -> [u32; 5] {
    let mut block = [0u8; 64];
    for (chunk, word) in block.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    compress(&mut state, &[block]);
    state
}

/// The outer hash's only block: a 20-byte inner digest after a 64-byte pad block.
#[inline]
fn digest_block(digest: &[u32; 5]) -> Block {
    let mut block = [0u8; 64];
    for (chunk, word) in block.chunks_exact_mut(4).zip(digest) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    block[20] = 0x80;
    // (64 + 20) bytes = 672 bits.
    block[62] = 0x02;
    block[63] = 0xa0;
    block
}

/// `message` with SHA-1 padding, for a hash that has already absorbed `prefix` bytes (64 for
/// HMAC's inner hash, 0 for a plain hash).
pub fn pad_message(message: &[u8], prefix: u64) -> Vec<Block> {
    let total = message.len() + 9;
    let count = total.div_ceil(64);
    let mut bytes = vec![0u8; count * 64];
    bytes[..message.len()].copy_from_slice(message);
    bytes[message.len()] = 0x80;
    let bits = (prefix + message.len() as u64) * 8;
    let end = bytes.len();
    bytes[end - 8..].copy_from_slice(&bits.to_be_bytes());
    bytes
        .chunks_exact(64)
        .map(|chunk| {
            let mut block = [0u8; 64];
            block.copy_from_slice(chunk);
            block
        })
        .collect()
}

/// A state as the 20 digest bytes.
pub fn state_bytes(state: &[u32; 5]) -> [u8; 20] {
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Compressions per second budget: how many blocks one HMAC over `len` message bytes needs
/// once its pads are known.
pub fn hmac_blocks(len: usize) -> usize {
    (len + 9).div_ceil(64) + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use pbkdf2::hmac::{Hmac, KeyInit, Mac};

    fn reference(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn matches_the_hmac_crate_for_every_message_length() {
        for key_len in [0usize, 16, 32, 64, 65, 100] {
            let key: Vec<u8> = (0..key_len).map(|i| i as u8).collect();
            let pads = Pads::new(&key);
            for len in 0..200 {
                let message: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
                let ours = pads.mac_padded(&pad_message(&message, 64));
                assert_eq!(state_bytes(&ours).to_vec(), reference(&key, &message));
            }
        }
    }

    #[test]
    fn kck_pads_equal_byte_pads() {
        let kck = [0x0102_0304, 0x0506_0708, 0x090a_0b0c, 0x0d0e_0f10];
        let bytes: Vec<u8> = kck.iter().flat_map(|w: &u32| w.to_be_bytes()).collect();
        assert_eq!(Pads::from_kck(&kck), Pads::new(&bytes));
    }
}
