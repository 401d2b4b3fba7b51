//! The simulated Optix: its state (organizations, deliveries, holds), who a token is, the
//! webhooks it signs and delivers with Optix's retry policy, and what the admin API asks of it.

use crate::model::{AccountPlan, App, Organization, PlanStatus};
use anyhow::Context as _;
use chrono::Utc;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub listen: String,
    pub webhook_url: Option<String>,
    /// Requests per `rate_window` per token (Optix: 60 a minute); 0 = unlimited.
    pub rate_limit_per_minute: u32,
    /// The rate limit's window: a minute, like Optix; tests shorten it.
    pub rate_window: Duration,
    pub retry_interval: Duration,
    pub max_retries: u32,
    pub fixture: Option<std::path::PathBuf>,
    /// Optix dispatches each webhook 1–15 s after the change, so they arrive late and in any
    /// order; each change's webhook waits a random time in this range. `None` delivers at once
    /// (what fast tests want).
    pub dispatch_delay: Option<RangeInclusive<Duration>>,
}

/// Organizations the admin API may create: the simulator's state is bounded.
pub const MAX_ORGANIZATIONS: usize = 1_000;
/// Operation names counted apart (names come from clients: the map is bounded).
const MAX_OPERATIONS: usize = 100;

/// An organization created through the admin API; the app is not installed in it yet.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct NewOrganization {
    /// Optix's id; a fresh one when left out.
    #[serde(default)]
    pub organization_id: Option<String>,
    pub name: String,
    /// An IANA time zone, e.g. `Europe/Amsterdam`.
    pub timezone: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryRecord {
    pub event: String,
    pub organization_id: String,
    pub attempt: u32,
    /// HTTP status, or `None` when the request failed (timeout, connection refused).
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// How one webhook is delivered; the default is what Optix normally does.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Delivery {
    /// Extra identical POSTs right after the first (Optix is at-least-once).
    pub duplicates: u32,
    /// Wait before the first attempt.
    #[serde(with = "millis")]
    pub delay: Duration,
    /// Sign with a wrong signature (the receiver must answer 401).
    pub bad_signature: bool,
}

mod millis {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(deserializer)?))
    }
}

pub struct SimState {
    pub app: App,
    pub orgs: BTreeMap<String, Organization>,
    deliveries: Vec<DeliveryRecord>,
    /// Events whose subscription a 410 removed.
    unsubscribed: HashSet<String>,
    api_calls: u64,
    /// Requests answered (not 429) by GraphQL operation name; bounded (`MAX_OPERATIONS`).
    operations: BTreeMap<String, u64>,
    rate_limited: u64,
    /// The next this many GraphQL requests fail with 503 (an Optix outage, on demand).
    fail_next: u32,
    rate_windows: HashMap<String, (Instant, u32)>,
    /// GraphQL operations held back by name (see [`Sim::hold_operation`]).
    held: HashMap<String, Hold>,
    pub(crate) next_id: u64,
    /// Webhooks dispatched with a delay whose first attempt has not been made yet.
    dispatching: u64,
}

impl SimState {
    /// The organization, its look-ups by id caught up with what was pushed since
    /// ([`Organization::index_by_id`]): what a GraphQL answer reads.
    pub fn indexed_org(&mut self, org_id: &str) -> Option<&Organization> {
        let org = self.orgs.get_mut(org_id)?;
        org.index_by_id();
        Some(org)
    }
}

/// A handle on the simulator's state (cheap to clone).
#[derive(Clone)]
pub struct Sim {
    state: Arc<Mutex<SimState>>,
    config: Arc<SimConfig>,
    http: reqwest::Client,
}

