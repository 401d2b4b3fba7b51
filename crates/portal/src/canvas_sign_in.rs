//! Signing in from an Optix canvas (the mobile app's WiFi tile, the admin dashboard). Optix
//! opens a canvas with a personal token, in the URL fragment (`#token=…`, our app settings file
//! asks for that) or, when no macro is used, as a `token=` query parameter. Either way the
//! page's script takes it out of the address bar and POSTs it with the page's CSRF token: a GET
//! never signs anyone in (no login CSRF), and the server neither reads nor logs a query token.
//! The portal verifies it with Optix (`me`), never stores or logs it, and signs the user in with
//! a session of its own. The canvases' pages (`routes::canvas`) share this way in.

use crate::db;
use crate::error::PortalError;
use crate::input::plausible_canvas_token;
use crate::language::PageLanguage;
use crate::pages::{Action, Framing, Message, TokenPage};
use crate::session::{self, CANVAS_CSRF_COOKIE, CANVAS_PRE_SCOPE, Site};
use crate::state::State;
use crate::verify::{Verified, VerifyError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

/// A canvas URL's query. A `token` in it is left to the page's script (see the module note).
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct CanvasQuery {
    pub(crate) location_id: Option<String>,
    pub(crate) error: Option<String>,
}

/// Why a canvas sign-in did not happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    Rejected,
    Unavailable,
    UnknownOrganization,
    NotAdmin,
    NoLocation,
    RateLimited(u64),
}

impl Failure {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Failure::Rejected => "rejected",
            Failure::Unavailable => "unavailable",
            Failure::UnknownOrganization => "unknown_organization",
            Failure::NotAdmin => "not_admin",
            Failure::NoLocation => "no_location",
            Failure::RateLimited(_) => "rate_limited",
        }
    }

    fn from_code(code: &str) -> Option<Failure> {
        Some(match code {
            "rejected" => Failure::Rejected,
            "unavailable" => Failure::Unavailable,
            "unknown_organization" => Failure::UnknownOrganization,
            "not_admin" => Failure::NotAdmin,
            "no_location" => Failure::NoLocation,
            "rate_limited" => Failure::RateLimited(60),
            _ => return None,
        })
    }
}

fn failure_page(
    state: &State,
    lang: &PageLanguage,
    failure: Failure,
    retry: &str,
) -> Result<HttpResponse, PortalError> {
    let (status, page) = match failure {
        Failure::Rejected => (
            StatusCode::UNAUTHORIZED,
            Message::localized(
                lang,
                "canvas-rejected-title",
                &["canvas-rejected-text", "canvas-rejected-hint"],
            ),
        ),
        Failure::Unavailable => return state.unavailable(lang, Framing::Optix, retry),
        Failure::UnknownOrganization => return state.unknown_organization(lang, Framing::Optix),
        Failure::NotAdmin => (
            StatusCode::FORBIDDEN,
            Message::localized(lang, "canvas-admins-title", &["canvas-admins-text"]),
        ),
        Failure::NoLocation => (
            StatusCode::BAD_REQUEST,
            Message::localized(
                lang,
                "canvas-no-location-title",
                &["canvas-no-location-text"],
            ),
        ),
        Failure::RateLimited(seconds) => {
            return state.too_many(
                lang,
                Framing::Optix,
                seconds,
                Action::link(retry, lang.t.get("try-again")),
            );
        }
    };
    state.page(status, Framing::Optix, &page)
}

pub(crate) async fn sign_in_page(
    state: &State,
    request: &HttpRequest,
    error: Option<&str>,
    retry: &str,
    page: impl FnOnce(&PageLanguage, String) -> TokenPage,
) -> Result<HttpResponse, PortalError> {
    let lang = state.page_language(request, None).await;
    if let Some(failure) = error.and_then(Failure::from_code) {
        return failure_page(state, &lang, failure, retry);
    }
    let (secret, cookie) = session::pre_session(request, CANVAS_CSRF_COOKIE, Site::Embedded);
    let page = page(
        &lang,
        session::csrf_token(&state.keys, CANVAS_PRE_SCOPE, &secret),
    );
    state.page_with_new_cookie(StatusCode::OK, Framing::Optix, &page, cookie)
}

/// A canvas's sign-in POST: the form's CSRF token against the pre-session cookie, then `start`
/// (which checks the token with Optix and starts the session; never run for a refused form),
/// or the page that says why signing in failed, with a way to `retry`.
pub(crate) async fn sign_in(
    state: &State,
    request: &HttpRequest,
    csrf: &str,
    retry: &str,
    start: impl Future<Output = Result<Result<HttpResponse, Failure>, PortalError>>,
) -> Result<HttpResponse, PortalError> {
    if !session::pre_session_form_ok(
        &state.keys,
        request,
        CANVAS_CSRF_COOKIE,
        CANVAS_PRE_SCOPE,
        csrf,
    ) {
        let lang = state.page_language(request, None).await;
        return state.form_expired(&lang, Framing::Optix, retry);
    }
    match start.await? {
        Ok(response) => Ok(response),
        Err(failure) => {
            let lang = state.page_language(request, None).await;
            failure_page(state, &lang, failure, retry)
        }
    }
}

/// Asks Optix who the token belongs to and checks it may use this canvas.
pub(crate) async fn check_token(
    state: &State,
    request: &HttpRequest,
    token: &str,
    admin: bool,
) -> Result<Verified, Failure> {
    // Only refused tokens count against a client address: a whole coworking space behind one
    // NAT opens the app all day, but nobody needs many wrong tokens. Every attempt is counted
    // up front (check and count in one statement, so parallel tokens cannot all slip in before
    // the first is counted) and given back when Optix vouches for the token.
    let address = state.client_address(request);
    let max = state.settings.canvas_refusals_per_client;
    match state.limit("canvas-refused", "", &address, max).await {
        Ok(db::Limit::Allowed) => {}
        Ok(db::Limit::Exceeded { retry_after_secs }) => {
            return Err(Failure::RateLimited(retry_after_secs));
        }
        Err(error) => {
            tracing::warn!(%error, "rate limit check failed");
            return Err(Failure::Unavailable);
        }
    }
    let refused = |why: &'static str| {
        tracing::info!(reason = why, "canvas token refused");
        Failure::Rejected
    };
    let not_refused = || async {
        if let Err(error) = state.unlimit("canvas-refused", "", &address).await {
            tracing::warn!(%error, "giving back a canvas sign-in attempt failed");
        }
    };
    if !plausible_canvas_token(token) {
        return Err(refused("malformed"));
    }
    let verified = match state.verifier.verify(token).await {
        Ok(verified) => verified,
        Err(VerifyError::Rejected(why)) => return Err(refused(why)),
        Err(VerifyError::Unavailable(error)) => {
            tracing::warn!(%error, "canvas token could not be verified");
            not_refused().await;
            return Err(Failure::Unavailable);
        }
    };
    not_refused().await;
    let installed = match state.pool.get().await {
        Ok(client) => store::queries::organization_installed(&client, &verified.org_id).await,
        Err(error) => {
            tracing::warn!(%error, "database unavailable");
            return Err(Failure::Unavailable);
        }
    };
    match installed {
        Ok(Some(true)) => {}
        Ok(_) => return Err(Failure::UnknownOrganization),
        Err(error) => {
            tracing::warn!(%error, "database unavailable");
            return Err(Failure::Unavailable);
        }
    }
    if admin && !verified.me.is_admin {
        return Err(Failure::NotAdmin);
    }
    Ok(verified)
}
