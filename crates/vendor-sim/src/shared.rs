//! What every simulated vendor shares: a token bucket per vendor organization (429 +
//! `Retry-After` when empty), faults on demand (every request answers a status for a while),
//! statistics (requests, 429s, the most requests any one second saw), and the admin routes for
//! them.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most buckets and counters kept (vendor organizations are few; this bounds the maps).
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub struct Shared {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
    fault: Mutex<Option<Fault>>,
    stats: Mutex<HashMap<String, Stats>>,
}

/// Every vendor request answers `status` until `until` (a 429 with `retry_after_secs`).
#[derive(Clone, Debug)]
struct Fault {
    status: u16,
    retry_after_secs: u64,
    until: Instant,
}

/// One vendor organization's requests.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub requests: u64,
    pub rate_limited: u64,
    pub faults: u64,
    /// The most requests any one-second window (aligned to the first request) saw.
    pub max_per_second: u64,
    #[serde(skip)]
    window: Option<(Instant, u64)>,
}

/// A request the vendor refuses before looking at it.
pub enum Refusal {
    RateLimited { retry_after_secs: u64 },
    Fault { status: u16, retry_after_secs: u64 },
}

impl Refusal {
    pub fn respond(&self, body: serde_json::Value) -> HttpResponse {
        match self {
            Refusal::RateLimited { retry_after_secs } => HttpResponse::TooManyRequests()
                .insert_header(("Retry-After", retry_after_secs.to_string()))
                .json(body),
            Refusal::Fault {
                status,
                retry_after_secs,
            } => {
                let code = actix_web::http::StatusCode::from_u16(*status)
                    .unwrap_or(actix_web::http::StatusCode::SERVICE_UNAVAILABLE);
                let mut response = HttpResponse::build(code);
                if *status == 429 {
                    response.insert_header(("Retry-After", retry_after_secs.to_string()));
                }
                response.json(body)
            }
        }
    }
}

impl Shared {
    /// Counts a request of `org` (e.g. `meraki:123`) and takes a token from its bucket
    /// (`rate` per second, `capacity` at most), or says why it is refused.
    pub fn admit(&self, org: &str, rate: f64, capacity: f64) -> Result<(), Refusal> {
        let now = Instant::now();
        let fault = self
            .fault
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|f| f.until > now);
        let verdict = match fault {
            Some(f) => Err(Refusal::Fault {
                status: f.status,
                retry_after_secs: f.retry_after_secs,
            }),
            None => self.take(org, rate, capacity, now),
        };
        self.count(org, &verdict, now);
        verdict
    }

    fn take(&self, org: &str, rate: f64, capacity: f64, now: Instant) -> Result<(), Refusal> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(org) {
            buckets.clear();
        }
        let (tokens, at) = buckets.entry(org.to_owned()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - *tokens) / rate).ceil().max(1.0);
            Err(Refusal::RateLimited {
                retry_after_secs: wait as u64,
            })
        }
    }

    fn count(&self, org: &str, verdict: &Result<(), Refusal>, now: Instant) {
        let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        if stats.len() >= MAX_KEYS && !stats.contains_key(org) {
            stats.clear();
        }
        let stats = stats.entry(org.to_owned()).or_default();
        stats.requests += 1;
        match verdict {
            Err(Refusal::RateLimited { .. }) => stats.rate_limited += 1,
            Err(Refusal::Fault { .. }) => stats.faults += 1,
            Ok(()) => {
                let (start, count) = match stats.window {
                    Some((start, count)) if now.duration_since(start) < Duration::from_secs(1) => {
                        (start, count + 1)
                    }
                    _ => (now, 1),
                };
                stats.window = Some((start, count));
                stats.max_per_second = stats.max_per_second.max(count);
            }
        }
    }

    /// The statistics of `org`.
    pub fn stats(&self, org: &str) -> Stats {
        self.stats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(org)
            .cloned()
            .unwrap_or_default()
    }

    /// Every request answers `status` for `seconds`.
    pub fn fail_for(&self, status: u16, seconds: f64, retry_after_secs: u64) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = Some(Fault {
            status,
            retry_after_secs,
            until: Instant::now() + Duration::from_secs_f64(seconds.max(0.0)),
        });
    }
}

#[derive(Deserialize)]
struct FaultRequest {
    status: u16,
    seconds: f64,
    #[serde(default = "one")]
    retry_after_secs: u64,
}

fn one() -> u64 {
    1
}

/// `POST /_admin/faults {status, seconds, retry_after_secs}`, `GET /_admin/stats/{org}`.
pub fn admin_routes(config: &mut web::ServiceConfig) {
    config
        .route("/_admin/faults", web::post().to(post_fault))
        .route("/_admin/stats/{org}", web::get().to(get_stats));
}

async fn post_fault(sim: web::Data<crate::Sim>, body: web::Json<FaultRequest>) -> HttpResponse {
    sim.shared
        .fail_for(body.status, body.seconds, body.retry_after_secs);
    HttpResponse::NoContent().finish()
}

async fn get_stats(sim: web::Data<crate::Sim>, org: web::Path<String>) -> HttpResponse {
    HttpResponse::Ok().json(sim.shared.stats(&org))
}
