//! The Optix GraphQL API client. Queries live in `proto/optix/queries/` and are checked against
//! the schema subset `proto/optix/schema.graphql` at compile time (graphql_client derive).

use graphql_client::GraphQLQuery;
use opentelemetry::KeyValue;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

/// The queries, checked against the schema subset at compile time.
mod queries {
    #![allow(clippy::upper_case_acronyms, clippy::enum_variant_names)]
    use graphql_client::GraphQLQuery;

    #[derive(GraphQLQuery)]
    #[graphql(
        schema_path = "../../proto/optix/schema.graphql",
        query_path = "../../proto/optix/queries/me.graphql",
        response_derives = "Debug, Clone",
        variables_derives = "Debug, Clone"
    )]
    pub struct Me;

    #[derive(GraphQLQuery)]
    #[graphql(
        schema_path = "../../proto/optix/schema.graphql",
        query_path = "../../proto/optix/queries/user_by_email.graphql",
        response_derives = "Debug, Clone",
        variables_derives = "Debug, Clone"
    )]
    pub struct UserByEmail;

    #[derive(GraphQLQuery)]
    #[graphql(
        schema_path = "../../proto/optix/schema.graphql",
        query_path = "../../proto/optix/queries/member_facts.graphql",
        response_derives = "Debug, Clone",
        variables_derives = "Debug, Clone"
    )]
    pub struct MemberFacts;

    #[derive(GraphQLQuery)]
    #[graphql(
        schema_path = "../../proto/optix/schema.graphql",
        query_path = "../../proto/optix/queries/locations.graphql",
        response_derives = "Debug, Clone",
        variables_derives = "Debug, Clone"
    )]
    pub struct Locations;

    #[derive(GraphQLQuery)]
    #[graphql(
        schema_path = "../../proto/optix/schema.graphql",
        query_path = "../../proto/optix/queries/users_page.graphql",
        response_derives = "Debug, Clone",
        variables_derives = "Debug, Clone"
    )]
    pub struct UsersPage;
}

use queries::{locations, me, member_facts, user_by_email, users_page};

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
    pub is_admin: bool,
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
    pub status: PlanStatus,
    pub start_timestamp: Option<i64>,
    pub end_timestamp: Option<i64>,
    pub canceled_timestamp: Option<i64>,
    pub plan_template_id: String,
    pub plan_template_name: String,
    pub in_all_locations: bool,
    pub location_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub booking_id: String,
    pub start_timestamp: i64,
    pub end_timestamp: i64,
    pub is_canceled: bool,
    pub location_id: String,
    pub location_timezone: String,
    pub resource_id: String,
    pub resource_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub location_id: String,
    pub name: String,
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFactsData {
    pub user: User,
    pub plans: Vec<Plan>,
    pub bookings: Vec<Booking>,
}

pub use MemberFactsData as MemberFactsOf;

#[derive(Clone)]
pub struct OptixClient {
    api_url: String,
    http: reqwest::Client,
    calls: Arc<AtomicU64>,
}

impl std::fmt::Debug for OptixClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptixClient")
            .field("api_url", &self.api_url)
            .finish()
    }
}

const PAGE: i64 = 100;

struct ApiMetrics {
    requests: opentelemetry::metrics::Counter<u64>,
    duration: opentelemetry::metrics::Histogram<f64>,
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
        }
    })
}

impl OptixClient {
    pub fn new(api_url: impl Into<String>, http: reqwest::Client) -> Self {
        OptixClient {
            api_url: api_url.into(),
            http,
            calls: Arc::new(AtomicU64::new(0)),
        }
    }

    /// HTTP requests sent so far (for the API-budget metrics).
    pub fn calls_made(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    async fn post<Q: GraphQLQuery>(
        &self,
        token: &str,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, OptixError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let body = Q::build_query(variables);
        let started = std::time::Instant::now();
        let span = tracing::info_span!(
            "optix.graphql",
            otel.kind = "client",
            operation = body.operation_name
        );
        let result = self.send::<Q>(token, &body).instrument(span).await;
        let status = match &result {
            Ok(_) => "ok",
            Err(OptixError::RateLimited { .. }) => "rate_limited",
            Err(OptixError::Unauthorized) => "unauthorized",
            Err(OptixError::Server(_)) => "server_error",
            Err(OptixError::Transport(_)) => "transport_error",
            Err(_) => "bad_response",
        };
        let metrics = api_metrics();
        let labels = [
            KeyValue::new("operation", body.operation_name),
            KeyValue::new("status", status),
        ];
        metrics.requests.add(1, &labels);
        metrics
            .duration
            .record(started.elapsed().as_secs_f64(), &labels[..1]);
        result
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

    pub async fn me(&self, token: &str) -> Result<Me, OptixError> {
        let data = self.post::<queries::Me>(token, me::Variables).await?;
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
        Ok(Me {
            auth_type,
            user: me.user.map(|u| User {
                user_id: u.user_id,
                email: u.email.unwrap_or_default(),
                fullname: u.fullname.unwrap_or_default(),
                is_active: u.is_active.unwrap_or(false),
                is_deleted: u.is_deleted.unwrap_or(false),
                teams: u
                    .teams
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|t| Team {
                        team_id: t.team_id,
                        name: t.name,
                    })
                    .collect(),
            }),
            organization_id: me.organization.map(|o| o.organization_id),
            is_admin,
        })
    }

    pub async fn user_by_email(
        &self,
        token: &str,
        email: &str,
    ) -> Result<Option<User>, OptixError> {
        let data = self
            .post::<queries::UserByEmail>(
                token,
                user_by_email::Variables {
                    email: email.to_owned(),
                },
            )
            .await?;
        Ok(data.user.map(|u| User {
            user_id: u.user_id,
            email: u.email.unwrap_or_default(),
            fullname: u.fullname.unwrap_or_default(),
            is_active: u.is_active.unwrap_or(false),
            is_deleted: u.is_deleted.unwrap_or(false),
            teams: u
                .teams
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|t| Team {
                    team_id: t.team_id,
                    name: t.name,
                })
                .collect(),
        }))
    }