impl Sim {
    pub fn new(config: SimConfig) -> anyhow::Result<Sim> {
        let fixture = match &config.fixture {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("reading fixture {}", path.display()))?,
            None => crate::model::DEMO_FIXTURE.to_owned(),
        };
        let (app, orgs) = crate::model::load(&fixture, Utc::now())?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Sim {
            state: Arc::new(Mutex::new(SimState {
                app,
                orgs,
                deliveries: Vec::new(),
                unsubscribed: HashSet::new(),
                api_calls: 0,
                operations: BTreeMap::new(),
                rate_limited: 0,
                fail_next: 0,
                rate_windows: HashMap::new(),
                held: HashMap::new(),
                next_id: 50_000,
                dispatching: 0,
            })),
            config: Arc::new(config),
            http,
        })
    }

    /// Runs `f` with the state locked (a poisoned lock still holds consistent data here).
    pub fn with_state<T>(&self, f: impl FnOnce(&mut SimState) -> T) -> T {
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }

    pub fn api_calls(&self) -> u64 {
        self.with_state(|s| s.api_calls)
    }

    /// Requests let through (not answered 429), by GraphQL operation name (`other` past
    /// `MAX_OPERATIONS` names, `unnamed` without one): where a client's budget goes.
    pub fn operations(&self) -> BTreeMap<String, u64> {
        self.with_state(|s| s.operations.clone())
    }

    pub(crate) fn count_operation(&self, operation_name: Option<&str>) {
        self.with_state(|s| {
            let name = operation_name.unwrap_or("unnamed");
            let name = if s.operations.contains_key(name) || s.operations.len() < MAX_OPERATIONS {
                name
            } else {
                "other"
            };
            *s.operations.entry(name.to_owned()).or_insert(0) += 1;
        });
    }

    /// Requests answered 429.
    pub fn rate_limited(&self) -> u64 {
        self.with_state(|s| s.rate_limited)
    }

    /// The next `n` GraphQL requests fail with 503.
    pub fn fail_next_requests(&self, n: u32) {
        self.with_state(|s| s.fail_next = n);
    }

    /// Holds back every request for the GraphQL operation `operation_name` (e.g.
    /// `ActivePlansPage`) until [`Hold::release`]: what a slow Optix answer looks like, so a
    /// test can change the state while a client waits in the middle of a sequence of queries.
    pub fn hold_operation(&self, operation_name: &str) -> Hold {
        let hold = Hold {
            arrived: Arc::new(tokio::sync::watch::Sender::new(0)),
            released: Arc::new(tokio::sync::watch::Sender::new(false)),
        };
        self.with_state(|s| s.held.insert(operation_name.to_owned(), hold.clone()));
        hold
    }

    pub(crate) fn hold_for(&self, operation_name: Option<&str>) -> Option<Hold> {
        let name = operation_name?;
        self.with_state(|s| s.held.get(name).cloned())
    }

    pub fn app(&self) -> (String, String) {
        self.with_state(|s| (s.app.client_id.clone(), s.app.secret.clone()))
    }

    pub fn org_token(&self, org_id: &str) -> Option<String> {
        self.with_state(|s| s.orgs.get(org_id).map(|o| o.token.clone()))
    }

    pub fn user_email(&self, org_id: &str, user_id: &str) -> Option<String> {
        self.with_state(|s| s.orgs.get(org_id)?.user(user_id).map(|u| u.email.clone()))
    }

    /// Webhooks held back by the dispatch delay, not yet attempted.
    pub fn dispatching(&self) -> u64 {
        self.with_state(|s| s.dispatching)
    }

    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.with_state(|s| s.deliveries.clone())
    }

    pub(crate) fn next_id(&self) -> String {
        self.with_state(|s| {
            s.next_id += 1;
            s.next_id.to_string()
        })
    }

    /// Mints a personal token (what a canvas receives) for a user.
    pub fn personal_token(&self, org_id: &str, user_id: &str) -> Option<String> {
        let id = self.next_id();
        self.with_state(|s| {
            let org = s.orgs.get_mut(org_id)?;
            org.user(user_id)?;
            let token = format!("pt{id}{}p", &org.token[..org.token.len().min(6)]);
            org.personal_tokens
                .insert(token.clone(), user_id.to_owned());
            Some(token)
        })
    }

    pub(crate) fn authenticate(&self, token: Option<&str>) -> Auth {
        let Some(token) = token else {
            return Auth::Anonymous;
        };
        self.with_state(|s| {
            for org in s.orgs.values() {
                // An uninstalled app's token is refused (answered as anonymous, as Optix does).
                if org.token == token && org.app_installed {
                    return Auth::Organization {
                        org_id: org.organization_id.clone(),
                    };
                }
                if let Some(user_id) = org.personal_tokens.get(token) {
                    return Auth::Personal {
                        org_id: org.organization_id.clone(),
                        user_id: user_id.clone(),
                    };
                }
            }
            Auth::Anonymous
        })
    }

    /// Counts a call and applies the per-token limit (a fixed window from the token's first
    /// request); `Err(seconds)` = answer 429 with that Retry-After.
    pub(crate) fn admit(&self, token: &str) -> Result<(), u64> {
        let limit = self.config.rate_limit_per_minute;
        let length = self.config.rate_window;
        self.with_state(|s| {
            s.api_calls += 1;
            if limit == 0 {
                return Ok(());
            }
            let now = Instant::now();
            let window = s.rate_windows.entry(token.to_owned()).or_insert((now, 0));
            if now.duration_since(window.0) >= length {
                *window = (now, 0);
            }
            if window.1 >= limit {
                let left = length.saturating_sub(now.duration_since(window.0));
                s.rate_limited += 1;
                return Err(left.as_secs_f64().ceil().max(1.0) as u64);
            }
            window.1 += 1;
            Ok(())
        })
    }

    /// Whether to fail this request as an outage would.
    pub(crate) fn outage(&self) -> bool {
        self.with_state(|s| {
            if s.fail_next > 0 {
                s.fail_next -= 1;
                true
            } else {
                false
            }
        })
    }

    /// Adds the envelope Optix puts on every webhook, signed with the app's secret.
    pub fn signed_webhook(
        &self,
        org_id: &str,
        event: &str,
        mut fields: Map<String, Value>,
    ) -> Map<String, Value> {
        let (client_id, secret) = self.app();
        let created = Utc::now().timestamp().to_string();
        let signature = optix::signature::expected_signature(&client_id, &secret, &created);
        fields.insert("client_id".into(), json!(client_id));
        fields.insert("created_timestamp".into(), json!(created));
        fields.insert("organization_id".into(), json!(org_id));
        fields.insert("event".into(), json!(event));
        fields.insert("request_signature".into(), json!(signature));
        fields
    }

    /// Delivers one webhook as Optix does: form POST; 2xx ends it, 410 removes the subscription,
    /// anything else (3xx is not followed) is retried up to `max_retries` times,
    /// `retry_interval` apart, in the background. Returns the first attempt's status.
    pub async fn deliver(
        &self,
        org_id: &str,
        event: &str,
        fields: Map<String, Value>,
    ) -> anyhow::Result<u16> {
        self.deliver_with(org_id, event, fields, &Delivery::default())
            .await
    }

    /// Sends a change's webhook as Optix does: signed now, delivered at once or, with a
    /// dispatch delay configured, after a random part of it in the background (then `None`).
    pub async fn dispatch(
        &self,
        org_id: &str,
        event: &str,
        fields: Map<String, Value>,
    ) -> anyhow::Result<Option<u16>> {
        let Some(range) = self.config.dispatch_delay.clone() else {
            return self.deliver(org_id, event, fields).await.map(Some);
        };
        let signed = self.signed_webhook(org_id, event, fields);
        let (low, high) = (range.start().as_millis(), range.end().as_millis());
        let millis = if low >= high {
            low
        } else {
            rand::Rng::gen_range(&mut rand::thread_rng(), low..=high)
        };
        let delivery = Delivery {
            delay: Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX)),
            ..Delivery::default()
        };
        let sim = self.clone();
        let (org_id, event) = (org_id.to_owned(), event.to_owned());
        self.with_state(|s| s.dispatching += 1);
        tokio::spawn(async move {
            let result = sim.deliver_signed(&org_id, &event, signed, &delivery).await;
            sim.with_state(|s| s.dispatching = s.dispatching.saturating_sub(1));
            if let Err(e) = result {
                tracing::warn!(event, organization_id = org_id, error = %e, "delayed webhook not delivered");
            }
        });
        Ok(None)
    }

    /// [`Sim::deliver`] with the misbehaviours a receiver must survive: a delay before the
    /// first attempt, extra identical copies, or a wrong signature.
    pub async fn deliver_with(
        &self,
        org_id: &str,
        event: &str,
        fields: Map<String, Value>,
        delivery: &Delivery,
    ) -> anyhow::Result<u16> {
        let mut signed = self.signed_webhook(org_id, event, fields);
        if delivery.bad_signature {
            signed.insert("request_signature".into(), json!("0".repeat(40)));
        }
        self.deliver_signed(org_id, event, signed, delivery).await
    }

    /// Signs every webhook first (so timestamps follow `webhooks`' order), then delivers them
    /// in reverse: the order a receiver sees is not the order things happened.
    pub async fn deliver_reordered(
        &self,
        webhooks: Vec<(String, String, Map<String, Value>)>,
    ) -> anyhow::Result<Vec<u16>> {
        let signed: Vec<_> = webhooks
            .into_iter()
            .map(|(org, event, fields)| {
                let body = self.signed_webhook(&org, &event, fields);
                (org, event, body)
            })
            .collect();
        let mut statuses = Vec::with_capacity(signed.len());
        for (org, event, body) in signed.into_iter().rev() {
            statuses.push(
                self.deliver_signed(&org, &event, body, &Delivery::default())
                    .await?,
            );
        }
        Ok(statuses)
    }

    async fn deliver_signed(
        &self,
        org_id: &str,
        event: &str,
        signed: Map<String, Value>,
        delivery: &Delivery,
    ) -> anyhow::Result<u16> {
        let url = self
            .config
            .webhook_url
            .clone()
            .context("no webhook_url configured")?;
        if self.with_state(|s| s.unsubscribed.contains(event)) {
            anyhow::bail!("the {event} subscription was removed by a 410");
        }
        if !delivery.delay.is_zero() {
            tokio::time::sleep(delivery.delay).await;
        }
        let body = optix::webhook::encode_form(&signed);
        let first = self.attempt(&url, org_id, event, &body, 1).await;
        for _ in 0..delivery.duplicates {
            self.attempt(&url, org_id, event, &body, 1).await;
        }
        if first.is_none_or(|status| !(200..300).contains(&status) && status != 410) {
            let sim = self.clone();
            let (org_id, event) = (org_id.to_owned(), event.to_owned());
            tokio::spawn(async move {
                for attempt in 2..=sim.config.max_retries + 1 {
                    tokio::time::sleep(sim.config.retry_interval).await;
                    match sim.attempt(&url, &org_id, &event, &body, attempt).await {
                        Some(status) if (200..300).contains(&status) || status == 410 => break,
                        _ => {}
                    }
                }
            });
        }
        first.ok_or_else(|| anyhow::anyhow!("webhook {event} could not be delivered (will retry)"))
    }

    async fn attempt(
        &self,
        url: &str,
        org_id: &str,
        event: &str,
        body: &str,
        attempt: u32,
    ) -> Option<u16> {
        let result = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await;
        let (status, error) = match result {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(e) => (None, Some(e.without_url().to_string())),
        };
        self.with_state(|s| {
            if status == Some(410) {
                s.unsubscribed.insert(event.to_owned());
            }
            s.deliveries.push(DeliveryRecord {
                event: event.to_owned(),
                organization_id: org_id.to_owned(),
                attempt,
                status,
                error,
            });
        });
        status
    }

    /// Creates an organization (as Optix onboards a new space); it has no app installed, so no
    /// token, until [`Sim::install_app`].
    pub fn create_organization(&self, new: NewOrganization) -> anyhow::Result<String> {
        new.timezone
            .parse::<chrono_tz::Tz>()
            .map_err(|_| anyhow::anyhow!("unknown time zone {:?}", new.timezone))?;
        anyhow::ensure!(!new.name.trim().is_empty(), "an organization needs a name");
        let id = match new.organization_id {
            Some(id) => {
                anyhow::ensure!(
                    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_digit()),
                    "an organization id is up to 32 digits"
                );
                id
            }
            None => self.next_id(),
        };
        self.with_state(|s| {
            anyhow::ensure!(
                s.orgs.len() < MAX_ORGANIZATIONS,
                "the simulator holds at most {MAX_ORGANIZATIONS} organizations"
            );
            anyhow::ensure!(!s.orgs.contains_key(&id), "organization {id} exists");
            s.orgs.insert(
                id.clone(),
                Organization {
                    organization_id: id.clone(),
                    name: new.name,
                    timezone: new.timezone,
                    locale: crate::model::default_locale(),
                    token: String::new(),
                    app_installed: false,
                    locations: Vec::new(),
                    users: Vec::new(),
                    plan_templates: Vec::new(),
                    account_plans: Vec::new(),
                    teams: Vec::new(),
                    bookings: Vec::new(),
                    personal_tokens: HashMap::new(),
                    by_id: Default::default(),
                },
            );
            Ok(id)
        })
    }

    /// Installs the app in `org_id`: a fresh organization token unless it is installed
    /// already, then a signed `app_install` carrying it. Returns the first attempt's status.
    pub async fn install_app(&self, org_id: &str) -> anyhow::Result<u16> {
        // A reinstall gets a new token (the old one died with the uninstall).
        let fresh = self.mint_org_token();
        let token = self
            .with_state(|s| {
                let org = s.orgs.get_mut(org_id)?;
                if !org.app_installed {
                    org.token = fresh;
                    org.app_installed = true;
                }
                Some(org.token.clone())
            })
            .with_context(|| format!("unknown organization {org_id}"))?;
        let mut fields = Map::new();
        fields.insert("organization_token".into(), json!(token));
        self.deliver(org_id, "app_install", fields).await
    }

    /// Optix issues the organization a new token (the old one is refused from now on) and
    /// sends `organization_token_updated`.
    pub async fn rotate_token(&self, org_id: &str) -> anyhow::Result<u16> {
        let fresh = self.mint_org_token();
        let token = self
            .with_state(|s| {
                let org = s.orgs.get_mut(org_id)?;
                org.token = fresh;
                Some(org.token.clone())
            })
            .with_context(|| format!("unknown organization {org_id}"))?;
        let mut fields = Map::new();
        fields.insert("organization_token".into(), json!(token));
        self.deliver(org_id, "organization_token_updated", fields)
            .await
    }

    /// The organization removes the app: its token is refused from now on, then Optix sends
    /// `app_uninstall`.
    pub async fn uninstall_app(&self, org_id: &str) -> anyhow::Result<u16> {
        self.with_state(|s| s.orgs.get_mut(org_id).map(|org| org.app_installed = false))
            .with_context(|| format!("unknown organization {org_id}"))?;
        self.deliver(org_id, "app_uninstall", Map::new()).await
    }

    /// A new organization token (organization tokens end in `o`).
    fn mint_org_token(&self) -> String {
        let id = self.next_id();
        let mut random = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        format!("tok{id}{}o", hex::encode(random))
    }

    /// The `*_plan_subscription` fields for an account plan, as Optix sends them.
    pub(crate) fn plan_fields(
        &self,
        org_id: &str,
        account_plan_id: &str,
    ) -> anyhow::Result<Map<String, Value>> {
        self.with_state(|s| {
            let org = s
                .orgs
                .get(org_id)
                .with_context(|| format!("unknown organization {org_id}"))?;
            let plan = org
                .account_plans
                .iter()
                .find(|p| p.account_plan_id == account_plan_id)
                .with_context(|| format!("unknown account plan {account_plan_id}"))?;
            let template = org
                .template(&plan.plan_template_id)
                .context("plan template")?;
            let user = org.user(&plan.user_id).context("plan user")?;
            let start =
                chrono::DateTime::from_timestamp(plan.start_timestamp, 0).unwrap_or_default();
            let created =
                chrono::DateTime::from_timestamp(plan.created_timestamp, 0).unwrap_or_default();
            let status = match plan.status {
                PlanStatus::Active => "ACTIVE",
                PlanStatus::Canceled => "CANCELED",
                PlanStatus::Ended => "ENDED",
                PlanStatus::InTrial => "IN_TRIAL",
                PlanStatus::Upcoming => "UPCOMING",
                PlanStatus::Unknown => "UNKNOWN",
            };
            let value = json!({
                "plan_template_id": template.plan_template_id,
                "plan_template_name": template.name,
                "account_plan_id": plan.account_plan_id,
                "name": format!("{} for {}", template.name, user.name),
                "status": status,
                "subscription_type": "member",
                "created_datetime": created.format("%Y-%m-%d %H:%M").to_string(),
                "start_datetime": start.format("%Y-%m-%d %H:%M").to_string(),
                "created_unix_timestamp": plan.created_timestamp.to_string(),
                "start_unix_timestamp": plan.start_timestamp.to_string(),
                "price": template.price,
                "deposit": "0.00",
                "set_up_fee": "0.00",
                "free_trial_days": plan.trial_days.to_string(),
                "subscribers": [{
                    "user_name": user.name,
                    "user_last_name": user.surname,
                    "user_fullname": user.fullname(),
                    "email": user.email,
                }],
            });
            match value {
                Value::Object(map) => Ok(map),
                _ => anyhow::bail!("plan fields are not an object"),
            }
        })
    }

    /// Delivers the demo's webhooks: for each organization `app_install`, then a
    /// `new_plan_subscription` per live plan, `new_team_member` per team member and
    /// `new_member_booking` per booking. Returns how many were accepted (or, with a dispatch
    /// delay, dispatched).
    pub async fn deliver_demo(&self) -> anyhow::Result<usize> {
        let plan_of =
            |p: &AccountPlan| matches!(p.status, PlanStatus::Active | PlanStatus::InTrial);
        let orgs: Vec<DemoDeliveries> = self.with_state(|s| {
            s.orgs
                .values()
                .map(|o| {
                    let plans = o.account_plans.iter().filter(|p| plan_of(p)).map(|p| p.account_plan_id.clone()).collect();
                    let team_members = o
                        .teams
                        .iter()
                        .flat_map(|t| t.user_ids.iter().filter_map(move |u| o.user(u).map(|user| (t, user))))
                        .map(|(t, u)| {
                            let v = json!({"team_id": t.team_id, "team": t.name, "user_id": u.user_id, "user_name": u.name,
                                "user_last_name": u.surname, "user_fullname": u.fullname(), "user_email": u.email, "is_admin": "false"});
                            v.as_object().cloned().unwrap_or_default()
                        })
                        .collect();
                    let bookings = o
                        .bookings
                        .iter()
                        .filter_map(|b| crate::fields::booking_fields(o, b).ok())
                        .collect();
                    (o.organization_id.clone(), plans, team_members, bookings)
                })
                .collect()
        });
        let mut accepted = 0;
        for (org_id, plans, team_members, bookings) in orgs {
            let ok = |status: u16| usize::from((200..300).contains(&status));
            // The install comes first (nothing is accepted for an organization before it);
            // the rest is dispatched like any change, so with a delay it arrives in any order.
            accepted += ok(self.install_app(&org_id).await?);
            let mut webhooks = Vec::new();
            for plan in plans {
                webhooks.push(("new_plan_subscription", self.plan_fields(&org_id, &plan)?));
            }
            webhooks.extend(team_members.into_iter().map(|f| ("new_team_member", f)));
            webhooks.extend(bookings.into_iter().map(|f| ("new_member_booking", f)));
            for (event, fields) in webhooks {
                // A delayed webhook counts as accepted once dispatched.
                accepted += self.dispatch(&org_id, event, fields).await?.map_or(1, ok);
            }
        }
        Ok(accepted)
    }
}

/// Per organization: its id, live account plans, team-member and booking webhook fields.
type DemoDeliveries = (
    String,
    Vec<String>,
    Vec<Map<String, Value>>,
    Vec<Map<String, Value>>,
);

/// A held GraphQL operation (see [`Sim::hold_operation`]).
#[derive(Clone)]
pub struct Hold {
    arrived: Arc<tokio::sync::watch::Sender<u32>>,
    released: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Hold {
    /// Resolves once a request for the operation is waiting (or was let through).
    pub async fn arrived(&self) {
        let mut arrived = self.arrived.subscribe();
        // The sender lives in `self`, so the channel never closes while this waits.
        let _ = arrived.wait_for(|count| *count > 0).await;
    }

    /// Lets the waiting requests, and every later one, through.
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    pub(crate) async fn wait(&self) {
        self.arrived.send_modify(|count| *count += 1);
        let mut released = self.released.subscribe();
        let _ = released.wait_for(|released| *released).await;
    }
}

/// Who is asking, from the bearer token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    Anonymous,
    Organization { org_id: String },
    Personal { org_id: String, user_id: String },
}
