//! The site around the flows: the home page, the stylesheet and script, and the 404 page.

use crate::error::PortalError;
use crate::pages::{Framing, Message};
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

/// A static asset, cached for an hour.
fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("cache-control", "public, max-age=3600"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(body)
}

pub(crate) async fn stylesheet() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/portal.css"),
    )
}

pub(crate) async fn script() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/portal.js"),
    )
}

pub(crate) async fn home(
    state: web::Data<State>,
    request: HttpRequest,
) -> Result<HttpResponse, PortalError> {
    let lang = state.page_language(&request, None).await;
    state.page(
        StatusCode::OK,
        Framing::Deny,
        &Message::localized(&lang, "home-title", &["home-text"]),
    )
}

pub(crate) async fn not_found(
    state: web::Data<State>,
    request: HttpRequest,
) -> Result<HttpResponse, PortalError> {
    let lang = state.page_language(&request, None).await;
    state.page(
        StatusCode::NOT_FOUND,
        Framing::Deny,
        &Message::localized(&lang, "not-found-title", &["not-found-text"]),
    )
}
