//! `GET /canvas/admin/controllers`: the cloud WiFi controllers Lanyard keeps in step
//! (Meraki SSIDs, OpenWrt AP groups), per location, with their latest reconciliations (what was
//! created, updated, deleted, the drift corrected); `POST /canvas/admin/controllers/test`:
//! "test connection" (the controller reached with its stored credentials, which are never
//! shown). Mapping and unmapping are the page's forms (`controller_forms`) or
//! `lanyard controllers map-…` (docs/controllers.md).

use crate::admin_forms::{Banner, PageResult};
use crate::admin_session::{Admin, admin_form};
use crate::input::plausible_id;
use crate::pages::Framing;
use crate::state::State;
use actix_web::{HttpRequest, web};
use askama::Template;
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
fn describe(target: &controllers::mapping::Target) -> String {
    match target {
        controllers::mapping::Target::Meraki {
            organization_id,
            network_id,
            ssid_number,
        } => format!("organization {organization_id}, network {network_id}, SSID {ssid_number}"),
        controllers::mapping::Target::Openwrt { ap_group } => format!("AP group {ap_group}"),
        controllers::mapping::Target::Unifi { url, site, wlan_id } => {
            format!("UniFi {url}, site {site}, WLAN {wlan_id}")
        }
        controllers::mapping::Target::Mist {
            org_id,
            site_id,
            ssid,
        } => match site_id {
            Some(site) => format!("Mist site {site}, SSID {ssid}"),
            None => format!("Mist organization {org_id}, SSID {ssid}"),
        },
    }
}

pub(crate) async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
    let org_id = &admin.row.org_id;
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
                "SELECT to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS UTC'), trigger, outcome,
                        created, updated, deleted, drift
                   FROM controller_reconciliations
                  WHERE org_id = $1 AND location_id = $2 ORDER BY id DESC LIMIT $3",
                &[org_id, &mapping.location_id, &RECENT],
            )
            .await?
            .iter()
            .map(|r| Reconciliation {
                finished_at: r.get(0),
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
            target: describe(&mapping.target),
            location_id: mapping.location_id,
            recent,
        });
    }
    drop(client);
    let page = ControllersPage {
        title: "WiFi controllers".into(),
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
    let banner = match test_connection(&state, &admin.row.org_id, &form.location_id).await {
        Ok(answer) => Banner::shown(Some(format!("Connection works: {answer}."))),
        Err(problem) => Banner::refused(problem),
    };
    render(&state, &admin, banner).await
}

async fn test_connection(state: &State, org_id: &str, location_id: &str) -> Result<String, String> {
    if !plausible_id(location_id) {
        return Err("Unknown location.".into());
    }
    let client = state.pool.get().await.map_err(|e| e.to_string())?;
    let mapping = controllers::mapping::mapping_of(&client, org_id, location_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("No controller is mapped to this location.")?;
    drop(client);
    match state.controllers.test_mapping(&mapping).await {
        Ok(Some(answer)) => Ok(answer),
        Ok(None) => {
            Ok("OpenWrt routers fetch their key file from Lanyard; nothing to reach".into())
        }
        Err(e) => Err(format!("The controller did not answer as expected: {e}.")),
    }
}
