//! Which language a page is written in (issue 21): the language the visitor chose on the page
//! (cookie [`LANGUAGE_COOKIE`]), then the browser's `Accept-Language`, then the organization's
//! locale, then English. The texts themselves are the `i18n` crate's catalogues.

use crate::session::{self, TENANT_COOKIE, TENANT_SCOPE};
use crate::state::State;
use actix_web::HttpRequest;
use actix_web::http::Method;
use actix_web::http::header::ACCEPT_LANGUAGE;
use i18n::{Lang, Texts};

/// The visitor's choice from the language switch: a language code (`fr`), not a secret.
pub const LANGUAGE_COOKIE: &str = "lanyard_lang";

/// The switch's choice is remembered this long (a year).
pub const LANGUAGE_COOKIE_MAX_AGE_SECS: i64 = 365 * 24 * 3600;

/// Where the switch may send the browser back to: a path on this site, this long at most.
const MAX_BACK_LEN: usize = 512;

/// One language of the switch.
pub struct LanguageChoice {
    pub code: &'static str,
    pub endonym: &'static str,
    /// The page is in this language.
    pub current: bool,
}

/// The language switch on every tenant page: one submit button per language in a form that
/// POSTs to `/language` (CSRF token of the tenant's session when signed in) and comes back to
/// `back`.
pub struct LanguageSwitch {
    pub choices: Vec<LanguageChoice>,
    pub back: String,
    pub csrf: String,
}

/// What a tenant page needs for its words: the texts of its language and the switch.
#[derive(Clone)]
pub struct PageLanguage {
    pub t: Texts<'static>,
    pub back: String,
    pub csrf: String,
}

impl PageLanguage {
    /// The page answering `request`, in the language [`page_lang`] picks.
    pub(crate) fn new(
        state: &State,
        request: &HttpRequest,
        organization_locale: Option<&str>,
    ) -> PageLanguage {
        let csrf = session::read_cookie(request, TENANT_COOKIE)
            .map(|cookie| session::csrf_token(&state.keys, TENANT_SCOPE, &cookie))
            .unwrap_or_default();
        PageLanguage {
            t: page_texts(request, organization_locale),
            back: back_path(request),
            csrf,
        }
    }

    /// English, for a page made without a request (an error page) or for admins.
    pub fn english() -> PageLanguage {
        PageLanguage {
            t: Texts::new(Lang::En),
            back: "/".into(),
            csrf: String::new(),
        }
    }

    pub fn switch(&self) -> LanguageSwitch {
        LanguageSwitch {
            choices: Lang::ALL
                .into_iter()
                .map(|lang| LanguageChoice {
                    code: lang.code(),
                    endonym: lang.endonym(),
                    current: lang == self.t.lang(),
                })
                .collect(),
            back: self.back.clone(),
            csrf: self.csrf.clone(),
        }
    }
}

impl State {
    /// The organization's locale as its platform reports it; a database error is logged and
    /// the page goes on without it (it only picks a language).
    pub(crate) async fn organization_locale(&self, org_id: &str) -> Option<String> {
        match self.pool.get().await {
            Ok(client) => organization_locale_on(&client, org_id).await,
            Err(error) => {
                tracing::warn!(%error, org_id, "the organization's locale could not be read");
                None
            }
        }
    }

    /// The language of a tenant page of `org_id` (None: before the organization is known).
    pub(crate) async fn page_language(
        &self,
        request: &HttpRequest,
        org_id: Option<&str>,
    ) -> PageLanguage {
        // The organization's locale is read only when the visitor names no language itself.
        let locale = match org_id {
            Some(org_id) if requested_lang(request).is_none() => {
                self.organization_locale(org_id).await
            }
            _ => None,
        };
        PageLanguage::new(self, request, locale.as_deref())
    }

    /// [`State::page_language`] on a connection the page already holds, so the locale can be
    /// read in the same round trip as the page's other statements.
    pub(crate) async fn page_language_on(
        &self,
        client: &impl store::GenericClient,
        request: &HttpRequest,
        org_id: &str,
    ) -> PageLanguage {
        let locale = match requested_lang(request) {
            None => organization_locale_on(client, org_id).await,
            Some(_) => None,
        };
        PageLanguage::new(self, request, locale.as_deref())
    }
}

/// The organization's locale on `client`; an error is logged and the page goes on without it.
async fn organization_locale_on(
    client: &impl store::GenericClient,
    org_id: &str,
) -> Option<String> {
    store::read_models::languages::organization_locale(client, org_id)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, org_id, "the organization's locale could not be read");
            None
        })
}

