//! How the admin pages (and the key page) put times, numbers, groups, devices and traffic into
//! words.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use i18n::Texts;

/// A day and time in the page's language, in `tz` (the location's).
pub(crate) fn local_datetime(texts: &Texts<'_>, at: DateTime<Utc>, tz: Tz) -> String {
    i18n::format_datetime(texts.lang(), &at.with_timezone(&tz))
}

/// A day and time in the page's language in UTC, saying so (times no location owns).
pub(crate) fn utc_datetime(texts: &Texts<'_>, at: DateTime<Utc>) -> String {
    let time = i18n::format_datetime(texts.lang(), &at);
    texts.get_with("admin-utc-time", &[("time", &time)])
}

/// A value the read models store in English (a sync's kind and outcome, an account's status,
/// a notification's kind) in the page's language; an unknown one as stored.
pub(crate) fn stored_word(texts: &Texts<'_>, value: &str) -> String {
    let id = match value {
        "initial" => "admin-word-initial",
        "periodic" => "admin-word-periodic",
        "manual" => "admin-word-manual",
        "ok" => "admin-word-ok",
        "failed" => "admin-word-failed",
        "active" => "admin-word-active",
        "suspended" => "admin-word-suspended",
        "sync_failed" => "admin-notification-sync-failed",
        "unmapped_location" => "admin-notification-unmapped-location",
        "group_without_vlan" => "admin-notification-group-without-vlan",
        other => return other.replace('_', " "),
    };
    texts.get(id)
}

/// A count that may be unknown ("–").
pub(crate) fn number<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

/// A member's group and the VLAN their key puts them on.
pub(crate) fn group_words(
    texts: &Texts<'_>,
    member: &store::queries::MemberView,
    now: DateTime<Utc>,
) -> String {
    match (&member.group, member.vlan(now)) {
        (Some(g), Some(vlan)) => texts.get_with(
            "admin-group-vlan",
            &[("group", &g.name), ("vlan", &vlan.to_string())],
        ),
        (Some(g), None) => texts.get_with("admin-group-no-vlan", &[("group", &g.name)]),
        (None, Some(vlan)) => texts.get_with("admin-vlan-only", &[("vlan", &vlan.to_string())]),
        (None, None) => "–".into(),
    }
}

/// A member's name and email from their opened profile, or "(sealed)" when it does not open.
pub(crate) fn name_and_email(
    texts: &Texts<'_>,
    profile: Option<secrets::ProfileData>,
) -> (String, String) {
    match profile {
        Some(profile) => (profile.fullname, profile.email),
        None => (texts.get("admin-sealed"), texts.get("admin-sealed")),
    }
}

/// Bytes in words: `1.5 MB`.
pub(crate) fn bytes_words(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A MAC as devices show it (`AA:BB:CC:DD:EE:FF`), or as stored when it is not one.
pub(crate) fn device_words(mac: &str) -> String {
    mac.parse::<domain::devices::Mac>()
        .map(|mac| mac.display_colons())
        .unwrap_or_else(|_| mac.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_and_devices_read_as_people_say_them() {
        assert_eq!(bytes_words(0), "0 B");
        assert_eq!(bytes_words(999), "999 B");
        assert_eq!(bytes_words(1_500_000), "1.5 MB");
        assert_eq!(bytes_words(4_300_000_000), "4.3 GB");
        assert_eq!(device_words("0a1b2c3d4e5f"), "0A:1B:2C:3D:4E:5F");
        assert_eq!(device_words("odd"), "odd");
    }

    #[test]
    fn times_and_stored_words_read_in_the_page_s_language() {
        use chrono::TimeZone;
        let at = Utc
            .with_ymd_and_hms(2026, 12, 1, 17, 30, 0)
            .single()
            .expect("a valid instant");
        let german = Texts::new(i18n::Lang::De);
        assert_eq!(
            local_datetime(&german, at, chrono_tz::Europe::Berlin),
            "Dienstag, 1. Dezember 2026, 18:30 Uhr"
        );
        assert_eq!(
            utc_datetime(&Texts::new(i18n::Lang::En), at),
            "Tuesday 1 December 2026, 17:30 UTC"
        );
        assert_eq!(stored_word(&german, "suspended"), "gesperrt");
        assert_eq!(stored_word(&german, "something_new"), "something new");
    }
}
