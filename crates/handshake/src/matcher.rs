//! The candidate search: which key of a (location, SSID) set produced a message 2's MIC.

use rayon::prelude::*;
use thiserror::Error;

use crate::attributes::Handshake;
use crate::eapol::{DescriptorVersion, parse_message2};
use crate::keys::{kck, kck_input};
use crate::sha1x::{Block, Pads, pad_message};
use crate::{FrameError, Message2};

/// Below this many keys a search stays on the calling thread (rayon's hand-off costs more).
const PARALLEL_FROM: usize = 512;
/// Keys one rayon task checks before it looks for more work.
const TASK_KEYS: usize = 256;

/// Why a handshake cannot be matched at all (a key that does not match is `Ok(None)`).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum MatchError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("PSK-SHA256 (AES-CMAC MIC) handshakes are not matched yet")]
    Unsupported,
}

impl MatchError {
    /// A stable label for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            MatchError::Frame(error) => error.reason(),
            MatchError::Unsupported => "unsupported_akm",
        }
    }
}

/// One request's fixed part, prepared once: the PRF input blocks, the MIC-covered frame as
/// padded blocks, and the MIC to find.
#[derive(Clone, Debug)]
pub struct Challenge {
    kck_input: [Block; 2],
    mic_blocks: Vec<Block>,
    mic: [u32; 4],
}

impl Challenge {
    /// Parses the frame and prepares the blocks every candidate shares.
    pub fn new(handshake: &Handshake) -> Result<Challenge, MatchError> {
        let message = parse_message2(&handshake.frame)?;
        Challenge::from_message(handshake, &message)
    }

    /// As [`Challenge::new`], for a frame already parsed.
    pub fn from_message(
        handshake: &Handshake,
        message: &Message2,
    ) -> Result<Challenge, MatchError> {
        if message.version != DescriptorVersion::HmacSha1Aes {
            return Err(MatchError::Unsupported);
        }
        let mut mic = [0u32; 4];
        for (word, chunk) in mic.iter_mut().zip(message.mic.chunks_exact(4)) {
            *word = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        Ok(Challenge {
            kck_input: kck_input(
                &handshake.aa,
                &handshake.spa,
                &handshake.anonce,
                &message.snonce,
            ),
            mic_blocks: pad_message(&message.zeroed, 64),
            mic,
        })
    }

    /// SHA-1 compressions one candidate check costs.
    pub fn blocks_per_check(&self) -> usize {
        // KCK: 2 inner + 1 outer; KCK pads: 2; MIC: inner blocks + 1 outer.
        3 + 2 + self.mic_blocks.len() + 1
    }

    /// Whether the PMK with these pads produced the MIC.
    #[inline]
    pub fn check(&self, pmk: &Pads) -> bool {
        let kck = kck(pmk, &self.kck_input);
        let mic = Pads::from_kck(&kck).mac_padded(&self.mic_blocks);
        // Not constant time on purpose: the MIC is the requester's own, and which candidate
        // failed how fast says nothing about any key.
        mic[..4] == self.mic
    }
}

/// The live keys of one (location, SSID): each an identifier and its PMK's HMAC pad states.
#[derive(Clone, Debug, Default)]
pub struct KeySet<K> {
    ids: Vec<K>,
    pads: Vec<Pads>,
}

impl<K> KeySet<K> {
    pub fn new() -> KeySet<K> {
        KeySet {
            ids: Vec::new(),
            pads: Vec::new(),
        }
    }

    /// Adds a key by its PMK (from [`crate::pmk`], computed when the key was issued).
    pub fn insert(&mut self, id: K, pmk: &[u8; 32]) {
        self.ids.push(id);
        self.pads.push(Pads::new(pmk));
    }

    /// Keeps only the keys `keep` selects (a revoked or rotated key leaves at once); the order
    /// of the others is kept.
    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        let ids = std::mem::take(&mut self.ids);
        let pads = std::mem::take(&mut self.pads);
        for (id, pad) in ids.into_iter().zip(pads) {
            if keep(&id) {
                self.ids.push(id);
                self.pads.push(pad);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The key whose PMK produced the challenge's MIC, on every core rayon has.
    pub fn find(&self, challenge: &Challenge) -> Option<&K>
    where
        K: Sync,
    {
        let index = if self.pads.len() < PARALLEL_FROM {
            self.pads.iter().position(|pads| challenge.check(pads))
        } else {
            self.pads
                .par_iter()
                .with_min_len(TASK_KEYS)
                .position_any(|pads| challenge.check(pads))
        };
        index.and_then(|index| self.ids.get(index))
    }

    /// As [`KeySet::find`], on the calling thread only.
    pub fn find_sequential(&self, challenge: &Challenge) -> Option<&K> {
        let index = self.pads.iter().position(|pads| challenge.check(pads))?;
        self.ids.get(index)
    }
}
