//! The Optix GraphQL API client. Queries live in `proto/optix/queries/` and are checked against
//! the schema subset `proto/optix/schema.graphql` at compile time (graphql_client derive).

use crate::limiter::{RateLimiter, SharedBudget};
use graphql_client::GraphQLQuery;
use opentelemetry::KeyValue;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The queries, checked against the schema subset at compile time.
mod queries {
    #![allow(clippy::upper_case_acronyms, clippy::enum_variant_names)]
    use graphql_client::GraphQLQuery;

    /// One query type per file of `proto/optix/queries/`, all against the schema subset.
    macro_rules! optix_query {
        ($name:ident, $path:tt) => {
            #[derive(GraphQLQuery)]
            #[graphql(
                                        schema_path = "../../proto/optix/schema.graphql",
                                        query_path = $path,
                                        response_derives = "Debug, Clone",
                                        variables_derives = "Debug, Clone"
                                    )]
            pub struct $name;
        };
    }

    optix_query!(Me, "../../proto/optix/queries/me.graphql");
    optix_query!(
        UserByEmail,
        "../../proto/optix/queries/user_by_email.graphql"
    );
    optix_query!(FactsBatch, "../../proto/optix/queries/facts_batch.graphql");
    optix_query!(UsersBatch, "../../proto/optix/queries/users_batch.graphql");
    optix_query!(
        UsersByEmailBatch,
        "../../proto/optix/queries/users_by_email_batch.graphql"
    );
    optix_query!(PlansById, "../../proto/optix/queries/plans_by_id.graphql");
    optix_query!(
        BookingById,
        "../../proto/optix/queries/booking_by_id.graphql"
    );
    optix_query!(
        UserByMemberId,
        "../../proto/optix/queries/user_by_member_id.graphql"
    );
    optix_query!(
        ActivePlansPage,
        "../../proto/optix/queries/active_plans_page.graphql"
    );
    optix_query!(
        BookingsPage,
        "../../proto/optix/queries/bookings_page.graphql"
    );
    optix_query!(TeamsPage, "../../proto/optix/queries/teams_page.graphql");
    optix_query!(
        PlanTemplates,
        "../../proto/optix/queries/plan_templates.graphql"
    );
    optix_query!(Locations, "../../proto/optix/queries/locations.graphql");
    optix_query!(UsersPage, "../../proto/optix/queries/users_page.graphql");
    optix_query!(TokenOwner, "../../proto/optix/queries/token_owner.graphql");
}

use queries::{
    active_plans_page, booking_by_id, bookings_page, facts_batch, locations, me, plan_templates,
    plans_by_id, teams_page, token_owner, user_by_email, user_by_member_id, users_batch,
    users_by_email_batch, users_page,
};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum OptixError {
    #[error("Optix rate limit reached; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("Optix refused the token")]
    Unauthorized,
    #[error("Optix answered HTTP {0}")]
    Server(u16),
    #[error("cannot reach Optix: {0}")]
    Transport(String),
    #[error("Optix reported errors: {}", .0.join("; "))]
    GraphQl(Vec<String>),
    #[error("unexpected Optix response: {0}")]
    Decode(String),
}

impl OptixError {
    /// Worth trying again later (as opposed to a refused token or a malformed answer).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            OptixError::RateLimited { .. } | OptixError::Server(_) | OptixError::Transport(_)
        )
    }
}

/// An organization's token, labelled with its organization for the budget metrics. Debug never
/// shows the token.
#[derive(Clone)]
pub struct OrgToken {
    pub org_id: String,
    token: String,
}

impl OrgToken {
    pub fn new(org_id: impl Into<String>, token: impl Into<String>) -> OrgToken {
        OrgToken {
            org_id: org_id.into(),
            token: token.into(),
        }
    }
    pub fn expose(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for OrgToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrgToken({}, [redacted])", self.org_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub team_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub user_id: String,
    pub email: String,
    pub fullname: String,
    pub is_active: bool,
    pub is_deleted: bool,
    pub teams: Vec<Team>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub auth_type: String,
    pub user: Option<User>,
    pub organization_id: Option<String>,
    pub organization_name: Option<String>,
    pub is_admin: bool,
    /// The locations an admin manages (empty for members).
    pub admin_locations: Vec<Location>,
}

/// What Optix says about a token that claims to be `org_id`'s organization token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// An organization token of that organization, with the organization's locale (`fr_CA`)
    /// when Optix reports one.
    Confirmed { locale: Option<String> },
    /// Anything else; the reason is a bounded label for metrics and logs (never the token).
    Refused(TokenRefusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Optix does not accept the token (unknown, revoked, expired, the app uninstalled).
    Rejected,
    /// A valid token, but a personal (or other non-organization) one.
    NotOrganizationToken,
    /// An organization token of another organization.
    OtherOrganization,
}

impl TokenRefusal {
    pub fn label(self) -> &'static str {
        match self {
            TokenRefusal::Rejected => "token_rejected_by_optix",
            TokenRefusal::NotOrganizationToken => "not_an_organization_token",
            TokenRefusal::OtherOrganization => "token_of_another_organization",
        }
    }
}

