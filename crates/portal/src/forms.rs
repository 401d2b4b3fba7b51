//! Forms more than one page posts: a button (only its CSRF token) and a token sign-in (the
//! emailed link's token, or an Optix canvas token).

use serde::Deserialize;

/// A form with a CSRF token (checked before anything else of the form is used).
pub(crate) trait CarriesCsrf {
    fn csrf(&self) -> &str;
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

impl CarriesCsrf for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The token a sign-in page's script read from the URL fragment, posted with the page's CSRF
/// token (and, from the mobile canvas, the location the app is at).
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct TokenForm {
    pub csrf: String,
    pub token: String,
    pub location_id: Option<String>,
}
