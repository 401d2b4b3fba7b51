//! The coworking access rules end to end: optix-sim changes the organization and sends the
//! webhooks Optix sends, ingest verifies and stores them in NATS, provision reconciles against
//! the simulated Optix API and commits to PostgreSQL, and the tests read the projections.

use bus::commands::{Command, PassphraseText, RefusalCode, Reply};
use chrono::{DateTime, Utc};
use domain::AccessProfile;
use integration_tests::stack::{DEMO_ORG, GASTOWN, TRASTEVERE};
use integration_tests::{Stack, StackOptions, eventually};
use optix_sim::{Change, Notify};
use std::time::Duration;
use store::queries::MemberView;

const JEAN: &str = "12346"; // Hot Desk (all locations), ACTIVE
const RICHARD: &str = "12347"; // Dedicated Desk at 3390, team The Cube Team
const AMARA: &str = "12348"; // Hot Desk IN_TRIAL, team The Cube Team
const LUCA: &str = "12349"; // a meeting-room booking today in Rome (3391), no plan
const MEI: &str = "12350"; // nothing
const CUBE_TEAM: &str = "123123";
const HOT_DESK: &str = "916";
const DEDICATED_DESK: &str = "917";
const VIRTUAL_OFFICE: &str = "918";
const DAY_PASS: &str = "919";
const VANCOUVER: &str = "3390";
const ROME: &str = "3391";

fn now() -> i64 {
    Utc::now().timestamp()
}

fn refusal(reply: Reply) -> Option<RefusalCode> {
    match reply {
        Reply::Refused { code, .. } => Some(code),
        Reply::Done { .. } => None,
    }
}

pub(crate) fn live(member: Option<&MemberView>) -> bool {
    member.is_some_and(|m| m.status == "active" && m.live_grants(Utc::now()).next().is_some())
}

async fn apply(stack: &Stack, change: Change) -> anyhow::Result<Option<String>> {
    Ok(stack
        .sim
        .sim
        .apply(DEMO_ORG, change, Notify::Webhook)
        .await?
        .id)
}

async fn apply_quietly(stack: &Stack, change: Change) -> anyhow::Result<Option<String>> {
    Ok(stack
        .sim
        .sim
        .apply(DEMO_ORG, change, Notify::Quietly)
        .await?
        .id)
}

/// A new Optix user nobody told Lanyard about.
async fn quiet_user(stack: &Stack, name: &str) -> anyhow::Result<String> {
    apply_quietly(
        stack,
        Change::AddUser {
            name: name.into(),
            surname: "Test".into(),
            email: format!("{}@example.com", name.to_lowercase()),
            is_admin: false,
        },
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("no user id"))
}

/// Maps a plan of the demo organization to the access profile named `name`: the default
/// one as `adjust` changes it.
async fn map_plan(
    stack: &Stack,
    plan_template_id: &str,
    name: &str,
    adjust: impl FnOnce(&mut AccessProfile),
) -> anyhow::Result<()> {
    let mut profile = AccessProfile {
        name: name.into(),
        ..AccessProfile::default()
    };
    adjust(&mut profile);
    let plan_template_id = plan_template_id.into();
    stack
        .command_done(
            DEMO_ORG,
            Command::MapPlan {
                plan_template_id,
                profile,
            },
        )
        .await
}

/// A new Optix user with an open-ended hot desk plan, nobody told Lanyard about.
async fn quiet_hot_desker(stack: &Stack, name: &str) -> anyhow::Result<String> {
    let user_id = quiet_user(stack, name).await?;
    apply_quietly(
        stack,
        Change::AddPlan {
            user_id: user_id.clone(),
            plan_template_id: HOT_DESK.into(),
            starts_in_secs: 0,
            ends_in_secs: None,
        },
    )
    .await?;
    Ok(user_id)
}

/// The member's passphrase in force, opened with their data key.
async fn passphrase(stack: &Stack, user_id: &str) -> anyhow::Result<String> {
    stack.passphrase(DEMO_ORG, user_id).await
}

#[tokio::test]
async fn an_account_is_bound_where_it_is_first_needed_and_never_has_two_passphrases()
-> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_demo_locations().await?;
    // No sync (the mappings ask for one) may see Nia before the portal does.
    stack.wait_for_syncs_to_settle().await?;

    // A member Lanyard has never heard of opens the portal of Rome: the account is bound there.
    let nia = quiet_hot_desker(&stack, "Nia").await?;
    let onboard = |location: &str| Command::Onboard {
        user_id: nia.clone(),
        location_id: location.into(),
        via: domain::events::OnboardedVia::Portal,
    };
    stack.command_done(DEMO_ORG, onboard(ROME)).await?;
    let member = stack.member(DEMO_ORG, &nia).await?.expect("account");
    assert_eq!(member.home_location.as_deref(), Some(ROME));
    assert_eq!(member.onboarded_via, "portal");
    assert!(live(Some(&member)));
    // Later, from Vancouver's portal: the same account, still bound to Rome, one passphrase.
    stack.command_done(DEMO_ORG, onboard(VANCOUVER)).await?;
    let member = stack.member(DEMO_ORG, &nia).await?.expect("account");
    assert_eq!(member.home_location.as_deref(), Some(ROME));
    assert_eq!(stack.passphrases_issued(DEMO_ORG, &nia).await?, 1);

    // An account made from a webhook is bound where the booking is.
    let start = now() + 600;
    apply(
        &stack,
        Change::AddBooking {
            user_id: MEI.into(),
            location_id: VANCOUVER.into(),
            resource_name: "Phone booth".into(),
            start_timestamp: start,
            end_timestamp: start + 1800,
            invitees: vec![],
        },
    )
    .await?;
    let mei = stack
        .member_until(DEMO_ORG, MEI, "an account", |m| m.is_some())
        .await?
        .expect("account");
    assert_eq!(mei.home_location.as_deref(), Some(VANCOUVER));
    // The webhook, or the sync the location mapping asked for, whichever came first.
    assert!(["webhook", "sync"].contains(&mei.onboarded_via.as_str()));

    // An account a sync opened from a plan valid everywhere has no location until its holder
    // first asks for WiFi: that binds it.
    assert_eq!(
        stack
            .member(DEMO_ORG, JEAN)
            .await?
            .and_then(|m| m.home_location),
        None
    );
    stack
        .command_done(
            DEMO_ORG,
            Command::Onboard {
                user_id: JEAN.into(),
                location_id: VANCOUVER.into(),
                via: domain::events::OnboardedVia::MobileApp,
            },
        )
        .await?;
    let jean = stack.member(DEMO_ORG, JEAN).await?.expect("Jean");
    assert_eq!(jean.home_location.as_deref(), Some(VANCOUVER));
    assert!(live(Some(&jean)));

    // Nobody gets an account without a plan or booking; an unmapped location is refused and
    // reported to the admins with the Optix location id.
    let nobody = quiet_user(&stack, "Ola").await?;
    let reply = stack
        .command(
            DEMO_ORG,
            Command::Onboard {
                user_id: nobody.clone(),
                location_id: ROME.into(),
                via: domain::events::OnboardedVia::MobileApp,
            },
        )
        .await?;
    assert_eq!(refusal(reply), Some(RefusalCode::NoAccess));
    assert!(stack.member(DEMO_ORG, &nobody).await?.is_none());
    // A location the organization opens in Optix that nobody mapped in Lanyard yet.
    stack.sim.sim.with_state(|s| {
        if let Some(org) = s.orgs.get_mut(DEMO_ORG) {
            org.locations.push(optix_sim::model::Location {
                location_id: "4242".into(),
                name: "Harbour Annex".into(),
                timezone: "America/Vancouver".into(),
            });
        }
    });
    let reply = stack
        .command(
            DEMO_ORG,
            Command::Onboard {
                user_id: nia.clone(),
                location_id: "4242".into(),
                via: domain::events::OnboardedVia::MobileApp,
            },
        )
        .await?;
    assert_eq!(refusal(reply), Some(RefusalCode::LocationNotMapped));
    let client = stack.pool.get().await?;
    let notices = store::queries::notifications(&client, DEMO_ORG, 10).await?;
    assert!(
        notices
            .iter()
            .any(|n| n.kind == "unmapped_location" && n.subject == "4242"),
        "{notices:?}"
    );
    // An id Optix does not know for the organization is refused the same way, but recorded
    // nowhere (anyone can put one in a URL).
    let events = stack.event_count().await?;
    let reply = stack
        .command(
            DEMO_ORG,
            Command::Onboard {
                user_id: nia.clone(),
                location_id: "4243".into(),
                via: domain::events::OnboardedVia::MobileApp,
            },
        )
        .await?;
    assert_eq!(refusal(reply), Some(RefusalCode::LocationNotMapped));
    assert_eq!(stack.event_count().await?, events);
    let notices = store::queries::notifications(&client, DEMO_ORG, 10).await?;
    assert!(!notices.iter().any(|n| n.subject == "4243"), "{notices:?}");
    Ok(())
}

