//! `POST /freeradius/accounting`: Accounting-Request (Start, Interim-Update, Stop,
//! Accounting-On/Off) from FreeRADIUS's rlm_rest, stored in `radius_sessions`
//! (`store::radius_sessions`; not the event log) so the pages show who is online and the
//! disconnect follower knows which NAS holds a member's sessions.
//!
//! Answers: 204 stored (rlm_rest `ok`: FreeRADIUS sends the Accounting-Response); 400 a
//! request Lanyard cannot read, with the reason (logged; FreeRADIUS answers nothing and the
//! NAS may retry); 404 a NAS that is not registered at that address; 500 the database failed
//! (rlm_rest `fail`: the NAS retries, and every write is idempotent).
//!
//! A retention (`radius.accounting_retention_days`) is kept by [`purge_periodically`].

use crate::rest::NasQuery;
use crate::rest::{self, RestAttribute};
use crate::state::State;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use domain::devices::Mac;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use store::radius_sessions::{self, AccountingKind, SessionIds, SessionReport, Traffic};

/// The attributes of an Accounting-Request Lanyard reads (RFC 2866, RFC 2869).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AccountingRequest {
    #[serde(rename = "Acct-Status-Type")]
    status_type: Option<RestAttribute>,
    #[serde(rename = "Acct-Session-Id")]
    session_id: Option<RestAttribute>,
    #[serde(rename = "Acct-Unique-Session-Id")]
    unique_session_id: Option<RestAttribute>,
    #[serde(rename = "User-Name")]
    user_name: Option<RestAttribute>,
    #[serde(rename = "Calling-Station-Id")]
    calling_station_id: Option<RestAttribute>,
    #[serde(rename = "NAS-IP-Address")]
    nas_ip: Option<RestAttribute>,
    #[serde(rename = "NAS-IPv6-Address")]
    nas_ipv6: Option<RestAttribute>,
    #[serde(rename = "Framed-IP-Address")]
    framed_ip: Option<RestAttribute>,
    #[serde(rename = "Acct-Session-Time")]
    session_time: Option<RestAttribute>,
    #[serde(rename = "Acct-Input-Octets")]
    input_octets: Option<RestAttribute>,
    #[serde(rename = "Acct-Output-Octets")]
    output_octets: Option<RestAttribute>,
    #[serde(rename = "Acct-Input-Gigawords")]
    input_gigawords: Option<RestAttribute>,
    #[serde(rename = "Acct-Output-Gigawords")]
    output_gigawords: Option<RestAttribute>,
    #[serde(rename = "Acct-Terminate-Cause")]
    terminate_cause: Option<RestAttribute>,
    #[serde(rename = "Acct-Delay-Time")]
    delay_time: Option<RestAttribute>,
}

/// What an Accounting-Request says, checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Accounting {
    /// Start, Interim-Update or Stop of one device's session.
    Session {
        kind: AccountingKind,
        mac: Mac,
        session: SessionFacts,
    },
    /// Accounting-On or -Off: the NAS (re)started or stops; its open sessions are over.
    NasRestart {
        at: DateTime<Utc>,
        cause: &'static str,
    },
}

/// A session's facts, before the NAS and the device are resolved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SessionFacts {
    pub(crate) acct_session_id: String,
    pub(crate) unique_session_id: Option<String>,
    pub(crate) user_name: String,
    pub(crate) calling_station_id: String,
    pub(crate) nas_ip: Option<IpAddr>,
    pub(crate) framed_ip: Option<IpAddr>,
    pub(crate) at: DateTime<Utc>,
    pub(crate) session_seconds: i64,
    pub(crate) traffic: Traffic,
    pub(crate) terminate_cause: Option<String>,
}

/// A NAS's packet delayed longer than a day says nothing about now.
const MAX_DELAY_SECS: i64 = 86_400;

fn number(attribute: &Option<RestAttribute>, name: &str) -> Result<Option<i64>, String> {
    rest::first(attribute)
        .map(|text| {
            text.parse::<u32>()
                .map(i64::from)
                .map_err(|_| format!("{name} is not a 32-bit unsigned number"))
        })
        .transpose()
}

/// A text attribute as a NAS can send it: at most 253 octets (RFC 2865 §5), since a
/// Disconnect-Request must repeat it.
fn text(attribute: &Option<RestAttribute>, name: &str) -> Result<Option<String>, String> {
    match rest::first(attribute) {
        Some(text) if text.len() > 253 => Err(format!("{name} is longer than 253 octets")),
        found => Ok(found),
    }
}

