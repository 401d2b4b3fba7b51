//! The provisioner: what provision's parts share — the writer, the Optix client, the sync
//! requests, the webhook seal and the installations registry — and the organization's token.
//! The parts add their work in their own modules: `batch` (webhooks), `commands`, `sync`.

use crate::error::ProvisionError;
use crate::known_locations::{KnownLocations, Lookup};
use crate::sync_requests::SyncRequests;
use crate::writer::Writer;
use optix::api::{OptixClient, OrgToken};
use secrets::KeyRing;
use secrets::contexts::organization_token as token_aad;
use std::time::{Duration, Instant};
use store::queries;

pub struct Provisioner {
    writer: Writer,
    optix: OptixClient,
    syncs: SyncRequests,
    /// Opens the webhook bodies ingest sealed.
    webhook_seal: bus::sealing::WebhookSeal,
    /// Ingest's registry of installations: provision records an install and forgets an
    /// uninstall once Optix has confirmed it.
    installations: bus::Installations,
    known_locations: KnownLocations,
    /// How long after the end of a webhook's second a reconciliation is sure to see what Optix
    /// changed in it (clock skew between Optix and us).
    settle_margin: Duration,
}

impl Provisioner {
    pub fn new(
        pool: deadpool_postgres::Pool,
        keys: KeyRing,
        optix: OptixClient,
        syncs: SyncRequests,
        webhook_seal: bus::sealing::WebhookSeal,
        installations: bus::Installations,
    ) -> Self {
        Provisioner {
            writer: Writer::new(pool, keys),
            optix,
            syncs,
            webhook_seal,
            installations,
            known_locations: Default::default(),
            settle_margin: Duration::from_secs(1),
        }
    }

    /// See `provision.webhook_settle_margin_ms`.
    pub fn with_settle_margin(mut self, margin: Duration) -> Self {
        self.settle_margin = margin;
        self
    }

    pub fn settle_margin(&self) -> Duration {
        self.settle_margin
    }

    pub fn webhook_seal(&self) -> &bus::sealing::WebhookSeal {
        &self.webhook_seal
    }

    pub fn installations(&self) -> &bus::Installations {
        &self.installations
    }

    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    pub fn pool(&self) -> &deadpool_postgres::Pool {
        self.writer.pool()
    }

    pub fn keys(&self) -> &KeyRing {
        self.writer.keys()
    }

    pub fn optix(&self) -> &OptixClient {
        &self.optix
    }

    pub fn syncs(&self) -> &SyncRequests {
        &self.syncs
    }

    pub fn optix_calls(&self) -> u64 {
        self.optix.calls_made()
    }

    /// Whether Optix knows `location_id` as one of the organization's locations (cached; see
    /// [`crate::known_locations`]).
    pub async fn optix_knows_location(
        &self,
        org_id: &str,
        location_id: &str,
        patience: Duration,
    ) -> Result<bool, ProvisionError> {
        match self
            .known_locations
            .lookup(org_id, location_id, Instant::now())
        {
            Lookup::Known => return Ok(true),
            Lookup::Unknown => return Ok(false),
            Lookup::Refresh => {}
        }
        let token = self.org_token(org_id).await?;
        let ids: std::collections::HashSet<String> = self
            .optix
            .with_patience(patience)
            .locations(&token)
            .await?
            .into_iter()
            .map(|l| l.location_id)
            .collect();
        let known = ids.contains(location_id);
        self.known_locations.store(org_id, ids, Instant::now());
        Ok(known)
    }

    /// The organization's token, opened with the master key.
    pub async fn org_token(&self, org_id: &str) -> Result<OrgToken, ProvisionError> {
        let client = self.pool().get().await?;
        let sealed = queries::organization_token(&client, org_id)
            .await?
            .ok_or_else(|| ProvisionError::NotInstalled(org_id.to_owned()))?;
        let token = self.keys().open_with_master(&sealed, &token_aad(org_id))?;
        Ok(OrgToken::new(
            org_id,
            String::from_utf8_lossy(&token).into_owned(),
        ))
    }
}
