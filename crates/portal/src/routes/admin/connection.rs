//! `GET /canvas/admin/connection`: how the organization is connected — to Optix through the
//! app, or to OfficeRnD with an application's credentials (slug and client id shown, the
//! secret never) — and `POST /canvas/admin/connection/test`: "test connection" (a token and
//! the organization lookup with the stored credentials).

use crate::admin_forms::{Banner, Flash, PageResult};
use crate::admin_session::{Admin, admin_form};
use crate::forms::CsrfForm;
use crate::language::LanguageSwitch;
use crate::officernd_admin;
use crate::pages::Framing;
use crate::state::State;
use actix_web::{HttpRequest, web};
use askama::Template;
use i18n::Texts;

pub(crate) const PATH: &str = "/canvas/admin/connection";

/// An OfficeRnD connection's words on the page.
struct OfficeRndAccount {
    slug: String,
    client_id: String,
}

#[derive(Template)]
#[template(path = "admin_connection.html")]
struct ConnectionPage {
    t: Texts<'static>,
    switch: LanguageSwitch,
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
        t: admin.texts,
        switch: admin.language.switch(),
        title: admin.texts.get("admin-nav-connection"),
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
    render(&state, &admin, Banner::shown(flash.notice(&admin.texts))).await
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
    let t = admin.texts;
    let banner = match officernd_admin::connection(&state, &admin.row.org_id).await? {
        None => Banner::refused(t.get("admin-connection-nothing-to-test")),
        Some(connection) => {
            match officernd_admin::test_connection(&state, &t, &connection.credentials()).await {
                Ok((name, org_id)) if org_id == admin.row.org_id => {
                    Banner::shown(Some(officernd_admin::connection_works(&t, &name, &org_id)))
                }
                Ok((name, org_id)) => Banner::refused(t.get_with(
                    "admin-connection-other-org",
                    &[("name", &name), ("org", &org_id)],
                )),
                Err(problem) => Banner::refused(problem),
            }
        }
    };
    render(&state, &admin, banner).await
}
