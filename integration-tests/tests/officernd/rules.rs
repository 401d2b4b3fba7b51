//! The access rules for an OfficeRnD organization, each through OfficeRnD's webhooks (or the
//! import), ingest, provision and the read models.

use crate::{ALAN, DAY_TRIPPER, GRACE, GUEST, connected, live_with, member, membership};
use bus::commands::Command;
use chrono::{Duration, SubsecRound, Utc};
use integration_tests::Stack;
use integration_tests::officernd::ORG;
use officernd::model::{Booking, When};
use officernd_sim::{Change, demo};

#[tokio::test]
async fn a_membership_gives_access_and_its_cancellation_suspends() -> anyhow::Result<()> {
    let stack = connected().await?;
    let zoe = "5f00000000000000000000e9";
    stack
        .officernd_apply(Change::PutMember {
            member: member(zoe, "Zoe"),
        })
        .await?;
    stack
        .officernd_apply(Change::PutMembership {
            membership: membership("5f00000000000000000000f9", zoe, demo::HOT_DESK),
        })
        .await?;
    let account = stack
        .member_until(ORG, zoe, "access from the membership", |m| {
            live_with(m, "plan")
        })
        .await?
        .expect("an account");
    assert!(account.passphrase.is_some());
    let yesterday = (Utc::now() - Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    stack
        .officernd_apply(Change::CancelMembership {
            id: "5f00000000000000000000f9".into(),
            end_date: yesterday,
        })
        .await?;
    let account = stack
        .member_until(ORG, zoe, "suspension", |m| {
            m.is_some_and(|m| m.status == "suspended")
        })
        .await?
        .expect("kept");
    assert!(account.grants.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_removed_member_is_shredded() -> anyhow::Result<()> {
    let stack = connected().await?;
    assert!(
        live_with(stack.member(ORG, ALAN).await?.as_ref(), "plan"),
        "imported with the company's membership"
    );
    stack
        .officernd_apply(Change::RemoveMember { id: ALAN.into() })
        .await?;
    stack
        .member_until(ORG, ALAN, "the account to go", |m| m.is_none())
        .await?;
    let deletions = stack
        .count(
            "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'AccountDeleted'",
            &[&format!("member-{ORG}-{ALAN}")],
        )
        .await?;
    assert_eq!(deletions, 1);
    let client = stack.pool.get().await?;
    assert!(
        store::queries::member_key(&client, ORG, ALAN)
            .await?
            .is_none(),
        "the data key is destroyed"
    );
    Ok(())
}

#[tokio::test]
async fn a_company_becomes_a_group_with_its_vlan() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    stack.set_vlan_pool(ORG, 300, 309).await?;
    stack.connect_officernd().await?;
    let grace = stack.member(ORG, GRACE).await?.expect("Grace");
    let alan = stack.member(ORG, ALAN).await?.expect("Alan");
    assert_eq!(grace.team_id.as_deref(), Some(demo::ACME));
    let group = grace.group.clone().expect("Acme's group");
    assert_eq!(group.name, "Acme Robotics");
    let vlan = group.vlan.expect("a VLAN from the pool");
    assert!((300..=309).contains(&vlan));
    assert_eq!(grace.vlan(Utc::now()), Some(vlan));
    assert_eq!(alan.vlan(Utc::now()), Some(vlan), "one group, one VLAN");
    // The company is removed in OfficeRnD: its members leave it, the group goes.
    stack
        .officernd_apply(Change::RemoveCompany {
            id: demo::ACME.into(),
        })
        .await?;
    stack
        .member_until(ORG, GRACE, "Grace to leave the group", |m| {
            m.is_some_and(|m| m.team_id.is_none())
        })
        .await?;
    let client = stack.pool.get().await?;
    assert!(
        store::queries::group(&client, ORG, demo::ACME)
            .await?
            .is_none()
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_gives_access_for_the_day_and_a_guest_until_the_meeting_ends()
-> anyhow::Result<()> {
    let stack = connected().await?;
    let booker = "5f00000000000000000000e8";
    stack
        .officernd_apply(Change::PutMember {
            member: member(booker, "Bea"),
        })
        .await?;
    let start = (Utc::now() + Duration::hours(2)).trunc_subsecs(0);
    let end = start + Duration::hours(1);
    let booking = Booking {
        id: "5f0000000000000000000092".into(),
        start: When {
            date_time: start.to_rfc3339(),
        },
        end: When {
            date_time: end.to_rfc3339(),
        },
        timezone: Some("Europe/Berlin".into()),
        member: Some(booker.into()),
        company: None,
        members: vec![],
        visitors: vec![],
        canceled: false,
        location: Some(demo::BERLIN.into()),
        resource_id: Some("meeting-room-2".into()),
    };
    stack
        .officernd_apply(Change::PutBooking { booking })
        .await?;
    let bea = stack
        .member_until(ORG, booker, "a booking grant", |m| {
            m.is_some_and(|m| m.grants.iter().any(|g| g.basis == "booking"))
        })
        .await?
        .expect("Bea");
    let berlin = chrono_tz::Europe::Berlin;
    assert_eq!(
        bea.grants[0].valid_until,
        Some(domain::access::end_of_local_day(
            end - Duration::seconds(1),
            berlin
        )),
        "until midnight in Berlin"
    );
    // The demo's meeting (Ada's, in an hour) has a visitor: a guest from an hour before until
    // it ends, with their own account.
    let guest = stack
        .member(ORG, GUEST)
        .await?
        .expect("the guest's account");
    let grant = &guest.grants[0];
    assert_eq!(grant.basis, "guest");
    let meeting_end = stack.officernd.sim.with_orgs(|orgs| {
        orgs[demo::DEMO_SLUG].bookings["5f0000000000000000000091"]
            .end
            .date_time
            .clone()
    });
    assert_eq!(
        grant.valid_until,
        chrono::DateTime::parse_from_rfc3339(&meeting_end)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    );
    assert!(guest.passphrase.is_some());
    // Cancelled: the guest's grant goes.
    stack
        .officernd_apply(Change::CancelBooking {
            id: "5f0000000000000000000091".into(),
        })
        .await?;
    stack
        .member_until(ORG, GUEST, "the guest grant to go", |m| {
            m.is_some_and(|m| m.grants.is_empty())
        })
        .await?;
    Ok(())
}

async fn map_plan(stack: &Stack, plan: &str, profile: domain::AccessProfile) -> anyhow::Result<()> {
    stack
        .command_done(
            ORG,
            Command::MapPlan {
                plan_template_id: plan.into(),
                profile,
            },
        )
        .await?;
    stack.wait_for_syncs_to_settle().await
}

#[tokio::test]
async fn a_day_pass_lasts_24_hours_and_a_no_wifi_plan_gives_nothing() -> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let day_pass = domain::AccessProfile {
        name: "daypass".into(),
        duration_hours: Some(24),
        ..Default::default()
    };
    map_plan(&stack, demo::DAY_PASS, day_pass).await?;
    let no_wifi = domain::AccessProfile {
        name: "virtual".into(),
        wifi: false,
        ..Default::default()
    };
    map_plan(&stack, demo::VIRTUAL_OFFICE, no_wifi).await?;
    stack.connect_officernd().await?;
    let tripper = stack
        .member(ORG, DAY_TRIPPER)
        .await?
        .expect("the day pass holder");
    let grant = &tripper.grants[0];
    assert_eq!(grant.basis, "day_pass");
    let (from, until) = (grant.valid_from, grant.valid_until.expect("an end"));
    let start = until - Duration::hours(24);
    assert!(
        from.is_none_or(|f| f == start) && start <= Utc::now(),
        "24 h from the day's start"
    );
    let virtual_member = "5f00000000000000000000e7";
    stack
        .officernd_apply(Change::PutMember {
            member: member(virtual_member, "Vic"),
        })
        .await?;
    stack
        .officernd_apply(Change::PutMembership {
            membership: membership(
                "5f00000000000000000000f7",
                virtual_member,
                demo::VIRTUAL_OFFICE,
            ),
        })
        .await?;
    let vic = stack.member(ORG, virtual_member).await?;
    assert!(
        vic.as_ref().is_none_or(|m| m.grants.is_empty()),
        "no WiFi: {vic:?}"
    );
    Ok(())
}
