//! Connecting an OfficeRnD organization (`lanyard officernd connect`, the bus's
//! `ConnectOfficeRnd`): the connection is tested first — a token for the application's
//! credentials and the organization lookup must answer the very organization the command
//! names — then the client secret is recorded sealed in the log (`IntegrationConfigured` with
//! the platform and account), the webhook secret sealed in the installations registry (ingest
//! verifies deliveries with it), and the initial import requested.

use crate::error::ProvisionError;
use crate::provisioner::Provisioner;
use crate::sync_requests::SyncKind;
use bus::commands::{Command, RefusalCode, Reply};
use domain::organization::OrganizationCommand;
use domain::{Platform, PlatformAccount};
use officernd::{Credentials, OfficeRndError, slug_ok};
use secrets::contexts::organization_token as secret_aad;
use store::decide::DecideError;
use store::event_log::Metadata;
use store::queries;

/// What the operator gives.
struct Connection {
    client_id: String,
    client_secret: String,
    slug: String,
    webhook_secret: String,
}

fn invalid(message: impl Into<String>) -> Reply {
    Reply::refused(RefusalCode::Invalid, message)
}

impl Provisioner {
    /// `ConnectOfficeRnd` (any other command is refused as invalid).
    pub(crate) async fn connect_officernd(
        &self,
        org_id: &str,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let Command::ConnectOfficeRnd {
            client_id,
            client_secret,
            slug,
            webhook_secret,
        } = command
        else {
            return Ok(invalid("not a connection"));
        };
        let connection = Connection {
            client_id,
            client_secret: client_secret.0,
            slug,
            webhook_secret: webhook_secret.0,
        };
        if Platform::of_org(org_id) != Platform::OfficeRnd {
            return Ok(invalid(format!(
                "{org_id} is not an OfficeRnD organization id (officernd_<organization id>)"
            )));
        }
        if !slug_ok(&connection.slug) || connection.client_id.trim().is_empty() {
            return Ok(invalid(
                "give the organization's slug (letters, digits, - and _) and the client id",
            ));
        }
        if connection.webhook_secret.len() < 16 {
            return Ok(invalid("the webhook secret must be at least 16 characters"));
        }
        let credentials = Credentials::new(
            &connection.client_id,
            &connection.client_secret,
            &connection.slug,
        );
        if let Some(refusal) = self.test_connection(org_id, &credentials).await? {
            return Ok(refusal);
        }
        let events = self
            .record_connection(org_id, &connection, metadata)
            .await?;
        let sealed = self
            .webhook_seal()
            .seal_webhook_secret(org_id, connection.webhook_secret.as_bytes());
        self.installations()
            .record_webhook_secret(org_id, sealed)
            .await?;
        if events > 0 {
            self.syncs().request(org_id, SyncKind::Initial);
        }
        Ok(Reply::done(events))
    }

    /// "Test connection": None when the credentials read this organization, else the refusal
    /// saying what to fix.
    async fn test_connection(
        &self,
        org_id: &str,
        credentials: &Credentials,
    ) -> Result<Option<Reply>, ProvisionError> {
        let organization = match self.officernd().organization(credentials).await {
            Ok(organization) => organization,
            Err(OfficeRndError::Unauthorized | OfficeRndError::Server(500)) => {
                return Ok(Some(invalid(
                    "OfficeRnD refused the client id and secret for this organization slug: check them (Settings → Developer Tools → Applications)",
                )));
            }
            Err(OfficeRndError::Forbidden) => {
                return Ok(Some(invalid(
                    "OfficeRnD refused access: grant the application read permissions",
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let expected = Platform::OfficeRnd.org_id(&organization.id);
        if expected != org_id {
            return Ok(Some(invalid(format!(
                "these credentials read OfficeRnD organization {} ({expected}), not {org_id}",
                organization.name
            ))));
        }
        Ok(None)
    }

    /// Records the connection in the organization's stream; the events appended.
    async fn record_connection(
        &self,
        org_id: &str,
        connection: &Connection,
        metadata: &Metadata,
    ) -> Result<usize, ProvisionError> {
        let aad = secret_aad(org_id);
        let same_secret = {
            let client = self.pool().get().await?;
            match queries::platform_account(&client, org_id).await? {
                Some((_, sealed)) => {
                    self.keys().open_with_master(&sealed, &aad)?
                        == connection.client_secret.as_bytes()
                }
                None => false,
            }
        };
        let command = OrganizationCommand::Connect {
            org_id: org_id.to_owned(),
            platform: Platform::OfficeRnd,
            account: PlatformAccount {
                client_id: connection.client_id.clone(),
                slug: connection.slug.clone(),
            },
            secret: self
                .keys()
                .seal_with_master(connection.client_secret.as_bytes(), &aad),
            same_secret,
        };
        let decided = self.decide_organization(org_id, command, metadata).await;
        match decided {
            Ok(events) => Ok(events),
            Err(DecideError::Refused(refusal)) => {
                tracing::error!(org_id, %refusal, "a connection was refused by the domain");
                Ok(0)
            }
            Err(DecideError::Store(e)) => Err(e.into()),
        }
    }
}
