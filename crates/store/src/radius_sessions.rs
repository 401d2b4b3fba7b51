//! RADIUS accounting (`radius_sessions`, migration 0013): the sessions NASes report, written by
//! the radius service's accounting endpoint. Not a projection: operational data with a
//! retention, never replayed.
//!
//! Accounting is at-least-once and unordered (a NAS retransmits, an Interim may overtake its
//! Start, a Stop may come twice), so every write is an upsert that only moves a session
//! forward: the earliest start, the latest update, the first stop, counters that only grow.

use crate::StoreError;
use crate::statements::CachedStatements;
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use std::net::IpAddr;
use uuid::Uuid;

/// What an Accounting-Request says (Acct-Status-Type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountingKind {
    Start,
    Interim,
    Stop,
}

/// What identifies a session and where it runs, as its NAS reported it: what a
/// Disconnect-Request must repeat (RFC 5176 §3) and what the pages show.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionIds {
    pub unique_session_id: String,
    pub nas_id: String,
    pub location_id: String,
    /// The member whose device it is, None while the MAC is bound to nobody.
    pub user_id: Option<String>,
    pub mac: String,
    pub acct_session_id: String,
    pub user_name: String,
    /// As the NAS wrote it (its own format), so a Disconnect-Request repeats it exactly.
    pub calling_station_id: String,
    pub nas_ip: Option<IpAddr>,
    /// The address the NAS's accounting came from: where its Disconnect-Requests go.
    pub source_ip: IpAddr,
    pub framed_ip: Option<IpAddr>,
}

/// How much a session moved, in octets (gigawords included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    pub input_octets: i64,
    pub output_octets: i64,
}

/// One Accounting-Request's facts about a session, already checked and resolved to the NAS.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionReport {
    pub org_id: String,
    pub ids: SessionIds,
    /// When the NAS saw it (receive time less Acct-Delay-Time).
    pub at: DateTime<Utc>,
    /// Acct-Session-Time in seconds (0 at a Start).
    pub session_seconds: i64,
    pub traffic: Traffic,
    pub terminate_cause: Option<String>,
}

/// A session as the pages and the disconnect sender read it.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionView {
    pub ids: SessionIds,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub traffic: Traffic,
}

/// When a member's device was first and last seen on the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSeen {
    pub mac: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// Records a Start, Interim-Update or Stop; idempotent and order-tolerant (see the module).
pub async fn record(
    client: &impl GenericClient,
    kind: AccountingKind,
    report: &SessionReport,
) -> Result<(), StoreError> {
    let ids = &report.ids;
    let started_at = report.at - chrono::Duration::seconds(report.session_seconds.max(0));
    let (stopped_at, terminate_cause) = match kind {
        AccountingKind::Stop => (Some(report.at), report.terminate_cause.as_deref()),
        AccountingKind::Start | AccountingKind::Interim => (None, None),
    };
    client
        .execute_cached(
            "INSERT INTO radius_sessions (org_id, unique_session_id, nas_id, location_id, user_id,
                 mac, acct_session_id, user_name, calling_station_id, nas_ip, source_ip, framed_ip,
                 started_at, updated_at, stopped_at, terminate_cause, input_octets, output_octets)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18)
             ON CONFLICT (org_id, unique_session_id) DO UPDATE SET
                 user_id = coalesce(radius_sessions.user_id, EXCLUDED.user_id),
                 framed_ip = coalesce(EXCLUDED.framed_ip, radius_sessions.framed_ip),
                 started_at = least(radius_sessions.started_at, EXCLUDED.started_at),
                 updated_at = greatest(radius_sessions.updated_at, EXCLUDED.updated_at),
                 stopped_at = coalesce(radius_sessions.stopped_at, EXCLUDED.stopped_at),
                 terminate_cause = coalesce(radius_sessions.terminate_cause, EXCLUDED.terminate_cause),
                 input_octets = greatest(radius_sessions.input_octets, EXCLUDED.input_octets),
                 output_octets = greatest(radius_sessions.output_octets, EXCLUDED.output_octets)",
            &[
                &report.org_id,
                &ids.unique_session_id,
                &ids.nas_id,
                &ids.location_id,
                &ids.user_id,
                &ids.mac,
                &ids.acct_session_id,
                &ids.user_name,
                &ids.calling_station_id,
                &ids.nas_ip,
                &ids.source_ip,
                &ids.framed_ip,
                &started_at,
                &report.at,
                &stopped_at,
                &terminate_cause,
                &report.traffic.input_octets,
                &report.traffic.output_octets,
            ],
        )
        .await?;
    Ok(())
}

