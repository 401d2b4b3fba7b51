//! Accounting storage on real PostgreSQL (`store::radius_sessions`): at-least-once and out of
//! order, as NASes send it — an Interim before its Start, a Stop twice, an Interim after the
//! Stop — and Accounting-On closing a NAS's sessions, the live queries and the retention.

use chrono::{DateTime, Duration, Utc};
use integration_tests::fresh_database;
use store::radius_sessions::{
    self, AccountingKind, SessionIds, SessionReport, SessionView, Traffic,
};

const ORG: &str = "6267";
const GASTOWN: &str = "3390";

fn report(unique: &str, at: DateTime<Utc>, seconds: i64, octets: i64) -> SessionReport {
    SessionReport {
        org_id: ORG.into(),
        ids: SessionIds {
            unique_session_id: unique.into(),
            nas_id: "lobby".into(),
            location_id: GASTOWN.into(),
            user_id: Some("12346".into()),
            mac: "0a1b2c3d4e5f".into(),
            acct_session_id: format!("S-{unique}"),
            user_name: "0a1b2c3d4e5f".into(),
            calling_station_id: "0A-1B-2C-3D-4E-5F".into(),
            nas_ip: Some("192.0.2.10".parse().expect("ip")),
            source_ip: "192.0.2.10".parse().expect("ip"),
            framed_ip: None,
        },
        at,
        session_seconds: seconds,
        traffic: Traffic {
            input_octets: octets,
            output_octets: octets * 10,
        },
        terminate_cause: None,
    }
}

/// Claims a session's disconnect for `event` in a transaction of its own, as the follower does.
async fn claim(
    pool: &deadpool_postgres::Pool,
    unique: &str,
    event: uuid::Uuid,
) -> anyhow::Result<bool> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let claimed = radius_sessions::claim_disconnect(&tx, ORG, unique, event).await?;
    tx.commit().await?;
    Ok(claimed)
}

async fn live(
    pool: &deadpool_postgres::Pool,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<SessionView>> {
    let client = pool.get().await?;
    Ok(
        radius_sessions::live_sessions_of_member(&client, ORG, "12346", now - Duration::hours(24))
            .await?,
    )
}

#[tokio::test]
async fn an_interim_before_its_start_and_a_stop_twice_leave_one_true_session() -> anyhow::Result<()>
{
    let pool = store::create_pool(&fresh_database().await?, 2)?;
    let client = pool.get().await?;
    let t0 = Utc::now() - Duration::minutes(30);
    // The Interim 10 minutes in arrives first: the session starts 10 minutes before it.
    radius_sessions::record(
        &client,
        AccountingKind::Interim,
        &report("a", t0 + Duration::minutes(10), 600, 500),
    )
    .await?;
    let sessions = live(&pool, Utc::now()).await?;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].started_at.timestamp(), t0.timestamp());
    // The late Start (retransmitted twice) changes neither the start nor the counters.
    for _ in 0..2 {
        radius_sessions::record(&client, AccountingKind::Start, &report("a", t0, 0, 0)).await?;
    }
    let sessions = live(&pool, Utc::now()).await?;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].traffic.input_octets, 500);
    assert_eq!(sessions[0].traffic.output_octets, 5000);
    assert_eq!(
        sessions[0].updated_at.timestamp(),
        (t0 + Duration::minutes(10)).timestamp()
    );

    let mut stop = report("a", t0 + Duration::minutes(20), 1200, 900);
    stop.terminate_cause = Some("User-Request".into());
    radius_sessions::record(&client, AccountingKind::Stop, &stop).await?;
    let mut second_stop = report("a", t0 + Duration::minutes(25), 1500, 950);
    second_stop.terminate_cause = Some("Lost-Carrier".into());
    radius_sessions::record(&client, AccountingKind::Stop, &second_stop).await?;
    // An Interim overtaken by the Stop does not reopen the session.
    radius_sessions::record(
        &client,
        AccountingKind::Interim,
        &report("a", t0 + Duration::minutes(15), 900, 700),
    )
    .await?;
    assert!(live(&pool, Utc::now()).await?.is_empty());
    let row = client
        .query_one(
            "SELECT stopped_at, terminate_cause, input_octets, started_at FROM radius_sessions
             WHERE org_id = $1 AND unique_session_id = 'a'",
            &[&ORG],
        )
        .await?;
    let stopped: DateTime<Utc> = row.get(0);
    assert_eq!(
        stopped.timestamp(),
        (t0 + Duration::minutes(20)).timestamp(),
        "the first Stop"
    );
    assert_eq!(row.get::<_, String>(1), "User-Request");
    assert_eq!(row.get::<_, i64>(2), 950, "counters only grow");
    let started: DateTime<Utc> = row.get(3);
    assert_eq!(started.timestamp(), t0.timestamp());
    let seen = radius_sessions::devices_seen(&client, ORG, "12346").await?;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].first_seen.timestamp(), t0.timestamp());
    assert_eq!(seen[0].last_seen.timestamp(), stopped.timestamp());
    Ok(())
}

