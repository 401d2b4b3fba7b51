//! The fields of the webhooks Optix sends about members, teams and bookings, as the simulator
//! signs them.

use crate::model::{Booking, Organization, Team, User};
use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

pub(crate) fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn datetime(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(crate) fn member_fields(user: &User, venue: &str) -> Map<String, Value> {
    object(json!({
        "venue_name": venue,
        "member_id": user.user_id,
        "user_id": user.user_id,
        "first_name": user.name,
        "last_name": user.surname,
        "full_name": user.fullname(),
        "email": user.email,
    }))
}

pub(crate) fn team_member_fields(team: &Team, user: &User) -> Map<String, Value> {
    object(json!({
        "team_id": team.team_id,
        "team": team.name,
        "user_id": user.user_id,
        "user_name": user.name,
        "user_last_name": user.surname,
        "user_fullname": user.fullname(),
        "user_email": user.email,
        "is_admin": if user.is_admin { "true" } else { "false" },
    }))
}

pub(crate) fn booking_fields(
    org: &Organization,
    b: &Booking,
) -> anyhow::Result<Map<String, Value>> {
    let user = org.user(&b.user_id).context("booking user")?;
    let location = org.location(&b.location_id).context("booking location")?;
    Ok(object(json!({
        "booking_id": b.booking_id,
        "title": b.resource_name,
        "workspace_id": b.resource_id,
        "workspace_name": b.resource_name,
        "workspace_type": "Meeting Room",
        "check_in_timestamp": b.start_timestamp.to_string(),
        "check_out_timestamp": b.end_timestamp.to_string(),
        "check_in_datetime": datetime(b.start_timestamp),
        "check_out_datetime": datetime(b.end_timestamp),
        "member_name": user.name,
        "member_last_name": user.surname,
        "member_email": user.email,
        "venue_name": location.name,
        "venue_address": "",
        "created_datetime": datetime(Utc::now().timestamp()),
    })))
}
