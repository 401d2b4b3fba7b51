//! The cloud controllers' commands: map a location to a controller (its credentials sealed
//! here, before they enter an event), unmap it, and record the controllers service's report of
//! a vendor's key limit (the admins' notification).

use crate::commands::reply;
use crate::error::ProvisionError;
use crate::provisioner::Provisioner;
use bus::commands::{Command, RefusalCode, Reply};
use domain::controller::{ControllerCommand, ControllerError, NewCredentials};
use domain::nas::SecretText;
use secrets::controllers::{fetch_token_hash, seal_controller_credentials};
use store::decide;
use store::event_log::Metadata;

fn controller_refusal(refusal: ControllerError) -> Reply {
    let code = match &refusal {
        ControllerError::LocationNotMapped => RefusalCode::UnknownLocation,
        _ => RefusalCode::Invalid,
    };
    Reply::refused(code, refusal.to_string())
}

impl Provisioner {
    /// `MapController`, `UnmapController` and `ReportControllerOverLimit`.
    pub(crate) async fn controller_command(
        &self,
        org_id: &str,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let (location_id, command) = match command {
            Command::MapController {
                location_id,
                target,
                credentials,
            } => {
                let clear = SecretText::new(credentials.0);
                let sealed =
                    seal_controller_credentials(self.keys(), org_id, &location_id, clear.expose());
                let token_hash = target
                    .credential_is_fetch_token()
                    .then(|| fetch_token_hash(self.keys(), clear.expose()));
                let credentials = NewCredentials {
                    clear,
                    sealed,
                    token_hash,
                };
                let map = ControllerCommand::Map {
                    target,
                    credentials,
                    location_mapped: false,
                    token_taken: false,
                };
                (location_id, map)
            }
            Command::UnmapController { location_id } => (location_id, ControllerCommand::Unmap),
            Command::ReportControllerOverLimit {
                location_id,
                wanted,
                limit,
            } => (
                location_id,
                ControllerCommand::ReportOverLimit { wanted, limit },
            ),
            _ => {
                return Ok(Reply::refused(
                    RefusalCode::Invalid,
                    "not a controller command",
                ));
            }
        };
        let inputs = (
            self.writer(),
            org_id,
            location_id.as_str(),
            &command,
            metadata,
        );
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, location_id, command, metadata)| {
                let command = (*command).clone();
                Box::pin(writer.decide_controller(tx, org_id, location_id, command, metadata))
            },
        )
        .await;
        reply(decided, controller_refusal)
    }
}
