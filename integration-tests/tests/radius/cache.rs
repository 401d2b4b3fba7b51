//! Answers from FreeRADIUS's memory (radius::answer_cache): the answer a NAS gets from memory
//! is exactly the one Lanyard gives over HTTP, Lanyard is not asked for it, a change has it
//! forgotten at once, and a restarted FreeRADIUS gets every answer again.

use super::*;
use integration_tests::wait::eventually;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(15);

/// Access-Requests Lanyard's authorize endpoint answered so far.
async fn through_lanyard(radius: &Radius) -> anyhow::Result<f64> {
    metric(radius, "lanyard_radius_requests_total").await
}

/// Asks for `mac` until FreeRADIUS answers it from memory (Accept, Lanyard not asked), and
/// returns that exchange.
async fn from_memory(radius: &Radius, mac: &str) -> anyhow::Result<Exchange> {
    eventually("an Accept from FreeRADIUS's memory", DEADLINE, || async {
        let before = through_lanyard(radius).await?;
        let exchange = radius.ask(mac).await?;
        let asked = through_lanyard(radius).await? > before;
        Ok((exchange.accepted() && !asked).then_some(exchange))
    })
    .await
}

/// The first Reject for `mac`, which must come within a second of `since` (a commit).
async fn rejected_within_a_second(
    radius: &Radius,
    mac: &str,
    since: Instant,
) -> anyhow::Result<()> {
    let exchange = radius.ask_until(mac, Exchange::rejected).await?;
    assert_rejected(radius, &exchange);
    assert!(
        since.elapsed() < Duration::from_secs(1),
        "{:?}",
        since.elapsed()
    );
    Ok(())
}

/// For every dialect: Richard's device (his key, his team's VLAN) is answered from memory
/// without asking Lanyard, with exactly the attributes a FreeRADIUS that keeps nothing gets
/// from Lanyard.
#[tokio::test]
async fn an_answer_from_memory_is_the_answer_through_lanyard_in_every_dialect() -> anyhow::Result<()>
{
    let mut radius = Radius::start().await?;
    radius.stack.set_vlan_pool(DEMO_ORG, 140, 149).await?;
    radius
        .stack
        .command_done(DEMO_ORG, Command::SyncNow)
        .await?;
    radius
        .stack
        .member_until(DEMO_ORG, RICHARD, "the team VLAN", |m| {
            m.is_some_and(|m| m.vlan(chrono::Utc::now()).is_some())
        })
        .await?;
    radius.add_device(DEMO_ORG, RICHARD, RICHARD_MAC).await?;
    let dialects = [
        NasDialect::Cisco,
        NasDialect::Aruba,
        NasDialect::Meraki,
        NasDialect::Hostapd,
    ];
    for (index, dialect) in dialects.into_iter().enumerate() {
        // One NAS per address: each dialect's NAS replaces the last, and fresh FreeRADIUS
        // servers learn it (a learnt client keeps its class for its 30 s lifetime).
        if index > 0 {
            radius
                .remove_nas(DEMO_ORG, &format!("ap-{}", index - 1))
                .await?;
        }
        radius
            .register_nas(DEMO_ORG, &format!("ap-{index}"), GASTOWN, dialect)
            .await?;
        radius.restart_freeradius().await?;
        let stack = &radius.stack;
        // Nobody fills this one: every request goes through Lanyard.
        let unfilled_port = bus::testing::ports::free_udp_port()?;
        let unfilled = FreeRadius::start(&stack.radius_url, RADIUS_TOKEN, unfilled_port).await?;

        let remembered = from_memory(&radius, RICHARD_MAC).await?;
        assert!(
            remembered
                .output
                .contains("Tunnel-Private-Group-Id:0 = \"14"),
            "{}",
            remembered.output
        );
        let before = through_lanyard(&radius).await?;
        let through = unfilled.mac_auth(NAS_SECRET, RICHARD_MAC).await?;
        assert!(through.accepted(), "{}", through.output);
        assert!(through_lanyard(&radius).await? > before, "{dialect:?}");
        println!("{dialect:?} from memory:\n{}", remembered.output);
        assert_eq!(
            remembered.sorted_attributes(),
            through.sorted_attributes(),
            "{dialect:?}"
        );
    }
    Ok(())
}

/// Jean answered from memory; Optix cancels her plan: FreeRADIUS forgets her answer and the
/// next request within a second of the commit is a Reject; Lanyard no longer records it.
#[tokio::test]
async fn a_revoked_member_is_forgotten_and_rejected_within_a_second() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.jean_accepted(NasDialect::Hostapd).await?;
    from_memory(&radius, JEAN_MAC).await?;
    radius.suspend_jean().await?;
    rejected_within_a_second(&radius, JEAN_MAC, Instant::now()).await?;
    assert_eq!(cached_answers(&radius, JEAN).await?, 0);
    Ok(())
}

