//! The signed-in tenant: starting a session (by emailed link or from the mobile app), and
//! finding it again for a form, with the form's CSRF token checked ([`SignedInForm`], a handler
//! argument).

use crate::db::SessionRow;
use crate::error::PortalError;
use crate::forms::CarriesCsrf;
use crate::onboarding::onboard_if_needed;
use crate::pages::{Framing, Message};
use crate::responses::{see_other, with_cookie};
use crate::session::{self, Site, TENANT_COOKIE, TENANT_SCOPE};
use crate::session_store;
use crate::state::State;
use actix_web::dev::Payload;
use actix_web::error::{ErrorInternalServerError, InternalError};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// Creates the session (a new id every time: no fixation), sets the cookie, onboards the tenant
/// where they came from (signing in is a POST: with the explicit button, the only moments that
/// may ask Optix) and sends them on to their key page.
pub(crate) async fn start_session(
    state: &State,
    request: &HttpRequest,
    row: SessionRow,
    site: Site,
) -> Result<HttpResponse, PortalError> {
    let id = session_store::begin(state, request, TENANT_COOKIE, &row).await?;
    let max_age = (row.expires_at - Utc::now()).num_seconds();
    let cookie = session::cookie(TENANT_COOKIE, &id, "/", Some(max_age), site);
    let response = match onboard_if_needed(state, request, &id, &row).await? {
        Some(page) => page,
        None => see_other("/wifi"),
    };
    Ok(with_cookie(response, &cookie))
}

/// The page for someone without a tenant session.
pub(crate) async fn signed_out(
    state: &State,
    request: &HttpRequest,
) -> Result<HttpResponse, PortalError> {
    let lang = state.page_language(request, None).await;
    state.page(
        StatusCode::UNAUTHORIZED,
        Framing::Optix,
        &Message::localized(&lang, "not-signed-in-title", &["not-signed-in-text"]),
    )
}

/// The signed-in tenant, after checking the form's CSRF token; `Err(page)` otherwise.
async fn signed_in_form(
    state: &State,
    request: &HttpRequest,
    csrf: &str,
) -> Result<Result<(String, SessionRow), HttpResponse>, PortalError> {
    let Some((cookie, row)) = session_store::tenant_session(state, request).await? else {
        return Ok(Err(signed_out(state, request).await?));
    };
    if !session::csrf_matches(&state.keys, TENANT_SCOPE, &cookie, csrf) {
        let lang = state.page_language(request, Some(&row.org_id)).await;
        return Ok(Err(state.form_expired(&lang, Framing::Optix, "/wifi")?));
    }
    Ok(Ok((cookie, row)))
}

/// A form the signed-in tenant posted, its CSRF token checked against their session. As a
/// handler argument it answers, instead of running the handler, with the page saying the
/// tenant is signed out or the form expired (or the database's error page).
pub(crate) struct SignedInForm<F> {
    /// The session cookie's value (the CSRF tokens of the next page are made from it).
    pub cookie: String,
    pub row: SessionRow,
    pub form: F,
}

impl<F: DeserializeOwned + CarriesCsrf + 'static> FromRequest for SignedInForm<F> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = web::Form::<F>::from_request(request, payload);
        let request = request.clone();
        Box::pin(async move {
            let form = form.await?.into_inner();
            let state = request
                .app_data::<web::Data<State>>()
                .ok_or_else(|| ErrorInternalServerError("the portal's state is missing"))?;
            match signed_in_form(state, &request, form.csrf()).await? {
                Ok((cookie, row)) => Ok(SignedInForm { cookie, row, form }),
                Err(page) => Err(InternalError::from_response("not signed in", page).into()),
            }
        })
    }
}
