//! The event log in plain words, for `lanyard events …`, `lanyard members show` and the admin
//! canvas (a member's history).

use crate::RecordedEvent;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::events::{PassphraseSource, RevokeReason};
use domain::{Basis, Event};
use serde::Serialize;

fn basis_words(basis: Basis) -> (&'static str, &'static str) {
    match basis {
        Basis::Plan => ("plan grant", "plan"),
        Basis::Booking => ("booking grant", "booking"),
        Basis::Guest => ("guest grant", "booking"),
        Basis::DayPass => ("day pass", "day pass"),
    }
}

fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// An exclusive end (local midnight) reads better as the last second of the day.
fn until_words(until: DateTime<Utc>, tz: Tz) -> String {
    let last = (until - chrono::Duration::seconds(1)).with_timezone(&tz);
    if last.format("%H:%M:%S").to_string() == "23:59:59" {
        format!("until {} 23:59:59", last.format("%Y-%m-%d"))
    } else {
        format!(
            "until {}",
            until.with_timezone(&tz).format("%Y-%m-%d %H:%M")
        )
    }
}

/// What the event did, in words (without time and cause).
pub fn describe(event: &Event, tz: Tz) -> (String, Option<String>) {
    match event {
        Event::IntegrationConfigured { .. } => (
            "Optix app installed; organization token stored (sealed)".into(),
            None,
        ),
        Event::OrganizationTokenRotated { .. } => {
            ("organization token rotated (sealed)".into(), None)
        }
        Event::AppUninstalled { .. } => ("Optix app uninstalled".into(), None),
        Event::AccountOpened {
            home_location, via, ..
        } => (
            format!(
                "account opened{} via {}",
                home_location
                    .as_ref()
                    .map(|l| format!(" at location {l}"))
                    .unwrap_or_default(),
                serde_json::to_value(via)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            None,
        ),
        Event::ProfileChanged { .. } => ("profile changed".into(), None),
        Event::PassphraseIssued { .. } => ("passphrase issued".into(), None),
        Event::PassphraseChanged { source, .. } => (
            match source {
                PassphraseSource::Tenant => "passphrase changed by the tenant".into(),
                PassphraseSource::Generated => "new passphrase generated".into(),
            },
            None,
        ),
        Event::AccessGranted {
            grant,
            valid_from,
            valid_until,
            network,
            ..
        } => {
            let (what, source) = basis_words(grant.basis);
            let from = valid_from
                .map(|f| format!(" from {}", local(f, tz)))
                .unwrap_or_default();
            let until = valid_until
                .map(|u| format!(" {}", until_words(u, tz)))
                .unwrap_or_else(|| ", open-ended".into());
            let profile = network
                .as_ref()
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
        Event::AccessRevoked { grant, reason } => {
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
        Event::AccountSuspended => ("account suspended: no live grant left (kept)".into(), None),
        Event::AccountBound { location_id } => {
            (format!("account bound to location {location_id}"), None)
        }
        Event::AccountResumed => ("account resumed".into(), None),
        Event::JoinedGroup { team_id } => (format!("joined group of team {team_id}"), None),
        Event::LeftGroup { team_id } => (format!("left group of team {team_id}"), None),
        Event::AccountDeleted => ("account deleted; data key destroyed".into(), None),
        Event::PlanMapped {
            plan_template_id,
            profile,
        } => (
            format!(
                "plan {plan_template_id} mapped to profile {}",
                profile_words(profile)
            ),
            None,
        ),
        Event::PlanUnmapped { plan_template_id } => (
            format!("plan {plan_template_id} back on the default profile"),
            None,
        ),
        Event::DefaultProfileSet { profile } => (
            format!("default profile set to {}", profile_words(profile)),
            None,
        ),
        Event::VlanPoolSet { pool } => (
            match pool {
                Some(p) => format!("organization VLAN pool set to {}–{}", p.first, p.last),
                None => "organization VLAN pool removed (location pools only)".into(),
            },
            None,
        ),
        Event::SyncCompleted {
            kind,
            users_seen,
            corrected_streams,
            events_appended,
            ..
        } => (
            format!(
                "{} sync completed: {users_seen} users seen, {corrected_streams} streams corrected with {events_appended} events",
                kind.as_str()
            ),
            None,
        ),
        Event::SyncFailed { kind, reason } => {
            (format!("{} sync failed: {reason}", kind.as_str()), None)
        }
        Event::LocationMapped {
            location_id,
            settings,
        } => (
            format!(
                "Optix location {location_id} mapped to {} (network {}, {})",
                settings.name, settings.network_name, settings.timezone
            ),
            None,
        ),
        Event::LocationUnmapped { location_id } => {
            (format!("Optix location {location_id} unmapped"), None)
        }
        Event::UnmappedLocationUsed {
            location_id,
            user_id,
            ..
        } => (
            format!(
                "WiFi asked for at unmapped Optix location {location_id}{}",
                user_id
                    .as_ref()
                    .map(|u| format!(" by user {u}"))
                    .unwrap_or_default()
            ),
            None,
        ),
        Event::GroupCreated {
            team_id,
            name,
            vlan,
        } => (
            format!(
                "group for team {name} ({team_id}) created{}",
                vlan.map(|v| format!(" on VLAN {v}"))
                    .unwrap_or_else(|| " without a VLAN".into())
            ),
            None,
        ),
        Event::GroupRenamed { name } => (format!("group renamed to {name}"), None),
        Event::GroupVlanAssigned { vlan } => (format!("group put on VLAN {vlan}"), None),
        Event::GroupDeleted { team_id } => (
            format!("group of team {team_id} deleted; its VLAN is free"),
            None,
        ),
    }
}

fn profile_words(profile: &domain::AccessProfile) -> String {
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
    parts.join(", ")
}

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

pub fn line(recorded: &RecordedEvent, tz: Tz) -> HistoryLine {
    let (what, source) = describe(&recorded.event, tz);
    let cause = match (source, &recorded.metadata.cause) {
        (Some(s), Some(c)) => Some(format!("{s}, {c}")),
        (Some(s), None) => Some(s),
        (None, c) => c.clone(),
    };
    HistoryLine {
        position: recorded.global_position,
        stream: recorded.stream_id.clone(),
        version: recorded.stream_version,
        recorded_at: recorded.recorded_at,
        event_type: recorded.event.type_name().to_owned(),
        text: what,
        cause,
        causation_id: recorded.metadata.causation_id.clone(),
        actor: recorded.metadata.actor.clone(),
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
        local(line.recorded_at, tz),
        tz.name(),
        line.text,
        cause
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::GrantKey;

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
}
