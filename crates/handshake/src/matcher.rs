//! The candidate search: which key of a (location, SSID) set produced a message 2's MIC.

use rayon::prelude::*;
use thiserror::Error;

use crate::attributes::Handshake;
use crate::eapol::{DescriptorVersion, parse_message2};
use crate::keys::{Sha256Pads, check_sha256, kck, kck_input, kdf_sha256_input, sha256_pads};
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
    #[error("the AKM suite the request names is not WPA2-PSK or PSK-SHA256")]
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

/// One request's fixed part, prepared once: what every candidate check shares.
#[derive(Clone, Debug)]
pub struct Challenge {
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    /// WPA2-PSK: the PRF input blocks, the MIC-covered frame as padded blocks, the MIC.
    Sha1 {
        kck_input: [Block; 2],
        mic_blocks: Vec<Block>,
        mic: [u32; 4],
    },
    /// PSK-SHA256: the KDF input, the MIC-covered frame, the MIC.
    Sha256 {
        kdf_input: Vec<u8>,
        zeroed: Vec<u8>,
        mic: [u8; 16],
    },
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
        let (aa, spa, anonce) = (&handshake.aa, &handshake.spa, &handshake.anonce);
        let kind = match message.version {
            DescriptorVersion::HmacSha1Aes => {
                let mut mic = [0u32; 4];
                for (word, chunk) in mic.iter_mut().zip(message.mic.chunks_exact(4)) {
                    *word = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                }
                Kind::Sha1 {
                    kck_input: kck_input(aa, spa, anonce, &message.snonce),
                    mic_blocks: pad_message(&message.zeroed, 64),
                    mic,
                }
            }
            DescriptorVersion::AesCmac => Kind::Sha256 {
                kdf_input: kdf_sha256_input(aa, spa, anonce, &message.snonce),
                zeroed: message.zeroed.clone(),
                mic: message.mic,
            },
        };
        // AKM 00-0F-AC:2 (PSK) goes with version 2, 00-0F-AC:6 (PSK-SHA256) with version 3.
        match (handshake.akm, &kind) {
            (None | Some(0x000f_ac02), Kind::Sha1 { .. }) => Ok(Challenge { kind }),
            (None | Some(0x000f_ac06), Kind::Sha256 { .. }) => Ok(Challenge { kind }),
            _ => Err(MatchError::Unsupported),
        }
    }

    /// SHA-1 compressions one WPA2-PSK candidate check costs (0 for PSK-SHA256).
    pub fn blocks_per_check(&self) -> usize {
        match &self.kind {
            // KCK: 2 inner + 1 outer; KCK pads: 2; MIC: inner blocks + 1 outer.
            Kind::Sha1 { mic_blocks, .. } => 3 + 2 + mic_blocks.len() + 1,
            Kind::Sha256 { .. } => 0,
        }
    }

    /// Whether the PMK with these SHA-1 pads produced a WPA2-PSK MIC.
    #[inline]
    fn check_sha1(
        pmk: &Pads,
        kck_input: &[Block; 2],
        mic_blocks: &[Block],
        mic: &[u32; 4],
    ) -> bool {
        let kck = kck(pmk, kck_input);
        let ours = Pads::from_kck(&kck).mac_padded(mic_blocks);
        // Not constant time on purpose: the MIC is the requester's own, and which candidate
        // failed how fast says nothing about any key.
        ours[..4] == mic[..]
    }
}

/// The live keys of one (location, SSID): each an identifier and its PMK's HMAC pad states.
#[derive(Clone, Debug, Default)]
pub struct KeySet<K> {
    ids: Vec<K>,
    pads: Vec<Pads>,
    sha256: Vec<Sha256Pads>,
}

impl<K> KeySet<K> {
    pub fn new() -> KeySet<K> {
        KeySet {
            ids: Vec::new(),
            pads: Vec::new(),
            sha256: Vec::new(),
        }
    }

    /// Adds a key by its PMK (from [`crate::pmk`], computed when the key was issued).
    pub fn insert(&mut self, id: K, pmk: &[u8; 32]) {
        self.ids.push(id);
        self.pads.push(Pads::new(pmk));
        self.sha256.push(sha256_pads(pmk));
    }

    /// Keeps only the keys `keep` selects (a revoked or rotated key leaves at once); the order
    /// of the others is kept.
    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        let ids = std::mem::take(&mut self.ids);
        let pads = std::mem::take(&mut self.pads);
        let sha256 = std::mem::take(&mut self.sha256);
        for ((id, pad), sha) in ids.into_iter().zip(pads).zip(sha256) {
            if keep(&id) {
                self.ids.push(id);
                self.pads.push(pad);
                self.sha256.push(sha);
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
        self.search(challenge, true)
    }

    /// As [`KeySet::find`], on the calling thread only.
    pub fn find_sequential(&self, challenge: &Challenge) -> Option<&K>
    where
        K: Sync,
    {
        self.search(challenge, false)
    }

    /// As [`KeySet::find`], among the keys `wanted` selects only, on the calling thread: a
    /// device's bound member is tried alone before the whole set.
    pub fn find_where(&self, challenge: &Challenge, wanted: impl Fn(&K) -> bool) -> Option<&K> {
        let candidates = self.ids.iter().enumerate().filter(|(_, id)| wanted(id));
        for (index, id) in candidates {
            let matched = match &challenge.kind {
                Kind::Sha1 {
                    kck_input,
                    mic_blocks,
                    mic,
                } => Challenge::check_sha1(&self.pads[index], kck_input, mic_blocks, mic),
                Kind::Sha256 {
                    kdf_input,
                    zeroed,
                    mic,
                } => check_sha256(&self.sha256[index], kdf_input, zeroed, mic),
            };
            if matched {
                return Some(id);
            }
        }
        None
    }

    fn search(&self, challenge: &Challenge, parallel: bool) -> Option<&K> {
        let index = match &challenge.kind {
            Kind::Sha1 {
                kck_input,
                mic_blocks,
                mic,
            } => position(&self.pads, parallel, |pads| {
                Challenge::check_sha1(pads, kck_input, mic_blocks, mic)
            }),
            Kind::Sha256 {
                kdf_input,
                zeroed,
                mic,
            } => position(&self.sha256, parallel, |pads| {
                check_sha256(pads, kdf_input, zeroed, mic)
            }),
        };
        index.and_then(|index| self.ids.get(index))
    }
}

/// The index of an item `check` accepts: on the calling thread for short slices or when asked,
/// else on rayon's threads in tasks of [`TASK_KEYS`].
fn position<T: Sync>(
    items: &[T],
    parallel: bool,
    check: impl Fn(&T) -> bool + Sync + Send,
) -> Option<usize> {
    if parallel && items.len() >= PARALLEL_FROM {
        items.par_iter().with_min_len(TASK_KEYS).position_any(check)
    } else {
        items.iter().position(check)
    }
}
