//! The provisioner: what provision's parts share — the writer, the platforms' clients (Optix,
//! OfficeRnD), the sync requests, the webhook seal and the installations registry — and the
//! organization's token.
//! The parts add their work in their own modules: `batch` (webhooks), `commands`, `sync`.

use crate::error::ProvisionError;
use crate::known_locations::KnownLocations;
use crate::sync_requests::SyncRequests;
use crate::writer::Writer;
use chrono::Utc;
use domain::organization::{OrganizationCommand, OrganizationError};
use optix::api::{OptixClient, OrgToken};
use secrets::KeyRing;
use secrets::contexts::organization_token as token_aad;
use std::time::Duration;
use store::decide::{self, DecideError};
use store::event_log::Metadata;
use store::queries;

pub struct Provisioner {
    writer: Writer,
    optix: OptixClient,
    officernd: officernd::OfficeRndClient,
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
    /// When each OfficeRnD organization was last read (incremental syncs, full sweeps).
    officernd_sweeps: crate::sweeps::OfficeRndSweeps,
}

impl Provisioner {
    pub fn new(
        pool: deadpool_postgres::Pool,
        keys: KeyRing,
        (optix, officernd): (OptixClient, officernd::OfficeRndClient),
        syncs: SyncRequests,
        webhook_seal: bus::sealing::WebhookSeal,
        installations: bus::Installations,
    ) -> Self {
        Provisioner {
            writer: Writer::new(pool, keys),
            optix,
            officernd,
            syncs,
            webhook_seal,
            installations,
            known_locations: Default::default(),
            settle_margin: Duration::from_secs(1),
            officernd_sweeps: crate::sweeps::OfficeRndSweeps::new(Duration::from_secs(3600)),
        }
    }

    /// See `officernd.full_sync_interval_secs`.
    pub fn with_officernd_full_sync_interval(mut self, interval: Duration) -> Self {
        self.officernd_sweeps = crate::sweeps::OfficeRndSweeps::new(interval);
        self
    }

    pub(crate) fn officernd_sweeps(&self) -> &crate::sweeps::OfficeRndSweeps {
        &self.officernd_sweeps
    }

    /// See `provision.webhook_settle_margin_ms`.
    pub fn with_settle_margin(mut self, margin: Duration) -> Self {
        self.settle_margin = margin;
        self
    }

    pub fn settle_margin(&self) -> Duration {
        self.settle_margin
    }

    pub fn known_locations(&self) -> &KnownLocations {
        &self.known_locations
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

    pub fn officernd(&self) -> &officernd::OfficeRndClient {
        &self.officernd
    }

    pub fn syncs(&self) -> &SyncRequests {
        &self.syncs
    }

    /// Whether `org_id` is connected (the app installed, or OfficeRnD credentials given).
    pub async fn ensure_connected(&self, org_id: &str) -> Result<(), ProvisionError> {
        let client = self.pool().get().await?;
        match queries::organization_installed(&client, org_id).await? {
            Some(true) => Ok(()),
            _ => Err(ProvisionError::NotInstalled(org_id.to_owned())),
        }
    }

    /// Decides `command` on the organization's stream in its own transaction: the events
    /// appended, or the domain's refusal.
    pub async fn decide_organization(
        &self,
        org_id: &str,
        command: OrganizationCommand,
        metadata: &Metadata,
    ) -> Result<usize, DecideError<OrganizationError>> {
        let inputs = (self.writer(), org_id, &command, metadata);
        decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, command, metadata)| {
                let command = (*command).clone();
                Box::pin(writer.decide_organization(tx, org_id, command, metadata, Utc::now()))
            },
        )
        .await
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
