//! OfficeRnD's webhooks at `/webhooks/officernd/{organization}` (docs/officernd.md §8): the
//! path names the organization (OfficeRnD's body does not), whose webhook secret the
//! installations registry holds sealed; the `officernd-signature` HMAC over the raw body and
//! its `t` is checked (constant-time, `t` within `officernd.signature_tolerance_secs`) before
//! the body is parsed. Only the event type and ids are published (`officernd::webhook::Delivery`):
//! provision reads everything else from the API.

use crate::{Refusal, Seen, State, Stored, handle, publish, read_body, worker_bus};
use actix_web::{HttpRequest, HttpResponse, web};
use bus::webhooks::BodyFormat;
use domain::Platform;
use officernd::webhook::{self, Delivery, SIGNATURE_HEADER};
use std::time::Duration;

/// OfficeRnD organization ids are 24 hex characters; anything like an id is looked up, nothing
/// else reaches the registry.
fn organization_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Not `async` itself, as `crate::receive`: its future is [`handle`]'s.
pub(crate) fn receive(
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<State>,
) -> impl Future<Output = HttpResponse> {
    handle(state, async move |state: &State, seen: &mut Seen| {
        accept(&request, &path, payload, state, seen).await
    })
}

async fn accept(
    request: &HttpRequest,
    organization: &str,
    payload: web::Payload,
    state: &State,
    seen: &mut Seen,
) -> Result<(String, String), Refusal> {
    if !organization_ok(organization) {
        return Err(Refusal::NotConnected(
            organization.chars().take(64).collect(),
        ));
    }
    let org_id = Platform::OfficeRnd.org_id(organization);
    seen.org_id.clone_from(&org_id);
    let body = read_body(payload, state.settings.ingest.max_body_bytes).await?;
    let deadline = tokio::time::Instant::now()
        + Duration::from_millis(state.settings.ingest.publish_timeout_ms);
    let secret = webhook_secret(state, &org_id, deadline).await?;
    let header = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    let tolerance = state.settings.officernd.signature_tolerance_secs;
    let signed_at = webhook::verify(header, &body, &[&secret], now, tolerance)?;
    let notification =
        webhook::parse_notification(&body).map_err(|e| Refusal::Malformed(e.to_string()))?;
    seen.event = crate::EventLabel::officernd(&notification.event_type);
    let span = tracing::Span::current();
    span.record("event", notification.event_type.as_str());
    span.record("org_id", org_id.as_str());
    let event = notification.event_type.clone();
    let subject = bus::webhook_subject(&org_id, &event);
    let delivery = serde_json::to_vec(&Delivery {
        signed_at,
        notification,
    })
    .map_err(|e| Refusal::Malformed(e.to_string()))?;
    publish(
        worker_bus(request, state),
        state,
        subject,
        Stored {
            format: BodyFormat::Json,
            body: &delivery,
        },
        &body,
        deadline,
    )
    .await?;
    Ok((org_id, event))
}

/// The organization's webhook secret, opened; an organization without one is not connected.
async fn webhook_secret(
    state: &State,
    org_id: &str,
    deadline: tokio::time::Instant,
) -> Result<Vec<u8>, Refusal> {
    let timeout = deadline.saturating_duration_since(tokio::time::Instant::now());
    let sealed =
        match tokio::time::timeout(timeout, state.installations.webhook_secret(org_id)).await {
            Ok(Ok(Some(sealed))) => sealed,
            Ok(Ok(None)) => return Err(Refusal::NotConnected(org_id.to_owned())),
            Ok(Err(error)) => return Err(crate::unavailable(error)),
            Err(_) => return Err(crate::unavailable(bus::BusError::Timeout(timeout))),
        };
    state
        .seal
        .open_webhook_secret(org_id, &sealed)
        .map_err(|error| {
            tracing::error!(org_id, %error, "a stored OfficeRnD webhook secret does not open");
            Refusal::NotConnected(org_id.to_owned())
        })
}
