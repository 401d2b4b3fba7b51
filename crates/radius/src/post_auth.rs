//! `POST /freeradius/post-auth`: what FreeRADIUS finally answered (Accept or Reject), for the
//! metrics.

use crate::state::State;
use actix_web::{HttpResponse, web};

pub(crate) async fn post_auth(_state: web::Data<State>) -> HttpResponse {
    HttpResponse::NoContent().finish()
}
