//! The API v2 records Lanyard reads (docs/officernd.md §4–§9), with OfficeRnD's field names.
//! Fields Lanyard does not use are not read; unknown ones are ignored.

use serde::{Deserialize, Serialize};

/// A list answer (docs/officernd.md §10): `results` and the cursor of the next page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub results: Vec<T>,
    #[serde(default)]
    pub cursor_next: Option<String>,
    #[serde(default)]
    pub cursor_prev: Option<String>,
    #[serde(default)]
    pub range_start: Option<u64>,
    #[serde(default)]
    pub range_end: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// The member's company (the team equivalent); a member has at most one.
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub calculated_status: Option<String>,
    #[serde(default)]
    pub modified_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Absent on a company membership.
    #[serde(default)]
    pub member: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub is_personal: bool,
    pub plan: String,
    #[serde(default)]
    pub location: Option<String>,
    /// Calendar dates (`YYYY-MM-DD`, or a date-time whose first ten characters are one).
    #[serde(default)]
    pub start_date: Option<String>,
    /// Absent: open-ended. Inclusive: the membership holds through that day.
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub calculated_status: Option<String>,
    #[serde(default)]
    pub modified_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub locations: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// IANA name; absent → UTC.
    #[serde(default)]
    pub timezone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct When {
    pub date_time: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
    #[serde(rename = "_id")]
    pub id: String,
    pub start: When,
    pub end: When,
    #[serde(default)]
    pub timezone: Option<String>,
    /// The booker.
    #[serde(default)]
    pub member: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    /// Other members on the booking.
    #[serde(default)]
    pub members: Vec<String>,
    /// Guests: visitor ids (the element shape is unconfirmed, docs/officernd.md §9).
    #[serde(default)]
    pub visitors: Vec<String>,
    #[serde(default)]
    pub canceled: bool,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub resource_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Visitor {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// The v1 organization lookup (docs/officernd.md §1, §3): what "test connection" reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slug: Option<String>,
}
