//! The RADIUS registry's commands: NASes (register, remove) and members' devices (add,
//! remove, bind from the network, disconnect history). Uniqueness the store checks at commit
//! (a MAC per organization, NAS addresses across organizations) is looked up first so the
//! refusal is clear; a race lost at commit is decided again and refused then.

use crate::commands::{member_refusal, reply};
use crate::error::ProvisionError;
use crate::provisioner::Provisioner;
use bus::commands::{Actor, Command, RefusalCode, Reply};
use chrono::Utc;
use domain::devices::{DeviceBinding, DeviceRemover, Mac};
use domain::member::MemberCommand;
use domain::nas::{DEFAULT_COA_PORT, NasError, NasRequest, NewSecret, SecretText};
use store::decide;
use store::event_log::Metadata;

fn nas_refusal(refusal: NasError) -> Reply {
    let code = match &refusal {
        NasError::AddressTaken(_) => RefusalCode::NasAddressTaken,
        NasError::LocationNotMapped(_) => RefusalCode::UnknownLocation,
        NasError::NoSuchNas => RefusalCode::UnknownNas,
        _ => RefusalCode::Invalid,
    };
    Reply::refused(code, refusal.to_string())
}

/// The member change a device command asks for, with the MAC parsed.
enum DeviceChange {
    Add { name: String, via: DeviceBinding },
    Bind { via: DeviceBinding },
    Remove { by: DeviceRemover },
}

/// Who registers a device for the words and the read model: a tenant, or an admin (the
/// operator counts as one).
fn binding_of(actor: Option<&Actor>) -> DeviceBinding {
    match actor {
        Some(Actor::Tenant(_)) => DeviceBinding::Tenant,
        _ => DeviceBinding::Admin,
    }
}

fn remover_of(actor: Option<&Actor>) -> DeviceRemover {
    match actor {
        Some(Actor::Tenant(_)) => DeviceRemover::Tenant,
        Some(Actor::Operator) => DeviceRemover::Operator,
        _ => DeviceRemover::Admin,
    }
}

impl Provisioner {
    /// `RegisterNas` and `RemoveNas`.
    pub(crate) async fn nas_command(
        &self,
        org_id: &str,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let (nas_id, nas_command) = match command {
            Command::RegisterNas {
                nas_id,
                location_id,
                name,
                address,
                dialect,
                ssids,
                coa_port,
                secret,
            } => {
                let secret = secret.map(|clear| {
                    let clear = SecretText::new(clear.0);
                    let sealed = secrets::seal_nas_secret(self.keys(), org_id, &nas_id, &clear);
                    NewSecret { clear, sealed }
                });
                let request = NasRequest {
                    nas_id: nas_id.clone(),
                    location_id,
                    name,
                    address,
                    dialect,
                    ssids,
                    coa_port: coa_port.unwrap_or(DEFAULT_COA_PORT),
                    secret,
                };
                (nas_id, Some(request))
            }
            Command::RemoveNas { nas_id } => (nas_id, None),
            _ => return Ok(Reply::refused(RefusalCode::Invalid, "not a NAS command")),
        };
        if let Err(refusal) = domain::nas::check_nas_id(&nas_id) {
            return Ok(nas_refusal(refusal));
        }
        let inputs = (
            self.writer(),
            org_id,
            nas_id.as_str(),
            &nas_command,
            metadata,
        );
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, nas_id, request, metadata)| {
                let request = (*request).clone();
                Box::pin(writer.decide_nas(tx, org_id, nas_id, request, metadata))
            },
        )
        .await;
        reply(decided, nas_refusal)
    }

    /// `AddDevice`, `RemoveDevice`, `BindDevice` and `RecordDisconnect`.
    pub(crate) async fn device_command(
        &self,
        org_id: &str,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let actor = Actor::parse(&metadata.actor);
        let (user_id, mac, change) = match command {
            Command::AddDevice { user_id, mac, name } => {
                let via = binding_of(actor.as_ref());
                (user_id, mac, DeviceChange::Add { name, via })
            }
            Command::RemoveDevice { user_id, mac } => {
                let by = remover_of(actor.as_ref());
                (user_id, mac, DeviceChange::Remove { by })
            }
            Command::BindDevice { user_id, mac, via } => (user_id, mac, DeviceChange::Bind { via }),
            Command::RecordDisconnect { user_id, record } => {
                let command = MemberCommand::RecordDisconnect(record);
                return self
                    .member_command(org_id, &user_id, None, command, metadata)
                    .await;
            }
            _ => return Ok(Reply::refused(RefusalCode::Invalid, "not a device command")),
        };
        let mac: Mac = match mac.parse() {
            Ok(mac) => mac,
            Err(e) => return Ok(Reply::refused(RefusalCode::InvalidMac, e.to_string())),
        };
        let now = Utc::now();
        let command = match change {
            DeviceChange::Add { name, via } => MemberCommand::AddDevice {
                mac,
                name,
                via,
                taken: false,
                now,
            },
            DeviceChange::Bind { via } => MemberCommand::BindDevice {
                mac,
                via,
                taken: false,
                now,
            },
            DeviceChange::Remove { by } => MemberCommand::RemoveDevice { mac, by },
        };
        self.member_command(org_id, &user_id, Some(mac), command, metadata)
            .await
    }

    /// Decides `command` on the member's stream; with `mac`, whether another member of the
    /// organization has it is looked up first (and checked again at commit).
    async fn member_command(
        &self,
        org_id: &str,
        user_id: &str,
        mac: Option<Mac>,
        command: MemberCommand,
        metadata: &Metadata,
    ) -> Result<Reply, ProvisionError> {
        let inputs = (self.writer(), org_id, user_id, mac, &command, metadata);
        let decided = decide::in_transaction(
            self.pool(),
            &inputs,
            |tx, (writer, org_id, user_id, mac, command, metadata)| {
                let command = (*command).clone();
                Box::pin(writer.decide_device(tx, org_id, user_id, *mac, command, metadata))
            },
        )
        .await;
        reply(decided, member_refusal)
    }
}
