//! Meraki Dashboard API v1, the part Lanyard uses (network-vendor reference §1): identity PSKs
//! on an SSID (list, create, update, delete), group policies (list, create), synchronous action
//! batches (≤ 20 actions, atomic), `Authorization: Bearer <api key>`, 10 requests/s per
//! organization (bucket of 20: +10 burst in the first second) answering 429 + `Retry-After`
//! and `{"errors": [...]}`, 5,000 identity PSKs per SSID.
//!
//! Admin (no rate limit, no key): `POST /_admin/meraki/networks` makes a network,
//! `GET|POST /_admin/meraki/networks/{n}/ssids/{s}/identityPsks` and
//! `PUT|DELETE …/{id}` change keys behind Lanyard's back.

use crate::Sim;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Requests per second per organization, and the bucket (the first second's burst).
const RATE: f64 = 10.0;
const BUCKET: f64 = 20.0;
/// Identity PSKs per SSID.
pub const KEYS_PER_SSID: usize = 5000;
/// Networks the simulator holds at most (its maps stay bounded whatever the admin API is sent).
const MAX_NETWORKS: usize = 10_000;
/// Actions in a synchronous batch, and in any batch.
const SYNC_ACTIONS: usize = 20;
const BATCH_ACTIONS: usize = 100;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IdentityPsk {
    #[serde(default)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub passphrase: String,
    pub group_policy_id: String,
    #[serde(default)]
    pub expires_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPolicy {
    #[serde(default)]
    pub group_policy_id: String,
    pub name: String,
    #[serde(default)]
    pub vlan_tagging: Option<Value>,
}

#[derive(Default)]
pub struct Network {
    pub organization_id: String,
    pub api_key: String,
    pub ssids: HashMap<String, BTreeMap<String, IdentityPsk>>,
    pub policies: Vec<GroupPolicy>,
}

#[derive(Default)]
pub struct Meraki {
    pub networks: Mutex<HashMap<String, Network>>,
    next_id: Mutex<u64>,
}

/// A refusal in Meraki's shape.
fn error(status: actix_web::http::StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "errors": [message] }))
}

impl Meraki {
    fn next_id(&self) -> String {
        let mut next = self.next_id.lock().unwrap_or_else(|p| p.into_inner());
        *next += 1;
        format!("{}", 1_284_392_014_000 + *next)
    }