#[tokio::test]
async fn active_and_trial_plans_grant_access_at_their_locations_until_their_end()
-> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let jean = stack.member(DEMO_ORG, JEAN).await?;
    let amara = stack.member(DEMO_ORG, AMARA).await?;
    let richard = stack.member(DEMO_ORG, RICHARD).await?.expect("Richard");
    assert!(
        live(jean.as_ref()) && live(amara.as_ref()),
        "active and trial"
    );
    assert!(
        jean.expect("Jean").access_until(Utc::now()).is_none(),
        "open-ended"
    );
    // The Dedicated Desk is valid in Vancouver only: the account is bound there.
    assert_eq!(richard.home_location.as_deref(), Some(VANCOUVER));

    // A plan with an end grants until that end.
    let end = now() + 3 * 3600;
    apply(
        &stack,
        Change::AddPlan {
            user_id: MEI.into(),
            plan_template_id: HOT_DESK.into(),
            starts_in_secs: 0,
            ends_in_secs: Some(end - now()),
        },
    )
    .await?;
    let mei = stack
        .member_until(DEMO_ORG, MEI, "live access", live)
        .await?
        .expect("Mei");
    let until = mei.access_until(Utc::now()).expect("an end");
    assert!((until.timestamp() - end).abs() <= 1, "{until} vs {end}");

    // A plan valid at another location than the account's gives nothing there.
    apply(
        &stack,
        Change::AddPlan {
            user_id: LUCA.into(),
            plan_template_id: DEDICATED_DESK.into(),
            starts_in_secs: 0,
            ends_in_secs: None,
        },
    )
    .await?;
    stack.wait_until_provisioned().await?;
    let luca = stack.member(DEMO_ORG, LUCA).await?.expect("Luca");
    assert_eq!(
        luca.home_location.as_deref(),
        Some(ROME),
        "bound by today's booking"
    );
    assert!(
        luca.grants.iter().all(|g| g.basis != "plan"),
        "the Vancouver desk does not grant in Rome: {:?}",
        luca.grants
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_grants_access_until_midnight_where_it_is_and_follows_moves_and_cancellations()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    // Luca's other booking (tomorrow, with a guest) is not this test's business.
    apply_quietly(
        &stack,
        Change::CancelBooking {
            booking_id: "39554".into(),
        },
    )
    .await?;
    stack.install(DEMO_ORG).await?;
    let (booking_id, start) = stack.sim.sim.with_state(|s| {
        let b = &s.orgs[DEMO_ORG].bookings[0];
        (b.booking_id.clone(), b.start_timestamp)
    });
    let rome = chrono_tz::Europe::Rome;
    let start = DateTime::from_timestamp(start, 0).expect("start");
    let luca = stack.member(DEMO_ORG, LUCA).await?.expect("Luca");
    let grant = &luca.grants[0];
    assert_eq!(grant.basis, "booking");
    assert_eq!(
        grant.valid_until,
        Some(domain::access::end_of_local_day(start, rome))
    );
    assert_eq!(
        grant
            .valid_until
            .map(|u| u.with_timezone(&rome).format("%H:%M").to_string()),
        Some("00:00".into()),
        "midnight in Rome"
    );

    // Moved to tomorrow: the grant moves to tomorrow's local day.
    let tomorrow = start + chrono::Duration::days(1);
    apply(
        &stack,
        Change::MoveBooking {
            booking_id: booking_id.clone(),
            start_timestamp: tomorrow.timestamp(),
            end_timestamp: tomorrow.timestamp() + 7200,
        },
    )
    .await?;
    let expected_until = domain::access::end_of_local_day(tomorrow, rome);
    stack
        .member_until(DEMO_ORG, LUCA, "the grant to move to tomorrow", |m| {
            m.is_some_and(|m| m.grants.first().and_then(|g| g.valid_until) == Some(expected_until))
        })
        .await?;

    // Cancelled: no grant left, the account is suspended but kept.
    apply(&stack, Change::CancelBooking { booking_id }).await?;
    let luca = stack
        .member_until(DEMO_ORG, LUCA, "suspension", |m| {
            m.is_some_and(|m| m.status == "suspended")
        })
        .await?
        .expect("kept");
    assert!(luca.grants.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_team_is_a_group_whose_vlan_all_its_members_share_and_no_other_live_group_holds()
-> anyhow::Result<()> {
    let stack = Stack::start_installed_with_vlan_pool(100, 101).await?;
    let at = Utc::now();
    let richard = stack.member(DEMO_ORG, RICHARD).await?.expect("Richard");
    let amara = stack.member(DEMO_ORG, AMARA).await?.expect("Amara");
    assert_eq!(richard.vlan(at), Some(100));
    assert_eq!(amara.vlan(at), Some(100), "one VLAN for the whole team");

    // A second team takes the other VLAN; a third finds the pool full and the admins are told.
    let blue = apply(
        &stack,
        Change::AddTeam {
            name: "Blue".into(),
        },
    )
    .await?
    .expect("team id");
    apply(
        &stack,
        Change::AddTeamMember {
            team_id: blue.clone(),
            user_id: JEAN.into(),
        },
    )
    .await?;
    let jean = stack
        .member_until(DEMO_ORG, JEAN, "Blue's VLAN", |m| {
            m.is_some_and(|m| m.vlan(Utc::now()) == Some(101))
        })
        .await?
        .expect("Jean");
    assert_eq!(jean.group.as_ref().map(|g| g.name.as_str()), Some("Blue"));
    let green = apply(
        &stack,
        Change::AddTeam {
            name: "Green".into(),
        },
    )
    .await?
    .expect("team id");
    apply(
        &stack,
        Change::AddTeamMember {
            team_id: green.clone(),
            user_id: AMARA.into(),
        },
    )
    .await?;
    apply(
        &stack,
        Change::RemoveTeamMember {
            team_id: CUBE_TEAM.into(),
            user_id: AMARA.into(),
        },
    )
    .await?;
    // Amara's teams are now Green only (Cube lost her): she leaves Cube's group for Green's.
    let amara = stack
        .member_until(DEMO_ORG, AMARA, "Green's group", |m| {
            m.is_some_and(|m| m.team_id.as_deref() == Some(green.as_str()))
        })
        .await?
        .expect("Amara");
    assert_eq!(amara.vlan(Utc::now()), None, "the pool is full");
    let client = stack.pool.get().await?;
    let notices = store::queries::notifications(&client, DEMO_ORG, 20).await?;
    assert!(
        notices
            .iter()
            .any(|n| n.kind == "group_without_vlan" && n.subject == green)
    );

    // Jean leaves Blue; Optix removes the team; the sync deletes its group and frees 101,
    // which Green then gets.
    apply(
        &stack,
        Change::RemoveTeamMember {
            team_id: blue.clone(),
            user_id: JEAN.into(),
        },
    )
    .await?;
    stack
        .member_until(DEMO_ORG, JEAN, "leaving the group", |m| {
            m.is_some_and(|m| m.team_id.is_none() && m.vlan(Utc::now()).is_none())
        })
        .await?;
    apply(
        &stack,
        Change::DeleteTeam {
            team_id: blue.clone(),
        },
    )
    .await?;
    stack.command_done(DEMO_ORG, Command::SyncNow).await?;
    stack
        .member_until(DEMO_ORG, AMARA, "Green to get the freed VLAN", |m| {
            m.is_some_and(|m| m.vlan(Utc::now()) == Some(101))
        })
        .await?;
    let groups = store::queries::groups(&client, DEMO_ORG).await?;
    assert!(groups.iter().all(|(g, _)| g.team_id != blue), "{groups:?}");
    let mut vlans: Vec<u16> = groups.iter().filter_map(|(g, _)| g.vlan).collect();
    let held = vlans.len();
    vlans.dedup();
    assert_eq!(vlans.len(), held, "no VLAN held by two live groups");
    Ok(())
}

#[tokio::test]
async fn a_cancelled_plan_suspends_and_a_deleted_member_is_forgotten() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.sim.sim.cancel_plan(DEMO_ORG, "29191").await?;
    let jean = stack
        .member_until(DEMO_ORG, JEAN, "suspension", |m| {
            m.is_some_and(|m| m.status == "suspended")
        })
        .await?
        .expect("the account is kept");
    assert!(jean.grants.is_empty() && jean.passphrase.is_some());

    let sealed_before = passphrase(&stack, AMARA).await?;
    apply(
        &stack,
        Change::DeleteUser {
            user_id: AMARA.into(),
        },
    )
    .await?;
    stack
        .member_until(DEMO_ORG, AMARA, "deletion", |m| m.is_none())
        .await?;
    let client = stack.pool.get().await?;
    assert!(
        store::queries::member_key(&client, DEMO_ORG, AMARA)
            .await?
            .is_none(),
        "the data key is destroyed with the account"
    );
    // The log still holds the sealed passphrase, which nothing can open any more.
    assert!(passphrase(&stack, AMARA).await.is_err());
    let clear = stack.events_with_data_containing(&sealed_before).await?;
    assert_eq!(clear, 0);
    Ok(())
}

#[tokio::test]
async fn plans_map_to_access_profiles_and_unmapped_plans_use_the_default() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    map_plan(&stack, DEDICATED_DESK, "premium", |premium| {
        premium.vlan = Some(200);
        premium.bandwidth_up_kbps = Some(50_000);
        premium.bandwidth_down_kbps = Some(200_000);
    })
    .await?;
    map_plan(&stack, VIRTUAL_OFFICE, "virtual office", |office| {
        office.wifi = false;
    })
    .await?;
    stack
        .command_done(
            DEMO_ORG,
            Command::SetDefaultProfile {
                profile: AccessProfile {
                    name: "basic".into(),
                    bandwidth_down_kbps: Some(20_000),
                    ..AccessProfile::default()
                },
            },
        )
        .await?;
    // The sync the configuration asked for applies it to existing members.
    let richard = stack
        .member_until(DEMO_ORG, RICHARD, "the premium profile", |m| {
            m.is_some_and(|m| m.vlan(Utc::now()) == Some(200))
        })
        .await?
        .expect("Richard");
    let network = richard.grants[0].network.clone().expect("network");
    assert_eq!(network.profile, "premium");
    assert_eq!(network.bandwidth_down_kbps, Some(200_000));
    stack
        .member_until(DEMO_ORG, JEAN, "the default profile", |m| {
            m.is_some_and(|m| {
                m.grants
                    .iter()
                    .any(|g| g.network.as_ref().is_some_and(|n| n.profile == "basic"))
            })
        })
        .await?;

    // A virtual office gives no WiFi: no account.
    apply(
        &stack,
        Change::AddPlan {
            user_id: MEI.into(),
            plan_template_id: VIRTUAL_OFFICE.into(),
            starts_in_secs: 0,
            ends_in_secs: None,
        },
    )
    .await?;
    stack.wait_until_provisioned().await?;
    assert!(stack.member(DEMO_ORG, MEI).await?.is_none());

    // Invalid profiles are refused with the reason.
    let reply = stack
        .command(
            DEMO_ORG,
            Command::MapPlan {
                plan_template_id: HOT_DESK.into(),
                profile: AccessProfile {
                    vlan: Some(5000),
                    ..AccessProfile::default()
                },
            },
        )
        .await?;
    assert_eq!(refusal(reply), Some(RefusalCode::Invalid));
    Ok(())
}

