//! `POST /freeradius/authorize`: an Access-Request, answered with the device's key and VLAN in
//! the NAS's dialect, or a Reject.

use crate::rest::{self, RestAttribute};
use crate::state::State;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use std::net::IpAddr;

/// Which NAS asks: FreeRADIUS's client shortname (`org/nas_id`, set by `clients`) and the
/// packet's source address, checked against the registry.
#[derive(Debug, Deserialize)]
pub(crate) struct NasQuery {
    pub(crate) nas: String,
    pub(crate) source: IpAddr,
}

/// The attributes of an Access-Request Lanyard reads.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AccessRequest {
    #[serde(rename = "User-Name")]
    pub(crate) user_name: Option<RestAttribute>,
    #[serde(rename = "Calling-Station-Id")]
    pub(crate) calling_station_id: Option<RestAttribute>,
    #[serde(rename = "Called-Station-Id")]
    pub(crate) called_station_id: Option<RestAttribute>,
}

pub(crate) async fn authorize(
    _state: web::Data<State>,
    nas: web::Query<NasQuery>,
    request: web::Json<AccessRequest>,
) -> HttpResponse {
    let started = std::time::Instant::now();
    let device = rest::first(&request.calling_station_id).or(rest::first(&request.user_name));
    let called = rest::first(&request.called_station_id);
    tracing::info!(nas = %nas.nas, source = %nas.source, ?device, ?called, "no NAS registry yet");
    crate::metrics::request(
        "unknown",
        crate::metrics::Outcome::UnknownNas,
        started.elapsed(),
    );
    rest::not_found_because("no NAS registry yet")
}
