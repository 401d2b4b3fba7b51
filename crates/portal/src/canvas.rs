//! The Optix canvases: the mobile app's WiFi tile (`MOBILE_HOME_PRIMARY`) and the admin
//! dashboard's settings/menu canvases. Optix opens them with a personal token, in the URL
//! fragment (`#token=…`, our app settings file asks for that) or, when no macro is used, as a
//! `token=` query parameter. Either way the page's script takes it out of the address bar and
//! POSTs it with the page's CSRF token: a GET never signs anyone in (no login CSRF), and the
//! server neither reads nor logs a query token. The portal verifies it with Optix (`me`), never
//! stores or logs it, and signs the user in with a session of its own.

use crate::db::{self, SessionKind, SessionRow, Via};
use crate::pages::{Action, Framing, Message, TokenPage};
use crate::session::{self, ADMIN_COOKIE, ADMIN_PATH, Site};
use crate::tenant::{self, TokenForm};
use crate::verify::{Verified, VerifyError};
use crate::{PortalError, State, plausible_id, see_other, with_cookie};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

/// Pre-session CSRF cookie of the canvases (`SameSite=None; Partitioned`: they may be framed).
pub const CANVAS_CSRF_COOKIE: &str = "lanyard_canvas_csrf";
const PRE_SCOPE: &str = "canvas-pre";

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/canvas/mobile", web::get().to(mobile_page))
        .route("/canvas/mobile", web::post().to(mobile_signin))
        .route(ADMIN_PATH, web::get().to(admin_page))
        .route(ADMIN_PATH, web::post().to(admin_signin));
}

/// A canvas URL's query. A `token` in it is left to the page's script (see the module note).
#[derive(Deserialize)]
struct CanvasQuery {
    #[serde(default)]
    location_id: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Why a canvas sign-in did not happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    Rejected,
    Unavailable,
    UnknownOrganization,
    NotAdmin,
    NoLocation,
    RateLimited(u64),
}

impl Failure {
    fn code(self) -> &'static str {
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

fn failure_page(state: &State, failure: Failure, retry: &str) -> Result<HttpResponse, PortalError> {
    let (status, page) = match failure {
        Failure::Rejected => (
            StatusCode::UNAUTHORIZED,
            Message::new(
                "We could not sign you in",
                &[
                    "Optix did not confirm who you are: the sign-in token is missing, expired or \
                     not valid.",
                    "Close this screen and open it again from the Optix app or dashboard.",
                ],
            ),
        ),
        Failure::Unavailable => return state.unavailable(Framing::Optix, retry),
        Failure::UnknownOrganization => return tenant::unknown_organization(state, Framing::Optix),
        Failure::NotAdmin => (
            StatusCode::FORBIDDEN,
            Message::new(
                "Admins only",
                &[
                    "This part of the WiFi app is for the workspace's administrators. Members \
                     find their WiFi key in the Optix app's WiFi tile.",
                ],
            ),
        ),
        Failure::NoLocation => (
            StatusCode::BAD_REQUEST,
            Message::new(
                "Open WiFi from a location",
                &[
                    "The app did not say which location you are at. Choose your location in the \
                     Optix app, then open WiFi from its home screen.",
                ],
            ),
        ),
        Failure::RateLimited(seconds) => {
            return state.too_many(Framing::Optix, seconds, Action::link(retry, "Try again"));
        }
    };
    state.page(status, Framing::Optix, &page)
}

/// Tokens are short opaque strings; anything else is not worth asking Optix about.
pub(crate) fn plausible_canvas_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 512 && token.bytes().all(|b| b.is_ascii_graphic())
}

