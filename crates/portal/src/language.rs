//! Which language a page is written in (issue 21): the language the visitor chose on the page
//! (cookie [`LANGUAGE_COOKIE`]), then the browser's `Accept-Language`, then the organization's
//! locale, then English. The texts themselves are the `i18n` crate's catalogues.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_LANGUAGE;
use i18n::{Lang, Texts};

/// The visitor's choice from the language switch: a language code (`fr`), not a secret.
pub const LANGUAGE_COOKIE: &str = "lanyard_lang";

/// The language of the page answering `request`; `organization_locale` is the organization's
/// (Optix's `locale`, e.g. `en_CA`) when the page belongs to one.
pub fn page_lang(request: &HttpRequest, organization_locale: Option<&str>) -> Lang {
    let chosen = request.cookie(LANGUAGE_COOKIE);
    let accept_language = request
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Lang::negotiate(
        chosen.as_ref().map(|cookie| cookie.value()),
        accept_language,
        organization_locale,
    )
}

/// The texts of the page answering `request` (see [`page_lang`]).
pub fn page_texts(request: &HttpRequest, organization_locale: Option<&str>) -> Texts<'static> {
    Texts::new(page_lang(request, organization_locale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::cookie::Cookie;
    use actix_web::test::TestRequest;

    #[test]
    fn the_cookie_beats_the_browser_which_beats_the_organization() {
        let browser = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "de-DE,de;q=0.9"))
            .to_http_request();
        assert_eq!(page_lang(&browser, Some("fr_CA")), Lang::De);
        let chose = TestRequest::default()
            .insert_header((ACCEPT_LANGUAGE, "de-DE"))
            .cookie(Cookie::new(LANGUAGE_COOKIE, "es"))
            .to_http_request();
        assert_eq!(page_lang(&chose, Some("fr_CA")), Lang::Es);
        let nothing = TestRequest::default().to_http_request();
        assert_eq!(page_lang(&nothing, Some("fr_CA")), Lang::Fr);
        assert_eq!(page_lang(&nothing, None), Lang::En);
    }
}
