//! `GET /l/{org}/{location}`: a location's portal, the email form (or straight on to the key page
//! when signed in there); `POST`: ask for a sign-in link by email.

use crate::error::PortalError;
use crate::input::plausible_email;
use crate::language::PageLanguage;
use crate::limits::{LONGEST_WINDOW_SECS, RateLimit};
use crate::links;
use crate::metrics;
use crate::pages::{Action, CheckEmail, EmailForm, Framing};
use crate::place::{Portal, portal_location, portal_path};
use crate::responses::see_other;
use crate::session::{self, CSRF_COOKIE, PRE_SCOPE, Site};
use crate::session_store;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::LocationSettings;
use serde::Deserialize;

/// `GET /l/{org}/{location}`: the email form (or straight to the key page when signed in here).
pub(crate) async fn portal_page(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PortalError> {
    let Portal {
        org_id,
        location_id,
        settings,
        lang,
    } = match portal_location(&state, &request, path).await? {
        Ok(portal) => portal,
        Err(page) => return Ok(page),
    };
    if let Some((_, row)) = session_store::tenant_session(&state, &request).await?
        && row.org_id == org_id
    {
        return Ok(see_other("/wifi"));
    }
    let (secret, cookie) = session::pre_session(&request, CSRF_COOKIE, Site::Portal);
    let page = email_form(
        &lang,
        &settings,
        portal_path(&org_id, &location_id),
        session::csrf_token(&state.keys, PRE_SCOPE, &secret),
        String::new(),
        None,
    );
    state.page_with_new_cookie(StatusCode::OK, Framing::Deny, &page, cookie)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct EmailRequest {
    pub(crate) csrf: String,
    pub(crate) email: String,
}

/// The tenant portal's email form for a location.
fn email_form(
    lang: &PageLanguage,
    settings: &LocationSettings,
    action: String,
    csrf: String,
    email: String,
    error: Option<String>,
) -> EmailForm {
    EmailForm {
        t: lang.t,
        switch: lang.switch(),
        title: lang
            .t
            .get_with("email-form-title", &[("place", &settings.name)]),
        action,
        csrf,
        email,
        error,
    }
}

/// `POST /l/{org}/{location}`: sends a sign-in link if the email is a member's (of the
/// organization's platform). The page answers the same whether or not it is (and before the
/// lookup runs, so its timing says nothing either).
pub(crate) async fn request_link(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<EmailRequest>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PortalError> {
    let portal = match portal_location(&state, &request, path).await? {
        Ok(portal) => portal,
        Err(page) => return Ok(page),
    };
    let (org_id, location_id, settings, lang) = (
        portal.org_id,
        portal.location_id,
        portal.settings,
        portal.lang,
    );
    let back = portal_path(&org_id, &location_id);
    if !session::pre_session_form_ok(&state.keys, &request, CSRF_COOKIE, PRE_SCOPE, &form.csrf) {
        return state.form_expired(&lang, Framing::Deny, &back);
    }
    let email = form.email.trim().to_owned();
    if !plausible_email(&email) {
        let page = email_form(
            &lang,
            &settings,
            back,
            form.csrf.clone(),
            email.chars().take(254).collect(),
            Some(lang.t.get("email-invalid")),
        );
        return state.page(StatusCode::UNPROCESSABLE_ENTITY, Framing::Deny, &page);
    }
    if let Some(retry_after_secs) = link_requests_limited(&state, &request, &org_id, &email).await?
    {
        return state.too_many(
            &lang,
            Framing::Deny,
            retry_after_secs,
            Action::link(back.clone(), lang.t.get("back-to-sign-in")),
        );
    }
    links::send_in_background(
        state.clone(),
        org_id,
        location_id,
        settings.name.clone(),
        email.clone(),
    );
    let page = CheckEmail {
        t: lang.t,
        switch: lang.switch(),
        title: lang.t.get("check-email-title"),
        email,
        valid_for: lang
            .t
            .get_count("check-email-valid", "minutes", link_minutes(&state)),
        back,
    };
    state.page(StatusCode::OK, Framing::Deny, &page)
}

/// How long a sign-in link works, in whole minutes (for the pages that say so).
pub(crate) fn link_minutes(state: &State) -> i64 {
    i64::try_from(state.settings.magic_link_ttl_secs.div_ceil(60)).unwrap_or(i64::MAX)
}

/// Whether sign-in link requests are over a limit; `Some(retry after)` when they are. Per
/// client address across organizations (generous in a window, so a whole coworking space
/// behind one NAT signs in on a Monday morning; bounded per day, so one client cannot ask for
/// thousands of emails); per email within the organization.
async fn link_requests_limited(
    state: &State,
    request: &HttpRequest,
    org_id: &str,
    email: &str,
) -> Result<Option<u64>, PortalError> {
    let client_address = state.client_address(request);
    let window = state.settings.rate_window_secs;
    let email_key = email.to_lowercase();
    let limits = [
        RateLimit {
            kind: "link-client",
            org_id: "",
            value: &client_address,
            max: state.settings.link_requests_per_client,
            window_secs: window,
        },
        RateLimit {
            kind: "link-client-day",
            org_id: "",
            value: &client_address,
            max: state.settings.link_requests_per_client_daily,
            window_secs: LONGEST_WINDOW_SECS,
        },
        RateLimit {
            kind: "link-email",
            org_id,
            value: &email_key,
            max: state.settings.link_requests_per_email,
            window_secs: window,
        },
    ];
    state
        .over_limit(&limits, org_id, "sign-in link request", || {
            metrics::link(metrics::LinkOutcome::RateLimited)
        })
        .await
}
