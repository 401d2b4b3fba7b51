//! rlm_rest's JSON, both ways (FreeRADIUS 3.2 `mods-available/rest`): a request body maps each
//! attribute name to `{"type": …, "value": [ … ]}`; an answer maps `list:Attribute` to
//! `{"op": …, "value": [ … ], "do_xlat": false}`. `do_xlat` is turned off on every value: a
//! passphrase with `%{…}` in it must reach the NAS as written, never be expanded by FreeRADIUS.
//!
//! Only the attributes Lanyard reads are decoded (named fields, no map keyed by the packet's
//! attribute names), and a body is at most [`MAX_BODY_BYTES`].

use actix_web::error::{InternalError, JsonPayloadError, QueryPayloadError};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// FreeRADIUS refuses packets over 4096 octets; their JSON is at most a few times that.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// One attribute of a request as rlm_rest sends it (its `type` is not needed).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RestAttribute {
    #[serde(default)]
    pub value: Vec<Value>,
}

impl RestAttribute {
    /// The first value as text (strings as they are, numbers and addresses printed).
    pub fn first(&self) -> Option<String> {
        match self.value.first()? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    }
}

/// The first value of an optional attribute.
pub fn first(attribute: &Option<RestAttribute>) -> Option<String> {
    attribute.as_ref().and_then(RestAttribute::first)
}

/// Which NAS asks: FreeRADIUS's client shortname (`org/nas_id`, set by `clients`) and the
/// packet's source address, checked together against the registry.
#[derive(Debug, Deserialize)]
pub struct NasQuery {
    pub nas: String,
    pub source: std::net::IpAddr,
}

impl NasQuery {
    /// `org/nas_id`, each part non-empty and short.
    pub fn org_and_nas(&self) -> Option<(&str, &str)> {
        let (org, nas) = self.nas.split_once('/')?;
        let fits = |part: &str| !part.is_empty() && part.len() <= 64;
        (fits(org) && fits(nas)).then_some((org, nas))
    }
}

/// An answer for rlm_rest: `list:Attribute` → values, in the order they were set.
#[derive(Debug, Default)]
pub struct Reply {
    attributes: Map<String, Value>,
}

impl Reply {
    pub fn new() -> Reply {
        Reply::default()
    }

    /// Sets `name` (`reply:Tunnel-Password`, `control:Auth-Type`) to one value.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Reply {
        self.set_all(name, vec![value.into()])
    }

    /// Sets `name` to several values, one attribute each (rlm_rest's `+=`).
    pub fn set_all(&mut self, name: &str, values: Vec<Value>) -> &mut Reply {
        let op = if values.len() > 1 { "+=" } else { ":=" };
        self.attributes.insert(
            name.to_owned(),
            json!({ "op": op, "value": values, "do_xlat": false }),
        );
        self
    }

    /// Unsets `name`, if it was set.
    pub fn remove(&mut self, name: &str) -> &mut Reply {
        self.attributes.remove(name);
        self
    }

    /// The JSON object, as the answer's body.
    pub fn to_json(&self) -> Value {
        Value::Object(self.attributes.clone())
    }

    /// 200 with the JSON body: rlm_rest answers `updated`.
    pub fn respond(self) -> HttpResponse {
        HttpResponse::Ok().json(Value::Object(self.attributes))
    }
}

/// rlm_rest maps 404 to `notfound`: in authorize that ends in a Reject, in the dynamic clients
/// server in no client (the packet is dropped).
pub fn not_found_because(reason: &'static str) -> HttpResponse {
    HttpResponse::NotFound().body(reason)
}

/// Any path that is not an endpoint.
pub async fn not_found(request: HttpRequest) -> HttpResponse {
    tracing::warn!(path = request.path(), "no such endpoint");
    HttpResponse::NotFound().body("no such endpoint")
}

/// Bodies: JSON only, at most [`MAX_BODY_BYTES`]; a refusal says why and is logged.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|error: JsonPayloadError, request| {
            tracing::warn!(path = request.path(), %error, "refused a request body");
            let response = HttpResponse::BadRequest().body(format!("bad request body: {error}"));
            InternalError::from_response(error, response).into()
        })
}

/// Query strings: a refusal says why and is logged.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, request| {
        tracing::warn!(path = request.path(), %error, "refused a query string");
        let response = HttpResponse::BadRequest().body(format!("bad query string: {error}"));
        InternalError::from_response(error, response).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_never_expanded_and_several_values_are_added() {
        let mut reply = Reply::new();
        reply
            .set("reply:Tunnel-Password", "50%{User-Name}off")
            .set_all("reply:Cisco-AVPair", vec!["a".into(), "b".into()]);
        assert_eq!(
            reply.to_json(),
            json!({
                "reply:Tunnel-Password": {"op": ":=", "value": ["50%{User-Name}off"], "do_xlat": false},
                "reply:Cisco-AVPair": {"op": "+=", "value": ["a", "b"], "do_xlat": false},
            })
        );
    }

    #[test]
    fn a_request_attribute_gives_its_first_value_as_text() {
        let attribute: RestAttribute =
            serde_json::from_value(json!({"type": "integer", "value": [3600, 1]})).expect("json");
        assert_eq!(attribute.first().as_deref(), Some("3600"));
        assert_eq!(first(&None), None);
    }
}
