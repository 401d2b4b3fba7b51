//! `GET /canvas/admin/members[?page=N]`: the organization's WiFi accounts, a page at a time.

use crate::admin_session::Admin;
use crate::admin_words::{group_words, local_datetime, name_and_email, stored_word};
use crate::error::PortalError;
use crate::language::LanguageSwitch;
use crate::pages::{Framing, Message};
use crate::sealed::open_profile;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use i18n::Texts;
use std::collections::BTreeMap;
use store::queries::MemberView;

struct MemberRow {
    user_id: String,
    name: String,
    email: String,
    /// The status as the read model stores it (the badge's class) and in words.
    status: String,
    status_words: String,
    access: String,
    valid_until: String,
    location: String,
    group: String,
}

#[derive(Template)]
#[template(path = "admin_members.html")]
struct MembersPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    members: Vec<MemberRow>,
    /// All the organization's accounts; this page shows numbers `first` to `last` of them.
    total: i64,
    first: i64,
    last: i64,
    previous: Option<i64>,
    next: Option<i64>,
}

/// Members per page of the admin list.
const MEMBERS_PER_PAGE: i64 = 50;

/// `GET /canvas/admin/members[?page=N]`: the organization's WiFi accounts, a page at a time.
pub(crate) async fn members(
    state: web::Data<State>,
    query: web::Query<MembersQuery>,
    admin: Admin,
) -> Result<HttpResponse, PortalError> {
    let org = admin.row.org_id.clone();
    let t = admin.texts;
    let Some(page_number) = page_number(query.page.as_deref()) else {
        tracing::info!(org_id = org, "admin members: a page number that is not one");
        return state.page(
            StatusCode::BAD_REQUEST,
            Framing::Optix,
            &Message::localized(
                &admin.language,
                "admin-no-page-title",
                &["admin-no-page-text"],
            ),
        );
    };
    let client = state.pool.get().await?;
    let (list, total) = store::queries::members_page(
        &client,
        &org,
        (page_number - 1) * MEMBERS_PER_PAGE,
        MEMBERS_PER_PAGE,
    )
    .await?;
    let first = (page_number - 1) * MEMBERS_PER_PAGE + 1;
    let last = first + list.len() as i64 - 1;
    let zones = location_zones(&client, &org).await?;
    let now = Utc::now();
    let mut rows = Vec::with_capacity(list.len());
    for m in list {
        let opened = open_profile(&state, &client, &org, &m.user_id, &m.profile).await?;
        rows.push(member_row(&t, m, opened, &zones, now));
    }
    drop(client);
    let page = MembersPage {
        t,
        switch: admin.language.switch(),
        title: t.get("admin-nav-members"),
        section: "members",
        notice: None,
        error: None,
        members: rows,
        total,
        first,
        last,
        previous: (page_number > 1).then(|| page_number - 1),
        next: (last < total).then(|| page_number + 1),
    };
    state.page(StatusCode::OK, Framing::Optix, &page)
}

#[derive(serde::Deserialize)]
pub(crate) struct MembersQuery {
    page: Option<String>,
}

/// The page asked for: 1 without `?page=`, `None` for anything but a whole number from 1 up.
fn page_number(page: Option<&str>) -> Option<i64> {
    match page.map(str::parse::<i64>) {
        None => Some(1),
        Some(Ok(n)) if (1..=1_000_000).contains(&n) => Some(n),
        Some(_) => None,
    }
}

/// The time zone of each mapped location of the organization.
async fn location_zones(
    client: &impl store::GenericClient,
    org_id: &str,
) -> Result<BTreeMap<String, Tz>, PortalError> {
    Ok(store::queries::locations(client, org_id)
        .await?
        .into_iter()
        .filter_map(|l| {
            let tz = l.settings?.timezone.parse().ok()?;
            Some((l.location_id, tz))
        })
        .collect())
}

/// One account's row, its times in its home location's time zone.
fn member_row(
    t: &Texts<'_>,
    m: MemberView,
    opened: Option<secrets::ProfileData>,
    zones: &BTreeMap<String, Tz>,
    now: DateTime<Utc>,
) -> MemberRow {
    let tz = m
        .home_location
        .as_ref()
        .and_then(|l| zones.get(l))
        .copied()
        .unwrap_or(chrono_tz::UTC);
    let live = m.live_grants(now).next().is_some();
    let (name, email) = name_and_email(t, opened);
    MemberRow {
        name,
        email,
        access: t.get(if live {
            "admin-word-live"
        } else {
            "admin-none"
        }),
        valid_until: if live {
            match m.access_until(now) {
                Some(until) => format!("{} {}", local_datetime(t, until, tz), tz.name()),
                None => t.get("admin-word-open-ended"),
            }
        } else {
            "–".into()
        },
        location: m.home_location.clone().unwrap_or_else(|| "–".into()),
        group: group_words(t, &m, now),
        status_words: stored_word(t, &m.status),
        status: m.status.clone(),
        user_id: m.user_id.clone(),
    }
}
