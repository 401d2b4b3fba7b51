//! Finds which of a location's live keys produced a WPA2 4-way handshake's message 2 (issue 17).
//!
//! Pure: no I/O. The service feeds it the attributes the access point forwarded (Ruckus external
//! DPSK, Cisco 9800 Easy-PSK, hostapd ≥ 2.11 `wpa_psk_radius=3`) and the PMKs of the location's
//! keys for that SSID, computed once per key ([`keys::pmk`]) and held as HMAC pad states
//! ([`KeySet`]). One candidate check is nine SHA-1 compressions for a typical 121-byte frame:
//! three for the KCK (its pads are the PMK's, precomputed), two for the KCK's own pads, and
//! four for the MIC.

pub mod attributes;
pub mod benchmark;
pub mod eapol;
pub mod keys;
pub mod matcher;
pub mod sha1x;

pub use attributes::{AttributeError, Handshake};
pub use eapol::{FrameError, Message2, parse_message2};
pub use keys::{KeyError, pmk};
pub use matcher::{Challenge, KeySet, MatchError};
