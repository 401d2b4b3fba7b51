//! The event log on real PostgreSQL: optimistic concurrency, gap-free following of the global
//! position under concurrent writers, projections in the same transaction.

use domain::events::{Basis, GrantKey, OnboardedVia, RevokeReason};
use domain::{Event, Sealed, StreamId};
use integration_tests::database::first_column;
use integration_tests::fresh_database;
use std::collections::BTreeSet;
use store::event_log::{self, Metadata};

fn metadata(cause: &str) -> Metadata {
    Metadata {
        causation_id: cause.into(),
        correlation_id: cause.into(),
        actor: "test".into(),
        cause: Some(cause.into()),
        trace_parent: None,
    }
}

fn opened(org: &str, user: &str) -> Event {
    Event::AccountOpened {
        org_id: org.into(),
        user_id: user.into(),
        home_location: Some("3390".into()),
        via: OnboardedVia::Sync,
        email_hash: format!("email-{user}"),
        profile: Sealed {
            key: "member".into(),
            nonce: "n".into(),
            ciphertext: "c".into(),
        },
    }
}

fn grant(id: &str) -> Event {
    Event::AccessGranted {
        grant: GrantKey {
            basis: Basis::Plan,
            source_id: id.into(),
        },
        location_id: None,
        valid_from: None,
        valid_until: None,
        network: None,
    }
}

#[tokio::test]
async fn a_stale_expected_version_is_a_typed_conflict() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 4)?;
    let stream = StreamId::member("1", "42");
    let now = chrono::Utc::now();

    let mut a = pool.get().await?;
    let mut b = pool.get().await?;
    let tx_a = a.transaction().await?;
    let tx_b = b.transaction().await?;
    event_log::append(
        &tx_a,
        &stream,
        -1,
        vec![opened("1", "42")],
        &metadata("a"),
        now,
    )
    .await?;
    tx_a.commit().await?;
    let error = event_log::append(
        &tx_b,
        &stream,
        -1,
        vec![opened("1", "42")],
        &metadata("b"),
        now,
    )
    .await
    .expect_err("second writer at the same version");
    assert!(error.is_conflict(), "{error:?}");
    drop(tx_b);

    let client = pool.get().await?;
    let (events, version) = event_log::read_stream(&client, &stream).await?;
    assert_eq!((events.len(), version), (1, 0));
    Ok(())
}

#[tokio::test]
async fn readers_following_the_global_position_never_skip_a_committed_event() -> anyhow::Result<()>
{
    let pool = store::create_pool(&fresh_database().await?, 12)?;
    const WRITERS: usize = 8;
    const APPENDS: usize = 60;

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let pool = pool.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut last = 0i64;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let client = pool.get().await?;
                let batch = event_log::read_all(&client, last, 1000).await?;
                for event in &batch {
                    seen.push(event.global_position);
                    last = event.global_position;
                }
                if finished && batch.is_empty() {
                    return anyhow::Ok(seen);
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let pool = pool.clone();
        writers.push(tokio::spawn(async move {
            let stream = StreamId::member("1", &format!("{writer}"));
            for i in 0..APPENDS {
                let mut client = pool.get().await?;
                let tx = client.transaction().await?;
                let event = if i == 0 {
                    opened("1", &format!("{writer}"))
                } else {
                    grant(&format!("{i}"))
                };
                event_log::append(
                    &tx,
                    &stream,
                    i as i64 - 1,
                    vec![event],
                    &metadata("w"),
                    chrono::Utc::now(),
                )
                .await?;
                // Hold the transaction open a little so commits interleave with the reader.
                if i % 7 == 0 {
                    tokio::task::yield_now().await;
                }
                tx.commit().await?;
            }
            anyhow::Ok(())
        }));
    }
    for writer in writers {
        writer.await??;
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await??;

    let all: Vec<i64> = first_column(
        &pool,
        "SELECT global_position FROM events ORDER BY global_position",
    )
    .await?;
    assert_eq!(all.len(), WRITERS * APPENDS);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "positions are read in increasing order"
    );
    assert_eq!(
        seen.iter().copied().collect::<BTreeSet<_>>(),
        all.iter().copied().collect::<BTreeSet<_>>()
    );
    Ok(())
}

