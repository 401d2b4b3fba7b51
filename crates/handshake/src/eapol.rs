//! EAPOL-Key message 2 of the 4-way handshake (IEEE 802.11-2020 §12.7.2, IEEE 802.1X-2020
//! §11.3): the frame the access point forwards, checked before any key is tried.

use thiserror::Error;

/// EAPOL header (4) + the fixed part of the Key body (95) before the key data.
pub const FIXED_LEN: usize = 99;
/// Where the 16-byte MIC starts in the frame.
pub const MIC_OFFSET: usize = 81;
/// A message 2 carries one RSNE (≤ 257 bytes) and perhaps a few KDEs; a RADIUS attribute holds
/// 253 bytes and FreeRADIUS concatenates at most a packet's worth. More than this is nonsense.
pub const MAX_FRAME: usize = 1024;

const PACKET_TYPE_KEY: u8 = 3;
const DESCRIPTOR_RSN: u8 = 2;

// Key Information bits (IEEE 802.11-2020 Figure 12-33).
const INFO_VERSION_MASK: u16 = 0x0007;
const INFO_PAIRWISE: u16 = 1 << 3;
const INFO_INSTALL: u16 = 1 << 6;
const INFO_ACK: u16 = 1 << 7;
const INFO_MIC: u16 = 1 << 8;
const INFO_SECURE: u16 = 1 << 9;

/// Why a frame is not a message 2 Lanyard can match (each one a counted reason).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("frame of {0} bytes is shorter than an EAPOL-Key header and body")]
    Truncated(usize),
    #[error("frame of {0} bytes is longer than any message 2")]
    TooLong(usize),
    #[error("EAPOL protocol version {0} is unknown")]
    ProtocolVersion(u8),
    #[error("EAPOL packet type {0} is not EAPOL-Key")]
    PacketType(u8),
    #[error("EAPOL body length {body} does not fit a frame of {frame} bytes")]
    BodyLength { body: usize, frame: usize },
    #[error("key descriptor type {0} is not RSN (2)")]
    DescriptorType(u8),
    #[error("key descriptor version {0} is not supported")]
    DescriptorVersion(u8),
    #[error("key information {0:#06x} is not a message 2 (pairwise, MIC, no ACK/install/secure)")]
    NotMessage2(u16),
    #[error("key data length {data} overruns the body ({available} bytes left)")]
    KeyDataLength { data: usize, available: usize },
}

impl FrameError {
    /// A stable label for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            FrameError::Truncated(_) => "truncated",
            FrameError::TooLong(_) => "too_long",
            FrameError::ProtocolVersion(_) => "protocol_version",
            FrameError::PacketType(_) => "packet_type",
            FrameError::BodyLength { .. } => "body_length",
            FrameError::DescriptorType(_) => "descriptor_type",
            FrameError::DescriptorVersion(_) => "descriptor_version",
            FrameError::NotMessage2(_) => "not_message_2",
            FrameError::KeyDataLength { .. } => "key_data_length",
        }
    }
}

/// The MIC algorithm the key descriptor version names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DescriptorVersion {
    /// 2: HMAC-SHA1-128 MIC, PRF-SHA1 (WPA2-PSK, AKM 00-0F-AC:2).
    HmacSha1Aes,
    /// 3: AES-128-CMAC MIC, KDF-SHA256 (PSK-SHA256, AKM 00-0F-AC:6). Parsed, not yet matched.
    AesCmac,
}

/// A parsed message 2: what the PTK derivation and the MIC check need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message2 {
    pub version: DescriptorVersion,
    pub key_info: u16,
    pub replay_counter: u64,
    pub snonce: [u8; 32],
    pub mic: [u8; 16],
    pub key_data: Vec<u8>,
    /// The frame (EAPOL header + body, trailing bytes dropped) with its MIC field zeroed: the
    /// message the MIC covers.
    pub zeroed: Vec<u8>,
}

/// Parses an EAPOL-Key frame and checks that it is a message 2.
pub fn parse_message2(frame: &[u8]) -> Result<Message2, FrameError> {
    if frame.len() < FIXED_LEN {
        return Err(FrameError::Truncated(frame.len()));
    }
    if frame.len() > MAX_FRAME {
        return Err(FrameError::TooLong(frame.len()));
    }
    if !(1..=3).contains(&frame[0]) {
        return Err(FrameError::ProtocolVersion(frame[0]));
    }
    if frame[1] != PACKET_TYPE_KEY {
        return Err(FrameError::PacketType(frame[1]));
    }
    let body = usize::from(u16::from_be_bytes([frame[2], frame[3]]));
    if body + 4 > frame.len() || body + 4 < FIXED_LEN {
        return Err(FrameError::BodyLength {
            body,
            frame: frame.len(),
        });
    }
    let frame = &frame[..body + 4];
    if frame[4] != DESCRIPTOR_RSN {
        return Err(FrameError::DescriptorType(frame[4]));
    }
    let key_info = u16::from_be_bytes([frame[5], frame[6]]);
    let version = descriptor_version(key_info)?;
    let flags = INFO_PAIRWISE | INFO_INSTALL | INFO_ACK | INFO_MIC | INFO_SECURE;
    if key_info & flags != INFO_PAIRWISE | INFO_MIC {
        return Err(FrameError::NotMessage2(key_info));
    }
    let data = usize::from(u16::from_be_bytes([frame[97], frame[98]]));
    let available = frame.len() - FIXED_LEN;
    if data != available {
        return Err(FrameError::KeyDataLength { data, available });
    }
    Ok(message2(frame, version, key_info))
}

fn descriptor_version(key_info: u16) -> Result<DescriptorVersion, FrameError> {
    match key_info & INFO_VERSION_MASK {
        2 => Ok(DescriptorVersion::HmacSha1Aes),
        3 => Ok(DescriptorVersion::AesCmac),
        other => Err(FrameError::DescriptorVersion(other as u8)),
    }
}

/// Builds the parsed form from a frame whose lengths were checked.
fn message2(frame: &[u8], version: DescriptorVersion, key_info: u16) -> Message2 {
    let mut replay = [0u8; 8];
    replay.copy_from_slice(&frame[9..17]);
    let mut snonce = [0u8; 32];
    snonce.copy_from_slice(&frame[17..49]);
    let mut mic = [0u8; 16];
    mic.copy_from_slice(&frame[MIC_OFFSET..MIC_OFFSET + 16]);
    let mut zeroed = frame.to_vec();
    zeroed[MIC_OFFSET..MIC_OFFSET + 16].fill(0);
    Message2 {
        version,
        key_info,
        replay_counter: u64::from_be_bytes(replay),
        snonce,
        mic,
        key_data: frame[FIXED_LEN..].to_vec(),
        zeroed,
    }
}
