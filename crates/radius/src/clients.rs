//! `GET /freeradius/clients?address=…`: FreeRADIUS's `dynamic_clients` lookup. A packet from an
//! address FreeRADIUS does not know yet is held while it asks here; a registered NAS whose
//! address contains it becomes a client (for the `lifetime` of radiusd.conf's client network),
//! with its opened secret and `org/nas_id` as its shortname, which authorize checks again with
//! the source address. Anything else is 404: no client, the packet is dropped unanswered.

use crate::answer_cache;
use crate::lookup;
use crate::rest::{self, Reply};
use crate::state::State;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use std::net::IpAddr;

#[derive(Debug, Deserialize)]
pub(crate) struct ClientQuery {
    /// `%{Packet-Src-IP-Address}`.
    address: IpAddr,
}

pub(crate) async fn lookup(
    state: web::Data<State>,
    query: web::Query<ClientQuery>,
) -> HttpResponse {
    let address = query.address;
    let found = match state.pool.get().await {
        Ok(client) => lookup::nas_at(&client, address).await,
        Err(error) => Err(store::StoreError::from(error).into()),
    };
    let nas = match found {
        Ok(Some(nas)) => nas,
        Ok(None) => {
            tracing::warn!(%address, "clients: a packet from an address no registered NAS has");
            return rest::not_found_because("no registered NAS at this address");
        }
        Err(error) => {
            tracing::error!(%address, %error, "clients: reading the NAS registry failed");
            return HttpResponse::ServiceUnavailable().body("the NAS registry is unavailable");
        }
    };
    let (org_id, nas_id) = (&nas.class.org_id, &nas.nas_id);
    let secret = match secrets::open_nas_secret(&state.keys, org_id, nas_id, &nas.secret) {
        Ok(secret) => secret,
        Err(error) => {
            tracing::error!(org_id, nas_id, %error, "clients: the NAS secret does not open");
            return HttpResponse::ServiceUnavailable().body("the NAS secret does not open");
        }
    };
    let address_attribute = match address {
        IpAddr::V4(_) => "control:FreeRADIUS-Client-IP-Address",
        IpAddr::V6(_) => "control:FreeRADIUS-Client-IPv6-Address",
    };
    tracing::info!(org_id, nas_id, %address, "clients: FreeRADIUS learns a registered NAS");
    let mut reply = Reply::new();
    reply
        .set(address_attribute, address.to_string())
        .set("control:FreeRADIUS-Client-Secret", secret.expose())
        .set(
            "control:FreeRADIUS-Client-Shortname",
            format!("{org_id}/{nas_id}"),
        )
        .set("control:FreeRADIUS-Client-Require-MA", "no");
    // The NAS's class names the answers FreeRADIUS keeps in memory for it (answer_cache).
    if let Some(class) = answer_cache::class_text(&nas.class) {
        reply.set("control:FreeRADIUS-Client-NAS-Type", class);
    }
    reply.respond()
}
