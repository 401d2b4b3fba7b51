//! The signed-in tenant: starting a session (by emailed link or from the mobile app), and
//! finding it again for a form, with the form's CSRF token checked.

use crate::db::SessionRow;
use crate::error::PortalError;
use crate::onboarding::onboard_if_needed;
use crate::pages::{Framing, Message};
use crate::responses::{see_other, with_cookie};
use crate::session::{self, Site, TENANT_COOKIE, TENANT_SCOPE};
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::Utc;

/// Creates the session (a new id every time: no fixation), sets the cookie, onboards the tenant
/// where they came from (signing in is a POST: with the explicit button, the only moments that
/// may ask Optix) and sends them on to their key page.
pub(crate) async fn start_session(
    state: &State,
    request: &HttpRequest,
    row: SessionRow,
    site: Site,
) -> Result<HttpResponse, PortalError> {
    let id = session::begin(state, request, TENANT_COOKIE, &row).await?;
    let max_age = (row.expires_at - Utc::now()).num_seconds();
    let cookie = session::cookie(TENANT_COOKIE, &id, "/", Some(max_age), site);
    let response = match onboard_if_needed(state, &id, &row).await? {
        Some(page) => page,
        None => see_other("/wifi"),
    };
    Ok(with_cookie(response, &cookie))
}

/// The page for someone without a tenant session.
pub(crate) fn signed_out(state: &State) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::UNAUTHORIZED,
        Framing::Optix,
        &Message::new(
            "You are not signed in",
            &[
                "To see your WiFi key, open your location's WiFi portal link and ask for a \
                 sign-in link, or open WiFi from the Optix app.",
            ],
        ),
    )
}

/// The signed-in tenant, after checking the form's CSRF token; `Err(page)` otherwise.
pub(crate) async fn signed_in_form(
    state: &State,
    request: &HttpRequest,
    csrf: &str,
) -> Result<Result<(String, SessionRow), HttpResponse>, PortalError> {
    let Some((cookie, row)) = session::tenant_session(state, request).await? else {
        return Ok(Err(signed_out(state)?));
    };
    if !session::csrf_matches(&state.keys, TENANT_SCOPE, &cookie, csrf) {
        return Ok(Err(state.form_expired(Framing::Optix, "/wifi")?));
    }
    Ok(Ok((cookie, row)))
}
