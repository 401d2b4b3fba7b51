//! Forms more than one page posts: a button (only its CSRF token) and a token sign-in (the
//! emailed link's token, or an Optix canvas token).

use serde::Deserialize;

/// A form that carries nothing but its CSRF token (a button).
#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// The token a sign-in page's script read from the URL fragment, posted with the page's CSRF
/// token (and, from the mobile canvas, the location the app is at).
#[derive(Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub location_id: Option<String>,
}
