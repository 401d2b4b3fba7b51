//! `app_install`, `organization_token_updated` and `app_uninstall`. Optix's signature does not
//! cover the body, so each is a claim to confirm with Optix: a token is stored only if Optix,
//! asked with that token, says it is an organization token of this organization; an uninstall
//! takes effect only if Optix now refuses the token we hold.

use crate::error::ProvisionError;
use crate::hints::Hint;
use crate::provisioner::Provisioner;
use crate::received::{Outcome, Parsed};
use crate::sync_requests::SyncKind;
use chrono::Utc;
use domain::organization::OrganizationCommand;
use optix::api::{OrgToken, TokenCheck};
use secrets::contexts::organization_token as token_aad;
use store::decide::{self, TxFuture};
use store::{StoreError, Transaction, event_log};

/// What Optix said about an installation webhook's claim.
enum Claim {
    /// Confirmed: this is what to record.
    Confirmed(OrganizationCommand),
    /// Not confirmed: the refusal was recorded with this outcome.
    Refused(Outcome),
}

impl Provisioner {
    pub(crate) async fn handle_installation(
        &self,
        org_id: &str,
        p: &Parsed,
    ) -> Result<Outcome, ProvisionError> {
        let current = match self.org_token(org_id).await {
            Ok(current) => Some(current),
            Err(ProvisionError::NotInstalled(_)) => None,
            Err(e) => return Err(e),
        };
        let command = match &p.hint {
            Hint::Token { token, .. } => self.confirm_token(org_id, p, token, current).await?,
            _ => self.confirm_uninstall(org_id, p, current).await?,
        };
        match command {
            Claim::Confirmed(command) => self.record_installation(org_id, p, command).await,
            Claim::Refused(outcome) => Ok(outcome),
        }
    }

    /// A token is recorded once Optix confirms it as this organization's (the token already
    /// held needs no confirmation: storing it again changes nothing).
    async fn confirm_token(
        &self,
        org_id: &str,
        p: &Parsed,
        token: &str,
        current: Option<OrgToken>,
    ) -> Result<Claim, ProvisionError> {
        let fingerprint = self.keys().keyed_hash("token", org_id, token);
        let current_fingerprint = current
            .as_ref()
            .map(|current| self.keys().keyed_hash("token", org_id, current.expose()));
        if current_fingerprint.as_deref() != Some(fingerprint.as_str())
            && let TokenCheck::Refused(refusal) =
                self.optix().check_org_token(org_id, token).await?
        {
            if current.is_none() {
                // ingest let the signed install through; this organization has not
                // installed the app after all.
                let client_id = p
                    .webhook
                    .optix()
                    .map_or("", |w| w.envelope.client_id.as_str());
                self.installations().forget(client_id, org_id).await?;
            }
            let outcome = self
                .refuse(p, refusal.label(), &refusal.to_string())
                .await?;
            return Ok(Claim::Refused(outcome));
        }
        Ok(Claim::Confirmed(OrganizationCommand::RecordToken {
            org_id: org_id.to_owned(),
            token: self
                .keys()
                .seal_with_master(token.as_bytes(), &token_aad(org_id)),
            token_fingerprint: fingerprint,
            current_fingerprint,
        }))
    }

    /// An uninstall takes effect only when Optix no longer accepts the token we hold.
    async fn confirm_uninstall(
        &self,
        org_id: &str,
        p: &Parsed,
        current: Option<OrgToken>,
    ) -> Result<Claim, ProvisionError> {
        if let Some(current) = &current
            && matches!(
                self.optix()
                    .check_org_token(org_id, current.expose())
                    .await?,
                TokenCheck::Confirmed { .. }
            )
        {
            let outcome = self
                .refuse(
                    p,
                    "uninstall_not_confirmed",
                    "Optix still accepts the organization's token",
                )
                .await?;
            return Ok(Claim::Refused(outcome));
        }
        Ok(Claim::Confirmed(OrganizationCommand::Uninstall {
            org_id: org_id.to_owned(),
        }))
    }

    /// Appends the confirmed change with the message's processed mark, then brings the
    /// installations registry, the metrics and the initial import in line with it.
    async fn record_installation(
        &self,
        org_id: &str,
        p: &Parsed,
        command: OrganizationCommand,
    ) -> Result<Outcome, ProvisionError> {
        let metadata = p.metadata();
        let inputs = (self, org_id, p.message_id.as_str(), &command, &metadata);
        let outcome = decide::in_transaction(self.pool(), &inputs, record_installation_in).await?;
        let Outcome::Committed { events } = outcome else {
            return Ok(outcome);
        };
        // The registry follows what Optix confirmed (a failure here is repaired by the next
        // install or uninstall; the log is already right).
        let client_id = p
            .webhook
            .optix()
            .map_or("", |w| w.envelope.client_id.as_str());
        let registry = match &p.hint {
            Hint::Token { install: true, .. } => {
                self.installations().record(client_id, org_id).await
            }
            Hint::Uninstall => self.installations().forget(client_id, org_id).await,
            _ => Ok(()),
        };
        if let Err(error) = registry {
            tracing::warn!(org_id, %error, "cannot update the installations registry");
        }
        if events > 0 && matches!(p.hint, Hint::Uninstall) {
            crate::metrics::forget_organization(org_id);
        }
        if events > 0 && matches!(p.hint, Hint::Token { install: true, .. }) {
            // The initial import (again after a reinstall; a redelivered install changes
            // nothing and imports nothing).
            self.syncs().request(org_id, SyncKind::Initial);
        }
        Ok(outcome)
    }

    /// Records that a webhook's claim was refused: marked processed (a redelivery is not
    /// counted twice), logged and counted by reason. Nothing else changes.
    async fn refuse(
        &self,
        p: &Parsed,
        reason: &'static str,
        detail: &str,
    ) -> Result<Outcome, ProvisionError> {
        let client = self.pool().get().await?;
        if !event_log::mark_processed(&client, &p.message_id).await? {
            return Ok(Outcome::AlreadyProcessed);
        }
        let event = p.webhook.event_label();
        crate::metrics::metrics().refused.add(
            1,
            &[
                opentelemetry::KeyValue::new("event", event),
                opentelemetry::KeyValue::new("reason", reason),
            ],
        );
        tracing::warn!(
            org_id = p
                .webhook
                .optix()
                .map(|w| w.envelope.organization_id.as_str()),
            event,
            reason,
            detail,
            message_id = p.message_id,
            "webhook refused: Optix did not confirm it"
        );
        Ok(Outcome::Refused { reason })
    }
}

type InstallationInputs<'a> = (
    &'a Provisioner,
    &'a str,
    &'a str,
    &'a OrganizationCommand,
    &'a store::Metadata,
);

/// The installation's transaction: the processed mark and the organization's decision.
fn record_installation_in<'t>(
    tx: &'t Transaction<'_>,
    (provisioner, org_id, message_id, command, metadata): &'t InstallationInputs<'_>,
) -> TxFuture<'t, Result<Outcome, StoreError>> {
    Box::pin(async move {
        if !event_log::mark_processed(tx, message_id).await? {
            return Ok(Outcome::AlreadyProcessed);
        }
        let decided = provisioner
            .writer()
            .decide_organization(tx, org_id, (*command).clone(), metadata, Utc::now())
            .await;
        let events = match decided {
            Ok(events) => events,
            // A refusal appends nothing; the message is done all the same.
            Err(e) => {
                e.into_refusal()?;
                0
            }
        };
        Ok(Outcome::Committed { events })
    })
}
