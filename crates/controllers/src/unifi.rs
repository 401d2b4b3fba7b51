//! UniFi Network application (the private "classic" API): a WLAN's `private_preshared_keys`
//! (`password` and `networkconf_id` per key, the VLAN being the referenced network's),
//! `X-Api-Key`, the `{"meta": {"rc", "msg"}, "data": [...]}` envelope. The whole WLAN object is
//! written back, so a change is read–modify–write: the WLAN is read again just before the PUT
//! and, when its keys differ from what the plan was made on (someone edited it meanwhile), the
//! reconciliation starts over. Entries Lanyard does not own are kept exactly as read. UniFi keys
//! have no name, id or expiry: Lanyard's entries are known by the keyed hash of their password
//! (`unifi_owned_keys`), and expired keys are removed by Lanyard. (Network-vendor reference §3.)

use crate::budget::Budget;
use crate::http::{self, Call};
use crate::vendor::{Change, Vendor, VendorError, VendorKey, VlanIds};
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One WLAN of one site.
pub struct Unifi {
    pub http: reqwest::Client,
    /// The Network application's base (`https://console/proxy/network` on UniFi OS).
    pub base_url: String,
    pub api_key: String,
    pub site: String,
    pub wlan_id: String,
    pub budget: Arc<Budget>,
    pub key_limit: usize,
    pub pool: deadpool_postgres::Pool,
    pub keys: Arc<secrets::KeyRing>,
    /// The mapped location (the ownership records').
    pub owner: (String, String),
    /// The WLAN's keys as listed (the plan's basis) and the networks by VLAN.
    listed: Mutex<Option<Value>>,
    networks: VlanIds,
}

#[derive(Deserialize)]
struct Network {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    vlan_enabled: bool,
    #[serde(default)]
    vlan: Option<Value>,
}

