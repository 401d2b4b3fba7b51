//! Meraki Dashboard API v1: identity PSKs on an SSID, the VLAN through a group policy per VLAN
//! (made when missing), `expiresAt` from the grant's end, action batches (≤ 20 actions,
//! synchronous) for the changes, 10 requests/s per organization with 429 + `Retry-After`.
//! (Network-vendor reference §1.)

use crate::budget::Budget;
use crate::http::{self, Call};
use crate::vendor::{Change, DesiredKey, Vendor, VendorError, VendorKey};
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Actions in one synchronous action batch (Meraki's maximum).
const BATCH: usize = 20;
/// The group policy name of a VLAN (None: the network's default VLAN).
fn policy_name(vlan: Option<u16>) -> String {
    match vlan {
        Some(vlan) => format!("lanyard-vlan-{vlan}"),
        None => "lanyard-default-vlan".to_owned(),
    }
}

/// One SSID of one network.
pub struct Meraki {
    pub http: reqwest::Client,
    pub base_url: String,
    pub api_key: String,
    pub organization_id: String,
    pub network_id: String,
    pub ssid_number: u8,
    pub budget: Arc<Budget>,
    pub key_limit: usize,
    policies: Arc<PolicyCache>,
}

/// How long a network's group policies, as listed, are trusted: an event's reconciliation
/// then costs one call to list (the keys) instead of two.
const POLICY_TTL: Duration = Duration::from_secs(60);
/// Most networks whose policies are kept (the mappings bound them; this bounds the map).
const MAX_NETWORKS: usize = 10_000;

/// A network's group policies: when listed, the VLAN of every policy id, and Lanyard's policy
/// of each VLAN.
#[derive(Clone)]
struct Policies {
    listed_at: Instant,
    vlan_of: HashMap<String, Option<u16>>,
    lanyards: HashMap<Option<u16>, String>,
}

/// Group policies by network, shared by reconciliations (one per service).
#[derive(Default)]
pub struct PolicyCache {
    networks: Mutex<HashMap<String, Policies>>,
}

impl PolicyCache {
    fn fresh(&self, network: &str) -> Option<Policies> {
        let networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        networks
            .get(network)
            .filter(|p| p.listed_at.elapsed() < POLICY_TTL)
            .cloned()
    }

    fn store(&self, network: &str, policies: Policies) {
        let mut networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        if networks.len() >= MAX_NETWORKS && !networks.contains_key(network) {
            networks.clear();
        }
        networks.insert(network.to_owned(), policies);
    }

    fn lanyards(&self, network: &str, vlan: Option<u16>) -> Option<String> {
        let networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        networks.get(network)?.lanyards.get(&vlan).cloned()
    }

    fn add(&self, network: &str, vlan: Option<u16>, id: &str) {
        let mut networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(policies) = networks.get_mut(network) {
            policies.vlan_of.insert(id.to_owned(), vlan);
            policies.lanyards.insert(vlan, id.to_owned());
        }
    }

    /// Lists them again next time (a policy Lanyard used was deleted by hand).
    fn forget(&self, network: &str) {
        let mut networks = self.networks.lock().unwrap_or_else(|p| p.into_inner());
        networks.remove(network);
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdentityPsk {
    id: String,
    name: String,
    #[serde(default)]
    passphrase: String,
    #[serde(default)]
    group_policy_id: Option<String>,
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupPolicy {
    group_policy_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    vlan_tagging: Option<VlanTagging>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VlanTagging {
    settings: String,
    #[serde(default)]
    vlan_id: Option<String>,
}

impl GroupPolicy {
    /// The VLAN it sets: None for the network default; not Lanyard's to use when `ignore`.
    fn vlan(&self) -> Option<Option<u16>> {
        match &self.vlan_tagging {
            Some(t) if t.settings == "custom" => {
                t.vlan_id.as_deref().and_then(|v| v.parse().ok()).map(Some)
            }
            Some(t) if t.settings == "network default" => Some(None),
            None => Some(None),
            Some(_) => None,
        }
    }
}

impl Meraki {
    pub fn new(
        http: reqwest::Client,
        base_url: &str,
        api_key: String,
        (organization_id, network_id, ssid_number): (String, String, u8),
        (budget, policies): (Arc<Budget>, Arc<PolicyCache>),
        key_limit: usize,
    ) -> Meraki {
        Meraki {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            organization_id,
            network_id,
            ssid_number,
            budget,
            key_limit,
            policies,
        }
    }

    fn psks_path(&self) -> String {
        format!(
            "/networks/{}/wireless/ssids/{}/identityPsks",
            self.network_id, self.ssid_number
        )
    }

    /// One call within the organization's budget; 429 holds the budget for `Retry-After`.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, VendorError> {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(&self.api_key);
        let call = Call {
            vendor: "Meraki",
            request,
            body,
            budget: &self.budget,
            rate_limited_wait: Duration::from_secs(1),
        };
        Ok(http::send(call, errors_of).await?.0)
    }

    /// The VLAN of every group policy id of the network (listed again after [`POLICY_TTL`]).
    async fn group_policies(&self) -> Result<HashMap<String, Option<u16>>, VendorError> {
        if let Some(policies) = self.policies.fresh(&self.network_id) {
            return Ok(policies.vlan_of);
        }
        let path = format!("/networks/{}/groupPolicies", self.network_id);
        let listed: Vec<GroupPolicy> = parse(self.call(Method::GET, &path, None).await?)?;
        let mut vlan_of = HashMap::new();
        let mut lanyards = HashMap::new();
        for policy in listed {
            if let Some(vlan) = policy.vlan() {
                // Lanyard's keys use Lanyard's policies only (an admin's may change).
                if policy.name == policy_name(vlan) {
                    lanyards
                        .entry(vlan)
                        .or_insert(policy.group_policy_id.clone());
                }
                vlan_of.insert(policy.group_policy_id, vlan);
            }
        }
        let policies = Policies {
            listed_at: Instant::now(),
            vlan_of: vlan_of.clone(),
            lanyards,
        };
        self.policies.store(&self.network_id, policies);
        Ok(vlan_of)
    }

    /// The group policy id of `vlan`, made when the network has none.
    async fn policy_for(&self, vlan: Option<u16>) -> Result<String, VendorError> {
        if let Some(id) = self.policies.lanyards(&self.network_id, vlan) {
            return Ok(id);
        }
        let tagging = match vlan {
            Some(vlan) => json!({"settings": "custom", "vlanId": vlan.to_string()}),
            None => json!({"settings": "network default"}),
        };
        let made: GroupPolicy = parse(
            self.call(
                Method::POST,
                &format!("/networks/{}/groupPolicies", self.network_id),
                Some(json!({"name": policy_name(vlan), "vlanTagging": tagging})),
            )
            .await?,
        )?;
        self.policies
            .add(&self.network_id, vlan, &made.group_policy_id);
        Ok(made.group_policy_id)
    }

    async fn key_body(&self, key: &DesiredKey) -> Result<Value, VendorError> {
        Ok(json!({
            "name": key.name,
            "passphrase": key.passphrase,
            "groupPolicyId": self.policy_for(key.vlan).await?,
            "expiresAt": key.expires_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }))
    }

    async fn action(&self, change: &Change) -> Result<Value, VendorError> {
        let path = self.psks_path();
        Ok(match change {
            Change::Create(key) => {
                json!({"resource": path, "operation": "create", "body": self.key_body(key).await?})
            }
            Change::Update { id, key } => json!({
                "resource": format!("{path}/{id}"), "operation": "update",
                "body": self.key_body(key).await?,
            }),
            Change::Delete { id, .. } => {
                json!({"resource": format!("{path}/{id}"), "operation": "destroy", "body": {}})
            }
        })
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, VendorError> {
    http::parse("Meraki", value)
}

/// Meraki's `{"errors": [...]}`, or the start of the body.
fn errors_of(text: &str) -> String {
    #[derive(Deserialize)]
    struct Errors {
        errors: Vec<String>,
    }
    match serde_json::from_str::<Errors>(text) {
        Ok(errors) => errors.errors.join("; "),
        Err(_) => text.chars().take(200).collect(),
    }
}

impl Vendor for Meraki {
    fn name(&self) -> &'static str {
        "meraki"
    }

    fn key_limit(&self) -> usize {
        self.key_limit
    }

    async fn list(&self) -> Result<Vec<VendorKey>, VendorError> {
        let policies = self.group_policies().await?;
        let psks: Vec<IdentityPsk> = parse(self.call(Method::GET, &self.psks_path(), None).await?)?;
        Ok(psks
            .into_iter()
            .map(|psk| VendorKey {
                vlan: psk
                    .group_policy_id
                    .as_ref()
                    .and_then(|id| policies.get(id).copied())
                    .flatten(),
                id: psk.id,
                name: psk.name,
                passphrase: psk.passphrase,
                expires_at: psk.expires_at,
            })
            .collect())
    }

    async fn apply(&self, changes: &[Change]) -> Result<(), VendorError> {
        for chunk in changes.chunks(BATCH) {
            let mut actions = Vec::with_capacity(chunk.len());
            for change in chunk {
                actions.push(self.action(change).await?);
            }
            let answer = self
                .call(
                    Method::POST,
                    &format!("/organizations/{}/actionBatches", self.organization_id),
                    Some(json!({"confirmed": true, "synchronous": true, "actions": actions})),
                )
                .await?;
            let status = answer.get("status");
            let failed = status
                .and_then(|s| s.get("failed"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if failed {
                let errors = status
                    .and_then(|s| s.get("errors"))
                    .map(Value::to_string)
                    .unwrap_or_default();
                if errors.contains("Group policy") {
                    // Deleted by hand since listed: list again and retry.
                    self.policies.forget(&self.network_id);
                    return Err(VendorError::Transient(format!(
                        "a group policy is gone: {errors}"
                    )));
                }
                return Err(VendorError::Refused(format!(
                    "action batch failed: {errors}"
                )));
            }
        }
        Ok(())
    }

    async fn test(&self) -> Result<String, VendorError> {
        let keys = self.list().await?;
        Ok(format!(
            "Meraki network {} SSID {}: {} identity PSKs",
            self.network_id,
            self.ssid_number,
            keys.len()
        ))
    }
}
