//! Optix webhook bodies, as ingest and provision read them: `parse_form_envelope` (ingest's
//! read of a form, which must agree with provision's), `parse_form` / `parse_json`, then the
//! envelope and the typed event. Any body is the network's, so nothing may panic. A form
//! body that parses also round-trips through `encode_form`, and what it parses into stays
//! linear in its size (the body is parsed before its signature is checked).
#![no_main]

use libfuzzer_sys::fuzz_target;
use optix::webhook::{self, Envelope, Webhook};
use serde_json::{Map, Value};

/// Values a parse may hold beyond one per body byte: the null padding that sparse list
/// indices may add in one body (optix allows 1000), with room to spare.
const SLACK: usize = 2048;

fuzz_target!(|body: &[u8]| {
    // What ingest reads of a form (its envelope) is refused and read exactly as what provision
    // reads (the whole form): ingest must never accept a body provision cannot read.
    let whole = webhook::parse_form(body);
    let read = webhook::parse_form_envelope(body);
    assert_eq!(
        read.as_ref().map(|read| read.event()),
        whole
            .as_ref()
            .map(|fields| fields.get("event").and_then(Value::as_str)),
    );
    assert_eq!(
        read.and_then(|read| read.envelope()),
        whole.and_then(|fields| Envelope::from_fields(&fields)),
    );
    if let Ok(fields) = webhook::parse_form(body) {
        typed(&fields);
        let values = count(&Value::Object(fields.clone()));
        assert!(
            values <= body.len() + SLACK,
            "a {}-byte form body parsed into {values} values",
            body.len()
        );
        let encoded = webhook::encode_form(&fields);
        let again = webhook::parse_form(encoded.as_bytes())
            .unwrap_or_else(|e| panic!("re-parsing {encoded:?} failed: {e}"));
        // Padding nulls are encoded as empty values: the one expected difference.
        assert_eq!(again, nulls_as_empty(fields), "encoded as {encoded:?}");
    }
    if let Ok(fields) = webhook::parse_json(body) {
        typed(&fields);
        // A JSON payload sent as a form instead: refused or parsed, never a panic.
        if let Ok(again) = webhook::parse_form(webhook::encode_form(&fields).as_bytes()) {
            typed(&again);
        }
    }
});

/// What ingest and provision do with parsed fields.
fn typed(fields: &Map<String, Value>) {
    if let Some(event) = fields.get("event").and_then(Value::as_str) {
        let _ = webhook::event_label(event);
    }
    if let Ok(envelope) = Envelope::from_fields(fields) {
        assert_eq!(
            envelope.created_timestamp_raw.parse::<i64>(),
            Ok(envelope.created_timestamp)
        );
    }
    if let Ok(hook) = Webhook::from_fields(fields) {
        let _ = format!("{hook:?}");
    }
}

fn count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

fn nulls_as_empty(fields: Map<String, Value>) -> Map<String, Value> {
    fn walk(value: Value) -> Value {
        match value {
            Value::Null => Value::String(String::new()),
            Value::Array(items) => Value::Array(items.into_iter().map(walk).collect()),
            Value::Object(map) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, walk(v))).collect())
            }
            other => other,
        }
    }
    fields.into_iter().map(|(k, v)| (k, walk(v))).collect()
}