#[tokio::test]
async fn projections_follow_the_log_and_deletion_destroys_the_member_key() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 4)?;
    let keys = secrets::KeyRing::from_hex(&"11".repeat(32), &"22".repeat(32))?;
    let stream = StreamId::member("1", "7");
    let mut client = pool.get().await?;
    let (_, wrapped) = keys.new_member_key(&stream.to_string());
    store::queries::insert_member_key(&client, "1", "7", &wrapped).await?;

    let tx = client.transaction().await?;
    let now = chrono::Utc::now();
    event_log::append(
        &tx,
        &stream,
        -1,
        vec![opened("1", "7"), grant("p1"), grant("p2")],
        &metadata("m"),
        now,
    )
    .await?;
    tx.commit().await?;
    let members = store::queries::list_members(&client, Some("1")).await?;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].grants.len(), 2);

    let tx = client.transaction().await?;
    let revoke = Event::AccessRevoked {
        grant: GrantKey {
            basis: Basis::Plan,
            source_id: "p1".into(),
        },
        reason: RevokeReason::Withdrawn,
    };
    event_log::append(
        &tx,
        &stream,
        2,
        vec![revoke, Event::AccountDeleted],
        &metadata("d"),
        now,
    )
    .await?;
    tx.commit().await?;
    assert!(
        store::queries::list_members(&client, Some("1"))
            .await?
            .is_empty()
    );
    assert!(
        store::queries::member_key(&client, "1", "7")
            .await?
            .is_none(),
        "key destroyed"
    );
    let (events, version) = event_log::read_stream(&client, &stream).await?;
    assert_eq!((events.len(), version), (5, 4), "history kept");
    Ok(())
}

#[tokio::test]
async fn replay_while_writers_append_yields_identical_projections() -> anyhow::Result<()> {
    let url = fresh_database().await?;
    let pool = store::create_pool(&url, 12)?;
    const WRITERS: usize = 6;
    const APPENDS: usize = 400;

    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let pool = pool.clone();
        writers.push(tokio::spawn(async move {
            let user = format!("{writer}");
            let stream = StreamId::member("9", &user);
            let mut version = -1i64;
            for i in 0..APPENDS {
                let events = match i {
                    0 => vec![opened("9", &user)],
                    _ if i % 3 == 0 => vec![Event::AccessRevoked {
                        grant: GrantKey {
                            basis: Basis::Plan,
                            source_id: format!("{}", i - 1),
                        },
                        reason: RevokeReason::Withdrawn,
                    }],
                    _ if i % 50 == 0 => vec![Event::AccountSuspended, Event::AccountResumed],
                    _ => vec![grant(&format!("{i}"))],
                };
                let mut client = pool.get().await?;
                let tx = client.transaction().await?;
                let n = events.len() as i64;
                event_log::append(
                    &tx,
                    &stream,
                    version,
                    events,
                    &metadata("w"),
                    chrono::Utc::now(),
                )
                .await?;
                tx.commit().await?;
                version += n;
            }
            anyhow::Ok(())
        }));
    }
    // Replay twice while the writers run: the rebuilt tables are swapped in mid-stream and
    // live appends continue on them.
    for _ in 0..2 {
        store::replay::rebuild_all(&pool, |_, _, _| {}).await?;
    }
    for writer in writers {
        writer.await??;
    }
    let client = pool.get().await?;
    let live = store::replay::checksums(&client).await?;
    let events: i64 = client
        .query_one("SELECT count(*) FROM events", &[])
        .await?
        .get(0);
    assert!(events >= (WRITERS * APPENDS) as i64);

    let report = store::replay::rebuild_all(&pool, |_, _, _| {}).await?;
    assert_eq!(report.events as i64, events);
    assert_eq!(report.writers, 2, "a second connection was free to write");
    let rebuilt = store::replay::checksums(&client).await?;
    assert_eq!(
        live, rebuilt,
        "a rebuild from position 0 gives byte-identical projections"
    );
    assert!(
        rebuilt
            .iter()
            .any(|(table, rows, _)| table == "member_grants" && *rows > 0)
    );
    // With a pool of one connection the tables are written one after another (with more, two
    // at a time, as above): the same tables.
    let one_connection = store::create_pool(&url, 1)?;
    let report = store::replay::rebuild_all(&one_connection, |_, _, _| {}).await?;
    assert_eq!(report.writers, 1);
    assert_eq!(store::replay::checksums(&client).await?, live);
    Ok(())
}

