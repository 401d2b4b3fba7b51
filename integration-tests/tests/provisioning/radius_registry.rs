//! The RADIUS registry on real PostgreSQL and NATS (issue 16): NASes and members' devices
//! through provision's commands, the uniqueness checked at commit, and no secret in clear.

use bus::commands::{Command, NasSecretText};
use domain::NasDialect;
use integration_tests::Stack;
use integration_tests::stack::{DEMO_ORG, GASTOWN};

pub const NAS_SECRET: &str = "radius-secret-Xq7-never-in-clear";

pub fn register(nas_id: &str, address: &str) -> Command {
    Command::RegisterNas {
        nas_id: nas_id.into(),
        location_id: GASTOWN.into(),
        name: format!("AP {nas_id}"),
        address: address.into(),
        dialect: NasDialect::Hostapd,
        ssids: vec!["gastown-secure".into()],
        coa_port: None,
        secret: Some(NasSecretText(NAS_SECRET.into())),
    }
}

/// Registers a NAS at Gastown (mapped first by the caller) as the operator.
pub async fn register_nas(
    stack: &Stack,
    org_id: &str,
    nas_id: &str,
    address: &str,
) -> anyhow::Result<()> {
    stack.command_done(org_id, register(nas_id, address)).await
}

/// Adds a device to a member of the demo organization as the operator.
pub async fn add_device(stack: &Stack, user_id: &str, mac: &str) -> anyhow::Result<()> {
    stack
        .command_done(
            DEMO_ORG,
            Command::AddDevice {
                user_id: user_id.into(),
                mac: mac.into(),
                name: format!("phone {mac}"),
            },
        )
        .await
}