/// A session not reported on for this long is not online any more: its NAS went away without
/// a Stop (most NASes send an Interim-Update every few minutes; some only Start and Stop, so
/// the window is generous).
pub const ONLINE_WITHIN: chrono::Duration = chrono::Duration::hours(24);

/// Accounting-On / Accounting-Off: the NAS restarted or is stopping, so every session it had
/// open before `at` is over. Returns how many were closed.
pub async fn close_nas_sessions(
    client: &impl GenericClient,
    org_id: &str,
    nas_id: &str,
    at: DateTime<Utc>,
    cause: &str,
) -> Result<u64, StoreError> {
    Ok(client
        .execute_cached(
            "UPDATE radius_sessions SET stopped_at = $3, terminate_cause = $4,
                 updated_at = greatest(updated_at, $3)
             WHERE org_id = $1 AND nas_id = $2 AND stopped_at IS NULL AND started_at <= $3",
            &[&org_id, &nas_id, &at, &cause],
        )
        .await?)
}

const SESSION_COLUMNS: &str = "unique_session_id, nas_id, location_id, user_id, mac,
    acct_session_id, user_name, calling_station_id, nas_ip, source_ip, framed_ip, started_at,
    updated_at, input_octets, output_octets";

fn session_view(row: &tokio_postgres::Row) -> SessionView {
    SessionView {
        ids: SessionIds {
            unique_session_id: row.get(0),
            nas_id: row.get(1),
            location_id: row.get(2),
            user_id: row.get(3),
            mac: row.get(4),
            acct_session_id: row.get(5),
            user_name: row.get(6),
            calling_station_id: row.get(7),
            nas_ip: row.get(8),
            source_ip: row.get(9),
            framed_ip: row.get(10),
        },
        started_at: row.get(11),
        updated_at: row.get(12),
        traffic: Traffic {
            input_octets: row.get(13),
            output_octets: row.get(14),
        },
    }
}

/// Open sessions heard of since `fresh_since` (`$1`; a session whose NAS went silent without
/// a Stop is not online forever) that also match `filter`, in `order`.
async fn live_sessions(
    client: &impl GenericClient,
    filter: &str,
    order: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<SessionView>, StoreError> {
    let rows = client
        .query_cached(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM radius_sessions
                 WHERE stopped_at IS NULL AND updated_at >= $1 AND {filter} ORDER BY {order}"
            ),
            params,
        )
        .await?;
    Ok(rows.iter().map(session_view).collect())
}

/// A member's live sessions (see [`ONLINE_WITHIN`]), oldest first.
pub async fn live_sessions_of_member(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
    fresh_since: DateTime<Utc>,
) -> Result<Vec<SessionView>, StoreError> {
    live_sessions(
        client,
        "org_id = $2 AND user_id = $3",
        "started_at, unique_session_id",
        &[&fresh_since, &org_id, &user_id],
    )
    .await
}

