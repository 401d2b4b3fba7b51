//! The one judgement of what a device gets from a NAS now: the member's terms at the NAS's
//! location (roaming, grants, suspension) and their passphrase opened. MAC authentication
//! (`authorize`), the answers FreeRADIUS keeps (`answer_cache`) and handshake mode all ask it.

use crate::dialect::Grant;
use crate::lookup::{DeviceMember, Nas};
use domain::location_access as access;

/// What a device gets from a NAS now.
pub(crate) struct Granted {
    pub(crate) user_id: String,
    pub(crate) grant: Grant,
    /// When the grant ends, if it does.
    pub(crate) until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Why a device gets nothing.
pub(crate) enum NoGrant {
    /// A refusal (logged with its reason, never sent to the NAS).
    Refused(String),
    /// The member's passphrase does not open: an operator must look.
    Broken(String),
}

/// The one judgement of an Access-Request (and of an answer FreeRADIUS keeps): the member of
/// the device, their terms from this NAS at `now`, their passphrase opened.
pub(crate) fn grant_for(
    keys: &secrets::KeyRing,
    org_id: &str,
    nas: &Nas,
    member: Option<DeviceMember>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Granted, NoGrant> {
    let member = member
        .ok_or_else(|| NoGrant::Refused("no member of this organization has this device".into()))?;
    let terms = nas
        .terms_for(&member.access, now)
        .map_err(|no_key| NoGrant::Refused(no_key.to_string()))?;
    let passphrase = open_passphrase(keys, org_id, &member)
        .map_err(NoGrant::Broken)?
        .ok_or_else(|| NoGrant::Refused("the member has no passphrase".into()))?;
    let grant = Grant {
        passphrase,
        vlan: terms.vlan,
        session_timeout: access::session_timeout(terms.until, now),
        bandwidth_up_kbps: terms.bandwidth_up_kbps,
        bandwidth_down_kbps: terms.bandwidth_down_kbps,
    };
    Ok(Granted {
        user_id: member.user_id,
        grant,
        until: terms.until,
    })
}

/// The member's passphrase in clear (None: they have none yet), opened with their data key.
pub(crate) fn open_passphrase(
    key_ring: &secrets::KeyRing,
    org_id: &str,
    member: &DeviceMember,
) -> Result<Option<String>, String> {
    let Some(sealed) = &member.passphrase else {
        return Ok(None);
    };
    let wrapped = member
        .wrapped_key
        .as_ref()
        .ok_or("the member has no data key")?;
    secrets::open_member_passphrase(key_ring, org_id, &member.user_id, wrapped, sealed)
        .map(Some)
        .map_err(|e| e.to_string())
}
