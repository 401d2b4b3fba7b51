//! Juniper Mist API, the part Lanyard uses (network-vendor reference §2): organization and site
//! PSKs — list (`ssid`, `name` filters; `limit` ≤ 1000 and `page`, `X-Page-Limit`,
//! `X-Page-Page`, `X-Page-Total`), JSON import, update, delete, the organization's bulk delete —
//! `Authorization: Token <token>`, 5,000 calls per hour per token answering 429 with
//! `{"detail": …}` and no `Retry-After` (the spec names none).
//!
//! Admin (no rate limit, no token): `POST /_admin/mist/orgs` makes an organization with its
//! sites, token and (scaled) hour; `GET|POST /_admin/mist/orgs/{org}/psks` and
//! `PUT|DELETE …/{id}` change keys behind Lanyard's back.

use crate::Sim;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

/// Items per page at most, and by default.
const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 100;
/// Organizations kept at most (admin-made; bounds the map).
const MAX_ORGS: usize = 1000;
/// PSKs an organization keeps at most (with its sites').
const MAX_PSKS: usize = 100_000;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Psk {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub site_id: Option<String>,
    pub name: String,
    pub passphrase: String,
    pub ssid: String,
    #[serde(default)]
    pub vlan_id: Option<Value>,
    #[serde(default)]
    pub usage: Option<String>,
    #[serde(default)]
    pub expire_time: Option<i64>,
}

#[derive(Default)]
pub struct Org {
    pub token: String,
    pub sites: HashSet<String>,
    pub calls_per_hour: u32,
    pub hour_secs: f64,
    pub psks: BTreeMap<String, Psk>,
}

#[derive(Default)]
pub struct Mist {
    pub orgs: Mutex<HashMap<String, Org>>,
    next_id: Mutex<u64>,
}

fn detail(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "detail": message }))
}

/// Where a request's PSKs are: the organization and, for site PSKs, the site.
type Scope = (String, Option<String>);

impl Mist {
    fn next_id(&self) -> String {
        let mut next = self.next_id.lock().unwrap_or_else(|p| p.into_inner());
        *next += 1;
        format!("8a3b1c2d-0000-4000-8000-{:012x}", *next)
    }