    /// Every identity PSK of an SSID (admin and tests).
    pub fn keys(&self, network: &str, ssid: &str) -> Vec<IdentityPsk> {
        let networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        networks
            .get(network)
            .and_then(|n| n.ssids.get(ssid))
            .map(|keys| keys.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The VLAN of a group policy (None: network default or no such policy).
    pub fn policy_vlan(&self, network: &str, policy_id: &str) -> Option<u16> {
        let networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        let policy = networks
            .get(network)?
            .policies
            .iter()
            .find(|p| p.group_policy_id == policy_id)?
            .clone();
        let tagging = policy.vlan_tagging?;
        (tagging.get("settings")? == "custom")
            .then(|| tagging.get("vlanId")?.as_str()?.parse().ok())
            .flatten()
    }

    fn create(
        &self,
        network: &str,
        ssid: &str,
        mut psk: IdentityPsk,
    ) -> Result<IdentityPsk, String> {
        let id = self.next_id();
        let mut networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        let net = networks.get_mut(network).ok_or("no such network")?;
        if !net
            .policies
            .iter()
            .any(|p| p.group_policy_id == psk.group_policy_id)
        {
            return Err(format!("Group policy {} not found", psk.group_policy_id));
        }
        let keys = net.ssids.entry(ssid.to_owned()).or_default();
        if keys.len() >= KEYS_PER_SSID {
            return Err(format!(
                "An SSID takes at most {KEYS_PER_SSID} identity PSKs"
            ));
        }
        if psk.passphrase.is_empty() {
            psk.passphrase = format!("generated-{id}");
        }
        psk.id = id.clone();
        keys.insert(id, psk.clone());
        Ok(psk)
    }

    fn update(
        &self,
        network: &str,
        ssid: &str,
        id: &str,
        body: &Value,
    ) -> Result<IdentityPsk, String> {
        let mut networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        let net = networks.get_mut(network).ok_or("no such network")?;
        let policy_ok = |id: &str| net.policies.iter().any(|p| p.group_policy_id == id);
        if let Some(policy) = body.get("groupPolicyId").and_then(Value::as_str)
            && !policy_ok(policy)
        {
            return Err(format!("Group policy {policy} not found"));
        }
        let psk = net
            .ssids
            .get_mut(ssid)
            .and_then(|keys| keys.get_mut(id))
            .ok_or("Identity PSK not found")?;
        let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
        if let Some(name) = text("name") {
            psk.name = name;
        }
        if let Some(passphrase) = text("passphrase") {
            psk.passphrase = passphrase;
        }
        if let Some(policy) = text("groupPolicyId") {
            psk.group_policy_id = policy;
        }
        if let Some(expires) = body.get("expiresAt") {
            psk.expires_at = expires.as_str().map(str::to_owned);
        }
        Ok(psk.clone())
    }

    fn delete(&self, network: &str, ssid: &str, id: &str) -> Result<(), String> {
        let mut networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        networks
            .get_mut(network)
            .and_then(|n| n.ssids.get_mut(ssid))
            .and_then(|keys| keys.remove(id))
            .map(|_| ())
            .ok_or_else(|| "Identity PSK not found".to_owned())
    }
}

/// The API key's organization may use `network`: its organization id, or the refusal.
fn authorize(
    sim: &Sim,
    request: &HttpRequest,
    network: Option<&str>,
    org: Option<&str>,
) -> Option<HttpResponse> {
    let key = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let networks = sim
        .meraki
        .networks
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let owner = match (network, org) {
        (Some(network), _) => networks
            .get(network)
            .map(|n| (n.organization_id.clone(), n.api_key.clone())),
        (None, Some(org)) => networks
            .values()
            .find(|n| n.organization_id == org)
            .map(|n| (n.organization_id.clone(), n.api_key.clone())),
        (None, None) => None,
    };
    drop(networks);
    let Some((organization_id, api_key)) = owner else {
        return Some(error(actix_web::http::StatusCode::NOT_FOUND, "Not found"));
    };
    if key.is_empty() || key != api_key {
        return Some(error(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "Invalid API key",
        ));
    }
    sim.shared
        .admit(&format!("meraki:{organization_id}"), RATE, BUCKET)
        .map_err(|refusal| {
            refusal.respond(json!({"errors": ["API rate limit exceeded for organization"]}))
        })
        .err()
}

pub fn routes(config: &mut web::ServiceConfig) {
    let psks = "/meraki/api/v1/networks/{network}/wireless/ssids/{ssid}/identityPsks";
    config
        .route(psks, web::get().to(list_psks))
        .route(psks, web::post().to(create_psk))
        .route(&format!("{psks}/{{id}}"), web::put().to(update_psk))
        .route(&format!("{psks}/{{id}}"), web::delete().to(delete_psk))
        .route(
            "/meraki/api/v1/networks/{network}/groupPolicies",
            web::get().to(list_policies),
        )
        .route(
            "/meraki/api/v1/networks/{network}/groupPolicies",
            web::post().to(create_policy),
        )
        .route(
            "/meraki/api/v1/organizations/{org}/actionBatches",
            web::post().to(action_batch),
        )
        .route("/_admin/meraki/networks", web::post().to(admin_network))
        .route(
            "/_admin/meraki/networks/{network}/ssids/{ssid}/identityPsks",
            web::get().to(admin_list),
        )
        .route(
            "/_admin/meraki/networks/{network}/ssids/{ssid}/identityPsks",
            web::post().to(admin_create),
        )
        .route(
            "/_admin/meraki/networks/{network}/ssids/{ssid}/identityPsks/{id}",
            web::put().to(admin_update),
        )
        .route(
            "/_admin/meraki/networks/{network}/ssids/{ssid}/identityPsks/{id}",
            web::delete().to(admin_delete),
        );
}

type SsidPath = web::Path<(String, String)>;
type KeyPath = web::Path<(String, String, String)>;

fn bad_request(message: &str) -> HttpResponse {
    let status = if message.contains("not found") {
        actix_web::http::StatusCode::NOT_FOUND
    } else {
        actix_web::http::StatusCode::BAD_REQUEST
    };
    error(status, message)
}

async fn list_psks(sim: web::Data<Sim>, request: HttpRequest, path: SsidPath) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, Some(&path.0), None) {
        return refusal;
    }
    HttpResponse::Ok().json(sim.meraki.keys(&path.0, &path.1))
}

async fn create_psk(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: SsidPath,
    body: web::Json<IdentityPsk>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, Some(&path.0), None) {
        return refusal;
    }
    match sim.meraki.create(&path.0, &path.1, body.into_inner()) {
        Ok(psk) => HttpResponse::Created().json(psk),
        Err(message) => bad_request(&message),
    }
}

