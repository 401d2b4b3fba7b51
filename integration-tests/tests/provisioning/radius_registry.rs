//! The RADIUS registry on real PostgreSQL and NATS (issue 16): NASes and members' devices
//! through provision's commands, the uniqueness checked at commit, and no secret in clear.

use bus::commands::{Command, NasSecretText, RefusalCode, Reply};
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

const JEAN: &str = "12346"; // Hot Desk (all locations)
const AMARA: &str = "12348"; // Hot Desk IN_TRIAL
const HOT_DESK: &str = "916";
const ELSEWHERE: &str = "990002";

fn refusal(reply: &Reply) -> Option<(RefusalCode, String)> {
    match reply {
        Reply::Refused { code, message } => Some((*code, message.clone())),
        Reply::Done { .. } => None,
    }
}

fn add(user_id: &str, mac: &str) -> Command {
    Command::AddDevice {
        user_id: user_id.into(),
        mac: mac.into(),
        name: "Phone".into(),
    }
}

/// The MACs the read model holds for a member.
async fn macs(stack: &Stack, user_id: &str) -> anyhow::Result<Vec<String>> {
    let client = stack.pool.get().await?;
    Ok(store::queries::devices(&client, DEMO_ORG, user_id)
        .await?
        .iter()
        .map(|d| d.mac.to_string())
        .collect())
}

#[tokio::test]
async fn devices_are_limited_by_the_plan_unique_in_the_organization_and_erased_with_the_account()
-> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_demo_locations().await?;
    stack
        .map_plan_device_limit(HOT_DESK, 2, &[JEAN, AMARA])
        .await?;
    stack
        .command_done(DEMO_ORG, add(JEAN, "AA-BB-CC-00-00-01"))
        .await?;
    stack
        .command_done(DEMO_ORG, add(JEAN, "aabb.cc00.0002"))
        .await?;
    assert_eq!(macs(&stack, JEAN).await?, ["aabbcc000001", "aabbcc000002"]);

    let third = stack
        .command(DEMO_ORG, add(JEAN, "aa:bb:cc:00:00:03"))
        .await?;
    assert_eq!(
        refusal(&third),
        Some((
            RefusalCode::DeviceLimitReached,
            "You can register at most 2 devices; remove one first".into()
        ))
    );
    let bad = stack.command(DEMO_ORG, add(JEAN, "aa:bb:cc:00:00")).await?;
    assert_eq!(refusal(&bad).map(|r| r.0), Some(RefusalCode::InvalidMac));

    // Jean's MAC is not Amara's to take, in any spelling.
    let taken = stack.command(DEMO_ORG, add(AMARA, "AABBCC000001")).await?;
    assert_eq!(refusal(&taken).map(|r| r.0), Some(RefusalCode::DeviceTaken));

    // Removed, it is free again; the network binding it again to Amara changes nothing.
    let remove = Command::RemoveDevice {
        user_id: JEAN.into(),
        mac: "aa:bb:cc:00:00:01".into(),
    };
    stack.command_done(DEMO_ORG, remove.clone()).await?;
    let again = stack.command(DEMO_ORG, remove).await?;
    assert_eq!(
        refusal(&again).map(|r| r.0),
        Some(RefusalCode::UnknownDevice)
    );
    stack
        .command_done(DEMO_ORG, add(AMARA, "aabbcc000001"))
        .await?;
    let radius = stack
        .nats
        .bus_as(bus::auth::Identity::Radius)
        .await
        .map_err(anyhow::Error::msg)?;
    let bind = Command::BindDevice {
        user_id: AMARA.into(),
        mac: "aa:bb:cc:00:00:01".into(),
        via: domain::DeviceBinding::Accounting,
    };
    let rebound = radius.command(DEMO_ORG, "radius", bind).await?;
    assert_eq!(rebound, Reply::done(0), "binding again is a no-op");
    // The CLI may not claim to be the RADIUS service.
    let bind_as_cli = Command::BindDevice {
        user_id: AMARA.into(),
        mac: "aa:bb:cc:00:00:09".into(),
        via: domain::DeviceBinding::Accounting,
    };
    let forbidden = stack.cli.command(DEMO_ORG, "radius", bind_as_cli).await?;
    assert_eq!(
        refusal(&forbidden).map(|r| r.0),
        Some(RefusalCode::Forbidden)
    );

    // Amara leaves Optix: her devices leave the read model with her account.
    stack
        .sim
        .sim
        .apply(
            DEMO_ORG,
            optix_sim::Change::DeleteUser {
                user_id: AMARA.into(),
            },
            optix_sim::Notify::Webhook,
        )
        .await?;
    stack
        .member_until(DEMO_ORG, AMARA, "deletion", |m| m.is_none())
        .await?;
    assert!(macs(&stack, AMARA).await?.is_empty());
    Ok(())
}

