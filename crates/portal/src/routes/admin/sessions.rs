//! `GET /canvas/admin/sessions`: who is on the WiFi now, per location: the live RADIUS
//! accounting sessions (`store::radius_sessions`), each with its device, member, NAS, start,
//! last report and traffic.

use crate::admin_session::Admin;
use crate::admin_words::{bytes_words, device_words, local_datetime, name_and_email};
use crate::error::PortalError;
use crate::language::LanguageSwitch;
use crate::pages::Framing;
use crate::sealed::open_profile;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use chrono_tz::Tz;
use i18n::Texts;
use std::collections::BTreeMap;
use store::radius_sessions::{ONLINE_WITHIN, SessionView};

/// At most this many sessions are listed per location (the newest).
const SESSIONS_PER_LOCATION: i64 = 200;

struct SessionRow {
    device: String,
    member: String,
    user_id: Option<String>,
    nas_id: String,
    since: String,
    last_heard: String,
    traffic: String,
}

struct LocationSessions {
    location_id: String,
    name: String,
    timezone: String,
    sessions: Vec<SessionRow>,
    /// More sessions than [`SESSIONS_PER_LOCATION`] may be live: only the newest are listed.
    truncated: bool,
}

#[derive(Template)]
#[template(path = "admin_sessions.html")]
struct SessionsPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    locations: Vec<LocationSessions>,
    limit: i64,
}

pub(crate) async fn sessions(
    state: web::Data<State>,
    admin: Admin,
) -> Result<HttpResponse, PortalError> {
    let org = admin.row.org_id.clone();
    let t = admin.texts;
    let client = state.pool.get().await?;
    let since = Utc::now() - ONLINE_WITHIN;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut locations = Vec::new();
    for location in store::queries::locations(&client, &org).await? {
        let Some(settings) = location.settings else {
            continue;
        };
        let tz: Tz = settings.timezone.parse().unwrap_or(chrono_tz::UTC);
        let live = store::radius_sessions::live_sessions_at_location(
            &client,
            &org,
            &location.location_id,
            since,
            SESSIONS_PER_LOCATION,
        )
        .await?;
        let truncated = live.len() as i64 == SESSIONS_PER_LOCATION;
        let mut rows = Vec::with_capacity(live.len());
        for session in live {
            let member = member_name(&state, &t, &client, &org, &session, &mut names).await?;
            rows.push(session_row(&t, session, member, tz));
        }
        locations.push(LocationSessions {
            location_id: location.location_id,
            name: settings.name,
            timezone: tz.name().to_owned(),
            sessions: rows,
            truncated,
        });
    }
    drop(client);
    let page = SessionsPage {
        t,
        switch: admin.language.switch(),
        title: t.get("admin-nav-sessions"),
        section: "sessions",
        notice: None,
        error: None,
        locations,
        limit: SESSIONS_PER_LOCATION,
    };
    state.page(StatusCode::OK, Framing::Optix, &page)
}

/// The session's member's name (opened once per member and page), or why there is none.
async fn member_name(
    state: &State,
    t: &Texts<'_>,
    client: &impl store::GenericClient,
    org: &str,
    session: &SessionView,
    names: &mut BTreeMap<String, String>,
) -> Result<String, PortalError> {
    let Some(user_id) = &session.ids.user_id else {
        return Ok(t.get("admin-session-no-member"));
    };
    if let Some(name) = names.get(user_id) {
        return Ok(name.clone());
    }
    let name = match store::queries::member(client, org, user_id).await? {
        Some(member) => {
            let opened = open_profile(state, client, org, user_id, &member.profile).await?;
            name_and_email(t, opened).0
        }
        None => t.get("admin-session-deleted"),
    };
    names.insert(user_id.clone(), name.clone());
    Ok(name)
}

fn session_row(t: &Texts<'_>, session: SessionView, member: String, tz: Tz) -> SessionRow {
    SessionRow {
        device: device_words(&session.ids.mac),
        member,
        user_id: session.ids.user_id,
        nas_id: session.ids.nas_id,
        since: local_datetime(t, session.started_at, tz),
        last_heard: local_datetime(t, session.updated_at, tz),
        traffic: format!(
            "↓ {} · ↑ {}",
            bytes_words(session.traffic.output_octets),
            bytes_words(session.traffic.input_octets)
        ),
    }
}