#[tokio::test]
async fn meeting_guests_and_day_passes_expire_on_time_without_a_webhook() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let guest = quiet_user(&stack, "Gus").await?;
    let start = now() - 60;
    apply(
        &stack,
        Change::AddBooking {
            user_id: LUCA.into(),
            location_id: ROME.into(),
            resource_name: "Meeting Room B".into(),
            start_timestamp: start,
            end_timestamp: now() + 4,
            invitees: vec![guest.clone()],
        },
    )
    .await?;
    let member = stack
        .member_until(DEMO_ORG, &guest, "the guest's key", live)
        .await?
        .expect("guest");
    assert_eq!(member.grants[0].basis, "guest");
    assert_eq!(member.home_location.as_deref(), Some(ROME));
    assert_ne!(
        passphrase(&stack, &guest).await?,
        passphrase(&stack, LUCA).await?,
        "the guest has a passphrase of their own"
    );

    // A day pass: 24 hours from its start.
    map_plan(&stack, DAY_PASS, "daypass", |daypass| {
        daypass.duration_hours = Some(24);
    })
    .await?;
    let visitor = quiet_user(&stack, "Vic").await?;
    apply(
        &stack,
        Change::AddPlan {
            user_id: visitor.clone(),
            plan_template_id: DAY_PASS.into(),
            starts_in_secs: -(24 * 3600 - 5),
            ends_in_secs: None,
        },
    )
    .await?;
    let pass = stack
        .member_until(DEMO_ORG, &visitor, "the day pass", live)
        .await?
        .expect("visitor");
    assert_eq!(pass.grants[0].basis, "day_pass");

    // Both end on time with no webhook: the scheduler records the expiry.
    let deliveries = stack.sim.sim.deliveries().len();
    for user in [&guest, &visitor] {
        stack
            .member_until(DEMO_ORG, user, "the expiry", |m| {
                m.is_some_and(|m| m.status == "suspended" && m.grants.is_empty())
            })
            .await?;
        let client = stack.pool.get().await?;
        let reason: serde_json::Value = client
            .query_one(
                "SELECT data->'reason' FROM events WHERE stream_id = $1 AND event_type = 'AccessRevoked'",
                &[&format!("member-{DEMO_ORG}-{user}")],
            )
            .await?
            .get(0);
        assert_eq!(reason, "expired");
    }
    assert_eq!(
        stack.sim.sim.deliveries().len(),
        deliveries,
        "no webhook involved"
    );
    Ok(())
}

#[tokio::test]
async fn tenants_set_and_regenerate_passphrases_within_the_policy() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let set = |user: &str, text: &str| Command::SetPassphrase {
        user_id: user.into(),
        passphrase: PassphraseText(text.into()),
    };
    let reply = stack.command(DEMO_ORG, set(JEAN, "short")).await?;
    assert_eq!(refusal(reply.clone()), Some(RefusalCode::InvalidPassphrase));
    assert!(matches!(reply, Reply::Refused { message, .. } if message.contains("8 characters")));
    assert_eq!(
        refusal(stack.command(DEMO_ORG, set(JEAN, "pass;word123")).await?),
        Some(RefusalCode::InvalidPassphrase)
    );
    stack
        .command_done(DEMO_ORG, set(JEAN, "correct horse battery"))
        .await?;
    assert_eq!(passphrase(&stack, JEAN).await?, "correct horse battery");
    assert_eq!(
        refusal(
            stack
                .command(DEMO_ORG, set(RICHARD, "correct horse battery"))
                .await?
        ),
        Some(RefusalCode::PassphraseTaken),
        "unique within the organization"
    );
    stack
        .command_done(
            DEMO_ORG,
            Command::RegeneratePassphrase {
                user_id: JEAN.into(),
            },
        )
        .await?;
    let generated = passphrase(&stack, JEAN).await?;
    assert_ne!(generated, "correct horse battery");
    domain::passphrase::validate(&generated)?;
    // The freed passphrase may now be taken by someone else.
    stack
        .command_done(DEMO_ORG, set(RICHARD, "correct horse battery"))
        .await?;

    stack.sim.sim.cancel_plan(DEMO_ORG, "29191").await?;
    stack
        .member_until(DEMO_ORG, JEAN, "suspension", |m| {
            m.is_some_and(|m| m.status == "suspended")
        })
        .await?;
    assert_eq!(
        refusal(
            stack
                .command(DEMO_ORG, set(JEAN, "another fine key"))
                .await?
        ),
        Some(RefusalCode::Suspended)
    );
    assert_eq!(
        refusal(
            stack
                .command(DEMO_ORG, set(MEI, "another fine key"))
                .await?
        ),
        Some(RefusalCode::NoAccount)
    );
    Ok(())
}

