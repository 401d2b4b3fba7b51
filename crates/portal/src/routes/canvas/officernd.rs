//! OfficeRnD's ways into the admin pages (docs/officernd.md §13):
//!
//! - `GET /canvas/admin/officernd?slug=…&organizationId=…&memberId=…&locations=…&signature=…`:
//!   OfficeRnD opens Lanyard's integration page with signed parameters. The signature is
//!   checked with the connection's client secret (constant-time, its `t` within
//!   `officernd.signature_tolerance_secs`); a refused one is a 401 saying why. A GET signs
//!   nobody in (no login CSRF): the page asks to continue, and its POST (the same parameters
//!   and the page's CSRF token) checks the signature again, spends it (a signed URL signs in
//!   once) and starts an admin session.
//! - `GET|POST /canvas/admin/officernd/connect`: the first connection, before Lanyard holds a
//!   secret OfficeRnD could sign with: the operator's connect code (`lanyard officernd
//!   connect-code`), the slug, the client id and secret and the webhook secret, all posted
//!   (never in a URL, never shown again); "Test connection", or "Connect" (`ConnectOfficeRnd`,
//!   which provision tests again before recording anything).

use crate::admin_forms::{PageResult, provision_refusal};
use crate::admin_session::start;
use crate::commands::Answer;
use crate::input::plausible_id;
use crate::language::PageLanguage;
use crate::officernd_admin::{self, Connection};
use crate::pages::{Framing, Message};
use crate::session::{self, CANVAS_CSRF_COOKIE, CANVAS_PRE_SCOPE, Site};
use crate::state::State;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use askama::Template;
use bus::commands::{Command, CredentialText};
use domain::Platform;
use i18n::Texts;
use officernd::integration_page::PageParameters;
use officernd::webhook::SignatureError;
use serde::Deserialize;

pub(crate) const ENTRY_PATH: &str = "/canvas/admin/officernd";
pub(crate) const CONNECT_PATH: &str = "/canvas/admin/officernd/connect";
/// Where a signed-in OfficeRnD admin lands.
const LANDING: &str = "/canvas/admin/connection";
/// The actor of a connection made with the operator's connect code.
const CONNECT_CODE_USER: &str = "connectcode";

/// An integration page's query (or its continue form): the signed parameters, the signature,
/// and on the form the page's CSRF token.
#[derive(Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SignedPage {
    slug: String,
    organization_id: String,
    member_id: String,
    locations: String,
    signature: String,
    csrf: String,
}

impl SignedPage {
    fn parameters(&self) -> PageParameters {
        PageParameters {
            slug: self.slug.clone(),
            organization_id: self.organization_id.clone(),
            member_id: self.member_id.clone(),
            locations: self.locations.clone(),
        }
    }
}

/// Why an integration page was refused: each a 401 with its reason.
enum Refusal {
    Signature(SignatureError),
    NotConnected,
    SlugMismatch,
    UnknownMember,
    Spent,
}

impl Refusal {
    fn reason(&self) -> &'static str {
        match self {
            Refusal::Signature(e) => e.label(),
            Refusal::NotConnected => "organization_not_connected",
            Refusal::SlugMismatch => "slug_mismatch",
            Refusal::UnknownMember => "member_id_malformed",
            Refusal::Spent => "signature_used",
        }
    }

    fn words(&self) -> String {
        match self {
            Refusal::Signature(SignatureError::Missing) => {
                "the signature parameter is missing".into()
            }
            Refusal::Signature(SignatureError::Malformed) => {
                "the signature parameter is malformed: expected t=<unix seconds>,signature=<hex>"
                    .into()
            }
            Refusal::Signature(SignatureError::Stale(t)) => format!(
                "the signature's time {t} is too far from now: open the page from OfficeRnD again"
            ),
            Refusal::Signature(SignatureError::Mismatch) => {
                "the signature does not match the parameters and this organization's secret".into()
            }
            Refusal::NotConnected => "this OfficeRnD organization is not connected to Lanyard: \
                 connect it first (ask the operator for a connect code)"
                .into(),
            Refusal::SlugMismatch => "the slug is not the connected organization's".into(),
            Refusal::UnknownMember => "the member id is missing or malformed".into(),
            Refusal::Spent => "this signed link was used already: open the page from \
                 OfficeRnD again"
                .into(),
        }
    }
}

#[derive(Template)]
#[template(path = "officernd_continue.html")]
struct ContinuePage {
    t: Texts<'static>,
    title: String,
    csrf: String,
    page: SignedPage,
    organization: String,
}

