//! Onboarding: asking provision (and through it Optix) to open or bind the signed-in tenant's
//! account where their session began, and the pages that explain a refusal. Signing in and the
//! key page's "Get my WiFi key" / "Check again" buttons come here.

use crate::access::{AccessNow, access_now};
use crate::commands::Answer;
use crate::db::{SessionRow, Via};
use crate::error::PortalError;
use crate::limits::RateLimit;
use crate::metrics;
use crate::pages::{Action, Framing, Message};
use crate::session::{self, TENANT_SCOPE};
use crate::state::State;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use bus::commands::{Command, RefusalCode};
use chrono::Utc;
use domain::events::OnboardedVia;

/// Onboarding asks Optix (through provision, on the organization's API budget): only for
/// someone without an account, whose account gives no access right now (a plan bought minutes
/// ago, before its webhook), or whose account a sync opened without a location (the first
/// onboarding binds it). A live, bound account is kept current by webhooks and syncs.
pub(crate) async fn onboard_if_needed(
    state: &State,
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
    onboard(state, cookie, row, member.is_some(), ask_provision).await
}

/// Onboards the tenant where the session began (`ask_provision`: send the command; otherwise
/// only check the location and report it when unmapped). `None`: go on to the key page;
/// `Some`: the page that explains why not.
async fn onboard(
    state: &State,
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
                .unmapped_location(Framing::Optix, &location_id)
                .map(Some)
        };
    }
    if !ask_provision {
        return Ok(None);
    }
    let answer = match ask_to_onboard(state, row, &location_id).await? {
        Ok(answer) => answer,
        Err(page) => return Ok(Some(page)),
    };
    answer_page(state, cookie, &location_id, has_account, answer)
}

/// Provision's answer to onboarding this tenant at `location_id`: a refusal remembered from a
/// moment ago, or the command's answer; `Err(page)` when onboarding is over a rate limit.
async fn ask_to_onboard(
    state: &State,
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
                Framing::Optix,
                retry_after_secs,
                Action::link("/wifi", "Back to your WiFi"),
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
    cookie: &str,
    location_id: &str,
    has_account: bool,
    answer: Answer,
) -> Result<Option<HttpResponse>, PortalError> {
    let csrf = session::csrf_token(&state.keys, TENANT_SCOPE, cookie);
    let page = match answer {
        Answer::Done { .. } => return Ok(None),
        Answer::Unavailable => return state.unavailable(Framing::Optix, "/wifi").map(Some),
        // An existing account's key page shows its own state (suspended, no live access).
        Answer::Refused { code, .. }
            if has_account
                && matches!(
                    code,
                    RefusalCode::NoAccess | RefusalCode::Suspended | RefusalCode::LocationNotMapped
                ) =>
        {
            // (provision recorded the unmapped use itself when it refused)
            return Ok(None);
        }
        Answer::Refused { code, message } => match code {
            RefusalCode::NoAccess => no_access(message, csrf),
            RefusalCode::Suspended => suspended(Some(message)),
            RefusalCode::LocationNotMapped => {
                // Provision recorded the unmapped use when it refused.
                return state
                    .unmapped_location(Framing::Optix, location_id)
                    .map(Some);
            }
            RefusalCode::NotInstalled => {
                return state.unknown_organization(Framing::Optix).map(Some);
            }
            RefusalCode::UnknownUser | RefusalCode::NoAccount => Message::new(
                "We could not find your membership",
                &[
                    "The workspace's member system does not know you (any more). If you think \
                     this is wrong, ask the front desk.",
                ],
            )
            .detail(message),
            _ => Message::new(
                "We could not give you WiFi access",
                &["The WiFi service refused the request. Please ask the front desk."],
            )
            .detail(message),
        },
    };
    state
        .page(StatusCode::FORBIDDEN, Framing::Optix, &page)
        .map(Some)
}

/// Whether the tenant's onboarding attempts are over a limit (per user, and per organization
/// each minute); `Some(retry after)` when they are.
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
pub(crate) fn no_access(message: String, csrf: String) -> Message {
    Message::new(
        "No active plan or booking",
        &[
            "We could not find an active plan, or a booking for today at this location, in \
             your membership, so there is no WiFi access to give you yet.",
            "To get WiFi, start a plan or book a desk or room for today (in the Optix app or at \
             the front desk), then open this page again.",
        ],
    )
    .detail(message)
    .action(Action::post("/wifi/start", "Check again", csrf))
}

/// The page for a suspended account (`message`: provision's words, when it refused).
pub(crate) fn suspended(message: Option<String>) -> Message {
    let page = Message::new(
        "Your WiFi access is paused",
        &[
            "Your WiFi account is kept, but no plan or booking gives you access right now (for \
             example, a plan ended or was cancelled).",
            "As soon as you have an active plan or a booking again, access comes back by itself \
             with the same passphrase. Ask the front desk if this looks wrong.",
        ],
    );
    match message {
        Some(message) => page.detail(message),
        None => page,
    }
}
