//! Sessions, cookies and CSRF tokens (the session rows themselves: `session_store`).
//!
//! A session id is 256 random bits, sent only in an HttpOnly, Secure cookie and stored as its
//! SHA-256. CSRF tokens are keyed hashes (HMAC) of a cookie value: the session cookie once
//! signed in, else a pre-session cookie (`lanyard_csrf`). A form is accepted only when its
//! token matches the cookie the browser sent (constant-time comparison).
//!
//! SameSite: the tenant portal's cookies are `Lax` (the sign-in link arrives from a mail client:
//! `Strict` would drop the cookie on the first navigation). The canvases run inside Optix (the
//! admin dashboard frames them): their cookies are `SameSite=None; Partitioned` (CHIPS), so a
//! browser that blocks third-party cookies still keeps one jar per embedding site. CSRF tokens
//! protect every form either way.

use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Tenant session (portal or mobile canvas).
pub const TENANT_COOKIE: &str = "lanyard_session";
/// Admin canvas session (path `/canvas/admin`).
pub const ADMIN_COOKIE: &str = "lanyard_admin";
/// Pre-session CSRF secret (forms shown before signing in).
pub const CSRF_COOKIE: &str = "lanyard_csrf";
/// Pre-session CSRF cookie of the canvases (`SameSite=None; Partitioned`: they may be framed).
pub const CANVAS_CSRF_COOKIE: &str = "lanyard_canvas_csrf";

/// CSRF scopes: the tenant portal's forms before signing in, a signed-in tenant's forms, the
/// canvases' sign-in forms, and a signed-in admin's forms.
pub const PRE_SCOPE: &str = "pre";
pub const TENANT_SCOPE: &str = "tenant";
pub const CANVAS_PRE_SCOPE: &str = "canvas-pre";
pub const ADMIN_SCOPE: &str = "admin";

pub const ADMIN_PATH: &str = "/canvas/admin";

/// 256 random bits, URL-safe base64 (43 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Lowercase hex SHA-256: how links and session ids are stored.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Whether `value` looks like one of our secrets (bounded length, URL-safe base64), so junk
/// never reaches the database.
pub fn plausible_secret(value: &str) -> bool {
    (16..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    /// The tenant portal: a first-party site.
    Portal,
    /// A canvas inside Optix (possibly framed by the admin dashboard).
    Embedded,
}

/// A `Set-Cookie` value. `max_age` `None`: a browser-session cookie; `Some(0)`: delete it.
pub fn cookie(name: &str, value: &str, path: &str, max_age: Option<i64>, site: Site) -> String {
    let mut out = format!("{name}={value}; Path={path}; HttpOnly; Secure");
    match site {
        Site::Portal => out.push_str("; SameSite=Lax"),
        Site::Embedded => out.push_str("; SameSite=None; Partitioned"),
    }
    if let Some(age) = max_age {
        out.push_str(&format!("; Max-Age={}", age.max(0)));
    }
    out
}

/// The value of a cookie the browser sent, if it is plausible.
pub fn read_cookie(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .cookie(name)
        .map(|c| c.value().to_owned())
        .filter(|v| plausible_secret(v))
}

/// The CSRF token for forms of the holder of `cookie_value` (a session id or the pre-session
/// secret): `keyed_hash("portal-csrf", scope, cookie_value)`.
pub fn csrf_token(keys: &secrets::KeyRing, scope: &str, cookie_value: &str) -> String {
    keys.keyed_hash("portal-csrf", scope, cookie_value)
}

/// The pre-session CSRF secret from the cookie, or a new one (with its `Set-Cookie`).
pub fn pre_session(
    request: &HttpRequest,
    cookie_name: &str,
    site: Site,
) -> (String, Option<String>) {
    match read_cookie(request, cookie_name) {
        Some(value) => (value, None),
        None => {
            let value = new_secret();
            let cookie = cookie(cookie_name, &value, "/", None, site);
            (value, Some(cookie))
        }
    }
}

pub fn csrf_matches(keys: &secrets::KeyRing, scope: &str, cookie_value: &str, sent: &str) -> bool {
    let expected = csrf_token(keys, scope, cookie_value);
    expected.as_bytes().ct_eq(sent.as_bytes()).into()
}

/// Whether a form shown before signing in carries the CSRF token of the pre-session cookie the
/// browser sent (`cookie_name`, `scope`: the portal's or the canvases').
pub fn pre_session_form_ok(
    keys: &secrets::KeyRing,
    request: &HttpRequest,
    cookie_name: &str,
    scope: &str,
    csrf: &str,
) -> bool {
    read_cookie(request, cookie_name).is_some_and(|secret| csrf_matches(keys, scope, &secret, csrf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_plausible() {
        let a = new_secret();
        assert_eq!(a.len(), 43);
        assert!(plausible_secret(&a));
        assert_ne!(a, new_secret());
        assert!(!plausible_secret("short"));
        assert!(!plausible_secret(&"x".repeat(200)));
        assert!(!plausible_secret("abc def ghi jkl mno pqr"));
    }

    #[test]
    fn cookies_are_http_only_and_secure_with_the_right_same_site() {
        let portal = cookie("s", "v", "/", Some(60), Site::Portal);
        assert_eq!(
            portal,
            "s=v; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=60"
        );
        let canvas = cookie("s", "v", "/canvas/admin", None, Site::Embedded);
        assert_eq!(
            canvas,
            "s=v; Path=/canvas/admin; HttpOnly; Secure; SameSite=None; Partitioned"
        );
    }

    #[test]
    fn csrf_tokens_bind_to_the_cookie_and_scope() {
        let keys = secrets::KeyRing::from_hex(&"11".repeat(32), &"22".repeat(32)).expect("keys");
        let token = csrf_token(&keys, "session", "abc");
        assert!(csrf_matches(&keys, "session", "abc", &token));
        assert!(!csrf_matches(&keys, "session", "abd", &token));
        assert!(!csrf_matches(&keys, "pre", "abc", &token));
        assert!(!csrf_matches(&keys, "session", "abc", ""));
    }
}
