//! UniFi Network application, the part Lanyard uses (network-vendor reference §3), under
//! `/unifi` as on a UniFi OS console's `/proxy/network`: `GET|PUT /api/s/{site}/rest/wlanconf/{id}`
//! (the whole WLAN object; `private_preshared_keys` of `{password, networkconf_id}`, passwords
//! printable ASCII of 8–255, unique in the WLAN, networks that exist), `GET|POST
//! /api/s/{site}/rest/networkconf`, `X-Api-Key`, the `{"meta": {"rc", "msg"}, "data"}`
//! envelope. UniFi documents neither an API rate limit nor a key limit: the simulator has a
//! rate (429, no `Retry-After`) and a key limit set per site for tests.
//!
//! Admin: `POST /_admin/unifi/sites` makes a site with a WLAN and networks;
//! `GET /_admin/unifi/sites/{site}/wlans/{id}`; `POST …/keys` adds an entry, `PUT
//! …/keys/{password}` replaces one, `DELETE …/keys/{password}` removes one, behind Lanyard's
//! back; `POST …/keys/after_next_read` adds an entry just after the next API read of the WLAN
//! (a concurrent edit between Lanyard's read and its write).

use crate::Sim;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;

/// Sites kept at most (admin-made; bounds the map).
const MAX_SITES: usize = 1000;
/// Networks a site keeps at most (one per VLAN and some).
const MAX_NETWORKS: usize = 4200;

pub struct Site {
    pub api_key: String,
    pub wlans: HashMap<String, Value>,
    pub networks: Vec<Value>,
    pub requests_per_second: f64,
    pub key_limit: usize,
    /// Entries added to a WLAN right after its next API read.
    pub after_next_read: HashMap<String, Vec<Value>>,
    pub puts: u64,
}

#[derive(Default)]
pub struct Unifi {
    pub sites: Mutex<HashMap<String, Site>>,
    next_id: Mutex<u64>,
}

fn envelope_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({"meta": {"rc": "error", "msg": message}, "data": []}))
}

fn ok(data: Vec<Value>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"meta": {"rc": "ok"}, "data": data}))
}

impl Unifi {
    fn next_id(&self) -> String {
        let mut next = self.next_id.lock().unwrap_or_else(|p| p.into_inner());
        *next += 1;
        format!("65f0c1d2e3a4b5c6{:08x}", *next)
    }

    /// A WLAN object (admin and tests).
    pub fn wlan(&self, site: &str, wlan: &str) -> Option<Value> {
        let sites = self.sites.lock().unwrap_or_else(|p| p.into_inner());
        sites.get(site)?.wlans.get(wlan).cloned()
    }

    /// The VLAN of a network (None: no such network or no VLAN).
    pub fn network_vlan(&self, site: &str, network: &str) -> Option<u16> {
        let sites = self.sites.lock().unwrap_or_else(|p| p.into_inner());
        let found = sites
            .get(site)?
            .networks
            .iter()
            .find(|n| n["_id"] == network)?
            .clone();
        found
            .get("vlan")?
            .as_u64()
            .and_then(|v| u16::try_from(v).ok())
    }

    /// The WLAN's PUTs so far.
    pub fn puts(&self, site: &str) -> u64 {
        let sites = self.sites.lock().unwrap_or_else(|p| p.into_inner());
        sites.get(site).map_or(0, |s| s.puts)
    }
}

