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
//! Access-Request is seen by it: no cache to expire.

use crate::dialect::{self, Grant};
use crate::lookup::{self, DeviceMember, Nas};
use crate::metrics::{self, Outcome};
use crate::rest::{self, RestAttribute};
use crate::state::State;
use actix_web::{HttpResponse, web};
use domain::Mac;
use domain::location_access as access;
use serde::Deserialize;
use std::net::IpAddr;
use std::time::Instant;

/// Which NAS asks: FreeRADIUS's client shortname (`org/nas_id`, set by `clients`) and the
/// packet's source address, checked together against the registry.
#[derive(Debug, Deserialize)]
pub(crate) struct NasQuery {
    pub(crate) nas: String,
    pub(crate) source: IpAddr,
}

impl NasQuery {
    /// `org/nas_id`, each part non-empty and short.
    pub(crate) fn org_and_nas(&self) -> Option<(&str, &str)> {
        let (org, nas) = self.nas.split_once('/')?;
        let fits = |part: &str| !part.is_empty() && part.len() <= 64;
        (fits(org) && fits(nas)).then_some((org, nas))
    }
}

/// The attributes of an Access-Request Lanyard reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AccessRequest {
    #[serde(rename = "User-Name")]
    pub(crate) user_name: Option<RestAttribute>,
    #[serde(rename = "Calling-Station-Id")]
    pub(crate) calling_station_id: Option<RestAttribute>,
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
    match grant_for(state, org_id, nas, member, chrono::Utc::now()) {
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

/// What a device gets from a NAS now.
pub(crate) struct Granted {
    pub(crate) user_id: String,
    pub(crate) grant: Grant,
    /// When the grant ends, if it does.
    pub(crate) until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Why a device gets nothing.
pub(crate) enum NoGrant {
    /// A refusal (logged with its reason, never sent to the NAS).
    Refused(String),
    /// The member's passphrase does not open: an operator must look.
    Broken(String),
}

/// The one judgement of an Access-Request (and of an answer FreeRADIUS keeps): the member of
/// the device, their terms from this NAS at `now`, their passphrase opened.
pub(crate) fn grant_for(
    state: &State,
    org_id: &str,
    nas: &Nas,
    member: Option<DeviceMember>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Granted, NoGrant> {
    let member = member
        .ok_or_else(|| NoGrant::Refused("no member of this organization has this device".into()))?;
    let terms = nas
        .terms_for(&member.access, now)
        .map_err(|no_key| NoGrant::Refused(no_key.to_string()))?;
    let passphrase = open_passphrase(state, org_id, &member)
        .map_err(NoGrant::Broken)?
        .ok_or_else(|| NoGrant::Refused("the member has no passphrase".into()))?;
    let grant = Grant {
        passphrase,
        vlan: terms.vlan,
        session_timeout: access::session_timeout(terms.until, now),
        bandwidth_up_kbps: terms.bandwidth_up_kbps,
        bandwidth_down_kbps: terms.bandwidth_down_kbps,
    };
    Ok(Granted {
        user_id: member.user_id,
        grant,
        until: terms.until,
    })
}

/// The member's passphrase in clear (None: they have none yet), opened with their data key.
fn open_passphrase(
    state: &State,
    org_id: &str,
    member: &DeviceMember,
) -> Result<Option<String>, String> {
    let Some(sealed) = &member.passphrase else {
        return Ok(None);
    };
    let wrapped = member
        .wrapped_key
        .as_ref()
        .ok_or("the member has no data key")?;
    secrets::open_member_passphrase(&state.keys, org_id, &member.user_id, wrapped, sealed)
        .map(Some)
        .map_err(|e| e.to_string())
}
