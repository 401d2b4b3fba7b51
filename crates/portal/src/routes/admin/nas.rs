//! `GET /canvas/admin/nas`: the access points and controllers (NASes) that may ask RADIUS for
//! keys, per mapped location; `POST`: register one (address, vendor dialect, SSIDs, CoA port,
//! shared secret) or remove one. The secret is only ever posted: the page never shows it, not
//! even after a refusal.

use crate::admin_forms::{Banner, FormPage, PageResult, optional_number, refused};
use crate::admin_session::Admin;
use crate::input::plausible_id;
use crate::language::LanguageSwitch;
use crate::pages::Framing;
use crate::state::State;
use askama::Template;
use bus::commands::{Command, NasSecretText};
use domain::NasDialect;
use domain::nas::{SecretText, canonical_address, check_nas_id, check_secret};
use i18n::Texts;
use serde::Deserialize;
use store::queries::NasView;

struct NasRow {
    nas_id: String,
    name: String,
    address: String,
    dialect: &'static str,
    ssids: String,
    coa_port: u16,
}

struct LocationNases {
    location_id: String,
    name: String,
    network_name: String,
    nases: Vec<NasRow>,
}

#[derive(Template)]
#[template(path = "admin_nas.html")]
struct NasPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    locations: Vec<LocationNases>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct NasForm {
    csrf: String,
    action: String,
    location_id: String,
    nas_id: String,
    name: String,
    address: String,
    dialect: String,
    /// One per line, or separated by commas.
    ssids: String,
    coa_port: String,
    secret: String,
}

/// The SSIDs typed in one field: one per line or comma-separated, blanks dropped.
fn ssid_list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(|s| s.trim_matches(['\r', ' ']).to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The registration a form asks for, checked here first so the answer comes in the form.
fn register(form: &NasForm, texts: &Texts<'_>) -> Result<Command, String> {
    if !plausible_id(&form.location_id) {
        return Err(texts.get("admin-error-unknown-location"));
    }
    let nas_id = form.nas_id.trim().to_owned();
    let refuse = |e: domain::NasError| refused(texts, e);
    check_nas_id(&nas_id).map_err(refuse)?;
    canonical_address(&form.address).map_err(refuse)?;
    let dialect =
        NasDialect::parse(&form.dialect).ok_or_else(|| texts.get("admin-error-choose-vendor"))?;
    let secret = match form.secret.as_str() {
        "" => None,
        text => {
            let secret = SecretText::new(text);
            check_secret(&secret).map_err(refuse)?;
            Some(NasSecretText(text.to_owned()))
        }
    };
    let name = match form.name.trim() {
        "" => nas_id.clone(),
        name => name.to_owned(),
    };
    Ok(Command::RegisterNas {
        nas_id,
        location_id: form.location_id.clone(),
        name,
        address: form.address.trim().to_owned(),
        dialect,
        ssids: ssid_list(&form.ssids),
        coa_port: optional_number(&form.coa_port, "admin-field-coa-port", texts)?,
        secret,
    })
}

/// The access points page.
pub(crate) struct Nases;

impl FormPage for Nases {
    type Form = NasForm;
    const PATH: &'static str = "/canvas/admin/nas";

    fn command(form: &NasForm, texts: &Texts<'_>) -> Result<(Command, &'static str), String> {
        match form.action.as_str() {
            "register" => Ok((register(form, texts)?, "nas_registered")),
            "remove" => {
                check_nas_id(&form.nas_id).map_err(|_| texts.get("admin-error-unknown-nas"))?;
                let remove = Command::RemoveNas {
                    nas_id: form.nas_id.clone(),
                };
                Ok((remove, "nas_removed"))
            }
            _ => Err(texts.get("admin-error-unknown-action")),
        }
    }

    fn csrf(form: &NasForm) -> &str {
        &form.csrf
    }

    async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
        let org = &admin.row.org_id;
        let client = state.pool.get().await?;
        let (locations, nases) = tokio::join!(
            store::queries::locations(&client, org),
            store::queries::nases(&client, org)
        );
        let (locations, nases) = (locations?, nases?);
        drop(client);
        let locations = locations
            .into_iter()
            .filter_map(|l| {
                let settings = l.settings?;
                let here = nases.iter().filter(|n| n.location_id == l.location_id);
                Some(LocationNases {
                    nases: here.map(nas_row).collect(),
                    location_id: l.location_id,
                    name: settings.name,
                    network_name: settings.network_name,
                })
            })
            .collect();
        let page = NasPage {
            t: admin.texts,
            switch: admin.language.switch(),
            title: admin.texts.get("admin-nav-nas"),
            section: "nas",
            notice: banner.notice,
            error: banner.error,
            csrf: admin.csrf(state),
            locations,
        };
        state.page(banner.status, Framing::Optix, &page)
    }
}

fn nas_row(nas: &NasView) -> NasRow {
    NasRow {
        nas_id: nas.nas_id.clone(),
        name: nas.name.clone(),
        address: nas.address.clone(),
        dialect: nas.dialect.as_str(),
        ssids: nas.ssids.join(", "),
        coa_port: nas.coa_port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Texts<'static> {
        Texts::new(i18n::Lang::En)
    }

    fn form() -> NasForm {
        NasForm {
            action: "register".into(),
            location_id: "3390".into(),
            nas_id: "lobby".into(),
            address: "10.0.0.0/24".into(),
            dialect: "aruba".into(),
            ssids: "gastown-secure\r\n gastown-staff ,".into(),
            secret: "a-long-enough-secret".into(),
            ..NasForm::default()
        }
    }

    #[test]
    fn a_registration_form_becomes_a_command_and_bad_fields_are_named() {
        let (command, done) = Nases::command(&form(), &english()).expect("command");
        assert_eq!(done, "nas_registered");
        let Command::RegisterNas {
            name,
            ssids,
            dialect,
            coa_port,
            secret,
            ..
        } = command
        else {
            panic!("register expected");
        };
        assert_eq!(name, "lobby");
        assert_eq!(ssids, ["gastown-secure", "gastown-staff"]);
        assert_eq!((dialect, coa_port), (NasDialect::Aruba, None));
        assert!(secret.is_some());
        let no_secret = NasForm {
            secret: String::new(),
            ..form()
        };
        assert!(matches!(
            Nases::command(&no_secret, &english()),
            Ok((Command::RegisterNas { secret: None, .. }, _))
        ));
        for (bad, expected) in [
            (
                NasForm {
                    address: "10.0.0.1/24".into(),
                    ..form()
                },
                "host bits",
            ),
            (
                NasForm {
                    dialect: "ubiquiti".into(),
                    ..form()
                },
                "vendor",
            ),
            (
                NasForm {
                    secret: "short".into(),
                    ..form()
                },
                "16–128",
            ),
            (
                NasForm {
                    nas_id: "Lobby".into(),
                    ..form()
                },
                "a–z",
            ),
            (
                NasForm {
                    coa_port: "x".into(),
                    ..form()
                },
                "CoA port",
            ),
        ] {
            let error = Nases::command(&bad, &english()).expect_err("refused");
            assert!(error.contains(expected), "{error}");
        }
    }
}
