//! The signed-in admin of the admin canvas: what Optix told about them at sign-in (name,
//! locations, plans; their token sealed, to re-check them), finding their session again (and
//! re-checking with Optix every `admin_recheck_secs`; [`Admin`] is a handler argument), and
//! their forms' CSRF check.

use crate::db::{self, SessionKind, SessionRow, Via};
use crate::error::PortalError;
use crate::language::PageLanguage;
use crate::pages::{Framing, Message};
use crate::responses::{see_other, with_cookie};
use crate::session::{self, ADMIN_COOKIE, ADMIN_SCOPE};
use crate::session::{ADMIN_PATH, Site};
use crate::session_store;
use crate::state::State;
use crate::verify::{Verified, VerifyError};
use actix_web::dev::Payload;
use actix_web::error::{ErrorInternalServerError, InternalError};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use chrono::Utc;
use i18n::Texts;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

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
    /// Who signed the admin in: Optix (a canvas token) or OfficeRnD (a signed integration
    /// page, or the operator's connect code).
    #[serde(default)]
    pub platform: domain::Platform,
}

/// Whether Optix still says the session's admin is an admin of its organization. A refused
/// token or a lost admin role ends the session; Optix being unreachable does not (the admin
/// keeps working until Optix answers again). OfficeRnD has no admin to ask about: its session
/// lasts while the organization stays connected (OfficeRnD signs each page it opens anew).
async fn still_admin(state: &State, row: &SessionRow, context: &AdminContext) -> bool {
    if context.platform == domain::Platform::OfficeRnd {
        let connected = match state.pool.get().await {
            Ok(client) => store::queries::platform_account(&client, &row.org_id)
                .await
                .map(|account| account.is_some())
                .map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        return match connected {
            Ok(connected) => connected,
            Err(error) => {
                tracing::warn!(%error, "re-checking an OfficeRnD connection failed; keeping the session");
                true
            }
        };
    }
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

/// What the admin canvas keeps of a sign-in: Optix's word on the admin, the plan templates
/// (asked with their token) and the token itself, sealed.
pub(crate) async fn admin_context(state: &State, token: &str, verified: &Verified) -> AdminContext {
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
        platform: domain::Platform::Optix,
    }
}

/// Starts an admin session for `user_id` of `org_id` with `context` (a new session id, its
/// cookie for the admin pages) and sends the browser to `landing`.
pub(crate) async fn start(
    state: &State,
    request: &HttpRequest,
    org_id: &str,
    user_id: &str,
    context: &AdminContext,
    landing: &str,
) -> Result<HttpResponse, PortalError> {
    let ttl = state.settings.admin_session_ttl_secs as i64;
    let row = SessionRow {
        kind: SessionKind::Admin,
        org_id: org_id.to_owned(),
        user_id: user_id.to_owned(),
        location_id: None,
        via: Via::AdminCanvas,
        context: serde_json::to_value(context).ok(),
        expires_at: Utc::now() + chrono::Duration::seconds(ttl),
    };
    let id = session_store::begin(state, request, ADMIN_COOKIE, &row).await?;
    tracing::info!(
        org_id,
        platform = context.platform.as_str(),
        "admin signed in"
    );
    let cookie = session::cookie(ADMIN_COOKIE, &id, ADMIN_PATH, Some(ttl), Site::Embedded);
    Ok(with_cookie(see_other(landing), &cookie))
}

pub(crate) struct Admin {
    pub(crate) cookie: String,
    pub(crate) row: SessionRow,
    pub(crate) context: AdminContext,
    /// The words of the admin's pages, in the page's language (`language::page_lang`: the
    /// visitor's choice, the browser's, then the organization's locale).
    pub(crate) texts: Texts<'static>,
    /// The page's language with its switch.
    pub(crate) language: PageLanguage,
}

impl Admin {
    pub(crate) fn csrf(&self, state: &State) -> String {
        session::csrf_token(&state.keys, ADMIN_SCOPE, &self.cookie)
    }
    pub(crate) fn actor(&self) -> String {
        format!("admin:{}", self.row.user_id)
    }
}

async fn signed_in(state: &State, request: &HttpRequest) -> Result<Option<Admin>, PortalError> {
    let Some(cookie) = session::read_cookie(request, ADMIN_COOKIE) else {
        return Ok(None);
    };
    let id_hash = session::sha256_hex(&cookie);
    let client = state.pool.get().await?;
    let Some(row) = db::session(&client, &id_hash, SessionKind::Admin).await? else {
        return Ok(None);
    };
    drop(client);
    let mut context: AdminContext = row
        .context
        .clone()
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default();
    let recheck = chrono::Duration::seconds(state.settings.admin_recheck_secs.max(1) as i64);
    if context
        .checked_at
        .is_none_or(|checked| Utc::now() - checked >= recheck)
    {
        if !still_admin(state, &row, &context).await {
            let client = state.pool.get().await?;
            db::delete_session(&client, &id_hash).await?;
            tracing::info!(
                org_id = row.org_id,
                "admin session ended: Optix no longer confirms the admin"
            );
            return Ok(None);
        }
        context.checked_at = Some(Utc::now());
        if let Ok(value) = serde_json::to_value(&context) {
            let client = state.pool.get().await?;
            db::update_session_context(&client, &id_hash, &value).await?;
        }
    }
    let mut language = state.page_language(request, Some(&row.org_id)).await;
    if request.method() == Method::POST {
        language.back = admin_page_of(request.path()).to_owned();
    }
    Ok(Some(Admin {
        cookie,
        row,
        context,
        texts: language.t,
        language,
    }))
}

/// The admin page a form POST to `path` answers for, where the language switch returns to
/// (some forms post to a path that answers no GET).
fn admin_page_of(path: &str) -> &str {
    if path == "/canvas/admin/sync" {
        return "/canvas/admin/home";
    }
    path.strip_suffix("/test")
        .or_else(|| path.strip_suffix("/devices/remove"))
        .unwrap_or(path)
}

fn signed_out(state: &State, request: &HttpRequest) -> Result<HttpResponse, PortalError> {
    let lang = PageLanguage::new(state, request, None);
    state.page(
        StatusCode::UNAUTHORIZED,
        Framing::Optix,
        &Message::localized(&lang, "admin-signed-out-title", &["admin-signed-out-text"]),
    )
}

/// The signed-in admin of a page, as a handler argument: it answers, instead of running the
/// handler, with the page saying they are not signed in (or the database's error page).
impl FromRequest for Admin {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let state = request
                .app_data::<web::Data<State>>()
                .ok_or_else(|| ErrorInternalServerError("the portal's state is missing"))?;
            match signed_in(state, &request).await? {
                Some(admin) => Ok(admin),
                None => Err(InternalError::from_response(
                    "not signed in",
                    signed_out(state, &request)?,
                )
                .into()),
            }
        })
    }
}