impl std::fmt::Display for TokenRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenRefusal::Rejected => "Optix refuses the token",
            TokenRefusal::NotOrganizationToken => "Optix says it is not an organization token",
            TokenRefusal::OtherOrganization => "Optix says it is the token of another organization",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanStatus {
    Active,
    Canceled,
    Ended,
    InTrial,
    Upcoming,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub account_plan_id: String,
    /// Whose access the plan is (absent for plans shared by a whole team).
    pub user_id: Option<String>,
    pub status: PlanStatus,
    pub start_timestamp: Option<i64>,
    pub end_timestamp: Option<i64>,
    pub canceled_timestamp: Option<i64>,
    pub plan_template_id: String,
    pub plan_template_name: String,
    pub in_all_locations: bool,
    pub location_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteeStatus {
    Pending,
    Attending,
    NotAttending,
    Maybe,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    pub user_id: String,
    pub status: InviteeStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub booking_id: String,
    /// The booker.
    pub user_id: Option<String>,
    pub start_timestamp: i64,
    pub end_timestamp: i64,
    /// Canceled or rejected.
    pub is_canceled: bool,
    pub location_id: String,
    pub location_timezone: String,
    pub resource_id: String,
    pub resource_name: String,
    pub invitees: Vec<Invitee>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub location_id: String,
    pub name: String,
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTemplate {
    pub plan_template_id: String,
    pub name: String,
    pub in_all_locations: bool,
    pub location_ids: Vec<String>,
}

/// What Optix says about a set of users: the users it knows (absent = deleted or not in the
/// organization), their live plans, and the organization's bookings in the window asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub users: BTreeMap<String, User>,
    pub plans: Vec<Plan>,
    pub bookings: Vec<Booking>,
}

#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// Requests per minute per token (Optix allows 60); 0 = no client-side limit.
    pub requests_per_minute: u32,
    /// The budget's window: a minute, like Optix's (tests shorten it).
    pub window: Duration,
    /// Page size of list queries.
    pub page_size: i64,
    /// Attempts after the first for 429s, 5xx and transport errors.
    pub retries: u32,
    /// How long a call may wait for budget (or a 429's Retry-After) before failing with
    /// `RateLimited`.
    pub patience: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            requests_per_minute: 60,
            window: crate::limiter::WINDOW,
            page_size: 100,
            retries: 3,
            patience: Duration::from_secs(120),
        }
    }
}

#[derive(Clone)]
pub struct OptixClient {
    api_url: String,
    http: reqwest::Client,
    calls: Arc<AtomicU64>,
    limiter: Arc<RateLimiter>,
    /// The budget every instance counts (provision's, in PostgreSQL); None counts only this
    /// process's requests.
    shared: Option<Arc<dyn SharedBudget>>,
    /// Organization → its token's budget key, as last used (bounded like the limiter).
    org_keys: Arc<Mutex<HashMap<String, String>>>,
    settings: ClientSettings,
}

impl std::fmt::Debug for OptixClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptixClient")
            .field("api_url", &self.api_url)
            .finish()
    }
}

/// How many user ids one FactsBatch request covers (the plans query takes a list).
pub const FACTS_CHUNK: usize = 100;
/// `FactsBatch` requests of one reconciliation sent at once.
const FACTS_IN_FLIGHT: usize = 4;
/// Aliased user slots per request (u0..u9 in the queries).
pub const USER_SLOTS: usize = 10;

struct ApiMetrics {
    requests: opentelemetry::metrics::Counter<u64>,
    duration: opentelemetry::metrics::Histogram<f64>,
    /// Kept alive so its callback keeps reporting the watched budgets.
    _budget: opentelemetry::metrics::ObservableGauge<i64>,
}

/// One organization's budget as the gauge reads it: its client's limiter and the token's key.
struct WatchedBudget {
    limiter: std::sync::Weak<RateLimiter>,
    key: String,
}

/// The budgets `lanyard_optix_api_budget_remaining` reports, by organization. The gauge is
/// read when metrics are collected (a scrape), not when a request is made, so an idle
/// organization's budget is seen to come back as its window slides. Bounded like the limiter.
fn watched_budgets() -> &'static Mutex<HashMap<String, WatchedBudget>> {
    static WATCHED: std::sync::OnceLock<Mutex<HashMap<String, WatchedBudget>>> =
        std::sync::OnceLock::new();
    WATCHED.get_or_init(Default::default)
}

fn watch_budget(org_id: &str, limiter: &Arc<RateLimiter>, key: &str) {
    let mut watched = watched_budgets()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if watched.get(org_id).is_some_and(|w| w.key == key) {
        return;
    }
    if !watched.contains_key(org_id) && watched.len() >= crate::limiter::MAX_TOKENS {
        watched.retain(|_, w| w.limiter.strong_count() > 0);
        if watched.len() >= crate::limiter::MAX_TOKENS {
            return;
        }
    }
    watched.insert(
        org_id.to_owned(),
        WatchedBudget {
            limiter: Arc::downgrade(limiter),
            key: key.to_owned(),
        },
    );
}

/// Stops reporting an organization's budget (it uninstalled the app).
pub fn forget_budget(org_id: &str) {
    watched_budgets()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .remove(org_id);
}

