//! What every controller vendor offers Lanyard: list the SSID's keys, create, update, delete
//! (and batches where the vendor has them), with typed errors the reconciler acts on.

use chrono::{DateTime, Utc};
use std::future::Future;
use std::time::Duration;

/// A key as Lanyard wants it at a location.
#[derive(Clone, PartialEq, Eq)]
pub struct DesiredKey {
    /// The key's name at the vendor: the prefix and the member's stable key id.
    pub name: String,
    pub passphrase: String,
    pub vlan: Option<u16>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for DesiredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DesiredKey")
            .field("name", &self.name)
            .field("passphrase", &"<redacted>")
            .field("vlan", &self.vlan)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A key as the vendor holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct VendorKey {
    /// The vendor's id of the key (Meraki's identity PSK id, …).
    pub id: String,
    pub name: String,
    pub passphrase: String,
    pub vlan: Option<u16>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for VendorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorKey")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("passphrase", &"<redacted>")
            .field("vlan", &self.vlan)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// One change to a vendor's key list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Create(DesiredKey),
    Update { id: String, key: DesiredKey },
    Delete { id: String, name: String },
}

/// Why a vendor call failed, as the reconciler needs to know it.
#[derive(Debug, thiserror::Error)]
pub enum VendorError {
    /// 429: try again after the vendor's `Retry-After`.
    #[error("rate limited by the vendor (retry after {retry_after:?})")]
    RateLimited { retry_after: Duration },
    /// 5xx, a timeout, a connection refused: try again later.
    #[error("the vendor is unavailable: {0}")]
    Transient(String),
    /// 4xx other than 429: the request is wrong or not allowed (credentials, ids). A key
    /// limit is not one of these: the plan enforces it before any call (`plan::OverLimit`).
    #[error("the vendor refused: {0}")]
    Refused(String),
}

impl VendorError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            VendorError::RateLimited { .. } | VendorError::Transient(_)
        )
    }
}

/// A vendor's API for one mapped location (its network/SSID and credentials bound in).
pub trait Vendor: Send + Sync {
    /// The vendor's name (`meraki`, `openwrt`, …), for records and metrics.
    fn name(&self) -> &'static str;

    /// Most keys the SSID (or AP) takes.
    fn key_limit(&self) -> usize;

    /// Every key on the SSID, Lanyard's and others'.
    fn list(&self) -> impl Future<Output = Result<Vec<VendorKey>, VendorError>> + Send;

    /// Applies `changes` (in batches where the vendor has them), all or, on an error, the
    /// prefix applied before it: a later reconciliation finishes the rest.
    fn apply(&self, changes: &[Change]) -> impl Future<Output = Result<(), VendorError>> + Send;

    /// Whether `apply` needs this client's own `list` just before it (UniFi's conflict check
    /// on the whole WLAN): its lists are never kept between reconciliations.
    fn applies_only_after_its_own_list(&self) -> bool {
        false
    }

    /// Whether the credentials and ids reach the SSID (`lanyard controllers test`).
    fn test(&self) -> impl Future<Output = Result<String, VendorError>> + Send;
}

/// A vendor's ids by VLAN (UniFi's networks), as last listed and
/// made since.
#[derive(Debug, Default)]
pub struct VlanIds(std::sync::Mutex<std::collections::HashMap<Option<u16>, String>>);

impl VlanIds {
    pub fn get(&self, vlan: Option<u16>) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&vlan)
            .cloned()
    }

    pub fn insert(&self, vlan: Option<u16>, id: String) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(vlan, id);
    }

    /// Replaces them all with a fresh listing.
    pub fn replace(&self, ids: std::collections::HashMap<Option<u16>, String>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = ids;
    }
}
