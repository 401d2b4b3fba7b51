//! The RADIUS attributes that carry a handshake, per dialect, as rlm_rest hands them over
//! (octets as `0x…` hex, strings as text):
//!
//! - Ruckus external DPSK: `Ruckus-DPSK-Params` (TLV 25053/153: .1 AKM suite, .2 cipher,
//!   .3 ANonce, .4 EAPOL-Key frame), `Ruckus-BSSID`, `Ruckus-SSID`, the station in
//!   `Calling-Station-Id`.
//! - Cisco 9800 Easy-PSK: `Cisco-AVPair` `cisco-anonce=…`, `cisco-8021x-data=…`,
//!   `cisco-bssid=…`, `cisco-wlan-ssid=…` (value encodings unverified against a controller:
//!   hex with or without `0x`/separators is accepted).
//! - hostapd ≥ 2.11 (`wpa_psk_radius=3`): `FreeRADIUS-802.1X-Anonce`,
//!   `FreeRADIUS-802.1X-EAPoL-Key-Msg`, BSSID and SSID in `Called-Station-Id`
//!   (`AA-BB-CC-DD-EE-FF:SSID`), the station in `Calling-Station-Id`.

use thiserror::Error;

use crate::eapol::MAX_FRAME;

/// Why a request's attributes do not describe a handshake (each one a counted reason).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum AttributeError {
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{0} is not hex octets")]
    Hex(&'static str),
    #[error("{name} has {got} bytes, not {expected}")]
    Length {
        name: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("{0} is longer than any handshake frame")]
    TooLong(&'static str),
    #[error("Ruckus-DPSK-Params TLV is malformed at byte {0}")]
    Tlv(usize),
    #[error("{0} is not a MAC address")]
    Mac(&'static str),
}

impl AttributeError {
    /// A stable label for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            AttributeError::Missing(_) => "attribute_missing",
            AttributeError::Hex(_) => "attribute_hex",
            AttributeError::Length { .. } => "attribute_length",
            AttributeError::TooLong(_) => "attribute_too_long",
            AttributeError::Tlv(_) => "ruckus_tlv",
            AttributeError::Mac(_) => "mac",
        }
    }
}

/// Everything a candidate check needs from the request, whatever the dialect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    /// Authenticator address: the BSSID.
    pub aa: [u8; 6],
    /// Supplicant address: the station.
    pub spa: [u8; 6],
    pub anonce: [u8; 32],
    /// The EAPOL-Key frame of message 2, as sent.
    pub frame: Vec<u8>,
    /// The SSID when the request names it (selects the key set).
    pub ssid: Option<Vec<u8>>,
    /// The AKM suite selector when the request names it (Ruckus: 00-0F-AC:2 = PSK).
    pub akm: Option<u32>,
}

/// The sub-attributes of a `Ruckus-DPSK-Params` value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuckusParams {
    pub akm: Option<u32>,
    pub cipher: Option<u8>,
    pub anonce: Option<Vec<u8>>,
    pub frame: Option<Vec<u8>>,
}

/// Decodes a `Ruckus-DPSK-Params` TLV value: (type, length incl. header, value)*.
pub fn parse_ruckus_tlv(bytes: &[u8]) -> Result<RuckusParams, AttributeError> {
    let mut params = RuckusParams::default();
    let mut at = 0;
    while at < bytes.len() {
        let (Some(&kind), Some(&len)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(AttributeError::Tlv(at));
        };
        let len = usize::from(len);
        let Some(value) = bytes.get(at + 2..at + len).filter(|_| len >= 2) else {
            return Err(AttributeError::Tlv(at));
        };
        match kind {
            1 if value.len() == 4 => {
                params.akm = Some(u32::from_be_bytes([value[0], value[1], value[2], value[3]]));
            }
            2 if value.len() == 1 => params.cipher = Some(value[0]),
            3 => params.anonce = Some(value.to_vec()),
            4 => params.frame = Some(value.to_vec()),
            1 | 2 => return Err(AttributeError::Tlv(at)),
            _ => {}
        }
        at += len;
    }
    Ok(params)
}

