//! The vendor ids a location's keys go to (DATA: what `ControllerMapped` records; imports
//! nothing else of the domain, so events and the controller aggregate both use it).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The vendor ids a location's keys go to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// The `private_preshared_keys` of WLAN `wlan_id` on site `site` of the UniFi Network
    /// application at `url` (`…/proxy/network` on a UniFi OS console).
    Unifi {
        url: String,
        site: String,
        wlan_id: String,
    },
    /// Mist PSKs for SSID `ssid`: the site's when `site_id` is set, else the organization's.
    Mist {
        org_id: String,
        site_id: Option<String>,
        ssid: String,
    },
}

/// The highest Meraki SSID number (SSIDs are numbered 0–14).
pub const MERAKI_SSID_MAX: u8 = 14;
/// The longest vendor id, URL or AP group name Lanyard accepts.
pub const ID_MAX_CHARS: usize = 256;
/// An SSID is at most 32 bytes (IEEE 802.11).
pub const SSID_MAX_BYTES: usize = 32;

impl ControllerTarget {
    pub fn vendor(&self) -> &'static str {
        match self {
            ControllerTarget::Meraki { .. } => "meraki",
            ControllerTarget::Openwrt { .. } => "openwrt",
            ControllerTarget::Unifi { .. } => "unifi",
            ControllerTarget::Mist { .. } => "mist",
        }
    }

    /// The fewest characters the vendor's credential has (a Meraki API key is 40; an OpenWrt
    /// AP group's token is Lanyard's own and must be hard to guess).
    pub fn credential_min_chars(&self) -> usize {
        match self {
            ControllerTarget::Openwrt { .. } => 32,
            ControllerTarget::Meraki { .. }
            | ControllerTarget::Unifi { .. }
            | ControllerTarget::Mist { .. } => 20,
        }
    }

    /// Whether the credential is an OpenWrt AP group's fetch token (looked up by its keyed
    /// hash when a router fetches its file).
    pub fn credential_is_fetch_token(&self) -> bool {
        matches!(self, ControllerTarget::Openwrt { .. })
    }

    /// The SSID name a Mist mapping names (checked apart from the ids: it may hold spaces).
    pub(crate) fn ssid(&self) -> Option<&str> {
        match self {
            ControllerTarget::Mist { ssid, .. } => Some(ssid),
            _ => None,
        }
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
            ControllerTarget::Unifi { url, site, wlan_id } => vec![
                ("UniFi Network application URL", url),
                ("UniFi site", site),
                ("UniFi WLAN id", wlan_id),
            ],
            ControllerTarget::Mist {
                org_id, site_id, ..
            } => {
                let mut ids = vec![("Mist organization id", org_id.as_str())];
                ids.extend(site_id.as_deref().map(|site| ("Mist site id", site)));
                ids
            }
        }
    }
}
