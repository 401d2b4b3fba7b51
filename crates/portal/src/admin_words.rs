//! How the admin pages put times, numbers and groups into words.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub(crate) fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A count that may be unknown ("–").
pub(crate) fn number<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

/// A member's group and the VLAN their key puts them on.
pub(crate) fn group_words(member: &store::queries::MemberView, now: DateTime<Utc>) -> String {
    match (&member.group, member.vlan(now)) {
        (Some(g), Some(vlan)) => format!("{} (VLAN {vlan})", g.name),
        (Some(g), None) => format!("{} (no VLAN)", g.name),
        (None, Some(vlan)) => format!("VLAN {vlan}"),
        (None, None) => "–".into(),
    }
}

/// A member's name and email from their opened profile, or "(sealed)" when it does not open.
pub(crate) fn name_and_email(profile: Option<secrets::ProfileData>) -> (String, String) {
    match profile {
        Some(profile) => (profile.fullname, profile.email),
        None => ("(sealed)".into(), "(sealed)".into()),
    }
}