    /// The user, their current plans and their bookings overlapping `[from, to]`, in one
    /// request. `None` when Optix does not know the user (deleted or not in the organization).
    pub async fn member_facts(
        &self,
        token: &str,
        user_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Option<MemberFactsData>, OptixError> {
        let variables = member_facts::Variables {
            user_id: user_id.to_owned(),
            user_ids: Some(vec![user_id.to_owned()]),
            from: Some(from),
            to: Some(to),
        };
        let data = self.post::<queries::MemberFacts>(token, variables).await?;
        let Some(u) = data.user else { return Ok(None) };
        let user = User {
            user_id: u.user_id,
            email: u.email.unwrap_or_default(),
            fullname: u.fullname.unwrap_or_default(),
            is_active: u.is_active.unwrap_or(false),
            is_deleted: u.is_deleted.unwrap_or(false),
            teams: u
                .teams
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|t| Team {
                    team_id: t.team_id,
                    name: t.name,
                })
                .collect(),
        };
        let plans = data
            .account_plans
            .data
            .into_iter()
            .map(|p| {
                let template = p.plan_template;
                Plan {
                    account_plan_id: p.account_plan_id,
                    status: match p.status {
                        member_facts::AccountPlanStatus::ACTIVE => PlanStatus::Active,
                        member_facts::AccountPlanStatus::CANCELED => PlanStatus::Canceled,
                        member_facts::AccountPlanStatus::ENDED => PlanStatus::Ended,
                        member_facts::AccountPlanStatus::IN_TRIAL => PlanStatus::InTrial,
                        member_facts::AccountPlanStatus::UPCOMING => PlanStatus::Upcoming,
                        _ => PlanStatus::Unknown,
                    },
                    start_timestamp: Some(p.start_timestamp),
                    end_timestamp: p.end_timestamp,
                    canceled_timestamp: p.canceled_timestamp,
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
            })
            .collect();
        let bookings = data
            .bookings
            .data
            .into_iter()
            .flatten()
            .filter_map(|b| {
                let location = b.location?;
                Some(Booking {
                    booking_id: b.booking_id,
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
                })
            })
            .collect();
        Ok(Some(MemberFactsData {
            user,
            plans,
            bookings,
        }))
    }

    /// All locations of the organization (every page).
    pub async fn locations(&self, token: &str) -> Result<Vec<Location>, OptixError> {
        let mut all = Vec::new();
        for page in 1.. {
            let data = self
                .post::<queries::Locations>(token, locations::Variables { page, limit: PAGE })
                .await?;
            let total = data.locations.total;
            let count = data.locations.data.len();
            all.extend(data.locations.data.into_iter().flatten().map(|l| Location {
                location_id: l.location_id,
                name: l.name.unwrap_or_default(),
                timezone: l.timezone.unwrap_or_else(|| "UTC".into()),
            }));
            if count < PAGE as usize || all.len() as i64 >= total {
                break;
            }
        }
        Ok(all)
    }

    /// One page of the organization's users, and the total.
    pub async fn users_page(
        &self,
        token: &str,
        page: i64,
        limit: i64,
    ) -> Result<(Vec<User>, i64), OptixError> {
        let data = self
            .post::<queries::UsersPage>(token, users_page::Variables { page, limit })
            .await?;
        let users = data
            .users
            .data
            .into_iter()
            .flatten()
            .map(|u| User {
                user_id: u.user_id,
                email: u.email.unwrap_or_default(),
                fullname: u.fullname.unwrap_or_default(),
                is_active: u.is_active.unwrap_or(false),
                is_deleted: u.is_deleted.unwrap_or(false),
                teams: u
                    .teams
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|t| Team {
                        team_id: t.team_id,
                        name: t.name,
                    })
                    .collect(),
            })
            .collect();
        Ok((users, data.users.total))
    }
}
