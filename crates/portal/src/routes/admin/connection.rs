//! `GET /canvas/admin/connection`: how the organization is connected — to Optix through the
//! app, or to OfficeRnD with an application's credentials (slug and client id shown, the
//! secret never) — and `POST /canvas/admin/connection/test`: "test connection" (a token and
//! the organization lookup with the stored credentials).

use crate::admin_forms::{Banner, Flash, PageResult};
use crate::admin_session::{Admin, admin_form};
use crate::forms::CsrfForm;
use crate::officernd_admin;
use crate::pages::Framing;
use crate::state::State;
use actix_web::{HttpRequest, web};
use askama::Template;

pub(crate) const PATH: &str = "/canvas/admin/connection";

/// An OfficeRnD connection's words on the page.
struct OfficeRndAccount {
    slug: String,
    client_id: String,
}

#[derive(Template)]
#[template(path = "admin_connection.html")]
struct ConnectionPage {
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    org_id: String,
    officernd: Option<OfficeRndAccount>,
}

async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
    let connection = officernd_admin::connection(state, &admin.row.org_id).await?;
    let page = ConnectionPage {
        title: "Connection".into(),
        section: "connection",
        notice: banner.notice,
        error: banner.error,
        csrf: admin.csrf(state),
        org_id: admin.row.org_id.clone(),
        officernd: connection.map(|c| OfficeRndAccount {
            slug: c.account.slug,
            client_id: c.account.client_id,
        }),
    };
    state.page(banner.status, Framing::Optix, &page)
}

/// `GET /canvas/admin/connection`.
pub(crate) async fn show(
    state: web::Data<State>,
    flash: web::Query<Flash>,
    admin: Admin,
) -> PageResult {
    render(&state, &admin, Banner::shown(flash.notice())).await
}

/// `POST /canvas/admin/connection/test`: the page again, saying what OfficeRnD answered.
pub(crate) async fn test(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<CsrfForm>,
) -> PageResult {
    let admin = match admin_form(&state, &request, &form.csrf, PATH).await? {
        Ok(admin) => admin,
        Err(page) => return Ok(page),
    };
    let banner = match officernd_admin::connection(&state, &admin.row.org_id).await? {
        None => Banner::refused(
            "This organization is connected through the Optix app: there is nothing to test here."
                .into(),
        ),
        Some(connection) => {
            match officernd_admin::test_connection(&state, &connection.credentials()).await {
                Ok((name, org_id)) if org_id == admin.row.org_id => {
                    Banner::shown(Some(format!("Connection works: {name} ({org_id}).")))
                }
                Ok((name, org_id)) => Banner::refused(format!(
                    "The stored credentials read another organization, {name} ({org_id}): connect again with this organization's."
                )),
                Err(problem) => Banner::refused(problem),
            }
        }
    };
    render(&state, &admin, banner).await
}
