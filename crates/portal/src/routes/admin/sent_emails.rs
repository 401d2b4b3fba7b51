//! `GET /canvas/admin/emails/sent`: the organization's latest tenant emails (`notify`'s outbox):
//! which message, to which member, its outcome, when, and after how many attempts. The
//! address is never shown: it is not stored; the member's name is opened from their profile.

use crate::admin_session::Admin;
use crate::admin_words::{local_datetime, name_and_email};
use crate::error::PortalError;
use crate::language::LanguageSwitch;
use crate::notify::outbox::{self, SentRow};
use crate::pages::Framing;
use crate::sealed::open_profile;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono_tz::Tz;
use i18n::Texts;
use std::collections::BTreeMap;

pub(crate) const PATH: &str = "/canvas/admin/emails/sent";

/// The newest sends listed.
const LATEST: i64 = 200;

struct EmailRow {
    kind: String,
    member: String,
    user_id: String,
    /// Gone members are named, not linked.
    linked: bool,
    outcome: String,
    when: String,
    attempts: i32,
    reason: String,
}

#[derive(Template)]
#[template(path = "admin_sent_emails.html")]
struct SentEmailsPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    rows: Vec<EmailRow>,
    /// The zone of the times, and how many rows at most.
    caption: String,
}

pub(crate) async fn sent_emails(
    state: web::Data<State>,
    admin: Admin,
) -> Result<HttpResponse, PortalError> {
    let t = admin.texts;
    let org = admin.row.org_id.clone();
    let client = state.pool.get().await?;
    // Times in the first mapped location's zone (the one most organizations have), else UTC.
    let tz: Tz = store::queries::locations(&client, &org)
        .await?
        .into_iter()
        .find_map(|l| l.settings)
        .and_then(|s| s.timezone.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let sent = outbox::latest(&client, &org, LATEST).await?;
    let mut names: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut rows = Vec::with_capacity(sent.len());
    for row in sent {
        if !names.contains_key(&row.user_id) {
            let name = match store::queries::member(&client, &org, &row.user_id).await? {
                Some(member) => {
                    let opened =
                        open_profile(&state, &client, &org, &row.user_id, &member.profile).await?;
                    opened.map(|profile| name_and_email(&t, Some(profile)).0)
                }
                None => None,
            };
            names.insert(row.user_id.clone(), name);
        }
        let name = names.get(&row.user_id).cloned().flatten();
        rows.push(email_row(&t, row, name, tz));
    }
    drop(client);
    let caption = format!(
        "{} {}",
        t.get_with("mail-log-caption", &[("timezone", tz.name())]),
        t.get_count("mail-log-limit", "limit", LATEST)
    );
    let page = SentEmailsPage {
        title: t.get("mail-log-title"),
        t,
        switch: admin.language.switch(),
        section: "sent_emails",
        notice: None,
        error: None,
        rows,
        caption,
    };
    state.page(StatusCode::OK, Framing::Optix, &page)
}

fn email_row(t: &Texts<'static>, row: SentRow, name: Option<String>, tz: Tz) -> EmailRow {
    EmailRow {
        kind: t.get(&format!("mail-log-kind-{}", row.kind.replace('_', "-"))),
        linked: name.is_some(),
        member: name.unwrap_or_else(|| t.get("mail-log-member-gone")),
        user_id: row.user_id,
        outcome: t.get(&format!(
            "mail-log-outcome-{}",
            row.status.replace('_', "-")
        )),
        when: local_datetime(t, row.updated_at, tz),
        attempts: row.attempts,
        reason: row.last_error.unwrap_or_default(),
    }
}
