//! The simulator's state and behaviour: tokens, the read limit, lists with filters and cursor
//! paging, and webhook delivery with OfficeRnD's signature, retries and test faults.

use crate::model::{Organization, WebhookEndpoint, new_id};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Reads per organization per minute (0: no limit); the 429 answers `Retry-After` unless
    /// `retry_after_header` is off (the client then reads the reset header).
    pub reads_per_minute: u32,
    pub retry_after_header: bool,
    /// The window of the read limit (60 s, as OfficeRnD counts; tests shorten it).
    pub window: Duration,
    pub token_lifetime_secs: u64,
    /// A failed delivery is tried this many times in all, `retry_interval` apart, each with a
    /// new signature `t` (OfficeRnD's schedule is undocumented: docs/officernd.md §8).
    pub delivery_attempts: u32,
    pub retry_interval: Duration,
    /// Each change's webhooks wait this long first (OfficeRnD sends "immediately").
    pub dispatch_delay: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            reads_per_minute: 0,
            retry_after_header: true,
            window: Duration::from_secs(60),
            token_lifetime_secs: 3600,
            delivery_attempts: 3,
            retry_interval: Duration::from_secs(5),
            dispatch_delay: Duration::ZERO,
        }
    }
}

/// Deliveries to tamper with, for tests: each counter applies to that many next deliveries.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub drop: u32,
    pub duplicate: u32,
    pub wrong_secret: u32,
    pub stale: u32,
}

/// One delivery attempt, for tests and the admin API.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DeliveryRecord {
    pub event_type: String,
    pub object_id: String,
    pub attempt: u32,
    /// The HTTP status, or 0 when the endpoint could not be reached or the delivery was dropped.
    pub status: u16,
    /// The body sent (or that would have been, when dropped): tests tell it again.
    pub body: String,
}

struct Token {
    client_id: String,
    expires: Instant,
}

#[derive(Default)]
struct State {
    orgs: BTreeMap<String, Organization>,
    tokens: HashMap<String, Token>,
    /// Per slug: the current window's start and reads in it.
    reads: HashMap<String, (Instant, u32)>,
    faults: Faults,
    deliveries: Vec<DeliveryRecord>,
    api_calls: u64,
}

fn all<T: serde::Serialize>(map: &BTreeMap<String, T>) -> Vec<Value> {
    map.values()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect()
}

/// Deliveries kept for inspection.
const KEPT_DELIVERIES: usize = 10_000;
/// Tokens kept (expired ones are dropped first).
const KEPT_TOKENS: usize = 10_000;

#[derive(Clone)]
pub struct Sim {
    state: Arc<Mutex<State>>,
    http: reqwest::Client,
    pub config: SimConfig,
}

/// Why an API request is refused (status, message as OfficeRnD words it).
pub struct Refusal(pub u16, pub String);

/// The read limit's state for the rate-limit headers.
pub struct Budget {
    pub limit: u32,
    pub remaining: u32,
    pub reset_secs: u64,
}

impl Sim {
    pub fn new(config: SimConfig, orgs: Vec<Organization>) -> Sim {
        let state = State {
            orgs: orgs.into_iter().map(|o| (o.slug.clone(), o)).collect(),
            ..Default::default()
        };
        Sim {
            state: Arc::new(Mutex::new(state)),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            config,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads or changes the organizations (tests; no webhook).
    pub fn with_orgs<T>(&self, f: impl FnOnce(&mut BTreeMap<String, Organization>) -> T) -> T {
        f(&mut self.lock().orgs)
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.lock().deliveries.clone()
    }

    /// API requests answered so far (token requests included).
    pub fn api_calls(&self) -> u64 {
        self.lock().api_calls
    }

    /// `POST /oauth/token` with client credentials: a bearer token, or the refusal.
    pub fn issue_token(&self, client_id: &str, client_secret: &str) -> Result<Value, Refusal> {
        let mut state = self.lock();
        state.api_calls += 1;
        let known = state.orgs.values().any(|o| {
            o.applications
                .iter()
                .any(|a| a.client_id == client_id && a.client_secret == client_secret)
        });
        if !known {
            return Err(Refusal(401, "invalid_client".into()));
        }
        let now = Instant::now();
        if state.tokens.len() >= KEPT_TOKENS {
            state.tokens.retain(|_, t| t.expires > now);
        }
        let token = hex::encode(rand::random::<[u8; 24]>());
        let lifetime = self.config.token_lifetime_secs;
        state.tokens.insert(
            token.clone(),
            Token {
                client_id: client_id.to_owned(),
                expires: now + Duration::from_secs(lifetime),
            },
        );
        Ok(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime.saturating_sub(1),
            "scope": officernd::client::SCOPES,
        }))
    }

