//! The vendor ids a location's keys go to (DATA: what `ControllerMapped` records; imports
//! nothing else of the domain, so events and the controller aggregate both use it).

use serde::{Deserialize, Serialize};

/// The vendor ids a location's keys go to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "vendor", rename_all = "snake_case")]
pub enum ControllerTarget {
    /// Identity PSKs on SSID `ssid_number` of network `network_id` in organization
    /// `organization_id`.
    Meraki {
        organization_id: String,
        network_id: String,
        ssid_number: u8,
    },
    /// A `wpa_psk_file` the AP group's routers fetch.
    Openwrt { ap_group: String },
}

/// The highest Meraki SSID number (SSIDs are numbered 0–14).
pub const MERAKI_SSID_MAX: u8 = 14;
/// The longest vendor id or AP group name Lanyard accepts.
pub const ID_MAX_CHARS: usize = 128;

impl ControllerTarget {
    pub fn vendor(&self) -> &'static str {
        match self {
            ControllerTarget::Meraki { .. } => "meraki",
            ControllerTarget::Openwrt { .. } => "openwrt",
        }
    }

    /// The fewest characters the vendor's credential has (a Meraki API key is 40; an OpenWrt
    /// AP group's token is Lanyard's own and must be hard to guess).
    pub fn credential_min_chars(&self) -> usize {
        match self {
            ControllerTarget::Meraki { .. } => 20,
            ControllerTarget::Openwrt { .. } => 32,
        }
    }

    /// Whether the credential is an OpenWrt AP group's fetch token (looked up by its keyed
    /// hash when a router fetches its file).
    pub fn credential_is_fetch_token(&self) -> bool {
        matches!(self, ControllerTarget::Openwrt { .. })
    }

    pub(crate) fn ids(&self) -> Vec<(&'static str, &str)> {
        match self {
            ControllerTarget::Meraki {
                organization_id,
                network_id,
                ..
            } => vec![
                ("Meraki organization id", organization_id),
                ("Meraki network id", network_id),
            ],
            ControllerTarget::Openwrt { ap_group } => vec![("AP group", ap_group)],
        }
    }
}
