//! `POST /wifi/start`: onboards the signed-in tenant where their session began (the key page's
//! "Get my WiFi key" and "Check again" buttons).

use crate::error::PortalError;
use crate::forms::CsrfForm;
use crate::onboarding::onboard_if_needed;
use crate::responses::see_other;
use crate::state::State;
use crate::tenant_session::SignedInForm;
use actix_web::{HttpRequest, HttpResponse, web};

pub(crate) async fn start_onboarding(
    state: web::Data<State>,
    request: HttpRequest,
    tenant: SignedInForm<CsrfForm>,
) -> Result<HttpResponse, PortalError> {
    Ok(
        match onboard_if_needed(&state, &request, &tenant.cookie, &tenant.row).await? {
            Some(page) => page,
            None => see_other("/wifi"),
        },
    )
}
