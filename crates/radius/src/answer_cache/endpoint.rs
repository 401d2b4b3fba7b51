//! `GET /freeradius/answer?key=…`: the answer FreeRADIUS keeps in memory for a key, fetched
//! when Lanyard asks it to (a CoA-Request to its fill server, `filler`).
//!
//! - 200: the Accept as `authorize` would give it to a NAS of that class now, without
//!   `Session-Timeout` (FreeRADIUS computes it at each request from `control:Tmp-Integer-0`,
//!   the grant's end in Unix seconds) and with `control:Cache-TTL` = minus the seconds it may
//!   be kept (negative: replace what was kept): until the grant ends, at most a day.
//! - 404: no key now; FreeRADIUS forgets what it kept.
//! - 400: not a key Lanyard writes. The sentinel key is answered with an empty entry.

use super::{SENTINEL, cached_answer, parse_key};
use crate::dialect;
use crate::grant::{NoGrant, grant_for};
use crate::lookup;
use crate::metrics;
use crate::rest::{self, Reply};
use crate::state::State;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use store::radius_cached_answers;

/// The longest FreeRADIUS keeps an answer: one with no end (or a far one) is fetched again
/// after a day by the first request that misses it.
const MAX_KEPT_SECS: i64 = 24 * 60 * 60;

#[derive(Debug, Deserialize)]
pub(crate) struct AnswerQuery {
    key: String,
}

pub(crate) async fn answer(
    state: web::Data<State>,
    query: web::Query<AnswerQuery>,
) -> HttpResponse {
    if query.key == SENTINEL {
        let mut reply = Reply::new();
        reply.set("control:Cache-TTL", -MAX_KEPT_SECS);
        return reply.respond();
    }
    let Some((class, mac)) = parse_key(&query.key) else {
        tracing::warn!(key = %query.key, "answer: not a key Lanyard writes");
        metrics::cache_answer("refused");
        return HttpResponse::BadRequest().body("not an answer key");
    };
    let cached = cached_answer(&class, &mac);
    let client = match state.pool.get().await {
        Ok(client) => client,
        Err(error) => return unavailable(&store::StoreError::from(error)),
    };
    let (nas, member) = match lookup::class_and_member(&client, &class, &cached.mac).await {
        Ok(found) => found,
        Err(error) => return unavailable(&error),
    };
    let now = Utc::now();
    let org_id = &class.org_id;
    let granted = grant_for(&state.keys, org_id, &nas, member, now).and_then(|granted| {
        // Its last second is left to the HTTP path: a kept answer never outlives its grant.
        match kept_secs(granted.until, now) {
            Some(secs) => Ok((granted, secs)),
            None => Err(NoGrant::Refused("the grant ends within a second".into())),
        }
    });
    match granted {
        Ok((granted, secs)) => {
            let kept = radius_cached_answers::kept(&client, &cached, &granted.user_id).await;
            if let Err(error) = kept {
                return unavailable(&error);
            }
            metrics::cache_answer("kept");
            let mut grant = granted.grant;
            grant.session_timeout = None;
            let mut reply = dialect::accept(nas.dialect, &grant);
            reply.set("control:Cache-TTL", -secs);
            if let Some(until) = granted.until {
                reply.set("control:Tmp-Integer-0", until_epoch(until));
            }
            reply.respond()
        }
        Err(no_grant) => {
            if let NoGrant::Broken(error) = &no_grant {
                tracing::error!(org_id, %mac, %error, "answer: the passphrase does not open");
            }
            if let Err(error) = radius_cached_answers::dropped(&client, &cached).await {
                return unavailable(&error);
            }
            metrics::cache_answer("dropped");
            rest::not_found_because("no key for this device here")
        }
    }
}

fn unavailable(error: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(%error, "answer: reading the read models failed");
    metrics::cache_answer("error");
    HttpResponse::ServiceUnavailable().body("the read models are unavailable")
}

/// How long FreeRADIUS may keep an answer: whole seconds that end no later than the grant
/// (so it is never served after), at most [`MAX_KEPT_SECS`]; None under one second.
fn kept_secs(until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    let secs = until.map_or(MAX_KEPT_SECS, |until| (until - now).num_seconds());
    (secs >= 1).then_some(secs.min(MAX_KEPT_SECS))
}

/// The grant's end in whole Unix seconds, rounded up as `Session-Timeout` is.
fn until_epoch(until: DateTime<Utc>) -> u32 {
    let millis = until.timestamp_millis();
    u32::try_from(millis.div_euclid(1000) + i64::from(millis.rem_euclid(1000) > 0))
        .unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn an_answer_is_kept_until_its_grant_ends_and_never_longer_than_a_day() {
        let now = at("2026-11-30T12:00:00Z");
        assert_eq!(kept_secs(None, now), Some(MAX_KEPT_SECS));
        assert_eq!(
            kept_secs(Some(at("2026-11-30T12:10:00.900Z")), now),
            Some(600)
        );
        assert_eq!(
            kept_secs(Some(at("2026-11-30T12:00:01.200Z")), now),
            Some(1)
        );
        assert_eq!(kept_secs(Some(at("2026-11-30T12:00:00.900Z")), now), None);
        assert_eq!(kept_secs(Some(at("2026-11-30T11:00:00Z")), now), None);
        let next_month = Some(at("2026-12-30T12:00:00Z"));
        assert_eq!(kept_secs(next_month, now), Some(MAX_KEPT_SECS));
        assert_eq!(until_epoch(at("2026-11-30T12:10:00Z")), 1_796_040_600);
        assert_eq!(until_epoch(at("2026-11-30T12:10:00.001Z")), 1_796_040_601);
    }
}
