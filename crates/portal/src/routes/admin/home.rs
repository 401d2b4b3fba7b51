//! `GET /canvas/admin/home`: the admin canvas's overview (notifications, recent syncs, team
//! groups); `POST /canvas/admin/sync`: a full sync of the organization now.

use crate::admin_forms::{Banner, FormPage, PageResult};
use crate::admin_session::Admin;
use crate::admin_words::{number, stored_word, utc_datetime};
use crate::forms::CsrfForm;
use crate::language::LanguageSwitch;
use crate::pages::Framing;
use crate::state::State;
use askama::Template;
use bus::commands::Command;
use i18n::Texts;

struct NotificationRow {
    when: String,
    kind: String,
    subject: String,
    message: String,
}

struct SyncRow {
    when: String,
    kind: String,
    outcome: String,
    users_seen: String,
    corrected: String,
    events: String,
    reason: String,
}

struct GroupRow {
    name: String,
    vlan: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct HomePage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    /// The membership platform's name (Optix, OfficeRnD).
    platform: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    admin_name: String,
    org_id: String,
    notifications: Vec<NotificationRow>,
    syncs: Vec<SyncRow>,
    groups: Vec<GroupRow>,
}

/// The overview page, whose one form starts a sync.
pub(crate) struct Overview;

impl FormPage for Overview {
    type Form = CsrfForm;
    const PATH: &'static str = "/canvas/admin/home";

    fn command(_: &CsrfForm, _: &Texts<'_>) -> Result<(Command, &'static str), String> {
        Ok((Command::SyncNow, "sync_started"))
    }

    /// Notifications, recent syncs, groups.
    async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
        let org = &admin.row.org_id;
        let client = state.pool.get().await?;
        let notifications = store::queries::notifications(&client, org, 50).await?;
        let syncs = store::queries::sync_runs(&client, org, 10).await?;
        let groups = store::queries::groups(&client, org).await?;
        drop(client);
        let t = admin.texts;
        let platform = domain::Platform::of_org(&admin.row.org_id).name();
        let page = HomePage {
            t,
            switch: admin.language.switch(),
            title: t.get("admin-brand"),
            section: "home",
            platform,
            notice: banner.notice,
            error: banner.error,
            csrf: admin.csrf(state),
            admin_name: if admin.context.name.is_empty() {
                t.get_with("admin-home-user", &[("user", &admin.row.user_id)])
            } else {
                admin.context.name.clone()
            },
            org_id: org.clone(),
            notifications: notifications
                .into_iter()
                .map(|n| notification_row(&t, platform, n))
                .collect(),
            syncs: syncs.into_iter().map(|s| sync_row(&t, s)).collect(),
            groups: groups
                .into_iter()
                .map(|(g, members)| GroupRow {
                    name: g.name,
                    vlan: g
                        .vlan
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| t.get("admin-none")),
                    members,
                })
                .collect(),
        };
        state.page(banner.status, Framing::Optix, &page)
    }

    fn csrf(form: &CsrfForm) -> &str {
        &form.csrf
    }
}

/// A notification in the page's language: an unmapped location's words are Lanyard's own; the
/// others keep the words stored when they were raised (they hold a platform's reason).
fn notification_row(
    t: &Texts<'_>,
    platform: &str,
    n: store::queries::NotificationView,
) -> NotificationRow {
    let message = if n.kind == "unmapped_location" {
        t.get_with(
            "admin-notification-unmapped-location-text",
            &[("platform", platform), ("location", &n.subject)],
        )
    } else {
        n.message
    };
    NotificationRow {
        when: utc_datetime(t, n.raised_at),
        kind: stored_word(t, &n.kind),
        subject: n.subject,
        message,
    }
}

fn sync_row(t: &Texts<'_>, s: store::queries::SyncRunView) -> SyncRow {
    SyncRow {
        when: utc_datetime(t, s.finished_at),
        kind: stored_word(t, &s.kind),
        outcome: stored_word(t, &s.outcome),
        users_seen: number(s.users_seen),
        corrected: number(s.corrected_streams),
        events: number(s.events_appended),
        reason: s.reason.unwrap_or_default(),
    }
}
