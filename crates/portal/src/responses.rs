//! Pages as responses: rendering a template with the portal's headers, the pages every flow
//! shares (too many requests, provision unavailable, an expired form, an unknown workspace, an
//! unmapped location), and the redirect and cookie every form answer may carry.

use crate::error::PortalError;
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
        framing: Framing,
        retry_after_secs: u64,
        back: Action,
    ) -> Result<HttpResponse, PortalError> {
        let minutes = retry_after_secs.div_ceil(60).max(1);
        let wait = if minutes == 1 {
            "about a minute".to_owned()
        } else {
            format!("about {minutes} minutes")
        };
        let mut response = self.page(
            StatusCode::TOO_MANY_REQUESTS,
            framing,
            &Message::new(
                "Too many requests",
                &[
                    "For your security, only a few requests are allowed in a short time.",
                    &format!("Please try again in {wait}."),
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
        framing: Framing,
        retry: &str,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::SERVICE_UNAVAILABLE,
            framing,
            &Message::new(
                "WiFi service temporarily unavailable",
                &[
                    "We could not reach the service that manages WiFi access right now. Nothing \
                     is lost: please try again in a minute.",
                ],
            )
            .action(Action::link(retry, "Try again")),
        )
    }

    /// A form whose CSRF token does not match the cookie (or no cookie came).
    pub(crate) fn form_expired(
        &self,
        framing: Framing,
        back: &str,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::FORBIDDEN,
            framing,
            &Message::new(
                "This form has expired",
                &[
                    "For your security, forms work only on the page that showed them, with cookies \
                     on. Please go back, reload the page and try again.",
                ],
            )
            .action(Action::link(back, "Reload the page")),
        )
    }

    pub(crate) fn unknown_organization(
        &self,
        framing: Framing,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::NOT_FOUND,
            framing,
            &Message::new(
                "Unknown workspace",
                &[
                    "This address does not belong to a workspace that uses this WiFi portal, or the \
                     workspace has disconnected it.",
                    "Check the link you were given, or ask the front desk for your location's WiFi \
                     portal address.",
                ],
            ),
        )
    }

    pub(crate) fn unmapped_location(
        &self,
        framing: Framing,
        location_id: &str,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::NOT_FOUND,
            framing,
            &Message::new(
                "WiFi is not set up for this location yet",
                &[
                    "Your workspace has not connected this location to its WiFi yet, so there is no \
                     network to give you a key for.",
                    "We have told the administrators. Please ask the front desk, or try again later.",
                ],
            )
            .detail(format!("Location {location_id} is not mapped.")),
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