#[tokio::test]
async fn time_travel_tells_the_access_a_member_had_around_a_grants_expiry() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 4)?;
    let at =
        |s: &str| chrono::DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&chrono::Utc));
    let stream = StreamId::member("1", "77");
    let booking = GrantKey {
        basis: Basis::Booking,
        source_id: "39553".into(),
    };
    let mut client = pool.get().await?;
    // Granted at 10:00 until local midnight in Rome (23:00Z); the scheduler records the expiry
    // at 23:00:00.4Z.
    let tx = client.transaction().await?;
    let granted = Event::AccessGranted {
        grant: booking.clone(),
        location_id: Some("3391".into()),
        valid_from: None,
        valid_until: Some(at("2026-11-22T23:00:00Z")?),
        network: None,
    };
    event_log::append(
        &tx,
        &stream,
        -1,
        vec![opened("1", "77"), granted],
        &metadata("webhook"),
        at("2026-11-22T10:00:00Z")?,
    )
    .await?;
    tx.commit().await?;
    let tx = client.transaction().await?;
    let expired = Event::AccessRevoked {
        grant: booking,
        reason: RevokeReason::Expired,
    };
    event_log::append(
        &tx,
        &stream,
        1,
        vec![expired, Event::AccountSuspended],
        &metadata("scheduler"),
        at("2026-11-22T23:00:00.4Z")?,
    )
    .await?;
    tx.commit().await?;

    let before_grant =
        cli::members::show_at(&client, "1", "77", at("2026-11-22T09:00:00Z")?).await?;
    assert!(!before_grant.existed);
    let during = cli::members::show_at(&client, "1", "77", at("2026-11-22T22:59:59Z")?).await?;
    assert_eq!(during.live_grants.len(), 1, "{:?}", during.live_grants);
    assert!(!during.suspended);
    // Between the end of validity and the scheduler's record, the grant is already over.
    let at_end = cli::members::show_at(&client, "1", "77", at("2026-11-22T23:00:00.2Z")?).await?;
    assert!(at_end.live_grants.is_empty());
    let after = cli::members::show_at(&client, "1", "77", at("2026-11-23T08:00:00Z")?).await?;
    assert!(after.live_grants.is_empty() && after.suspended);
    assert_eq!(after.events_considered, 4);

    // The history reads in plain words with the cause.
    let (events, _) = event_log::read_stream(&client, &stream).await?;
    let rome: chrono_tz::Tz = "Europe/Rome".parse().map_err(anyhow::Error::msg)?;
    let text: Vec<String> = events
        .iter()
        .map(|e| cli::history::render(&cli::history::line(e, rome), rome))
        .collect();
    assert_eq!(
        text[1],
        "2026-11-22 11:00 Europe/Rome — booking grant until 2026-11-22 23:59:59 (booking 39553, webhook)"
    );
    assert!(text[2].contains("booking grant expired"), "{}", text[2]);
    Ok(())
}

pub(crate) async fn append_grants(
    pool: &deadpool_postgres::Pool,
    user: &str,
    count: usize,
) -> anyhow::Result<()> {
    append_named_grants(pool, user, count, |i| format!("{user}-{i}")).await
}