/// A removed device and a deleted member are forgotten although nothing of them is left in
/// the read models: Lanyard finds their answers in what it recorded FreeRADIUS keeps.
#[tokio::test]
async fn a_removed_device_and_a_deleted_member_are_forgotten() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.jean_accepted(NasDialect::Meraki).await?;
    radius.add_device(DEMO_ORG, RICHARD, RICHARD_MAC).await?;
    from_memory(&radius, JEAN_MAC).await?;
    from_memory(&radius, RICHARD_MAC).await?;

    let remove = Command::RemoveDevice {
        user_id: JEAN.into(),
        mac: JEAN_MAC.into(),
    };
    radius.stack.command_done(DEMO_ORG, remove).await?;
    rejected_within_a_second(&radius, JEAN_MAC, Instant::now()).await?;

    use optix_sim::{Change, Notify};
    let delete = Change::DeleteUser {
        user_id: RICHARD.into(),
    };
    radius
        .stack
        .sim
        .sim
        .apply(DEMO_ORG, delete, Notify::Webhook)
        .await?;
    radius
        .stack
        .member_until(DEMO_ORG, RICHARD, "the deletion", |m| m.is_none())
        .await?;
    rejected_within_a_second(&radius, RICHARD_MAC, Instant::now()).await?;
    assert_eq!(cached_answers(&radius, RICHARD).await?, 0);
    Ok(())
}

/// A FreeRADIUS that restarts has lost its memory: Lanyard notices (the sentinel is gone) and
/// has every answer fetched again, so the first request after is answered from memory.
#[tokio::test]
async fn a_restarted_freeradius_gets_every_answer_again() -> anyhow::Result<()> {
    let mut radius = Radius::start().await?;
    radius.jean_accepted(NasDialect::Aruba).await?;
    from_memory(&radius, JEAN_MAC).await?;
    let refills = metric(&radius, "lanyard_radius_cache_refills_total").await?;
    // Fetched before the restart (a moment ago) does not count: that memory is gone. The clock
    // is read while FreeRADIUS is down: read after its start, the refill could come first.
    let restarted_at = radius.restart_freeradius().await?;
    eventually("a refill", DEADLINE, || async {
        let now = metric(&radius, "lanyard_radius_cache_refills_total").await?;
        Ok((now > refills).then_some(()))
    })
    .await?;
    // The refill's fetches end with Jean's answer kept again: then one request, from memory.
    eventually("Jean's answer fetched again", DEADLINE, || async {
        let client = radius.stack.pool.get().await?;
        let row = client
            .query_one(
                "SELECT filled_at > $3 FROM radius_cached_answers
                  WHERE org_id = $1 AND user_id = $2",
                &[&DEMO_ORG, &JEAN, &restarted_at],
            )
            .await?;
        Ok(row.get::<_, bool>(0).then_some(()))
    })
    .await?;
    let before = through_lanyard(&radius).await?;
    let exchange = radius.ask(JEAN_MAC).await?;
    assert_accepted(&radius, &exchange);
    assert_eq!(through_lanyard(&radius).await?, before, "Lanyard was asked");
    Ok(())
}

/// Only the radius service fills FreeRADIUS's memory: a CoA-Request signed with anything but
/// FreeRADIUS's token gets no answer and fetches nothing.
#[tokio::test]
async fn a_fill_request_not_from_lanyard_is_dropped() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    radius.jean_accepted(NasDialect::Hostapd).await?;
    let fill = format!("127.0.0.1:{}", radius.stack.radius_fill_port);
    let client = radius.stack.pool.get().await?;
    let epoch: String = client
        .query_one(
            "SELECT epoch FROM radius_nas_classes WHERE org_id = $1 AND location_id = $2",
            &[&DEMO_ORG, &GASTOWN],
        )
        .await?
        .get(0);
    let key = format!("User-Name = \"{DEMO_ORG}|{GASTOWN}|hostapd|{epoch}|{JEAN_MAC}\"\n");
    let forged = integration_tests::radius::radclient(
        &fill,
        "coa",
        "not-freeradius-token-0123456789abcdef",
        &key,
        Duration::from_secs(1),
    )
    .await?;
    assert!(forged.code.is_none(), "answered: {}", forged.output);
    let genuine = integration_tests::radius::radclient(
        &fill,
        "coa",
        RADIUS_TOKEN,
        &key,
        Duration::from_secs(2),
    )
    .await?;
    assert_eq!(
        genuine.code.as_deref(),
        Some("CoA-ACK"),
        "{}",
        genuine.output
    );
    assert!(
        genuine.attributes.is_empty(),
        "the answer left: {}",
        genuine.output
    );
    Ok(())
}

/// How many answers of `user_id` Lanyard records FreeRADIUS keeps.
async fn cached_answers(radius: &Radius, user_id: &str) -> anyhow::Result<i64> {
    let client = radius.stack.pool.get().await?;
    let row = client
        .query_one(
            "SELECT count(*) FROM radius_cached_answers WHERE org_id = $1 AND user_id = $2",
            &[&DEMO_ORG, &user_id],
        )
        .await?;
    Ok(row.get(0))
}
