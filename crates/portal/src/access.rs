//! Whether a member's WiFi access is live: the one answer the key page acts on, both when it
//! decides whether onboarding must ask Optix again and when it chooses what to show.

use chrono::{DateTime, Utc};
use store::queries::MemberView;

/// What a member's account gives right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccessNow {
    /// No plan or booking gives access; the account and its passphrase are kept.
    Suspended,
    /// Active, but no grant is valid at this moment (a booking may start later).
    NoLiveGrant,
    /// At least one grant is valid now: the key works.
    Live,
}

pub(crate) fn access_now(member: &MemberView, now: DateTime<Utc>) -> AccessNow {
    if member.status == "suspended" {
        AccessNow::Suspended
    } else if member.live_grants(now).next().is_none() {
        AccessNow::NoLiveGrant
    } else {
        AccessNow::Live
    }
}
