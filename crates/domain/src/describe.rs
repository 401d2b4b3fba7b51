//! Events in plain words, for `lanyard events …`, `lanyard members show`, the admin canvas (a
//! member's history) and the tenant's key page ("valid until …"). Times read in the given
//! time zone (a location's).

use crate::devices::{DeviceBinding, DeviceRemover};
use crate::events::{
    Basis, DisconnectOutcome, Event, OnboardedVia, PassphraseSource, RevokeReason,
};
use crate::messages::MailSettings;
use crate::platform::Platform;
use crate::policy::{AccessProfile, LocationSettings, VlanRange};
use crate::{GrantKey, GrantNetwork};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// What the event did, in words (without time and cause), and what it was about when that is
/// a source in Optix (e.g. `booking 39553`).
pub fn describe(event: &Event, tz: Tz) -> (String, Option<String>) {
    let text = match event {
        Event::AccessGranted {
            grant,
            valid_from,
            valid_until,
            network,
            ..
        } => return granted_words(grant, *valid_from, *valid_until, network.as_ref(), tz),
        Event::AccessRevoked { grant, reason } => return revoked_words(grant, *reason),
        Event::IntegrationConfigured {
            platform, account, ..
        } => connected_words(*platform, account.as_ref()),
        Event::OrganizationTokenRotated { .. } => "organization token rotated (sealed)".into(),
        Event::AppUninstalled { .. } => "Optix app uninstalled".into(),
        Event::AccountOpened {
            home_location, via, ..
        } => opened_words(home_location.as_deref(), via),
        Event::ProfileChanged { .. } => "profile changed".into(),
        Event::PassphraseIssued { .. } => "passphrase issued".into(),
        Event::PassphraseChanged { source, .. } => match source {
            PassphraseSource::Tenant => "passphrase changed by the tenant".into(),
            PassphraseSource::Generated => "new passphrase generated".into(),
        },
        Event::AccountSuspended => "account suspended: no live grant left (kept)".into(),
        Event::AccountBound { location_id } => format!("account bound to location {location_id}"),
        Event::AccountResumed => "account resumed".into(),
        Event::JoinedGroup { team_id } => format!("joined group of team {team_id}"),
        Event::LeftGroup { team_id } => format!("left group of team {team_id}"),
        Event::AccountDeleted => "account deleted; data key destroyed".into(),
        Event::LanguageChosen { language } => format!("language chosen: {language}"),
        Event::OrganizationLocaleSet { locale } => format!("organization locale set to {locale}"),
        Event::PlanMapped {
            plan_template_id,
            profile,
        } => format!(
            "plan {plan_template_id} mapped to profile {}",
            profile_words(profile)
        ),
        Event::PlanUnmapped { plan_template_id } => {
            format!("plan {plan_template_id} back on the default profile")
        }
        Event::DefaultProfileSet { profile } => {
            format!("default profile set to {}", profile_words(profile))
        }
        Event::VlanPoolSet { pool } => pool_words(*pool),
        Event::MailSettingsSet { settings } => mail_settings_words(settings),
        Event::SyncCompleted {
            kind,
            users_seen,
            corrected_streams,
            events_appended,
            ..
        } => format!(
            "{} sync completed: {users_seen} users seen, {corrected_streams} streams corrected with {events_appended} events",
            kind.as_str()
        ),
        Event::SyncFailed { kind, reason } => format!("{} sync failed: {reason}", kind.as_str()),
        Event::LocationMapped {
            location_id,
            settings,
        } => location_words(location_id, settings),
        Event::LocationUnmapped { location_id } => format!("Optix location {location_id} unmapped"),
        Event::UnmappedLocationUsed {
            location_id,
            user_id,
            ..
        } => unmapped_use_words(location_id, user_id.as_deref()),
        Event::GroupCreated {
            team_id,
            name,
            vlan,
        } => group_created_words(team_id, name, *vlan),
        Event::GroupRenamed { name } => format!("group renamed to {name}"),
        Event::GroupVlanAssigned { vlan } => format!("group put on VLAN {vlan}"),
        Event::GroupDeleted { team_id } => {
            format!("group of team {team_id} deleted; its VLAN is free")
        }
        // Devices, disconnects and NASes.
        _ => radius_words(event),
    };
    (text, None)
}