fn address(attribute: &Option<RestAttribute>, name: &str) -> Result<Option<IpAddr>, String> {
    rest::first(attribute)
        .map(|text| {
            text.parse::<IpAddr>()
                .map_err(|_| format!("{name} is not an IP address"))
        })
        .transpose()
}

/// Octets with their gigawords (RFC 2869 §5.1: how many times the 32-bit counter wrapped).
fn octets(
    octets: &Option<RestAttribute>,
    gigawords: &Option<RestAttribute>,
    name: &str,
) -> Result<i64, String> {
    let low = number(octets, name)?.unwrap_or(0);
    let high = number(gigawords, name)?.unwrap_or(0);
    Ok((high << 32) | low)
}

fn status(request: &AccountingRequest) -> Result<&'static str, String> {
    // rlm_rest writes an enumerated value by name; a raw number is read too.
    match rest::first(&request.status_type).as_deref() {
        Some("Start" | "1") => Ok("start"),
        Some("Stop" | "2") => Ok("stop"),
        Some("Interim-Update" | "Alive" | "3") => Ok("interim"),
        Some("Accounting-On" | "7") => Ok("accounting-on"),
        Some("Accounting-Off" | "8") => Ok("accounting-off"),
        Some(_) => {
            Err("Acct-Status-Type is not Start, Interim-Update, Stop or Accounting-On/Off".into())
        }
        None => Err("Acct-Status-Type is missing".into()),
    }
}

impl AccountingRequest {
    /// Checks the request; `received` is when it arrived (less Acct-Delay-Time: when the NAS
    /// saw it).
    pub(crate) fn read(&self, received: DateTime<Utc>) -> Result<Accounting, String> {
        let delay = number(&self.delay_time, "Acct-Delay-Time")?.unwrap_or(0);
        let at = received - Duration::seconds(delay.min(MAX_DELAY_SECS));
        let kind = match status(self)? {
            "accounting-on" => {
                return Ok(Accounting::NasRestart {
                    at,
                    cause: "NAS-Reboot",
                });
            }
            "accounting-off" => {
                return Ok(Accounting::NasRestart {
                    at,
                    cause: "NAS-Request",
                });
            }
            "start" => AccountingKind::Start,
            "stop" => AccountingKind::Stop,
            _ => AccountingKind::Interim,
        };
        let acct_session_id = text(&self.session_id, "Acct-Session-Id")?
            .filter(|id| !id.is_empty())
            .ok_or("Acct-Session-Id is missing")?;
        let calling_station_id = text(&self.calling_station_id, "Calling-Station-Id")?;
        let user_name = text(&self.user_name, "User-Name")?;
        // MAC authentication: the device is the Calling-Station-Id, else the User-Name.
        let mac = calling_station_id
            .iter()
            .chain(user_name.iter())
            .find_map(|text| text.parse::<Mac>().ok())
            .ok_or("neither Calling-Station-Id nor User-Name is a device's MAC address")?;
        let nas_ip = match address(&self.nas_ip, "NAS-IP-Address")? {
            Some(ip) => Some(ip),
            None => address(&self.nas_ipv6, "NAS-IPv6-Address")?,
        };
        Ok(Accounting::Session {
            kind,
            mac,
            session: SessionFacts {
                acct_session_id,
                unique_session_id: rest::first(&self.unique_session_id).filter(|id| !id.is_empty()),
                user_name: user_name.unwrap_or_else(|| mac.to_string()),
                calling_station_id: calling_station_id.unwrap_or_else(|| mac.to_string()),
                nas_ip,
                framed_ip: address(&self.framed_ip, "Framed-IP-Address")?,
                at,
                session_seconds: number(&self.session_time, "Acct-Session-Time")?.unwrap_or(0),
                traffic: Traffic {
                    input_octets: octets(
                        &self.input_octets,
                        &self.input_gigawords,
                        "Acct-Input-Octets",
                    )?,
                    output_octets: octets(
                        &self.output_octets,
                        &self.output_gigawords,
                        "Acct-Output-Octets",
                    )?,
                },
                terminate_cause: rest::first(&self.terminate_cause),
            },
        })
    }
}

/// The session's key: FreeRADIUS's Acct-Unique-Session-Id when it sent one, else a hash of
/// the NAS, its Acct-Session-Id and the device (Acct-Session-Id is unique per NAS only).
pub(crate) fn unique_session_id(nas_id: &str, session: &SessionFacts, mac: Mac) -> String {
    if let Some(id) = &session.unique_session_id {
        return id.clone();
    }
    let mut hash = Sha256::new();
    for part in [nas_id, session.acct_session_id.as_str(), &mac.to_string()] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..16])
}

