//! The webhooks the ingest scenario posts, signed by the app it configures; also what
//! `examples/ingest_work.rs` times ingest's steps on (included there by path).

use serde_json::{Value, json};

pub const CLIENT_ID: &str = "bench-app";
pub const SECRET: &str = "bench-secret";
pub const ORG: &str = "1";
/// The key ingest seals the stored bodies with (hex, 32 bytes).
pub const SEAL_KEY: &str = "abababababababababababababababababababababababababababababababab";

/// A realistic delivery: signed, form-encoded, different for every `n`.
pub fn webhook(event: &str, n: usize) -> serde_json::Map<String, Value> {
    let created = chrono::Utc::now().timestamp().to_string();
    let signature = optix::signature::expected_signature(CLIENT_ID, SECRET, &created);
    let Value::Object(fields) = json!({
        "client_id": CLIENT_ID,
        "created_timestamp": created,
        "organization_id": ORG,
        "event": event,
        "request_signature": signature,
        "member": {
            "member_id": (100_000 + n).to_string(),
            "email": format!("member{n}@example.com"),
            "fullname": format!("Member Number {n}"),
        },
    }) else {
        unreachable!("a JSON object literal")
    };
    fields
}