/// `count` events on `user`'s stream, one a transaction: the account opened first if it is
/// not, then grants whose sources `name` gives.
async fn append_named_grants(
    pool: &deadpool_postgres::Pool,
    user: &str,
    count: usize,
    name: impl Fn(usize) -> String,
) -> anyhow::Result<()> {
    let stream = StreamId::member("5", user);
    let mut client = pool.get().await?;
    let (_, mut version) = event_log::read_stream(&client, &stream).await?;
    for i in 0..count {
        let tx = client.transaction().await?;
        let event = if version < 0 {
            opened("5", user)
        } else {
            grant(&name(i))
        };
        event_log::append(
            &tx,
            &stream,
            version,
            vec![event],
            &metadata("r"),
            chrono::Utc::now(),
        )
        .await?;
        tx.commit().await?;
        version += 1;
    }
    Ok(())
}

async fn relay_until_caught_up(
    pool: &deadpool_postgres::Pool,
    bus: &bus::Bus,
) -> anyhow::Result<()> {
    let lag = provision::relay::RelayLag::default();
    integration_tests::eventually(
        "the relay to catch up",
        std::time::Duration::from_secs(20),
        || async {
            // Errors (NATS reconnecting) are retried until the deadline.
            let published = provision::relay::relay_batch(pool, bus, &lag).await?;
            Ok((published == 0 && lag.get() == 0).then_some(()))
        },
    )
    .await
}

#[tokio::test]
async fn the_relay_publishes_every_event_once_in_order_across_crashes_and_nats_restarts()
-> anyhow::Result<()> {
    let mut nats = bus::testing::NatsServer::start()
        .await
        .map_err(anyhow::Error::msg)?;
    let pool = store::create_pool(&fresh_database().await?, 4)?;
    let settings = nats.settings();
    let bus = bus::Bus::connect(&settings, bus::auth::Identity::Provision).await?;
    bus.ensure_streams().await?;

    append_grants(&pool, "a", 150).await?;
    append_grants(&pool, "b", 150).await?;
    relay_until_caught_up(&pool, &bus).await?;

    // A relay that crashed after publishing but before saving its checkpoint republishes.
    let client = pool.get().await?;
    client
        .execute("UPDATE relay_checkpoints SET position = 100", &[])
        .await?;
    relay_until_caught_up(&pool, &bus).await?;

    // NATS goes away and comes back (same store); the relay resumes where it was.
    nats.stop();
    append_grants(&pool, "c", 100).await?;
    assert!(
        provision::relay::relay_batch(&pool, &bus, &Default::default())
            .await
            .is_err(),
        "NATS is down"
    );
    nats.restart().await.map_err(anyhow::Error::msg)?;
    append_grants(&pool, "d", 100).await?;
    relay_until_caught_up(&pool, &bus).await?;

    let total: i64 = client
        .query_one("SELECT count(*) FROM events", &[])
        .await?
        .get(0);
    assert_eq!(total, 500);
    // What a subscriber sees, read unrestricted (provision publishes events, never reads them).
    let ops = nats
        .bus_as(bus::auth::Identity::Ops)
        .await
        .map_err(anyhow::Error::msg)?;
    assert_published_once_in_order(&ops, 500).await
}

