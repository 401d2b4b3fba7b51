//! The OfficeRnD API v2 client (docs/officernd.md §1, §2, §10): a client-credentials token per
//! application, cached until a minute before it expires and fetched by one caller at a time;
//! cursor paging (`$limit` 50, `$cursorNext`); OfficeRnD's rate limits honoured (a 429 waits
//! for `Retry-After`, else the `x-ratelimit-reset-read-minute` header, else backs off; a
//! minute whose reads are spent waits before the next call), within the caller's patience.

use crate::model::{Organization, Page};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The scopes Lanyard asks for: reads only (docs/officernd.md §2).
pub const SCOPES: &str = "flex.community.members.read flex.community.memberships.read \
flex.billing.plans.read flex.community.companies.read flex.space.locations.read \
flex.space.bookings.read flex.community.visitors.read";

/// The scope of registering Lanyard's own webhook endpoint (`connect`, when the application may).
pub const WEBHOOK_SCOPE: &str = "flex.settings.webhooks.create";

/// OfficeRnD's page size limit (larger values are capped).
pub const PAGE_LIMIT: u32 = 50;
/// Renew a token this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(60);
/// At most this many applications' tokens are cached (one per connected organization).
const MAX_CACHED_TOKENS: usize = 10_000;
/// A list is read at most this many pages deep (50 000 records): a cursor that never ends is
/// OfficeRnD's bug, not a reason to loop for ever.
const MAX_PAGES: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum OfficeRndError {
    #[error("OfficeRnD rate limit reached; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("OfficeRnD refused the application's credentials or token")]
    Unauthorized,
    #[error("OfficeRnD refused access (HTTP 403): grant the application the read scopes")]
    Forbidden,
    #[error("OfficeRnD answered HTTP {0}")]
    Server(u16),
    #[error("cannot reach OfficeRnD: {0}")]
    Transport(String),
    #[error("unexpected OfficeRnD response: {0}")]
    Decode(String),
}

/// An application's credentials and the organization it reads. Debug never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    pub client_id: String,
    client_secret: String,
    pub slug: String,
}

impl Credentials {
    pub fn new(client_id: &str, client_secret: &str, slug: &str) -> Credentials {
        Credentials {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            slug: slug.to_owned(),
        }
    }

    /// The token cache's key: a digest, so a changed secret (or other scopes) gets a token of
    /// its own.
    fn cache_key(&self, scopes: &str) -> String {
        let digest = Sha256::new()
            .chain_update(self.client_id.as_bytes())
            .chain_update([0])
            .chain_update(self.client_secret.as_bytes())
            .chain_update([0])
            .chain_update(scopes.as_bytes())
            .finalize();
        hex::encode(digest)
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, {}, …)", self.client_id, self.slug)
    }
}

#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// `https://app.officernd.com` (the API host; paths `/api/v2/organizations/{slug}/…`).
    pub api_url: String,
    /// `https://identity.officernd.com/oauth/token`.
    pub token_url: String,
    /// How long one call may wait for OfficeRnD's rate limit before giving up with
    /// [`OfficeRndError::RateLimited`] (the caller retries later).
    pub patience: Duration,
}

struct CachedToken {
    token: String,
    renew_at: Instant,
}

pub struct OfficeRndClient {
    http: reqwest::Client,
    settings: ClientSettings,
    tokens: Mutex<HashMap<String, CachedToken>>,
    /// Per organization slug: no read before this instant (the minute's reads are spent).
    paused: std::sync::Mutex<HashMap<String, Instant>>,
    calls: AtomicU64,
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// What one GET answered.
enum Answer {
    Json(serde_json::Value),
    NotFound,
    /// Wait this long and ask again.
    Wait(Duration),
}

impl OfficeRndClient {
    pub fn new(http: reqwest::Client, settings: ClientSettings) -> OfficeRndClient {
        OfficeRndClient {
            http,
            settings,
            tokens: Mutex::new(HashMap::new()),
            paused: Default::default(),
            calls: AtomicU64::new(0),
        }
    }

