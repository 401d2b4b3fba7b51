//! Commands over NATS request/reply (`lanyard.commands.<org>.<command>`, see `bus::commands`):
//! the portal and the CLI ask, provision decides, appends and answers. Refusals carry a code and
//! a message for the person who asked; nothing here logs a request body (it may hold a
//! passphrase).

use crate::facts;
use crate::provisioner::{ProvisionError, Provisioner, Trigger, in_transaction};
use crate::sync::SyncKind;
use bus::commands::{COMMAND_SUBJECTS, Command, CommandRequest, RefusalCode, Reply};
use chrono::Utc;
use domain::location::{LocationCommand, LocationError};
use domain::member::MemberError;
use domain::organization::{OrganizationCommand, OrganizationError};
use futures::StreamExt;
use opentelemetry::KeyValue;
use std::sync::Arc;
use std::time::Duration;
use store::event_log::Metadata;
use store::{StoreError, queries};
use tokio::sync::{Semaphore, watch};

/// A person waits for these answers: Optix calls give up on the budget after this long.
const PATIENCE: Duration = Duration::from_secs(5);
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

fn member_refusal(refusal: MemberError) -> Reply {
    let code = match &refusal {
        MemberError::NoAccount => RefusalCode::NoAccount,
        MemberError::Suspended => RefusalCode::Suspended,
        MemberError::NoAccess => RefusalCode::NoAccess,
        MemberError::Passphrase(_) => RefusalCode::InvalidPassphrase,
        MemberError::PassphraseTaken => RefusalCode::PassphraseTaken,
        MemberError::MissingSecret(_) => RefusalCode::Unavailable,
    };
    Reply::refused(code, refusal.to_string())
}

fn unavailable(error: &ProvisionError) -> Reply {
    match error {
        ProvisionError::NotInstalled(org) => Reply::refused(
            RefusalCode::NotInstalled,
            format!("organization {org} has not installed the Lanyard app in Optix"),
        ),
        _ => Reply::refused(
            RefusalCode::Unavailable,
            format!("try again in a moment ({error})"),
        ),
    }
}