/// The relay keeps many publishes in flight: one JetStream refuses (here: larger than the
/// stream takes; in production, lost on the way while NATS restarts) has every one sent
/// behind it refused too, never stored ahead of it, and the relay goes on from it in order.
#[tokio::test]
async fn the_relay_stores_nothing_past_an_event_jetstream_refused() -> anyhow::Result<()> {
    let nats = bus::testing::NatsServer::start()
        .await
        .map_err(anyhow::Error::msg)?;
    let pool = store::create_pool(&fresh_database().await?, 4)?;
    let bus = bus::Bus::connect(&nats.settings(), bus::auth::Identity::Provision).await?;
    bus.ensure_streams().await?;
    append_grants(&pool, "a", 100).await?;
    // One grant of 8,000 characters: larger than the stream will take.
    append_named_grants(&pool, "a", 1, |_| "x".repeat(8_000)).await?;
    append_grants(&pool, "b", 100).await?;
    let js = bus.jetstream();
    let resize = |max_message_size: i32| async move {
        let mut config = js
            .get_stream(bus::EVENTS_STREAM)
            .await?
            .info()
            .await?
            .config
            .clone();
        config.max_message_size = max_message_size;
        js.update_stream(config).await?;
        anyhow::Ok(())
    };
    resize(4096).await?;

    let refused = provision::relay::relay_batch(&pool, &bus, &Default::default()).await;
    assert!(refused.is_err(), "the 101st event is refused");
    let ops = nats
        .bus_as(bus::auth::Identity::Ops)
        .await
        .map_err(anyhow::Error::msg)?;
    assert_published_once_in_order(&ops, 100).await?;

    resize(-1).await?;
    relay_until_caught_up(&pool, &bus).await?;
    assert_published_once_in_order(&ops, 201).await
}

/// The events stream holds `total` events, each once, in log order (all of organization 5's
/// members).
pub(crate) async fn assert_published_once_in_order(
    ops: &bus::Bus,
    total: usize,
) -> anyhow::Result<()> {
    let mut stream = ops.jetstream().get_stream(bus::EVENTS_STREAM).await?;
    let info = stream.info().await?;
    assert_eq!(info.state.messages, total as u64, "each event exactly once");
    let mut last_position = 0i64;
    let mut ids = BTreeSet::new();
    for sequence in 1..=info.state.last_sequence {
        let message = stream.get_raw_message(sequence).await?;
        let body: serde_json::Value = serde_json::from_slice(&message.payload)?;
        let position = body["position"].as_i64().expect("position");
        assert!(
            position > last_position,
            "log order: {position} after {last_position}"
        );
        last_position = position;
        assert!(
            ids.insert(body["event_id"].as_str().unwrap_or_default().to_owned()),
            "unique event ids"
        );
        assert!(
            message.subject.starts_with("lanyard.events.member.5"),
            "{}",
            message.subject
        );
    }
    assert_eq!(ids.len(), total);
    Ok(())
}

/// The one decide-and-append path (`store::decide`, which `expire_member` and every other
/// decision go through): a decision that loses a race with another writer is decided again on
/// the fresh state, not appended stale and not given up.
#[tokio::test]
async fn a_decision_that_loses_a_race_is_decided_again_on_fresh_state() -> anyhow::Result<()> {
    use domain::member::{Member, MemberCommand};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use store::decide::{self, DecideError};

    let pool = store::create_pool(&fresh_database().await?, 4)?;
    let stream = StreamId::member("1", "42");
    let now = chrono::Utc::now();
    let expiring = Event::AccessGranted {
        grant: GrantKey {
            basis: Basis::Plan,
            source_id: "1".into(),
        },
        location_id: None,
        valid_from: None,
        valid_until: Some(now - chrono::Duration::minutes(1)),
        network: None,
    };
    {
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let history = vec![opened("1", "42"), expiring];
        event_log::append(&tx, &stream, -1, history, &metadata("setup"), now).await?;
        tx.commit().await?;
    }
    let attempts = AtomicUsize::new(0);
    let expiry = metadata("expiry");
    let inputs = (&pool, &stream, &attempts, &expiry);
    let appended =
        decide::in_transaction(&pool, &inputs, |tx, (pool, stream, attempts, expiry)| {
            Box::pin(async move {
                let loaded = decide::load::<Member>(tx, stream).await?;
                if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                    // Another writer grants a second plan between our read and our append.
                    let mut other = pool.get().await.map_err(store::StoreError::from)?;
                    let other_tx = other.transaction().await.map_err(store::StoreError::from)?;
                    let granted = vec![grant("2")];
                    event_log::append(&other_tx, stream, loaded.version, granted, expiry, now)
                        .await?;
                    other_tx.commit().await.map_err(store::StoreError::from)?;
                }
                let command = MemberCommand::ExpireGrants { now };
                loaded
                    .decide_and_append(tx, stream, command, expiry, now)
                    .await
            })
        })
        .await
        .map_err(|e: DecideError<domain::MemberError>| anyhow::anyhow!("{e}"))?;

    assert_eq!(attempts.load(Ordering::SeqCst), 2, "decided again once");
    // Decided on the fresh state: the second plan is still live, so the account stays open.
    assert_eq!(appended, vec!["AccessRevoked"]);
    let client = pool.get().await?;
    let (events, version) = event_log::read_stream(&client, &stream).await?;
    assert_eq!(version, 3);
    assert_eq!(events[2].event, grant("2"));
    assert!(matches!(events[3].event, Event::AccessRevoked { .. }));
    Ok(())
}

