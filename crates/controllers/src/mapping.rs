//! Which controller a location's keys go to (`controller_mappings`, the projection of the
//! `controller-{org}-{location}` streams: `lanyard controllers map-…` and the admin canvas send
//! provision a `MapController` command), with its credentials opened only when a vendor client
//! is built.

/// The vendor ids a location's keys go to (recorded by `ControllerMapped` on the location's
/// `controller-{org}-{location}` stream; `controller_mappings` is its projection, whose
/// queries live beside it in the store).
pub use domain::controller::ControllerTarget as Target;
pub use store::read_models::controller_mappings::{
    Mapping, mapping_of, mappings, openwrt_mapping_of_token,
};

/// The keyed hash an OpenWrt AP group's token is stored and looked up by.
pub fn token_hash(keys: &secrets::KeyRing, token: &str) -> String {
    secrets::controllers::fetch_token_hash(keys, token)
}

/// The additional data the credentials are sealed with: they open for this mapping only.
pub fn credentials_context(org_id: &str, location_id: &str) -> String {
    secrets::contexts::controller_credentials(org_id, location_id)
}
