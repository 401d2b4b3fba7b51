//! `GET /canvas/admin/members/{user}`: one member's account, their devices and their history
//! from the event log, in words; `POST …/devices/remove`: remove one of their devices.

use crate::admin_forms::{Banner, Flash, provision_refusal};
use crate::admin_session::{Admin, admin_form};
use crate::admin_words::{group_words, name_and_email, stored_word};
use crate::commands::Answer;
use crate::devices::{DeviceRecords, device_section};
use crate::error::PortalError;
use crate::input::plausible_id;
use crate::language::LanguageSwitch;
use crate::language::PageLanguage;
use crate::pages::DeviceSection;
use crate::pages::{Framing, Message};
use crate::responses::see_other;
use crate::sealed::open_profile;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use bus::commands::Command;
use chrono::Utc;
use chrono_tz::Tz;
use i18n::Texts;
use serde::Deserialize;
use store::queries::MemberView;

#[derive(Template)]
#[template(path = "admin_member.html")]
struct MemberPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    /// The membership platform's name (Optix, OfficeRnD).
    platform: &'static str,
    notice: Option<String>,
    error: Option<String>,
    name: String,
    email: String,
    user_id: String,
    status: String,
    location: String,
    group: String,
    tz: String,
    history: Vec<String>,
    csrf: String,
    devices: DeviceSection,
}

/// `GET /canvas/admin/members/{user}`: one member's history from the event log, in words.
pub(crate) async fn member(
    state: web::Data<State>,
    path: web::Path<String>,
    flash: web::Query<Flash>,
    admin: Admin,
) -> Result<HttpResponse, PortalError> {
    let banner = Banner::shown(flash.notice(&admin.texts));
    render_member(&state, &admin, &path.into_inner(), banner).await
}

fn not_found(state: &State, lang: &PageLanguage) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::NOT_FOUND,
        Framing::Optix,
        &Message::localized(lang, "admin-no-member-title", &["admin-no-member-text"]),
    )
}

/// The member's page under `banner`.
async fn render_member(
    state: &State,
    admin: &Admin,
    user_id: &str,
    banner: Banner,
) -> Result<HttpResponse, PortalError> {
    let org = &admin.row.org_id;
    let t = admin.texts;
    if !plausible_id(user_id) {
        return not_found(state, &admin.language);
    }
    let client = state.pool.get().await?;
    let Some(m) = store::queries::member(&client, org, user_id).await? else {
        return not_found(state, &admin.language);
    };
    let tz = home_zone(&client, &m).await?;
    let opened = open_profile(state, &client, org, user_id, &m.profile).await?;
    let (events, _) =
        store::event_log::read_stream(&client, &domain::StreamId::member(org, user_id)).await?;
    let records = DeviceRecords::read(&client, org, user_id).await?;
    let devices = device_section(&t, &m, records, tz, None);
    drop(client);
    let history = history_lines(&t, &events, tz);
    let now = Utc::now();
    // Each member's page has its own title (tabs, history, screen readers tell them apart).
    let title = match &opened {
        Some(profile) => t.get_with("admin-member-title", &[("name", &profile.fullname)]),
        None => t.get_with("admin-member-title-id", &[("user", user_id)]),
    };
    let (name, email) = name_and_email(&t, opened);
    let page = MemberPage {
        t,
        switch: admin.language.switch(),
        title,
        section: "members",
        platform: domain::Platform::of_org(&admin.row.org_id).name(),
        notice: banner.notice,
        error: banner.error,
        csrf: admin.csrf(state),
        name,
        email,
        user_id: m.user_id.clone(),
        status: stored_word(&t, &m.status),
        location: m.home_location.clone().unwrap_or_else(|| "–".into()),
        group: group_words(&t, &m, now),
        tz: tz.name().to_owned(),
        history,
        devices,
    };
    state.page(banner.status, Framing::Optix, &page)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct RemoveDeviceForm {
    csrf: String,
    mac: String,
}

/// `POST /canvas/admin/members/{user}/devices/remove`: an admin removes a member's device.
pub(crate) async fn remove_device(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<String>,
    form: web::Form<RemoveDeviceForm>,
) -> Result<HttpResponse, PortalError> {
    let user_id = path.into_inner();
    if !plausible_id(&user_id) {
        return not_found(&state, &PageLanguage::new(&state, &request, None));
    }
    let back = format!("/canvas/admin/members/{user_id}");
    let admin = match admin_form(&state, &request, &form.csrf, &back).await? {
        Ok(admin) => admin,
        Err(page) => return Ok(page),
    };
    let remove = Command::RemoveDevice {
        user_id: user_id.clone(),
        mac: form.mac.clone(),
    };
    match state
        .command(&admin.row.org_id, &admin.actor(), remove)
        .await
    {
        Answer::Done { .. } => Ok(see_other(&format!("{back}?ok=device_removed"))),
        Answer::Refused { message, .. } => {
            let problem = provision_refusal(&admin.texts, &message);
            render_member(&state, &admin, &user_id, Banner::refused(problem)).await
        }
        Answer::Unavailable => state.unavailable(&admin.language, Framing::Optix, &back),
    }
}

/// The time zone of the member's home location (UTC when they have none, or it is unmapped).
async fn home_zone(client: &impl store::GenericClient, m: &MemberView) -> Result<Tz, PortalError> {
    Ok(match &m.home_location {
        Some(home) => store::queries::location(client, &m.org_id, home)
            .await?
            .and_then(|l| l.settings)
            .and_then(|s| s.timezone.parse().ok())
            .unwrap_or(chrono_tz::UTC),
        None => chrono_tz::UTC,
    })
}

/// The member's events in words, in `tz`, each with who did it. The events' own words are the
/// history's (`store::history`, English, as `lanyard members show` prints them).
fn history_lines(t: &Texts<'_>, events: &[store::RecordedEvent], tz: Tz) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            let line = store::history::line(event, tz);
            let text = store::history::render(&line, tz);
            if line.actor.is_empty() {
                text
            } else {
                t.get_with(
                    "admin-member-by",
                    &[("line", &text), ("actor", &line.actor)],
                )
            }
        })
        .collect()
}