#[tokio::test]
async fn a_sync_repairs_a_dropped_webhook_and_reports_the_drift() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let plan = stack.sim.sim.add_plan(DEMO_ORG, MEI, HOT_DESK).await?;
    stack
        .member_until(DEMO_ORG, MEI, "live access", live)
        .await?;
    stack.sim.sim.cancel_plan_quietly(DEMO_ORG, &plan)?;
    stack.command_done(DEMO_ORG, Command::SyncNow).await?;
    stack
        .member_until(DEMO_ORG, MEI, "the sync's repair", |m| {
            m.is_some_and(|m| m.status == "suspended")
        })
        .await?;
    let client = stack.pool.get().await?;
    let runs = eventually("the drift report", Duration::from_secs(10), || async {
        let runs = store::queries::sync_runs(&client, DEMO_ORG, 1).await?;
        Ok(runs.first().filter(|r| r.kind == "manual").cloned())
    })
    .await?;
    assert_eq!(runs.outcome, "ok");
    assert_eq!(runs.corrected_streams, Some(1));
    let corrections = runs.corrections.expect("corrections");
    assert_eq!(
        corrections,
        serde_json::json!([{
            "stream": format!("member-{DEMO_ORG}-{MEI}"),
            "events": ["AccessRevoked", "AccountSuspended"],
        }])
    );
    let cause: serde_json::Value = client
        .query_one(
            "SELECT metadata FROM events WHERE stream_id = $1 AND event_type = 'AccountSuspended'",
            &[&format!("member-{DEMO_ORG}-{MEI}")],
        )
        .await?
        .get(0);
    assert_eq!(cause["actor"], "sync");
    Ok(())
}

/// A sync acts on what Optix said when it asked. A member who joined and onboarded while the
/// sync was between its queries is newer than its snapshot: the sync must leave them alone, not
/// delete them as "gone from Optix" (their key would be destroyed).
#[tokio::test]
async fn a_sync_never_undoes_what_happened_after_it_asked_optix() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_demo_locations().await?;
    stack.wait_for_syncs_to_settle().await?;

    // The sync has its users (without Nia) and waits for its plans query.
    let plans = stack.sim.sim.hold_operation("ActivePlansPage");
    stack.command_done(DEMO_ORG, Command::SyncNow).await?;
    tokio::time::timeout(Duration::from_secs(20), plans.arrived())
        .await
        .map_err(|_| anyhow::anyhow!("no sync asked for plans within 20 s"))?;
    let nia = quiet_hot_desker(&stack, "Nia").await?;
    stack
        .command_done(
            DEMO_ORG,
            Command::Onboard {
                user_id: nia.clone(),
                location_id: ROME.into(),
                via: domain::events::OnboardedVia::Portal,
            },
        )
        .await?;
    let onboarded = {
        let client = stack.pool.get().await?;
        store::event_log::head_position(&client).await?
    };
    plans.release();
    // The held sync records its outcome after the onboarding's events.
    eventually(
        "the held sync to finish",
        Duration::from_secs(20),
        || async {
            let finished = stack
                .count(
                    "SELECT count(*) FROM sync_runs WHERE org_id = $1 AND global_position > $2",
                    &[&DEMO_ORG, &onboarded],
                )
                .await?;
            Ok((finished > 0).then_some(()))
        },
    )
    .await?;
    let member = stack
        .member(DEMO_ORG, &nia)
        .await?
        .expect("Nia keeps her account");
    assert_eq!(member.home_location.as_deref(), Some(ROME));
    assert!(live(Some(&member)));
    assert_eq!(stack.passphrases_issued(DEMO_ORG, &nia).await?, 1);
    let deletions = stack
        .count(
            "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'AccountDeleted'",
            &[&format!("member-{DEMO_ORG}-{nia}")],
        )
        .await?;
    assert_eq!(deletions, 0);
    Ok(())
}

/// Requests of each GraphQL operation a full sync's lists cost, and pages of `n` items.
fn pages(n: usize) -> u64 {
    n.div_ceil(100) as u64
}

/// The simulated organization's users a full sync lists and its live plans.
fn listed(stack: &Stack) -> (usize, usize) {
    use optix_sim::model::PlanStatus;
    stack.sim.sim.with_state(|s| {
        let org = &s.orgs[DEMO_ORG];
        let users = org.users.iter().filter(|u| !u.is_deleted).count();
        let plans = org
            .account_plans
            .iter()
            .filter(|p| {
                matches!(
                    p.status,
                    PlanStatus::Active | PlanStatus::InTrial | PlanStatus::Upcoming
                )
            })
            .count();
        (users, plans)
    })
}

/// A manual sync, run to its end: the requests of each list query it made, and all of them
/// less those (the token check, a page of bookings and one of teams: 3).
async fn manual_sync_pages(stack: &Stack) -> anyhow::Result<(u64, u64, u64)> {
    let before = stack.sim.sim.operations();
    let calls_before = stack.sim.sim.api_calls();
    crate::event_contract::full_sync(stack).await?;
    let calls = stack.sim.sim.api_calls() - calls_before;
    let after = stack.sim.sim.operations();
    let made = |operation: &str| {
        after.get(operation).copied().unwrap_or(0) - before.get(operation).copied().unwrap_or(0)
    };
    let (users, plans) = (made("UsersPage"), made("ActivePlansPage"));
    Ok((users, plans, calls - users - plans))
}

/// A full sync reads Optix's users a page at a time while it writes them, so a member's plan
/// may be on any page of the plans list: here the first users listed have their plans on the
/// last page and the last users on the first. Each gets the access their plan gives, a user
/// Optix no longer lists (whose plan it still lists) is deleted, and each list costs one
/// request per page, as when the sync held the whole organization.
#[tokio::test]
async fn a_sync_finds_members_whose_plans_are_on_another_page_than_they_are() -> anyhow::Result<()>
{
    let stack = Stack::start_installed().await?;
    stack.wait_for_syncs_to_settle().await?;
    let populated = stack.sim.sim.populate(DEMO_ORG, 250, HOT_DESK)?;
    let their_plans: std::collections::HashSet<&str> =
        populated.iter().map(|(_, plan)| plan.as_str()).collect();
    stack.sim.sim.with_state(|s| {
        let org = s.orgs.get_mut(DEMO_ORG).expect("the demo organization");
        let (others, mut reversed): (Vec<_>, Vec<_>) = org
            .account_plans
            .drain(..)
            .partition(|p| !their_plans.contains(p.account_plan_id.as_str()));
        reversed.reverse();
        org.account_plans = reversed.into_iter().chain(others).collect();
    });
    let (users, plans) = listed(&stack);
    assert_eq!(
        manual_sync_pages(&stack).await?,
        (pages(users), pages(plans), 3)
    );
    let imported = stack
        .count(
            "SELECT count(*) FROM members WHERE org_id = $1 AND user_id = ANY($2)
               AND status = 'active'",
            &[
                &DEMO_ORG,
                &populated
                    .iter()
                    .map(|(u, _)| u.as_str())
                    .collect::<Vec<_>>(),
            ],
        )
        .await?;
    assert_eq!(imported, 250);
    // The staging is logged: a crash empties unlogged tables and a standby never has them, and
    // a sync going on after either would take everyone it had seen for gone (migration 0028).
    let logged = stack
        .count(
            "SELECT count(*) FROM pg_class WHERE relpersistence = 'p'
               AND relname IN ('sync_staged_plans', 'sync_seen_users')",
            &[],
        )
        .await?;
    assert_eq!(logged, 2);
    for (user, _) in [&populated[0], &populated[249]] {
        let member = stack.member(DEMO_ORG, user).await?;
        assert!(live(member.as_ref()), "{user} has live access");
    }

    // Optix no longer lists one of them (its plan it still lists), and says nothing.
    let (gone, _) = &populated[125];
    stack.sim.sim.with_state(|s| {
        let org = s.orgs.get_mut(DEMO_ORG).expect("the demo organization");
        org.users.retain(|u| &u.user_id != gone);
    });
    let (users, plans) = listed(&stack);
    assert_eq!(
        manual_sync_pages(&stack).await?,
        (pages(users), pages(plans), 3)
    );
    assert!(
        stack.member(DEMO_ORG, gone).await?.is_none(),
        "{gone} is deleted"
    );
    let (kept, _) = &populated[126];
    assert!(live(stack.member(DEMO_ORG, kept).await?.as_ref()));
    Ok(())
}