async fn update_psk(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: KeyPath,
    body: web::Json<Value>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, Some(&path.0), None) {
        return refusal;
    }
    match sim.meraki.update(&path.0, &path.1, &path.2, &body) {
        Ok(psk) => HttpResponse::Ok().json(psk),
        Err(message) => bad_request(&message),
    }
}

async fn delete_psk(sim: web::Data<Sim>, request: HttpRequest, path: KeyPath) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, Some(&path.0), None) {
        return refusal;
    }
    match sim.meraki.delete(&path.0, &path.1, &path.2) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(message) => bad_request(&message),
    }
}

async fn list_policies(
    sim: web::Data<Sim>,
    request: HttpRequest,
    network: web::Path<String>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, Some(&network), None) {
        return refusal;
    }
    let networks = sim
        .meraki
        .networks
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let policies = networks
        .get(network.as_str())
        .map(|n| n.policies.clone())
        .unwrap_or_default();
    HttpResponse::Ok().json(policies)
}

async fn create_policy(
    sim: web::Data<Sim>,
    request: HttpRequest,
    network: web::Path<String>,
    body: web::Json<GroupPolicy>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, Some(&network), None) {
        return refusal;
    }
    let mut policy = body.into_inner();
    let mut networks = sim
        .meraki
        .networks
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let Some(net) = networks.get_mut(network.as_str()) else {
        return bad_request("Network not found");
    };
    policy.group_policy_id = format!("{}", 100 + net.policies.len());
    net.policies.push(policy.clone());
    HttpResponse::Created().json(policy)
}

#[derive(Deserialize)]
struct Batch {
    #[serde(default)]
    confirmed: bool,
    #[serde(default)]
    synchronous: bool,
    actions: Vec<Action>,
}

#[derive(Clone, Deserialize, Serialize)]
struct Action {
    resource: String,
    operation: String,
    #[serde(default)]
    body: Value,
}

/// `/networks/{n}/wireless/ssids/{s}/identityPsks[/{id}]` as (network, ssid, id).
fn psk_resource(resource: &str) -> Option<(String, String, Option<String>)> {
    let parts: Vec<&str> = resource.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["networks", n, "wireless", "ssids", s, "identityPsks"] => {
            Some(((*n).into(), (*s).into(), None))
        }
        ["networks", n, "wireless", "ssids", s, "identityPsks", id] => {
            Some(((*n).into(), (*s).into(), Some((*id).into())))
        }
        _ => None,
    }
}

/// Atomic: every action is checked against a copy first; one failing fails the batch.
async fn action_batch(
    sim: web::Data<Sim>,
    request: HttpRequest,
    org: web::Path<String>,
    body: web::Json<Batch>,
) -> HttpResponse {
    if let Some(refusal) = authorize(&sim, &request, None, Some(&org)) {
        return refusal;
    }
    let batch = body.into_inner();
    if batch.actions.len() > BATCH_ACTIONS
        || (batch.synchronous && batch.actions.len() > SYNC_ACTIONS)
    {
        return bad_request("Too many actions in the batch (20 synchronous, 100 in all)");
    }
    if !batch.confirmed {
        return bad_request("Only confirmed batches are simulated");
    }
    let errors = match validate(&sim, &org, &batch.actions) {
        Ok(()) => run_actions(&sim, &batch.actions),
        Err(errors) => errors,
    };
    let failed = !errors.is_empty();
    HttpResponse::Created().json(json!({
        "id": sim.meraki.next_id(), "organizationId": org.as_str(), "confirmed": true,
        "synchronous": batch.synchronous,
        "status": {"completed": !failed, "failed": failed, "errors": errors},
        "actions": batch.actions,
    }))
}