#[tokio::test]
async fn many_streams_read_at_once_answer_each_history_by_one_index_scan_per_stream()
-> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 2)?;
    let mut client = pool.get().await?;
    for (user, grants) in [("1", 2), ("2", 0), ("3", 1)] {
        append_grants(&pool, user, grants + 1).await?;
    }
    let stream = |user: &str| StreamId::member("5", user);
    let asked = [stream("3"), stream("404"), stream("1"), stream("3")];
    let histories = event_log::read_streams(&client, &asked).await?;
    let versions: Vec<Vec<i64>> = histories
        .iter()
        .map(|h| h.iter().map(|e| e.stream_version).collect())
        .collect();
    // In the order asked, each in version order; a stream named twice twice; none for none.
    assert_eq!(
        versions,
        vec![vec![0, 1], vec![], vec![0, 1, 2], vec![0, 1]]
    );
    assert!(matches!(histories[2][0].event, Event::AccountOpened { .. }));
    let positions: Vec<i64> = histories[2].iter().map(|e| e.global_position).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");

    // A log of 40,000 events, 4 to a stream: reading 1,000 of its streams with
    // `stream_id = ANY($1)` was a sequential scan of all of it.
    let tx = client.transaction().await?;
    tx.batch_execute(
        r#"INSERT INTO events (global_position, event_id, stream_id, category, org_id,
                             stream_version, event_type, data, metadata, recorded_at)
         SELECT nextval('event_position_seq'), gen_random_uuid(), 'member-9-' || (i / 4),
                'member', '9', i % 4, 'AccountSuspended', '{"type": "AccountSuspended"}', '{}', now()
         FROM generate_series(0, 39999) AS i;
         ANALYZE events;"#,
    )
    .await?;
    tx.commit().await?;
    let names: Vec<String> = (0..1000).map(|i| format!("member-9-{}", i * 7)).collect();
    // Nor is it compiled: a plan's cost can be high where its work is not.
    let jit: String = client.query_one("SHOW jit", &[]).await?.get(0);
    assert_eq!(jit, "off");
    for mode in ["force_custom_plan", "force_generic_plan"] {
        client
            .batch_execute(&format!("SET plan_cache_mode = {mode}"))
            .await?;
        let plan: serde_json::Value = client
            .query_one(
                &format!("EXPLAIN (FORMAT JSON) {}", event_log::READ_STREAMS),
                &[&names],
            )
            .await?
            .get(0);
        let plan = plan.to_string();
        // The stream index, however it is scanned; never the whole log.
        assert!(
            plan.contains("events_stream_version_unique") && !plan.contains("\"Seq Scan\""),
            "{mode}: {plan}"
        );
    }
    let wide = event_log::read_streams(
        &client,
        &(0..1000)
            .map(|i| StreamId::member("9", &(i * 7).to_string()))
            .collect::<Vec<_>>(),
    )
    .await?;
    assert!(wide.iter().all(|h| h.len() == 4), "every stream's 4 events");
    Ok(())
}