/// The final state of the projections, without what legitimately differs between runs
/// (timestamps, positions, and the random passphrases and keys).
async fn snapshot(stack: &Stack) -> anyhow::Result<Vec<String>> {
    let client = stack.pool.get().await?;
    let mut lines = Vec::new();
    for sql in [
        "SELECT concat_ws('|', user_id, home_location, onboarded_via, status, team_id,
                          passphrase IS NOT NULL) FROM members ORDER BY user_id",
        "SELECT concat_ws('|', user_id, basis, source_id, location_id, valid_from, valid_until, network::text)
         FROM member_grants ORDER BY user_id, basis, source_id",
        "SELECT concat_ws('|', team_id, name, vlan) FROM groups ORDER BY team_id",
    ] {
        for row in client.query(sql, &[]).await? {
            lines.push(row.get::<_, String>(0));
        }
    }
    Ok(lines)
}

/// The same final facts in Optix, told by webhooks in any order, any number of times, give
/// the same projections.
#[tokio::test]
async fn webhooks_in_any_order_and_any_number_converge_on_the_same_projections()
-> anyhow::Result<()> {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    // Fixed instants, so every run's facts are identical.
    let booking_start = now() + 26 * 3600;
    let trial_end = now() + 10 * 24 * 3600;
    let scenario = || {
        vec![
            Change::AddPlan {
                user_id: MEI.into(),
                plan_template_id: HOT_DESK.into(),
                starts_in_secs: 0,
                ends_in_secs: None,
            },
            Change::CancelPlan {
                account_plan_id: "29191".into(),
            },
            Change::AddBooking {
                user_id: LUCA.into(),
                location_id: ROME.into(),
                resource_name: "Room A".into(),
                start_timestamp: booking_start,
                end_timestamp: booking_start + 3600,
                invitees: vec![MEI.into()],
            },
            Change::AddTeamMember {
                team_id: CUBE_TEAM.into(),
                user_id: JEAN.into(),
            },
            Change::RemoveTeamMember {
                team_id: CUBE_TEAM.into(),
                user_id: AMARA.into(),
            },
            Change::DeleteUser {
                user_id: RICHARD.into(),
            },
            Change::ChangePlan {
                account_plan_id: "29193".into(),
                end_timestamp: Some(trial_end),
            },
        ]
    };
    let mut snapshots = Vec::new();
    for run in 0..4u64 {
        let stack = Stack::start_installed_with_vlan_pool(300, 399).await?;
        // Optix reaches its final state first; the webhooks are held and told afterwards.
        let mut webhooks = Vec::new();
        for change in scenario() {
            let (_, webhook) = stack.sim.sim.apply_held(DEMO_ORG, change)?;
            webhooks.extend(webhook);
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(run);
        let mut told: Vec<_> = webhooks
            .iter()
            .flat_map(|w| {
                // Run 0 tells each once, in order; the others up to three times, shuffled.
                let copies = if run == 0 {
                    1
                } else {
                    1 + (rand::Rng::gen_range(&mut rng, 0..3))
                };
                std::iter::repeat_n(w.clone(), copies)
            })
            .collect();
        match run {
            0 => {}
            1 => told.reverse(),
            _ => told.shuffle(&mut rng),
        }
        for (event, fields) in told {
            stack
                .sim
                .sim
                .deliver_with(DEMO_ORG, &event, fields, &Default::default())
                .await?;
        }
        stack.wait_until_provisioned().await?;
        snapshots.push(snapshot(&stack).await?);
    }
    assert!(snapshots[0].len() > 5, "{:#?}", snapshots[0]);
    for (run, other) in snapshots.iter().enumerate().skip(1) {
        assert_eq!(&snapshots[0], other, "run {run} differs");
    }
    Ok(())
}

/// Hints arriving together are reconciled together: a burst of plan changes costs a few
/// requests, not one per webhook.
async fn burst_of_plan_changes(stack: &Stack, members: usize) -> anyhow::Result<Vec<String>> {
    named_burst_of_plan_changes(stack, "Burst", members).await
}

/// `members` new members named `<prefix><i>` (a prefix used once per stack: emails are unique)
/// each given a plan at once, their webhooks delivered together.
async fn named_burst_of_plan_changes(
    stack: &Stack,
    prefix: &str,
    members: usize,
) -> anyhow::Result<Vec<String>> {
    let mut users = Vec::new();
    for i in 0..members {
        users.push(quiet_user(stack, &format!("{prefix}{i}")).await?);
    }
    stack.wait_until_provisioned().await?;
    let mut deliveries = Vec::new();
    for user in &users {
        let (_, webhook) = stack.sim.sim.apply_held(
            DEMO_ORG,
            Change::AddPlan {
                user_id: user.clone(),
                plan_template_id: HOT_DESK.into(),
                starts_in_secs: 0,
                ends_in_secs: None,
            },
        )?;
        deliveries.extend(webhook);
    }
    futures::future::try_join_all(deliveries.into_iter().map(|(event, fields)| async move {
        stack
            .sim
            .sim
            .deliver_with(DEMO_ORG, &event, fields, &Default::default())
            .await
    }))
    .await?;
    Ok(users)
}

#[tokio::test]
async fn the_client_keeps_within_optix_budget_and_a_burst_shares_requests() -> anyhow::Result<()> {
    // Optix allows 4 requests per (shortened) window; provision's client keeps to the same.
    let stack =
        Stack::start_installed_with(StackOptions::rate_limits(4, 4, Duration::from_secs(2)))
            .await?;
    burst_within_budget(&stack, "Burst", 40).await
}

/// A burst of `members` plan changes (members named `prefix…`) leaves every one of them with
/// live access, within Optix's budget: hints coalesced (at most a request per two webhooks) and
/// never a 429.
pub(crate) async fn burst_within_budget(
    stack: &Stack,
    prefix: &str,
    members: usize,
) -> anyhow::Result<()> {
    let calls_before = stack.sim.sim.api_calls();
    let users = named_burst_of_plan_changes(stack, prefix, members).await?;
    for user in &users {
        stack
            .member_until(DEMO_ORG, user, "live access", live)
            .await?;
    }
    let calls = stack.sim.sim.api_calls() - calls_before;
    assert!(
        calls <= members as u64 / 2,
        "{members} plan webhooks cost {calls} requests: hints are coalesced"
    );
    assert_eq!(stack.sim.sim.rate_limited(), 0, "never a 429");
    Ok(())
}

#[tokio::test]
async fn a_429_and_an_outage_are_waited_out_and_nothing_is_lost() -> anyhow::Result<()> {
    // The client does not limit itself: Optix's 429s make it wait Retry-After.
    let stack =
        Stack::start_installed_with(StackOptions::rate_limits(2, 0, Duration::from_secs(1)))
            .await?;
    stack.sim.sim.fail_next_requests(2);
    let users = burst_of_plan_changes(&stack, 6).await?;
    stack
        .sim
        .sim
        .apply(
            DEMO_ORG,
            Change::AddPlan {
                user_id: MEI.into(),
                plan_template_id: HOT_DESK.into(),
                starts_in_secs: 0,
                ends_in_secs: None,
            },
            Notify::Webhook,
        )
        .await?;
    for user in users.iter().map(String::as_str).chain([MEI]) {
        stack
            .member_until(DEMO_ORG, user, "live access", live)
            .await?;
    }
    assert!(stack.sim.sim.rate_limited() > 0, "the test did meet 429s");
    Ok(())
}

/// Gastown mapped to a Meraki SSID and reported over its key limit; Trastevere mapped to an
/// OpenWrt AP group, then unmapped.
async fn map_controllers(stack: &Stack) -> anyhow::Result<()> {
    use bus::commands::CredentialText;
    use domain::controller::ControllerTarget;
    let meraki = ControllerTarget::Meraki {
        organization_id: "549236".into(),
        network_id: "N_24329156".into(),
        ssid_number: 3,
    };
    let openwrt = ControllerTarget::Openwrt {
        ap_group: "rome-aps".into(),
    };
    for (location_id, target, credentials) in [
        (GASTOWN, meraki, "replay-meraki-api-key-0123456789"),
        (TRASTEVERE, openwrt, "replay-openwrt-token-0123456789abcdef"),
    ] {
        let map = Command::MapController {
            location_id: location_id.into(),
            target,
            credentials: CredentialText(credentials.into()),
        };
        stack.command_done(DEMO_ORG, map).await?;
    }
    let over = Command::ReportControllerOverLimit {
        location_id: GASTOWN.into(),
        wanted: 1200,
        limit: 1000,
    };
    stack.command_done(DEMO_ORG, over).await?;
    let unmap = Command::UnmapController {
        location_id: TRASTEVERE.into(),
    };
    stack.command_done(DEMO_ORG, unmap).await
}

/// A rich history on a stack started with the VLAN pool 100-100 and installed: mapped
/// locations and plans, a NAS and devices, controllers, languages, email settings, a team
/// joined, a plan cancelled, a member deleted, an unmapped location reported; provision has
/// worked it all off and synced twice. The replay test and the event contract's test
/// (`event_contract.rs`) build on it.
pub(crate) async fn rich_history(stack: &Stack) -> anyhow::Result<()> {
    stack.map_demo_locations().await?;
    map_plan(stack, DEDICATED_DESK, "premium", |premium| {
        premium.vlan = Some(200);
    })
    .await?;
    // The RADIUS registry: a NAS, and devices (Richard's go with his account).
    crate::radius_registry::register_nas(stack, DEMO_ORG, "lobby", "10.20.0.0/24").await?;
    crate::radius_registry::add_device(stack, JEAN, "02:00:00:00:00:01").await?;
    crate::radius_registry::add_device(stack, RICHARD, "02:00:00:00:00:02").await?;
    // Cloud controllers: Gastown on Meraki (over its key limit once), Trastevere mapped to an
    // OpenWrt AP group and unmapped.
    map_controllers(stack).await?;
    // Languages (the organization's locale came with the install): Jean's choice stays,
    // Richard's goes with his account.
    for (user, language) in [(JEAN, "fr"), (RICHARD, "es")] {
        let choose = Command::ChooseLanguage {
            user_id: user.into(),
            language: language.into(),
        };
        stack.command_done(DEMO_ORG, choose).await?;
    }
    // The organization's email settings (another sender name than the default).
    let settings = domain::messages::MailSettings {
        sender_name: Some("Gastown WiFi".into()),
        ..domain::messages::MailSettings::default()
    };
    stack
        .command_done(DEMO_ORG, Command::SetMailSettings { settings })
        .await?;
    let team = apply(
        stack,
        Change::AddTeam {
            name: "Blue".into(),
        },
    )
    .await?
    .expect("team");
    apply(
        stack,
        Change::AddTeamMember {
            team_id: team,
            user_id: JEAN.into(),
        },
    )
    .await?;
    stack.sim.sim.cancel_plan(DEMO_ORG, "29193").await?;
    apply(
        stack,
        Change::DeleteUser {
            user_id: RICHARD.into(),
        },
    )
    .await?;
    let _ = stack
        .command(
            DEMO_ORG,
            Command::ReportUnmappedLocation {
                location_id: "4242".into(),
                user_id: Some(JEAN.into()),
            },
        )
        .await?;
    stack
        .member_until(DEMO_ORG, RICHARD, "deletion", |m| m.is_none())
        .await?;
    stack.wait_until_provisioned().await?;
    stack.wait_for_syncs(DEMO_ORG, 2).await?;
    Ok(())
}

/// Every projection (members, grants, groups, locations, plan profiles, notifications, sync
/// runs, NASes, devices, controller mappings) is rebuilt byte for byte from the log.
#[tokio::test]
async fn replay_rebuilds_every_projection_identically_after_a_rich_history() -> anyhow::Result<()> {
    let stack = Stack::start_installed_with_vlan_pool(100, 100).await?;
    rich_history(&stack).await?;
    // No writer while comparing: stop provision (its syncs included).
    let mut stack = stack;
    stack.stop_provision().await?;
    let client = stack.pool.get().await?;
    let before = store::replay::checksums(&client).await?;
    assert!(
        before.iter().all(|(_, rows, _)| *rows > 0),
        "every projection has rows: {before:?}"
    );
    // A storage parameter an operator set is kept by the tables the rebuild swaps in.
    client
        .batch_execute("ALTER TABLE members SET (fillfactor = 70)")
        .await?;
    store::replay::rebuild_all(&stack.pool, |_, _, _| {}).await?;
    let after = store::replay::checksums(&client).await?;
    assert_eq!(before, after);
    let options: Option<Vec<String>> = client
        .query_one(
            "SELECT reloptions FROM pg_class WHERE oid = 'public.members'::regclass",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(options, Some(vec!["fillfactor=70".to_owned()]));
    // So are the columns' statistics targets (migration 0031: none for sealed values).
    let targets: Vec<(String, i32)> = client
        .query(
            "SELECT attname::text, attstattarget::int FROM pg_attribute
              WHERE attrelid = 'public.members'::regclass AND attnum > 0
                AND attstattarget >= 0
              ORDER BY attname",
            &[],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(
        targets,
        [("passphrase".to_owned(), 0), ("profile".to_owned(), 0)]
    );
    Ok(())
}

/// Attacks on what a webhook claims (issue 14, items 1 and 7): Optix's signature covers only
/// client id, secret and timestamp, so a captured one is replayed with any body; and webhook
/// bodies carry tokens and personal data that must not outlive their use.
mod security_webhooks {
    use super::*;
    use futures::StreamExt;
    use integration_tests::stack::WEBHOOK_SEAL_KEY;

    /// An organization Optix knows besides the demo one, with its own token and no members.
    const ELSEWHERE: &str = "990001";

    /// A genuine signature as it crossed the wire in one of Optix's deliveries to the demo
    /// organization (what an attacker who saw one request holds): client id, created timestamp
    /// and request signature, read back from the webhook stream.
    async fn captured_signature(stack: &Stack) -> anyhow::Result<[String; 3]> {
        let stream = stack.webhook_stream().await?;
        let info = stream.get_info().await?;
        let seal = bus::sealing::WebhookSeal::from_hex(WEBHOOK_SEAL_KEY)?;
        let message = stream.get_raw_message(info.state.last_sequence).await?;
        let stored = bus::webhooks::StoredDelivery::read(Some(&message.headers), &message.payload);
        let body = seal.open(&message.subject, stored.sealed_body)?;
        // Stored as Optix sent it: a form.
        assert_eq!(stored.body_format, Ok(bus::webhooks::BodyFormat::Form));
        let fields = optix::webhook::parse_form(&body)?;
        let field = |name: &str| {
            fields
                .get(name)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or_else(|| anyhow::anyhow!("no {name} in the captured webhook"))
        };
        Ok([
            field("client_id")?,
            field("created_timestamp")?,
            field("request_signature")?,
        ])
    }

    /// Posts `fields` with the captured signature to ingest, form-encoded like Optix.
    async fn replay(
        stack: &Stack,
        captured: &[String; 3],
        fields: &[(&str, &str)],
    ) -> anyhow::Result<u16> {
        let [client_id, created, signature] = captured;
        let mut form: Vec<(&str, &str)> = vec![
            ("client_id", client_id),
            ("created_timestamp", created),
            ("request_signature", signature),
        ];
        form.extend_from_slice(fields);
        let response = reqwest::Client::new()
            .post(format!("{}/optix/webhooks", stack.ingest_url))
            .form(&form)
            .send()
            .await?;
        Ok(response.status().as_u16())
    }

    /// A counter's value on provision's `/metrics` (0 when the series does not exist).
    async fn counter(stack: &Stack, name: &str, labels: &[(&str, &str)]) -> anyhow::Result<f64> {
        integration_tests::metric_sum(&stack.provision_url, name, labels).await
    }

    /// Optix also serves `ELSEWHERE`: its own token, no members.
    fn add_elsewhere(stack: &Stack) -> String {
        let elsewhere = [ELSEWHERE, "Elsewhere", "elsewhere990001a1b2c3d4e5f6a7b8c9o"];
        stack
            .add_demo_org_copy(elsewhere, |other| {
                other.users.clear();
                other.account_plans.clear();
                other.teams.clear();
                other.bookings.clear();
            })
            .token
    }

    async fn stored_token(stack: &Stack, org_id: &str) -> anyhow::Result<Option<String>> {
        let client = stack.pool.get().await?;
        let Some(sealed) = store::queries::organization_token(&client, org_id).await? else {
            return Ok(None);
        };
        let token = stack
            .keys
            .open_with_master(&sealed, &secrets::contexts::organization_token(org_id))?;
        Ok(Some(String::from_utf8(token)?))
    }

    /// Waits until the demo organization's stored token is `expected` (None: no token).
    async fn until_stored_token(
        stack: &Stack,
        expected: Option<&str>,
        what: &str,
    ) -> anyhow::Result<()> {
        eventually(what, Duration::from_secs(20), || async {
            Ok((stored_token(stack, DEMO_ORG).await?.as_deref() == expected).then_some(()))
        })
        .await
    }

    async fn count(stack: &Stack, sql: &str, org_id: &str) -> anyhow::Result<i64> {
        let client = stack.pool.get().await?;
        Ok(client.query_one(sql, &[&org_id]).await?.get(0))
    }

    const MEMBERS_OF: &str = "SELECT count(*) FROM members WHERE org_id = $1";
    const EVENTS_OF_ORG: &str = "SELECT count(*) FROM events WHERE stream_id LIKE 'org-' || $1 || '%' \
         OR stream_id LIKE 'member-' || $1 || '-%'";

    #[tokio::test]
    async fn a_captured_signature_with_a_forged_body_changes_nothing_and_is_counted_as_refused()
    -> anyhow::Result<()> {
        let (logs, tracing) = integration_tests::LogCapture::install(None, "info");
        let _tracing = tracing.expect("the first subscriber of this test process");
        let stack = Stack::start().await?;
        add_elsewhere(&stack);
        stack.install(DEMO_ORG).await?;
        stack.wait_until_provisioned().await?;
        let demo_token = stack.sim.sim.org_token(DEMO_ORG).expect("demo token");
        let demo_members = count(&stack, MEMBERS_OF, DEMO_ORG).await?;
        assert!(demo_members > 0, "the import brought the demo members");
        let captured = captured_signature(&stack).await?;

        // 1. The reproduced attack: 6267's token under 990001. ingest cannot tell (the
        // signature is genuine), provision asks Optix and refuses.
        let status = replay(
            &stack,
            &captured,
            &[
                ("event", "app_install"),
                ("organization_id", ELSEWHERE),
                ("organization_token", &demo_token),
            ],
        )
        .await?;
        assert_eq!(status, 200, "the signature itself is genuine");
        // 2. A forged uninstall of the demo organization.
        let status = replay(
            &stack,
            &captured,
            &[("event", "app_uninstall"), ("organization_id", DEMO_ORG)],
        )
        .await?;
        assert_eq!(status, 200);
        // 3. A forged token rotation of the demo organization.
        let status = replay(
            &stack,
            &captured,
            &[
                ("event", "organization_token_updated"),
                ("organization_id", DEMO_ORG),
                ("organization_token", "forged0000000000000000000000000o"),
            ],
        )
        .await?;
        assert_eq!(status, 200);
        stack.wait_until_provisioned().await?;

        // Nothing changed: no integration, event or member for 990001; 6267 keeps its token and
        // its members.
        assert_eq!(stored_token(&stack, ELSEWHERE).await?, None);
        assert_eq!(count(&stack, EVENTS_OF_ORG, ELSEWHERE).await?, 0);
        assert_eq!(count(&stack, MEMBERS_OF, ELSEWHERE).await?, 0);
        assert_eq!(
            stored_token(&stack, DEMO_ORG).await?,
            Some(demo_token.clone())
        );
        assert_eq!(count(&stack, MEMBERS_OF, DEMO_ORG).await?, demo_members);
        // …and each refusal is counted by reason.
        assert_eq!(
            counter(
                &stack,
                "lanyard_webhooks_refused_total",
                &[
                    ("event", "app_install"),
                    ("reason", "token_of_another_organization")
                ]
            )
            .await?,
            1.0
        );
        assert_eq!(
            counter(
                &stack,
                "lanyard_webhooks_refused_total",
                &[
                    ("event", "app_uninstall"),
                    ("reason", "uninstall_not_confirmed")
                ]
            )
            .await?,
            1.0
        );
        assert_eq!(
            counter(
                &stack,
                "lanyard_webhooks_refused_total",
                &[
                    ("event", "organization_token_updated"),
                    ("reason", "token_rejected_by_optix")
                ]
            )
            .await?,
            1.0
        );
        // ingest forgets 990001 again: its next "webhook" is refused at the door.
        let status = replay(
            &stack,
            &captured,
            &[("event", "new_member"), ("organization_id", ELSEWHERE)],
        )
        .await?;
        assert_eq!(status, 401, "990001 has not installed the app");
        // …while 6267 is still served: a real change still reaches its member.
        let user = quiet_user(&stack, "Refusia").await?;
        stack.sim.sim.add_plan(DEMO_ORG, &user, HOT_DESK).await?;
        stack
            .member_until(DEMO_ORG, &user, "live access", live)
            .await?;

        let logs = logs.text();
        assert_eq!(
            logs.matches("webhook refused: Optix did not confirm it")
                .count(),
            3,
            "each refusal is logged"
        );
        assert!(logs.contains("token_of_another_organization"));
        assert!(!logs.contains(&demo_token), "no log holds the token");
        Ok(())
    }

    #[tokio::test]
    async fn a_genuine_install_rotation_and_uninstall_are_confirmed_and_take_effect()
    -> anyhow::Result<()> {
        let stack = Stack::start_installed().await?;
        let first = stack.sim.sim.org_token(DEMO_ORG).expect("token");
        assert_eq!(stored_token(&stack, DEMO_ORG).await?, Some(first.clone()));
        assert!(count(&stack, MEMBERS_OF, DEMO_ORG).await? > 0);

        // Rotation: Optix refuses the old token at once; the new one is confirmed and stored.
        assert_eq!(stack.sim.sim.rotate_token(DEMO_ORG).await?, 200);
        let second = stack.sim.sim.org_token(DEMO_ORG).expect("token");
        assert_ne!(first, second);
        until_stored_token(&stack, Some(&second), "the rotated token to be stored").await?;
        let user = quiet_user(&stack, "Rotatia").await?;
        stack.sim.sim.add_plan(DEMO_ORG, &user, HOT_DESK).await?;
        stack
            .member_until(DEMO_ORG, &user, "live access with the new token", live)
            .await?;

        // Uninstall: Optix refuses the token, so provision believes it.
        assert_eq!(stack.sim.sim.uninstall_app(DEMO_ORG).await?, 200);
        until_stored_token(&stack, None, "the uninstall to take effect").await?;
        let uninstalled = count(
            &stack,
            "SELECT count(*) FROM events WHERE stream_id = 'org-' || $1 \
             AND event_type = 'AppUninstalled'",
            DEMO_ORG,
        )
        .await?;
        assert_eq!(uninstalled, 1);
        assert_eq!(
            counter(&stack, "lanyard_webhooks_refused_total", &[]).await?,
            0.0,
            "nothing genuine was refused"
        );
        // ingest's registry follows: webhooks of the organization are refused at the door.
        let status = stack
            .sim
            .sim
            .deliver(DEMO_ORG, "new_member", serde_json::Map::new())
            .await?;
        assert_eq!(status, 401, "webhooks after the uninstall are refused");
        // A reinstall (a new token) is confirmed and imports again.
        let syncs = count(
            &stack,
            "SELECT count(*) FROM sync_runs WHERE org_id = $1",
            DEMO_ORG,
        )
        .await?;
        assert_eq!(stack.sim.sim.install_app(DEMO_ORG).await?, 200);
        let third = stack.sim.sim.org_token(DEMO_ORG).expect("token");
        assert_ne!(third, second);
        until_stored_token(&stack, Some(&third), "the reinstall's token to be stored").await?;
        stack.wait_for_syncs(DEMO_ORG, syncs + 1).await?;
        Ok(())
    }

    #[tokio::test]
    async fn a_sync_never_deletes_members_on_the_word_of_another_organizations_token()
    -> anyhow::Result<()> {
        let stack = Stack::start().await?;
        let elsewhere_token = add_elsewhere(&stack);
        stack.install(DEMO_ORG).await?;
        let demo_members = count(&stack, MEMBERS_OF, DEMO_ORG).await?;
        assert!(demo_members > 0);
        // The state the attack used to reach: 6267 bound to 990001's token (which lists none of
        // 6267's members). Written straight into the projection, as a bug or an older version
        // could have left it.
        let sealed = stack.keys.seal_with_master(
            elsewhere_token.as_bytes(),
            &secrets::contexts::organization_token(DEMO_ORG),
        );
        stack
            .pool
            .get()
            .await?
            .execute(
                "UPDATE organizations SET token = $2 WHERE org_id = $1",
                &[&DEMO_ORG, &serde_json::to_value(&sealed)?],
            )
            .await?;
        stack.request_sync(DEMO_ORG);
        stack.wait_for_syncs(DEMO_ORG, 2).await?;
        let client = stack.pool.get().await?;
        let (outcome, reason): (String, Option<String>) = {
            let row = client
                .query_one(
                    "SELECT outcome, reason FROM sync_runs WHERE org_id = $1 \
                     ORDER BY global_position DESC LIMIT 1",
                    &[&DEMO_ORG],
                )
                .await?;
            (row.get(0), row.get(1))
        };
        assert_eq!(outcome, "failed");
        assert!(
            reason.is_some_and(|r| r.contains("another organization")),
            "the sync says why it refused"
        );
        assert_eq!(
            count(&stack, MEMBERS_OF, DEMO_ORG).await?,
            demo_members,
            "nobody was deleted"
        );
        let deleted = stack
            .count(
                "SELECT count(*) FROM events WHERE event_type = 'AccountDeleted'",
                &[],
            )
            .await?;
        assert_eq!(deleted, 0);
        Ok(())
    }

    /// Every message of every stream (webhooks, domain events, the installations registry),
    /// raw as it is stored.
    async fn raw_stream_messages(stack: &Stack) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
        let js = stack.bus.jetstream();
        let names: Vec<String> = js
            .stream_names()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
        let mut messages = Vec::new();
        for name in names {
            let stream = js.get_stream(&name).await?;
            let state = stream.get_info().await?.state;
            if state.messages == 0 {
                continue;
            }
            for sequence in state.first_sequence..=state.last_sequence {
                // Deleted or expired meanwhile: nothing left to read.
                if let Ok(message) = stream.get_raw_message(sequence).await {
                    let mut raw = message.subject.to_string().into_bytes();
                    for (name, values) in message.headers.iter() {
                        raw.extend_from_slice(name.to_string().as_bytes());
                        for value in values {
                            raw.extend_from_slice(value.as_str().as_bytes());
                        }
                    }
                    raw.extend_from_slice(&message.payload);
                    messages.push((message.subject.to_string(), raw));
                }
            }
        }
        Ok(messages)
    }

    /// The rows of every table holding `needle` (case-insensitive), as `table: row`.
    async fn rows_holding(stack: &Stack, needle: &str) -> anyhow::Result<Vec<String>> {
        integration_tests::database::rows_holding(&stack.pool, needle).await
    }

    #[tokio::test]
    async fn after_a_deletion_and_the_retention_an_email_is_in_no_stream_table_or_log()
    -> anyhow::Result<()> {
        // Lanyard's logs at debug; the simulator stands for Optix, whose logs are not ours.
        let (logs, tracing) = integration_tests::LogCapture::install(
            None,
            "debug,optix_sim=off,h2=info,hyper=info,tokio_postgres=info,async_nats=info,rustls=info",
        );
        let _tracing = tracing.expect("the first subscriber of this test process");
        const RETENTION: Duration = Duration::from_secs(3);
        let stack = Stack::start_adjusted(Default::default(), |settings| {
            settings.nats.webhook_retention_secs = RETENTION.as_secs();
        })
        .await?;
        stack.install(DEMO_ORG).await?;
        let email = "forget.me.zoe@example.com";
        let user = apply(
            &stack,
            Change::AddUser {
                name: "Zoe".into(),
                surname: "Forgetme".into(),
                email: email.into(),
                is_admin: false,
            },
        )
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user id"))?;
        stack.sim.sim.add_plan(DEMO_ORG, &user, HOT_DESK).await?;
        stack
            .member_until(DEMO_ORG, &user, "live access", live)
            .await?;

        // The webhooks that named her are on the bus, sealed: the email is in them (opened
        // with the key) and in none in clear. A form body holds it percent-encoded.
        let written = [email.to_owned(), email.replace('@', "%40")];
        let names_her = |text: &str| written.iter().any(|form| text.contains(form.as_str()));
        let seal = bus::sealing::WebhookSeal::from_hex(WEBHOOK_SEAL_KEY)?;
        let messages = raw_stream_messages(&stack).await?;
        let naming_her = messages
            .iter()
            .filter(|(subject, raw)| {
                subject.starts_with("optix.webhooks.")
                    && raw
                        .windows(b"lanyard-sealed-v1:".len())
                        .position(|w| w == b"lanyard-sealed-v1:")
                        .and_then(|at| seal.open(subject, &raw[at..]).ok())
                        .is_some_and(|body| names_her(&String::from_utf8_lossy(&body)))
            })
            .count();
        assert!(naming_her >= 1, "the new_member webhook named her email");
        let contains = |raw: &[u8]| names_her(&String::from_utf8_lossy(raw).to_lowercase());
        assert!(
            !messages.iter().any(|(_, raw)| contains(raw)),
            "no stream holds the email in clear"
        );
        // The scan sees rows (her account is there, by id).
        assert!(!rows_holding(&stack, &user).await?.is_empty());

        apply(
            &stack,
            Change::DeleteUser {
                user_id: user.clone(),
            },
        )
        .await?;
        stack
            .member_until(DEMO_ORG, &user, "deletion", |m| m.is_none())
            .await?;
        // After the retention, the raw webhooks are gone from the stream.
        eventually(
            "the webhook stream to drop webhooks older than the retention",
            Duration::from_secs(30),
            || async {
                let stream = stack.webhook_stream().await?;
                Ok((stream.get_info().await?.state.messages == 0).then_some(()))
            },
        )
        .await?;
        let messages = raw_stream_messages(&stack).await?;
        assert!(
            !messages.iter().any(|(_, raw)| contains(raw)),
            "no stream holds the email"
        );
        assert!(
            !messages
                .iter()
                .any(|(subject, _)| subject.starts_with("optix.webhooks.")),
            "no raw webhook outlives the retention"
        );
        assert_eq!(rows_holding(&stack, email).await?, Vec::<String>::new());
        let logs = logs.text();
        assert!(logs.contains("webhook accepted"), "the logs were captured");
        assert!(
            !names_her(&logs.to_lowercase()),
            "no log line holds the email"
        );
        Ok(())
    }
}
