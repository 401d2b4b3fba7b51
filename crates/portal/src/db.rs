//! The portal's own tables (migrations/0010_portal.sql): sign-in links, sessions, rate-limit
//! counters. Not projections. Only hashes of links and session ids are stored.

use chrono::{DateTime, Utc};
use serde_json::Value;
use store::CachedStatements;
use store::GenericClient;
use tokio_postgres::Error;

pub async fn insert_link(
    client: &impl GenericClient,
    token_hash: &str,
    org_id: &str,
    location_id: &str,
    user_id: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), Error> {
    client
        .execute_cached(
            "INSERT INTO portal_magic_links (token_hash, org_id, location_id, user_id, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[&token_hash, &org_id, &location_id, &user_id, &expires_at],
        )
        .await?;
    Ok(())
}

/// What following a link found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkUse {
    /// First use, in time: the link is now spent.
    SignedIn {
        user_id: String,
    },
    AlreadyUsed,
    Expired,
    /// No such link, or a link of another portal (organization or location).
    Unknown,
}

/// Spends a link of this portal atomically: of two concurrent uses, one signs in.
pub async fn use_link(
    client: &impl GenericClient,
    token_hash: &str,
    org_id: &str,
    location_id: &str,
) -> Result<LinkUse, Error> {
    let spent = client
        .query_opt_cached(
            "UPDATE portal_magic_links SET used_at = now()
             WHERE token_hash = $1 AND org_id = $2 AND location_id = $3
               AND used_at IS NULL AND expires_at > now()
             RETURNING user_id",
            &[&token_hash, &org_id, &location_id],
        )
        .await?;
    if let Some(row) = spent {
        return Ok(LinkUse::SignedIn {
            user_id: row.get(0),
        });
    }
    let row = client
        .query_opt_cached(
            "SELECT used_at IS NOT NULL, expires_at <= now() FROM portal_magic_links
             WHERE token_hash = $1 AND org_id = $2 AND location_id = $3",
            &[&token_hash, &org_id, &location_id],
        )
        .await?;
    Ok(match row {
        Some(r) if r.get::<_, bool>(0) => LinkUse::AlreadyUsed,
        Some(r) if r.get::<_, bool>(1) => LinkUse::Expired,
        _ => LinkUse::Unknown,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Tenant,
    Admin,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Tenant => "tenant",
            SessionKind::Admin => "admin",
        }
    }
}

/// How the session began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Portal,
    MobileApp,
    AdminCanvas,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Portal => "portal",
            Via::MobileApp => "mobile_app",
            Via::AdminCanvas => "admin_canvas",
        }
    }
    fn parse(value: &str) -> Via {
        match value {
            "mobile_app" => Via::MobileApp,
            "admin_canvas" => Via::AdminCanvas,
            _ => Via::Portal,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub kind: SessionKind,
    pub org_id: String,
    pub user_id: String,
    pub location_id: Option<String>,
    pub via: Via,
    pub context: Option<Value>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_session(
    client: &impl GenericClient,
    id_hash: &str,
    session: &SessionRow,
) -> Result<(), Error> {
    client
        .execute_cached(
            "INSERT INTO portal_sessions (id_hash, kind, org_id, user_id, location_id, via, context, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id_hash,
                &session.kind.as_str(),
                &session.org_id,
                &session.user_id,
                &session.location_id,
                &session.via.as_str(),
                &session.context,
                &session.expires_at,
            ],
        )
        .await?;
    Ok(())
}

/// A live session of this kind, if the hash names one.
pub async fn session(
    client: &impl GenericClient,
    id_hash: &str,
    kind: SessionKind,
) -> Result<Option<SessionRow>, Error> {
    let row = client
        .query_opt_cached(
            "SELECT org_id, user_id, location_id, via, context, expires_at FROM portal_sessions
             WHERE id_hash = $1 AND kind = $2 AND expires_at > now()",
            &[&id_hash, &kind.as_str()],
        )
        .await?;
    Ok(row.map(|r| SessionRow {
        kind,
        org_id: r.get(0),
        user_id: r.get(1),
        location_id: r.get(2),
        via: Via::parse(r.get(3)),
        context: r.get(4),
        expires_at: r.get(5),
    }))
}

/// Replaces a session's context (the admin canvas's re-check time).
pub async fn update_session_context(
    client: &impl GenericClient,
    id_hash: &str,
    context: &Value,
) -> Result<(), Error> {
    client
        .execute_cached(
            "UPDATE portal_sessions SET context = $2 WHERE id_hash = $1",
            &[&id_hash, &context],
        )
        .await?;
    Ok(())
}

pub async fn delete_session(client: &impl GenericClient, id_hash: &str) -> Result<(), Error> {
    client
        .execute_cached(
            "DELETE FROM portal_sessions WHERE id_hash = $1",
            &[&id_hash],
        )
        .await?;
    Ok(())
}

/// The answer of a rate limiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Allowed,
    /// Over the limit: try again after this many seconds.
    Exceeded {
        retry_after_secs: u64,
    },
}

/// Counts one request in `bucket`'s fixed window and says whether it is within `max`.
pub async fn hit(
    client: &impl GenericClient,
    bucket: &str,
    max: u32,
    window_secs: u64,
) -> Result<Limit, Error> {
    let window = window_secs.max(1) as f64;
    let row = client
        .query_one_cached(
            "INSERT INTO portal_rate_limits AS r (bucket, window_start, hits) VALUES ($1, now(), 1)
             ON CONFLICT (bucket) DO UPDATE SET
                 window_start = CASE WHEN r.window_start <= now() - make_interval(secs => $2)
                                     THEN now() ELSE r.window_start END,
                 hits = CASE WHEN r.window_start <= now() - make_interval(secs => $2)
                             THEN 1 ELSE r.hits + 1 END
             RETURNING hits, extract(epoch FROM (r.window_start + make_interval(secs => $2) - now()))::float8",
            &[&bucket, &window],
        )
        .await?;
    let hits: i32 = row.get(0);
    let remaining: f64 = row.get(1);
    if i64::from(hits) <= i64::from(max) {
        Ok(Limit::Allowed)
    } else {
        Ok(Limit::Exceeded {
            retry_after_secs: remaining.ceil().max(1.0) as u64,
        })
    }
}

/// Takes back one hit of `bucket` (a request counted up front that turned out not to count).
pub async fn refund(client: &impl GenericClient, bucket: &str) -> Result<(), Error> {
    client
        .execute_cached(
            "UPDATE portal_rate_limits SET hits = GREATEST(hits - 1, 0) WHERE bucket = $1",
            &[&bucket],
        )
        .await?;
    Ok(())
}

/// Forgets spent and expired links, ended sessions and old counters.
pub async fn purge(client: &impl GenericClient, window_secs: u64) -> Result<u64, Error> {
    let window = window_secs.max(1) as f64;
    let links = client
        .execute_cached(
            "DELETE FROM portal_magic_links WHERE expires_at < now() - interval '1 day'",
            &[],
        )
        .await?;
    let sessions = client
        .execute_cached("DELETE FROM portal_sessions WHERE expires_at < now()", &[])
        .await?;
    let counters = client
        .execute_cached(
            "DELETE FROM portal_rate_limits WHERE window_start < now() - make_interval(secs => $1)",
            &[&window],
        )
        .await?;
    Ok(links + sessions + counters)
}
