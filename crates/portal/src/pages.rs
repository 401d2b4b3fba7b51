//! Server-rendered pages (askama templates under `templates/`, HTML-escaped by default) and the
//! response headers every page carries.

use crate::language::{LanguageSwitch, PageLanguage};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, HttpResponseBuilder};
use askama::Template;
use i18n::Texts;

/// Where a page may be framed: the tenant portal nowhere; the canvases and the key page by
/// Optix (configured `frame_ancestors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Deny,
    Optix,
}

/// Security and caching headers for an HTML answer. Pages may hold a passphrase or a CSRF
/// token: nothing is cached, no referrer leaves, scripts and styles come only from the portal.
pub fn html(status: StatusCode, framing: Framing, frame_ancestors: &str) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    let ancestors = match framing {
        Framing::Deny => "'none'".to_owned(),
        Framing::Optix => format!("'self' {frame_ancestors}"),
    };
    builder
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
            ),
        ));
    if framing == Framing::Deny {
        builder.insert_header((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    }
    builder
}

/// What to do next under a message: a link, or a button that POSTs (with its CSRF token) when
/// the next step changes something.
pub struct Action {
    pub href: String,
    pub label: String,
    /// `Some`: a form POST carrying this CSRF token.
    pub csrf: Option<String>,
}

impl Action {
    pub fn link(href: impl Into<String>, label: impl Into<String>) -> Action {
        Action {
            href: href.into(),
            label: label.into(),
            csrf: None,
        }
    }
    pub fn post(href: impl Into<String>, label: impl Into<String>, csrf: String) -> Action {
        Action {
            href: href.into(),
            label: label.into(),
            csrf: Some(csrf),
        }
    }
}

/// `text` as a sentence: its first letter a capital (provision's refusals start lower-case).
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every state page: a title, a few paragraphs, maybe provision's own words, maybe an action.
#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    pub t: Texts<'static>,
    pub switch: LanguageSwitch,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub detail: Option<String>,
    pub action: Option<Action>,
}

impl Message {
    /// The page of message `title_id` with the paragraphs of messages `paragraph_ids`.
    pub fn localized(lang: &PageLanguage, title_id: &str, paragraph_ids: &[&str]) -> Message {
        Message::text(
            lang,
            lang.t.get(title_id),
            paragraph_ids.iter().map(|id| lang.t.get(id)).collect(),
        )
    }

    /// A page of texts already in the page's language (with variables filled in).
    pub fn text(lang: &PageLanguage, title: String, paragraphs: Vec<String>) -> Message {
        Message {
            t: lang.t,
            switch: lang.switch(),
            title,
            paragraphs,
            detail: None,
            action: None,
        }
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Message {
        self.detail = Some(detail.into());
        self
    }
    pub fn action(mut self, action: Action) -> Message {
        self.action = Some(action);
        self
    }
}

#[derive(Template)]
#[template(path = "email_form.html")]
pub struct EmailForm {
    pub t: Texts<'static>,
    pub switch: LanguageSwitch,
    pub title: String,
    pub action: String,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "check_email.html")]
pub struct CheckEmail {
    pub t: Texts<'static>,
    pub switch: LanguageSwitch,
    pub title: String,
    pub email: String,
    /// How long the link works, in words.
    pub valid_for: String,
    pub back: String,
}

/// The page that reads a token from the URL fragment and posts it (sign-in links, canvases).
#[derive(Template)]
#[template(path = "token.html")]
pub struct TokenPage {
    pub t: Texts<'static>,
    pub switch: LanguageSwitch,
    pub title: String,
    pub action: String,
    pub csrf: String,
    pub location_id: Option<String>,
    /// Shown when the URL carries no token.
    pub missing: Vec<String>,
}

#[derive(Template)]
#[template(path = "key.html")]
pub struct KeyPage {
    pub t: Texts<'static>,
    pub switch: LanguageSwitch,
    pub title: String,
    pub network_name: String,
    pub location_name: String,
    pub passphrase: Option<String>,
    pub qr_svg: String,
    pub group: Option<String>,
    pub vlan: Option<u16>,
    pub valid_until: String,
    /// The member's devices on the WiFi now (RADIUS accounting).
    pub online: Vec<OnlineDevice>,
    pub csrf: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub can_sign_out: bool,
    pub devices: DeviceSection,
    /// What the devices section says first (it holds the limit).
    pub devices_intro: String,
}

/// A member's device as pages list it.
pub(crate) struct DeviceRow {
    pub name: String,
    /// `AA:BB:CC:DD:EE:FF`.
    pub mac: String,
    /// The canonical form a removal form posts.
    pub mac_value: String,
    pub bound: String,
    pub added: String,
    /// When it was last (and first) on the WiFi, from RADIUS accounting.
    pub seen: String,
}

/// The devices part of a page: the list, the limit, and what the add form held when it was
/// refused (shown again, with the field marked).
#[derive(Default)]
pub(crate) struct DeviceSection {
    pub rows: Vec<DeviceRow>,
    pub limit: u16,
    pub form_name: String,
    pub form_mac: String,
    pub refused: bool,
}

/// The add form's fields as the tenant typed them, for the page after a refusal.
pub(crate) struct DeviceFormValues {
    pub name: String,
    pub mac: String,
}

/// One of the member's devices on the WiFi now.
pub struct OnlineDevice {
    /// Its MAC address as devices show it (`AA:BB:CC:DD:EE:FF`).
    pub device: String,
    /// When its session started, in the location's time zone.
    pub since: String,
}