/// UniFi's checks of a WLAN's keys.
fn check_keys(site: &Site, wlan: &Value) -> Result<(), String> {
    let keys = wlan
        .get("private_preshared_keys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if keys.len() > site.key_limit {
        return Err(format!(
            "api.err.TooManyPrivatePresharedKeys ({})",
            site.key_limit
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for key in &keys {
        let password = key
            .get("password")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !(8..=255).contains(&password.len())
            || !password.bytes().all(|b| (0x20..0x7f).contains(&b))
        {
            return Err("api.err.InvalidPassword".into());
        }
        if !seen.insert(password.to_owned()) {
            return Err("api.err.DuplicatePrivatePresharedKey".into());
        }
        let network = key
            .get("networkconf_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !site.networks.iter().any(|n| n["_id"] == network) {
            return Err("api.err.NetworkNotFound".into());
        }
    }
    Ok(())
}

fn authorize(sim: &Sim, request: &HttpRequest, site: &str) -> Option<HttpResponse> {
    let key = request
        .headers()
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    let Some(found) = sites.get(site) else {
        return Some(envelope_error(
            StatusCode::NOT_FOUND,
            "api.err.NoSiteContext",
        ));
    };
    if key.is_empty() || key != found.api_key {
        return Some(envelope_error(
            StatusCode::UNAUTHORIZED,
            "api.err.LoginRequired",
        ));
    }
    let rate = found.requests_per_second;
    drop(sites);
    match sim.shared.admit(&format!("unifi:{site}"), rate, rate) {
        Ok(()) => None,
        Err(crate::shared::Refusal::RateLimited { .. }) => Some(envelope_error(
            StatusCode::TOO_MANY_REQUESTS,
            "api.err.RateLimited",
        )),
        Err(fault) => {
            Some(fault.respond(json!({"meta": {"rc": "error", "msg": "simulated fault"}})))
        }
    }
}

type WlanPath = web::Path<(String, String)>;

pub fn routes(config: &mut web::ServiceConfig) {
    let base = "/unifi/api/s/{site}/rest";
    config
        .route(&format!("{base}/wlanconf/{{id}}"), web::get().to(get_wlan))
        .route(&format!("{base}/wlanconf/{{id}}"), web::put().to(put_wlan))
        .route(&format!("{base}/networkconf"), web::get().to(list_networks))
        .route(
            &format!("{base}/networkconf"),
            web::post().to(create_network),
        )
        .route("/_admin/unifi/sites", web::post().to(admin_site))
        .route(
            "/_admin/unifi/sites/{site}/wlans/{id}",
            web::get().to(admin_wlan),
        )
        .route(
            "/_admin/unifi/sites/{site}/wlans/{id}/keys",
            web::post().to(admin_add),
        )
        .route(
            "/_admin/unifi/sites/{site}/wlans/{id}/keys/after_next_read",
            web::post().to(admin_after_read),
        )
        .route(
            "/_admin/unifi/sites/{site}/wlans/{id}/keys/{password}",
            web::put().to(admin_replace),
        )
        .route(
            "/_admin/unifi/sites/{site}/wlans/{id}/keys/{password}",
            web::delete().to(admin_remove),
        );
}

async fn get_wlan(sim: web::Data<Sim>, request: HttpRequest, path: WlanPath) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, &path.0) {
        return refusal;
    }
    let mut sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    let Some(site) = sites.get_mut(&path.0) else {
        return envelope_error(StatusCode::NOT_FOUND, "api.err.NoSiteContext");
    };
    let Some(wlan) = site.wlans.get(&path.1).cloned() else {
        return envelope_error(StatusCode::NOT_FOUND, "api.err.IdInvalid");
    };
    if let Some(added) = site.after_next_read.remove(&path.1) {
        edit_keys(site, &path.1, |keys| keys.extend(added));
    }
    ok(vec![wlan])
}

fn edit_keys(site: &mut Site, wlan: &str, edit: impl FnOnce(&mut Vec<Value>)) {
    if let Some(object) = site.wlans.get_mut(wlan).and_then(Value::as_object_mut) {
        let mut keys = object
            .get("private_preshared_keys")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        edit(&mut keys);
        object.insert("private_preshared_keys".into(), Value::Array(keys));
    }
}

async fn put_wlan(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: WlanPath,
    body: web::Json<Value>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, &path.0) {
        return refusal;
    }
    let mut sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    let Some(site) = sites.get_mut(&path.0) else {
        return envelope_error(StatusCode::NOT_FOUND, "api.err.NoSiteContext");
    };
    if !site.wlans.contains_key(&path.1) {
        return envelope_error(StatusCode::NOT_FOUND, "api.err.IdInvalid");
    }
    let wlan = body.into_inner();
    if let Err(message) = check_keys(site, &wlan) {
        return envelope_error(StatusCode::BAD_REQUEST, &message);
    }
    site.puts += 1;
    site.wlans.insert(path.1.clone(), wlan.clone());
    ok(vec![wlan])
}

async fn list_networks(
    sim: web::Data<Sim>,
    request: HttpRequest,
    site: web::Path<String>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, &site) {
        return refusal;
    }
    let sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    ok(sites
        .get(site.as_str())
        .map(|s| s.networks.clone())
        .unwrap_or_default())
}