/// Asks Optix who the token belongs to and checks it may use this canvas.
async fn check_token(
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
    tenant::start_session(state, request, row, Site::Embedded)
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
async fn mobile_page(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<CanvasQuery>,
) -> Result<HttpResponse, PortalError> {
    let query = query.into_inner();
    let location_id = query.location_id.as_deref();
    if let Some(failure) = query.error.as_deref().and_then(Failure::from_code) {
        return failure_page(&state, failure, &mobile_url(location_id, None));
    }
    let (secret, cookie) = tenant::pre_session(&request, CANVAS_CSRF_COOKIE, Site::Embedded);
    let page = TokenPage {
        title: "WiFi".into(),
        action: "/canvas/mobile".into(),
        csrf: session::csrf_token(&state.keys, PRE_SCOPE, &secret),
        location_id: location_id.filter(|l| plausible_id(l)).map(str::to_owned),
        missing: vec![
            "Open WiFi from the Optix app to see your WiFi key here.".into(),
            "Signed in already? Your key is on the WiFi page.".into(),
        ],
    };
    let response = state.page(StatusCode::OK, Framing::Optix, &page)?;
    Ok(match cookie {
        Some(cookie) => with_cookie(response, &cookie),
        None => response,
    })
}

/// `POST /canvas/mobile`: the token from the fragment, in the body.
async fn mobile_signin(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PortalError> {
    let form = form.into_inner();
    let location_id = form.location_id.as_deref();
    if !pre_session_ok(&state, &request, &form.csrf) {
        return tenant::form_expired(&state, Framing::Optix, &mobile_url(location_id, None));
    }
    match mobile_session(&state, &request, &form.token, location_id).await? {
        Ok(response) => Ok(response),
        Err(failure) => failure_page(&state, failure, &mobile_url(location_id, None)),
    }
}

fn pre_session_ok(state: &State, request: &HttpRequest, csrf: &str) -> bool {
    session::read_cookie(request, CANVAS_CSRF_COOKIE)
        .is_some_and(|secret| session::csrf_matches(&state.keys, PRE_SCOPE, &secret, csrf))
}

/// What the admin canvas knows from Optix at sign-in (asked with the admin's token, which is
/// not kept): their name, the Optix locations they manage and the plan templates.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AdminContext {
    pub name: String,
    pub locations: Vec<OptixLocation>,
    pub plans: Vec<OptixPlan>,
    /// Why the plan list could not be fetched, if it could not.
    #[serde(default)]
    pub plans_error: Option<String>,
    /// The admin's canvas token, sealed with the master key (never in clear at rest), so the
    /// session can be re-checked with Optix every `admin_recheck_secs`.
    #[serde(default)]
    pub token: Option<domain::Sealed>,
    /// When Optix last confirmed this admin.
    #[serde(default)]
    pub checked_at: Option<chrono::DateTime<Utc>>,
}

/// Whether Optix still says the session's admin is an admin of its organization. A refused
/// token or a lost admin role ends the session; Optix being unreachable does not (the admin
/// keeps working until Optix answers again).
pub(crate) async fn still_admin(state: &State, row: &SessionRow, context: &AdminContext) -> bool {
    let aad = secrets::contexts::admin_canvas_token(&row.org_id, &row.user_id);
    let Some(token) = context
        .token
        .as_ref()
        .and_then(|sealed| state.keys.open_with_master(sealed, &aad).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
    else {
        return false;
    };
    match state.verifier.verify(&token).await {
        Ok(verified) => {
            verified.me.is_admin && verified.org_id == row.org_id && verified.user_id == row.user_id
        }
        Err(VerifyError::Rejected(_)) => false,
        Err(VerifyError::Unavailable(error)) => {
            tracing::warn!(%error, "re-checking an admin with Optix failed; keeping the session");
            true
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OptixLocation {
    pub location_id: String,
    pub name: String,
    pub timezone: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OptixPlan {
    pub plan_template_id: String,
    pub name: String,
}

async fn admin_context(state: &State, token: &str, verified: &Verified) -> AdminContext {
    let locations = verified
        .me
        .admin_locations
        .iter()
        .map(|l| OptixLocation {
            location_id: l.location_id.clone(),
            name: l.name.clone(),
            timezone: l.timezone.clone(),
        })
        .collect();
    let (plans, plans_error) = match state.verifier.optix().plan_templates(token).await {
        Ok(plans) => (
            plans
                .into_iter()
                .map(|p| OptixPlan {
                    plan_template_id: p.plan_template_id,
                    name: p.name,
                })
                .collect(),
            None,
        ),
        Err(error) => {
            tracing::warn!(%error, "listing plan templates with the admin token failed");
            (Vec::new(), Some(error.to_string()))
        }
    };
    AdminContext {
        name: verified.fullname.clone(),
        locations,
        plans,
        plans_error,
        token: Some(state.keys.seal_with_master(
            token.as_bytes(),
            &secrets::contexts::admin_canvas_token(&verified.org_id, &verified.user_id),
        )),
        checked_at: Some(Utc::now()),
    }
}

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
    let id = session::new_secret();
    {
        let client = state.pool.get().await?;
        if let Some(old) = session::read_cookie(request, ADMIN_COOKIE) {
            db::delete_session(&client, &session::sha256_hex(&old)).await?;
        }
        db::insert_session(&client, &session::sha256_hex(&id), &row).await?;
    }
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
async fn admin_page(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<CanvasQuery>,
) -> Result<HttpResponse, PortalError> {
    let query = query.into_inner();
    if let Some(failure) = query.error.as_deref().and_then(Failure::from_code) {
        return failure_page(&state, failure, ADMIN_PATH);
    }
    let (secret, cookie) = tenant::pre_session(&request, CANVAS_CSRF_COOKIE, Site::Embedded);
    let page = TokenPage {
        title: "WiFi administration".into(),
        action: ADMIN_PATH.into(),
        csrf: session::csrf_token(&state.keys, PRE_SCOPE, &secret),
        location_id: None,
        missing: vec![
            "Open the WiFi app from the Optix dashboard (Apps, or the WiFi menu item) to manage \
             it here."
                .into(),
        ],
    };
    let response = state.page(StatusCode::OK, Framing::Optix, &page)?;
    Ok(match cookie {
        Some(cookie) => with_cookie(response, &cookie),
        None => response,
    })
}

/// `POST /canvas/admin`: the admin's token from the fragment.
async fn admin_signin(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PortalError> {
    if !pre_session_ok(&state, &request, &form.csrf) {
        return tenant::form_expired(&state, Framing::Optix, ADMIN_PATH);
    }
    match admin_session(&state, &request, &form.token).await? {
        Ok(response) => Ok(response),
        Err(failure) => failure_page(&state, failure, ADMIN_PATH),
    }
}