/// A Ruckus request as FreeRADIUS 3.2.1 hands it to rlm_rest: the TLV's members are flat
/// attributes (`Ruckus-DPSK-AKM-Suite` 153.1 octets, `Ruckus-DPSK-Anonce` 153.3,
/// `Ruckus-DPSK-EAPOL-Key-Frame` 153.4; dictionary.ruckus) and `Ruckus-BSSID` is octets, each
/// as `0x…` text.
pub fn ruckus_rest(
    akm: Option<&str>,
    anonce: &str,
    frame: &str,
    bssid: &str,
    station: &str,
    ssid: Option<&str>,
) -> Result<Handshake, AttributeError> {
    let akm = match akm {
        Some(text) => {
            let bytes = octets("Ruckus-DPSK-AKM-Suite", text)?;
            let word: [u8; 4] = fixed("Ruckus-DPSK-AKM-Suite", &bytes)?;
            Some(u32::from_be_bytes(word))
        }
        None => None,
    };
    let params = RuckusParams {
        akm,
        cipher: None,
        anonce: Some(octets("Ruckus-DPSK-Anonce", anonce)?),
        frame: Some(octets("Ruckus-DPSK-EAPOL-Key-Frame", frame)?),
    };
    ruckus(&params, &octets("Ruckus-BSSID", bssid)?, station, ssid)
}

/// A Ruckus request: the params TLV, `Ruckus-BSSID` (octets), the station's MAC.
pub fn ruckus(
    params: &RuckusParams,
    bssid: &[u8],
    station: &str,
    ssid: Option<&str>,
) -> Result<Handshake, AttributeError> {
    let anonce = params
        .anonce
        .as_deref()
        .ok_or(AttributeError::Missing("Ruckus-DPSK-Anonce"))?;
    let frame = params
        .frame
        .as_deref()
        .ok_or(AttributeError::Missing("Ruckus-DPSK-EAPOL-Key-Frame"))?;
    Ok(Handshake {
        aa: fixed("Ruckus-BSSID", bssid)?,
        spa: mac("Calling-Station-Id", station)?,
        anonce: fixed("Ruckus-DPSK-Anonce", anonce)?,
        frame: frame_bytes("Ruckus-DPSK-EAPOL-Key-Frame", frame)?,
        ssid: ssid.map(|ssid| ssid.as_bytes().to_vec()),
        akm: params.akm,
    })
}

/// A Cisco Easy-PSK request from its `Cisco-AVPair` values and the station's MAC.
pub fn cisco<'a>(
    avpairs: impl IntoIterator<Item = &'a str>,
    station: &str,
) -> Result<Handshake, AttributeError> {
    let (mut anonce, mut frame, mut bssid, mut ssid) = (None, None, None, None);
    for pair in avpairs {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        match name.trim() {
            "cisco-anonce" => anonce = Some(value),
            "cisco-8021x-data" => frame = Some(value),
            "cisco-bssid" => bssid = Some(value),
            "cisco-wlan-ssid" => ssid = Some(value),
            _ => {}
        }
    }
    let anonce = cisco_octets(
        "cisco-anonce",
        anonce.ok_or(AttributeError::Missing("cisco-anonce"))?,
    )?;
    let frame = cisco_octets(
        "cisco-8021x-data",
        frame.ok_or(AttributeError::Missing("cisco-8021x-data"))?,
    )?;
    Ok(Handshake {
        aa: mac(
            "cisco-bssid",
            bssid.ok_or(AttributeError::Missing("cisco-bssid"))?,
        )?,
        spa: mac("Calling-Station-Id", station)?,
        anonce: fixed("cisco-anonce", &anonce)?,
        frame: frame_bytes("cisco-8021x-data", &frame)?,
        ssid: ssid.map(|ssid| ssid.as_bytes().to_vec()),
        akm: None,
    })
}

