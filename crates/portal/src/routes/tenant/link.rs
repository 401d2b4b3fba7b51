//! `GET /l/{org}/{location}/signin#token=…`: the page the emailed sign-in link opens (its script
//! posts the token from the fragment); `POST`: spends the link and signs the tenant in.

use crate::db::{self, LinkUse, SessionKind, SessionRow, Via};
use crate::error::PortalError;
use crate::forms::TokenForm;
use crate::pages::{Action, Framing, Message, TokenPage};
use crate::place::{Place, place, portal_path};
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
    if let Place::UnknownOrganization = place(&state, &org_id, &location_id).await? {
        return state.unknown_organization(Framing::Deny);
    }
    let (secret, cookie) = session::pre_session(&request, CSRF_COOKIE, Site::Portal);
    let page = TokenPage {
        title: "Signing in".into(),
        action: format!("{}/signin", portal_path(&org_id, &location_id)),
        csrf: session::csrf_token(&state.keys, PRE_SCOPE, &secret),
        location_id: None,
        missing: vec![
            "This page signs you in with the link from your email, but the link is incomplete."
                .into(),
            "Open the link from the email again, or ask for a new one.".into(),
        ],
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
    if let Place::UnknownOrganization = place(&state, &org_id, &location_id).await? {
        return state.unknown_organization(Framing::Deny);
    }
    if !session::pre_session_form_ok(&state.keys, &request, CSRF_COOKIE, PRE_SCOPE, &form.csrf) {
        return state.form_expired(Framing::Deny, &format!("{back}/signin"));
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
        refused => return link_refused(&state, refused, back),
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

/// The page for a link that did not sign in (used, expired, unknown), with a way to a new one.
fn link_refused(state: &State, used: LinkUse, back: String) -> Result<HttpResponse, PortalError> {
    let (status, message) = match used {
        LinkUse::AlreadyUsed => (
            StatusCode::GONE,
            Message::new(
                "This sign-in link was already used",
                &[
                    "Each link works only once. If you just signed in on another device or \
                     browser, you can sign in here with a new link.",
                ],
            ),
        ),
        LinkUse::Expired => (
            StatusCode::GONE,
            Message::new(
                "This sign-in link has expired",
                &[&format!(
                    "Sign-in links work for {} minutes. Ask for a new one: it arrives in a moment.",
                    state.settings.magic_link_ttl_secs.div_ceil(60)
                )],
            ),
        ),
        // (a link that signed in never comes here)
        LinkUse::Unknown | LinkUse::SignedIn { .. } => (
            StatusCode::NOT_FOUND,
            Message::new(
                "This sign-in link is not valid here",
                &[
                    "The link is incomplete, or it belongs to another location's portal. Open \
                     the link from your email again, or ask for a new one here.",
                ],
            ),
        ),
    };
    let again = Action::link(back, "Send me a new link");
    state.page(status, Framing::Deny, &message.action(again))
}