impl Network {
    fn vlan(&self) -> Option<u16> {
        if !self.vlan_enabled {
            return None;
        }
        match self.vlan.as_ref()? {
            Value::Number(n) => n.as_u64().and_then(|v| u16::try_from(v).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }
}

/// The envelope's `meta.msg`, or the start of the body.
fn message_of(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| {
            v.pointer("/meta/msg")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| text.chars().take(200).collect())
}

fn password_of(entry: &Value) -> &str {
    entry
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl Unifi {
    pub fn new(
        http: reqwest::Client,
        (base_url, api_key): (&str, String),
        (site, wlan_id): (String, String),
        (budget, key_limit): (Arc<Budget>, usize),
        (pool, keys): (deadpool_postgres::Pool, Arc<secrets::KeyRing>),
        owner: (String, String),
    ) -> Unifi {
        Unifi {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            site,
            wlan_id,
            budget,
            key_limit,
            pool,
            keys,
            owner,
            listed: Mutex::new(None),
            networks: VlanIds::default(),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, VendorError> {
        let request = self
            .http
            .request(
                method,
                format!("{}/api/s/{}{path}", self.base_url, self.site),
            )
            .header("X-Api-Key", &self.api_key);
        let call = Call {
            vendor: "UniFi",
            request,
            body,
            budget: &self.budget,
            rate_limited_wait: Duration::from_secs(1),
        };
        let (value, _) = http::send(call, message_of).await?;
        if value.pointer("/meta/rc").and_then(Value::as_str) == Some("error") {
            return Err(VendorError::Refused(format!(
                "UniFi refused: {}",
                message_of(&value.to_string())
            )));
        }
        Ok(value
            .get("data")
            .cloned()
            .unwrap_or(Value::Array(Vec::new())))
    }

    /// The WLAN object.
    async fn wlan(&self) -> Result<Value, VendorError> {
        let data = self
            .call(
                Method::GET,
                &format!("/rest/wlanconf/{}", self.wlan_id),
                None,
            )
            .await?;
        data.as_array()
            .and_then(|a| a.first())
            .cloned()
            .ok_or_else(|| VendorError::Refused(format!("no UniFi WLAN {}", self.wlan_id)))
    }

    /// The networks by id (their VLAN) and, for Lanyard, by VLAN.
    async fn network_vlans(
        &self,
        wlan: &Value,
    ) -> Result<HashMap<String, Option<u16>>, VendorError> {
        let networks: Vec<Network> = http::parse(
            "UniFi",
            self.call(Method::GET, "/rest/networkconf", None).await?,
        )?;
        let default = wlan
            .get("networkconf_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut by_id = HashMap::new();
        let mut by_vlan = HashMap::new();
        for network in networks {
            let vlan = if network.id == default {
                None
            } else {
                network.vlan()
            };
            if network.id == default || vlan.is_some() {
                by_vlan.entry(vlan).or_insert(network.id.clone());
            }
            by_id.insert(network.id, vlan);
        }
        self.networks.replace(by_vlan);
        Ok(by_id)
    }

    /// The network of `vlan`: the WLAN's own for None, a VLAN-only network made when missing.
    async fn network_for(&self, vlan: Option<u16>) -> Result<String, VendorError> {
        if let Some(id) = self.networks.get(vlan) {
            return Ok(id);
        }
        let Some(number) = vlan else {
            return Err(VendorError::Refused("the WLAN names no network".into()));
        };
        let made = self
            .call(
                Method::POST,
                "/rest/networkconf",
                Some(
                    json!({"name": format!("lanyard-vlan-{number}"), "purpose": "vlan-only",
                            "vlan_enabled": true, "vlan": number}),
                ),
            )
            .await?;
        let made: Vec<Network> = http::parse("UniFi", made)?;
        let id = made
            .first()
            .map(|n| n.id.clone())
            .ok_or_else(|| VendorError::Refused("UniFi made no network".into()))?;
        self.networks.insert(vlan, id.clone());
        Ok(id)
    }

    fn hash(&self, password: &str) -> String {
        self.keys.keyed_hash("unifi-ppsk", &self.owner.1, password)
    }

    async fn owned(&self) -> Result<HashMap<String, (String, Option<DateTime<Utc>>)>, VendorError> {
        let client = self
            .pool
            .get()
            .await
            .map_err(|e| VendorError::Transient(e.to_string()))?;
        let rows = client
            .query(
                "SELECT password_hash, name, expires_at FROM unifi_owned_keys
                  WHERE org_id = $1 AND location_id = $2",
                &[&self.owner.0, &self.owner.1],
            )
            .await
            .map_err(|e| VendorError::Transient(e.to_string()))?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect())
    }

    /// The new key list: `changes` applied to `entries`, foreign entries untouched.
    async fn edited(
        &self,
        entries: &[Value],
        changes: &[Change],
    ) -> Result<Vec<Value>, VendorError> {
        let mut out = Vec::with_capacity(entries.len() + changes.len());
        for entry in entries {
            let hash = self.hash(password_of(entry));
            let change = changes.iter().find(|c| match c {
                Change::Update { id, .. } | Change::Delete { id, .. } => *id == hash,
                Change::Create(_) => false,
            });
            match change {
                Some(Change::Delete { .. }) => {}
                Some(Change::Update { key, .. }) => {
                    let mut entry = entry.clone();
                    if let Some(object) = entry.as_object_mut() {
                        object.insert("password".into(), json!(key.passphrase));
                        object.insert(
                            "networkconf_id".into(),
                            json!(self.network_for(key.vlan).await?),
                        );
                    }
                    out.push(entry);
                }
                _ => out.push(entry.clone()),
            }
        }
        for change in changes {
            if let Change::Create(key) = change {
                out.push(json!({"password": key.passphrase, "networkconf_id": self.network_for(key.vlan).await?}));
            }
        }
        Ok(out)
    }

    /// Remembers the entries `changes` write (before the write: an entry written but not
    /// remembered would look like someone else's), or, after it, forgets those they removed.
    async fn record(&self, changes: &[Change], after_write: bool) -> Result<(), VendorError> {
        let transient = |e: tokio_postgres::Error| VendorError::Transient(e.to_string());
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|e| VendorError::Transient(e.to_string()))?;
        let tx = client.transaction().await.map_err(transient)?;
        let (org, location) = (&self.owner.0, &self.owner.1);
        for change in changes {
            let (old, new) = match change {
                Change::Create(key) => (None, Some(key)),
                Change::Update { id, key } => (Some(id), Some(key)),
                Change::Delete { id, .. } => (Some(id), None),
            };
            let new_hash = new.map(|key| self.hash(&key.passphrase));
            match (after_write, old, new) {
                (true, Some(id), _) if new_hash.as_ref() != Some(id) => {
                    tx.execute(
                        "DELETE FROM unifi_owned_keys
                          WHERE org_id = $1 AND location_id = $2 AND password_hash = $3",
                        &[org, location, id],
                    )
                    .await
                    .map_err(transient)?;
                }
                (false, _, Some(key)) => {
                    tx.execute(
                        "INSERT INTO unifi_owned_keys
                             (org_id, location_id, password_hash, name, expires_at)
                         VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (org_id, location_id, password_hash)
                         DO UPDATE SET name = $4, expires_at = $5",
                        &[org, location, &new_hash, &key.name, &key.expires_at],
                    )
                    .await
                    .map_err(transient)?;
                }
                _ => {}
            }
        }
        tx.commit().await.map_err(transient)
    }
}

fn keys_of(wlan: &Value) -> Vec<Value> {
    wlan.get("private_preshared_keys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

impl Vendor for Unifi {
    fn name(&self) -> &'static str {
        "unifi"
    }

    fn key_limit(&self) -> usize {
        self.key_limit
    }

    fn applies_only_after_its_own_list(&self) -> bool {
        true
    }

    async fn list(&self) -> Result<Vec<VendorKey>, VendorError> {
        let wlan = self.wlan().await?;
        let networks = self.network_vlans(&wlan).await?;
        let owned = self.owned().await?;
        let entries = keys_of(&wlan);
        let keys = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let hash = self.hash(password_of(entry));
                let (name, expires_at) = owned
                    .get(&hash)
                    .cloned()
                    .unwrap_or_else(|| (format!("unifi-entry-{index}"), None));
                let network = entry
                    .get("networkconf_id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                VendorKey {
                    id: hash,
                    name,
                    passphrase: password_of(entry).to_owned(),
                    vlan: networks.get(network).copied().flatten(),
                    expires_at,
                }
            })
            .collect();
        *self.listed.lock().unwrap_or_else(|p| p.into_inner()) = Some(Value::Array(entries));
        Ok(keys)
    }

    async fn apply(&self, changes: &[Change]) -> Result<(), VendorError> {
        let mut wlan = self.wlan().await?;
        let entries = keys_of(&wlan);
        let listed = self
            .listed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if listed != Some(Value::Array(entries.clone())) {
            return Err(VendorError::Transient(
                "the WLAN's keys changed since they were read (a concurrent edit): reading again"
                    .into(),
            ));
        }
        let edited = self.edited(&entries, changes).await?;
        if let Some(object) = wlan.as_object_mut() {
            object.insert("private_preshared_keys".into(), Value::Array(edited));
            object.insert("private_preshared_keys_enabled".into(), Value::Bool(true));
        }
        self.record(changes, false).await?;
        self.call(
            Method::PUT,
            &format!("/rest/wlanconf/{}", self.wlan_id),
            Some(wlan),
        )
        .await?;
        self.record(changes, true).await
    }

    async fn test(&self) -> Result<String, VendorError> {
        let keys = self.list().await?;
        Ok(format!(
            "UniFi site {} WLAN {}: {} private pre-shared keys",
            self.site,
            self.wlan_id,
            keys.len()
        ))
    }
}