/// Through the OpenTelemetry global meter: the service installs the exporter at start-up.
fn api_metrics() -> &'static ApiMetrics {
    static METRICS: std::sync::OnceLock<ApiMetrics> = std::sync::OnceLock::new();
    METRICS.get_or_init(|| {
        let meter = opentelemetry::global::meter("lanyard");
        ApiMetrics {
            requests: meter
                .u64_counter("lanyard_optix_api_requests")
                .with_description(
                    "Optix GraphQL requests by operation and status (rate_limited = a 429)",
                )
                .build(),
            duration: meter
                .f64_histogram("lanyard_optix_api_duration")
                .with_description("Optix GraphQL request time by operation")
                .with_unit("s")
                .with_boundaries(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0])
                .build(),
            _budget: meter
                .i64_observable_gauge("lanyard_optix_api_budget_remaining")
                .with_description(
                    "Requests left in the organization token's sliding window (client-side \
                     count, as of the scrape)",
                )
                .with_callback(|observer| {
                    let now = Instant::now();
                    let watched = watched_budgets()
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    for (org, budget) in watched.iter() {
                        if let Some(limiter) = budget.limiter.upgrade() {
                            observer.observe(
                                i64::from(limiter.remaining(&budget.key, now)),
                                &[KeyValue::new("org", org.clone())],
                            );
                        }
                    }
                })
                .build(),
        }
    })
}

/// The limiter's key for a token: a digest, so the map never holds a token.
fn budget_key(token: &str) -> String {
    hex::encode(&Sha256::digest(token.as_bytes())[..12])
}

fn ts(value: Option<i64>) -> Option<i64> {
    value
}

macro_rules! person {
    ($p:expr) => {{
        let p = $p;
        User {
            user_id: p.user_id,
            email: p.email.unwrap_or_default(),
            fullname: p.fullname.unwrap_or_default(),
            is_active: p.is_active.unwrap_or(false),
            is_deleted: p.is_deleted.unwrap_or(false),
            teams: p
                .teams
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|t| Team {
                    team_id: t.team_id,
                    name: t.name,
                })
                .collect(),
        }
    }};
}

macro_rules! plan_status {
    ($module:ident, $status:expr) => {
        match $status {
            $module::AccountPlanStatus::ACTIVE => PlanStatus::Active,
            $module::AccountPlanStatus::CANCELED => PlanStatus::Canceled,
            $module::AccountPlanStatus::ENDED => PlanStatus::Ended,
            $module::AccountPlanStatus::IN_TRIAL => PlanStatus::InTrial,
            $module::AccountPlanStatus::UPCOMING => PlanStatus::Upcoming,
            _ => PlanStatus::Unknown,
        }
    };
}

macro_rules! invitee_status {
    ($module:ident, $status:expr) => {
        match $status {
            $module::InviteeStatus::ATTENDING => InviteeStatus::Attending,
            $module::InviteeStatus::NOT_ATTENDING => InviteeStatus::NotAttending,
            $module::InviteeStatus::MAYBE => InviteeStatus::Maybe,
            _ => InviteeStatus::Pending,
        }
    };
}

macro_rules! plan {
    ($module:ident, $p:expr, $user:expr) => {{
        let p = $p;
        let template = p.plan_template;
        Plan {
            account_plan_id: p.account_plan_id,
            user_id: $user,
            status: plan_status!($module, p.status),
            start_timestamp: Some(p.start_timestamp),
            end_timestamp: ts(p.end_timestamp),
            canceled_timestamp: ts(p.canceled_timestamp),
            plan_template_id: template
                .as_ref()
                .map(|t| t.plan_template_id.clone())
                .unwrap_or_default(),
            plan_template_name: template
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            in_all_locations: template.as_ref().is_some_and(|t| t.in_all_locations),
            location_ids: template
                .map(|t| t.locations.into_iter().map(|l| l.location_id).collect())
                .unwrap_or_default(),
        }
    }};
}

macro_rules! booking {
    ($module:ident, $b:expr) => {{
        let b = $b;
        b.location.map(|location| Booking {
            booking_id: b.booking_id,
            user_id: b.user.map(|u| u.user_id),
            start_timestamp: b.start_timestamp,
            end_timestamp: b.end_timestamp,
            is_canceled: b.is_canceled || b.is_rejected,
            location_id: location.location_id,
            location_timezone: location.timezone.unwrap_or_else(|| "UTC".into()),
            resource_id: b
                .resource
                .as_ref()
                .map(|r| r.resource_id.clone())
                .unwrap_or_default(),
            resource_name: b.resource.and_then(|r| r.name).unwrap_or_default(),
            invitees: b
                .invitees
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|i| Invitee {
                    user_id: i.user.user_id,
                    status: invitee_status!($module, i.status),
                })
                .collect(),
        })
    }};
}

/// A batch query's variables with the ten user slots `u0`…`u9` filled from `chunk` (see
/// [`slots`]) and the other fields as given.
macro_rules! with_slots {
    ($chunk:expr, $module:ident::Variables { $($field:ident: $value:expr),* $(,)? }) => {{
        let [u0, u1, u2, u3, u4, u5, u6, u7, u8, u9] = slots($chunk);
        $module::Variables { u0, u1, u2, u3, u4, u5, u6, u7, u8, u9, $($field: $value),* }
    }};
}