    /// Every PSK of an organization, its sites' too (admin and tests).
    pub fn psks(&self, org: &str) -> Vec<Psk> {
        let orgs = self.orgs.lock().unwrap_or_else(|p| p.into_inner());
        orgs.get(org)
            .map(|o| o.psks.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Checks a PSK as Mist does and stores it in `scope` (a new one when `id` is None).
    fn put(&self, scope: &Scope, id: Option<&str>, mut psk: Psk) -> Result<Psk, String> {
        valid(&psk)?;
        let new_id = self.next_id();
        let mut orgs = self.orgs.lock().unwrap_or_else(|p| p.into_inner());
        let org = orgs.get_mut(&scope.0).ok_or("org not found")?;
        let id = match id {
            Some(id) => {
                let old = org.psks.get(id).filter(|p| p.site_id == scope.1);
                old.ok_or("psk not found")?;
                id.to_owned()
            }
            None if org.psks.len() >= MAX_PSKS => return Err("too many PSKs".into()),
            None => new_id,
        };
        psk.id = id.clone();
        psk.org_id = scope.0.clone();
        psk.site_id = scope.1.clone();
        org.psks.insert(id, psk.clone());
        Ok(psk)
    }

    fn delete(&self, scope: &Scope, id: &str) -> Result<(), String> {
        let mut orgs = self.orgs.lock().unwrap_or_else(|p| p.into_inner());
        let org = orgs.get_mut(&scope.0).ok_or("org not found")?;
        if org.psks.get(id).is_none_or(|p| p.site_id != scope.1) {
            return Err("psk not found".into());
        }
        org.psks.remove(id);
        Ok(())
    }
}

/// Mist's PSK rules: name, SSID, passphrase of 8–63 characters or 64 hex, VLAN 1–4094.
fn valid(psk: &Psk) -> Result<(), String> {
    let p = &psk.passphrase;
    let hex = p.len() == 64 && p.bytes().all(|b| b.is_ascii_hexdigit());
    if !(8..=63).contains(&p.chars().count()) && !hex {
        return Err("passphrase must be 8-63 characters or 64 hex digits".into());
    }
    if psk.name.is_empty() || psk.ssid.is_empty() {
        return Err("name and ssid are required".into());
    }
    if let Some(Value::Number(n)) = &psk.vlan_id
        && !n.as_u64().is_some_and(|v| (1..=4094).contains(&v))
    {
        return Err("vlan_id must be 1-4094".into());
    }
    Ok(())
}

/// The request's scope after its token and the token's hourly budget, or the refusal.
fn authorize(
    sim: &Sim,
    request: &HttpRequest,
    kind: &str,
    owner: &str,
) -> Result<Scope, Box<HttpResponse>> {
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Token "))
        .unwrap_or_default();
    let orgs = sim.mist.orgs.lock().unwrap_or_else(|p| p.into_inner());
    let found = orgs.iter().find(|(id, org)| match kind {
        "orgs" => id.as_str() == owner,
        _ => org.sites.contains(owner),
    });
    let Some((org_id, org)) = found else {
        return Err(Box::new(
            HttpResponse::NotFound().json(json!({ "id": owner })),
        ));
    };
    if token.is_empty() || token != org.token {
        return Err(Box::new(detail(
            StatusCode::UNAUTHORIZED,
            "Authentication credentials were not provided or invalid",
        )));
    }
    let scope = (org_id.clone(), (kind == "sites").then(|| owner.to_owned()));
    let calls = f64::from(org.calls_per_hour.max(1));
    let rate = calls / org.hour_secs.max(0.001);
    drop(orgs);
    match sim.shared.admit(&format!("mist:{token}"), rate, calls) {
        Ok(()) => Ok(scope),
        Err(
            crate::shared::Refusal::RateLimited { .. }
            | crate::shared::Refusal::Fault { status: 429, .. },
        ) => Err(Box::new(detail(
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Request. The API Token used for the request reached the 5000 API Calls per hour threshold",
        ))),
        Err(fault) => Err(Box::new(
            fault.respond(json!({"detail": "simulated fault"})),
        )),
    }
}

fn refused(message: &str) -> HttpResponse {
    if message.contains("not found") {
        HttpResponse::NotFound().json(json!({ "id": message }))
    } else {
        detail(StatusCode::BAD_REQUEST, message)
    }
}

type ScopePath = web::Path<(String, String)>;
type PskPath = web::Path<(String, String, String)>;

pub fn routes(config: &mut web::ServiceConfig) {
    let psks = "/mist/api/v1/{kind}/{owner}/psks";
    config
        .route(psks, web::get().to(list))
        .route(&format!("{psks}/import"), web::post().to(import))
        .route(&format!("{psks}/delete"), web::post().to(bulk_delete))
        .route(&format!("{psks}/{{id}}"), web::put().to(update))
        .route(&format!("{psks}/{{id}}"), web::delete().to(delete))
        .route("/_admin/mist/orgs", web::post().to(admin_org))
        .route("/_admin/mist/orgs/{org}/psks", web::get().to(admin_list))
        .route("/_admin/mist/orgs/{org}/psks", web::post().to(admin_create))
        .route(
            "/_admin/mist/orgs/{org}/psks/{id}",
            web::put().to(admin_update),
        )
        .route(
            "/_admin/mist/orgs/{org}/psks/{id}",
            web::delete().to(admin_delete),
        );
}

#[derive(Deserialize)]
struct ListQuery {
    ssid: Option<String>,
    name: Option<String>,
    limit: Option<usize>,
    page: Option<usize>,
}

async fn list(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: ScopePath,
    query: web::Query<ListQuery>,
) -> HttpResponse {
    let scope = match authorize(&sim, &request, &path.0, &path.1) {
        Ok(scope) => scope,
        Err(refusal) => return *refusal,
    };
    let matching: Vec<Psk> = sim
        .mist
        .psks(&scope.0)
        .into_iter()
        .filter(|p| p.site_id == scope.1)
        .filter(|p| query.ssid.as_ref().is_none_or(|s| *s == p.ssid))
        .filter(|p| query.name.as_ref().is_none_or(|n| *n == p.name))
        .collect();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let page = query.page.unwrap_or(1).max(1);
    let items: Vec<&Psk> = matching
        .iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    HttpResponse::Ok()
        .insert_header(("X-Page-Limit", limit.to_string()))
        .insert_header(("X-Page-Page", page.to_string()))
        .insert_header(("X-Page-Total", matching.len().to_string()))
        .json(items)
}

/// All or nothing: every PSK is checked before any is stored.
async fn import(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: ScopePath,
    body: web::Json<Vec<Psk>>,
) -> HttpResponse {
    let scope = match authorize(&sim, &request, &path.0, &path.1) {
        Ok(scope) => scope,
        Err(refusal) => return *refusal,
    };
    if let Some(error) = body.iter().find_map(|p| valid(p).err()) {
        return refused(&error);
    }
    let mut made = Vec::with_capacity(body.len());
    for psk in body.into_inner() {
        match sim.mist.put(&scope, None, psk) {
            Ok(psk) => made.push(psk),
            Err(error) => return refused(&error),
        }
    }
    HttpResponse::Ok().json(made)
}

#[derive(Deserialize)]
struct BulkDelete {
    psk_ids: Vec<String>,
}

async fn bulk_delete(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: ScopePath,
    body: web::Json<BulkDelete>,
) -> HttpResponse {
    let scope = match authorize(&sim, &request, &path.0, &path.1) {
        Ok(scope) => scope,
        Err(refusal) => return *refusal,
    };
    if scope.1.is_some() {
        return HttpResponse::NotFound().json(json!({"id": "site PSKs have no bulk delete"}));
    }
    for id in &body.psk_ids {
        // Mist's bulk delete skips ids it does not know.
        let _ = sim.mist.delete(&scope, id);
    }
    HttpResponse::Ok().finish()
}

async fn update(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: PskPath,
    body: web::Json<Psk>,
) -> HttpResponse {
    let scope = match authorize(&sim, &request, &path.0, &path.1) {
        Ok(scope) => scope,
        Err(refusal) => return *refusal,
    };
    match sim.mist.put(&scope, Some(&path.2), body.into_inner()) {
        Ok(psk) => HttpResponse::Ok().json(psk),
        Err(error) => refused(&error),
    }
}

async fn delete(sim: web::Data<Sim>, request: HttpRequest, path: PskPath) -> HttpResponse {
    let scope = match authorize(&sim, &request, &path.0, &path.1) {
        Ok(scope) => scope,
        Err(refusal) => return *refusal,
    };
    match sim.mist.delete(&scope, &path.2) {
        Ok(()) => HttpResponse::Ok().finish(),
        Err(error) => refused(&error),
    }
}

#[derive(Deserialize)]
struct NewOrg {
    org_id: String,
    token: String,
    #[serde(default)]
    site_ids: Vec<String>,
    #[serde(default = "calls_per_hour")]
    calls_per_hour: u32,
    #[serde(default = "hour")]
    hour_secs: f64,
}

fn calls_per_hour() -> u32 {
    5000
}

fn hour() -> f64 {
    3600.0
}

async fn admin_org(sim: web::Data<Sim>, body: web::Json<NewOrg>) -> HttpResponse {
    let body = body.into_inner();
    let mut orgs = sim.mist.orgs.lock().unwrap_or_else(|p| p.into_inner());
    if orgs.len() >= MAX_ORGS && !orgs.contains_key(&body.org_id) {
        return detail(StatusCode::BAD_REQUEST, "too many simulated organizations");
    }
    orgs.insert(
        body.org_id,
        Org {
            token: body.token,
            sites: body.site_ids.into_iter().collect(),
            calls_per_hour: body.calls_per_hour,
            hour_secs: body.hour_secs,
            psks: BTreeMap::new(),
        },
    );
    HttpResponse::NoContent().finish()
}

async fn admin_list(sim: web::Data<Sim>, org: web::Path<String>) -> HttpResponse {
    HttpResponse::Ok().json(sim.mist.psks(&org))
}

async fn admin_create(
    sim: web::Data<Sim>,
    org: web::Path<String>,
    body: web::Json<Psk>,
) -> HttpResponse {
    let psk = body.into_inner();
    let scope = (org.into_inner(), psk.site_id.clone());
    match sim.mist.put(&scope, None, psk) {
        Ok(psk) => HttpResponse::Created().json(psk),
        Err(error) => refused(&error),
    }
}

async fn admin_update(
    sim: web::Data<Sim>,
    path: web::Path<(String, String)>,
    body: web::Json<Psk>,
) -> HttpResponse {
    let psk = body.into_inner();
    let scope = (path.0.clone(), psk.site_id.clone());
    match sim.mist.put(&scope, Some(&path.1), psk) {
        Ok(psk) => HttpResponse::Ok().json(psk),
        Err(error) => refused(&error),
    }
}

async fn admin_delete(sim: web::Data<Sim>, path: web::Path<(String, String)>) -> HttpResponse {
    let site = sim
        .mist
        .psks(&path.0)
        .into_iter()
        .find(|p| p.id == path.1)
        .and_then(|p| p.site_id);
    match sim.mist.delete(&(path.0.clone(), site), &path.1) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(error) => refused(&error),
    }
}
