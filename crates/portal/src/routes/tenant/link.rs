//! `GET /l/{org}/{location}/signin#token=…`: the page the emailed sign-in link opens (its script
//! posts the token from the fragment); `POST`: spends the link and signs the tenant in.

use crate::db::{self, LinkUse, SessionKind, SessionRow, Via};
use crate::error::PortalError;
use crate::forms::TokenForm;
use crate::language::PageLanguage;
use crate::pages::{Action, Framing, Message, TokenPage};
use crate::place::{Place, place, portal_path};
use crate::routes::tenant::sign_in::link_minutes;
use crate::session::{self, CSRF_COOKIE, PRE_SCOPE, Site};
use crate::state::State;
use crate::tenant_session::start_session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;

/// `GET /l/{org}/{location}/signin#token=…`: the page the emailed link opens; its script posts
/// the token from the fragment.
pub(crate) async fn signin_page(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PortalError> {
    let (org_id, location_id) = path.into_inner();
    let (known, lang) = known_organization(&state, &request, &org_id, &location_id).await?;
    if !known {
        return state.unknown_organization(&lang, Framing::Deny);
    }
    let (secret, cookie) = session::pre_session(&request, CSRF_COOKIE, Site::Portal);
    let page = TokenPage {
        t: lang.t,
        switch: lang.switch(),
        title: lang.t.get("signing-in-title"),
        action: format!("{}/signin", portal_path(&org_id, &location_id)),
        csrf: session::csrf_token(&state.keys, PRE_SCOPE, &secret),
        location_id: None,
        missing: vec![lang.t.get("link-incomplete"), lang.t.get("link-open-again")],
    };
    state.page_with_new_cookie(StatusCode::OK, Framing::Deny, &page, cookie)
}

/// `POST /l/{org}/{location}/signin`: spends the link and signs the tenant in.
pub(crate) async fn signin(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PortalError> {
    let (org_id, location_id) = path.into_inner();
    let back = portal_path(&org_id, &location_id);
    let (known, lang) = known_organization(&state, &request, &org_id, &location_id).await?;
    if !known {
        return state.unknown_organization(&lang, Framing::Deny);
    }
    if !session::pre_session_form_ok(&state.keys, &request, CSRF_COOKIE, PRE_SCOPE, &form.csrf) {
        return state.form_expired(&lang, Framing::Deny, &format!("{back}/signin"));
    }
    let used = if session::plausible_secret(&form.token) {
        let client = state.pool.get().await?;
        db::use_link(
            &client,
            &session::sha256_hex(&form.token),
            &org_id,
            &location_id,
        )
        .await?
    } else {
        LinkUse::Unknown
    };
    let user_id = match used {
        LinkUse::SignedIn { user_id } => user_id,
        refused => return link_refused(&state, &lang, refused, back),
    };
    tracing::info!(org_id, location_id, "signed in with a link");
    let row = SessionRow {
        kind: SessionKind::Tenant,
        org_id,
        user_id,
        location_id: Some(location_id),
        via: Via::Portal,
        context: None,
        expires_at: Utc::now() + chrono::Duration::seconds(state.settings.session_ttl_secs as i64),
    };
    start_session(&state, &request, row, Site::Portal).await
}

/// Whether the organization of a sign-in link installed the app, and the page language (with
/// its locale when it did).
async fn known_organization(
    state: &State,
    request: &HttpRequest,
    org_id: &str,
    location_id: &str,
) -> Result<(bool, PageLanguage), PortalError> {
    if let Place::UnknownOrganization = place(state, org_id, location_id).await? {
        return Ok((false, state.page_language(request, None).await));
    }
    Ok((true, state.page_language(request, Some(org_id)).await))
}

/// The page for a link that did not sign in (used, expired, unknown), with a way to a new one.
fn link_refused(
    state: &State,
    lang: &PageLanguage,
    used: LinkUse,
    back: String,
) -> Result<HttpResponse, PortalError> {
    let (status, message) = match used {
        LinkUse::AlreadyUsed => (
            StatusCode::GONE,
            Message::localized(lang, "link-used-title", &["link-used-text"]),
        ),
        LinkUse::Expired => (
            StatusCode::GONE,
            Message::text(
                lang,
                lang.t.get("link-expired-title"),
                vec![
                    lang.t
                        .get_count("link-expired-text", "minutes", link_minutes(state)),
                ],
            ),
        ),
        // (a link that signed in never comes here)
        LinkUse::Unknown | LinkUse::SignedIn { .. } => (
            StatusCode::NOT_FOUND,
            Message::localized(lang, "link-invalid-title", &["link-invalid-text"]),
        ),
    };
    let again = Action::link(back, lang.t.get("link-new"));
    state.page(status, Framing::Deny, &message.action(again))
}
