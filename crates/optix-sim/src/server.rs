//! The simulator's HTTP server: the GraphQL endpoint Lanyard calls and the admin API tests
//! and `make up` drive.

use crate::changes::{Change, Notify};
use crate::graphql;
use crate::sim::{Delivery, NewOrganization, Sim, SimConfig};
use actix_web::{App as HttpApp, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context as _;
use serde_json::{Map, Value, json};
use std::net::TcpListener;

pub struct RunningSim {
    pub base_url: String,
    pub graphql_url: String,
    pub sim: Sim,
    pub server: actix_web::dev::ServerHandle,
}

struct HttpState {
    sim: Sim,
    schema: graphql::OptixSchema,
}

fn bearer(request: &HttpRequest) -> Option<String> {
    let header = request.headers().get("authorization")?.to_str().ok()?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))?;
    Some(token.trim().to_owned()).filter(|t| !t.is_empty())
}

async fn graphql_endpoint(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<HttpState>,
) -> HttpResponse {
    let token = bearer(&request);
    if state.sim.outage() {
        return HttpResponse::ServiceUnavailable().body("Optix is down (simulated)");
    }
    if let Err(wait) = state.sim.admit(token.as_deref().unwrap_or("anonymous")) {
        return HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", wait.to_string()))
            .json(json!({"errors": [{"message": "Too many requests"}]}));
    }
    let graphql_request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return HttpResponse::BadRequest()
                .json(json!({"errors": [{"message": format!("invalid request: {e}")}]}));
        }
    };
    state
        .sim
        .count_operation(graphql_request.operation_name.as_deref());
    if let Some(hold) = state
        .sim
        .hold_for(graphql_request.operation_name.as_deref())
    {
        hold.wait().await;
    }
    let auth = state.sim.authenticate(token.as_deref());
    let response = state
        .schema
        .execute(graphql_request.data(auth).data(state.sim.clone()))
        .await;
    HttpResponse::Ok().json(&response)
}

#[derive(serde::Deserialize)]
struct PlanRequest {
    plan_template_id: String,
}

#[derive(serde::Deserialize)]
struct TokenRequest {
    user_id: String,
}

fn admin_error(e: anyhow::Error) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"error": format!("{e:#}")}))
}

async fn admin_deliver_demo(state: web::Data<HttpState>) -> HttpResponse {
    match state.sim.deliver_demo().await {
        Ok(accepted) => HttpResponse::Ok().json(json!({"accepted": accepted})),
        Err(e) => admin_error(e),
    }
}

#[derive(serde::Deserialize)]
struct WebhookRequest {
    event: String,
    #[serde(default)]
    fields: Map<String, Value>,
    #[serde(flatten)]
    delivery: Delivery,
}

/// Sends any webhook on demand, optionally misbehaving (duplicates, delay, bad signature).
async fn admin_webhook(
    path: web::Path<String>,
    body: web::Json<WebhookRequest>,
    state: web::Data<HttpState>,
) -> HttpResponse {
    let WebhookRequest {
        event,
        fields,
        delivery,
    } = body.into_inner();
    match state
        .sim
        .deliver_with(&path.into_inner(), &event, fields, &delivery)
        .await
    {
        Ok(status) => HttpResponse::Ok().json(json!({"status": status})),
        Err(e) => admin_error(e),
    }
}

async fn admin_add_plan(
    path: web::Path<(String, String)>,
    body: web::Json<PlanRequest>,
    state: web::Data<HttpState>,
) -> HttpResponse {
    let (org_id, user_id) = path.into_inner();
    match state
        .sim
        .add_plan(&org_id, &user_id, &body.plan_template_id)
        .await
    {
        Ok(id) => HttpResponse::Ok().json(json!({"account_plan_id": id})),
        Err(e) => admin_error(e),
    }
}

async fn admin_cancel_plan(
    path: web::Path<(String, String)>,
    state: web::Data<HttpState>,
) -> HttpResponse {
    let (org_id, plan_id) = path.into_inner();
    match state.sim.cancel_plan(&org_id, &plan_id).await {
        Ok(()) => HttpResponse::Ok().json(json!({"canceled": plan_id})),
        Err(e) => admin_error(e),
    }
}

#[derive(serde::Deserialize)]
struct ChangeRequest {
    #[serde(flatten)]
    change: Change,
    /// Change state without sending the webhook (a lost delivery).
    #[serde(default)]
    quiet: bool,
}

