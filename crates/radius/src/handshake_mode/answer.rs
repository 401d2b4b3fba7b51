//! An Access-Request carrying message 2 of a WPA2 handshake: the member whose live key produced
//! its MIC gets their answer, or the request is refused.
//!
//! - hostapd ≥ 2.11 (`wpa_psk_radius=3`): `FreeRADIUS-802.1X-Anonce`,
//!   `FreeRADIUS-802.1X-EAPoL-Key-Msg`, `Called-Station-Id` = `BSSID:SSID`. Answered in the
//!   NAS's dialect (`Tunnel-Password`: hostapd checks the MIC again with it).
//! - Ruckus external DPSK: `Ruckus-DPSK-Params` (FreeRADIUS 3.2.1 hands its members over flat),
//!   `Ruckus-BSSID`, `Ruckus-SSID`. Answered with `Ruckus-Dpsk` = 0x00 ‖ PMK, as PacketFence's
//!   Ruckus SmartZone module does (docs/radius.md: unverified against Ruckus's documentation).
//! - Cisco 9800 Easy-PSK: `Cisco-AVPair` `cisco-anonce`, `cisco-8021x-data`, `cisco-bssid`,
//!   `cisco-wlan-ssid`. Answered in the Cisco dialect (`psk=`, `psk-mode=ascii`).
//!
//! Every answer also carries the VLAN and `Session-Timeout` of the member's grant at this NAS
//! now, judged by the same `grant::grant_for` as MAC authentication.

use super::HandshakeMemory;
use crate::grant::{self, Granted, NoGrant};
use crate::handshake_keys::{KeyRef, SetId};
use crate::lookup::{self, DeviceMember, Nas};
use crate::metrics;
use crate::rest::{self, NasQuery, RestAttribute};
use crate::state::State;
use actix_web::HttpResponse;
use domain::{DeviceBinding, Mac, NasDialect};
use handshake::{AttributeError, Challenge, Handshake};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Instant;

/// The handshake attributes of an Access-Request, whichever vendor sent them.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct HandshakeAttributes {
    #[serde(rename = "FreeRADIUS-802.1X-Anonce")]
    anonce: Option<RestAttribute>,
    #[serde(rename = "FreeRADIUS-802.1X-EAPoL-Key-Msg")]
    eapol_key_msg: Option<RestAttribute>,
    #[serde(rename = "Called-Station-Id")]
    called_station_id: Option<RestAttribute>,
    #[serde(rename = "Ruckus-DPSK-AKM-Suite")]
    ruckus_akm: Option<RestAttribute>,
    #[serde(rename = "Ruckus-DPSK-Anonce")]
    ruckus_anonce: Option<RestAttribute>,
    #[serde(rename = "Ruckus-DPSK-EAPOL-Key-Frame")]
    ruckus_frame: Option<RestAttribute>,
    #[serde(rename = "Ruckus-BSSID")]
    ruckus_bssid: Option<RestAttribute>,
    #[serde(rename = "Ruckus-SSID")]
    ruckus_ssid: Option<RestAttribute>,
    #[serde(rename = "Cisco-AVPair")]
    cisco_avpair: Option<RestAttribute>,
}

/// Which vendor's attributes carried the handshake (it decides how the key is answered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Carrier {
    Hostapd,
    Ruckus,
    Cisco,
}

/// What a missing attribute reads as: the parsers then say which one is missing.
fn text(attribute: &Option<RestAttribute>) -> String {
    rest::first(attribute).unwrap_or_default()
}

impl HandshakeAttributes {
    /// The handshake, if the request carries one (None: MAC authentication).
    pub(crate) fn handshake(
        &self,
        station: &str,
    ) -> Option<Result<(Carrier, Handshake), AttributeError>> {
        if self.eapol_key_msg.is_some() {
            let parsed = handshake::attributes::hostapd(
                &text(&self.anonce),
                &text(&self.eapol_key_msg),
                &text(&self.called_station_id),
                station,
            );
            Some(parsed.map(|handshake| (Carrier::Hostapd, handshake)))
        } else if self.ruckus_frame.is_some() {
            let parsed = handshake::attributes::ruckus_rest(
                rest::first(&self.ruckus_akm).as_deref(),
                &text(&self.ruckus_anonce),
                &text(&self.ruckus_frame),
                &text(&self.ruckus_bssid),
                station,
                rest::first(&self.ruckus_ssid).as_deref(),
            );
            Some(parsed.map(|handshake| (Carrier::Ruckus, handshake)))
        } else {
            let pairs: Vec<&str> = self
                .cisco_avpair
                .iter()
                .flat_map(|pairs| pairs.value.iter().filter_map(|value| value.as_str()))
                .collect();
            pairs
                .iter()
                .any(|pair| pair.starts_with("cisco-8021x-data="))
                .then(|| handshake::attributes::cisco(pairs.iter().copied(), station))
                .map(|parsed| parsed.map(|handshake| (Carrier::Cisco, handshake)))
        }
    }
}

