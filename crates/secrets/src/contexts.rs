//! Encryption contexts: the associated data each kind of sealed value is bound to, so a
//! sealed value cannot be moved to another member, organization or admin.

/// A member's data key, profile and passphrase: the member's stream id.
pub fn member(org_id: &str, user_id: &str) -> String {
    domain::StreamId::member(org_id, user_id).to_string()
}

/// A member's PMK for one SSID (the handshake matcher's), sealed with their data key.
pub fn member_pmk(org_id: &str, user_id: &str, ssid: &str) -> String {
    format!("{}/pmk/{ssid}", member(org_id, user_id))
}

/// An organization's Optix token, sealed with the master key.
pub fn organization_token(org_id: &str) -> String {
    format!("org-{org_id}/token")
}

/// An admin's Optix token, kept sealed in the admin canvas session.
pub fn admin_canvas_token(org_id: &str, user_id: &str) -> String {
    format!("admin-canvas-token/{org_id}/{user_id}")
}

/// A NAS's RADIUS shared secret, sealed with the master key (`NasRegistered.secret`,
/// `radius_nas.secret_sealed`).
pub fn nas_secret(org_id: &str, nas_id: &str) -> String {
    format!("nas-secret/{org_id}/{nas_id}")
}

/// A location's cloud controller credentials (a vendor API key, an OpenWrt AP group's fetch
/// token), sealed with the master key (`ControllerMapped.credentials`,
/// `controller_mappings.credentials`): they open for this mapping only.
pub fn controller_credentials(org_id: &str, location_id: &str) -> String {
    format!("controller-credentials:{org_id}:{location_id}")
}
