//! Optix webhook bodies: form-encoded (PHP-style brackets for nesting, e.g.
//! `subscribers[0][email]=…`) or JSON; every value may arrive as a string.

use serde_json::{Map, Value};
use std::fmt;

mod envelope_form;
pub use envelope_form::{FormEnvelope, parse_form_envelope};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("missing field {0}")]
    MissingField(&'static str),
    #[error("{0}")]
    Malformed(String),
}

/// Nesting deeper than this is refused: no Optix payload comes close.
const MAX_DEPTH: usize = 8;
/// Array indices beyond this are refused, so `a[999999999]=x` can't allocate a huge array.
const MAX_INDEX: usize = 1000;
/// Missing list entries (filled with null) allowed in one body: without a budget for the whole
/// body, `a[0][1000]=&a[1][1000]=&…` makes a 64 KiB body hundreds of megabytes, and it is
/// parsed before its signature is checked.
const MAX_GAPS: usize = 1000;

/// Parses an `application/x-www-form-urlencoded` body into a JSON object.
pub fn parse_form(body: &[u8]) -> Result<Map<String, Value>, WebhookError> {
    if std::str::from_utf8(body).is_err() {
        return Err(WebhookError::Malformed("body is not UTF-8".into()));
    }
    let mut root = Value::Object(Map::new());
    // Nameless pairs (`=x`) are skipped, so only named ones make a body non-empty: otherwise
    // `=x` would parse into no fields, which `encode_form` cannot give back.
    let mut fields = 0usize;
    let mut gaps = MAX_GAPS;
    for (key, value) in form_urlencoded::parse(body) {
        if key.is_empty() {
            continue;
        }
        fields += 1;
        let path = split_key(&key)?;
        insert(
            &mut root,
            &path,
            Value::String(value.into_owned()),
            &mut gaps,
        )?;
    }
    if fields == 0 {
        return Err(WebhookError::Malformed("empty body".into()));
    }
    match root {
        Value::Object(map) => Ok(map),
        _ => Err(WebhookError::Malformed(
            "body is not a set of fields".into(),
        )),
    }
}

/// Parses a JSON body; it must be an object.
pub fn parse_json(body: &[u8]) -> Result<Map<String, Value>, WebhookError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(WebhookError::Malformed(
            "JSON body must be an object".into(),
        )),
        Err(e) => Err(WebhookError::Malformed(format!("invalid JSON: {e}"))),
    }
}

/// A field name's path, `a[b][0][c]` → `["a", "b", "0", "c"]`, borrowed from the name; held
/// inline, since [`MAX_DEPTH`] bounds it (a webhook has tens of names).
struct KeyPath<'a> {
    segments: [&'a str; MAX_DEPTH],
    len: usize,
}

impl<'a> std::ops::Deref for KeyPath<'a> {
    type Target = [&'a str];

    fn deref(&self) -> &[&'a str] {
        &self.segments[..self.len]
    }
}

/// `a[b][0][c]` → `["a", "b", "0", "c"]`, borrowed from `key`.
fn split_key(key: &str) -> Result<KeyPath<'_>, WebhookError> {
    let bad = || WebhookError::Malformed(format!("malformed field name {key:?}"));
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err(bad());
    }
    let mut path = KeyPath {
        segments: [""; MAX_DEPTH],
        len: 1,
    };
    path.segments[0] = head;
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(bad)?;
        let close = inner.find(']').ok_or_else(bad)?;
        if path.len == MAX_DEPTH {
            return Err(WebhookError::Malformed(format!(
                "field {key:?} is nested too deeply"
            )));
        }
        path.segments[path.len] = &inner[..close];
        path.len += 1;
        rest = &inner[close + 1..];
    }
    Ok(path)
}

/// What a name's segment says of its node: `[]` appends to a list (`Some(None)`), a number
/// indexes one (`Some(Some(i))`), anything else is an object's key (`None`).
fn list_index(segment: &str) -> Option<Option<usize>> {
    if segment.is_empty() {
        Some(None)
    } else {
        segment.parse::<usize>().ok().map(Some)
    }
}

