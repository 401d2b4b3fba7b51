//! `POST /canvas/admin/controllers`: map a location to a WiFi controller (one form per vendor:
//! Meraki, OpenWrt, UniFi, Mist) or unmap it, as `MapController` / `UnmapController` commands.
//! The credential is only ever posted, in a password field: the page never shows it, not even
//! after a refusal.

use crate::admin_forms::{Banner, FormPage, PageResult};
use crate::admin_session::Admin;
use crate::input::plausible_id;
use crate::state::State;
use bus::commands::{Command, CredentialText};
use domain::controller::ControllerTarget;
use i18n::Texts;
use serde::Deserialize;

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct ControllerForm {
    csrf: String,
    /// `map_meraki`, `map_openwrt`, `map_unifi`, `map_mist` or `unmap`.
    action: String,
    location_id: String,
    meraki_org: String,
    network: String,
    ssid_number: String,
    ap_group: String,
    url: String,
    site: String,
    wlan: String,
    mist_org: String,
    mist_site: String,
    ssid: String,
    credential: String,
}

/// A required field, trimmed, or what is missing in words (`field`: the id of its label).
fn required(value: &str, field: &str, texts: &Texts<'_>) -> Result<String, String> {
    match value.trim() {
        "" => Err(texts.get_with("admin-error-required", &[("field", &texts.get(field))])),
        value => Ok(value.to_owned()),
    }
}

/// The vendor ids a map form names.
fn target(form: &ControllerForm, texts: &Texts<'_>) -> Result<ControllerTarget, String> {
    let required = |value: &str, field: &str| required(value, field, texts);
    Ok(match form.action.as_str() {
        "map_meraki" => ControllerTarget::Meraki {
            organization_id: required(&form.meraki_org, "admin-meraki-org")?,
            network_id: required(&form.network, "admin-meraki-network")?,
            ssid_number: form
                .ssid_number
                .trim()
                .parse()
                .map_err(|_| texts.get("admin-error-ssid-number"))?,
        },
        "map_openwrt" => ControllerTarget::Openwrt {
            ap_group: required(&form.ap_group, "admin-openwrt-group")?,
        },
        "map_unifi" => ControllerTarget::Unifi {
            url: required(&form.url, "admin-unifi-url")?,
            site: match form.site.trim() {
                "" => "default".to_owned(),
                site => site.to_owned(),
            },
            wlan_id: required(&form.wlan, "admin-unifi-wlan")?,
        },
        "map_mist" => ControllerTarget::Mist {
            org_id: required(&form.mist_org, "admin-mist-org")?,
            site_id: Some(form.mist_site.trim().to_owned()).filter(|s| !s.is_empty()),
            ssid: required(&form.ssid, "admin-field-ssid")?,
        },
        _ => return Err(texts.get("admin-error-unknown-action")),
    })
}

/// The controllers page's forms.
pub(crate) struct ControllerForms;

impl FormPage for ControllerForms {
    type Form = ControllerForm;
    const PATH: &'static str = super::controllers::PATH;

    fn command(
        form: &ControllerForm,
        texts: &Texts<'_>,
    ) -> Result<(Command, &'static str), String> {
        if !plausible_id(&form.location_id) {
            return Err(texts.get("admin-error-choose-location"));
        }
        let location_id = form.location_id.clone();
        if form.action == "unmap" {
            return Ok((
                Command::UnmapController { location_id },
                "controller_unmapped",
            ));
        }
        let target = target(form, texts)?;
        let min = target.credential_min_chars();
        let credential = &form.credential;
        if credential.chars().count() < min || credential.chars().any(char::is_whitespace) {
            return Err(texts.get_with("admin-error-credential", &[("min", &min.to_string())]));
        }
        let map = Command::MapController {
            location_id,
            target,
            credentials: CredentialText(credential.clone()),
        };
        Ok((map, "controller_mapped"))
    }

    fn csrf(form: &ControllerForm) -> &str {
        &form.csrf
    }

    async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
        super::controllers::render(state, admin, banner).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Texts<'static> {
        Texts::new(i18n::Lang::En)
    }

    fn form(action: &str) -> ControllerForm {
        ControllerForm {
            action: action.into(),
            location_id: "3390".into(),
            meraki_org: "549236".into(),
            network: "N_24329156".into(),
            ssid_number: "3".into(),
            mist_org: "9777c1a0".into(),
            ssid: "Lanyard Members".into(),
            credential: "a-vendor-api-key-0123456789".into(),
            ..ControllerForm::default()
        }
    }

    #[test]
    fn map_forms_become_commands_and_bad_fields_are_named() {
        let (command, done) =
            ControllerForms::command(&form("map_meraki"), &english()).expect("meraki");
        assert_eq!(done, "controller_mapped");
        assert!(matches!(
            command,
            Command::MapController {
                target: ControllerTarget::Meraki { ssid_number: 3, .. },
                ..
            }
        ));
        assert!(matches!(
            ControllerForms::command(&form("map_mist"), &english()),
            Ok((
                Command::MapController {
                    target: ControllerTarget::Mist { site_id: None, .. },
                    ..
                },
                _
            ))
        ));
        assert!(matches!(
            ControllerForms::command(&form("unmap"), &english()),
            Ok((Command::UnmapController { .. }, "controller_unmapped"))
        ));
        let short = ControllerForm {
            credential: "short".into(),
            ..form("map_meraki")
        };
        let error = ControllerForms::command(&short, &english()).expect_err("refused");
        assert!(error.contains("at least 20"), "{error}");
        assert!(!error.contains("short"), "the credential is never echoed");
        let error =
            ControllerForms::command(&form("map_openwrt"), &english()).expect_err("no group");
        assert!(error.contains("AP group"), "{error}");
    }
}