/// The signed-in admin of a form POST with a valid CSRF token.
pub(crate) async fn admin_form(
    state: &State,
    request: &HttpRequest,
    csrf: &str,
    back: &str,
) -> Result<Result<Admin, HttpResponse>, PortalError> {
    let Some(admin) = signed_in(state, request).await? else {
        return Ok(Err(signed_out(state, request)?));
    };
    csrf_checked(state, admin, csrf, back)
}

/// `admin` if the form's CSRF token is theirs; else the "form expired" page.
pub(crate) fn csrf_checked(
    state: &State,
    admin: Admin,
    csrf: &str,
    back: &str,
) -> Result<Result<Admin, HttpResponse>, PortalError> {
    if !session::csrf_matches(&state.keys, ADMIN_SCOPE, &admin.cookie, csrf) {
        return Ok(Err(state.form_expired(
            &admin.language,
            Framing::Optix,
            back,
        )?));
    }
    Ok(Ok(admin))
}

#[cfg(test)]
mod tests {
    use super::admin_page_of;

    #[test]
    fn the_language_switch_returns_to_the_page_a_form_belongs_to() {
        assert_eq!(admin_page_of("/canvas/admin/sync"), "/canvas/admin/home");
        assert_eq!(
            admin_page_of("/canvas/admin/connection/test"),
            "/canvas/admin/connection"
        );
        assert_eq!(
            admin_page_of("/canvas/admin/members/12346/devices/remove"),
            "/canvas/admin/members/12346"
        );
        assert_eq!(admin_page_of("/canvas/admin/plans"), "/canvas/admin/plans");
    }
}
