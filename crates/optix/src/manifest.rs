//! The Optix app settings file (seed 002, "App Settings File"): the webhooks Lanyard listens to
//! and its canvases, pointed at one public URL. Pasted into Apps → Develop → the app.

use serde_json::{Value, json};
use url::Url;

/// Every webhook whose change can move a member's access; anything else Optix sends (invoices,
/// leads, check-ins, issues) is not subscribed, so it costs neither party anything.
pub const SUBSCRIBED_WEBHOOKS: &[&str] = &[
    "app_install",
    "app_uninstall",
    "organization_token_updated",
    "new_member",
    "member_updated",
    "member_deleted",
    "new_plan_subscription",
    "plan_subscription_changed",
    "cancel_plan_subscription",
    "plan_ending_soon",
    "new_member_booking",
    "member_booking_updated",
    "member_booking_cancelled",
    "new_team_member",
    "team_member_deleted",
    "team_updated",
    "assignment_started",
    "assignment_ended",
];

/// Where ingest receives webhooks and the portal serves canvases, relative to the public URL.
pub const WEBHOOK_PATH: &str = "optix/webhooks";
pub const MOBILE_CANVAS_PATH: &str = "canvas/mobile";
pub const ADMIN_CANVAS_PATH: &str = "canvas/admin";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    #[error("--public-url {0:?} is not a URL: {1}")]
    NotAUrl(String, String),
    #[error(
        "--public-url must use https (Optix sends tokens to it); http is allowed only for localhost"
    )]
    NotHttps,
    #[error(
        "--public-url must not carry a query or fragment; give the base, e.g. https://wifi.example.com"
    )]
    QueryOrFragment,
}

/// Checks the public base URL: https (or http on a loopback host, for local trials), no
/// query or fragment. Returned with exactly one trailing slash so paths join under it.
pub fn public_base(raw: &str) -> Result<Url, ManifestError> {
    let mut url =
        Url::parse(raw).map_err(|e| ManifestError::NotAUrl(raw.to_owned(), e.to_string()))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(ManifestError::NotHttps),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ManifestError::QueryOrFragment);
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// The settings file. Canvas tokens travel in the URL fragment (`#token={token}`), which the
/// browser never sends to a server, so no proxy or access log can record them; the page hands
/// the token to the portal in a POST body. `location_id` comes as a query macro.
pub fn app_settings(public_url: &str) -> Result<Value, ManifestError> {
    let base = public_base(public_url)?;
    let at = |path: &str| format!("{base}{path}");
    let webhook_url = at(WEBHOOK_PATH);
    let webhooks: Vec<Value> = SUBSCRIBED_WEBHOOKS
        .iter()
        .map(|event| json!({ "event": event, "url": webhook_url }))
        .collect();
    let mobile = format!(
        "{}?location_id={{location_id}}#token={{token}}",
        at(MOBILE_CANVAS_PATH)
    );
    let admin = format!(
        "{}?location_id={{location_id}}#token={{token}}",
        at(ADMIN_CANVAS_PATH)
    );
    Ok(json!({
        "canvases": [
            {
                "type": "MOBILE_HOME_PRIMARY",
                "url": mobile,
                "title": "WiFi",
                "icon": "wifi"
            },
            {
                "type": "ADMIN_APP_SETTINGS",
                "url": admin,
                "title": "Lanyard WiFi settings"
            },
            {
                "type": "ADMIN_MAIN_MENU",
                "url": admin,
                "title": "WiFi",
                "icon": "wifi"
            }
        ],
        "webhooks": webhooks
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_file_names_every_webhook_and_the_three_canvases() {
        let settings = app_settings("https://wifi.example.com").expect("valid URL");
        let webhooks = settings["webhooks"].as_array().expect("webhooks");
        assert_eq!(webhooks.len(), SUBSCRIBED_WEBHOOKS.len());
        assert!(
            webhooks
                .iter()
                .all(|w| w["url"] == "https://wifi.example.com/optix/webhooks")
        );
        let canvases = settings["canvases"].as_array().expect("canvases");
        let types: Vec<&str> = canvases.iter().filter_map(|c| c["type"].as_str()).collect();
        assert_eq!(
            types,
            [
                "MOBILE_HOME_PRIMARY",
                "ADMIN_APP_SETTINGS",
                "ADMIN_MAIN_MENU"
            ]
        );
        assert_eq!(canvases[0]["title"], "WiFi");
        assert_eq!(canvases[0]["icon"], "wifi");
        assert_eq!(
            canvases[0]["url"],
            "https://wifi.example.com/canvas/mobile?location_id={location_id}#token={token}"
        );
    }

    #[test]
    fn a_base_path_is_kept_and_bad_urls_are_refused_with_the_fix() {
        let settings = app_settings("https://example.com/lanyard").expect("valid URL");
        assert_eq!(
            settings["webhooks"][0]["url"],
            "https://example.com/lanyard/optix/webhooks"
        );
        assert!(app_settings("http://localhost:8080").is_ok());
        assert_eq!(
            app_settings("http://wifi.example.com"),
            Err(ManifestError::NotHttps)
        );
        assert_eq!(
            app_settings("https://wifi.example.com/?a=b"),
            Err(ManifestError::QueryOrFragment)
        );
        assert!(matches!(
            app_settings("wifi.example.com"),
            Err(ManifestError::NotAUrl(..))
        ));
    }

    #[test]
    fn every_subscribed_webhook_has_a_fixture() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../proto/optix/webhooks");
        for event in SUBSCRIBED_WEBHOOKS {
            let path = format!("{fixtures}/{event}.json");
            assert!(
                std::path::Path::new(&path).exists(),
                "no fixture for {event}"
            );
        }
    }
}
