//! Juniper Mist API: PSKs of an organization or a site (`name`, `passphrase`, `ssid`,
//! `vlan_id`, `expire_time`, `usage`), `Authorization: Token <token>`, pages of `limit` ≤ 1000
//! with `X-Page-Total`, JSON import for creates, the organization's bulk delete (a site has
//! none: one DELETE per key), one PUT per update, 5,000 calls per hour per token answered
//! with 429 (no `Retry-After` in the spec). (Network-vendor reference §2.)

use crate::budget::Budget;
use crate::http::{self, Call};
use crate::vendor::{Change, DesiredKey, Vendor, VendorError, VendorKey};
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Items per page (Mist's maximum `limit`).
const PAGE: usize = 1000;
/// Keys per import call (Mist states no maximum; a page's worth keeps bodies small).
const IMPORT: usize = 1000;
/// Ids per bulk delete.
const BULK_DELETE: usize = 1000;

/// Where the PSKs live: the organization's list or a site's.
#[derive(Clone, Debug)]
pub enum Scope {
    Org(String),
    Site(String),
}

/// One SSID's PSKs in an organization or a site.
pub struct Mist {
    pub http: reqwest::Client,
    pub base_url: String,
    pub token: String,
    pub scope: Scope,
    pub ssid: String,
    pub budget: Arc<Budget>,
    pub key_limit: usize,
    /// The wait after a 429 without `Retry-After` (one call's share of the hourly budget).
    pub rate_limited_wait: Duration,
}

#[derive(Deserialize)]
struct Psk {
    id: String,
    name: String,
    #[serde(default)]
    passphrase: String,
    #[serde(default)]
    ssid: String,
    #[serde(default)]
    vlan_id: Option<Value>,
    #[serde(default)]
    expire_time: Option<i64>,
}

impl Psk {
    /// `vlan_id` is an integer or a string (variables): a number either way, or none.
    fn vlan(&self) -> Option<u16> {
        match self.vlan_id.as_ref()? {
            Value::Number(n) => n.as_u64().and_then(|v| u16::try_from(v).ok()),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

impl Mist {
    fn psks_path(&self) -> String {
        match &self.scope {
            Scope::Org(org) => format!("/api/v1/orgs/{org}/psks"),
            Scope::Site(site) => format!("/api/v1/sites/{site}/psks"),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(Value, reqwest::header::HeaderMap), VendorError> {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header("Authorization", format!("Token {}", self.token));
        http::send(
            Call {
                vendor: "Mist",
                request,
                body,
                budget: &self.budget,
                rate_limited_wait: self.rate_limited_wait,
            },
            detail_of,
        )
        .await
    }

    fn body(&self, key: &DesiredKey) -> Value {
        json!({
            "name": key.name,
            "passphrase": key.passphrase,
            "ssid": self.ssid,
            "usage": "multi",
            "vlan_id": key.vlan,
            "expire_time": key.expires_at.map(|t| t.timestamp()),
        })
    }

    async fn delete(&self, ids: &[&str]) -> Result<(), VendorError> {
        match &self.scope {
            Scope::Org(_) => {
                for chunk in ids.chunks(BULK_DELETE) {
                    let path = format!("{}/delete", self.psks_path());
                    self.call(Method::POST, &path, Some(json!({ "psk_ids": chunk })))
                        .await?;
                }
            }
            Scope::Site(_) => {
                for id in ids {
                    let path = format!("{}/{id}", self.psks_path());
                    self.call(Method::DELETE, &path, None).await?;
                }
            }
        }
        Ok(())
    }
}

/// Mist's `{"detail": "..."}`, or the start of the body.
fn detail_of(text: &str) -> String {
    #[derive(Deserialize)]
    struct Detail {
        detail: String,
    }
    match serde_json::from_str::<Detail>(text) {
        Ok(detail) => detail.detail,
        Err(_) => text.chars().take(200).collect(),
    }
}

impl Vendor for Mist {
    fn name(&self) -> &'static str {
        "mist"
    }

    fn key_limit(&self) -> usize {
        self.key_limit
    }

    async fn list(&self) -> Result<Vec<VendorKey>, VendorError> {
        let mut keys = Vec::new();
        let mut page = 1usize;
        loop {
            let path = format!(
                "{}?ssid={}&limit={PAGE}&page={page}",
                self.psks_path(),
                urlencoding(&self.ssid)
            );
            let (value, headers) = self.call(Method::GET, &path, None).await?;
            let psks: Vec<Psk> = http::parse("Mist", value)?;
            let got = psks.len();
            keys.extend(psks.into_iter().filter(|p| p.ssid == self.ssid).map(|p| {
                VendorKey {
                    vlan: p.vlan(),
                    expires_at: p
                        .expire_time
                        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0)),
                    id: p.id,
                    name: p.name,
                    passphrase: p.passphrase,
                }
            }));
            let total = headers
                .get("x-page-total")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            let more = match total {
                Some(total) => page * PAGE < total,
                None => got == PAGE,
            };
            // Bounded by the SSID's limit (and a page): a vendor answering forever stops here.
            if !more || got == 0 || keys.len() > self.key_limit + PAGE {
                return Ok(keys);
            }
            page += 1;
        }
    }

    async fn apply(&self, changes: &[Change]) -> Result<(), VendorError> {
        let deletes: Vec<&str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Delete { id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        self.delete(&deletes).await?;
        for change in changes {
            if let Change::Update { id, key } = change {
                let path = format!("{}/{id}", self.psks_path());
                self.call(Method::PUT, &path, Some(self.body(key))).await?;
            }
        }
        let creates: Vec<Value> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Create(key) => Some(self.body(key)),
                _ => None,
            })
            .collect();
        for chunk in creates.chunks(IMPORT) {
            let path = format!("{}/import", self.psks_path());
            self.call(Method::POST, &path, Some(Value::Array(chunk.to_vec())))
                .await?;
        }
        Ok(())
    }

    async fn test(&self) -> Result<String, VendorError> {
        let keys = self.list().await?;
        Ok(format!(
            "Mist {:?} SSID {}: {} PSKs",
            self.scope,
            self.ssid,
            keys.len()
        ))
    }
}

/// The SSID in a query string.
fn urlencoding(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
