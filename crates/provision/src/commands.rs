//! Commands over NATS request/reply (`lanyard.commands.<org>.<command>`, see `bus::commands`):
//! the portal and the CLI ask, provision decides, appends and answers. Refusals carry a code and
//! a message for the person who asked; nothing here logs a request body (it may hold a
//! passphrase).

use crate::cause::Cause;
use crate::error::ProvisionError;
use crate::platform::PlatformAdapter;
use crate::provisioner::Provisioner;
use crate::sync_requests::SyncKind;
use crate::writer::{ToReconcile, Trigger};
use bus::commands::{COMMAND_SUBJECTS, Command, CommandRequest, RefusalCode, Reply};
use chrono::{DateTime, Utc};
use domain::events::OnboardedVia;
use domain::location::LocationCommand;
use domain::member::MemberError;
use domain::messages::{MailSettings, MailSettingsError};
use domain::organization::{OrganizationCommand, OrganizationError};
use futures::StreamExt;
use opentelemetry::KeyValue;
use std::sync::Arc;
use store::decide::{self, DecideError};
use store::event_log::Metadata;
use store::queries;
use tokio::sync::{Semaphore, watch};

const CONCURRENCY: usize = 32;

pub async fn run(
    provisioner: Arc<Provisioner>,
    client: async_nats::Client,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    // A queue group: several provision replicas share the commands.
    let mut requests = client
        .queue_subscribe(COMMAND_SUBJECTS, "provision".into())
        .await?;
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    loop {
        let message = tokio::select! {
            message = requests.next() => message,
            _ = stop.changed() => None,
        };
        let Some(message) = message else { break };
        let Some(reply_to) = message.reply.clone() else {
            tracing::warn!(subject = %message.subject, "a command without a reply subject was dropped");
            continue;
        };
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let provisioner = provisioner.clone();
        let client = client.clone();
        tokio::spawn(async move {
            let reply = match serde_json::from_slice::<CommandRequest>(&message.payload) {
                Ok(request) => match bus::commands::authorize(&message.subject, &request) {
                    Ok(_) => provisioner.handle_command(request).await,
                    Err(reason) => forbidden(&message.subject, &request, reason),
                },
                Err(e) => Reply::refused(
                    RefusalCode::Invalid,
                    format!("the command is not understood: {e}"),
                ),
            };
            let body = serde_json::to_vec(&reply).unwrap_or_default();
            if let Err(e) = client.publish(reply_to, body.into()).await {
                tracing::warn!(error = %e, "answering a command failed");
            }
            drop(permit);
        });
    }
    Ok(())
}

/// A command whose sender may not act for its claimed actor (or run it): nothing runs; the
/// refusal is logged (subject and claimed actor, never the body) and counted.
fn forbidden(subject: &str, request: &CommandRequest, reason: String) -> Reply {
    tracing::warn!(
        subject,
        org_id = request.org_id,
        actor = request.actor,
        command = request.command.name(),
        reason,
        "a command was refused: its sender may not act so"
    );
    crate::metrics::metrics().commands.add(
        1,
        &[
            KeyValue::new("command", request.command.name()),
            KeyValue::new("outcome", "forbidden"),
        ],
    );
    Reply::refused(RefusalCode::Forbidden, reason)
}

pub(crate) fn member_refusal(refusal: MemberError) -> Reply {
    let code = match &refusal {
        MemberError::NoAccount => RefusalCode::NoAccount,
        MemberError::Suspended => RefusalCode::Suspended,
        MemberError::NoAccess => RefusalCode::NoAccess,
        MemberError::Passphrase(_) => RefusalCode::InvalidPassphrase,
        MemberError::PassphraseTaken => RefusalCode::PassphraseTaken,
        MemberError::MissingSecret(_) => RefusalCode::Unavailable,
        MemberError::DeviceName(_)
        | MemberError::DeviceAlreadyAdded(_)
        | MemberError::UnknownLanguage(_) => RefusalCode::Invalid,
        MemberError::DeviceLimitReached(_) => RefusalCode::DeviceLimitReached,
        MemberError::DeviceTaken(_) => RefusalCode::DeviceTaken,
        MemberError::NoSuchDevice(_) => RefusalCode::UnknownDevice,
    };
    Reply::refused(code, refusal.to_string())
}

/// A configuration the domain refused as invalid (a location's or the organization's).
fn invalid(refusal: impl std::fmt::Display) -> Reply {
    Reply::refused(RefusalCode::Invalid, refusal.to_string())
}