/// The ten user slots of a batch answer, in slot order (`None`: Optix knows no such user).
macro_rules! slot_users {
    ($data:expr) => {
        [
            $data.u0, $data.u1, $data.u2, $data.u3, $data.u4, $data.u5, $data.u6, $data.u7,
            $data.u8, $data.u9,
        ]
    };
}

/// One page of a list: its items, and the page that follows (none after the last).
#[derive(Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next: Option<i64>,
}

/// One page of a list answer: its items (Optix's `null` entries left out) made into ours, and
/// the list's total.
fn page<R, T>(items: Vec<Option<R>>, total: i64, item: impl FnMut(R) -> T) -> (Vec<T>, i64) {
    (items.into_iter().flatten().map(item).collect(), total)
}

/// Ten slot ids from `ids` (at most ten), padded by repeating the first.
fn slots(ids: &[String]) -> [String; USER_SLOTS] {
    std::array::from_fn(|i| ids.get(i).or(ids.first()).cloned().unwrap_or_default())
}

/// Folds one `FactsBatch` answer for `chunk` into `facts`: its users, its live plans (whose
/// users count as described) and, with `with_bookings`, its first page of bookings.
fn add_facts_batch(
    facts: &mut Facts,
    described: &mut std::collections::BTreeSet<String>,
    chunk: &[String],
    data: facts_batch::ResponseData,
    with_bookings: bool,
) {
    for (i, user) in slot_users!(data).into_iter().enumerate() {
        if let Some(requested) = chunk.get(i) {
            described.insert(requested.clone());
        }
        if let Some(user) = user {
            facts.users.insert(user.user_id.clone(), person!(user));
        }
    }
    if data.account_plans.total > data.account_plans.data.len() as i64 {
        tracing::warn!(
            total = data.account_plans.total,
            "more live plans than one page holds for one batch of users; the rest wait for the sync"
        );
    }
    for p in data.account_plans.data {
        let user = p.access_usage_user.clone().map(|u| person!(u));
        if let Some(user) = &user {
            described.insert(user.user_id.clone());
            facts
                .users
                .entry(user.user_id.clone())
                .or_insert(user.clone());
        }
        facts
            .plans
            .push(plan!(facts_batch, p, user.map(|u| u.user_id)));
    }
    if with_bookings {
        facts.bookings.extend(
            data.bookings
                .data
                .into_iter()
                .flatten()
                .filter_map(|b| booking!(facts_batch, b)),
        );
    }
}

impl OptixClient {
    pub fn new(api_url: impl Into<String>, http: reqwest::Client) -> Self {
        OptixClient::with_settings(api_url, http, ClientSettings::default())
    }

    pub fn with_settings(
        api_url: impl Into<String>,
        http: reqwest::Client,
        settings: ClientSettings,
    ) -> Self {
        OptixClient {
            api_url: api_url.into(),
            http,
            calls: Arc::new(AtomicU64::new(0)),
            shared: None,
            org_keys: Default::default(),
            limiter: Arc::new(RateLimiter::with_window(
                settings.requests_per_minute,
                settings.window,
            )),
            settings,
        }
    }

    /// The same client (and budget) with a different patience: callers a person waits for
    /// (portal commands) fail fast instead of queueing behind a sync.
    pub fn with_patience(&self, patience: Duration) -> OptixClient {
        let mut client = self.clone();
        client.settings.patience = patience;
        client
    }

