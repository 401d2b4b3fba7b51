//! Replay: events per second rebuilding every projection from a log of 1,000,000 events,
//! beside a raw sequential read of the same table (`COPY ... TO STDOUT`, the fastest way out).
//!
//! The log is realistic in shape, and feeds every projection: the organization's installation,
//! two mapped locations, one team group per 25 members (with a VLAN while 3,900 last), then per member an
//! account opened, a passphrase issued, a plan grant, their team joined and a booking grant that
//! ends (sealed fields of real size), and the import's `SyncCompleted` at the end. One group and
//! one member are appended through the store; the rest are copies made in SQL, each with its
//! own ids.
//!
//! The rebuild is `lanyard replay --json`, the command operators run, in a process of its own.

use crate::stats::Row;
use chrono::{Duration as Days, Utc};
use domain::events::OnboardedVia;
use domain::{Basis, Event, GrantKey, Sealed, StreamId};
use futures::StreamExt;
use serde::Serialize;
use std::time::Instant;
use store::event_log::{self, Metadata};

const PER_MEMBER: i64 = 5;
/// Members per team group.
const PER_GROUP: i64 = 25;
const TEMPLATE: &str = "TPLUSER";
const TEMPLATE_TEAM: &str = "TPLTEAM";

#[derive(Serialize)]
pub struct ReplayFigures {
    pub events: i64,
    pub replay_events_per_sec: f64,
    pub raw_read_events_per_sec: f64,
    pub replay_seconds: f64,
    pub generate_seconds: f64,
    /// The replay's phases (store::replay::ReplayPhases): reading and folding the log, writing
    /// the shadow tables, the catch-up and swap.
    pub read_and_fold_seconds: f64,
    pub write_seconds: f64,
    pub catch_up_and_swap_seconds: f64,
    /// A second rebuild gives every projection table the same digest as the first.
    pub checksums_identical: bool,
}

impl ReplayFigures {
    pub fn rows(&self) -> Vec<Row> {
        vec![Row {
            what: format!("replay of {} events", self.events),
            figure: format!(
                "{:.0} events/s ({:.1} s: read+fold {:.1}, COPY in {:.1}, catch-up {:.1}; {:.1} % of raw read)",
                self.replay_events_per_sec,
                self.replay_seconds,
                self.read_and_fold_seconds,
                self.write_seconds,
                self.catch_up_and_swap_seconds,
                100.0 * self.replay_events_per_sec / self.raw_read_events_per_sec.max(1.0)
            ),
            ceiling: format!(
                "raw sequential read {:.0} events/s",
                self.raw_read_events_per_sec
            ),
            target: "≥ 100,000 events/s, identical checksums".into(),
            met: Some(self.replay_events_per_sec >= 100_000.0 && self.checksums_identical),
        }]
    }
}

fn sealed(bytes: usize) -> Sealed {
    Sealed {
        key: "member".into(),
        nonce: "A".repeat(32),
        ciphertext: "B".repeat(bytes * 4 / 3),
    }
}

fn template_events() -> Vec<Event> {
    let now = Utc::now();
    vec![
        Event::AccountOpened {
            org_id: "bench".into(),
            user_id: TEMPLATE.into(),
            home_location: Some("3390".into()),
            via: OnboardedVia::Sync,
            email_hash: format!("email-{TEMPLATE}-0000000000000000000000000000000000000000"),
            profile: sealed(80),
        },
        Event::PassphraseIssued {
            passphrase: sealed(28),
            lookup_hash: format!("pass-{TEMPLATE}-000000000000000000000000000000000000000000"),
        },
        Event::AccessGranted {
            grant: GrantKey {
                basis: Basis::Plan,
                source_id: format!("plan-{TEMPLATE}"),
            },
            location_id: None,
            valid_from: None,
            valid_until: None,
            network: None,
        },
        Event::JoinedGroup {
            team_id: TEMPLATE_TEAM.into(),
        },
        Event::AccessGranted {
            grant: GrantKey {
                basis: Basis::Booking,
                source_id: format!("booking-{TEMPLATE}"),
            },
            location_id: Some("3391".into()),
            valid_from: Some(now - Days::hours(2)),
            valid_until: Some(now + Days::hours(6)),
            network: None,
        },
    ]
}