/// Every action names a network of the organization, an existing key (update, destroy), an
/// existing group policy, and the SSIDs stay within their limit.
fn validate(sim: &Sim, org: &str, actions: &[Action]) -> Result<(), Vec<String>> {
    let networks = sim
        .meraki
        .networks
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let mut added: HashMap<(String, String), i64> = HashMap::new();
    let mut errors = Vec::new();
    for action in actions {
        let Some((network, ssid, id)) = psk_resource(&action.resource) else {
            errors.push(format!("Unsupported resource {}", action.resource));
            continue;
        };
        let Some(net) = networks.get(&network).filter(|n| n.organization_id == org) else {
            errors.push(format!("Network {network} not found"));
            continue;
        };
        let keys = net.ssids.get(&ssid);
        let policy = action.body.get("groupPolicyId").and_then(Value::as_str);
        if policy.is_some_and(|p| !net.policies.iter().any(|x| x.group_policy_id == p)) {
            errors.push("Group policy not found".into());
        }
        match (action.operation.as_str(), id) {
            ("create", None) => *added.entry((network.clone(), ssid.clone())).or_default() += 1,
            ("update", Some(id)) if keys.is_some_and(|k| k.contains_key(&id)) => {}
            ("destroy", Some(id)) if keys.is_some_and(|k| k.contains_key(&id)) => {
                *added.entry((network.clone(), ssid.clone())).or_default() -= 1;
            }
            (operation, _) => errors.push(format!("Cannot {operation} {}", action.resource)),
        }
        let now = keys.map_or(0, BTreeMap::len) as i64;
        if now + added.get(&(network, ssid)).copied().unwrap_or(0) > KEYS_PER_SSID as i64 {
            errors.push(format!(
                "An SSID takes at most {KEYS_PER_SSID} identity PSKs"
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn run_actions(sim: &Sim, actions: &[Action]) -> Vec<String> {
    let mut errors = Vec::new();
    for action in actions {
        let Some((network, ssid, id)) = psk_resource(&action.resource) else {
            continue;
        };
        let result = match (action.operation.as_str(), id) {
            ("create", None) => serde_json::from_value::<IdentityPsk>(action.body.clone())
                .map_err(|e| e.to_string())
                .and_then(|psk| sim.meraki.create(&network, &ssid, psk).map(|_| ())),
            ("update", Some(id)) => sim
                .meraki
                .update(&network, &ssid, &id, &action.body)
                .map(|_| ()),
            ("destroy", Some(id)) => sim.meraki.delete(&network, &ssid, &id),
            _ => Err("unsupported action".into()),
        };
        if let Err(error) = result {
            errors.push(error);
        }
    }
    errors
}

#[derive(Deserialize)]
struct NewNetwork {
    organization_id: String,
    network_id: String,
    api_key: String,
}

async fn admin_network(sim: web::Data<Sim>, body: web::Json<NewNetwork>) -> HttpResponse {
    let body = body.into_inner();
    let mut networks = sim
        .meraki
        .networks
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if networks.len() >= MAX_NETWORKS && !networks.contains_key(&body.network_id) {
        return bad_request("Too many networks in the simulator");
    }
    networks.insert(
        body.network_id,
        Network {
            organization_id: body.organization_id,
            api_key: body.api_key,
            ..Network::default()
        },
    );
    HttpResponse::NoContent().finish()
}

async fn admin_list(sim: web::Data<Sim>, path: SsidPath) -> HttpResponse {
    HttpResponse::Ok().json(sim.meraki.keys(&path.0, &path.1))
}

/// A key made in the dashboard: its group policy is the network's first (made when none).
async fn admin_create(sim: web::Data<Sim>, path: SsidPath, body: web::Json<Value>) -> HttpResponse {
    let policy = {
        let mut networks = sim
            .meraki
            .networks
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let Some(net) = networks.get_mut(&path.0) else {
            return bad_request("Network not found");
        };
        if net.policies.is_empty() {
            net.policies.push(GroupPolicy {
                group_policy_id: "100".into(),
                name: "dashboard".into(),
                vlan_tagging: None,
            });
        }
        net.policies[0].group_policy_id.clone()
    };
    let text = |field: &str| {
        body.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let psk = IdentityPsk {
        id: String::new(),
        name: text("name"),
        passphrase: text("passphrase"),
        group_policy_id: policy,
        expires_at: None,
    };
    match sim.meraki.create(&path.0, &path.1, psk) {
        Ok(psk) => HttpResponse::Created().json(psk),
        Err(message) => bad_request(&message),
    }
}

async fn admin_update(sim: web::Data<Sim>, path: KeyPath, body: web::Json<Value>) -> HttpResponse {
    match sim.meraki.update(&path.0, &path.1, &path.2, &body) {
        Ok(psk) => HttpResponse::Ok().json(psk),
        Err(message) => bad_request(&message),
    }
}

async fn admin_delete(sim: web::Data<Sim>, path: KeyPath) -> HttpResponse {
    match sim.meraki.delete(&path.0, &path.1, &path.2) {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(message) => bad_request(&message),
    }
}