/// Query parameters the switch carries back: the canvas's location. Nothing else of a query
/// is echoed into the page (a canvas URL's query may hold a token).
const KEPT_QUERY: [&str; 1] = ["location_id"];

/// Where the switch returns to: this page when it was a GET (with only [`KEPT_QUERY`]); after a
/// form POST, the page the form belongs to (a POST-only path would not answer a GET).
fn back_path(request: &HttpRequest) -> String {
    let path = request.path();
    let back = if request.method() == Method::GET {
        let kept: Vec<(String, String)> =
            url::form_urlencoded::parse(request.query_string().as_bytes())
                .filter(|(name, _)| KEPT_QUERY.contains(&name.as_ref()))
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
        if kept.is_empty() {
            path.to_owned()
        } else {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish();
            format!("{path}?{query}")
        }
    } else if path.starts_with("/wifi") {
        "/wifi".to_owned()
    } else {
        path.strip_suffix("/signin").unwrap_or(path).to_owned()
    };
    match same_site_path(&back) {
        Ok(_) => back,
        Err(_) => "/".to_owned(),
    }
}

/// Why a `back` the switch was given is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackError {
    #[error("the page to return to must be a path on this site, starting with a single /")]
    NotAPath,
    #[error("the page to return to is longer than {MAX_BACK_LEN} characters")]
    TooLong,
    #[error("the page to return to holds characters a path may not hold")]
    BadCharacters,
}

/// `back` when it is a path on this site (`/wifi`, `/l/6267/3390?x=1`): never another site
/// (`//evil.example`, `/\evil.example`, `https://…`), never a header-splitting character.
pub fn same_site_path(back: &str) -> Result<&str, BackError> {
    if back.len() > MAX_BACK_LEN {
        return Err(BackError::TooLong);
    }
    if !back.starts_with('/') || back.starts_with("//") || back.starts_with("/\\") {
        return Err(BackError::NotAPath);
    }
    if back
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\' || c == '#')
    {
        return Err(BackError::BadCharacters);
    }
    Ok(back)
}

/// The language of the page answering `request`; `organization_locale` is the organization's
/// (Optix's `locale`, e.g. `en_CA`) when the page belongs to one.
pub fn page_lang(request: &HttpRequest, organization_locale: Option<&str>) -> Lang {
    requested_lang(request)
        .or_else(|| organization_locale.and_then(Lang::from_tag))
        .unwrap_or_default()
}

/// The language the visitor asks for (the switch's cookie, then `Accept-Language`), if either
/// names one Lanyard ships: then the organization's locale is not needed.
fn requested_lang(request: &HttpRequest) -> Option<Lang> {
    let chosen = request.cookie(LANGUAGE_COOKIE);
    let accept_language = request
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Lang::requested(
        chosen.as_ref().map(|cookie| cookie.value()),
        accept_language,
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

    #[test]
    fn the_switch_returns_only_to_a_path_on_this_site() {
        assert_eq!(same_site_path("/wifi"), Ok("/wifi"));
        assert_eq!(same_site_path("/l/6267/3390?a=b"), Ok("/l/6267/3390?a=b"));
        assert_eq!(same_site_path("//evil.example/x"), Err(BackError::NotAPath));
        assert_eq!(same_site_path("/\\evil.example"), Err(BackError::NotAPath));
        assert_eq!(
            same_site_path("https://evil.example/"),
            Err(BackError::NotAPath)
        );
        assert_eq!(same_site_path(""), Err(BackError::NotAPath));
        assert_eq!(
            same_site_path("/wifi\r\nSet-Cookie: x=y"),
            Err(BackError::BadCharacters)
        );
        assert_eq!(same_site_path("/a\\b"), Err(BackError::BadCharacters));
        assert_eq!(
            same_site_path(&format!("/{}", "a".repeat(600))),
            Err(BackError::TooLong)
        );
    }

    #[test]
    fn after_a_form_the_switch_returns_to_the_page_of_the_form() {
        let get = TestRequest::get().uri("/l/6267/3390?x=1").to_http_request();
        assert_eq!(back_path(&get), "/l/6267/3390");
        // A canvas keeps its location; a token in the query is never echoed into the page.
        let canvas = TestRequest::get()
            .uri("/canvas/mobile?location_id=3390&token=secret-token")
            .to_http_request();
        assert_eq!(back_path(&canvas), "/canvas/mobile?location_id=3390");
        let passphrase = TestRequest::post()
            .uri("/wifi/passphrase")
            .to_http_request();
        assert_eq!(back_path(&passphrase), "/wifi");
        let signin = TestRequest::post()
            .uri("/l/6267/3390/signin")
            .to_http_request();
        assert_eq!(back_path(&signin), "/l/6267/3390");
    }
}