/// The organization's streams before its members: installation, two mapped locations.
fn organization_events() -> Vec<(StreamId, Vec<Event>)> {
    let location = |id: &str, name: &str, timezone: &str| {
        (
            StreamId::location("bench", id),
            vec![Event::LocationMapped {
                location_id: id.into(),
                settings: domain::LocationSettings {
                    name: name.into(),
                    network_name: format!("{}-members", name.to_lowercase()),
                    timezone: timezone.into(),
                    vlan_pool: None,
                    roaming: domain::RoamingPolicy::SingleLocation,
                },
            }],
        )
    };
    vec![
        (
            StreamId::organization("bench"),
            vec![Event::IntegrationConfigured {
                org_id: "bench".into(),
                token: Sealed {
                    key: "master".into(),
                    nonce: "A".repeat(32),
                    ciphertext: "C".repeat(64),
                },
                platform: domain::Platform::Optix,
                account: None,
            }],
        ),
        location("3390", "Gastown", "America/Vancouver"),
        location("3391", "Trastevere", "Europe/Rome"),
    ]
}

pub async fn run(smoke: bool) -> anyhow::Result<ReplayFigures> {
    let target_events: i64 = if smoke { 2_000 } else { 1_000_000 };
    // 4 organization events; per 25 members, 125 member events and one group.
    let members = (target_events - 4) * PER_GROUP / (PER_MEMBER * PER_GROUP + 1);
    let groups = (members / PER_GROUP).max(2);
    let url = integration_tests::fresh_database().await?;
    let pool = store::create_pool(&url, 2)?;

    let generating = Instant::now();
    generate_log(&pool, members, groups).await?;
    let generate_seconds = generating.elapsed().as_secs_f64();
    let client = pool.get().await?;
    let events = count(&client, "SELECT count(*) FROM events").await?;
    let raw_seconds = raw_read_seconds(&client).await?;
    drop(client);

    let replaying = Instant::now();
    let report = replay_with_cli(&url).await?;
    let replay_seconds = replaying.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.events == events,
        "replay applied {} of {events} events",
        report.events
    );
    let client = pool.get().await?;
    let members_projected = count(&client, "SELECT count(*) FROM members").await?;
    anyhow::ensure!(
        members_projected == members,
        "{members_projected} members projected, {members} expected"
    );
    let groups_projected = count(&client, "SELECT count(*) FROM groups").await?;
    anyhow::ensure!(
        groups_projected == groups,
        "{groups_projected} groups projected, {groups} expected"
    );
    // Deterministic: the same log rebuilds the same tables, byte for byte.
    let first = store::replay::checksums(&client).await?;
    replay_with_cli(&url).await?;
    let checksums_identical = store::replay::checksums(&client).await? == first;
    Ok(ReplayFigures {
        events,
        replay_events_per_sec: events as f64 / replay_seconds,
        raw_read_events_per_sec: events as f64 / raw_seconds,
        replay_seconds,
        generate_seconds,
        read_and_fold_seconds: report.read_and_fold_seconds,
        write_seconds: report.write_seconds,
        catch_up_and_swap_seconds: report.catch_up_and_swap_seconds,
        checksums_identical,
    })
}

/// What `lanyard replay --json` prints.
#[derive(serde::Deserialize)]
struct CliReplay {
    events: i64,
    read_and_fold_seconds: f64,
    write_seconds: f64,
    catch_up_and_swap_seconds: f64,
}

