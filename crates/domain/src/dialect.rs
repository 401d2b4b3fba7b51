//! The vendor dialects a NAS speaks: which attributes carry the key (kept apart from the NAS
//! aggregate so events can name it).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which vendor's attributes the NAS understands (see docs/radius.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NasDialect {
    /// Cisco iPSK: `Cisco-AVPair` `psk-mode=ascii`, `psk=…`.
    Cisco,
    /// Aruba MPSK: `Aruba-MPSK-Passphrase`.
    Aruba,
    /// Meraki iPSK with RADIUS: `Tunnel-Password`.
    Meraki,
    /// OpenWrt / hostapd `ppsk`: `Tunnel-Password` (several per Accept).
    Hostapd,
}

impl NasDialect {
    pub const ALL: [NasDialect; 4] = [
        NasDialect::Cisco,
        NasDialect::Aruba,
        NasDialect::Meraki,
        NasDialect::Hostapd,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NasDialect::Cisco => "cisco",
            NasDialect::Aruba => "aruba",
            NasDialect::Meraki => "meraki",
            NasDialect::Hostapd => "hostapd",
        }
    }

    pub fn parse(text: &str) -> Option<NasDialect> {
        NasDialect::ALL
            .into_iter()
            .find(|d| d.as_str() == text.trim().to_ascii_lowercase())
    }
}
