//! Pages as responses: rendering a template with the portal's headers, the pages every flow
//! shares (too many requests, provision unavailable, an expired form, an unknown workspace, an
//! unmapped location), and the redirect and cookie every form answer may carry.

use crate::error::PortalError;
use crate::language::PageLanguage;
use crate::pages::{self, Action, Framing, Message};
use crate::state::State;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};

impl State {
    pub(crate) fn page(
        &self,
        status: StatusCode,
        framing: Framing,
        page: &impl askama::Template,
    ) -> Result<HttpResponse, PortalError> {
        let body = page.render()?;
        Ok(pages::html(status, framing, &self.settings.frame_ancestors).body(body))
    }

    /// [`State::page`] with the `Set-Cookie` of a pre-session secret made just now, if one was.
    pub(crate) fn page_with_new_cookie(
        &self,
        status: StatusCode,
        framing: Framing,
        page: &impl askama::Template,
        cookie: Option<String>,
    ) -> Result<HttpResponse, PortalError> {
        let response = self.page(status, framing, page)?;
        Ok(match cookie {
            Some(cookie) => with_cookie(response, &cookie),
            None => response,
        })
    }

    /// The 429 page, with a way back (`back`: where the person came from).
    pub(crate) fn too_many(
        &self,
        lang: &PageLanguage,
        framing: Framing,
        retry_after_secs: u64,
        back: Action,
    ) -> Result<HttpResponse, PortalError> {
        let minutes = i64::try_from(retry_after_secs.div_ceil(60).max(1)).unwrap_or(i64::MAX);
        let mut response = self.page(
            StatusCode::TOO_MANY_REQUESTS,
            framing,
            &Message::text(
                lang,
                lang.t.get("too-many-title"),
                vec![
                    lang.t.get("too-many-security"),
                    lang.t.get_count("too-many-wait", "minutes", minutes),
                ],
            )
            .action(back),
        )?;
        if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        Ok(response)
    }

    pub(crate) fn unavailable(
        &self,
        lang: &PageLanguage,
        framing: Framing,
        retry: &str,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::SERVICE_UNAVAILABLE,
            framing,
            &Message::localized(lang, "unavailable-title", &["unavailable-text"])
                .action(Action::link(retry, lang.t.get("try-again"))),
        )
    }

    /// A form whose CSRF token does not match the cookie (or no cookie came).
    pub(crate) fn form_expired(
        &self,
        lang: &PageLanguage,
        framing: Framing,
        back: &str,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::FORBIDDEN,
            framing,
            &Message::localized(lang, "form-expired-title", &["form-expired-text"])
                .action(Action::link(back, lang.t.get("reload-page"))),
        )
    }

    pub(crate) fn unknown_organization(
        &self,
        lang: &PageLanguage,
        framing: Framing,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::NOT_FOUND,
            framing,
            &Message::localized(
                lang,
                "unknown-workspace-title",
                &["unknown-workspace-text", "unknown-workspace-hint"],
            ),
        )
    }

    pub(crate) fn unmapped_location(
        &self,
        lang: &PageLanguage,
        framing: Framing,
        location_id: &str,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::NOT_FOUND,
            framing,
            &Message::localized(lang, "unmapped-title", &["unmapped-text", "unmapped-told"])
                .detail(
                    lang.t
                        .get_with("unmapped-detail", &[("location", location_id)]),
                ),
        )
    }
}

/// Adds a `Set-Cookie` header to a finished response.
pub(crate) fn with_cookie(mut response: HttpResponse, cookie: &str) -> HttpResponse {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A 303 to `location` (after a form POST).
pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}