/// A segment that would make a value, a list or an object into another.
fn conflict(segment: &str) -> WebhookError {
    WebhookError::Malformed(format!(
        "field {segment:?} is given both as a value and as a list"
    ))
}

/// The entry `index` names in a list of `len` (`None`: a new one at the end), within
/// [`MAX_INDEX`], the entries it leaves empty taken from `gaps`.
fn take_index(index: Option<usize>, len: usize, gaps: &mut usize) -> Result<usize, WebhookError> {
    let i = index.unwrap_or(len);
    if i > MAX_INDEX {
        return Err(WebhookError::Malformed(format!(
            "list index {i} is too large"
        )));
    }
    *gaps = gaps.checked_sub(i.saturating_sub(len)).ok_or_else(|| {
        WebhookError::Malformed(format!("list indices leave more than {MAX_GAPS} gaps"))
    })?;
    Ok(i)
}

/// `gaps` is what is left of the body's budget of null-filled list entries.
fn insert(
    node: &mut Value,
    path: &[&str],
    value: Value,
    gaps: &mut usize,
) -> Result<(), WebhookError> {
    let Some((segment, rest)) = path.split_first() else {
        *node = value;
        return Ok(());
    };
    match list_index(segment) {
        Some(index) => {
            if node.is_null() || matches!(node, Value::Object(m) if m.is_empty()) {
                *node = Value::Array(Vec::new());
            }
            let Value::Array(items) = node else {
                return Err(conflict(segment));
            };
            let i = take_index(index, items.len(), gaps)?;
            while items.len() <= i {
                items.push(Value::Null);
            }
            insert(&mut items[i], rest, value, gaps)
        }
        None => {
            if node.is_null() {
                *node = Value::Object(Map::new());
            }
            let Value::Object(map) = node else {
                return Err(conflict(segment));
            };
            let child = map.entry((*segment).to_owned()).or_insert(Value::Null);
            insert(child, rest, value, gaps)
        }
    }
}

/// Encodes a JSON object as a bracket-nested form body (what Optix sends).
pub fn encode_form(fields: &Map<String, Value>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    fn walk(out: &mut form_urlencoded::Serializer<'_, String>, prefix: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(out, &format!("{prefix}[{k}]"), v);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(out, &format!("{prefix}[{i}]"), v);
                }
            }
            Value::String(s) => {
                out.append_pair(prefix, s);
            }
            Value::Null => {
                out.append_pair(prefix, "");
            }
            other => {
                out.append_pair(prefix, &other.to_string());
            }
        }
    }
    for (key, value) in fields {
        walk(&mut out, key, value);
    }
    out.finish()
}

fn required(fields: &Map<String, Value>, name: &'static str) -> Result<String, WebhookError> {
    text(fields, name).ok_or(WebhookError::MissingField(name))
}

/// A field as text, whether it arrived as a string or a number; empty → None.
pub fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    match fields.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A whole number from a string (`"1558977946"`, `"12.0"`) or a number.
pub fn integer(fields: &Map<String, Value>, name: &str) -> Option<i64> {
    let raw = text(fields, name)?;
    raw.parse::<i64>().ok().or_else(|| {
        raw.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f as i64)
    })
}

/// The fields every Optix webhook carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub client_id: String,
    pub created_timestamp: i64,
    /// Exactly as sent: the signature covers this text.
    pub created_timestamp_raw: String,
    pub organization_id: String,
    pub event: String,
    pub request_signature: String,
}

impl Envelope {
    pub fn from_fields(fields: &Map<String, Value>) -> Result<Envelope, WebhookError> {
        Envelope::from_text(|name| text(fields, name))
    }

