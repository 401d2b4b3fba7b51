//! The listener OpenWrt routers fetch their AP group's `wpa_psk_file` from
//! (`GET /openwrt/wpa_psk_file`, `Authorization: Bearer <AP group token>`, `If-None-Match`),
//! and the operations listener's readiness.

use crate::Context;
use crate::mapping::{self, Mapping};
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use std::net::TcpListener;
use std::time::Duration;

pub(crate) fn server(
    listener: TcpListener,
    state: web::Data<Context>,
) -> std::io::Result<actix_web::dev::Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::Data::new(telemetry::http::ServiceName("controllers")))
            .wrap(actix_web::middleware::from_fn(
                telemetry::http::record_requests,
            ))
            .route("/openwrt/wpa_psk_file", web::get().to(wpa_psk_file))
    })
    .shutdown_timeout(5)
    .listen(listener)?
    .run())
}

/// The AP group's file, 304 when the router has it already, 401 without a known token.
async fn wpa_psk_file(context: web::Data<Context>, request: HttpRequest) -> HttpResponse {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token.filter(|t| t.len() >= 32) else {
        return HttpResponse::Unauthorized().body("an AP group token is required");
    };
    let mapping = match mapping_of_token(&context, token).await {
        Ok(Some(mapping)) => mapping,
        Ok(None) => return HttpResponse::Unauthorized().body("unknown AP group token"),
        Err(error) => {
            tracing::error!(%error, "openwrt: looking the AP group up failed");
            return HttpResponse::ServiceUnavailable().finish();
        }
    };
    let keys = match desired_of(&context, &mapping).await {
        Ok(keys) => keys,
        Err(error) => {
            tracing::error!(%error, "openwrt: reading the keys failed");
            return HttpResponse::ServiceUnavailable().finish();
        }
    };
    let (body, etag) = crate::openwrt::file(&keys);
    let unchanged = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; charset=utf-8");
    if unchanged {
        response.finish()
    } else {
        response.body(body)
    }
}

async fn mapping_of_token(context: &Context, token: &str) -> anyhow::Result<Option<Mapping>> {
    let client = context.pool.get().await?;
    let hash = mapping::token_hash(&context.keys, token);
    Ok(mapping::openwrt_mapping_of_token(&client, &hash).await?)
}

async fn desired_of(
    context: &Context,
    mapping: &Mapping,
) -> anyhow::Result<std::collections::BTreeMap<String, crate::vendor::DesiredKey>> {
    let client = context.pool.get().await?;
    Ok(crate::desired::desired_keys(
        &client,
        &context.keys,
        &context.settings.key_prefix,
        (&mapping.org_id, &mapping.location_id),
        chrono::Utc::now(),
    )
    .await?)
}

/// Ready when PostgreSQL answers `SELECT 1` within 1 s.
pub(crate) async fn readyz(context: web::Data<Context>) -> HttpResponse {
    match tokio::time::timeout(Duration::from_secs(1), store::ping(&context.pool)).await {
        Ok(Ok(())) => HttpResponse::Ok().body("ready"),
        _ => HttpResponse::ServiceUnavailable().body("not ready: postgresql"),
    }
}