#[tokio::test]
async fn accounting_on_closes_the_nas_s_open_sessions_and_no_other() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 2)?;
    let client = pool.get().await?;
    let now = Utc::now();
    radius_sessions::record(
        &client,
        AccountingKind::Start,
        &report("a", now - Duration::minutes(5), 0, 0),
    )
    .await?;
    let mut elsewhere = report("b", now - Duration::minutes(5), 0, 0);
    elsewhere.ids.nas_id = "terrace".into();
    radius_sessions::record(&client, AccountingKind::Start, &elsewhere).await?;
    let closed =
        radius_sessions::close_nas_sessions(&client, ORG, "lobby", now, "NAS-Reboot").await?;
    assert_eq!(closed, 1);
    let sessions = live(&pool, now).await?;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].ids.nas_id, "terrace");
    let at_location = radius_sessions::live_sessions_at_location(
        &client,
        ORG,
        GASTOWN,
        now - Duration::hours(1),
        10,
    )
    .await?;
    assert_eq!(at_location.len(), 1);
    // A session silent for longer than the window is not online.
    assert!(
        radius_sessions::live_sessions_at_location(&client, ORG, GASTOWN, now, 10)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn a_session_is_asked_to_disconnect_once_and_the_retention_purges() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 2)?;
    let client = pool.get().await?;
    let now = Utc::now();
    radius_sessions::record(&client, AccountingKind::Start, &report("a", now, 0, 0)).await?;
    let event = uuid::Uuid::new_v4();
    assert!(claim(&pool, "a", event).await?);
    // Not answered yet (the sender stopped midway): a redelivery may send it again.
    assert!(claim(&pool, "a", event).await?);
    // Another event of the same revocation, while the first is being sent: not twice.
    assert!(!claim(&pool, "a", uuid::Uuid::new_v4()).await?);
    radius_sessions::answer_disconnect(&client, ORG, "a", event, "acked").await?;
    assert!(!claim(&pool, "a", event).await?);
    assert!(!claim(&pool, "a", uuid::Uuid::new_v4()).await?);
    // A NAS that did not answer is asked again by a later event, after five minutes.
    radius_sessions::record(&client, AccountingKind::Start, &report("b", now, 0, 0)).await?;
    let first = uuid::Uuid::new_v4();
    assert!(claim(&pool, "b", first).await?);
    radius_sessions::answer_disconnect(&client, ORG, "b", first, "no_answer").await?;
    assert!(!claim(&pool, "b", uuid::Uuid::new_v4()).await?);
    client
        .execute(
            "UPDATE radius_disconnects SET requested_at = now() - interval '6 minutes'
             WHERE unique_session_id = 'b'",
            &[],
        )
        .await?;
    assert!(claim(&pool, "b", uuid::Uuid::new_v4()).await?);
    assert!(
        live(&pool, now)
            .await?
            .iter()
            .all(|session| session.ids.unique_session_id != "a"),
        "an acknowledged disconnect ends the session"
    );

    radius_sessions::record(
        &client,
        AccountingKind::Start,
        &report("old", now - Duration::days(40), 0, 0),
    )
    .await?;
    let purged = radius_sessions::purge(&client, now - Duration::days(30), 1000).await?;
    assert_eq!(purged, 1, "only the session over 30 days ago");
    let left: i64 = client
        .query_one("SELECT count(*) FROM radius_sessions", &[])
        .await?
        .get(0);
    assert_eq!(left, 2);
    Ok(())
}

