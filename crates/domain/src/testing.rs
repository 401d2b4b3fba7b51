//! What the aggregates' tests share.

use chrono::{DateTime, Utc};

/// An RFC 3339 timestamp, e.g. `2026-11-22T10:00:00Z`.
pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("timestamp")
        .with_timezone(&Utc)
}
