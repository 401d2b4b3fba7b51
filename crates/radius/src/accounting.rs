//! `POST /freeradius/accounting`: Accounting-Request (Start, Interim-Update, Stop,
//! Accounting-On/Off). PLACEHOLDER on the read branch: the accounting engineer's handler
//! replaces this module; until then FreeRADIUS gets 503 (`fail`), so the NAS retries.

use actix_web::HttpResponse;

pub(crate) async fn accounting() -> HttpResponse {
    HttpResponse::ServiceUnavailable().body("accounting is not stored yet")
}
