//! `GET /canvas/admin/locations`: the Optix locations the admin manages and Lanyard's mapping
//! of each; `POST`: map (name, network, time zone, VLAN pool, roaming) or unmap one.

use crate::admin_forms::{Banner, FormPage, PageResult, optional_pool, pool_fields, refused};
use crate::admin_session::Admin;
use crate::input::plausible_id;
use crate::language::LanguageSwitch;
use crate::pages::Framing;
use crate::state::State;
use askama::Template;
use bus::commands::Command;
use domain::{LocationSettings, RoamingPolicy};
use i18n::Texts;
use serde::Deserialize;
use std::collections::BTreeMap;
use store::queries::LocationView;

struct LocationRow {
    location_id: String,
    optix_name: String,
    mapped: bool,
    name: String,
    network_name: String,
    timezone: String,
    vlan_first: String,
    vlan_last: String,
    roaming: String,
    unmapped_uses: i32,
}

#[derive(Template)]
#[template(path = "admin_locations.html")]
struct LocationsPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    /// The membership platform's name (Optix, OfficeRnD).
    platform: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    locations: Vec<LocationRow>,
}

fn roaming_value(roaming: RoamingPolicy) -> &'static str {
    match roaming {
        RoamingPolicy::SingleLocation => "single_location",
        RoamingPolicy::AllLocations => "all_locations",
        RoamingPolicy::ByPlan => "by_plan",
    }
}

/// The rows of the page: the Optix locations in Optix's order, then the locations only Lanyard
/// knows (`known`: what Lanyard holds for the organization).
fn location_rows(admin: &Admin, known: Vec<LocationView>) -> Vec<LocationRow> {
    let mut known: BTreeMap<String, LocationView> = known
        .into_iter()
        .map(|l| (l.location_id.clone(), l))
        .collect();
    let mut rows = Vec::new();
    for location in &admin.context.locations {
        let view = known.remove(&location.location_id);
        rows.push(location_row(
            location.location_id.clone(),
            location.name.clone(),
            location.timezone.clone(),
            view,
        ));
    }
    for (location_id, view) in known {
        let name = view
            .settings
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| {
                admin
                    .texts
                    .get_with("admin-location-fallback", &[("location", &location_id)])
            });
        rows.push(location_row(location_id, name, "UTC".into(), Some(view)));
    }
    rows
}

/// One location's row: Optix's name and time zone until Lanyard maps it.
fn location_row(
    location_id: String,
    optix_name: String,
    optix_tz: String,
    view: Option<LocationView>,
) -> LocationRow {
    let unmapped_uses = view.as_ref().map_or(0, |v| v.unmapped_uses);
    let settings = view.and_then(|v| v.settings);
    let (vlan_first, vlan_last) = pool_fields(settings.as_ref().and_then(|s| s.vlan_pool));
    LocationRow {
        mapped: settings.is_some(),
        name: settings
            .as_ref()
            .map_or_else(|| optix_name.clone(), |s| s.name.clone()),
        network_name: settings
            .as_ref()
            .map(|s| s.network_name.clone())
            .unwrap_or_default(),
        timezone: settings
            .as_ref()
            .map_or_else(|| optix_tz.clone(), |s| s.timezone.clone()),
        vlan_first,
        vlan_last,
        roaming: roaming_value(settings.as_ref().map(|s| s.roaming).unwrap_or_default()).to_owned(),
        optix_name,
        location_id,
        unmapped_uses,
    }
}

#[derive(Deserialize)]
pub(crate) struct LocationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    network_name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    vlan_first: String,
    #[serde(default)]
    vlan_last: String,
    #[serde(default)]
    roaming: String,
}

/// The locations page.
pub(crate) struct Locations;

impl FormPage for Locations {
    type Form = LocationForm;
    const PATH: &'static str = "/canvas/admin/locations";

    fn command(form: &LocationForm, texts: &Texts<'_>) -> Result<(Command, &'static str), String> {
        if !plausible_id(&form.location_id) {
            return Err(texts.get("admin-error-unknown-location"));
        }
        match form.action.as_str() {
            "unmap" => Ok((
                Command::UnmapLocation {
                    location_id: form.location_id.clone(),
                },
                "location_unmapped",
            )),
            "map" => {
                let roaming = match form.roaming.as_str() {
                    "all_locations" => RoamingPolicy::AllLocations,
                    "by_plan" => RoamingPolicy::ByPlan,
                    _ => RoamingPolicy::SingleLocation,
                };
                let settings = LocationSettings {
                    name: form.name.trim().to_owned(),
                    network_name: form.network_name.trim().to_owned(),
                    timezone: form.timezone.trim().to_owned(),
                    vlan_pool: optional_pool(&form.vlan_first, &form.vlan_last, texts)?,
                    roaming,
                };
                // Provision checks the same; checking here answers at once, in the form.
                settings.validate().map_err(|e| refused(texts, e))?;
                Ok((
                    Command::MapLocation {
                        location_id: form.location_id.clone(),
                        settings,
                    },
                    "location_mapped",
                ))
            }
            _ => Err(texts.get("admin-error-unknown-action")),
        }
    }

    fn csrf(form: &LocationForm) -> &str {
        &form.csrf
    }

    /// The Optix locations the admin manages, with Lanyard's mapping of each, plus any location
    /// Lanyard knows that Optix did not list (mapped earlier, or tried by tenants).
    async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
        let client = state.pool.get().await?;
        let known = store::queries::locations(&client, &admin.row.org_id).await?;
        drop(client);
        let page = LocationsPage {
            t: admin.texts,
            switch: admin.language.switch(),
            title: admin.texts.get("admin-nav-locations"),
            section: "locations",
            platform: domain::Platform::of_org(&admin.row.org_id).name(),
            notice: banner.notice,
            error: banner.error,
            csrf: admin.csrf(state),
            locations: location_rows(admin, known),
        };
        state.page(banner.status, Framing::Optix, &page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::VlanRange;

    fn english() -> Texts<'static> {
        Texts::new(i18n::Lang::En)
    }

    #[test]
    fn location_forms_become_commands_and_bad_numbers_are_named() {
        let form = LocationForm {
            csrf: String::new(),
            action: "map".into(),
            location_id: "3390".into(),
            name: " Gastown ".into(),
            network_name: "gastown".into(),
            timezone: "America/Vancouver".into(),
            vlan_first: "100".into(),
            vlan_last: "199".into(),
            roaming: "all_locations".into(),
        };
        let (command, done) = Locations::command(&form, &english()).expect("command");
        assert_eq!(done, "location_mapped");
        let Command::MapLocation {
            location_id,
            settings,
        } = command
        else {
            panic!("map location expected");
        };
        assert_eq!(location_id, "3390");
        assert_eq!(settings.name, "Gastown");
        assert_eq!(
            settings.vlan_pool,
            Some(VlanRange {
                first: 100,
                last: 199
            })
        );
        assert_eq!(settings.roaming, RoamingPolicy::AllLocations);
        let bad = LocationForm {
            vlan_first: "ten".into(),
            ..form
        };
        assert!(
            Locations::command(&bad, &english())
                .expect_err("bad number")
                .contains("\"ten\"")
        );
    }
}