/// A hostapd request: the two EVS-5 octets attributes (as rlm_rest's `0x…` text),
/// `Called-Station-Id` (`AA-BB-CC-DD-EE-FF:SSID`) and `Calling-Station-Id`.
pub fn hostapd(
    anonce: &str,
    eapol: &str,
    called: &str,
    calling: &str,
) -> Result<Handshake, AttributeError> {
    let (bssid, ssid) = match called.split_once(':') {
        Some((bssid, ssid)) if bssid.len() == 17 && !bssid.contains(':') => (bssid, Some(ssid)),
        _ => (called, None),
    };
    let anonce = octets("FreeRADIUS-802.1X-Anonce", anonce)?;
    let frame = octets("FreeRADIUS-802.1X-EAPoL-Key-Msg", eapol)?;
    Ok(Handshake {
        aa: mac("Called-Station-Id", bssid)?,
        spa: mac("Calling-Station-Id", calling)?,
        anonce: fixed("FreeRADIUS-802.1X-Anonce", &anonce)?,
        frame: frame_bytes("FreeRADIUS-802.1X-EAPoL-Key-Msg", &frame)?,
        ssid: ssid.map(|ssid| ssid.as_bytes().to_vec()),
        akm: None,
    })
}

/// A binary `Cisco-AVPair` value. IOS XE puts the raw bytes after `cisco-anonce=` and
/// `cisco-8021x-data=` (PacketFence's `Cisco_WLC_IOS_XE` module reads them as bytes);
/// FreeRADIUS's rlm_rest writes each byte of a string as one character U+0000–U+00FF
/// (`vp_prints_value_json`: `\u00XX` below a space and above 0x7e). A value of hex digits only
/// is read as hex instead (a frame always starts with byte 0x01 or 0x02, never a hex digit).
pub fn cisco_octets(name: &'static str, text: &str) -> Result<Vec<u8>, AttributeError> {
    let is_hex = text.len().is_multiple_of(2)
        && !text.is_empty()
        && text.chars().all(|c| c.is_ascii_hexdigit());
    if is_hex && !(name == "cisco-anonce" && text.len() == 32) {
        return octets(name, text);
    }
    if text.chars().count() > 4 * MAX_FRAME {
        return Err(AttributeError::TooLong(name));
    }
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).map_err(|_| AttributeError::Hex(name)))
        .collect()
}

/// Octets as text: `0x…` (rlm_rest) or bare hex, with `:`/`-`/spaces between bytes allowed.
pub fn octets(name: &'static str, text: &str) -> Result<Vec<u8>, AttributeError> {
    let text = text.trim();
    let text = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    if text.len() > 4 * MAX_FRAME {
        return Err(AttributeError::TooLong(name));
    }
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | ' '))
        .collect();
    hex::decode(digits).map_err(|_| AttributeError::Hex(name))
}

/// A MAC address in any of the usual spellings: `aa:bb:…`, `AA-BB-…`, `aabb.ccdd.eeff`,
/// `aabbccddeeff`.
pub fn mac(name: &'static str, text: &str) -> Result<[u8; 6], AttributeError> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    if digits.len() != 12 {
        return Err(AttributeError::Mac(name));
    }
    let bytes = hex::decode(digits).map_err(|_| AttributeError::Mac(name))?;
    fixed(name, &bytes).map_err(|_| AttributeError::Mac(name))
}

fn fixed<const N: usize>(name: &'static str, bytes: &[u8]) -> Result<[u8; N], AttributeError> {
    bytes.try_into().map_err(|_| AttributeError::Length {
        name,
        expected: N,
        got: bytes.len(),
    })
}

fn frame_bytes(name: &'static str, bytes: &[u8]) -> Result<Vec<u8>, AttributeError> {
    if bytes.len() > MAX_FRAME {
        return Err(AttributeError::TooLong(name));
    }
    Ok(bytes.to_vec())
}