/// The answer to a handshake from the NAS `org_id/nas_id` for the station `mac`.
pub(crate) async fn answer(
    state: &State,
    query: &NasQuery,
    (org_id, nas_id): (&str, &str),
    mac: Mac,
    parsed: Result<(Carrier, Handshake), AttributeError>,
) -> HttpResponse {
    let started = Instant::now();
    let memory = &state.handshakes;
    if !memory.is_ready() {
        metrics::handshake("not_ready", "");
        return HttpResponse::ServiceUnavailable().body("the handshake keys are still being built");
    }
    let (carrier, handshake) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return refused(org_id, nas_id, &mac, error.reason(), &error),
    };
    let challenge = match Challenge::new(&handshake) {
        Ok(challenge) => challenge,
        Err(error) => return refused(org_id, nas_id, &mac, error.reason(), &error),
    };
    let found = match state.pool.get().await {
        Ok(client) => {
            lookup::nas_and_member(&client, org_id, nas_id, query.source, &mac.to_string()).await
        }
        Err(error) => Err(store::StoreError::from(error).into()),
    };
    let (nas, bound) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            tracing::warn!(org_id, nas_id, source = %query.source, "handshake: not a registered NAS at that address");
            metrics::handshake("error", "unknown_nas");
            return HttpResponse::Forbidden().body("not a registered NAS at that address");
        }
        Err(error) => {
            tracing::error!(org_id, nas_id, %error, "handshake: reading the read models failed");
            metrics::handshake("error", "read_models");
            return HttpResponse::ServiceUnavailable().body("the read models are unavailable");
        }
    };
    let places = places_of(memory, org_id, &nas, handshake.ssid.as_deref());
    let bound_user = bound.as_ref().map(|member| member.user_id.clone());
    let Some((place, key)) = search(memory, places, challenge, bound_user.clone()).await else {
        metrics::handshake_search("no_match", started.elapsed());
        metrics::handshake("no_match", "");
        tracing::info!(org_id, nas_id, %mac, "handshake: no live key of this location matches");
        return rest::not_found_because("no live key here produced this handshake");
    };
    metrics::handshake_search("matched", started.elapsed());
    let asked = Asked {
        org_id,
        nas_id,
        nas: &nas,
        mac: &mac,
    };
    let response = matched(state, &asked, (carrier, &place), &key, bound).await;
    if response.status().is_success() && bound_user.as_deref() != Some(key.user_id.as_str()) {
        bind(state, org_id, &key.user_id, &mac);
    }
    response
}

/// A refusal of bad input, counted with its reason.
fn refused(
    org_id: &str,
    nas_id: &str,
    mac: &Mac,
    reason: &'static str,
    error: &dyn std::fmt::Display,
) -> HttpResponse {
    tracing::info!(org_id, nas_id, %mac, reason, %error, "handshake: refused");
    metrics::handshake("refused", reason);
    rest::not_found_because("the handshake cannot be read")
}

/// Where to look: the request's SSID at the NAS's location, else every SSID there.
fn places_of(memory: &HandshakeMemory, org_id: &str, nas: &Nas, ssid: Option<&[u8]>) -> Vec<SetId> {
    match ssid.map(std::str::from_utf8) {
        Some(Ok(ssid)) => vec![SetId {
            org_id: org_id.to_owned(),
            location_id: nas.location_id.clone(),
            ssid: ssid.to_owned(),
        }],
        // Lanyard's SSIDs are text: no key can be at another.
        Some(Err(_)) => Vec::new(),
        None => memory.read().places_at(org_id, &nas.location_id),
    }
}