/// The organization's email settings in one line: what is off, the sender, the reminders.
fn mail_settings_words(settings: &MailSettings) -> String {
    let off = if settings.switched_off.is_empty() {
        "every message on".to_owned()
    } else {
        let kinds: Vec<&str> = settings.switched_off.iter().map(|k| k.label()).collect();
        format!("off: {}", kinds.join(", "))
    };
    let booking = settings.booking_reminder_hours.map_or_else(
        || "no booking reminder".to_owned(),
        |h| format!("booking reminder {h} h before"),
    );
    let languages: Vec<&str> = settings.overrides.keys().map(String::as_str).collect();
    let wording = if languages.is_empty() {
        "the catalogue's wording".to_owned()
    } else {
        format!("own wording in {}", languages.join(", "))
    };
    format!(
        "email settings set: {off}; sender {}; reply-to {}; plan reminder {} h before, {booking}; {wording}",
        settings.sender_name.as_deref().unwrap_or("(default)"),
        settings.reply_to.as_deref().unwrap_or("(none)"),
        settings.plan_reminder_hours,
    )
}

/// Devices, disconnects and the NAS registry, in words (never a secret).
fn radius_words(event: &Event) -> String {
    match event {
        Event::DeviceAdded {
            mac,
            name,
            bound_via,
        } => {
            let how = match bound_via {
                DeviceBinding::Tenant => "by the tenant",
                DeviceBinding::Admin => "by an admin",
                DeviceBinding::Accounting => "by the network (accounting)",
                DeviceBinding::Handshake => "by the network (key used at the handshake)",
            };
            format!("device {name} ({}) added {how}", mac.display_colons())
        }
        Event::DeviceRemoved { mac, by } => {
            let who = match by {
                DeviceRemover::Tenant => "the tenant",
                DeviceRemover::Admin => "an admin",
                DeviceRemover::Operator => "the operator",
            };
            format!("device {} removed by {who}", mac.display_colons())
        }
        Event::SessionDisconnectRequested {
            nas_id,
            session_id,
            mac,
        } => format!(
            "disconnect of session {session_id} ({}) asked of NAS {nas_id}",
            mac.display_colons()
        ),
        Event::SessionDisconnectAnswered {
            nas_id,
            session_id,
            outcome,
        } => {
            let answer = match outcome {
                DisconnectOutcome::Acked => "ended it",
                DisconnectOutcome::Nacked => "refused (NAK)",
                DisconnectOutcome::NoAnswer => "did not answer",
            };
            format!("NAS {nas_id} {answer}: session {session_id}")
        }
        Event::NasRegistered(nas) => format!(
            "NAS {} registered at location {}: {}, {}, SSIDs {}, CoA port {} (secret sealed)",
            nas.name,
            nas.location_id,
            nas.address,
            nas.dialect.as_str(),
            nas.ssids.join(", "),
            nas.coa_port
        ),
        Event::NasRemoved => "NAS removed".into(),
        Event::ControllerMapped { target, .. } => format!(
            "keys go to a {} controller: {} (credentials sealed)",
            target.vendor(),
            serde_json::to_string(target).unwrap_or_default()
        ),
        Event::ControllerUnmapped => "controller unmapped".into(),
        Event::ControllerOverLimit {
            vendor,
            wanted,
            limit,
        } => format!("{wanted} keys wanted, over the {vendor} limit of {limit}: nothing applied"),
        other => other.type_name().to_owned(),
    }
}

fn basis_words(basis: Basis) -> (&'static str, &'static str) {
    match basis {
        Basis::Plan => ("plan grant", "plan"),
        Basis::Booking => ("booking grant", "booking"),
        Basis::Guest => ("guest grant", "booking"),
        Basis::DayPass => ("day pass", "day pass"),
    }
}

