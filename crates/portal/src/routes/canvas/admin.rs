//! `GET /canvas/admin#token=…`: the admin dashboard's canvas (its script posts the token);
//! `POST`: signs an Optix admin in to the admin canvas and sends them to its overview.

use crate::admin_session::{admin_context, start};
use crate::canvas_sign_in::{self, CanvasQuery, Failure, check_token};
use crate::error::PortalError;
use crate::forms::TokenForm;
use crate::pages::TokenPage;
use crate::session::ADMIN_PATH;
use crate::state::State;
use actix_web::{HttpRequest, HttpResponse, web};

async fn admin_session(
    state: &State,
    request: &HttpRequest,
    token: &str,
) -> Result<Result<HttpResponse, Failure>, PortalError> {
    let verified = match check_token(state, request, token, true).await {
        Ok(verified) => verified,
        Err(failure) => return Ok(Err(failure)),
    };
    let context = admin_context(state, token, &verified).await;
    let landing = format!("{ADMIN_PATH}/home");
    let started = start(
        state,
        request,
        &verified.org_id,
        &verified.user_id,
        &context,
        &landing,
    );
    Ok(Ok(started.await?))
}

/// `GET /canvas/admin`: like the mobile canvas, for admins.
pub(crate) async fn admin_page(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<CanvasQuery>,
) -> Result<HttpResponse, PortalError> {
    canvas_sign_in::sign_in_page(
        &state,
        &request,
        query.error.as_deref(),
        ADMIN_PATH,
        |lang, csrf| TokenPage {
            t: lang.t,
            switch: lang.switch(),
            title: lang.t.get("admin-brand"),
            action: ADMIN_PATH.into(),
            csrf,
            location_id: None,
            missing: vec![lang.t.get("admin-canvas-open-from-optix")],
        },
    )
    .await
}

/// `POST /canvas/admin`: the admin's token from the fragment.
pub(crate) async fn admin_signin(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PortalError> {
    let start = admin_session(&state, &request, &form.token);
    canvas_sign_in::sign_in(&state, &request, &form.csrf, ADMIN_PATH, start).await
}
