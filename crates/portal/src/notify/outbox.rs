//! The outbox (`sent_messages`, migrations/0020_sent_messages.sql): which email was decided for
//! which trigger, and what became of it. A row is *claimed* before the email goes, so a
//! redelivered event, a second portal instance or the next reminder scan finds it and sends
//! nothing again. No address and no passphrase are stored.

use chrono::{DateTime, Utc};
use domain::MessageKind;
use std::time::Duration;
use store::CachedStatements;
use store::GenericClient;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

/// What an outcome is called in the outbox, the metric and the admin page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Sent,
    Failed,
    SkippedOff,
    SkippedDeleted,
}

impl Outcome {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Failed => "failed",
            Outcome::SkippedOff => "skipped_off",
            Outcome::SkippedDeleted => "skipped_deleted",
        }
    }
}

/// Who and what a row is about.
#[derive(Clone, Debug)]
pub(crate) struct Entry<'a> {
    pub(crate) trigger_id: Uuid,
    pub(crate) kind: MessageKind,
    pub(crate) org_id: &'a str,
    pub(crate) user_id: &'a str,
    pub(crate) location_id: Option<&'a str>,
}

/// What claiming found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// This instance sends it now (attempts so far).
    Mine { attempts: i32 },
    /// Sent or skipped already, or the member was welcomed at that location before.
    Done,
    /// Another instance is sending it, or its retry is not due: ask again at that time.
    NotYet { until: DateTime<Utc> },
}

/// Claims the email for `hold` (longer than an SMTP attempt): a new row, a failed one whose
/// retry is due, or one left `sending` past its hold by an instance that stopped mid-send
/// (the only case that may send twice: SMTP has no two-phase commit).
pub(crate) async fn claim(
    client: &impl GenericClient,
    entry: &Entry<'_>,
    hold: Duration,
) -> Result<Claim, tokio_postgres::Error> {
    let claimed = client
        .query_opt_cached(
            "INSERT INTO sent_messages
                 (trigger_id, kind, org_id, user_id, location_id, status, claimed_until)
             VALUES ($1, $2, $3, $4, $5, 'sending', now() + make_interval(secs => $6))
             ON CONFLICT (trigger_id, kind) DO UPDATE
                 SET status = 'sending', claimed_until = EXCLUDED.claimed_until,
                     updated_at = now()
                 WHERE sent_messages.status IN ('sending', 'failed')
                   AND sent_messages.claimed_until <= now()
             RETURNING attempts",
            &[
                &entry.trigger_id,
                &entry.kind.label(),
                &entry.org_id,
                &entry.user_id,
                &entry.location_id,
                &hold.as_secs_f64(),
            ],
        )
        .await;
    match claimed {
        Ok(Some(row)) => {
            return Ok(Claim::Mine {
                attempts: row.get(0),
            });
        }
        Ok(None) => {}
        // Another trigger welcomed this member at this location (`sent_messages_one_welcome`).
        Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => return Ok(Claim::Done),
        Err(error) => return Err(error),
    }
    let row = client
        .query_opt_cached(
            "SELECT status, claimed_until FROM sent_messages WHERE trigger_id = $1 AND kind = $2",
            &[&entry.trigger_id, &entry.kind.label()],
        )
        .await?;
    Ok(match row {
        Some(row) if matches!(row.get::<_, &str>(0), "sending" | "failed") => {
            Claim::NotYet { until: row.get(1) }
        }
        _ => Claim::Done,
    })
}

/// Records a final outcome (sent or skipped) of a claimed email.
pub(crate) async fn finish(
    client: &impl GenericClient,
    trigger_id: Uuid,
    kind: MessageKind,
    outcome: Outcome,
) -> Result<(), tokio_postgres::Error> {
    let sent = outcome == Outcome::Sent;
    client
        .execute_cached(
            "UPDATE sent_messages
             SET status = $3, updated_at = now(), last_error = NULL,
                 attempts = attempts + CASE WHEN $4 THEN 1 ELSE 0 END,
                 sent_at = CASE WHEN $4 THEN now() END
             WHERE trigger_id = $1 AND kind = $2",
            &[&trigger_id, &kind.label(), &outcome.label(), &sent],
        )
        .await?;
    Ok(())
}