/// A coverage record only moves forward, and says when it did: a batch whose every subject a
/// reconciliation that asked no earlier already covers has nothing new to commit (provision
/// answers it `AlreadyProcessed`); records older than the horizon are forgotten.
#[tokio::test]
async fn webhook_coverage_moves_only_forward_and_says_when_it_did() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 2)?;
    let client = pool.get().await?;
    // Whole microseconds, as PostgreSQL keeps them.
    let asked = chrono::DateTime::from_timestamp_micros(chrono::Utc::now().timestamp_micros())
        .ok_or_else(|| anyhow::anyhow!("now is out of range"))?;
    let second = chrono::TimeDelta::seconds(1);
    let horizon = asked - chrono::TimeDelta::hours(24);
    let record = |keys: &'static [&'static str], at, forget_before| {
        let client = &client;
        async move { event_log::record_webhook_coverage(client, "1", keys, at, forget_before).await }
    };

    assert_eq!(record(&["a", "b"], asked, horizon).await?, 2, "both new");
    assert_eq!(
        record(&["a", "b"], asked, horizon).await?,
        0,
        "asked at the same time"
    );
    assert_eq!(
        record(&["a"], asked - second, horizon).await?,
        0,
        "asked earlier"
    );
    assert_eq!(
        record(&["a", "c"], asked + second, horizon).await?,
        2,
        "a later ask"
    );

    let keys = ["a", "b", "c"].map(String::from);
    let coverage = event_log::webhook_coverage(&client, "1", &keys).await?;
    let at = |key: &str| coverage.get(key).map(|t| t.timestamp_micros());
    assert_eq!(at("a"), Some((asked + second).timestamp_micros()));
    assert_eq!(at("b"), Some(asked.timestamp_micros()), "never moved back");
    assert_eq!(at("c"), Some((asked + second).timestamp_micros()));

    // A horizon past b's ask forgets b, and only b.
    assert_eq!(record(&["d"], asked + second, asked + second / 2).await?, 1);
    let coverage = event_log::webhook_coverage(&client, "1", &keys).await?;
    let mut left: Vec<&String> = coverage.keys().collect();
    left.sort();
    assert_eq!(left, ["a", "c"]);
    Ok(())
}

/// What is read behind the append lock (`under_append_lock`, pipelined on one round trip) is
/// read once the lock is held: a writer holding it commits first, and the read sees that. A
/// read sent ahead of the lock would answer the stream as it was before.
#[tokio::test]
async fn reads_pipelined_behind_the_append_lock_see_what_its_holder_committed() -> anyhow::Result<()>
{
    let pool = store::create_pool(&fresh_database().await?, 4)?;
    let stream = StreamId::member("5", "7");
    append_grants(&pool, "7", 1).await?;

    let mut holder = pool.get().await?;
    let holding = holder.transaction().await?;
    event_log::append(
        &holding,
        &stream,
        0,
        vec![grant("held")],
        &metadata("holder"),
        chrono::Utc::now(),
    )
    .await?;

    let reader = {
        let pool = pool.clone();
        let stream = stream.clone();
        tokio::spawn(async move {
            let mut client = pool.get().await?;
            let streams = [stream];
            // Read once on this connection first, so that its statement is prepared: one
            // prepared on the way would be sent late whatever the order asked.
            event_log::read_streams(&client, &streams).await?;
            let tx = client.transaction().await?;
            let reading = event_log::read_streams(&tx, &streams);
            let histories = event_log::under_append_lock(&tx, reading).await?;
            tx.commit().await?;
            anyhow::Ok(histories[0].len())
        })
    };
    // The reader waits for the lock the holder has.
    let watcher = pool.get().await?;
    integration_tests::wait::eventually(
        "the reader waiting for the append lock",
        std::time::Duration::from_secs(10),
        || async {
            let waiting: i64 = watcher
                .query_one(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                    &[],
                )
                .await?
                .get(0);
            Ok((waiting == 1).then_some(()))
        },
    )
    .await?;
    holding.commit().await?;
    assert_eq!(
        reader.await??,
        2,
        "the event committed while the reader waited"
    );
    Ok(())
}

