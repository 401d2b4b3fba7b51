//! Cloud controller credentials: sealed with the master key before they enter an event; an
//! OpenWrt AP group's fetch token is also looked up by its keyed hash.

use crate::contexts;
use crate::key_ring::KeyRing;
use domain::Sealed;

pub fn seal_controller_credentials(
    keys: &KeyRing,
    org_id: &str,
    location_id: &str,
    credentials: &str,
) -> Sealed {
    keys.seal_with_master(
        credentials.as_bytes(),
        &contexts::controller_credentials(org_id, location_id),
    )
}

/// The keyed hash an OpenWrt AP group's fetch token is stored and looked up by.
pub fn fetch_token_hash(keys: &KeyRing, token: &str) -> String {
    keys.keyed_hash("openwrt-token", "", token)
}