/// Records a failed attempt (`reason` never holds the address); returns the attempts so far.
/// The next attempt is due after [`backoff`] of them.
pub(crate) async fn fail(
    client: &impl GenericClient,
    trigger_id: Uuid,
    kind: MessageKind,
    reason: &str,
) -> Result<i32, tokio_postgres::Error> {
    let row = client
        .query_one_cached(
            "UPDATE sent_messages
             SET status = 'failed', attempts = attempts + 1, last_error = $3, updated_at = now(),
                 claimed_until = now()
                     + make_interval(secs => LEAST(5 * power(2, LEAST(attempts, 20)), 3600))
             WHERE trigger_id = $1 AND kind = $2
             RETURNING attempts",
            &[&trigger_id, &kind.label(), &reason],
        )
        .await?;
    Ok(row.get(0))
}

/// How long after `attempts` failed attempts the next one goes: 5 s, doubling, at most an hour
/// (what [`fail`] writes in SQL).
pub(crate) fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 20) as u32 - 1;
    Duration::from_secs(5u64.saturating_mul(1 << doublings)).min(Duration::from_secs(3600))
}

/// A grant ending soon, with the id of its "access ending" reminder.
#[derive(Clone, Debug)]
pub(crate) struct Ending {
    /// Derived from the grant and its end (an md5 as a uuid): the same grant ending at the same
    /// time is reminded once, and an extended grant is reminded again before its new end.
    pub(crate) trigger_id: Uuid,
    pub(crate) org_id: String,
    pub(crate) user_id: String,
    pub(crate) basis: String,
    pub(crate) location_id: Option<String>,
    pub(crate) valid_until: DateTime<Utc>,
}

/// Grants ending within `horizon` (after the keyset `after`), whose reminder is neither sent,
/// skipped nor being sent: at most `limit`, soonest first. Guests are never reminded.
pub(crate) async fn endings(
    client: &impl GenericClient,
    horizon: Duration,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Ending>, tokio_postgres::Error> {
    let (after_until, after_trigger) = after.unzip();
    let rows = client
        .query_cached(
            "SELECT t.trigger_id, g.org_id, g.user_id, g.basis, g.location_id, g.valid_until
             FROM member_grants g
             CROSS JOIN LATERAL (SELECT md5(concat_ws('/', g.org_id, g.user_id, g.basis,
                 g.source_id, extract(epoch FROM g.valid_until)::bigint))::uuid AS trigger_id) t
             WHERE g.valid_until > now()
               AND g.valid_until <= now() + make_interval(secs => $1)
               AND g.basis <> 'guest'
               AND ($2::timestamptz IS NULL OR (g.valid_until, t.trigger_id) > ($2, $3))
               AND NOT EXISTS (SELECT 1 FROM sent_messages s
                   WHERE s.trigger_id = t.trigger_id AND s.kind = 'access_ending'
                     AND s.status <> 'failed')
             ORDER BY g.valid_until, t.trigger_id
             LIMIT $4",
            &[&horizon.as_secs_f64(), &after_until, &after_trigger, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| Ending {
            trigger_id: row.get(0),
            org_id: row.get(1),
            user_id: row.get(2),
            basis: row.get(3),
            location_id: row.get(4),
            valid_until: row.get(5),
        })
        .collect())
}

/// One line of the admin page of sends.
#[derive(Clone, Debug)]
pub(crate) struct SentRow {
    pub(crate) kind: String,
    pub(crate) user_id: String,
    pub(crate) status: String,
    pub(crate) attempts: i32,
    pub(crate) last_error: Option<String>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// The organization's latest emails, newest first.
pub(crate) async fn latest(
    client: &impl GenericClient,
    org_id: &str,
    limit: i64,
) -> Result<Vec<SentRow>, tokio_postgres::Error> {
    let rows = client
        .query_cached(
            "SELECT kind, user_id, status, attempts, last_error, updated_at FROM sent_messages
             WHERE org_id = $1 ORDER BY updated_at DESC LIMIT $2",
            &[&org_id, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| SentRow {
            kind: row.get(0),
            user_id: row.get(1),
            status: row.get(2),
            attempts: row.get(3),
            last_error: row.get(4),
            updated_at: row.get(5),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_five_seconds_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(5), Duration::from_secs(80));
        assert_eq!(backoff(30), Duration::from_secs(3600));
        assert_eq!(backoff(0), Duration::from_secs(5));
    }
}
