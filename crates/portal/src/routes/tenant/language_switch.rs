//! `POST /language`: the language switch on every tenant page. Remembers the choice in the
//! `lanyard_lang` cookie for a year, records it for a signed-in tenant (`ChooseLanguage`: their
//! emails follow it) and returns to the page it came from (a path on this site only).
//!
//! CSRF: a signed-in tenant's switch carries the CSRF token of their session (it changes their
//! account); before signing in only the browser's own cookie changes, and a request another
//! site made (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not this host) is refused.

use crate::commands::Answer;
use crate::db::Via;
use crate::error::PortalError;
use crate::language::{
    LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE_SECS, PageLanguage, same_site_path,
};
use crate::pages::{Action, Framing, Message};
use crate::responses::{see_other, with_cookie};
use crate::session::{self, Site, TENANT_SCOPE};
use crate::session_store;
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::http::header::{HOST, ORIGIN};
use actix_web::{HttpRequest, HttpResponse, web};
use bus::commands::Command;
use i18n::Lang;
use serde::Deserialize;

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct LanguageForm {
    csrf: String,
    back: String,
    lang: String,
}

/// Why a switch is refused, as the page says it (400 or 403).
enum Refused {
    UnknownLanguage,
    BadBack,
    CrossSite,
}

pub(crate) async fn choose_language(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, PortalError> {
    let session = session_store::tenant_session(&state, &request).await?;
    let org_id = session.as_ref().map(|(_, row)| row.org_id.clone());
    let lang = state.page_language(&request, org_id.as_deref()).await;
    let Some(chosen) = Lang::from_tag(&form.lang) else {
        return refused(&state, &lang, Refused::UnknownLanguage, &form.lang);
    };
    let back = match same_site_path(&form.back) {
        Ok(back) => back.to_owned(),
        Err(error) => {
            tracing::warn!(reason = %error, "a language switch named a page elsewhere");
            return refused(&state, &lang, Refused::BadBack, "");
        }
    };
    let mut site = Site::Portal;
    match &session {
        Some((cookie, row)) => {
            if !session::csrf_matches(&state.keys, TENANT_SCOPE, cookie, &form.csrf) {
                return state.form_expired(&lang, Framing::Optix, &back);
            }
            if row.via == Via::MobileApp {
                site = Site::Embedded;
            }
            record_choice(&state, &row.org_id, &row.user_id, chosen).await;
        }
        None if cross_site(&request) => {
            return refused(&state, &lang, Refused::CrossSite, "");
        }
        None => {}
    }
    if back.starts_with("/canvas") {
        site = Site::Embedded;
    }
    let cookie = session::cookie(
        LANGUAGE_COOKIE,
        chosen.code(),
        "/",
        Some(LANGUAGE_COOKIE_MAX_AGE_SECS),
        site,
    );
    Ok(with_cookie(see_other(&back), &cookie))
}

/// The signed-in tenant's choice, recorded so their emails follow it. The page goes on either
/// way: the cookie already holds the choice, and the next switch records it again.
async fn record_choice(state: &State, org_id: &str, user_id: &str, chosen: Lang) {
    let command = Command::ChooseLanguage {
        user_id: user_id.to_owned(),
        language: chosen.code().to_owned(),
    };
    match state
        .command(org_id, &format!("tenant:{user_id}"), command)
        .await
    {
        Answer::Done { .. } => {}
        Answer::Unavailable => {
            tracing::warn!(org_id, "the language choice could not be recorded now");
        }
        Answer::Refused { code, .. } => {
            tracing::info!(
                org_id,
                code = code.label(),
                "the language choice was not recorded"
            );
        }
    }
}

/// A request another site made: browsers say so (`Sec-Fetch-Site`), or name its origin.
fn cross_site(request: &HttpRequest) -> bool {
    let header = |name| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    if header("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    match (header(ORIGIN.as_str()), header(HOST.as_str())) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            origin_host != host
        }
        (Some(_), None) => true,
        _ => false,
    }
}

fn refused(
    state: &State,
    lang: &PageLanguage,
    why: Refused,
    value: &str,
) -> Result<HttpResponse, PortalError> {
    let (status, reason) = match why {
        Refused::UnknownLanguage => (StatusCode::BAD_REQUEST, "language-unknown"),
        Refused::BadBack => (StatusCode::BAD_REQUEST, "language-bad-back"),
        Refused::CrossSite => (StatusCode::FORBIDDEN, "language-cross-site"),
    };
    tracing::warn!(
        reason,
        value = value.chars().take(35).collect::<String>(),
        "a language switch was refused"
    );
    state.page(
        status,
        Framing::Optix,
        &Message::localized(lang, "language-bad-request", &[reason])
            .action(Action::link("/", lang.t.get("back-home"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn requests_from_other_sites_are_recognised() {
        let same = TestRequest::post()
            .insert_header((HOST, "wifi.example"))
            .insert_header((ORIGIN, "https://wifi.example"))
            .to_http_request();
        assert!(!cross_site(&same));
        let other = TestRequest::post()
            .insert_header((HOST, "wifi.example"))
            .insert_header((ORIGIN, "https://evil.example"))
            .to_http_request();
        assert!(cross_site(&other));
        let fetch = TestRequest::post()
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_http_request();
        assert!(cross_site(&fetch));
        // No header at all (a form from a client that sends none) is not known to be foreign.
        assert!(!cross_site(&TestRequest::post().to_http_request()));
    }
}