    /// The envelope from each field's [`text`].
    fn from_text(text: impl Fn(&'static str) -> Option<String>) -> Result<Envelope, WebhookError> {
        let required = |name| text(name).ok_or(WebhookError::MissingField(name));
        let created_timestamp_raw = required("created_timestamp")?;
        let created_timestamp = created_timestamp_raw.parse::<i64>().map_err(|_| {
            WebhookError::Malformed(format!(
                "created_timestamp {created_timestamp_raw:?} is not a Unix time"
            ))
        })?;
        Ok(Envelope {
            client_id: required("client_id")?,
            created_timestamp,
            created_timestamp_raw,
            organization_id: required("organization_id")?,
            event: required("event")?,
            request_signature: required("request_signature")?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSubscription {
    pub plan_template_id: Option<String>,
    pub plan_template_name: Option<String>,
    pub account_plan_id: Option<String>,
    pub status: Option<String>,
    pub subscription_type: Option<String>,
    pub start_timestamp: Option<i64>,
    pub subscriber_emails: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRef {
    pub member_id: Option<String>,
    pub user_id: Option<String>,
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMembership {
    pub team_id: String,
    pub user_id: String,
    pub user_email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookingRef {
    pub booking_id: String,
    pub member_email: Option<String>,
    pub workspace_id: Option<String>,
    pub check_in_timestamp: Option<i64>,
    pub check_out_timestamp: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub assignment_id: String,
    pub resource_id: Option<String>,
    pub owner_email: Option<String>,
    pub start_timestamp: Option<i64>,
    pub end_timestamp: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkin {
    pub checkin_id: String,
    pub member_email: Option<String>,
    pub location_timezone: Option<String>,
}

/// The typed payload of each event of seed 002's webhooks list.
#[derive(Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    AppInstall {
        organization_token: String,
    },
    AppUninstall,
    OrganizationTokenUpdated {
        organization_token: String,
    },
    NewPlanSubscription(PlanSubscription),
    PlanSubscriptionChanged(PlanSubscription),
    CancelPlanSubscription(PlanSubscription),
    PlanEndingSoon(PlanSubscription),
    NewMember(MemberRef),
    MemberUpdated(MemberRef),
    MemberDeleted(MemberRef),
    NewLead(MemberRef),
    NewTeamMember(TeamMembership),
    TeamMemberDeleted(TeamMembership),
    TeamUpdated {
        team_id: String,
    },
    NewMemberBooking(BookingRef),
    MemberBookingUpdated(BookingRef),
    MemberBookingCancelled(BookingRef),
    AssignmentStarted(Assignment),
    AssignmentEnded(Assignment),
    NewCheckin(Checkin),
    CancelCheckin(Checkin),
    InvoicePaid {
        invoice_id: String,
    },
    InvoiceUpdated {
        invoice_id: String,
    },
    NewSale {
        product_sale_id: Option<String>,
    },
    NewIssue {
        issue_id: Option<String>,
        location_id: Option<String>,
    },
    /// An event we don't know yet: accepted and kept raw in the stream.
    Unknown(String),
}

impl fmt::Debug for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookEvent::AppInstall { .. } => {
                f.write_str("AppInstall { organization_token: [redacted] }")
            }
            WebhookEvent::OrganizationTokenUpdated { .. } => {
                f.write_str("OrganizationTokenUpdated { organization_token: [redacted] }")
            }
            WebhookEvent::AppUninstall => f.write_str("AppUninstall"),
            WebhookEvent::NewPlanSubscription(p) => write!(f, "NewPlanSubscription({p:?})"),
            WebhookEvent::PlanSubscriptionChanged(p) => write!(f, "PlanSubscriptionChanged({p:?})"),
            WebhookEvent::CancelPlanSubscription(p) => write!(f, "CancelPlanSubscription({p:?})"),
            WebhookEvent::PlanEndingSoon(p) => write!(f, "PlanEndingSoon({p:?})"),
            WebhookEvent::NewMember(m) => write!(f, "NewMember({m:?})"),
            WebhookEvent::MemberUpdated(m) => write!(f, "MemberUpdated({m:?})"),
            WebhookEvent::MemberDeleted(m) => write!(f, "MemberDeleted({m:?})"),
            WebhookEvent::NewLead(m) => write!(f, "NewLead({m:?})"),
            WebhookEvent::NewTeamMember(t) => write!(f, "NewTeamMember({t:?})"),
            WebhookEvent::TeamMemberDeleted(t) => write!(f, "TeamMemberDeleted({t:?})"),
            WebhookEvent::TeamUpdated { team_id } => write!(f, "TeamUpdated({team_id})"),
            WebhookEvent::NewMemberBooking(b) => write!(f, "NewMemberBooking({b:?})"),
            WebhookEvent::MemberBookingUpdated(b) => write!(f, "MemberBookingUpdated({b:?})"),
            WebhookEvent::MemberBookingCancelled(b) => write!(f, "MemberBookingCancelled({b:?})"),
            WebhookEvent::AssignmentStarted(a) => write!(f, "AssignmentStarted({a:?})"),
            WebhookEvent::AssignmentEnded(a) => write!(f, "AssignmentEnded({a:?})"),
            WebhookEvent::NewCheckin(c) => write!(f, "NewCheckin({c:?})"),
            WebhookEvent::CancelCheckin(c) => write!(f, "CancelCheckin({c:?})"),
            WebhookEvent::InvoicePaid { invoice_id } => write!(f, "InvoicePaid({invoice_id})"),
            WebhookEvent::InvoiceUpdated { invoice_id } => {
                write!(f, "InvoiceUpdated({invoice_id})")
            }
            WebhookEvent::NewSale { product_sale_id } => write!(f, "NewSale({product_sale_id:?})"),
            WebhookEvent::NewIssue {
                issue_id,
                location_id,
            } => write!(f, "NewIssue({issue_id:?}, {location_id:?})"),
            WebhookEvent::Unknown(name) => write!(f, "Unknown({name})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub envelope: Envelope,
    pub event: WebhookEvent,
}

impl Webhook {
    /// Dispatches on the envelope's `event` (seed 002's `member_deleted` example wrongly shows
    /// `"event": "new_member"`; the envelope is what Optix sends for the subscription).
    pub fn from_fields(fields: &Map<String, Value>) -> Result<Webhook, WebhookError> {
        let envelope = Envelope::from_fields(fields)?;
        let event = typed_event(&envelope.event, fields)?;
        Ok(Webhook { envelope, event })
    }
}

fn plan(fields: &Map<String, Value>) -> PlanSubscription {
    let subscriber_emails = match fields.get("subscribers") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|s| s.as_object())
            .filter_map(|s| text(s, "email"))
            .collect(),
        Some(Value::Object(by_index)) => by_index
            .values()
            .filter_map(|s| s.as_object())
            .filter_map(|s| text(s, "email"))
            .collect(),
        _ => Vec::new(),
    };
    PlanSubscription {
        plan_template_id: text(fields, "plan_template_id"),
        plan_template_name: text(fields, "plan_template_name"),
        account_plan_id: text(fields, "account_plan_id"),
        status: text(fields, "status"),
        subscription_type: text(fields, "subscription_type"),
        start_timestamp: integer(fields, "start_unix_timestamp"),
        subscriber_emails,
    }
}

fn member(fields: &Map<String, Value>) -> MemberRef {
    MemberRef {
        member_id: text(fields, "member_id"),
        user_id: text(fields, "user_id"),
        email: text(fields, "email").or_else(|| text(fields, "member_email")),
    }
}

fn team(fields: &Map<String, Value>) -> Result<TeamMembership, WebhookError> {
    Ok(TeamMembership {
        team_id: required(fields, "team_id")?,
        user_id: required(fields, "user_id")?,
        user_email: text(fields, "user_email"),
    })
}

fn booking(fields: &Map<String, Value>) -> Result<BookingRef, WebhookError> {
    Ok(BookingRef {
        booking_id: required(fields, "booking_id")?,
        member_email: text(fields, "member_email"),
        workspace_id: text(fields, "workspace_id"),
        check_in_timestamp: integer(fields, "check_in_timestamp"),
        check_out_timestamp: integer(fields, "check_out_timestamp"),
    })
}

fn assignment(fields: &Map<String, Value>) -> Result<Assignment, WebhookError> {
    Ok(Assignment {
        assignment_id: required(fields, "assignment_id")?,
        resource_id: text(fields, "resource_id"),
        owner_email: text(fields, "owner_email"),
        start_timestamp: integer(fields, "start_timestamp"),
        end_timestamp: integer(fields, "end_timestamp"),
    })
}

fn checkin(fields: &Map<String, Value>) -> Result<Checkin, WebhookError> {
    Ok(Checkin {
        checkin_id: required(fields, "checkin_id")?,
        member_email: text(fields, "member_email"),
        location_timezone: text(fields, "location_timezone"),
    })
}

/// Every event of seed 002's webhooks list.
pub const KNOWN_EVENTS: &[&str] = &[
    "app_install",
    "app_uninstall",
    "organization_token_updated",
    "new_plan_subscription",
    "plan_subscription_changed",
    "cancel_plan_subscription",
    "plan_ending_soon",
    "new_member",
    "member_updated",
    "member_deleted",
    "new_lead",
    "new_team_member",
    "team_member_deleted",
    "team_updated",
    "new_member_booking",
    "member_booking_updated",
    "member_booking_cancelled",
    "assignment_started",
    "assignment_ended",
    "new_checkin",
    "cancel_checkin",
    "invoice_paid",
    "invoice_updated",
    "new_sale",
    "new_issue",
];

/// The event name fit for a metric label: known names as they are, anything else `other`
/// (the name comes from the request, and labels must stay a small, fixed set).
pub fn event_label(name: &str) -> &'static str {
    known_event(name).map_or("other", |at| KNOWN_EVENTS[at])
}

/// Where `name` stands in [`KNOWN_EVENTS`], if it is one.
pub fn known_event(name: &str) -> Option<usize> {
    KNOWN_EVENTS.iter().position(|known| *known == name)
}

fn typed_event(name: &str, fields: &Map<String, Value>) -> Result<WebhookEvent, WebhookError> {
    Ok(match name {
        "app_install" => WebhookEvent::AppInstall {
            organization_token: required(fields, "organization_token")?,
        },
        "organization_token_updated" => WebhookEvent::OrganizationTokenUpdated {
            organization_token: required(fields, "organization_token")?,
        },
        "app_uninstall" => WebhookEvent::AppUninstall,
        "new_plan_subscription" => WebhookEvent::NewPlanSubscription(plan(fields)),
        "plan_subscription_changed" => WebhookEvent::PlanSubscriptionChanged(plan(fields)),
        "cancel_plan_subscription" => WebhookEvent::CancelPlanSubscription(plan(fields)),
        "plan_ending_soon" => WebhookEvent::PlanEndingSoon(plan(fields)),
        "new_member" => WebhookEvent::NewMember(member(fields)),
        "member_updated" => WebhookEvent::MemberUpdated(member(fields)),
        "member_deleted" => WebhookEvent::MemberDeleted(member(fields)),
        "new_lead" => WebhookEvent::NewLead(member(fields)),
        "new_team_member" => WebhookEvent::NewTeamMember(team(fields)?),
        "team_member_deleted" => WebhookEvent::TeamMemberDeleted(team(fields)?),
        "team_updated" => WebhookEvent::TeamUpdated {
            team_id: required(fields, "team_id")?,
        },
        "new_member_booking" => WebhookEvent::NewMemberBooking(booking(fields)?),
        "member_booking_updated" => WebhookEvent::MemberBookingUpdated(booking(fields)?),
        "member_booking_cancelled" => WebhookEvent::MemberBookingCancelled(booking(fields)?),
        "assignment_started" => WebhookEvent::AssignmentStarted(assignment(fields)?),
        "assignment_ended" => WebhookEvent::AssignmentEnded(assignment(fields)?),
        "new_checkin" => WebhookEvent::NewCheckin(checkin(fields)?),
        "cancel_checkin" => WebhookEvent::CancelCheckin(checkin(fields)?),
        "invoice_paid" => WebhookEvent::InvoicePaid {
            invoice_id: required(fields, "invoice_id")?,
        },
        "invoice_updated" => WebhookEvent::InvoiceUpdated {
            invoice_id: required(fields, "invoice_id")?,
        },
        "new_sale" => WebhookEvent::NewSale {
            product_sale_id: text(fields, "product_sale_id"),
        },
        "new_issue" => WebhookEvent::NewIssue {
            issue_id: text(fields, "issue_id"),
            location_id: text(fields, "location_id"),
        },
        other => WebhookEvent::Unknown(other.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bracket_forms_nest_into_lists_and_objects() {
        let body = b"event=new_plan_subscription&subscribers%5B0%5D%5Bemail%5D=a%40x.com&subscribers[1][email]=b@x.com&price=300.00";
        let fields = parse_form(body).expect("parse");
        assert_eq!(
            fields["subscribers"],
            json!([{"email": "a@x.com"}, {"email": "b@x.com"}])
        );
        assert_eq!(fields["price"], "300.00");
    }

    #[test]
    fn encode_then_parse_roundtrips() {
        let value = json!({"a": "1", "list": [{"x": "y", "z": "w"}, {"x": "2"}], "n": 5});
        let Value::Object(map) = value else {
            unreachable!()
        };
        let parsed = parse_form(encode_form(&map).as_bytes()).expect("parse");
        assert_eq!(parsed["list"], json!([{"x": "y", "z": "w"}, {"x": "2"}]));
        assert_eq!(parsed["n"], "5");
        assert_eq!(integer(&parsed, "n"), Some(5));
    }

    #[test]
    fn malformed_forms_are_refused_with_a_reason() {
        assert!(parse_form(b"").is_err());
        // Found by fuzzing: only nameless pairs parsed into no fields at all.
        assert_eq!(
            parse_form(b"=7d5ee091717b8eb%E2%80%A6e8b8a1ab1a50\0\0\x08\x10d\": \"3"),
            Err(WebhookError::Malformed("empty body".into()))
        );
        assert!(parse_form(b"=&=x").is_err());
        // Found by fuzzing: sparse indices multiplied an 18-byte body into 2000+ values.
        assert_eq!(
            parse_form(b"d[100][1000][1000]"),
            Err(WebhookError::Malformed(
                "list indices leave more than 1000 gaps".into()
            ))
        );
        assert!(parse_form(b"a[1000]=x").is_ok());
        assert!(parse_form(b"a[1000]=x&b[1]=y").is_err());
        assert!(parse_form(b"a[0=1").is_err());
        assert!(parse_form(b"[x]=1").is_err());
        assert!(parse_form(b"a=1&a[0]=2").is_err());
        assert!(parse_form(b"a[100000]=1").is_err());
        assert!(parse_form(b"a[1][2][3][4][5][6][7][8][9]=1").is_err());
        assert!(parse_form(&[0xff, 0xfe]).is_err());
        assert_eq!(
            parse_json(b"[1]"),
            Err(WebhookError::Malformed(
                "JSON body must be an object".into()
            ))
        );
    }

    #[test]
    fn envelope_fields_are_required_and_timestamps_parse_from_strings_or_numbers() {
        let Value::Object(fields) = json!({"client_id": "c", "created_timestamp": 1545092451, "organization_id": 3568,
            "event": "app_uninstall", "request_signature": "s"})
        else {
            unreachable!()
        };
        let envelope = Envelope::from_fields(&fields).expect("envelope");
        assert_eq!(envelope.created_timestamp, 1545092451);
        assert_eq!(envelope.created_timestamp_raw, "1545092451");
        assert_eq!(envelope.organization_id, "3568");
        let mut missing = fields.clone();
        missing.remove("request_signature");
        assert_eq!(
            Envelope::from_fields(&missing),
            Err(WebhookError::MissingField("request_signature"))
        );
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        let event = WebhookEvent::AppInstall {
            organization_token: "5c26d23356o".into(),
        };
        assert!(!format!("{event:?}").contains("5c26"));
    }
}