/// A decision's answer: the events it appended, or its refusal in the asker's words.
pub(crate) fn reply<R>(
    decided: Result<usize, DecideError<R>>,
    refusal: impl FnOnce(R) -> Reply,
) -> Result<Reply, ProvisionError> {
    match decided {
        Ok(events) => Ok(Reply::done(events)),
        Err(DecideError::Refused(r)) => Ok(refusal(r)),
        Err(DecideError::Store(e)) => Err(e.into()),
    }
}

/// The organization's refusal: a wording that fails the catalogue's check has its own code (the
/// message names the language and the line); the rest is invalid input.
fn organization_refusal(refusal: OrganizationError) -> Reply {
    match refusal {
        OrganizationError::MailSettings(error @ MailSettingsError::Override { .. }) => {
            Reply::refused(RefusalCode::InvalidWording, error.to_string())
        }
        other => invalid(other),
    }
}

fn unavailable(error: &ProvisionError) -> Reply {
    match error {
        ProvisionError::NotInstalled(org) => Reply::refused(
            RefusalCode::NotInstalled,
            format!(
                "organization {org} is not connected (the Lanyard app installed in Optix, or `lanyard officernd connect`)"
            ),
        ),
        _ => Reply::refused(
            RefusalCode::Unavailable,
            format!("try again in a moment ({error})"),
        ),
    }
}

fn not_a_location_of_the_organization(code: RefusalCode, location_id: &str) -> Reply {
    Reply::refused(
        code,
        format!("Optix location {location_id} is not a location of this organization"),
    )
}

impl Provisioner {
    pub async fn handle_command(&self, request: CommandRequest) -> Reply {
        let CommandRequest {
            org_id,
            actor,
            command,
        } = request;
        let name = command.name();
        let started = std::time::Instant::now();
        let metadata = Cause::Command { name, actor }.metadata();
        let reply = self
            .command(&org_id, command, &metadata)
            .await
            .unwrap_or_else(|e| unavailable(&e));
        let outcome = match &reply {
            Reply::Done { .. } => "done",
            Reply::Refused { code, .. } => code.label(),
        };
        tracing::info!(
            org_id,
            command = name,
            outcome,
            ms = started.elapsed().as_millis() as u64,
            "command handled"
        );
        crate::metrics::metrics().commands.add(
            1,
            &[
                KeyValue::new("command", name),
                KeyValue::new("outcome", outcome),
            ],
        );
        reply
    }

    async fn command(
        &self,
        org_id: &str,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let now = Utc::now();
        match command {
            Command::FindUserByEmail { email } => self.find_user_by_email(org_id, &email).await,
            Command::Onboard {
                user_id,
                location_id,
                via,
            } => {
                self.onboard(org_id, user_id, &location_id, via, metadata, now)
                    .await
            }
            Command::SetPassphrase {
                user_id,
                passphrase,
            } => {
                self.passphrase_command(org_id, &user_id, Some(&passphrase.0), metadata)
                    .await
            }
            Command::RegeneratePassphrase { user_id } => {
                self.passphrase_command(org_id, &user_id, None, metadata)
                    .await
            }
            Command::MapLocation {
                location_id,
                settings,
            } => {
                self.map_location(org_id, location_id, Some(settings), metadata)
                    .await
            }
            Command::UnmapLocation { location_id } => {
                self.map_location(org_id, location_id, None, metadata).await
            }
            Command::ReportUnmappedLocation {
                location_id,
                user_id,
            } => {
                self.report_unmapped_location(org_id, &location_id, user_id, metadata, now)
                    .await
            }
            Command::SyncNow => self.sync_now(org_id).await,
            Command::MapPlan { .. }
            | Command::UnmapPlan { .. }
            | Command::SetDefaultProfile { .. }
            | Command::SetVlanPool { .. } => {
                self.organization_command(org_id, command, metadata).await
            }
            Command::SetMailSettings { settings } => {
                self.set_mail_settings(org_id, settings, metadata).await
            }
            Command::ConnectOfficeRnd { .. } => {
                self.connect_officernd(org_id, command, metadata).await
            }
            Command::RegisterNas { .. } | Command::RemoveNas { .. } => {
                self.nas_command(org_id, command, metadata).await
            }
            Command::MapController { .. }
            | Command::UnmapController { .. }
            | Command::ReportControllerOverLimit { .. } => {
                self.controller_command(org_id, command, metadata).await
            }
            Command::ChooseLanguage { user_id, language } => {
                self.choose_language(org_id, &user_id, language, metadata)
                    .await
            }
            Command::AddDevice { .. }
            | Command::RemoveDevice { .. }
            | Command::BindDevice { .. }
            | Command::RecordDisconnect { .. } => {
                self.device_command(org_id, command, metadata).await
            }
        }
    }