fn refuse(status: &'static str, nas: &NasQuery, reason: &str) -> HttpResponse {
    tracing::warn!(nas = %nas.nas, source = %nas.source, reason, "accounting refused");
    crate::metrics::accounting(status, "refused");
    HttpResponse::BadRequest().body(format!("accounting refused: {reason}"))
}

pub(crate) async fn accounting(
    state: web::Data<State>,
    nas: web::Query<NasQuery>,
    request: web::Json<AccountingRequest>,
) -> HttpResponse {
    let status = status(&request).unwrap_or("unknown");
    let facts = match request.read(Utc::now()) {
        Ok(facts) => facts,
        Err(reason) => return refuse(status, &nas, &reason),
    };
    let Some((org_id, nas_id)) = nas.nas.split_once('/') else {
        return refuse(status, &nas, "nas is not organization/nas_id");
    };
    match store_accounting(&state, org_id, nas_id, nas.source, facts).await {
        Ok(true) => {
            crate::metrics::accounting(status, "stored");
            HttpResponse::NoContent().finish()
        }
        Ok(false) => {
            tracing::warn!(nas = %nas.nas, source = %nas.source, "accounting from an unregistered NAS");
            crate::metrics::accounting(status, "unknown_nas");
            rest::not_found_because("no such NAS at that address")
        }
        Err(error) => {
            tracing::error!(nas = %nas.nas, %error, "storing accounting failed");
            crate::metrics::accounting(status, "error");
            HttpResponse::InternalServerError().body("accounting not stored; retry")
        }
    }
}

/// Stores what the request says; false when the NAS is not registered at that address.
async fn store_accounting(
    state: &State,
    org_id: &str,
    nas_id: &str,
    source: IpAddr,
    facts: Accounting,
) -> anyhow::Result<bool> {
    let client = state.pool.get().await?;
    // The NAS registered at the packet's source, and it must be the one FreeRADIUS named.
    let nas = store::queries::nas_for_ip(&client, source)
        .await?
        .filter(|nas| nas.org_id == org_id && nas.nas_id == nas_id);
    let Some(nas) = nas else {
        return Ok(false);
    };
    let (kind, mac, session) = match facts {
        Accounting::NasRestart { at, cause } => {
            let closed =
                radius_sessions::close_nas_sessions(&client, org_id, nas_id, at, cause).await?;
            tracing::info!(
                org_id,
                nas_id,
                closed,
                cause,
                "NAS accounting on/off: its sessions closed"
            );
            return Ok(true);
        }
        Accounting::Session { kind, mac, session } => (kind, mac, session),
    };
    let user_id = store::queries::device(&client, org_id, mac)
        .await?
        .map(|device| device.user_id);
    let report = SessionReport {
        org_id: org_id.to_owned(),
        ids: SessionIds {
            unique_session_id: unique_session_id(nas_id, &session, mac),
            nas_id: nas_id.to_owned(),
            location_id: nas.location_id,
            user_id,
            mac: mac.to_string(),
            acct_session_id: session.acct_session_id,
            user_name: session.user_name,
            calling_station_id: session.calling_station_id,
            nas_ip: session.nas_ip,
            source_ip: source,
            framed_ip: session.framed_ip,
        },
        at: session.at,
        session_seconds: session.session_seconds,
        traffic: session.traffic,
        terminate_cause: session.terminate_cause,
    };
    radius_sessions::record(&client, kind, &report).await?;
    Ok(true)
}