/// Rebuilds every projection as operators do, with `lanyard replay` (its own process, allocator
/// and connection pool). Replay never reaches NATS, but the configuration names it.
async fn replay_with_cli(database_url: &str) -> anyhow::Result<CliReplay> {
    let mut command = tokio::process::Command::new(crate::support::binary("lanyard")?);
    command
        .args(["replay", "--json"])
        .env_remove("LANYARD_CONFIG")
        .env("LANYARD__DATABASE__URL", database_url)
        .env("LANYARD__NATS__URL", "nats://127.0.0.1:4222")
        .kill_on_drop(true);
    let output = command.output().await?;
    anyhow::ensure!(
        output.status.success(),
        "lanyard replay failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    serde_json::from_slice(&output.stdout).map_err(|e| {
        anyhow::anyhow!(
            "lanyard replay --json printed {:?}: {e}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

async fn count(client: &deadpool_postgres::Object, sql: &str) -> anyhow::Result<i64> {
    Ok(client.query_one(sql, &[]).await?.get(0))
}

/// The ceiling: every row of the table, in position order, out of PostgreSQL; its seconds.
async fn raw_read_seconds(client: &deadpool_postgres::Object) -> anyhow::Result<f64> {
    let reading = Instant::now();
    let copy = client
        .copy_out("COPY (SELECT * FROM events ORDER BY global_position) TO STDOUT")
        .await?;
    futures::pin_mut!(copy);
    let mut bytes = 0usize;
    while let Some(chunk) = copy.next().await {
        bytes += chunk?.len();
    }
    let raw_seconds = reading.elapsed().as_secs_f64();
    anyhow::ensure!(bytes > 0, "the raw read returned nothing");
    Ok(raw_seconds)
}

/// The log of one organization with `members` members in `groups` groups: the organization's
/// streams and a template group and member appended, their copies made in SQL, and the sync
/// that completed it.
async fn generate_log(
    pool: &deadpool_postgres::Pool,
    members: i64,
    groups: i64,
) -> anyhow::Result<()> {
    let mut client = pool.get().await?;
    let metadata = Metadata {
        causation_id: "bench".into(),
        correlation_id: "bench".into(),
        actor: "sync".into(),
        cause: Some("full sync".into()),
        trace_parent: None,
    };
    let tx = client.transaction().await?;
    for (stream, events) in organization_events() {
        event_log::append(&tx, &stream, -1, events, &metadata, Utc::now()).await?;
    }
    let group = StreamId::group("bench", TEMPLATE_TEAM);
    let created = Event::GroupCreated {
        team_id: TEMPLATE_TEAM.into(),
        name: format!("Team {TEMPLATE_TEAM}"),
        vlan: Some(100),
    };
    event_log::append(&tx, &group, -1, vec![created], &metadata, Utc::now()).await?;
    tx.commit().await?;
    copy_template_group(&client, &group, groups).await?;
    let tx = client.transaction().await?;
    let stream = StreamId::member("bench", TEMPLATE);
    event_log::append(&tx, &stream, -1, template_events(), &metadata, Utc::now()).await?;
    tx.commit().await?;
    copy_template_member(&client, &stream, members, groups).await?;
    let tx = client.transaction().await?;
    let completed = Event::SyncCompleted {
        kind: domain::events::SyncKind::Initial,
        users_seen: members as u32,
        corrected_streams: members as u32,
        events_appended: (members * PER_MEMBER) as u32,
        corrections: Vec::new(),
    };
    event_log::append(
        &tx,
        &StreamId::organization("bench"),
        0,
        vec![completed],
        &metadata,
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    client.batch_execute("VACUUM ANALYZE events").await?;
    Ok(())
}

/// Groups 1..groups (the template is group 0), each with its own VLAN while they last.
async fn copy_template_group(
    client: &deadpool_postgres::Object,
    group: &StreamId,
    groups: i64,
) -> anyhow::Result<()> {
    copy_template(
        client,
        "SELECT nextval('event_position_seq'), gen_random_uuid(),
                    replace(t.stream_id, $1, 'team-' || k), 'group', 'bench', t.stream_version,
                    t.event_type,
                    jsonb_set(replace(t.data::text, $1, 'team-' || k)::jsonb, '{vlan}',
                              CASE WHEN k < 3900 THEN to_jsonb(100 + k) ELSE 'null' END),
                    t.metadata, t.recorded_at
             FROM generate_series(1, $2::bigint - 1) k
             CROSS JOIN (SELECT * FROM events WHERE stream_id = $3) t
             ORDER BY k",
        &[&TEMPLATE_TEAM, &groups, &group.to_string()],
    )
    .await
}

/// Members 1..members (the template is member 0), in order, each with its own ids and
/// in group 1 + g mod (groups - 1).
async fn copy_template_member(
    client: &deadpool_postgres::Object,
    stream: &StreamId,
    members: i64,
    groups: i64,
) -> anyhow::Result<()> {
    copy_template(
        client,
        "SELECT nextval('event_position_seq'), gen_random_uuid(), s.stream_id, 'member',
                    'bench', s.stream_version, s.event_type, s.data, s.metadata, s.recorded_at
             FROM (SELECT replace(t.stream_id, $1, g::text) AS stream_id, t.stream_version,
                          t.event_type,
                          replace(replace(t.data::text, $1, g::text), $4,
                                  'team-' || (1 + g % ($5::bigint - 1)))::jsonb AS data,
                          t.metadata, t.recorded_at
                   FROM generate_series(1, $2::bigint - 1) g
                   CROSS JOIN (SELECT * FROM events WHERE stream_id = $3) t
                   ORDER BY g, t.stream_version) s",
        &[
            &TEMPLATE,
            &members,
            &stream.to_string(),
            &TEMPLATE_TEAM,
            &groups,
        ],
    )
    .await
}

/// Inserts the events `select` makes of a template stream's, in its order, each at the next
/// global position.
async fn copy_template(
    client: &deadpool_postgres::Object,
    select: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> anyhow::Result<()> {
    let sql = format!(
        "INSERT INTO events (global_position, event_id, stream_id, category, org_id,
                             stream_version, event_type, data, metadata, recorded_at)
         {select}"
    );
    client.execute(&sql, params).await?;
    Ok(())
}