    /// API requests made so far (token requests included): the adapter's cost metric.
    pub fn calls_made(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// A token for `credentials`: the cached one, or a new one (one caller at a time, so a
    /// burst asks the token endpoint, limited to a few a minute, once).
    async fn token(
        &self,
        credentials: &Credentials,
        scopes: &str,
    ) -> Result<String, OfficeRndError> {
        let key = credentials.cache_key(scopes);
        let mut tokens = self.tokens.lock().await;
        let now = Instant::now();
        if let Some(cached) = tokens.get(&key).filter(|t| t.renew_at > now) {
            return Ok(cached.token.clone());
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", credentials.client_id.as_str()),
            ("client_secret", credentials.client_secret.as_str()),
            ("scope", scopes),
        ];
        let response = self
            .http
            .post(&self.settings.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| OfficeRndError::Transport(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            400 | 401 | 403 => return Err(OfficeRndError::Unauthorized),
            429 => {
                return Err(OfficeRndError::RateLimited {
                    retry_after_secs: 60,
                });
            }
            _ => return Err(OfficeRndError::Server(status)),
        }
        let answer: TokenAnswer = response
            .json()
            .await
            .map_err(|e| OfficeRndError::Decode(e.to_string()))?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        if tokens.len() >= MAX_CACHED_TOKENS {
            tokens.retain(|_, t| t.renew_at > now);
        }
        if tokens.len() < MAX_CACHED_TOKENS {
            tokens.insert(
                key,
                CachedToken {
                    token: answer.access_token.clone(),
                    renew_at: now + lifetime.saturating_sub(RENEW_BEFORE),
                },
            );
        }
        Ok(answer.access_token)
    }

    async fn forget_token(&self, credentials: &Credentials) {
        self.tokens
            .lock()
            .await
            .remove(&credentials.cache_key(SCOPES));
    }

    fn organization_url(&self, slug: &str, path: &str) -> String {
        format!(
            "{}/api/v2/organizations/{slug}/{path}",
            self.settings.api_url.trim_end_matches('/')
        )
    }

    /// Waits out a spent minute of `slug`'s reads, within `deadline`.
    async fn respect_pause(&self, slug: &str, deadline: Instant) -> Result<(), OfficeRndError> {
        let until = self
            .paused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(slug)
            .copied();
        if let Some(until) = until.filter(|u| *u > Instant::now()) {
            if until > deadline {
                let secs = until.saturating_duration_since(Instant::now()).as_secs();
                return Err(OfficeRndError::RateLimited {
                    retry_after_secs: secs.max(1),
                });
            }
            tokio::time::sleep_until(until.into()).await;
        }
        Ok(())
    }

    /// One GET of `url` with `query`; None for a 404. Retries a refused cached token once, and
    /// a rate limit while the patience lasts.
    async fn get(
        &self,
        credentials: &Credentials,
        url: &str,
        query: &[(String, String)],
    ) -> Result<Option<serde_json::Value>, OfficeRndError> {
        let deadline = Instant::now() + self.settings.patience;
        let mut refused_once = false;
        let mut backoff = Duration::from_secs(1);
        loop {
            self.respect_pause(&credentials.slug, deadline).await?;
            let token = self.token(credentials, SCOPES).await?;
            match self
                .get_once(credentials, url, query, &token, backoff)
                .await
            {
                Ok(Answer::Json(value)) => return Ok(Some(value)),
                Ok(Answer::NotFound) => return Ok(None),
                Ok(Answer::Wait(wait)) => {
                    if Instant::now() + wait > deadline {
                        return Err(OfficeRndError::RateLimited {
                            retry_after_secs: wait.as_secs().max(1),
                        });
                    }
                    tracing::info!(
                        slug = credentials.slug,
                        seconds = wait.as_secs_f64(),
                        "OfficeRnD rate limit: waiting"
                    );
                    tokio::time::sleep(wait).await;
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                }
                Err(OfficeRndError::Unauthorized) if !refused_once => {
                    refused_once = true;
                    self.forget_token(credentials).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn get_once(
        &self,
        credentials: &Credentials,
        url: &str,
        query: &[(String, String)],
        token: &str,
        backoff: Duration,
    ) -> Result<Answer, OfficeRndError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let url = url::Url::parse_with_params(url, query)
            .map_err(|e| OfficeRndError::Decode(format!("the API URL: {e}")))?;
        let response = self
            .http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| OfficeRndError::Transport(e.without_url().to_string()))?;
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let reset = header("x-ratelimit-reset-read-minute").map(reset_wait);
        match response.status().as_u16() {
            429 => {
                let wait = header("retry-after")
                    .map(Duration::from_secs)
                    .or(reset)
                    .unwrap_or(backoff);
                return Ok(Answer::Wait(wait.max(Duration::from_millis(100))));
            }
            401 => return Err(OfficeRndError::Unauthorized),
            403 => return Err(OfficeRndError::Forbidden),
            404 => return Ok(Answer::NotFound),
            status if !(200..300).contains(&status) => return Err(OfficeRndError::Server(status)),
            _ => {}
        }
        if header("x-ratelimit-remaining-read-minute") == Some(0)
            && let Some(wait) = reset
        {
            let mut paused = self.paused.lock().unwrap_or_else(|p| p.into_inner());
            // Bounded by the organizations this deployment is connected to.
            paused.insert(credentials.slug.clone(), Instant::now() + wait);
        }
        let value = response
            .json()
            .await
            .map_err(|e| OfficeRndError::Decode(e.to_string()))?;
        Ok(Answer::Json(value))
    }

    /// One record of `resource` (`members/{id}`…); None when OfficeRnD does not have it.
    pub async fn one<T: DeserializeOwned>(
        &self,
        credentials: &Credentials,
        resource: &str,
        id: &str,
    ) -> Result<Option<T>, OfficeRndError> {
        let url = self.organization_url(&credentials.slug, &format!("{resource}/{id}"));
        match self.get(credentials, &url, &[]).await? {
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| OfficeRndError::Decode(format!("{resource}: {e}"))),
            None => Ok(None),
        }
    }

    /// Every record of `resource` matching `filters`, page by page.
    pub async fn list<T: DeserializeOwned>(
        &self,
        credentials: &Credentials,
        resource: &str,
        filters: &[(&str, &str)],
    ) -> Result<Vec<T>, OfficeRndError> {
        let url = self.organization_url(&credentials.slug, resource);
        let mut records = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query: Vec<(String, String)> = filters
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            query.push(("$limit".into(), PAGE_LIMIT.to_string()));
            if let Some(cursor) = &cursor {
                query.push(("$cursorNext".into(), cursor.clone()));
            }
            let value = self
                .get(credentials, &url, &query)
                .await?
                .ok_or_else(|| OfficeRndError::Decode(format!("{resource}: 404 on a list")))?;
            let page: Page<T> = serde_json::from_value(value)
                .map_err(|e| OfficeRndError::Decode(format!("{resource} page: {e}")))?;
            records.extend(page.results);
            match page.cursor_next {
                Some(next) if !next.is_empty() => cursor = Some(next),
                _ => return Ok(records),
            }
        }
        Err(OfficeRndError::Decode(format!(
            "{resource}: more than {MAX_PAGES} pages"
        )))
    }

    /// "Test connection": a token for the credentials and the organization they read (the v1
    /// lookup, docs/officernd.md §1). A slug the application does not belong to is refused.
    pub async fn organization(
        &self,
        credentials: &Credentials,
    ) -> Result<Organization, OfficeRndError> {
        let url = format!(
            "{}/api/v1/organizations/{}",
            self.settings.api_url.trim_end_matches('/'),
            credentials.slug
        );
        let value = self
            .get(credentials, &url, &[])
            .await?
            .ok_or(OfficeRndError::Unauthorized)?;
        serde_json::from_value(value).map_err(|e| OfficeRndError::Decode(e.to_string()))
    }
}

/// Lanyard's webhook endpoint as OfficeRnD registered it: the secret it signs with.
#[derive(serde::Deserialize)]
pub struct RegisteredWebhook {
    #[serde(rename = "_id")]
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for RegisteredWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RegisteredWebhook({}, …)", self.id)
    }
}

impl OfficeRndClient {
    /// Registers `url` for `event_types` (`POST /webhooks`, docs/officernd.md §8) with a token
    /// of the webhook scope; OfficeRnD answers the endpoint's secret. A write, tried once.
    pub async fn register_webhook(
        &self,
        credentials: &Credentials,
        url: &str,
        event_types: &[&str],
    ) -> Result<RegisteredWebhook, OfficeRndError> {
        let token = self.token(credentials, WEBHOOK_SCOPE).await?;
        self.calls.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::json!({
            "url": url,
            "eventTypes": event_types,
            "description": "Lanyard",
        });
        let response = self
            .http
            .post(self.organization_url(&credentials.slug, "webhooks"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .map_err(|e| OfficeRndError::Transport(e.without_url().to_string()))?;
        match response.status().as_u16() {
            200..=299 => response
                .json()
                .await
                .map_err(|e| OfficeRndError::Decode(e.to_string())),
            401 => Err(OfficeRndError::Unauthorized),
            403 => Err(OfficeRndError::Forbidden),
            429 => Err(OfficeRndError::RateLimited {
                retry_after_secs: 60,
            }),
            status => Err(OfficeRndError::Server(status)),
        }
    }
}

/// `x-ratelimit-reset-read-minute` as a wait: seconds when small, else an epoch (its unit is
/// unconfirmed, docs/officernd.md §10).
fn reset_wait(value: u64) -> Duration {
    if value <= 60 {
        return Duration::from_secs(value.max(1));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Duration::from_secs(value.saturating_sub(now).clamp(1, 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_header_reads_as_seconds_or_an_epoch() {
        assert_eq!(reset_wait(7), Duration::from_secs(7));
        assert_eq!(reset_wait(0), Duration::from_secs(1));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let wait = reset_wait(now + 30);
        assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28));
    }

    #[test]
    fn credentials_never_show_the_secret() {
        let c = Credentials::new("app", "s3cret-value", "demo");
        assert!(!format!("{c:?}").contains("s3cret"));
        let other = Credentials::new("app", "other", "demo");
        assert_ne!(c.cache_key(SCOPES), other.cache_key(SCOPES));
        assert_ne!(c.cache_key(SCOPES), c.cache_key(WEBHOOK_SCOPE));
    }
}