/// Changes the organization as an Optix user would, and sends the webhook Optix sends.
async fn admin_change(
    path: web::Path<String>,
    body: web::Json<ChangeRequest>,
    state: web::Data<HttpState>,
) -> HttpResponse {
    let ChangeRequest { change, quiet } = body.into_inner();
    let notify = if quiet {
        Notify::Quietly
    } else {
        Notify::Webhook
    };
    match state.sim.apply(&path.into_inner(), change, notify).await {
        Ok(applied) => HttpResponse::Ok().json(applied),
        Err(e) => admin_error(e),
    }
}

async fn admin_create_organization(
    body: web::Json<NewOrganization>,
    state: web::Data<HttpState>,
) -> HttpResponse {
    match state.sim.create_organization(body.into_inner()) {
        Ok(id) => HttpResponse::Ok().json(json!({"organization_id": id})),
        Err(e) => admin_error(e),
    }
}

/// An admin installs the app: Optix sends the signed `app_install` with a new token.
async fn admin_install(path: web::Path<String>, state: web::Data<HttpState>) -> HttpResponse {
    match state.sim.install_app(&path.into_inner()).await {
        Ok(status) => HttpResponse::Ok().json(json!({"status": status})),
        Err(e) => admin_error(e),
    }
}

async fn admin_uninstall(path: web::Path<String>, state: web::Data<HttpState>) -> HttpResponse {
    match state.sim.uninstall_app(&path.into_inner()).await {
        Ok(status) => HttpResponse::Ok().json(json!({"status": status})),
        Err(e) => admin_error(e),
    }
}

async fn admin_personal_token(
    path: web::Path<String>,
    body: web::Json<TokenRequest>,
    state: web::Data<HttpState>,
) -> HttpResponse {
    match state.sim.personal_token(&path.into_inner(), &body.user_id) {
        Some(token) => HttpResponse::Ok().json(json!({"token": token})),
        None => HttpResponse::NotFound().json(json!({"error": "unknown organization or user"})),
    }
}

async fn admin_stats(state: web::Data<HttpState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "api_calls": state.sim.api_calls(),
        "rate_limited": state.sim.rate_limited(),
        "dispatching": state.sim.dispatching(),
        "deliveries": state.sim.deliveries(),
    }))
}

/// Starts the simulator on `config.listen` and returns at once (the server runs on the
/// current tokio runtime).
pub async fn spawn(config: SimConfig) -> anyhow::Result<RunningSim> {
    let listener =
        TcpListener::bind(&config.listen).with_context(|| format!("binding {}", config.listen))?;
    let port = listener.local_addr()?.port();
    let sim = Sim::new(config)?;
    let state = web::Data::new(HttpState {
        sim: sim.clone(),
        schema: graphql::schema(),
    });
    let server = HttpServer::new(move || {
        HttpApp::new()
            .app_data(state.clone())
            .route("/graphql", web::post().to(graphql_endpoint))
            .route(
                "/healthz",
                web::get().to(|| async { HttpResponse::Ok().body("ok") }),
            )
            .route("/admin/demo/deliver", web::post().to(admin_deliver_demo))
            .route("/admin/orgs", web::post().to(admin_create_organization))
            .route("/admin/orgs/{org}/install", web::post().to(admin_install))
            .route(
                "/admin/orgs/{org}/uninstall",
                web::post().to(admin_uninstall),
            )
            .route(
                "/admin/orgs/{org}/users/{user}/plans",
                web::post().to(admin_add_plan),
            )
            .route(
                "/admin/orgs/{org}/plans/{plan}/cancel",
                web::post().to(admin_cancel_plan),
            )
            .route(
                "/admin/orgs/{org}/personal-tokens",
                web::post().to(admin_personal_token),
            )
            .route("/admin/orgs/{org}/webhooks", web::post().to(admin_webhook))
            .route("/admin/orgs/{org}/changes", web::post().to(admin_change))
            .route("/admin/stats", web::get().to(admin_stats))
    })
    .workers(2)
    .disable_signals()
    .listen(listener)?
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    let base_url = format!("http://127.0.0.1:{port}");
    Ok(RunningSim {
        graphql_url: format!("{base_url}/graphql"),
        base_url,
        sim,
        server: handle,
    })
}