impl Provisioner {
    pub async fn handle_command(&self, request: CommandRequest) -> Reply {
        let name = request.command.name();
        let started = std::time::Instant::now();
        let org_id = request.org_id.clone();
        let reply = self
            .command(request)
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

    async fn command(&self, request: CommandRequest) -> Result<Reply, ProvisionError> {
        let CommandRequest {
            org_id,
            actor,
            command,
        } = request;
        let run = uuid::Uuid::now_v7();
        let metadata = Metadata {
            causation_id: format!("command:{run}"),
            correlation_id: format!("command:{run}"),
            actor,
            cause: Some(format!("{} command", command.name().replace('_', " "))),
            trace_parent: telemetry::traces::current_traceparent(),
        };
        let now = Utc::now();
        match command {
            Command::FindUserByEmail { email } => {
                let token = self.org_token(&org_id).await?;
                let optix = self.optix().with_patience(PATIENCE);
                let found = match self.local_user_for(&org_id, &email).await? {
                    Some(user) => Some(user),
                    None => optix
                        .user_by_email(&token, &email)
                        .await?
                        .filter(|u| !u.is_deleted)
                        .map(|u| u.user_id),
                };
                Ok(match found {
                    Some(user_id) => Reply::Done {
                        user_id: Some(user_id),
                        events: 0,
                    },
                    None => Reply::refused(
                        RefusalCode::UnknownUser,
                        "no Optix user of this organization has that email",
                    ),
                })
            }
            Command::Onboard {
                user_id,
                location_id,
                via,
            } => {
                let token = self.org_token(&org_id).await?;
                {
                    let client = self.pool().get().await.map_err(StoreError::from)?;
                    let mapped = queries::location(&client, &org_id, &location_id)
                        .await?
                        .is_some_and(|l| l.settings.is_some());
                    drop(client);
                    if !mapped
                        && !self
                            .optix_knows_location(&org_id, &location_id, PATIENCE)
                            .await?
                    {
                        return Ok(Reply::refused(
                            RefusalCode::LocationNotMapped,
                            format!(
                                "Optix location {location_id} is not a location of this organization"
                            ),
                        ));
                    }
                    if !mapped {
                        self.location_command(
                            &org_id,
                            &location_id,
                            LocationCommand::ReportUnmappedUse {
                                location_id: location_id.clone(),
                                user_id: Some(user_id.clone()),
                                now,
                            },
                            &metadata,
                        )
                        .await?;
                        return Ok(Reply::refused(
                            RefusalCode::LocationNotMapped,
                            format!(
                                "WiFi is not set up for this location yet (Optix location {location_id}); the space's admins have been notified"
                            ),
                        ));
                    }
                }
                let (from, to) = facts::booking_window(now);
                let optix_facts = self
                    .optix()
                    .with_patience(PATIENCE)
                    .facts(&token, std::slice::from_ref(&user_id), from, to)
                    .await?;
                let member_facts = facts::member_facts(&user_id, &optix_facts);
                if !member_facts.exists {
                    return Ok(Reply::refused(
                        RefusalCode::UnknownUser,
                        "Optix does not know this user in this organization",
                    ));
                }
                let decided = in_transaction!(self.pool(), |tx| {
                    let policy = queries::org_policy(tx, &org_id).await?;
                    self.reconcile_member(
                        tx,
                        &org_id,
                        &member_facts,
                        &policy,
                        Trigger::Onboard {
                            via,
                            location_id: &location_id,
                        },
                        &metadata,
                        now,
                    )
                    .await
                })?;
                Ok(match decided {
                    Ok(appended) => Reply::Done {
                        user_id: Some(user_id),
                        events: appended.events.len(),
                    },
                    Err(refusal) => member_refusal(refusal),
                })
            }
            Command::SetPassphrase {
                user_id,
                passphrase,
            } => {
                self.passphrase_command(&org_id, &user_id, Some(&passphrase.0), &metadata)
                    .await
            }
            Command::RegeneratePassphrase { user_id } => {
                self.passphrase_command(&org_id, &user_id, None, &metadata)
                    .await
            }
            Command::MapLocation {
                location_id,
                settings,
            } => {
                let reply = self
                    .location_command(
                        &org_id,
                        &location_id.clone(),
                        LocationCommand::Map {
                            location_id,
                            settings,
                        },
                        &metadata,
                    )
                    .await?;
                self.after_configuration(&org_id, &reply);
                Ok(reply)
            }
            Command::UnmapLocation { location_id } => {
                self.location_command(
                    &org_id,
                    &location_id.clone(),
                    LocationCommand::Unmap { location_id },
                    &metadata,
                )
                .await
            }
            Command::MapPlan {
                plan_template_id,
                profile,
            } => {
                self.configure(
                    &org_id,
                    OrganizationCommand::MapPlan {
                        plan_template_id,
                        profile,
                    },
                    &metadata,
                )
                .await
            }
            Command::UnmapPlan { plan_template_id } => {
                self.configure(
                    &org_id,
                    OrganizationCommand::UnmapPlan { plan_template_id },
                    &metadata,
                )
                .await
            }
            Command::SetDefaultProfile { profile } => {
                self.configure(
                    &org_id,
                    OrganizationCommand::SetDefaultProfile { profile },
                    &metadata,
                )
                .await
            }
            Command::SetVlanPool { pool } => {
                self.configure(
                    &org_id,
                    OrganizationCommand::SetVlanPool { pool },
                    &metadata,
                )
                .await
            }
            Command::ReportUnmappedLocation {
                location_id,
                user_id,
            } => {
                // Anyone can name a location in a portal URL: only one Optix knows for this
                // organization reaches the log (and the admins' notifications).
                if !self
                    .optix_knows_location(&org_id, &location_id, PATIENCE)
                    .await?
                {
                    tracing::info!(
                        org_id,
                        "unmapped-location report for a location Optix does not know"
                    );
                    return Ok(Reply::refused(
                        RefusalCode::Invalid,
                        format!(
                            "Optix location {location_id} is not a location of this organization"
                        ),
                    ));
                }
                self.location_command(
                    &org_id,
                    &location_id.clone(),
                    LocationCommand::ReportUnmappedUse {
                        location_id,
                        user_id,
                        now,
                    },
                    &metadata,
                )
                .await
            }
            Command::SyncNow => {
                self.org_token(&org_id).await?;
                self.syncs().request(&org_id, SyncKind::Manual);
                Ok(Reply::done(0))
            }
        }
    }

    async fn local_user_for(
        &self,
        org_id: &str,
        email: &str,
    ) -> Result<Option<String>, ProvisionError> {
        let client = self.pool().get().await.map_err(StoreError::from)?;
        let hash = crate::secrets::email_hash(self.keys(), org_id, email);
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
        let decided = in_transaction!(self.pool(), |tx| {
            self.change_passphrase(tx, org_id, user_id, candidate, metadata, Utc::now())
                .await
        })?;
        Ok(match decided {
            Ok(events) => Reply::done(events),
            Err(refusal) => member_refusal(refusal),
        })
    }

    async fn location_command(
        &self,
        org_id: &str,
        location_id: &str,
        command: LocationCommand,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let decided = in_transaction!(self.pool(), |tx| {
            self.decide_location(
                tx,
                org_id,
                location_id,
                command.clone(),
                metadata,
                Utc::now(),
            )
            .await
        })?;
        Ok(match decided {
            Ok(events) => Reply::done(events),
            Err(LocationError::Invalid(e)) => Reply::refused(RefusalCode::Invalid, e.to_string()),
        })
    }

    async fn configure(
        &self,
        org_id: &str,
        command: OrganizationCommand,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let decided = in_transaction!(self.pool(), |tx| {
            self.decide_organization(tx, org_id, command.clone(), metadata, Utc::now())
                .await
        })?;
        let reply = match decided {
            Ok(events) => Reply::done(events),
            Err(e @ (OrganizationError::Invalid(_) | OrganizationError::MissingPlanTemplate)) => {
                Reply::refused(RefusalCode::Invalid, e.to_string())
            }
        };
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