/// Accounting through FreeRADIUS (rlm_rest) from a registered NAS, as an access point sends it.
async fn acct(radius: &super::Radius, attributes: &str) -> anyhow::Result<Option<String>> {
    let exchange = integration_tests::radius::radclient(
        &radius.freeradius.acct_addr,
        "acct",
        super::NAS_SECRET,
        attributes,
        std::time::Duration::from_secs(2),
    )
    .await?;
    Ok(exchange.code)
}

#[tokio::test]
async fn start_interim_and_stop_through_freeradius_keep_the_session_and_on_closes_it()
-> anyhow::Result<()> {
    use super::{DEMO_ORG, JEAN, JEAN_MAC, NasDialect};
    let radius = super::Radius::start().await?;
    radius
        .register_nas(DEMO_ORG, "ap", GASTOWN, NasDialect::Hostapd)
        .await?;
    radius.add_device(DEMO_ORG, JEAN, JEAN_MAC).await?;
    let device =
        format!("User-Name = \"{JEAN_MAC}\"\nCalling-Station-Id = \"02-42-AC-11-00-02\"\n");
    let response = Some("Accounting-Response".to_owned());
    for (status, extra) in [
        ("Start", ""),
        (
            "Interim-Update",
            "Acct-Session-Time = 300\nAcct-Input-Octets = 1000\nAcct-Output-Octets = 20000\n\
             Acct-Output-Gigawords = 1\n",
        ),
    ] {
        let sent =
            format!("Acct-Status-Type = {status}\nAcct-Session-Id = \"S-1\"\n{device}{extra}");
        assert_eq!(
            acct(&radius, &sent).await?,
            response,
            "{status}: {}",
            radius.freeradius.log()
        );
    }
    let pool = &radius.stack.pool;
    let sessions = live(pool, Utc::now()).await?;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].ids.user_id.as_deref(), Some(JEAN));
    assert_eq!(sessions[0].ids.nas_id, "ap");
    assert_eq!(sessions[0].ids.location_id, GASTOWN);
    assert_eq!(sessions[0].ids.source_ip.to_string(), "127.0.0.1");
    assert_eq!(sessions[0].traffic.input_octets, 1000);
    assert_eq!(sessions[0].traffic.output_octets, (1 << 32) + 20000);

    // A second session, then the Stop of the first and Accounting-On (the AP rebooted).
    let second = format!("Acct-Status-Type = Start\nAcct-Session-Id = \"S-2\"\n{device}");
    assert_eq!(acct(&radius, &second).await?, response);
    let stop = format!(
        "Acct-Status-Type = Stop\nAcct-Session-Id = \"S-1\"\n{device}Acct-Session-Time = 600\n\
         Acct-Terminate-Cause = User-Request\n"
    );
    assert_eq!(acct(&radius, &stop).await?, response);
    let sessions = live(pool, Utc::now()).await?;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].ids.acct_session_id, "S-2");
    assert_eq!(
        acct(
            &radius,
            "Acct-Status-Type = Accounting-On\nNAS-IP-Address = 127.0.0.1\n"
        )
        .await?,
        response
    );
    assert!(live(pool, Utc::now()).await?.is_empty());
    let client = pool.get().await?;
    let causes: Vec<String> = client
        .query(
            "SELECT terminate_cause FROM radius_sessions ORDER BY acct_session_id",
            &[],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(causes, ["User-Request", "NAS-Reboot"]);

    // Accounting Lanyard cannot read gets no Accounting-Response (the NAS may retry) and is
    // counted as refused.
    let no_session = format!("Acct-Status-Type = Start\n{device}");
    assert_eq!(acct(&radius, &no_session).await?, None);
    let refused = integration_tests::metric_sum(
        &radius.stack.radius_ops_url,
        "lanyard_radius_accounting_requests_total",
        &[("result", "refused")],
    )
    .await?;
    assert_eq!(refused, 1.0);
    Ok(())
}

/// The events of one revocation handled at the same time claim the session once.
#[tokio::test]
async fn concurrent_events_claim_a_session_s_disconnect_once() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 8)?;
    let client = pool.get().await?;
    radius_sessions::record(
        &client,
        AccountingKind::Start,
        &report("a", Utc::now(), 0, 0),
    )
    .await?;
    let claims = (0..8).map(|_| claim(&pool, "a", uuid::Uuid::new_v4()));
    let claimed = futures::future::try_join_all(claims).await?;
    assert_eq!(claimed.iter().filter(|c| **c).count(), 1, "{claimed:?}");
    Ok(())
}
