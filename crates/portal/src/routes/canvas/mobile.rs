//! `GET /canvas/mobile?location_id=…#token=…`: the Optix app's WiFi tile (its script posts the
//! token); `POST`: signs the app's user in at that location and sends them to the key page,
//! which onboards them there.

use crate::canvas_sign_in::{self, CanvasQuery, Failure, check_token};
use crate::db::{SessionKind, SessionRow, Via};
use crate::error::PortalError;
use crate::forms::TokenForm;
use crate::input::plausible_id;
use crate::pages::TokenPage;
use crate::session::Site;
use crate::state::State;
use crate::tenant_session::start_session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

/// Signs the mobile app's user in and sends them to the key page (which onboards them here).
async fn mobile_session(
    state: &State,
    request: &HttpRequest,
    token: &str,
    location_id: Option<&str>,
) -> Result<Result<HttpResponse, Failure>, PortalError> {
    let Some(location_id) = location_id.filter(|l| plausible_id(l)) else {
        return Ok(Err(Failure::NoLocation));
    };
    let verified = match check_token(state, request, token, false).await {
        Ok(verified) => verified,
        Err(failure) => return Ok(Err(failure)),
    };
    tracing::info!(
        org_id = verified.org_id,
        location_id,
        "signed in from the mobile app"
    );
    let row = SessionRow {
        kind: SessionKind::Tenant,
        org_id: verified.org_id,
        user_id: verified.user_id,
        location_id: Some(location_id.to_owned()),
        via: Via::MobileApp,
        context: None,
        expires_at: Utc::now() + chrono::Duration::seconds(state.settings.session_ttl_secs as i64),
    };
    start_session(state, request, row, Site::Embedded)
        .await
        .map(Ok)
}

fn mobile_url(location_id: Option<&str>, error: Option<Failure>) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    if let Some(location) = location_id.filter(|l| plausible_id(l)) {
        url.append_pair("location_id", location);
    }
    if let Some(failure) = error {
        url.append_pair("error", failure.code());
    }
    let query = url.finish();
    if query.is_empty() {
        "/canvas/mobile".to_owned()
    } else {
        format!("/canvas/mobile?{query}")
    }
}

/// `GET /canvas/mobile?location_id=…`: the page that posts the token from the fragment (or
/// the query).
pub(crate) async fn mobile_page(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<CanvasQuery>,
) -> Result<HttpResponse, PortalError> {
    let location_id = query.location_id.as_deref();
    let retry = mobile_url(location_id, None);
    canvas_sign_in::sign_in_page(
        &state,
        &request,
        query.error.as_deref(),
        &retry,
        |lang, csrf| TokenPage {
            t: lang.t,
            switch: lang.switch(),
            title: lang.t.get("canvas-title"),
            action: "/canvas/mobile".into(),
            csrf,
            location_id: location_id.filter(|l| plausible_id(l)).map(str::to_owned),
            missing: vec![
                lang.t.get("canvas-open-from-app"),
                lang.t.get("canvas-signed-in-already"),
            ],
        },
    )
    .await
}

/// `POST /canvas/mobile`: the token from the fragment, in the body.
pub(crate) async fn mobile_signin(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PortalError> {
    let start = mobile_session(&state, &request, &form.token, form.location_id.as_deref());
    let retry = mobile_url(form.location_id.as_deref(), None);
    canvas_sign_in::sign_in(&state, &request, &form.csrf, &retry, start).await
}
