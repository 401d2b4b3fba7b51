//! What the vendors' HTTP clients share: one call with its body, 429 holding the budget for
//! `Retry-After` (or the vendor's own wait when it sends none), 5xx and transport errors as
//! transient, other refusals with the vendor's error text, JSON answers.

use crate::budget::Budget;
use crate::vendor::VendorError;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::time::Duration;

/// One request to a vendor.
pub struct Call<'a> {
    /// The vendor's name in errors (`Meraki`, `Mist`, `UniFi`).
    pub vendor: &'static str,
    pub request: reqwest::RequestBuilder,
    pub body: Option<Value>,
    pub budget: &'a Budget,
    /// The wait after a 429 without `Retry-After`.
    pub rate_limited_wait: Duration,
}

/// Sends `call` once its budget allows; `errors_of` reads the vendor's error body. The
/// answer's JSON (Null when empty) and headers.
pub async fn send(
    call: Call<'_>,
    errors_of: fn(&str) -> String,
) -> Result<(Value, HeaderMap), VendorError> {
    call.budget.acquire().await;
    let vendor = call.vendor;
    let mut request = call.request.timeout(Duration::from_secs(30));
    if let Some(body) = call.body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .map_err(|e| VendorError::Transient(e.without_url().to_string()))?;
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(call.rate_limited_wait, Duration::from_secs);
        call.budget.hold_for(retry_after);
        return Err(VendorError::RateLimited { retry_after });
    }
    if status.is_server_error() {
        return Err(VendorError::Transient(format!(
            "{vendor} answered {status}"
        )));
    }
    let headers = response.headers().clone();
    let text = response
        .text()
        .await
        .map_err(|e| VendorError::Transient(e.without_url().to_string()))?;
    if !status.is_success() {
        return Err(VendorError::Refused(format!(
            "{vendor} answered {status}: {}",
            errors_of(&text)
        )));
    }
    if text.trim().is_empty() {
        return Ok((Value::Null, headers));
    }
    let value = serde_json::from_str(&text)
        .map_err(|e| VendorError::Refused(format!("unexpected answer from {vendor}: {e}")))?;
    Ok((value, headers))
}

/// The answer as `T`.
pub fn parse<T: serde::de::DeserializeOwned>(
    vendor: &'static str,
    value: Value,
) -> Result<T, VendorError> {
    serde_json::from_value(value)
        .map_err(|e| VendorError::Refused(format!("unexpected answer from {vendor}: {e}")))
}
