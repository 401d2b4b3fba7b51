//! `GET /canvas/admin#token=…`: the admin dashboard's canvas (its script posts the token);
//! `POST`: signs an Optix admin in to the admin canvas and sends them to its overview.

use crate::admin_session::admin_context;
use crate::canvas_sign_in::{self, CanvasQuery, Failure, check_token};
use crate::db::{SessionKind, SessionRow, Via};
use crate::error::PortalError;
use crate::forms::TokenForm;
use crate::pages::TokenPage;
use crate::responses::{see_other, with_cookie};
use crate::session::{self, ADMIN_COOKIE, ADMIN_PATH, Site};
use crate::session_store;
use crate::state::State;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

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
    let row = SessionRow {
        kind: SessionKind::Admin,
        org_id: verified.org_id.clone(),
        user_id: verified.user_id.clone(),
        location_id: None,
        via: Via::AdminCanvas,
        context: serde_json::to_value(&context).ok(),
        expires_at: Utc::now()
            + chrono::Duration::seconds(state.settings.admin_session_ttl_secs as i64),
    };
    let id = session_store::begin(state, request, ADMIN_COOKIE, &row).await?;
    tracing::info!(org_id = verified.org_id, "admin signed in to the canvas");
    let cookie = session::cookie(
        ADMIN_COOKIE,
        &id,
        ADMIN_PATH,
        Some(state.settings.admin_session_ttl_secs as i64),
        Site::Embedded,
    );
    Ok(Ok(with_cookie(
        see_other(&format!("{ADMIN_PATH}/home")),
        &cookie,
    )))
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
        |csrf| TokenPage {
            title: "WiFi administration".into(),
            action: ADMIN_PATH.into(),
            csrf,
            location_id: None,
            missing: vec![
                "Open the WiFi app from the Optix dashboard (Apps, or the WiFi menu item) to \
                 manage it here."
                    .into(),
            ],
        },
    )
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