/// Statements pipelined by `statements::in_order` run in the order given, each seeing the one
/// before (the projections' statements of a batch rely on it: a row deleted, then inserted).
#[tokio::test]
async fn statements_pipelined_in_order_run_one_after_the_other() -> anyhow::Result<()> {
    let pool = store::create_pool(&fresh_database().await?, 2)?;
    let mut client = pool.get().await?;
    client
        .batch_execute("CREATE TABLE pipelined (k int PRIMARY KEY, v int NOT NULL)")
        .await?;
    let tx = client.transaction().await?;
    let steps = [
        "INSERT INTO pipelined VALUES (1, 2)",
        "UPDATE pipelined SET v = v * 10 WHERE k = 1",
        "UPDATE pipelined SET v = v + 3 WHERE k = 1",
        "DELETE FROM pipelined WHERE v = 2",
        "INSERT INTO pipelined SELECT 2, v FROM pipelined WHERE k = 1",
    ];
    let mut prepared = Vec::new();
    for step in steps {
        prepared.push(tx.prepare(step).await?);
    }
    let runs = prepared.iter().map(|statement| tx.execute(statement, &[]));
    let rows: Vec<u64> = store::statements::in_order(runs)
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    assert_eq!(rows, vec![1, 1, 1, 0, 1], "each statement's rows, in order");
    let values: Vec<(i32, i32)> = tx
        .query("SELECT k, v FROM pipelined ORDER BY k", &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(values, vec![(1, 23), (2, 23)]);
    tx.commit().await?;
    Ok(())
}

/// A batch's own checks go on the wire ahead of the append lock and the reads behind it
/// (`Writer::reconcile_members_if`, one round trip for all): answered "nothing new", the batch
/// decides and appends nothing; answered "go on", its members are reconciled as
/// `reconcile_members` would.
#[tokio::test]
async fn a_batch_its_checks_answer_nothing_new_appends_nothing() -> anyhow::Result<()> {
    use domain::access::{MemberFacts, PlanFact, PlanStatus};
    use provision::writer::{ToReconcile, Trigger};
    let pool = store::create_pool(&fresh_database().await?, 2)?;
    let keys = secrets::KeyRing::from_hex(&"11".repeat(32), &"22".repeat(32))?;
    let writer = provision::Writer::new(pool.clone(), keys);
    let cause = metadata("webhook");
    let facts = MemberFacts {
        user_id: "7".into(),
        email: "ada@example.com".into(),
        fullname: "Ada".into(),
        exists: true,
        is_active: true,
        plans: vec![PlanFact {
            account_plan_id: "70".into(),
            plan_template_id: "1".into(),
            status: PlanStatus::Active,
            start: None,
            end: None,
            in_all_locations: true,
            location_ids: vec![],
        }],
        bookings: vec![],
        invitations: vec![],
        teams: vec![],
    };
    let members = [ToReconcile {
        facts,
        metadata: &cause,
    }];
    let mut client = pool.get().await?;
    let now = chrono::Utc::now();
    let mut reconcile = async |go_on: bool| -> anyhow::Result<Option<usize>> {
        let tx = client.transaction().await?;
        let answered = writer
            .reconcile_members_if(&tx, "1", &members, Trigger::Webhook, now, async move {
                Ok(go_on)
            })
            .await?;
        tx.commit().await?;
        Ok(answered.map(|appended| appended.iter().map(|a| a.events.len()).sum()))
    };

    assert_eq!(
        reconcile(false).await?,
        None,
        "nothing new: nothing decided"
    );
    let count = "SELECT count(*) FROM events WHERE stream_id = 'member-1-7'";
    assert_eq!(first_column::<i64>(&pool, count).await?, [0]);

    let appended = reconcile(true).await?;
    assert!(
        appended.is_some_and(|events| events >= 3),
        "opened, a passphrase and the plan's grant: {appended:?}"
    );
    let logged = first_column::<i64>(&pool, count).await?;
    assert_eq!(logged, [appended.unwrap_or(0) as i64]);
    Ok(())
}