/// The organization the page names and its connection, if OfficeRnD's signature holds.
async fn check_signed(
    state: &State,
    page: &SignedPage,
) -> Result<Result<(String, Connection), Refusal>, crate::error::PortalError> {
    if !plausible_id(&page.organization_id) {
        return Ok(Err(Refusal::NotConnected));
    }
    let org_id = Platform::OfficeRnd.org_id(&page.organization_id);
    let Some(connection) = officernd_admin::connection(state, &org_id).await? else {
        return Ok(Err(Refusal::NotConnected));
    };
    let signature = Some(page.signature.as_str()).filter(|s| !s.is_empty());
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = page.parameters().verify(
        signature,
        connection.secret(),
        now,
        state.officernd_tolerance_secs,
    ) {
        return Ok(Err(Refusal::Signature(e)));
    }
    if page.slug != connection.account.slug {
        return Ok(Err(Refusal::SlugMismatch));
    }
    if !page.member_id.bytes().all(|b| b.is_ascii_alphanumeric()) || !plausible_id(&page.member_id)
    {
        return Ok(Err(Refusal::UnknownMember));
    }
    Ok(Ok((org_id, connection)))
}

fn refused(state: &State, lang: &PageLanguage, refusal: &Refusal) -> PageResult {
    tracing::warn!(
        reason = refusal.reason(),
        "an OfficeRnD integration page was refused"
    );
    let page = Message::localized(
        lang,
        "admin-officernd-refused-title",
        &["admin-officernd-refused-text"],
    )
    .detail(format!("{} ({})", refusal.words(), refusal.reason()));
    state.page(StatusCode::UNAUTHORIZED, Framing::Optix, &page)
}

/// `GET /canvas/admin/officernd`: the signature checked, a page asking to continue.
pub(crate) async fn entry_page(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<SignedPage>,
) -> PageResult {
    let page = query.into_inner();
    let lang = PageLanguage::new(&state, &request, None);
    let t = lang.t;
    match check_signed(&state, &page).await? {
        Err(refusal) => refused(&state, &lang, &refusal),
        Ok((_, connection)) => {
            let (secret, cookie) =
                session::pre_session(&request, CANVAS_CSRF_COOKIE, Site::Embedded);
            let continue_page = ContinuePage {
                t,
                title: t.get("admin-brand"),
                csrf: session::csrf_token(&state.keys, CANVAS_PRE_SCOPE, &secret),
                organization: connection.account.slug.clone(),
                page,
            };
            state.page_with_new_cookie(StatusCode::OK, Framing::Optix, &continue_page, cookie)
        }
    }
}

/// Whether this signature is unused within its window; records it when so. Recorded in
/// PostgreSQL (a limit of one in `portal_rate_limits`, keyed by its keyed hash), so a signed
/// URL spent on one portal instance signs nobody in on another either.
async fn spend(
    state: &State,
    org_id: &str,
    signature: &str,
) -> Result<bool, crate::error::PortalError> {
    let window = (state.officernd_tolerance_secs.unsigned_abs() * 2).max(1);
    let spent = state
        .limit_within("officernd_signature", org_id, signature, 1, window)
        .await?;
    Ok(matches!(spent, crate::db::Limit::Allowed))
}

/// Whether a form shown before signing in carries its page's CSRF token.
fn form_ok(state: &State, request: &HttpRequest, csrf: &str) -> bool {
    session::pre_session_form_ok(
        &state.keys,
        request,
        CANVAS_CSRF_COOKIE,
        CANVAS_PRE_SCOPE,
        csrf,
    )
}

/// `POST /canvas/admin/officernd`: the signature again, spent, and an admin session.
pub(crate) async fn entry_signin(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<SignedPage>,
) -> PageResult {
    let form = form.into_inner();
    let lang = PageLanguage::new(&state, &request, None);
    if !form_ok(&state, &request, &form.csrf) {
        return state.form_expired(&lang, Framing::Optix, ENTRY_PATH);
    }
    let t = lang.t;
    let (org_id, connection) = match check_signed(&state, &form).await? {
        Ok(checked) => checked,
        Err(refusal) => return refused(&state, &lang, &refusal),
    };
    if !spend(&state, &org_id, &form.signature).await? {
        return refused(&state, &lang, &Refusal::Spent);
    }
    let name = t.get_with("admin-officernd-member", &[("member", &form.member_id)]);
    let context = officernd_admin::admin_context(&state, &connection, &name).await;
    start(
        &state,
        &request,
        &org_id,
        &form.member_id,
        &context,
        LANDING,
    )
    .await
}

/// The connect form; what was typed comes back after a refusal, except the secrets.
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct ConnectForm {
    csrf: String,
    /// `test` or `connect`.
    action: String,
    code: String,
    slug: String,
    client_id: String,
    client_secret: String,
    webhook_secret: String,
}

#[derive(Template)]
#[template(path = "officernd_connect.html")]
struct ConnectPage {
    t: Texts<'static>,
    title: String,
    csrf: String,
    slug: String,
    client_id: String,
    notice: Option<String>,
    error: Option<String>,
}

