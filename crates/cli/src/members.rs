//! `lanyard members …`

use chrono::{DateTime, Utc};
use secrets::KeyRing;
use serde::Serialize;
use store::GenericClient;

#[derive(Serialize)]
pub struct MemberLine {
    pub org_id: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub status: String,
    /// `live` when at least one grant is valid now, `upcoming` when one starts later, else `none`.
    pub access: String,
    /// When the current access began: the earliest start among live grants (or, with none
    /// live, the earliest upcoming start); `None` when unknown or there is none.
    pub valid_from: Option<DateTime<Utc>>,
    /// The latest end among live grants; `None` = open-ended.
    pub valid_until: Option<DateTime<Utc>>,
    /// The VLAN the member's key puts them on (team group first, else a live plan profile's).
    pub vlan: Option<u16>,
    pub grants: Vec<String>,
    pub home_location: Option<String>,
    pub group: Option<String>,
    pub passphrase: String,
}

pub async fn list(
    client: &impl GenericClient,
    keys: &KeyRing,
    org: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<MemberLine>> {
    let members = store::queries::list_members(client, org).await?;
    let mut lines = Vec::with_capacity(members.len());
    for m in members {
        let wrapped = store::queries::member_key(client, &m.org_id, &m.user_id).await?;
        let profile = wrapped.and_then(|wrapped| {
            secrets::open_member_profile(keys, &m.org_id, &m.user_id, &wrapped, &m.profile)
        });
        let (valid_from, valid_until) = (m.access_from(now), m.access_until(now));
        let (access, vlan) = (m.access_state(now).as_str(), m.vlan(now));
        lines.push(MemberLine {
            org_id: m.org_id,
            user_id: m.user_id,
            name: profile
                .as_ref()
                .map(|p| p.fullname.clone())
                .unwrap_or_else(|| "(sealed)".into()),
            email: profile
                .map(|p| p.email)
                .unwrap_or_else(|| "(sealed)".into()),
            status: m.status,
            access: access.into(),
            valid_from,
            valid_until,
            vlan,
            grants: m
                .grants
                .iter()
                .map(|g| grant_words(&g.basis, &g.source_id, g.valid_until, "%Y-%m-%d %H:%M UTC"))
                .collect(),
            home_location: m.home_location,
            group: m.team_id,
            passphrase: if m.passphrase.is_some() {
                "issued (sealed)".into()
            } else {
                "none".into()
            },
        });
    }
    Ok(lines)
}

/// `plan 29191 until 2026-11-03 23:00 UTC` or `plan 29191 open-ended`.
fn grant_words(basis: &str, source_id: &str, until: Option<DateTime<Utc>>, format: &str) -> String {
    match until {
        Some(until) => format!("{basis} {source_id} until {}", until.format(format)),
        None => format!("{basis} {source_id} open-ended"),
    }
}

pub fn table(lines: &[MemberLine]) -> String {
    let header = [
        "ORG",
        "USER",
        "NAME",
        "EMAIL",
        "STATUS",
        "ACCESS",
        "VALID UNTIL",
        "LOCATION",
        "GROUP",
        "PASSPHRASE",
    ];
    let rows: Vec<[String; 10]> = lines
        .iter()
        .map(|l| {
            [
                l.org_id.clone(),
                l.user_id.clone(),
                l.name.clone(),
                l.email.clone(),
                l.status.clone(),
                l.access.clone(),
                match (l.access.as_str(), l.valid_until) {
                    ("live", None) => "open-ended".into(),
                    (_, Some(until)) => until.format("%Y-%m-%d %H:%M UTC").to_string(),
                    _ => "-".into(),
                },
                l.home_location.clone().unwrap_or_else(|| "-".into()),
                l.group.clone().unwrap_or_else(|| "-".into()),
                l.passphrase.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push_row = |cells: Vec<&str>| {
        let line: Vec<String> = cells
            .iter()
            .zip(widths.iter())
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    };
    push_row(header.to_vec());
    for row in &rows {
        push_row(row.iter().map(String::as_str).collect());
    }
    if lines.is_empty() {
        out.push_str("(no members yet)\n");
    }
    out
}

/// A member's access at one moment, folded from the log up to then.
#[derive(Serialize)]
pub struct MemberAt {
    pub org_id: String,
    pub user_id: String,
    pub at: DateTime<Utc>,
    pub existed: bool,
    pub deleted: bool,
    pub suspended: bool,
    pub home_location: Option<String>,
    pub group: Option<String>,
    /// Grants valid at `at` (a grant past its end counts as ended even before the scheduler
    /// recorded it).
    pub live_grants: Vec<String>,
    /// The member's devices at `at`: name, MAC (`AA:BB:…`) and how each was bound.
    pub devices: Vec<DeviceAt>,
    /// How many devices the plan allows at `at`.
    pub device_limit: u16,
    pub events_considered: usize,
}

#[derive(Serialize)]
pub struct DeviceAt {
    pub name: String,
    pub mac: String,
    pub bound_via: &'static str,
}

/// The devices registered at the end of `events`, oldest first, with their names.
fn devices_of<'a>(events: impl Iterator<Item = &'a domain::Event>) -> Vec<DeviceAt> {
    let mut devices: Vec<(domain::Mac, DeviceAt)> = Vec::new();
    for event in events {
        match event {
            domain::Event::DeviceAdded {
                mac,
                name,
                bound_via,
            } => devices.push((
                *mac,
                DeviceAt {
                    name: name.clone(),
                    mac: mac.display_colons(),
                    bound_via: bound_via.as_str(),
                },
            )),
            domain::Event::DeviceRemoved { mac, .. } => devices.retain(|(m, _)| m != mac),
            domain::Event::AccountDeleted => devices.clear(),
            _ => {}
        }
    }
    devices.into_iter().map(|(_, device)| device).collect()
}

pub async fn show_at(
    client: &impl GenericClient,
    org: &str,
    user: &str,
    at: DateTime<Utc>,
) -> anyhow::Result<MemberAt> {
    let stream = domain::StreamId::member(org, user);
    let (events, _) = store::event_log::read_stream(client, &stream).await?;
    let upto: Vec<_> = events.iter().filter(|e| e.recorded_at <= at).collect();
    let state = domain::Member::from_events(upto.iter().map(|e| &e.event));
    let live_grants = state
        .grants
        .iter()
        .filter(|(_, g)| g.validity().is_live_at(at))
        .map(|(key, g)| {
            let format = "%Y-%m-%d %H:%M:%S UTC";
            grant_words(key.basis.as_str(), &key.source_id, g.valid_until, format)
        })
        .collect();
    let device_limit = state.device_limit(at);
    Ok(MemberAt {
        org_id: org.to_owned(),
        user_id: user.to_owned(),
        at,
        existed: state.opened,
        deleted: state.deleted,
        suspended: state.suspended,
        home_location: state.home_location,
        group: state.team_id,
        live_grants,
        devices: devices_of(upto.iter().map(|e| &e.event)),
        device_limit,
        events_considered: upto.len(),
    })
}

pub fn render_show(view: &MemberAt) -> String {
    let mut out = format!(
        "member {} of organization {} at {}\n",
        view.user_id,
        view.org_id,
        view.at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if !view.existed {
        out.push_str("  no account yet\n");
        return out;
    }
    if view.deleted {
        out.push_str("  account deleted\n");
        return out;
    }
    let access = if view.live_grants.is_empty() {
        "no access"
    } else {
        "WiFi access"
    };
    out.push_str(&format!(
        "  {access}{}\n",
        if view.suspended {
            " (account suspended)"
        } else {
            ""
        }
    ));
    for grant in &view.live_grants {
        out.push_str(&format!("  - {grant}\n"));
    }
    out.push_str(&format!(
        "  devices: {} of {}\n",
        view.devices.len(),
        view.device_limit
    ));
    for device in &view.devices {
        out.push_str(&format!(
            "  - {} {} (bound by {})\n",
            device.mac, device.name, device.bound_via
        ));
    }
    out.push_str(&format!(
        "  location {}, group {}; {} events considered\n",
        view.home_location.as_deref().unwrap_or("-"),
        view.group.as_deref().unwrap_or("-"),
        view.events_considered
    ));
    out
}