/// Two members racing for one MAC: both decide on a state without the other's device, the
/// commit-time check lets exactly one through and the other is refused `device_taken`.
#[tokio::test]
async fn two_members_racing_for_one_mac_get_one_device_and_one_refusal() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_demo_locations().await?;
    for round in 0..5u8 {
        let mac = format!("02:00:00:00:01:{round:02x}");
        let (jean, amara) = tokio::join!(
            stack.command(DEMO_ORG, add(JEAN, &mac)),
            stack.command(DEMO_ORG, add(AMARA, &mac)),
        );
        let codes = [refusal(&jean?), refusal(&amara?)].map(|r| r.map(|r| r.0));
        assert!(
            codes.contains(&None) && codes.contains(&Some(RefusalCode::DeviceTaken)),
            "round {round}: {codes:?}"
        );
        let remove = |user: &str| Command::RemoveDevice {
            user_id: user.into(),
            mac: mac.clone(),
        };
        let owner = if codes[0].is_none() { JEAN } else { AMARA };
        stack.command_done(DEMO_ORG, remove(owner)).await?;
    }
    Ok(())
}

#[tokio::test]
async fn nas_addresses_never_overlap_across_organizations_and_the_secret_is_never_in_clear()
-> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_demo_locations().await?;
    let elsewhere = [ELSEWHERE, "Elsewhere", "elsewhere990002a1b2c3d4e5f6a7b8c9o"];
    stack.add_demo_org_copy(elsewhere, |other| {
        other.users.clear();
        other.account_plans.clear();
        other.teams.clear();
        other.bookings.clear();
    });
    stack.install(ELSEWHERE).await?;
    stack
        .map_location(ELSEWHERE, GASTOWN, integration_tests::stack::gastown())
        .await?;

    register_nas(&stack, DEMO_ORG, "lobby", "10.30.0.0/24").await?;
    // The same id at the same address is a re-registration: nothing changes.
    let again = stack
        .command(DEMO_ORG, register("lobby", "10.30.0.0/24"))
        .await?;
    assert!(matches!(again, Reply::Done { .. }), "{again:?}");
    for (org, nas_id, address) in [
        (ELSEWHERE, "ap", "10.30.0.7"),
        (ELSEWHERE, "ap", "10.0.0.0/8"),
        (DEMO_ORG, "second", "10.30.0.128/25"),
    ] {
        let reply = stack.command(org, register(nas_id, address)).await?;
        assert_eq!(
            refusal(&reply).map(|r| r.0),
            Some(RefusalCode::NasAddressTaken),
            "{org} {address}"
        );
    }
    register_nas(&stack, ELSEWHERE, "ap", "10.31.0.7").await?;
    let mut unmapped = register("third", "10.32.0.1");
    if let Command::RegisterNas { location_id, .. } = &mut unmapped {
        *location_id = "4242".into();
    }
    let reply = stack.command(DEMO_ORG, unmapped).await?;
    assert_eq!(
        refusal(&reply).map(|r| r.0),
        Some(RefusalCode::UnknownLocation)
    );
    let bad = stack
        .command(DEMO_ORG, register("Bad Id", "10.33.0.1"))
        .await?;
    assert_eq!(refusal(&bad).map(|r| r.0), Some(RefusalCode::Invalid));

    // The read model finds a NAS by a request's source address, per organization.
    let client = stack.pool.get().await?;
    let found = store::queries::nas_for_ip(&client, "10.31.0.7".parse()?).await?;
    assert_eq!(
        found.map(|n| (n.org_id, n.nas_id, n.address)),
        Some((ELSEWHERE.into(), "ap".into(), "10.31.0.7/32".into()))
    );
    let lobby = store::queries::nas(&client, DEMO_ORG, "lobby")
        .await?
        .expect("lobby");
    let opened = secrets::open_nas_secret(&stack.keys, DEMO_ORG, "lobby", &lobby.secret)?;
    assert_eq!(opened.expose(), NAS_SECRET);
    assert_eq!(store::queries::all_nases(&client).await?.len(), 2);

    // Nowhere in clear: not in the log, not in any table.
    assert_eq!(stack.events_with_data_containing(NAS_SECRET).await?, 0);
    let tables: Vec<String> = integration_tests::database::first_column(
        &stack.pool,
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .await?;
    assert!(tables.iter().any(|t| t == "radius_nas"), "{tables:?}");
    for table in &tables {
        let row = client
            .query_one(
                &format!("SELECT count(*) FROM {table} t WHERE t::text LIKE '%' || $1 || '%'"),
                &[&NAS_SECRET],
            )
            .await?;
        assert_eq!(
            row.get::<_, i64>(0),
            0,
            "the NAS secret is in clear in {table}"
        );
    }

    // Removed, its address is free for the other organization.
    stack
        .command_done(
            DEMO_ORG,
            Command::RemoveNas {
                nas_id: "lobby".into(),
            },
        )
        .await?;
    let gone = stack
        .command(
            DEMO_ORG,
            Command::RemoveNas {
                nas_id: "lobby".into(),
            },
        )
        .await?;
    assert_eq!(refusal(&gone).map(|r| r.0), Some(RefusalCode::UnknownNas));
    register_nas(&stack, ELSEWHERE, "moved", "10.30.0.0/24").await?;
    Ok(())
}
