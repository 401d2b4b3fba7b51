//! Onboarding: asking provision (and through it Optix) to open or bind the signed-in tenant's
//! account where their session began, and the pages that explain a refusal. Signing in and the
//! key page's "Get my WiFi key" / "Check again" buttons come here.

use crate::access::{AccessNow, access_now};
use crate::commands::Answer;
use crate::db::{SessionRow, Via};
use crate::error::PortalError;
use crate::language::PageLanguage;
use crate::limits::RateLimit;
use crate::metrics;
use crate::pages::{Action, Framing, Message};
use crate::session::{self, TENANT_SCOPE};
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use bus::commands::{Command, RefusalCode};
use chrono::Utc;
use domain::events::OnboardedVia;

/// Onboarding asks Optix (through provision, on the organization's API budget): only for
/// someone without an account, whose account gives no access right now (a plan bought minutes
/// ago, before its webhook), or whose account a sync opened without a location (the first
/// onboarding binds it). A live, bound account is kept current by webhooks and syncs.
pub(crate) async fn onboard_if_needed(
    state: &State,
    request: &HttpRequest,
    cookie: &str,
    row: &SessionRow,
) -> Result<Option<HttpResponse>, PortalError> {
    let member = {
        let client = state.pool.get().await?;
        store::queries::member(&client, &row.org_id, &row.user_id).await?
    };
    let live = member
        .as_ref()
        .is_some_and(|m| access_now(m, Utc::now()) == AccessNow::Live);
    let unbound = member.as_ref().is_some_and(|m| m.home_location.is_none());
    let ask_provision = !live || unbound || member.is_none();
    let lang = state.page_language(request, Some(&row.org_id)).await;
    onboard(state, &lang, cookie, row, member.is_some(), ask_provision).await
}

/// Onboards the tenant where the session began (`ask_provision`: send the command; otherwise
/// only check the location and report it when unmapped). `None`: go on to the key page;
/// `Some`: the page that explains why not.
async fn onboard(
    state: &State,
    lang: &PageLanguage,
    cookie: &str,
    row: &SessionRow,
    has_account: bool,
    ask_provision: bool,
) -> Result<Option<HttpResponse>, PortalError> {
    let Some(location_id) = row.location_id.clone() else {
        return Ok(None);
    };
    let mapped = {
        let client = state.pool.get().await?;
        store::queries::location(&client, &row.org_id, &location_id)
            .await?
            .and_then(|l| l.settings)
            .is_some()
    };
    if !mapped {
        state
            .report_unmapped(&row.org_id, &location_id, Some(&row.user_id), None)
            .await;
        // An account opened elsewhere keeps working: show it.
        return if has_account {
            Ok(None)
        } else {
            state
                .unmapped_location(lang, Framing::Optix, &location_id)
                .map(Some)
        };
    }
    if !ask_provision {
        return Ok(None);
    }
    let answer = match ask_to_onboard(state, lang, row, &location_id).await? {
        Ok(answer) => answer,
        Err(page) => return Ok(Some(page)),
    };
    answer_page(state, lang, cookie, &location_id, has_account, answer)
}

/// Provision's answer to onboarding this tenant at `location_id`: a refusal remembered from a
/// moment ago, or the command's answer; `Err(page)` when onboarding is over a rate limit.
async fn ask_to_onboard(
    state: &State,
    lang: &PageLanguage,
    row: &SessionRow,
    location_id: &str,
) -> Result<Result<Answer, HttpResponse>, PortalError> {
    if let Some((code, message)) = state.remembered_refusal(&row.org_id, &row.user_id, location_id)
    {
        return Ok(Ok(Answer::Refused { code, message }));
    }
    if let Some(retry_after_secs) = onboarding_limited(state, row).await? {
        return state
            .too_many(
                lang,
                Framing::Optix,
                retry_after_secs,
                Action::link("/wifi", lang.t.get("back-to-wifi")),
            )
            .map(Err);
    }
    let via = match row.via {
        Via::MobileApp => OnboardedVia::MobileApp,
        _ => OnboardedVia::Portal,
    };
    let answer = state
        .command(
            &row.org_id,
            &format!("tenant:{}", row.user_id),
            Command::Onboard {
                user_id: row.user_id.clone(),
                location_id: location_id.to_owned(),
                via,
            },
        )
        .await;
    if let Answer::Refused { code, message } = &answer {
        state.remember_refusal(&row.org_id, &row.user_id, location_id, *code, message);
    }
    Ok(Ok(answer))
}

/// What the tenant sees after provision's answer: `None` to go on to the key page, else the
/// page that explains the refusal.
fn answer_page(
    state: &State,
    lang: &PageLanguage,
    cookie: &str,
    location_id: &str,
    has_account: bool,
    answer: Answer,
) -> Result<Option<HttpResponse>, PortalError> {
    let csrf = session::csrf_token(&state.keys, TENANT_SCOPE, cookie);
    let page = match answer {
        Answer::Done { .. } => return Ok(None),
        Answer::Unavailable => return state.unavailable(lang, Framing::Optix, "/wifi").map(Some),
        Answer::Refused { code, .. }
            if has_account
                && matches!(
                    code,
                    RefusalCode::NoAccess | RefusalCode::Suspended | RefusalCode::LocationNotMapped
                ) =>
        {
            return Ok(None);
        }
        // Provision's own words are English: the page says it in the tenant's language by
        // the refusal's code (the words are in the log).
        Answer::Refused { code, message } => match code {
            RefusalCode::NoAccess => no_access(lang, csrf),
            RefusalCode::Suspended => suspended(lang),
            RefusalCode::LocationNotMapped => {
                return state
                    .unmapped_location(lang, Framing::Optix, location_id)
                    .map(Some);
            }
            RefusalCode::NotInstalled => {
                return state.unknown_organization(lang, Framing::Optix).map(Some);
            }
            RefusalCode::UnknownUser | RefusalCode::NoAccount => {
                Message::localized(lang, "unknown-member-title", &["unknown-member-text"])
            }
            _ => {
                tracing::info!(code = code.label(), %message, "onboarding refused");
                Message::localized(lang, "refused-title", &["refused-text"])
            }
        },
    };
    state
        .page(StatusCode::FORBIDDEN, Framing::Optix, &page)
        .map(Some)
}

async fn onboarding_limited(state: &State, row: &SessionRow) -> Result<Option<u64>, PortalError> {
    let limits = [
        RateLimit {
            kind: "onboard-user",
            org_id: &row.org_id,
            value: &row.user_id,
            max: state.settings.onboardings_per_user,
            window_secs: state.settings.rate_window_secs,
        },
        RateLimit {
            kind: "onboard-org",
            org_id: &row.org_id,
            value: "",
            max: state.settings.onboardings_per_org_per_minute,
            window_secs: 60,
        },
    ];
    state
        .over_limit(&limits, &row.org_id, "onboarding", || {
            metrics::command("onboard", "rate_limited")
        })
        .await
}

/// The page for an account without a live grant, with a button to ask again.
pub(crate) fn no_access(lang: &PageLanguage, csrf: String) -> Message {
    Message::localized(
        lang,
        "no-access-title",
        &["no-access-text", "no-access-hint"],
    )
    .action(Action::post("/wifi/start", lang.t.get("check-again"), csrf))
}

pub(crate) fn suspended(lang: &PageLanguage) -> Message {
    Message::localized(
        lang,
        "suspended-title",
        &["suspended-text", "suspended-hint"],
    )
}
