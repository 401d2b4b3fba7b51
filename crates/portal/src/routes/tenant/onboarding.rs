//! `POST /wifi/start`: onboards the signed-in tenant where their session began (the key page's
//! "Get my WiFi key" and "Check again" buttons).

use crate::error::PortalError;
use crate::forms::CsrfForm;
use crate::onboarding::onboard_if_needed;
use crate::responses::see_other;
use crate::state::State;
use crate::tenant_session::signed_in_form;
use actix_web::{HttpRequest, HttpResponse, web};

pub(crate) async fn start_onboarding(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PortalError> {
    let (cookie, row) = match signed_in_form(&state, &request, &form.csrf).await? {
        Ok(signed_in) => signed_in,
        Err(page) => return Ok(page),
    };
    Ok(match onboard_if_needed(&state, &cookie, &row).await? {
        Some(page) => page,
        None => see_other("/wifi"),
    })
}
