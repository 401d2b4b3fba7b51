//! `POST /freeradius/authorize`: an Access-Request, answered with the device's key and VLAN in
//! the NAS's dialect, or refused.
//!
//! How FreeRADIUS maps the answers (deploy/freeradius/radiusd.conf):
//! - 200 with attributes: Accept ([`crate::dialect::accept`]).
//! - 404: Reject, with no attributes — unknown device, suspended, deleted or expired member,
//!   another location's member under the roaming policy. The reason is logged here only.
//! - 403: not (or no longer) a registered NAS at that address: no answer at all.
//! - 400: a malformed request (no NAS, no MAC): no answer at all.
//!
//! Everything is read per request (one query), so a revocation committed before the
//! Access-Request is seen by it: no cache to expire. A request carrying a WPA2 handshake is
//! answered by `handshake_mode` instead (no device registration).

use crate::dialect;
use crate::grant::{NoGrant, grant_for};
use crate::lookup::{self, DeviceMember, Nas};
use crate::metrics::{self, Outcome};
use crate::rest::{self, NasQuery, RestAttribute};
use crate::state::State;
use actix_web::{HttpResponse, web};
use domain::Mac;
use serde::Deserialize;
use std::time::Instant;

/// The attributes of an Access-Request Lanyard reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AccessRequest {
    #[serde(rename = "User-Name")]
    pub(crate) user_name: Option<RestAttribute>,
    #[serde(rename = "Calling-Station-Id")]
    pub(crate) calling_station_id: Option<RestAttribute>,
    /// Message 2 of a WPA2 handshake, when the access point forwards it (`handshake_mode`).
    #[serde(flatten)]
    pub(crate) handshake: crate::handshake_mode::answer::HandshakeAttributes,
}

impl AccessRequest {
    /// The device: `Calling-Station-Id`, else `User-Name` (MAC authentication sends both).
    fn mac(&self) -> Option<Mac> {
        rest::first(&self.calling_station_id)
            .or_else(|| rest::first(&self.user_name))
            .and_then(|text| text.parse::<Mac>().ok())
    }
}

pub(crate) async fn authorize(
    state: web::Data<State>,
    query: web::Query<NasQuery>,
    request: web::Json<AccessRequest>,
) -> HttpResponse {
    let started = Instant::now();
    let Some((org_id, nas_id)) = query.org_and_nas() else {
        tracing::warn!(nas = %query.nas, "authorize: the client shortname is not org/nas_id");
        metrics::request("unknown", Outcome::UnknownNas, started.elapsed());
        return HttpResponse::BadRequest().body("nas must be org/nas_id");
    };
    let Some(mac) = request.mac() else {
        tracing::info!(org_id, nas_id, "authorize: no MAC address in the request");
        metrics::request("unknown", Outcome::Reject, started.elapsed());
        return rest::not_found_because("no MAC address in User-Name or Calling-Station-Id");
    };
    if let Some(parsed) = request.handshake.handshake(&mac.to_string()) {
        return crate::handshake_mode::answer::answer(
            &state,
            &query,
            (org_id, nas_id),
            mac,
            parsed,
        )
        .await;
    }
    let found = match state.pool.get().await {
        Ok(client) => {
            lookup::nas_and_member(&client, org_id, nas_id, query.source, &mac.to_string()).await
        }
        Err(error) => Err(store::StoreError::from(error).into()),
    };
    let (nas, member) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            tracing::warn!(org_id, nas_id, source = %query.source, "authorize: not a registered NAS at that address");
            metrics::request("unknown", Outcome::UnknownNas, started.elapsed());
            return HttpResponse::Forbidden().body("not a registered NAS at that address");
        }
        Err(error) => {
            tracing::error!(org_id, nas_id, %error, "authorize: reading the read models failed");
            metrics::request("unknown", Outcome::Error, started.elapsed());
            return HttpResponse::ServiceUnavailable().body("the read models are unavailable");
        }
    };
    let label = dialect::label(nas.dialect);
    let (response, outcome) = answer(&state, org_id, nas_id, &nas, member, &mac);
    metrics::request(label, outcome, started.elapsed());
    response
}

/// The Accept, or a Reject with its reason logged.
fn answer(
    state: &State,
    org_id: &str,
    nas_id: &str,
    nas: &Nas,
    member: Option<DeviceMember>,
    mac: &Mac,
) -> (HttpResponse, Outcome) {
    match grant_for(&state.keys, org_id, nas, member, chrono::Utc::now()) {
        Ok(granted) => {
            tracing::debug!(org_id, nas_id, %mac, user_id = %granted.user_id, "authorize: accept");
            if let Some(cache) = &state.answer_cache {
                // Answered through here: FreeRADIUS keeps it for the next request.
                cache.warm(&nas.class(org_id), mac);
            }
            let reply = dialect::accept(nas.dialect, &granted.grant);
            (reply.respond(), Outcome::Accept)
        }
        Err(NoGrant::Refused(reason)) => {
            tracing::info!(org_id, nas_id, %mac, reason, "authorize: reject");
            let response = rest::not_found_because("no key for this device here");
            (response, Outcome::Reject)
        }
        Err(NoGrant::Broken(error)) => {
            tracing::error!(org_id, nas_id, %mac, %error, "authorize: the passphrase does not open");
            let response = rest::not_found_because("no key for this device here");
            (response, Outcome::Error)
        }
    }
}
