//! Commands to provision (NATS request/reply, `bus::commands`): what it answered, as the portal
//! acts on it, and the unmapped-location reports every flow may send.

use crate::db;
use crate::metrics;
use crate::state::State;
use bus::commands::{Command, RefusalCode, Reply};
use std::time::{Duration, Instant};

/// How often the same unmapped location is reported for the same person.
const REPORT_EVERY: Duration = Duration::from_secs(600);

/// What provision answered, as the portal acts on it.
#[derive(Debug)]
pub(crate) enum Answer {
    Done {
        user_id: Option<String>,
    },
    Refused {
        code: RefusalCode,
        message: String,
    },
    /// No answer (provision down, NATS down, timeout) or a refusal saying "try later".
    Unavailable,
}

impl State {
    /// Sends a command to provision; records `lanyard_portal_commands_total`. Never logs the
    /// command's content (it may hold a passphrase).
    pub(crate) async fn command(&self, org_id: &str, actor: &str, command: Command) -> Answer {
        let name = command.name();
        let answer = match self.bus.command(org_id, actor, command).await {
            Ok(Reply::Done { user_id, .. }) => Answer::Done { user_id },
            Ok(Reply::Refused {
                code: RefusalCode::Unavailable,
                message,
            }) => {
                tracing::warn!(command = name, org_id, %message, "provision is unavailable");
                Answer::Unavailable
            }
            Ok(Reply::Refused { code, message }) => Answer::Refused { code, message },
            Err(error) => {
                tracing::warn!(command = name, org_id, %error, "provision did not answer");
                Answer::Unavailable
            }
        };
        let outcome = match &answer {
            Answer::Done { .. } => "done",
            Answer::Refused { code, .. } => code.label(),
            Answer::Unavailable => "unavailable",
        };
        metrics::command(name, outcome);
        tracing::info!(command = name, org_id, outcome, "command answered");
        answer
    }

    /// Tells provision (for the admins' notifications) that someone asked for WiFi at an
    /// unmapped Optix location; at most once per location and person every 10 minutes, and for
    /// an anonymous visitor (`client`: their address) at most `unmapped_reports_per_client` in
    /// a window. Provision appends only for a location Optix knows for the organization, at
    /// most once an hour per location: however many ids are made up, the log and the
    /// notifications grow by at most one event per real location and hour.
    pub(crate) async fn report_unmapped(
        &self,
        org_id: &str,
        location_id: &str,
        user_id: Option<&str>,
        client: Option<&str>,
    ) {
        let key = format!("{org_id}/{location_id}/{}", user_id.unwrap_or("-"));
        {
            let mut reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
            if reports
                .get(&key)
                .is_some_and(|at| at.elapsed() < REPORT_EVERY)
            {
                return;
            }
            reports.put(key, Instant::now());
        }
        if let Some(client) = client {
            match self
                .limit(
                    "unmapped-client",
                    "",
                    client,
                    self.settings.unmapped_reports_per_client,
                )
                .await
            {
                Ok(db::Limit::Allowed) => {}
                Ok(db::Limit::Exceeded { .. }) => {
                    tracing::info!(org_id, "unmapped-location reports over the limit");
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, "counting an unmapped-location report failed");
                    return;
                }
            }
        }
        let actor = match user_id {
            Some(user) => format!("tenant:{user}"),
            None => "portal".to_owned(),
        };
        let _ = self
            .command(
                org_id,
                &actor,
                Command::ReportUnmappedLocation {
                    location_id: location_id.to_owned(),
                    user_id: user_id.map(str::to_owned),
                },
            )
            .await;
    }
}