/// The key that produced the handshake: the bound member's alone first, then every key of each
/// place, on rayon's threads (at most one search per core at once).
async fn search(
    memory: &Arc<HandshakeMemory>,
    places: Vec<SetId>,
    challenge: Challenge,
    bound: Option<String>,
) -> Option<(SetId, KeyRef)> {
    let _permit = memory.searches.acquire().await.ok()?;
    let memory = Arc::clone(memory);
    let searched = tokio::task::spawn_blocking(move || {
        let keys = memory.read();
        places.into_iter().find_map(|place| {
            let key = keys.find(&place, &challenge, bound.as_deref())?.clone();
            Some((place, key))
        })
    })
    .await;
    searched.unwrap_or_else(|error| {
        tracing::error!(%error, "handshake: the search stopped");
        None
    })
}

/// Who asked: the NAS and the station.
struct Asked<'a> {
    org_id: &'a str,
    nas_id: &'a str,
    nas: &'a Nas,
    mac: &'a Mac,
}

/// The matched member's answer, judged now: their grant at this NAS, and the matched key still
/// their passphrase. The device's bound member, read with the NAS, is not read again.
async fn matched(
    state: &State,
    asked: &Asked<'_>,
    (carrier, place): (Carrier, &SetId),
    key: &KeyRef,
    bound: Option<DeviceMember>,
) -> HttpResponse {
    let Asked {
        org_id,
        nas_id,
        nas,
        mac,
    } = *asked;
    let user_id = key.user_id.as_str();
    let member = match bound.filter(|member| member.user_id == user_id) {
        Some(member) => Ok(vec![member]),
        None => match state.pool.get().await {
            Ok(client) => lookup::members_with_passphrases(&client, org_id, Some(&[user_id])).await,
            Err(error) => Err(store::StoreError::from(error).into()),
        },
    };
    let member = match member {
        Ok(mut members) => members.pop(),
        Err(error) => {
            tracing::error!(org_id, nas_id, %error, "handshake: reading the member failed");
            metrics::handshake("error", "read_models");
            return HttpResponse::ServiceUnavailable().body("the read models are unavailable");
        }
    };
    let current = member
        .as_ref()
        .is_some_and(|member| member.passphrase.as_ref() == Some(&key.sealed));
    if !current {
        tracing::info!(org_id, nas_id, %mac, user_id, "handshake: the matched key was changed or revoked since");
        metrics::handshake("no_match", "key_changed");
        return rest::not_found_because("no live key here produced this handshake");
    }
    match grant::grant_for(&state.keys, org_id, nas, member, chrono::Utc::now()) {
        Ok(granted) => {
            tracing::debug!(org_id, nas_id, %mac, user_id, ssid = %place.ssid, "handshake: accept");
            metrics::handshake("matched", "");
            reply(nas.dialect, carrier, &granted, key).respond()
        }
        Err(NoGrant::Refused(reason)) => {
            tracing::info!(org_id, nas_id, %mac, user_id, reason, "handshake: matched, but no key here now");
            metrics::handshake("no_match", "no_grant");
            rest::not_found_because("no key for this device here")
        }
        Err(NoGrant::Broken(error)) => {
            tracing::error!(org_id, nas_id, %mac, user_id, %error, "handshake: the passphrase does not open");
            metrics::handshake("error", "passphrase");
            rest::not_found_because("no key for this device here")
        }
    }
}

/// The Accept: the NAS's dialect (key, VLAN, Session-Timeout, bandwidth), with the key as the
/// carrier expects it, and the member's identity as `User-Name` (accounting then names them).
fn reply(dialect: NasDialect, carrier: Carrier, granted: &Granted, key: &KeyRef) -> rest::Reply {
    let dialect = match carrier {
        Carrier::Cisco => NasDialect::Cisco,
        Carrier::Hostapd | Carrier::Ruckus => dialect,
    };
    let mut reply = crate::dialect::accept(dialect, &granted.grant);
    if carrier == Carrier::Ruckus {
        // Ruckus is given the PMK, not the passphrase.
        reply.remove("reply:Tunnel-Password");
        reply.remove("reply:Cisco-AVPair");
        reply.remove("reply:Aruba-MPSK-Passphrase");
        reply.set("reply:Ruckus-Dpsk", format!("0x00{}", hex::encode(key.pmk)));
    }
    reply.set("reply:User-Name", format!("lanyard-{}", granted.user_id));
    reply
}

