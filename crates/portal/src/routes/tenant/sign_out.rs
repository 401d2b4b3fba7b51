//! `POST /wifi/signout`: ends the tenant's session (their key keeps working on their devices).

use crate::db;
use crate::error::PortalError;
use crate::forms::CsrfForm;
use crate::pages::{Action, Framing, Message};
use crate::place::portal_path;
use crate::responses::with_cookie;
use crate::session::{self, Site, TENANT_COOKIE};
use crate::state::State;
use crate::tenant_session::SignedInForm;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

pub(crate) async fn sign_out(
    state: web::Data<State>,
    request: HttpRequest,
    tenant: SignedInForm<CsrfForm>,
) -> Result<HttpResponse, PortalError> {
    let SignedInForm { cookie, row, .. } = tenant;
    let lang = state.page_language(&request, Some(&row.org_id)).await;
    {
        let client = state.pool.get().await?;
        db::delete_session(&client, &session::sha256_hex(&cookie)).await?;
    }
    let back = row
        .location_id
        .as_deref()
        .map(|l| portal_path(&row.org_id, l))
        .unwrap_or_else(|| "/".into());
    let page = state.page(
        StatusCode::OK,
        Framing::Deny,
        &Message::localized(&lang, "signed-out-title", &["signed-out-text"])
            .action(Action::link(back, lang.t.get("sign-in-again"))),
    )?;
    Ok(with_cookie(
        page,
        &session::cookie(TENANT_COOKIE, "", "/", Some(0), Site::Portal),
    ))
}