/// Deletes accounting older than the retention every hour (and once at start).
pub(crate) async fn purge_periodically(pool: deadpool_postgres::Pool, retention_days: u32) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let before = Utc::now() - Duration::days(i64::from(retention_days.max(1)));
        let mut purged = 0;
        loop {
            let deleted = match pool.get().await {
                Ok(client) => radius_sessions::purge(&client, before, 1000).await,
                Err(e) => Err(e.into()),
            };
            match deleted {
                Ok(0) => break,
                Ok(count) => purged += count,
                Err(error) => {
                    tracing::warn!(%error, "purging old accounting failed; next hour again");
                    break;
                }
            }
        }
        if purged > 0 {
            tracing::info!(purged, retention_days, "old accounting purged");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn received() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn request(body: serde_json::Value) -> AccountingRequest {
        serde_json::from_value(body).expect("rlm_rest json")
    }

    fn attribute(kind: &str, value: serde_json::Value) -> serde_json::Value {
        json!({"type": kind, "value": [value]})
    }

    #[test]
    fn an_interim_reads_the_session_with_its_counters_and_the_delay() {
        let read = request(json!({
            "Acct-Status-Type": attribute("integer", json!("Interim-Update")),
            "Acct-Session-Id": attribute("string", json!("6560A1B2-0000002A")),
            "User-Name": attribute("string", json!("0a1b2c3d4e5f")),
            "Calling-Station-Id": attribute("string", json!("0A-1B-2C-3D-4E-5F")),
            "NAS-IP-Address": attribute("ipaddr", json!("192.0.2.10")),
            "Framed-IP-Address": attribute("ipaddr", json!("10.1.2.3")),
            "Acct-Session-Time": attribute("integer", json!(600)),
            "Acct-Input-Octets": attribute("integer", json!(5)),
            "Acct-Input-Gigawords": attribute("integer", json!(1)),
            "Acct-Output-Octets": attribute("integer", json!(7)),
            "Acct-Delay-Time": attribute("integer", json!(2)),
        }))
        .read(received())
        .expect("readable");
        let Accounting::Session { kind, mac, session } = read else {
            panic!("a session: {read:?}");
        };
        assert_eq!(kind, AccountingKind::Interim);
        assert_eq!(mac.to_string(), "0a1b2c3d4e5f");
        assert_eq!(session.calling_station_id, "0A-1B-2C-3D-4E-5F");
        assert_eq!(session.at, received() - Duration::seconds(2));
        assert_eq!(session.session_seconds, 600);
        assert_eq!(session.traffic.input_octets, (1 << 32) + 5);
        assert_eq!(session.traffic.output_octets, 7);
        assert_eq!(session.nas_ip, Some("192.0.2.10".parse().expect("ip")));
        assert_eq!(session.framed_ip, Some("10.1.2.3".parse().expect("ip")));
    }

    #[test]
    fn accounting_on_and_off_close_the_nas_s_sessions() {
        for (status, cause) in [
            ("Accounting-On", "NAS-Reboot"),
            ("Accounting-Off", "NAS-Request"),
        ] {
            let read = request(json!({"Acct-Status-Type": attribute("integer", json!(status))}))
                .read(received())
                .expect("readable");
            assert_eq!(
                read,
                Accounting::NasRestart {
                    at: received(),
                    cause
                }
            );
        }
    }

    #[test]
    fn what_cannot_be_read_is_refused_with_the_reason() {
        let cases = [
            (json!({}), "Acct-Status-Type is missing"),
            (
                json!({"Acct-Status-Type": attribute("integer", json!("Bogus"))}),
                "Acct-Status-Type is not",
            ),
            (
                json!({"Acct-Status-Type": attribute("integer", json!("Start"))}),
                "Acct-Session-Id is missing",
            ),
            (
                json!({
                    "Acct-Status-Type": attribute("integer", json!("Start")),
                    "Acct-Session-Id": attribute("string", json!("s")),
                    "User-Name": attribute("string", json!("alice")),
                }),
                "device's MAC",
            ),
            (
                json!({
                    "Acct-Status-Type": attribute("integer", json!("Stop")),
                    "Acct-Session-Id": attribute("string", json!("s")),
                    "User-Name": attribute("string", json!("0a1b2c3d4e5f")),
                    "Acct-Session-Time": attribute("integer", json!(-5)),
                }),
                "Acct-Session-Time is not",
            ),
            (
                json!({
                    "Acct-Status-Type": attribute("integer", json!("Start")),
                    "Acct-Session-Id": attribute("string", json!("s".repeat(254))),
                    "User-Name": attribute("string", json!("0a1b2c3d4e5f")),
                }),
                "Acct-Session-Id is longer than 253 octets",
            ),
        ];
        for (body, reason) in cases {
            let refused = request(body).read(received()).expect_err("refused");
            assert!(
                refused.contains(reason),
                "{refused:?} should say {reason:?}"
            );
        }
    }

    #[test]
    fn a_session_is_keyed_by_freeradius_s_unique_id_else_by_nas_session_and_device() {
        let facts = |unique: Option<&str>| SessionFacts {
            acct_session_id: "S1".into(),
            unique_session_id: unique.map(str::to_owned),
            user_name: "u".into(),
            calling_station_id: "c".into(),
            nas_ip: None,
            framed_ip: None,
            at: received(),
            session_seconds: 0,
            traffic: Traffic::default(),
            terminate_cause: None,
        };
        let mac: Mac = "0a1b2c3d4e5f".parse().expect("mac");
        let other: Mac = "0a1b2c3d4e60".parse().expect("mac");
        assert_eq!(unique_session_id("ap-1", &facts(Some("abc")), mac), "abc");
        let derived = unique_session_id("ap-1", &facts(None), mac);
        assert_eq!(derived.len(), 32);
        assert_eq!(derived, unique_session_id("ap-1", &facts(None), mac));
        assert_ne!(derived, unique_session_id("ap-2", &facts(None), mac));
        assert_ne!(derived, unique_session_id("ap-1", &facts(None), other));
    }
}
