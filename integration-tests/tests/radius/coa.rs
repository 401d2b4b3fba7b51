//! Revocation reaches the air, end to end: an access point's accounting Start goes through
//! FreeRADIUS (rlm_rest) to the radius service; the member's plan is cancelled in Optix (a
//! webhook); the radius service sends the NAS that reported the session a Disconnect-Request
//! (RFC 5176), which a real FreeRADIUS acting as the NAS's Dynamic Authorization Server
//! records. The member's history and the metrics show it; a NAK and a silent NAS too.

use super::*;
use chrono::Utc;
use domain::Event;
use domain::events::{DisconnectOutcome, StreamId};
use integration_tests::eventually;
use integration_tests::nas::{NasAnswer, NasSimulator};
use integration_tests::radius::radclient;
use std::time::Duration;

const SESSION: &str = "6560A1B2-0000002A";
/// A grant ends the disconnect path: webhook → provision → relay → NATS → radius → NAS.
const DEADLINE: Duration = Duration::from_secs(20);

/// Registers the NAS `lobby` at `location_id` whose Dynamic Authorization Server listens on
/// `coa_port` (127.0.0.1, the test NAS secret).
async fn register_lobby(radius: &Radius, location_id: &str, coa_port: u16) -> anyhow::Result<()> {
    radius
        .stack
        .command_done(
            DEMO_ORG,
            Command::RegisterNas {
                nas_id: "lobby".into(),
                location_id: location_id.into(),
                name: "Lobby AP".into(),
                address: "127.0.0.1".into(),
                dialect: NasDialect::Hostapd,
                ssids: vec!["members".into()],
                coa_port: Some(coa_port),
                secret: Some(NasSecretText(NAS_SECRET.into())),
            },
        )
        .await
}

/// `mac` (12 lowercase hex digits) as hostapd writes Calling-Station-Id: `AA-BB-CC-DD-EE-FF`.
fn dashed(mac: &str) -> anyhow::Result<String> {
    Ok(mac
        .parse::<domain::devices::Mac>()?
        .display_colons()
        .replace(':', "-"))
}

/// A member's device connected at the lobby NAS: Access-Accept, then the AP's accounting
/// Start through FreeRADIUS, stored as their one live session (at `location_id`).
async fn online(
    radius: &Radius,
    user_id: &str,
    mac: &str,
    location_id: &str,
) -> anyhow::Result<()> {
    radius.add_device(DEMO_ORG, user_id, mac).await?;
    assert_accepted(radius, &radius.ask(mac).await?);
    let start = format!(
        "Acct-Status-Type = Start\nAcct-Session-Id = \"{SESSION}\"\nUser-Name = \"{mac}\"\n\
         Calling-Station-Id = \"{}\"\nNAS-IP-Address = 127.0.0.1\n\
         Framed-IP-Address = 10.0.0.23\n",
        dashed(mac)?
    );
    let answer = radclient(
        &radius.freeradius.acct_addr,
        "acct",
        NAS_SECRET,
        &start,
        Duration::from_secs(3),
    )
    .await?;
    assert_eq!(
        answer.code.as_deref(),
        Some("Accounting-Response"),
        "{}\n--- freeradius:\n{}",
        answer.output,
        radius.freeradius.log()
    );
    let live = live_sessions(radius, user_id).await?;
    assert_eq!(live.len(), 1, "the Start is stored before it is answered");
    assert_eq!(live[0].ids.acct_session_id, SESSION);
    assert_eq!(live[0].ids.location_id, location_id);
    Ok(())
}

async fn live_sessions(
    radius: &Radius,
    user_id: &str,
) -> anyhow::Result<Vec<store::radius_sessions::SessionView>> {
    let client = radius.stack.pool.get().await?;
    Ok(store::radius_sessions::live_sessions_of_member(
        &client,
        DEMO_ORG,
        user_id,
        chrono::Utc::now() - chrono::Duration::hours(1),
    )
    .await?)
}

/// The outcomes of the disconnects in the member's history, once it has `count` answers.
async fn answered_in_history(
    radius: &Radius,
    user_id: &str,
    count: usize,
) -> anyhow::Result<Vec<DisconnectOutcome>> {
    eventually("the disconnect's answer in the history", DEADLINE, || async {
        let client = radius.stack.pool.get().await?;
        let (events, _) =
            store::event_log::read_stream(&client, &StreamId::member(DEMO_ORG, user_id)).await?;
        let requested = events
            .iter()
            .filter(|e| matches!(&e.event, Event::SessionDisconnectRequested { session_id, .. } if session_id == SESSION))
            .count();
        let answers: Vec<DisconnectOutcome> = events
            .iter()
            .filter_map(|e| match &e.event {
                Event::SessionDisconnectAnswered {
                    outcome,
                    session_id,
                    nas_id,
                } if session_id == SESSION && nas_id == "lobby" => Some(*outcome),
                _ => None,
            })
            .collect();
        Ok((answers.len() >= count && requested >= count).then_some(answers))
    })
    .await
}