fn granted_words(
    grant: &GrantKey,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
    network: Option<&GrantNetwork>,
    tz: Tz,
) -> (String, Option<String>) {
    let (what, source) = basis_words(grant.basis);
    let from = valid_from
        .map(|f| format!(" from {}", local_time(f, tz)))
        .unwrap_or_default();
    let until = valid_until
        .map(|u| format!(" {}", until_words(u, tz)))
        .unwrap_or_else(|| ", open-ended".into());
    let profile = network
        .map(|n| {
            let vlan = n.vlan.map(|v| format!(", VLAN {v}")).unwrap_or_default();
            format!(" [{}{vlan}]", n.profile)
        })
        .unwrap_or_default();
    (
        format!("{what}{from}{until}{profile}"),
        Some(format!("{source} {}", grant.source_id)),
    )
}

fn revoked_words(grant: &GrantKey, reason: RevokeReason) -> (String, Option<String>) {
    let (what, source) = basis_words(grant.basis);
    let why = match reason {
        RevokeReason::Withdrawn => "removed",
        RevokeReason::Expired => "expired",
    };
    (
        format!("{what} {why}"),
        Some(format!("{source} {}", grant.source_id)),
    )
}

fn opened_words(home_location: Option<&str>, via: &OnboardedVia) -> String {
    format!(
        "account opened{} via {}",
        home_location
            .map(|l| format!(" at location {l}"))
            .unwrap_or_default(),
        serde_json::to_value(via)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    )
}

fn pool_words(pool: Option<VlanRange>) -> String {
    match pool {
        Some(p) => format!("organization VLAN pool set to {}–{}", p.first, p.last),
        None => "organization VLAN pool removed (location pools only)".into(),
    }
}

fn location_words(location_id: &str, settings: &LocationSettings) -> String {
    format!(
        "Optix location {location_id} mapped to {} (network {}, {})",
        settings.name, settings.network_name, settings.timezone
    )
}

fn unmapped_use_words(location_id: &str, user_id: Option<&str>) -> String {
    format!(
        "WiFi asked for at unmapped Optix location {location_id}{}",
        user_id.map(|u| format!(" by user {u}")).unwrap_or_default()
    )
}

fn group_created_words(team_id: &str, name: &str, vlan: Option<u16>) -> String {
    format!(
        "group for team {name} ({team_id}) created{}",
        vlan.map(|v| format!(" on VLAN {v}"))
            .unwrap_or_else(|| " without a VLAN".into())
    )
}

fn profile_words(profile: &AccessProfile) -> String {
    if !profile.wifi {
        return format!("{} (no WiFi)", profile.name);
    }
    let mut parts = vec![profile.name.clone()];
    if let Some(vlan) = profile.vlan {
        parts.push(format!("VLAN {vlan}"));
    }
    if let (Some(up), Some(down)) = (profile.bandwidth_up_kbps, profile.bandwidth_down_kbps) {
        parts.push(format!("{down}/{up} kbit/s down/up"));
    }
    if let Some(hours) = profile.duration_hours {
        parts.push(format!("{hours} h"));
    }
    if let Some(devices) = profile.device_limit {
        parts.push(format!("up to {devices} devices"));
    }
    parts.join(", ")
}

/// A moment as `2026-11-03 09:00` in `tz`.
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// The last day of a validity that ends (exclusively) at local midnight: such an end reads
/// better as the whole of the day before. `None` when the end is at another time.
pub fn last_whole_day(until: DateTime<Utc>, tz: Tz) -> Option<DateTime<Tz>> {
    let last = (until - chrono::Duration::seconds(1)).with_timezone(&tz);
    (last.format("%H:%M:%S").to_string() == "23:59:59").then_some(last)
}

/// `until 2026-11-03 23:59:59` (a grant ending at local midnight) or `until 2026-11-03 17:30`.
pub fn until_words(until: DateTime<Utc>, tz: Tz) -> String {
    match last_whole_day(until, tz) {
        Some(last) => format!("until {} 23:59:59", last.format("%Y-%m-%d")),
        None => format!(
            "until {}",
            until.with_timezone(&tz).format("%Y-%m-%d %H:%M")
        ),
    }
}