/// Binds the device to the member it matched (an event, like a device registered), without
/// delaying the answer; a device already bound to another member stays theirs (and is matched
/// again at each join).
fn bind(state: &State, org_id: &str, user_id: &str, mac: &Mac) {
    let command = bus::commands::Command::BindDevice {
        user_id: user_id.to_owned(),
        mac: mac.to_string(),
        via: DeviceBinding::Handshake,
    };
    let (bus, org_id) = (state.bus.clone(), org_id.to_owned());
    tokio::spawn(async move {
        match bus.command(&org_id, "radius", command).await {
            Ok(reply) => tracing::debug!(org_id, ?reply, "handshake: device bound"),
            Err(error) => tracing::warn!(org_id, %error, "handshake: binding the device failed"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorize::AccessRequest;
    use serde_json::json;

    /// The handshake crate's Python-built fixture "basic" (passphrase "correct horse battery",
    /// SSID "Lanyard", AA 0a0b0c0d0e0f, SPA 02aabbccddee).
    fn basic() -> (String, String) {
        let fixtures = include_str!("../../../handshake/tests/fixtures/wpa2.txt");
        let field = |name: &str| {
            fixtures
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(str::to_owned)
                .expect("the basic fixture comes first")
        };
        (field("anonce "), field("frame "))
    }

    fn octets(hex: &str) -> serde_json::Value {
        json!({"type": "octets", "value": [format!("0x{hex}")]})
    }

    fn text(value: &str) -> serde_json::Value {
        json!({"type": "string", "value": [value]})
    }

    /// Each vendor's attributes, as rlm_rest sends them, give the same handshake; a request
    /// without one is MAC authentication.
    #[test]
    fn each_vendor_s_rlm_rest_attributes_give_the_same_handshake() {
        let (anonce, frame) = basic();
        let bodies = [
            (
                Carrier::Hostapd,
                json!({
                    "FreeRADIUS-802.1X-Anonce": octets(&anonce),
                    "FreeRADIUS-802.1X-EAPoL-Key-Msg": octets(&frame),
                    "Called-Station-Id": text("0A-0B-0C-0D-0E-0F:Lanyard"),
                }),
            ),
            (
                Carrier::Ruckus,
                json!({
                    "Ruckus-DPSK-AKM-Suite": octets("000fac02"),
                    "Ruckus-DPSK-Cipher": {"type": "byte", "value": [4]},
                    "Ruckus-DPSK-Anonce": octets(&anonce),
                    "Ruckus-DPSK-EAPOL-Key-Frame": octets(&frame),
                    "Ruckus-BSSID": octets("0a0b0c0d0e0f"),
                    "Ruckus-SSID": text("Lanyard"),
                }),
            ),
            (
                Carrier::Cisco,
                json!({
                    "Cisco-AVPair": {"type": "string", "value": [
                        "cisco-wlan-ssid=Lanyard",
                        "cisco-bssid=0a0b.0c0d.0e0f",
                        format!("cisco-anonce={anonce}"),
                        format!("cisco-8021x-data={frame}"),
                    ]},
                }),
            ),
        ];
        let mut handshakes = Vec::new();
        for (carrier, mut body) in bodies {
            body["Calling-Station-Id"] = text("02-AA-BB-CC-DD-EE");
            let request: AccessRequest = serde_json::from_value(body).expect("a request");
            let (parsed_carrier, handshake) = request
                .handshake
                .handshake("02aabbccddee")
                .expect("a handshake")
                .unwrap_or_else(|error| panic!("{carrier:?}: {error}"));
            assert_eq!(parsed_carrier, carrier);
            assert_eq!(
                handshake.ssid.as_deref(),
                Some(&b"Lanyard"[..]),
                "{carrier:?}"
            );
            handshakes.push(handshake);
        }
        assert!(handshakes.iter().all(|h| h.frame == handshakes[0].frame
            && h.anonce == handshakes[0].anonce
            && h.aa == handshakes[0].aa
            && h.spa == handshakes[0].spa));
        let plain: AccessRequest =
            serde_json::from_value(json!({"Calling-Station-Id": text("02-AA-BB-CC-DD-EE")}))
                .expect("a request");
        assert!(plain.handshake.handshake("02aabbccddee").is_none());
    }
}
