//! `GET /canvas/admin/controllers`: the cloud WiFi controllers Lanyard keeps in step
//! (Meraki SSIDs, OpenWrt AP groups), per location, with their latest reconciliations (what was
//! created, updated, deleted, the drift corrected); `POST /canvas/admin/controllers/test`:
//! "test connection" (the controller reached with its stored credentials, which are never
//! shown). Mapping and unmapping are the page's forms (`controller_forms`) or
//! `lanyard controllers map-…` (docs/controllers.md).

use crate::admin_forms::{Banner, PageResult};
use crate::admin_session::{Admin, admin_form};
use crate::admin_words::utc_datetime;
use crate::input::plausible_id;
use crate::language::LanguageSwitch;
use crate::pages::Framing;
use crate::state::State;
use actix_web::{HttpRequest, web};
use askama::Template;
use i18n::Texts;
use serde::Deserialize;

pub(crate) const PATH: &str = "/canvas/admin/controllers";
/// Reconciliations shown per location.
const RECENT: i64 = 5;

struct Reconciliation {
    finished_at: String,
    trigger: String,
    outcome: String,
    created: i32,
    updated: i32,
    deleted: i32,
    drift: i32,
}

struct ControllerRow {
    location_id: String,
    vendor: String,
    target: String,
    recent: Vec<Reconciliation>,
}

#[derive(Template)]
#[template(path = "admin_controllers.html")]
struct ControllersPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    controllers: Vec<ControllerRow>,
    /// The mapped Lanyard locations a controller may be mapped to: (Optix id, name).
    locations: Vec<(String, String)>,
}

/// What the target's ids say, for people.
fn describe(t: &Texts<'_>, target: &controllers::mapping::Target) -> String {
    match target {
        controllers::mapping::Target::Meraki {
            organization_id,
            network_id,
            ssid_number,
        } => t.get_with(
            "admin-target-meraki",
            &[
                ("org", organization_id),
                ("network", network_id),
                ("ssid", &ssid_number.to_string()),
            ],
        ),
        controllers::mapping::Target::Openwrt { ap_group } => {
            t.get_with("admin-target-openwrt", &[("group", ap_group)])
        }
        controllers::mapping::Target::Unifi { url, site, wlan_id } => t.get_with(
            "admin-target-unifi",
            &[("url", url), ("site", site), ("wlan", wlan_id)],
        ),
        controllers::mapping::Target::Mist {
            org_id,
            site_id,
            ssid,
        } => match site_id {
            Some(site) => t.get_with("admin-target-mist-site", &[("site", site), ("ssid", ssid)]),
            None => t.get_with("admin-target-mist-org", &[("org", org_id), ("ssid", ssid)]),
        },
    }
}

pub(crate) async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
    let org_id = &admin.row.org_id;
    let t = admin.texts;
    let client = state.pool.get().await?;
    let locations = store::queries::locations(&client, org_id)
        .await?
        .into_iter()
        .filter_map(|l| Some((l.location_id, l.settings?.name)))
        .collect();
    let mappings = controllers::mapping::mappings(&client, Some(org_id))
        .await
        .map_err(|e| crate::error::PortalError::Database(e.to_string()))?;
    let mut rows = Vec::with_capacity(mappings.len());
    for mapping in mappings {
        let recent = client
            .query(
                "SELECT finished_at, trigger, outcome,
                        created, updated, deleted, drift
                   FROM controller_reconciliations
                  WHERE org_id = $1 AND location_id = $2 ORDER BY id DESC LIMIT $3",
                &[org_id, &mapping.location_id, &RECENT],
            )
            .await?
            .iter()
            .map(|r| Reconciliation {
                finished_at: utc_datetime(&t, r.get(0)),
                trigger: r.get(1),
                outcome: r.get(2),
                created: r.get(3),
                updated: r.get(4),
                deleted: r.get(5),
                drift: r.get(6),
            })
            .collect();
        rows.push(ControllerRow {
            vendor: mapping.target.vendor().to_owned(),
            target: describe(&t, &mapping.target),
            location_id: mapping.location_id,
            recent,
        });
    }
    drop(client);
    let page = ControllersPage {
        t,
        switch: admin.language.switch(),
        title: t.get("admin-nav-controllers"),
        section: "controllers",
        notice: banner.notice,
        error: banner.error,
        csrf: admin.csrf(state),
        controllers: rows,
        locations,
    };
    state.page(banner.status, Framing::Optix, &page)
}

#[derive(Deserialize)]
pub(crate) struct TestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    location_id: String,
}

/// "Test connection": the page again, saying what the controller answered.
pub(crate) async fn test(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<TestForm>,
) -> PageResult {
    let admin = match admin_form(&state, &request, &form.csrf, PATH).await? {
        Ok(admin) => admin,
        Err(page) => return Ok(page),
    };
    let t = admin.texts;
    let banner = match test_connection(&state, &t, &admin.row.org_id, &form.location_id).await {
        Ok(answer) => Banner::shown(Some(
            t.get_with("admin-connection-works", &[("answer", &answer)]),
        )),
        Err(problem) => Banner::refused(problem),
    };
    render(&state, &admin, banner).await
}

async fn test_connection(
    state: &State,
    t: &Texts<'_>,
    org_id: &str,
    location_id: &str,
) -> Result<String, String> {
    if !plausible_id(location_id) {
        return Err(t.get("admin-error-unknown-location"));
    }
    let client = state.pool.get().await.map_err(|e| e.to_string())?;
    let mapping = controllers::mapping::mapping_of(&client, org_id, location_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| t.get("admin-controller-none-mapped"))?;
    drop(client);
    match state.controllers.test_mapping(&mapping).await {
        Ok(Some(answer)) => Ok(answer),
        Ok(None) => Ok(t.get("admin-controller-nothing-to-reach")),
        Err(e) => Err(t.get_with("admin-controller-unexpected", &[("error", &e.to_string())])),
    }
}