    /// The language a tenant chose on the portal, recorded on their stream (their emails
    /// follow it).
    async fn choose_language(
        &self,
        org_id: &str,
        user_id: &str,
        language: String,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let command = domain::member::MemberCommand::ChooseLanguage { language };
        let inputs = (self.writer(), org_id, user_id, &command, metadata);
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, user_id, command, metadata)| {
                let command = (*command).clone();
                Box::pin(writer.decide_device(tx, org_id, user_id, None, command, metadata))
            },
        )
        .await;
        reply(decided, member_refusal)
    }

    /// A full sync of a connected organization, queued.
    async fn sync_now(&self, org_id: &str) -> Result<Reply, ProvisionError> {
        self.ensure_connected(org_id).await?;
        self.syncs().request(org_id, SyncKind::Manual);
        Ok(Reply::done(0))
    }

    /// `MapPlan`, `UnmapPlan`, `SetDefaultProfile` and `SetVlanPool`: the organization's
    /// configuration.
    async fn organization_command(
        &self,
        org_id: &str,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let change = match command {
            Command::MapPlan {
                plan_template_id,
                profile,
            } => OrganizationCommand::MapPlan {
                plan_template_id,
                profile,
            },
            Command::UnmapPlan { plan_template_id } => {
                OrganizationCommand::UnmapPlan { plan_template_id }
            }
            Command::SetDefaultProfile { profile } => {
                OrganizationCommand::SetDefaultProfile { profile }
            }
            Command::SetVlanPool { pool } => OrganizationCommand::SetVlanPool { pool },
            _ => {
                return Ok(Reply::refused(
                    RefusalCode::Invalid,
                    "not a configuration command",
                ));
            }
        };
        self.configure(org_id, change, metadata).await
    }

    /// The organization's email settings: they change no member's access, so no sync follows.
    async fn set_mail_settings(
        &self,
        org_id: &str,
        settings: MailSettings,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let decided = self
            .decide_organization(
                org_id,
                OrganizationCommand::SetMailSettings { settings },
                metadata,
            )
            .await;
        reply(decided, organization_refusal)
    }

    /// Which user of the organization's platform has this email: the log first (keyed hash),
    /// then the platform.
    async fn find_user_by_email(&self, org_id: &str, email: &str) -> Result<Reply, ProvisionError> {
        self.ensure_connected(org_id).await?;
        let found = match self.local_user_for(org_id, email).await? {
            Some(user) => Some(user),
            None => self.platform(org_id).user_by_email(org_id, email).await?,
        };
        Ok(match found {
            Some(user_id) => Reply::Done {
                user_id: Some(user_id),
                events: 0,
            },
            None => Reply::refused(
                RefusalCode::UnknownUser,
                "no member of this organization has that email",
            ),
        })
    }

    /// A tenant asks for WiFi at a location: refused where the location is not mapped (and
    /// reported, when Optix knows it), else reconciled as an onboarding there.
    async fn onboard(
        &self,
        org_id: &str,
        user_id: String,
        location_id: &str,
        via: OnboardedVia,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Reply, ProvisionError> {
        self.ensure_connected(org_id).await?;
        if let Some(refusal) = self
            .unmapped_refusal(org_id, &user_id, location_id, metadata, now)
            .await?
        {
            return Ok(refusal);
        }
        let member = ToReconcile {
            facts: self
                .platform(org_id)
                .member_facts(org_id, &user_id, now)
                .await?,
            metadata,
        };
        if !member.facts.exists {
            return Ok(Reply::refused(
                RefusalCode::UnknownUser,
                "the organization's platform does not know this user",
            ));
        }
        let trigger = Trigger::Onboard { via, location_id };
        let inputs = (self.writer(), org_id, &member, trigger);
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, member, trigger)| {
                Box::pin(writer.reconcile_member(tx, org_id, member, *trigger, now))
            },
        )
        .await;
        match decided {
            Ok(appended) => Ok(Reply::Done {
                user_id: Some(user_id),
                events: appended.events.len(),
            }),
            Err(DecideError::Refused(refusal)) => Ok(member_refusal(refusal)),
            Err(DecideError::Store(e)) => Err(e.into()),
        }
    }

    /// The refusal of an onboarding at a location that is not mapped: one Optix does not know
    /// for the organization, or one it knows, whose unmapped use is then reported to the
    /// space's admins.
    async fn unmapped_refusal(
        &self,
        org_id: &str,
        user_id: &str,
        location_id: &str,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Option<Reply>, ProvisionError> {
        let mapped = {
            let client = self.pool().get().await?;
            queries::location(&client, org_id, location_id)
                .await?
                .is_some_and(|l| l.settings.is_some())
        };
        if mapped {
            return Ok(None);
        }
        if !self.platform_knows_location(org_id, location_id).await? {
            return Ok(Some(not_a_location_of_the_organization(
                RefusalCode::LocationNotMapped,
                location_id,
            )));
        }
        let report = LocationCommand::ReportUnmappedUse {
            location_id: location_id.to_owned(),
            user_id: Some(user_id.to_owned()),
            now,
        };
        self.location_command(org_id, location_id, report, metadata)
            .await?;
        Ok(Some(Reply::refused(
            RefusalCode::LocationNotMapped,
            format!(
                "WiFi is not set up for this location yet (Optix location {location_id}); the space's admins have been notified"
            ),
        )))
    }

    /// Anyone can name a location in a portal URL: only one Optix knows for this organization
    /// reaches the log (and the admins' notifications).
    async fn report_unmapped_location(
        &self,
        org_id: &str,
        location_id: &str,
        user_id: Option<String>,
        metadata: &Metadata,
        now: DateTime<Utc>,
    ) -> Result<Reply, ProvisionError> {
        if !self.platform_knows_location(org_id, location_id).await? {
            tracing::info!(
                org_id,
                "unmapped-location report for a location Optix does not know"
            );
            return Ok(not_a_location_of_the_organization(
                RefusalCode::Invalid,
                location_id,
            ));
        }
        let report = LocationCommand::ReportUnmappedUse {
            location_id: location_id.to_owned(),
            user_id,
            now,
        };
        self.location_command(org_id, location_id, report, metadata)
            .await
    }

    async fn local_user_for(
        &self,
        org_id: &str,
        email: &str,
    ) -> Result<Option<String>, ProvisionError> {
        let client = self.pool().get().await?;
        let hash = secrets::email_hash(self.keys(), org_id, email);
        Ok(queries::member_by_email_hash(&client, org_id, &hash).await?)
    }

    async fn passphrase_command(
        &self,
        org_id: &str,
        user_id: &str,
        candidate: Option<&str>,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        // A passphrase another member takes between the check and the commit is caught by the
        // uniqueness constraint: the retry then sees it taken and refuses.
        let inputs = (self.writer(), org_id, user_id, candidate, metadata);
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, user_id, candidate, metadata)| {
                Box::pin(writer.change_passphrase(
                    tx,
                    org_id,
                    user_id,
                    *candidate,
                    metadata,
                    Utc::now(),
                ))
            },
        )
        .await;
        reply(decided, member_refusal)
    }

    /// Maps a location (or unmaps it, without `settings`); a new mapping is applied to the
    /// members by a sync.
    async fn map_location(
        &self,
        org_id: &str,
        location_id: String,
        settings: Option<domain::LocationSettings>,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let Some(settings) = settings else {
            let unmap = LocationCommand::Unmap {
                location_id: location_id.clone(),
            };
            return self
                .location_command(org_id, &location_id, unmap, metadata)
                .await;
        };
        let map = LocationCommand::Map {
            location_id: location_id.clone(),
            settings,
        };
        let reply = self
            .location_command(org_id, &location_id, map, metadata)
            .await?;
        self.after_configuration(org_id, &reply);
        Ok(reply)
    }

    async fn location_command(
        &self,
        org_id: &str,
        location_id: &str,
        command: LocationCommand,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let inputs = (self.writer(), org_id, location_id, &command, metadata);
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, location_id, command, metadata)| {
                let command = (*command).clone();
                Box::pin(writer.decide_location(
                    tx,
                    org_id,
                    location_id,
                    command,
                    metadata,
                    Utc::now(),
                ))
            },
        )
        .await;
        reply(decided, invalid)
    }

    async fn configure(
        &self,
        org_id: &str,
        command: OrganizationCommand,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let decided = self.decide_organization(org_id, command, metadata).await;
        let reply = reply(decided, invalid)?;
        self.after_configuration(org_id, &reply);
        Ok(reply)
    }

    /// Configuration changes what members should have (profiles, VLANs, locations): a sync
    /// applies it to everyone, within the API budget.
    fn after_configuration(&self, org_id: &str, reply: &Reply) {
        if matches!(reply, Reply::Done { events, .. } if *events > 0) {
            self.syncs().request(org_id, SyncKind::Manual);
        }
    }
}
