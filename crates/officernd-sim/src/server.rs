//! The simulator's HTTP server: the token endpoint, API v1/v2 as Lanyard calls them, and the
//! admin API tests and `make up` drive.

use crate::changes::Change;
use crate::sim::{Budget, Faults, Refusal, Sim, SimConfig};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::TcpListener;

pub struct RunningSim {
    /// `http://127.0.0.1:<port>`: the API host (`officernd.api_url`).
    pub url: String,
    /// `<url>/oauth/token` (`officernd.token_url`).
    pub token_url: String,
    pub sim: Sim,
    pub server: actix_web::dev::ServerHandle,
}

/// Starts the simulator on `listen` (`127.0.0.1:0` for a free port).
pub fn spawn(
    listen: &str,
    config: SimConfig,
    orgs: Vec<crate::model::Organization>,
) -> anyhow::Result<RunningSim> {
    let sim = Sim::new(config, orgs);
    let listener = TcpListener::bind(listen)?;
    let url = format!("http://{}", listener.local_addr()?);
    let data = web::Data::new(sim.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/oauth/token", web::post().to(token))
            .route("/api/v1/organizations/{slug}", web::get().to(organization))
            .route(
                "/api/v2/organizations/{slug}/webhooks",
                web::post().to(register_webhook),
            )
            .route(
                "/api/v2/organizations/{slug}/webhooks/{id}",
                web::delete().to(delete_webhook),
            )
            .route(
                "/api/v2/organizations/{slug}/{resource}",
                web::get().to(list),
            )
            .route(
                "/api/v2/organizations/{slug}/{resource}/{id}",
                web::get().to(one),
            )
            .route(
                "/admin/organizations/{slug}/changes",
                web::post().to(admin_change),
            )
            .route(
                "/admin/organizations/{slug}",
                web::get().to(admin_organization),
            )
            .route(
                "/admin/organizations/{slug}/integration-page",
                web::get().to(admin_integration_page),
            )
            .route("/admin/faults", web::post().to(admin_faults))
            .route("/admin/deliveries", web::get().to(admin_deliveries))
            .route(
                "/healthz",
                web::get().to(|| async { HttpResponse::Ok().body("ok") }),
            )
    })
    .workers(2)
    .disable_signals()
    .listen(listener)?
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok(RunningSim {
        token_url: format!("{url}/oauth/token"),
        url,
        sim,
        server: handle,
    })
}

fn error(status: u16, message: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).json(json!({
        "statusCode": status.as_u16(),
        "message": message,
        "error": status.canonical_reason().unwrap_or("Error"),
    }))
}

async fn token(sim: web::Data<Sim>, form: web::Form<HashMap<String, String>>) -> HttpResponse {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return error(400, "unsupported_grant_type: only client_credentials");
    }
    if field("scope").trim().is_empty() {
        return error(400, "invalid_scope: a scope is required");
    }
    match sim.issue_token(field("client_id"), field("client_secret")) {
        Ok(answer) => HttpResponse::Ok().json(answer),
        Err(Refusal(status, message)) => error(status, &message),
    }
}

fn bearer(request: &HttpRequest) -> Option<&str> {
    let header = request.headers().get("authorization")?.to_str().ok()?;
    header.strip_prefix("Bearer ").map(str::trim)
}

/// Admits the request (token, organization, read limit) and answers with the rate-limit
/// headers OfficeRnD sends.
fn answer(
    sim: &Sim,
    request: &HttpRequest,
    slug: &str,
    body: impl FnOnce() -> Result<Value, (u16, String)>,
) -> HttpResponse {
    let budget = match sim.admit(bearer(request), slug) {
        Ok(budget) => budget,
        Err(Refusal(429, reset)) => {
            let mut response = HttpResponse::TooManyRequests();
            response.insert_header(("x-ratelimit-remaining-read-minute", "0"));
            response.insert_header(("x-ratelimit-reset-read-minute", reset.as_str()));
            if sim.config.retry_after_header {
                response.insert_header(("retry-after", reset.as_str()));
            }
            return response.json(json!({"statusCode": 429, "message": "Too Many Requests"}));
        }
        Err(Refusal(status, message)) => return error(status, &message),
    };
    let Budget {
        limit,
        remaining,
        reset_secs,
    } = budget;
    let mut response = match body() {
        Ok(value) => HttpResponse::Ok().json(value),
        Err((status, message)) => error(status, &message),
    };
    if limit == 0 {
        // Unlimited (tests, the demo): no rate-limit headers to honour.
        return response;
    }
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit-read-minute", limit.to_string()),
        ("x-ratelimit-remaining-read-minute", remaining.to_string()),
        ("x-ratelimit-reset-read-minute", reset_secs.to_string()),
    ] {
        if let (Ok(name), Ok(value)) = (
            actix_web::http::header::HeaderName::try_from(name),
            actix_web::http::header::HeaderValue::try_from(value),
        ) {
            headers.insert(name, value);
        }
    }
    response
}