    /// The organization `slug` as the bearer of `token` may read it, counted against its read
    /// limit: 401 without a valid token, the 500 "Organization not found" for a slug the
    /// token's application does not belong to (as OfficeRnD's staging answers), 429 over the
    /// limit.
    pub fn admit(&self, token: Option<&str>, slug: &str) -> Result<Budget, Refusal> {
        let mut state = self.lock();
        state.api_calls += 1;
        let unauthorized = || Refusal(401, "Unauthorized access".into());
        let client_id = match token.and_then(|t| state.tokens.get(t)) {
            Some(t) if t.expires > Instant::now() => t.client_id.clone(),
            _ => return Err(unauthorized()),
        };
        let belongs = state
            .orgs
            .get(slug)
            .is_some_and(|o| o.applications.iter().any(|a| a.client_id == client_id));
        if !belongs {
            return Err(Refusal(500, "Organization not found".into()));
        }
        self.count_read(&mut state, slug)
    }

    fn count_read(&self, state: &mut State, slug: &str) -> Result<Budget, Refusal> {
        let limit = self.config.reads_per_minute;
        let now = Instant::now();
        let window = self.config.window;
        let entry = state.reads.entry(slug.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        let reset_secs = window
            .saturating_sub(now.duration_since(entry.0))
            .as_secs()
            .max(1);
        if limit > 0 && entry.1 >= limit {
            return Err(Refusal(429, reset_secs.to_string()));
        }
        entry.1 += 1;
        Ok(Budget {
            limit,
            remaining: limit.saturating_sub(entry.1),
            reset_secs,
        })
    }

    /// One organization's records as OfficeRnD would list them now (memberships with their
    /// `calculatedStatus` of today).
    pub fn records(&self, slug: &str, resource: &str) -> Option<Vec<Value>> {
        let state = self.lock();
        let org = state.orgs.get(slug)?;
        let now = chrono::Utc::now();
        let values = |items: Vec<Value>| Some(items);
        match resource {
            "members" => values(all(&org.members)),
            "memberships" => values(
                org.memberships
                    .values()
                    .map(|m| {
                        let mut m = m.clone();
                        m.calculated_status = Some(org.membership_status(&m, now).to_owned());
                        m
                    })
                    .filter_map(|m| serde_json::to_value(m).ok())
                    .collect(),
            ),
            "plans" => values(all(&org.plans)),
            "locations" => values(all(&org.locations)),
            "companies" => values(all(&org.companies)),
            "bookings" => values(all(&org.bookings)),
            "visitors" => values(all(&org.visitors)),
            "webhooks" => values(
                org.webhooks
                    .iter()
                    .map(|w| json!({"_id": w.id, "url": w.url, "eventTypes": w.event_types}))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The v1 organization lookup.
    pub fn organization(&self, slug: &str) -> Option<Value> {
        let state = self.lock();
        let org = state.orgs.get(slug)?;
        Some(json!({"_id": org.id, "name": org.name, "slug": org.slug}))
    }

    /// `POST /webhooks`: registers an endpoint with a new secret.
    pub fn register_webhook(
        &self,
        slug: &str,
        url: &str,
        event_types: Vec<String>,
        secret: Option<String>,
    ) -> Option<WebhookEndpoint> {
        let mut state = self.lock();
        let org = state.orgs.get_mut(slug)?;
        let endpoint = WebhookEndpoint {
            id: new_id(),
            url: url.to_owned(),
            event_types,
            secret: secret.unwrap_or_else(|| hex::encode(rand::random::<[u8; 24]>())),
            description: "Lanyard".into(),
        };
        org.webhooks.push(endpoint.clone());
        Some(endpoint)
    }

    pub fn remove_webhook(&self, slug: &str, id: &str) -> bool {
        let mut state = self.lock();
        let Some(org) = state.orgs.get_mut(slug) else {
            return false;
        };
        let before = org.webhooks.len();
        org.webhooks.retain(|w| w.id != id);
        org.webhooks.len() < before
    }

    /// The endpoints of `slug` subscribed to `event_type`.
    pub(crate) fn endpoints(&self, slug: &str, event_type: &str) -> Vec<WebhookEndpoint> {
        let state = self.lock();
        state
            .orgs
            .get(slug)
            .map(|o| {
                o.webhooks
                    .iter()
                    .filter(|w| w.wants(event_type))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sends `event_type` about `object` to every subscribed endpoint of `slug`: the first
    /// attempt is awaited (its statuses answered); failed ones are retried in the background.
    pub async fn notify(
        &self,
        slug: &str,
        event_type: &str,
        object: Value,
        previous: Value,
    ) -> Vec<u16> {
        if !self.config.dispatch_delay.is_zero() {
            tokio::time::sleep(self.config.dispatch_delay).await;
        }
        let body = json!({
            "eventType": event_type,
            "data": {"object": object, "previousAttributes": previous},
        })
        .to_string();
        let object_id = object
            .get("_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut statuses = Vec::new();
        for endpoint in self.endpoints(slug, event_type) {
            let delivery = Delivery {
                sim: self.clone(),
                endpoint,
                body: body.clone(),
                event_type: event_type.to_owned(),
                object_id: object_id.clone(),
            };
            statuses.push(delivery.first_attempt().await);
        }
        statuses
    }

    fn take_fault(&self) -> Faults {
        let mut state = self.lock();
        let f = &mut state.faults;
        let take = |n: &mut u32| {
            let hit = *n > 0;
            *n = n.saturating_sub(1);
            u32::from(hit)
        };
        Faults {
            drop: take(&mut f.drop),
            duplicate: take(&mut f.duplicate),
            wrong_secret: take(&mut f.wrong_secret),
            stale: take(&mut f.stale),
        }
    }

    fn record(&self, record: DeliveryRecord) {
        let mut state = self.lock();
        if state.deliveries.len() >= KEPT_DELIVERIES {
            state.deliveries.remove(0);
        }
        state.deliveries.push(record);
    }
}

struct Delivery {
    sim: Sim,
    endpoint: WebhookEndpoint,
    body: String,
    event_type: String,
    object_id: String,
}

impl Delivery {
    async fn first_attempt(self) -> u16 {
        let fault = self.sim.take_fault();
        if fault.drop > 0 {
            self.sim.record(self.record(1, 0));
            return 0;
        }
        let status = self.attempt(1, &fault).await;
        if fault.duplicate > 0 {
            self.attempt(1, &Faults::default()).await;
        }
        if !(200..300).contains(&status) && self.sim.config.delivery_attempts > 1 {
            tokio::spawn(self.retry());
        }
        status
    }

    /// Later attempts, each signed anew (a new `t`).
    async fn retry(self) {
        for attempt in 2..=self.sim.config.delivery_attempts {
            tokio::time::sleep(self.sim.config.retry_interval).await;
            if (200..300).contains(&self.attempt(attempt, &Faults::default()).await) {
                return;
            }
        }
    }

    fn record(&self, attempt: u32, status: u16) -> DeliveryRecord {
        DeliveryRecord {
            event_type: self.event_type.clone(),
            object_id: self.object_id.clone(),
            attempt,
            status,
            body: self.body.clone(),
        }
    }

    async fn attempt(&self, attempt: u32, fault: &Faults) -> u16 {
        let mut t = chrono::Utc::now().timestamp();
        if fault.stale > 0 {
            t -= 3600;
        }
        let secret = if fault.wrong_secret > 0 {
            "not-the-webhook-secret"
        } else {
            self.endpoint.secret.as_str()
        };
        let signature = officernd::webhook::sign(secret.as_bytes(), self.body.as_bytes(), t);
        let sent = self
            .sim
            .http
            .post(&self.endpoint.url)
            .header("content-type", "application/json")
            .header(officernd::webhook::SIGNATURE_HEADER, signature)
            .body(self.body.clone())
            .send()
            .await;
        let status = sent.map(|r| r.status().as_u16()).unwrap_or(0);
        self.sim.record(self.record(attempt, status));
        status
    }
}