/// "Valid until …" on the tenant's key page, in the location's time zone. A grant ending at
/// local midnight reads as the end of the day before.
pub fn valid_words(until: Option<DateTime<Utc>>, tz: Tz) -> String {
    let Some(until) = until else {
        return "No end date: as long as your plan runs".to_owned();
    };
    match last_whole_day(until, tz) {
        Some(last) => format!(
            "Until the end of {} ({})",
            last.format("%A %-d %B %Y"),
            tz.name()
        ),
        None => format!(
            "Until {} ({})",
            until.with_timezone(&tz).format("%A %-d %B %Y, %H:%M"),
            tz.name()
        ),
    }
}

/// One event of the history, as the CLI prints it (and as JSON).
#[derive(Serialize)]
pub struct HistoryLine {
    pub position: i64,
    pub stream: String,
    pub version: i64,
    pub recorded_at: DateTime<Utc>,
    pub event_type: String,
    pub text: String,
    pub cause: Option<String>,
    pub causation_id: String,
    pub actor: String,
}

/// The cause a history line shows: the event's source (a plan, a booking) and the recorded
/// cause (e.g. `webhook new_plan_subscription`).
pub fn cause_words(source: Option<String>, recorded_cause: Option<&String>) -> Option<String> {
    match (source, recorded_cause) {
        (Some(s), Some(c)) => Some(format!("{s}, {c}")),
        (Some(s), None) => Some(s),
        (None, c) => c.cloned(),
    }
}

pub fn render(line: &HistoryLine, tz: Tz) -> String {
    let cause = line
        .cause
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    format!(
        "{} {} — {}{}",
        local_time(line.recorded_at, tz),
        tz.name(),
        line.text,
        cause
    )
}

/// An organization connected: the Optix app installed, or an OfficeRnD organization by slug.
fn connected_words(platform: Platform, account: Option<&crate::PlatformAccount>) -> String {
    match platform {
        Platform::Optix => "Optix app installed; organization token stored (sealed)".into(),
        Platform::OfficeRnd => format!(
            "OfficeRnD organization {} connected; client secret stored (sealed)",
            account.map_or("?", |a| a.slug.as_str())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_booking_grant_reads_like_the_runbook() {
        let until = DateTime::parse_from_rfc3339("2026-11-03T23:00:00Z")
            .expect("ts")
            .with_timezone(&Utc);
        let event = Event::AccessGranted {
            grant: GrantKey {
                basis: Basis::Booking,
                source_id: "39553".into(),
            },
            location_id: Some("3391".into()),
            valid_from: None,
            valid_until: Some(until),
            network: None,
        };
        let (text, source) = describe(&event, chrono_tz::Europe::Rome);
        assert_eq!(text, "booking grant until 2026-11-03 23:59:59");
        assert_eq!(source.as_deref(), Some("booking 39553"));
    }

    #[test]
    fn a_connection_names_its_platform() {
        let sealed = crate::Sealed {
            key: "master".into(),
            nonce: "n".into(),
            ciphertext: "c".into(),
        };
        let officernd = Event::IntegrationConfigured {
            org_id: "officernd_1".into(),
            token: sealed.clone(),
            platform: Platform::OfficeRnd,
            account: Some(crate::PlatformAccount {
                client_id: "app".into(),
                slug: "acme".into(),
            }),
        };
        let (text, _) = describe(&officernd, chrono_tz::UTC);
        assert_eq!(
            text,
            "OfficeRnD organization acme connected; client secret stored (sealed)"
        );
        let optix = Event::IntegrationConfigured {
            org_id: "6267".into(),
            token: sealed,
            platform: Platform::Optix,
            account: None,
        };
        assert!(
            describe(&optix, chrono_tz::UTC)
                .0
                .starts_with("Optix app installed")
        );
    }
}