    /// The same client counting its budget in `shared` too, for every process that sends
    /// with the same tokens.
    pub fn with_shared_budget(mut self, shared: Arc<dyn SharedBudget>) -> OptixClient {
        self.shared = Some(shared);
        self
    }

    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// Waits for the shared budget of `key` (after this process's own window admitted the
    /// request), failing like the local wait when it would outlast the patience. If the shared
    /// budget cannot be asked, the request goes out on this process's window alone: refusing
    /// would stop provisioning, a rare 429 only delays it.
    async fn acquire_shared(&self, key: &str, since: Instant) -> Result<(), OptixError> {
        let (Some(shared), limit) = (&self.shared, self.limiter.limit()) else {
            return Ok(());
        };
        if limit == 0 {
            return Ok(());
        }
        loop {
            match shared.take(key, limit, self.limiter.window()).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(wait)) => {
                    if since.elapsed() + wait > self.settings.patience {
                        return Err(OptixError::RateLimited {
                            retry_after_secs: wait.as_secs().max(1),
                        });
                    }
                    tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
                }
                Err(error) => {
                    tracing::warn!(%error, "the shared Optix budget could not be read; counting this instance's requests only");
                    return Ok(());
                }
            }
        }
    }

    /// A 429 blocks `key` here and, when there is one, in the shared budget.
    async fn block(&self, key: &str, retry_after: Duration) {
        self.limiter.block(key, retry_after);
        if let Some(shared) = &self.shared
            && let Err(error) = shared.block(key, retry_after).await
        {
            tracing::warn!(%error, "the shared Optix budget could not record a 429");
        }
    }

    /// HTTP requests sent so far (for the API-budget metrics).
    pub fn calls_made(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Requests left for this token in the current minute.
    pub fn budget_remaining(&self, token: &OrgToken) -> u32 {
        self.limiter
            .remaining(&budget_key(token.expose()), Instant::now())
    }

    /// Requests left in the current minute for the token this client last used for `org_id`,
    /// without reading the token; None without a limit or before the organization's first
    /// request.
    pub fn org_budget_remaining(&self, org_id: &str) -> Option<u32> {
        if self.limiter.limit() == 0 {
            return None;
        }
        let key = self
            .org_keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(org_id)
            .cloned()?;
        Some(self.limiter.remaining(&key, Instant::now()))
    }

    fn remember_org_key(&self, org_id: &str, key: &str) {
        let mut keys = self
            .org_keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if keys.get(org_id).is_some_and(|k| k == key) {
            return;
        }
        if keys.contains_key(org_id) || keys.len() < crate::limiter::MAX_TOKENS {
            keys.insert(org_id.to_owned(), key.to_owned());
        }
    }

    async fn post<Q: GraphQLQuery>(
        &self,
        org_id: Option<&str>,
        token: &str,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, OptixError>
    where
        Q::Variables: Clone,
    {
        let body = Q::build_query(variables);
        let key = budget_key(token);
        let span = tracing::info_span!(
            "optix.graphql",
            otel.kind = "client",
            operation = body.operation_name
        );
        let metrics = api_metrics();
        async {
            let mut attempt = 0;
            loop {
                let waiting_since = Instant::now();
                if let Err(wait) = self.limiter.acquire(&key, self.settings.patience).await {
                    return Err(OptixError::RateLimited {
                        retry_after_secs: wait.as_secs().max(1),
                    });
                }
                self.acquire_shared(&key, waiting_since).await?;
                self.calls.fetch_add(1, Ordering::Relaxed);
                let started = Instant::now();
                let result = self.send::<Q>(token, &body).await;
                let status = match &result {
                    Ok(_) => "ok",
                    Err(OptixError::RateLimited { .. }) => "rate_limited",
                    Err(OptixError::Unauthorized) => "unauthorized",
                    Err(OptixError::Server(_)) => "server_error",
                    Err(OptixError::Transport(_)) => "transport_error",
                    Err(_) => "bad_response",
                };
                let labels = [
                    KeyValue::new("operation", body.operation_name),
                    KeyValue::new("status", status),
                ];
                metrics.requests.add(1, &labels);
                metrics
                    .duration
                    .record(started.elapsed().as_secs_f64(), &labels[..1]);
                if let (Some(org), limit) = (org_id, self.limiter.limit())
                    && limit > 0
                {
                    watch_budget(org, &self.limiter, &key);
                    self.remember_org_key(org, &key);
                }
                let error = match result {
                    Ok(data) => return Ok(data),
                    Err(e) => e,
                };
                if !error.is_transient() || attempt >= self.settings.retries {
                    return Err(error);
                }
                attempt += 1;
                match &error {
                    OptixError::RateLimited { retry_after_secs } => {
                        tracing::warn!(retry_after_secs, "Optix answered 429; waiting");
                        self.block(&key, Duration::from_secs(*retry_after_secs))
                            .await;
                    }
                    _ => {
                        let backoff = Duration::from_millis(250 * (1 << attempt.min(5)));
                        tracing::warn!(error = %error, backoff_ms = backoff.as_millis() as u64, "Optix request failed; retrying");
                        tokio::time::sleep(backoff).await;
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn send<Q: GraphQLQuery>(
        &self,
        token: &str,
        body: &graphql_client::QueryBody<Q::Variables>,
    ) -> Result<Q::ResponseData, OptixError> {
        let response = self
            .http
            .post(&self.api_url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .map_err(|e| OptixError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.as_u16() == 429 {
            let retry_after_secs = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(60);
            return Err(OptixError::RateLimited { retry_after_secs });
        }
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(OptixError::Unauthorized);
        }
        if !status.is_success() {
            return Err(OptixError::Server(status.as_u16()));
        }
        let parsed: graphql_client::Response<Q::ResponseData> = response
            .json()
            .await
            .map_err(|e| OptixError::Decode(e.without_url().to_string()))?;
        if let Some(errors) = parsed.errors.filter(|e| !e.is_empty()) {
            return Err(OptixError::GraphQl(
                errors.into_iter().map(|e| e.message).collect(),
            ));
        }
        parsed
            .data
            .ok_or_else(|| OptixError::Decode("response has no data".into()))
    }

    /// Who a token belongs to (canvas tokens are personal tokens; each has its own budget).
    pub async fn me(&self, token: &str) -> Result<Me, OptixError> {
        let data = self.post::<queries::Me>(None, token, me::Variables).await?;
        let me = data.me;
        let auth_type = match me.auth_type {
            me::TokenType::ANONYMOUS => "ANONYMOUS".to_owned(),
            me::TokenType::LEGACY => "LEGACY".to_owned(),
            me::TokenType::PERSONAL => "PERSONAL".to_owned(),
            me::TokenType::ORGANIZATION => "ORGANIZATION".to_owned(),
            me::TokenType::EXPIRED => "EXPIRED".to_owned(),
            me::TokenType::SINGLE_ACTION => "SINGLE_ACTION".to_owned(),
            me::TokenType::Other(other) => other,
        };
        let is_admin =
            me.admin.is_some() || me.user.as_ref().and_then(|u| u.is_admin).unwrap_or(false);
        let admin_locations = me
            .admin
            .map(|a| {
                a.locations
                    .into_iter()
                    .map(|l| Location {
                        location_id: l.location_id,
                        name: l.name.unwrap_or_default(),
                        timezone: l.timezone.unwrap_or_else(|| "UTC".into()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Me {
            auth_type,
            user: me.user.map(|u| person!(u)),
            organization_id: me.organization.as_ref().map(|o| o.organization_id.clone()),
            organization_name: me.organization.map(|o| o.name),
            is_admin,
            admin_locations,
        })
    }

    /// Asks Optix, with `token` itself, whether it is an organization token of `org_id`.
    /// (The API says nothing about which app a token was issued to; the app is bound by the
    /// webhook's signature and client id.) Transient failures are errors, to be retried.
    pub async fn check_org_token(
        &self,
        org_id: &str,
        token: &str,
    ) -> Result<TokenCheck, OptixError> {
        let data = match self
            .post::<queries::TokenOwner>(None, token, token_owner::Variables)
            .await
        {
            Ok(data) => data,
            Err(OptixError::Unauthorized) => {
                return Ok(TokenCheck::Refused(TokenRefusal::Rejected));
            }
            Err(e) => return Err(e),
        };
        let me = data.me;
        let refusal = match me.auth_type {
            token_owner::TokenType::ORGANIZATION => match me.organization {
                Some(owner) if owner.organization_id == org_id => {
                    return Ok(TokenCheck::Confirmed {
                        locale: owner.locale,
                    });
                }
                Some(_) => TokenRefusal::OtherOrganization,
                None => TokenRefusal::NotOrganizationToken,
            },
            token_owner::TokenType::ANONYMOUS | token_owner::TokenType::EXPIRED => {
                TokenRefusal::Rejected
            }
            _ => TokenRefusal::NotOrganizationToken,
        };
        Ok(TokenCheck::Refused(refusal))
    }

    pub async fn user_by_email(
        &self,
        token: &OrgToken,
        email: &str,
    ) -> Result<Option<User>, OptixError> {
        let data = self
            .post::<queries::UserByEmail>(
                Some(&token.org_id),
                token.expose(),
                user_by_email::Variables {
                    email: email.to_owned(),
                },
            )
            .await?;
        Ok(data.user.map(|u| person!(u)))
    }

    /// The users Optix knows by `emails`, keyed by the email as asked: one `UsersByEmailBatch`
    /// request per ten emails (a burst of new members costs a tenth of a request each).
    pub async fn users_by_email(
        &self,
        token: &OrgToken,
        emails: &[String],
    ) -> Result<HashMap<String, User>, OptixError> {
        let mut found = HashMap::with_capacity(emails.len());
        for chunk in emails.chunks(USER_SLOTS) {
            let variables = with_slots!(chunk, users_by_email_batch::Variables {});
            let data = self
                .post::<queries::UsersByEmailBatch>(Some(&token.org_id), token.expose(), variables)
                .await?;
            for (email, user) in chunk.iter().zip(slot_users!(data)) {
                if let Some(user) = user {
                    found.insert(email.clone(), person!(user));
                }
            }
        }
        Ok(found)
    }

    pub async fn user_by_member_id(
        &self,
        token: &OrgToken,
        member_id: &str,
    ) -> Result<Option<String>, OptixError> {
        let data = self
            .post::<queries::UserByMemberId>(
                Some(&token.org_id),
                token.expose(),
                user_by_member_id::Variables {
                    member_id: member_id.to_owned(),
                },
            )
            .await?;
        Ok(data.user.map(|u| u.user_id))
    }

    /// The users whose access these account plans are (plans shared by a team have none).
    pub async fn plan_users(
        &self,
        token: &OrgToken,
        account_plan_ids: &[String],
    ) -> Result<Vec<(String, Option<String>)>, OptixError> {
        let mut out = Vec::with_capacity(account_plan_ids.len());
        for chunk in account_plan_ids.chunks(FACTS_CHUNK) {
            let data = self
                .post::<queries::PlansById>(
                    Some(&token.org_id),
                    token.expose(),
                    plans_by_id::Variables {
                        ids: chunk.to_vec(),
                        limit: FACTS_CHUNK as i64,
                    },
                )
                .await?;
            out.extend(
                data.account_plans
                    .data
                    .into_iter()
                    .map(|p| (p.account_plan_id, p.access_usage_user.map(|u| u.user_id))),
            );
        }
        Ok(out)
    }

    /// The booker and invitees of a booking; `None` when Optix does not know it.
    pub async fn booking_people(
        &self,
        token: &OrgToken,
        booking_id: &str,
    ) -> Result<Option<(Option<String>, Vec<Invitee>)>, OptixError> {
        let data = self
            .post::<queries::BookingById>(
                Some(&token.org_id),
                token.expose(),
                booking_by_id::Variables {
                    booking_id: booking_id.to_owned(),
                },
            )
            .await?;
        Ok(data.booking.map(|b| {
            (
                b.user.map(|u| u.user_id),
                b.invitees
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|i| Invitee {
                        user_id: i.user.user_id,
                        status: invitee_status!(booking_by_id, i.status),
                    })
                    .collect(),
            )
        }))
    }

    /// The facts about `user_ids`: ⌈n/100⌉ requests (plans for 100 users and ten users in full
    /// each), plus one request per ten users that neither a slot nor a live plan described.
    /// Bookings are the organization's in `[from, to]`.
    pub async fn facts(
        &self,
        token: &OrgToken,
        user_ids: &[String],
        from: i64,
        to: i64,
    ) -> Result<Facts, OptixError> {
        use futures::{StreamExt, TryStreamExt};
        let mut facts = Facts::default();
        let mut described: std::collections::BTreeSet<String> = Default::default();
        // A few requests in flight, answered in order: each still takes its place in the
        // budget, and a batch's answers no longer wait on one another's round trips.
        // (A vector of futures rather than a mapping closure: the stream stays `Send`.)
        let chunks: Vec<&[String]> = user_ids.chunks(FACTS_CHUNK).collect();
        let requests: Vec<_> = chunks
            .iter()
            .enumerate()
            .map(|(index, chunk)| {
                // The bookings window is the same for every chunk: read it in full once.
                let booking_limit = if index == 0 {
                    self.settings.page_size
                } else {
                    1
                };
                self.facts_batch(token, chunk, (from, to), booking_limit)
            })
            .collect();
        let answers: Vec<facts_batch::ResponseData> = futures::stream::iter(requests)
            .buffered(FACTS_IN_FLIGHT)
            .try_collect()
            .await?;
        for (index, (chunk, data)) in chunks.into_iter().zip(answers).enumerate() {
            let first = index == 0;
            let bookings_total = data.bookings.total;
            add_facts_batch(&mut facts, &mut described, chunk, data, first);
            if first && bookings_total > self.settings.page_size {
                facts
                    .bookings
                    .extend(self.bookings_pages(token, from, to, 2).await?);
            }
        }
        let missing: Vec<String> = user_ids
            .iter()
            .filter(|u| !described.contains(*u))
            .cloned()
            .collect();
        for chunk in missing.chunks(USER_SLOTS) {
            facts.users.extend(
                self.users_in_slots(token, chunk)
                    .await?
                    .into_iter()
                    .map(|user| (user.user_id.clone(), user)),
            );
        }
        Ok(facts)
    }

    /// One `FactsBatch` request: the live plans of up to 100 users, ten of them in full, and
    /// up to `booking_limit` of the organization's bookings in `(from, to)`.
    async fn facts_batch(
        &self,
        token: &OrgToken,
        chunk: &[String],
        (from, to): (i64, i64),
        booking_limit: i64,
    ) -> Result<facts_batch::ResponseData, OptixError> {
        let variables = with_slots!(
            chunk,
            facts_batch::Variables {
                user_ids: chunk.to_vec(),
                from: from,
                to: to,
                plan_limit: 500,
                booking_limit: booking_limit,
            }
        );
        self.post::<queries::FactsBatch>(Some(&token.org_id), token.expose(), variables)
            .await
    }

    /// Up to ten users in full, one `UsersBatch` request (the ones Optix does not know are left
    /// out).
    async fn users_in_slots(
        &self,
        token: &OrgToken,
        chunk: &[String],
    ) -> Result<Vec<User>, OptixError> {
        let variables = with_slots!(chunk, users_batch::Variables {});
        let data = self
            .post::<queries::UsersBatch>(Some(&token.org_id), token.expose(), variables)
            .await?;
        Ok(slot_users!(data)
            .into_iter()
            .flatten()
            .map(|user| person!(user))
            .collect())
    }

    /// The page to ask for after `page`, which held `count` items of a list of `total`: none
    /// after a short page or at the total.
    fn page_after(&self, page: i64, count: usize, total: i64) -> Option<i64> {
        let size = self.settings.page_size;
        (count as i64 >= size && page * size < total).then_some(page + 1)
    }

    /// Page `page` of the list query `Q`, and the page after it (none at the end):
    /// `variables(page, limit)` asks for it, `items` turns its answer into the page's items and
    /// the list's total.
    async fn one_page<Q, T>(
        &self,
        (org_id, token): (Option<&str>, &str),
        page: i64,
        variables: impl Fn(i64, i64) -> Q::Variables,
        items: impl Fn(Q::ResponseData) -> (Vec<T>, i64),
    ) -> Result<Paged<T>, OptixError>
    where
        Q: GraphQLQuery,
        Q::Variables: Clone,
    {
        let variables = variables(page, self.settings.page_size);
        let (items, total) = items(self.post::<Q>(org_id, token, variables).await?);
        Ok(Paged {
            next: self.page_after(page, items.len(), total),
            items,
        })
    }

    /// Every page of the list query `Q` from `first_page` on (see [`Self::one_page`]).
    async fn every_page<Q, T>(
        &self,
        org_id: Option<&str>,
        token: &str,
        first_page: i64,
        variables: impl Fn(i64, i64) -> Q::Variables,
        items: impl Fn(Q::ResponseData) -> (Vec<T>, i64),
    ) -> Result<Vec<T>, OptixError>
    where
        Q: GraphQLQuery,
        Q::Variables: Clone,
    {
        let mut all = Vec::new();
        let mut next = Some(first_page);
        while let Some(page) = next {
            let paged = self
                .one_page::<Q, T>((org_id, token), page, &variables, &items)
                .await?;
            next = paged.next;
            all.extend(paged.items);
        }
        Ok(all)
    }

    async fn bookings_pages(
        &self,
        token: &OrgToken,
        from: i64,
        to: i64,
        first_page: i64,
    ) -> Result<Vec<Booking>, OptixError> {
        self.every_page::<queries::BookingsPage, _>(
            Some(&token.org_id),
            token.expose(),
            first_page,
            |page, limit| bookings_page::Variables {
                page,
                limit,
                from,
                to,
            },
            |data| {
                let (bookings, total) = page(data.bookings.data, data.bookings.total, |b| {
                    booking!(bookings_page, b)
                });
                (bookings.into_iter().flatten().collect(), total)
            },
        )
        .await
    }

    /// Every booking of the organization overlapping `[from, to]` (full sync).
    pub async fn bookings_window(
        &self,
        token: &OrgToken,
        from: i64,
        to: i64,
    ) -> Result<Vec<Booking>, OptixError> {
        self.bookings_pages(token, from, to, 1).await
    }

    /// Page `page` (from 1) of the organization's users: active, inactive and pending (a full
    /// sync reads them a page at a time, so it never holds the whole organization).
    pub async fn users_page(&self, token: &OrgToken, page: i64) -> Result<Paged<User>, OptixError> {
        self.one_page::<queries::UsersPage, _>(
            (Some(&token.org_id), token.expose()),
            page,
            |page, limit| users_page::Variables { page, limit },
            |data| self::page(data.users.data, data.users.total, |u| person!(u)),
        )
        .await
    }

    /// Page `page` (from 1) of the organization's live (active, trial, upcoming) plans.
    pub async fn live_plans_page(
        &self,
        token: &OrgToken,
        page: i64,
    ) -> Result<Paged<Plan>, OptixError> {
        self.one_page::<queries::ActivePlansPage, _>(
            (Some(&token.org_id), token.expose()),
            page,
            |page, limit| active_plans_page::Variables { page, limit },
            |data| {
                let total = data.account_plans.total;
                let items = data
                    .account_plans
                    .data
                    .into_iter()
                    .map(|p| {
                        let user = p.access_usage_user.as_ref().map(|u| u.user_id.clone());
                        plan!(active_plans_page, p, user)
                    })
                    .collect();
                (items, total)
            },
        )
        .await
    }

    /// Every team of the organization (full sync: groups of vanished teams are deleted).
    pub async fn all_teams(&self, token: &OrgToken) -> Result<Vec<Team>, OptixError> {
        self.every_page::<queries::TeamsPage, _>(
            Some(&token.org_id),
            token.expose(),
            1,
            |page, limit| teams_page::Variables { page, limit },
            |data| {
                page(data.teams.data, data.teams.total, |t| Team {
                    team_id: t.team_id,
                    name: t.name,
                })
            },
        )
        .await
    }

    /// The organization's plan templates. Works with the organization token or an admin's
    /// personal token (the admin canvas).
    pub async fn plan_templates(&self, token: &str) -> Result<Vec<PlanTemplate>, OptixError> {
        self.every_page::<queries::PlanTemplates, _>(
            None,
            token,
            1,
            |page, limit| plan_templates::Variables { page, limit },
            |data| {
                page(data.plan_templates.data, data.plan_templates.total, |t| {
                    PlanTemplate {
                        plan_template_id: t.plan_template_id,
                        name: t.name,
                        in_all_locations: t.in_all_locations,
                        location_ids: t.locations.into_iter().map(|l| l.location_id).collect(),
                    }
                })
            },
        )
        .await
    }

    /// All locations of the organization (every page).
    pub async fn locations(&self, token: &OrgToken) -> Result<Vec<Location>, OptixError> {
        self.every_page::<queries::Locations, _>(
            Some(&token.org_id),
            token.expose(),
            1,
            |page, limit| locations::Variables { page, limit },
            |data| {
                page(data.locations.data, data.locations.total, |l| Location {
                    location_id: l.location_id,
                    name: l.name.unwrap_or_default(),
                    timezone: l.timezone.unwrap_or_else(|| "UTC".into()),
                })
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unused_slots_repeat_the_first_requested_id() {
        let ids = vec!["7".to_owned(), "9".to_owned()];
        let filled = slots(&ids);
        assert_eq!(filled[0], "7");
        assert_eq!(filled[1], "9");
        assert!(filled[2..].iter().all(|s| s == "7"));
    }

    #[test]
    fn tokens_never_show_in_debug_and_budget_keys_hide_them() {
        let token = OrgToken::new("6267", "secret-org-token-o");
        assert!(!format!("{token:?}").contains("secret"));
        assert!(!budget_key("secret-org-token-o").contains("secret"));
        assert_eq!(budget_key("a"), budget_key("a"));
    }
}