/// A location's live sessions, at most `limit`, newest first.
pub async fn live_sessions_at_location(
    client: &impl GenericClient,
    org_id: &str,
    location_id: &str,
    fresh_since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<SessionView>, StoreError> {
    live_sessions(
        client,
        "org_id = $2 AND location_id = $3",
        "started_at DESC, unique_session_id LIMIT $4",
        &[&fresh_since, &org_id, &location_id, &limit],
    )
    .await
}

/// First and last seen of each device of a member, from the sessions still kept.
pub async fn devices_seen(
    client: &impl GenericClient,
    org_id: &str,
    user_id: &str,
) -> Result<Vec<DeviceSeen>, StoreError> {
    let rows = client
        .query_cached(
            "SELECT mac, min(started_at), max(coalesce(stopped_at, updated_at))
             FROM radius_sessions WHERE org_id = $1 AND user_id = $2
             GROUP BY mac ORDER BY mac",
            &[&org_id, &user_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| DeviceSeen {
            mac: row.get(0),
            first_seen: row.get(1),
            last_seen: row.get(2),
        })
        .collect())
}

/// Claims the Disconnect-Request of `event_id` for a session: true when it is to be sent.
///
/// One revocation often commits several events at once (`AccessRevoked`, `AccountSuspended`),
/// and delivery is at-least-once; a session is asked once: not again once a NAS answered ACK
/// or NAK (for any event), nor while another event's request is under five minutes old (a
/// NAS that did not answer is asked again by a later event after that). A claim of this very
/// event is taken again while unanswered (the sender stopped midway: a second request is
/// harmless, the NAS NAKs a session it no longer has).
///
/// In `tx`, whose commit ends the claim: two events of one revocation handled at once take the
/// session's lock in turn, so the second sees the first's claim.
pub async fn claim_disconnect(
    tx: &crate::Transaction<'_>,
    org_id: &str,
    unique_session_id: &str,
    event_id: Uuid,
) -> Result<bool, StoreError> {
    tx.execute_cached(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 7013))",
        &[&org_id, &unique_session_id],
    )
    .await?;
    Ok(tx
        .execute_cached(
            "INSERT INTO radius_disconnects (org_id, unique_session_id, event_id, requested_at)
             SELECT $1, $2, $3, now()
             WHERE NOT EXISTS (
                 SELECT 1 FROM radius_disconnects
                 WHERE org_id = $1 AND unique_session_id = $2 AND event_id <> $3
                   AND (outcome IN ('acked', 'nacked')
                        OR requested_at > now() - interval '5 minutes'))
             ON CONFLICT (org_id, unique_session_id, event_id) DO UPDATE SET requested_at = now()
             WHERE radius_disconnects.outcome IS NULL",
            &[&org_id, &unique_session_id, &event_id],
        )
        .await?
        == 1)
}

/// The NAS's answer to a claimed Disconnect-Request (`acked`, `nacked`, `no_answer`); an
/// acknowledged one also ends the session, as its Stop would.
pub async fn answer_disconnect(
    client: &impl GenericClient,
    org_id: &str,
    unique_session_id: &str,
    event_id: Uuid,
    outcome: &str,
) -> Result<(), StoreError> {
    client
        .execute_cached(
            "UPDATE radius_disconnects SET outcome = $4, answered_at = now()
             WHERE org_id = $1 AND unique_session_id = $2 AND event_id = $3",
            &[&org_id, &unique_session_id, &event_id, &outcome],
        )
        .await?;
    if outcome == "acked" {
        client
            .execute_cached(
                "UPDATE radius_sessions SET stopped_at = now(), terminate_cause = 'Admin-Reset'
                 WHERE org_id = $1 AND unique_session_id = $2 AND stopped_at IS NULL",
                &[&org_id, &unique_session_id],
            )
            .await?;
    }
    Ok(())
}

/// Deletes sessions over and disconnects sent before `before` (the retention), at most
/// `batch` of each per call so a large purge does not hold locks for long. Returns how many
/// rows went.
pub async fn purge(
    client: &impl GenericClient,
    before: DateTime<Utc>,
    batch: i64,
) -> Result<u64, StoreError> {
    let sessions = client
        .execute_cached(
            "DELETE FROM radius_sessions WHERE ctid IN (
                 SELECT ctid FROM radius_sessions
                 WHERE coalesce(stopped_at, updated_at) < $1 LIMIT $2)",
            &[&before, &batch],
        )
        .await?;
    let disconnects = client
        .execute_cached(
            "DELETE FROM radius_disconnects WHERE ctid IN (
                 SELECT ctid FROM radius_disconnects WHERE requested_at < $1 LIMIT $2)",
            &[&before, &batch],
        )
        .await?;
    Ok(sessions + disconnects)
}