async fn organization(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let slug = path.into_inner();
    answer(&sim, &request, &slug, || {
        sim.organization(&slug).ok_or((404, "Not Found".into()))
    })
}

/// The filters each list accepts besides paging; anything else is refused (docs/officernd.md
/// §4: unknown query parameters are rejected).
fn allowed_filters(resource: &str) -> &'static [&'static str] {
    match resource {
        "members" => &[
            "email",
            "company",
            "location",
            "calculatedStatus",
            "modifiedAt[$gte]",
        ],
        "memberships" => &[
            "member",
            "company",
            "location",
            "plan",
            "calculatedStatus",
            "modifiedAt[$gte]",
        ],
        "bookings" => &["member", "location", "start[$gte]", "start[$lte]"],
        _ => &[],
    }
}

fn instant(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether `record` passes the filter `key=value`.
fn passes(record: &Value, key: &str, value: &str) -> bool {
    let field = |name: &str| record.get(name).and_then(Value::as_str);
    let at_least = |have: Option<&str>| match (have.and_then(instant), instant(value)) {
        (Some(have), Some(want)) => have >= want,
        _ => false,
    };
    match key {
        "modifiedAt[$gte]" => at_least(field("modifiedAt")),
        "start[$gte]" | "start[$lte]" => {
            let start = record.pointer("/start/dateTime").and_then(Value::as_str);
            match (start.and_then(instant), instant(value)) {
                (Some(start), Some(bound)) if key.ends_with("$gte]") => start >= bound,
                (Some(start), Some(bound)) => start <= bound,
                _ => false,
            }
        }
        _ => field(key) == Some(value),
    }
}

/// One page of `records` as `query` asks: filters, `$limit` (≤ 50) and `$cursorNext`.
fn page(
    resource: &str,
    records: Vec<Value>,
    query: &[(String, String)],
) -> Result<Value, (u16, String)> {
    let allowed = allowed_filters(resource);
    let (mut limit, mut offset) = (officernd::client::PAGE_LIMIT as usize, 0usize);
    let mut filters = Vec::new();
    for (key, value) in query {
        match key.as_str() {
            "$limit" => {
                limit = value
                    .parse::<usize>()
                    .map_err(|_| (400, "$limit must be a number".into()))?;
                limit = limit.clamp(1, officernd::client::PAGE_LIMIT as usize);
            }
            "$cursorNext" => {
                offset = value
                    .parse()
                    .map_err(|_| (400, "invalid $cursorNext".to_owned()))?;
            }
            "$cursorPrev" | "$select" => {}
            other if allowed.contains(&other) => filters.push((other, value.as_str())),
            other => return Err((400, format!("unknown query parameter {other}"))),
        }
    }
    let matching: Vec<Value> = records
        .into_iter()
        .filter(|r| filters.iter().all(|(k, v)| passes(r, k, v)))
        .collect();
    let end = (offset + limit).min(matching.len());
    let results = matching
        .get(offset.min(end)..end)
        .unwrap_or_default()
        .to_vec();
    let next = (end < matching.len()).then(|| end.to_string());
    Ok(json!({
        "results": results,
        "cursorNext": next,
        "cursorPrev": (offset > 0).then(|| offset.saturating_sub(limit).to_string()),
        "rangeStart": offset,
        "rangeEnd": end,
    }))
}

async fn list(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    query: web::Query<Vec<(String, String)>>,
) -> HttpResponse {
    let (slug, resource) = path.into_inner();
    answer(&sim, &request, &slug, || {
        let records = sim
            .records(&slug, &resource)
            .ok_or((404, "Not Found".to_owned()))?;
        page(&resource, records, &query)
    })
}

async fn one(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
) -> HttpResponse {
    let (slug, resource, id) = path.into_inner();
    answer(&sim, &request, &slug, || {
        sim.records(&slug, &resource)
            .into_iter()
            .flatten()
            .find(|r| r.get("_id").and_then(Value::as_str) == Some(id.as_str()))
            .ok_or((404, "Not Found".into()))
    })
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewWebhook {
    url: String,
    #[serde(default)]
    event_types: Vec<String>,
}

async fn register_webhook(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Json<NewWebhook>,
) -> HttpResponse {
    let slug = path.into_inner();
    answer(&sim, &request, &slug, || {
        let endpoint = sim
            .register_webhook(&slug, &body.url, body.event_types.clone(), None)
            .ok_or((404, "Not Found".to_owned()))?;
        serde_json::to_value(endpoint).map_err(|e| (500, e.to_string()))
    })
}

async fn delete_webhook(
    sim: web::Data<Sim>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (slug, id) = path.into_inner();
    answer(&sim, &request, &slug, || {
        if sim.remove_webhook(&slug, &id) {
            Ok(json!({}))
        } else {
            Err((404, "Not Found".into()))
        }
    })
}

async fn admin_change(
    sim: web::Data<Sim>,
    path: web::Path<String>,
    change: web::Json<Change>,
) -> HttpResponse {
    match sim.apply(&path.into_inner(), change.into_inner()).await {
        Ok(applied) => HttpResponse::Ok().json(applied),
        Err(e) => error(400, &format!("{e:#}")),
    }
}

async fn admin_organization(sim: web::Data<Sim>, path: web::Path<String>) -> HttpResponse {
    let slug = path.into_inner();
    match sim.with_orgs(|orgs| orgs.get(&slug).cloned()) {
        Some(org) => HttpResponse::Ok().json(org),
        None => error(404, "no such organization"),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntegrationPageRequest {
    url: String,
    member_id: String,
}

/// `GET /admin/organizations/{slug}/integration-page?url=…&memberId=…`: the signed URL
/// OfficeRnD would open for that member (what a test or `make up` opens in a browser).
async fn admin_integration_page(
    sim: web::Data<Sim>,
    path: web::Path<String>,
    query: web::Query<IntegrationPageRequest>,
) -> HttpResponse {
    let slug = path.into_inner();
    let now = chrono::Utc::now();
    let page = sim.with_orgs(|orgs| {
        orgs.get(&slug)
            .map(|org| org.integration_page(&query.url, &query.member_id, now))
    });
    match page {
        Some(Ok(url)) => HttpResponse::Ok().json(serde_json::json!({ "url": url.as_str() })),
        Some(Err(e)) => error(400, &format!("{e:#}")),
        None => error(404, "no such organization"),
    }
}

#[derive(serde::Deserialize)]
struct FaultRequest {
    #[serde(default)]
    drop: u32,
    #[serde(default)]
    duplicate: u32,
    #[serde(default)]
    wrong_secret: u32,
    #[serde(default)]
    stale: u32,
}

async fn admin_faults(sim: web::Data<Sim>, body: web::Json<FaultRequest>) -> HttpResponse {
    sim.set_faults(Faults {
        drop: body.drop,
        duplicate: body.duplicate,
        wrong_secret: body.wrong_secret,
        stale: body.stale,
    });
    HttpResponse::NoContent().finish()
}

async fn admin_deliveries(sim: web::Data<Sim>) -> HttpResponse {
    HttpResponse::Ok().json(sim.deliveries())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_pages_by_fifty_and_refuses_unknown_parameters() {
        let records: Vec<Value> = (0..120)
            .map(|i| json!({"_id": format!("{i}"), "company": "c"}))
            .collect();
        let first = page(
            "members",
            records.clone(),
            &[("$limit".into(), "500".into())],
        )
        .expect("page");
        assert_eq!(first["results"].as_array().map(Vec::len), Some(50));
        assert_eq!(first["cursorNext"], "50");
        let last = page(
            "members",
            records.clone(),
            &[("$cursorNext".into(), "100".into())],
        )
        .expect("page");
        assert_eq!(last["results"].as_array().map(Vec::len), Some(20));
        assert!(last["cursorNext"].is_null());
        assert!(
            page(
                "members",
                records.clone(),
                &[("colour".into(), "red".into())]
            )
            .is_err()
        );
        let none = page("members", records, &[("company".into(), "d".into())]).expect("page");
        assert_eq!(none["results"].as_array().map(Vec::len), Some(0));
    }
}