fn connect_page(
    state: &State,
    request: &HttpRequest,
    form: &ConnectForm,
    status: StatusCode,
    outcome: Result<String, String>,
) -> PageResult {
    let (secret, cookie) = session::pre_session(request, CANVAS_CSRF_COOKIE, Site::Embedded);
    let (notice, error) = match outcome {
        Ok(notice) => (Some(notice).filter(|n| !n.is_empty()), None),
        Err(error) => (None, Some(error)),
    };
    let t = PageLanguage::new(state, request, None).t;
    let page = ConnectPage {
        t,
        title: t.get("admin-officernd-connect-title"),
        csrf: session::csrf_token(&state.keys, CANVAS_PRE_SCOPE, &secret),
        slug: form.slug.trim().to_owned(),
        client_id: form.client_id.trim().to_owned(),
        notice,
        error,
    };
    state.page_with_new_cookie(status, Framing::Optix, &page, cookie)
}

/// `GET /canvas/admin/officernd/connect`.
pub(crate) async fn connect_form(state: web::Data<State>, request: HttpRequest) -> PageResult {
    let empty = ConnectForm::default();
    connect_page(&state, &request, &empty, StatusCode::OK, Ok(String::new()))
}

/// The form's own problems, in words.
fn check_form(
    state: &State,
    t: &Texts<'_>,
    form: &ConnectForm,
) -> Result<(), (StatusCode, String)> {
    let unprocessable = |id: &str| Err((StatusCode::UNPROCESSABLE_ENTITY, t.get(id)));
    if !officernd::slug_ok(form.slug.trim()) {
        return unprocessable("admin-officernd-bad-slug");
    }
    if form.client_id.trim().is_empty() || form.client_id.len() > 200 {
        return unprocessable("admin-officernd-give-client-id");
    }
    if form.client_secret.is_empty() || form.client_secret.len() > 500 {
        return unprocessable("admin-officernd-give-client-secret");
    }
    let now = chrono::Utc::now().timestamp();
    secrets::connect_codes::check(&state.keys, form.slug.trim(), &form.code, now).map_err(|e| {
        tracing::warn!(reason = %e, "an OfficeRnD connect code was refused");
        (
            StatusCode::UNAUTHORIZED,
            format!("{}.", crate::pages::sentence(&e.to_string())),
        )
    })
}

/// `POST /canvas/admin/officernd/connect`: the code and the form checked, the connection
/// tested; "Connect" sends `ConnectOfficeRnd` and signs the admin in.
pub(crate) async fn connect(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<ConnectForm>,
) -> PageResult {
    let form = form.into_inner();
    let lang = PageLanguage::new(&state, &request, None);
    if !form_ok(&state, &request, &form.csrf) {
        return state.form_expired(&lang, Framing::Optix, CONNECT_PATH);
    }
    let answer = |status, outcome| connect_page(&state, &request, &form, status, outcome);
    let t = lang.t;
    if let Err((status, problem)) = check_form(&state, &t, &form) {
        return answer(status, Err(problem));
    }
    let credentials =
        officernd::Credentials::new(form.client_id.trim(), &form.client_secret, form.slug.trim());
    let (name, org_id) = match officernd_admin::test_connection(&state, &t, &credentials).await {
        Ok(found) => found,
        Err(problem) => return answer(StatusCode::UNPROCESSABLE_ENTITY, Err(problem)),
    };
    if form.action != "connect" {
        let works = officernd_admin::connection_works(&t, &name, &org_id);
        return answer(StatusCode::OK, Ok(works));
    }
    if officernd_admin::connection(&state, &org_id)
        .await?
        .is_some()
    {
        return answer(
            StatusCode::CONFLICT,
            Err(t.get_with("admin-officernd-connected-already", &[("name", &name)])),
        );
    }
    send_connect(&state, &request, &form, &org_id, &name).await
}

/// `ConnectOfficeRnd` as the connect code's holder; then their admin session.
async fn send_connect(
    state: &State,
    request: &HttpRequest,
    form: &ConnectForm,
    org_id: &str,
    name: &str,
) -> PageResult {
    let command = Command::ConnectOfficeRnd {
        client_id: form.client_id.trim().to_owned(),
        client_secret: CredentialText(form.client_secret.clone()),
        slug: form.slug.trim().to_owned(),
        webhook_secret: CredentialText(form.webhook_secret.trim().to_owned()),
    };
    let actor = format!("admin:{CONNECT_CODE_USER}");
    match state.command(org_id, &actor, command).await {
        Answer::Done { .. } => {
            tracing::info!(
                org_id,
                "an OfficeRnD organization was connected with a connect code"
            );
            let account = domain::PlatformAccount {
                client_id: form.client_id.trim().to_owned(),
                slug: form.slug.trim().to_owned(),
            };
            let connection = Connection::new(account, form.client_secret.clone());
            let context = officernd_admin::admin_context(state, &connection, name).await;
            let landing = format!("{LANDING}?ok=officernd_connected");
            start(
                state,
                request,
                org_id,
                CONNECT_CODE_USER,
                &context,
                &landing,
            )
            .await
        }
        Answer::Refused { message, .. } => {
            let t = PageLanguage::new(state, request, None).t;
            let problem = provision_refusal(&t, &message);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            connect_page(state, request, form, status, Err(problem))
        }
        Answer::Unavailable => {
            let lang = PageLanguage::new(state, request, None);
            state.unavailable(&lang, Framing::Optix, CONNECT_PATH)
        }
    }
}