#[tokio::test]
async fn a_cancelled_plan_disconnects_the_member_s_live_session_at_its_nas() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    let nas = NasSimulator::start(NasAnswer::Ack, NAS_SECRET).await?;
    register_lobby(&radius, GASTOWN, nas.port).await?;
    online(&radius, JEAN, JEAN_MAC, GASTOWN).await?;

    radius.stack.sim.sim.cancel_plan(DEMO_ORG, "29191").await?;
    let line = nas
        .wait_for_disconnect(&["Disconnect-Request"], DEADLINE)
        .await?;
    assert_eq!(
        line,
        format!(
            "Disconnect-Request user-name={JEAN_MAC} calling-station-id=02-42-AC-11-00-02 \
             acct-session-id={SESSION} nas-ip-address=127.0.0.1"
        )
    );
    assert_eq!(
        answered_in_history(&radius, JEAN, 1).await?,
        [DisconnectOutcome::Acked]
    );
    assert_eq!(
        metric(&radius, "lanyard_radius_disconnects_sent_total").await?,
        1.0
    );
    assert_eq!(
        metric(&radius, "lanyard_radius_disconnects_acknowledged_total").await?,
        1.0
    );
    assert_eq!(
        metric(&radius, "lanyard_radius_disconnect_retries_total").await?,
        0.0
    );
    // The ACK ended the session; the Reject follows at the next Access-Request.
    assert!(live_sessions(&radius, JEAN).await?.is_empty());
    assert_rejected(&radius, &radius.ask(JEAN_MAC).await?);
    assert_eq!(nas.disconnects()?.len(), 1, "one request, once");
    Ok(())
}

#[tokio::test]
async fn a_nas_that_refuses_the_disconnect_is_recorded_as_nacked() -> anyhow::Result<()> {
    let radius = Radius::start().await?;
    let nas = NasSimulator::start(NasAnswer::Nak, NAS_SECRET).await?;
    register_lobby(&radius, GASTOWN, nas.port).await?;
    online(&radius, JEAN, JEAN_MAC, GASTOWN).await?;

    radius.stack.sim.sim.cancel_plan(DEMO_ORG, "29191").await?;
    nas.wait_for_disconnect(&[SESSION], DEADLINE).await?;
    assert_eq!(
        answered_in_history(&radius, JEAN, 1).await?,
        [DisconnectOutcome::Nacked]
    );
    eventually("the failure in the metrics", DEADLINE, || async {
        Ok(
            (metric(&radius, "lanyard_radius_disconnects_failed_total").await? == 1.0)
                .then_some(()),
        )
    })
    .await?;
    assert_eq!(
        metric(&radius, "lanyard_radius_disconnects_acknowledged_total").await?,
        0.0
    );
    Ok(())
}

#[tokio::test]
async fn a_silent_nas_is_asked_three_times_then_recorded_as_not_answering() -> anyhow::Result<()> {
    let options = StackOptions {
        settings: Some(|settings| settings.radius.disconnect_first_wait_ms = 200),
        ..StackOptions::default()
    };
    let radius = Radius::start_with(options).await?;
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    register_lobby(&radius, GASTOWN, silent.local_addr()?.port()).await?;
    online(&radius, JEAN, JEAN_MAC, GASTOWN).await?;

    radius.stack.sim.sim.cancel_plan(DEMO_ORG, "29191").await?;
    let mut buffer = [0u8; 4096];
    let mut received = Vec::new();
    while received.len() < 3 {
        let (length, _) = tokio::time::timeout(DEADLINE, silent.recv_from(&mut buffer)).await??;
        received.push(buffer[..length].to_vec());
    }
    assert!(received.iter().all(|datagram| datagram == &received[0]));
    assert_eq!(
        answered_in_history(&radius, JEAN, 1).await?,
        [DisconnectOutcome::NoAnswer]
    );
    assert_eq!(
        metric(&radius, "lanyard_radius_disconnect_retries_total").await?,
        2.0
    );
    assert_eq!(
        metric(&radius, "lanyard_radius_disconnects_failed_total").await?,
        1.0
    );
    // No fourth try.
    let fourth = tokio::time::timeout(Duration::from_secs(1), silent.recv_from(&mut buffer)).await;
    assert!(fourth.is_err(), "a fourth Disconnect-Request");
    Ok(())
}

/// A guest's grant ends with their meeting: provision's scheduler records the expiry
/// (`AccessRevoked`, reason expired) with no webhook at all, and that ends the session.
#[tokio::test]
async fn a_guest_s_session_is_disconnected_when_the_meeting_ends_without_a_webhook()
-> anyhow::Result<()> {
    let radius = Radius::start().await?;
    let nas = NasSimulator::start(NasAnswer::Ack, NAS_SECRET).await?;
    register_lobby(&radius, TRASTEVERE, nas.port).await?;
    let ends = Utc::now().timestamp() + 8;
    let guest = radius.guest_until(TRASTEVERE, ends).await?;
    let sim = &radius.stack.sim.sim;
    let guest_mac = "0242ac1100aa";
    online(&radius, &guest, guest_mac, TRASTEVERE).await?;
    let deliveries = sim.deliveries().len();

    nas.wait_for_disconnect(&[&format!("user-name={guest_mac}"), SESSION], DEADLINE)
        .await?;
    assert!(
        Utc::now().timestamp() >= ends,
        "not before the meeting's end"
    );
    assert_eq!(
        answered_in_history(&radius, &guest, 1).await?,
        [DisconnectOutcome::Acked]
    );
    assert_eq!(sim.deliveries().len(), deliveries, "no webhook was needed");
    Ok(())
}