async fn create_network(
    sim: web::Data<Sim>,
    request: HttpRequest,
    site: web::Path<String>,
    body: web::Json<Value>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, &site) {
        return refusal;
    }
    let id = sim.unifi.next_id();
    let mut network = body.into_inner();
    if let Some(object) = network.as_object_mut() {
        object.insert("_id".into(), json!(id));
    }
    let mut sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    let Some(site) = sites.get_mut(site.as_str()) else {
        return envelope_error(StatusCode::NOT_FOUND, "api.err.NoSiteContext");
    };
    if site.networks.len() >= MAX_NETWORKS {
        return envelope_error(StatusCode::BAD_REQUEST, "api.err.TooManyNetworks");
    }
    site.networks.push(network.clone());
    ok(vec![network])
}

#[derive(Deserialize)]
struct NewSite {
    site: String,
    api_key: String,
    wlan_id: String,
    /// The networks (`{"_id", "vlan", "vlan_enabled"}`); the first is the WLAN's own.
    networks: Vec<Value>,
    #[serde(default = "rate")]
    requests_per_second: f64,
    #[serde(default = "key_limit")]
    key_limit: usize,
}

fn rate() -> f64 {
    20.0
}

fn key_limit() -> usize {
    1000
}

async fn admin_site(sim: web::Data<Sim>, body: web::Json<NewSite>) -> HttpResponse {
    let body = body.into_inner();
    let own = body
        .networks
        .first()
        .and_then(|n| n.get("_id"))
        .cloned()
        .unwrap_or(Value::Null);
    let wlan = json!({
        "_id": body.wlan_id, "name": "Members", "security": "wpapsk", "wpa_mode": "wpa2",
        "x_passphrase": "front-door-passphrase", "networkconf_id": own, "enabled": true,
        "private_preshared_keys_enabled": true, "private_preshared_keys": [],
    });
    let mut sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    if sites.len() >= MAX_SITES && !sites.contains_key(&body.site) {
        return envelope_error(StatusCode::BAD_REQUEST, "too many simulated sites");
    }
    sites.insert(
        body.site,
        Site {
            api_key: body.api_key,
            wlans: HashMap::from([(body.wlan_id, wlan)]),
            networks: body.networks,
            requests_per_second: body.requests_per_second,
            key_limit: body.key_limit,
            after_next_read: HashMap::new(),
            puts: 0,
        },
    );
    HttpResponse::NoContent().finish()
}

async fn admin_wlan(sim: web::Data<Sim>, path: WlanPath) -> HttpResponse {
    match sim.unifi.wlan(&path.0, &path.1) {
        Some(wlan) => HttpResponse::Ok().json(wlan),
        None => envelope_error(StatusCode::NOT_FOUND, "api.err.IdInvalid"),
    }
}

/// Runs `edit` on the WLAN's keys as a person in the UniFi application would.
fn admin_edit(
    sim: &Sim,
    path: &(String, String),
    edit: impl FnOnce(&mut Vec<Value>),
) -> HttpResponse {
    let mut sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    match sites.get_mut(&path.0) {
        Some(site) if site.wlans.contains_key(&path.1) => {
            edit_keys(site, &path.1, edit);
            HttpResponse::NoContent().finish()
        }
        _ => envelope_error(StatusCode::NOT_FOUND, "api.err.IdInvalid"),
    }
}

async fn admin_add(sim: web::Data<Sim>, path: WlanPath, body: web::Json<Value>) -> HttpResponse {
    admin_edit(&sim, &path, |keys| keys.push(body.into_inner()))
}

async fn admin_replace(
    sim: web::Data<Sim>,
    path: web::Path<(String, String, String)>,
    body: web::Json<Value>,
) -> HttpResponse {
    let (site, wlan, password) = path.into_inner();
    admin_edit(&sim, &(site, wlan), |keys| {
        for key in keys
            .iter_mut()
            .filter(|k| k["password"] == password.as_str())
        {
            *key = body.clone();
        }
    })
}

async fn admin_remove(
    sim: web::Data<Sim>,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let (site, wlan, password) = path.into_inner();
    admin_edit(&sim, &(site, wlan), |keys| {
        keys.retain(|k| k["password"] != password.as_str())
    })
}

async fn admin_after_read(
    sim: web::Data<Sim>,
    path: WlanPath,
    body: web::Json<Value>,
) -> HttpResponse {
    let mut sites = sim.unifi.sites.lock().unwrap_or_else(|p| p.into_inner());
    match sites.get_mut(&path.0) {
        Some(site) if site.wlans.contains_key(&path.1) => {
            site.after_next_read
                .entry(path.1.clone())
                .or_default()
                .push(body.into_inner());
            HttpResponse::NoContent().finish()
        }
        _ => envelope_error(StatusCode::NOT_FOUND, "api.err.IdInvalid"),
    }
}
