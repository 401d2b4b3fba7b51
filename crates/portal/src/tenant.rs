//! The tenant portal (one URL per location: ask for a sign-in link by email, follow it) and the
//! key page every signed-in tenant sees, whether they came by link or from the Optix app.

use crate::db::{self, LinkUse, SessionKind, SessionRow, Via};
use crate::pages::{Action, CheckEmail, EmailForm, Framing, KeyPage, Message, TokenPage};
use crate::session::{self, CSRF_COOKIE, Site, TENANT_COOKIE};
use crate::{Answer, PortalError, RateLimit, State, metrics, plausible_id, see_other, with_cookie};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use bus::commands::{Command, PassphraseText, RefusalCode};
use chrono::Utc;
use chrono_tz::Tz;
use domain::LocationSettings;
use domain::describe::valid_words;
use domain::events::OnboardedVia;
use serde::Deserialize;

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/l/{org}/{location}", web::get().to(portal_page))
        .route("/l/{org}/{location}", web::post().to(request_link))
        .route("/l/{org}/{location}/signin", web::get().to(signin_page))
        .route("/l/{org}/{location}/signin", web::post().to(signin))
        .route("/wifi", web::get().to(key_page))
        .route("/wifi/start", web::post().to(start_onboarding))
        .route("/wifi/passphrase", web::post().to(set_passphrase))
        .route("/wifi/regenerate", web::post().to(regenerate))
        .route("/wifi/signout", web::post().to(sign_out));
}

/// CSRF scopes: forms before signing in, and forms of a signed-in tenant.
const PRE_SCOPE: &str = "pre";
const TENANT_SCOPE: &str = "tenant";

/// Is this a portal Lanyard serves?
pub(crate) enum Place {
    Ready(LocationSettings),
    UnknownOrganization,
    Unmapped,
}

pub(crate) async fn place(
    state: &State,
    org_id: &str,
    location_id: &str,
) -> Result<Place, PortalError> {
    if !plausible_id(org_id) || !plausible_id(location_id) {
        return Ok(Place::UnknownOrganization);
    }
    let client = state.pool.get().await?;
    if store::queries::organization_installed(&client, org_id).await? != Some(true) {
        return Ok(Place::UnknownOrganization);
    }
    Ok(
        match store::queries::location(&client, org_id, location_id)
            .await?
            .and_then(|l| l.settings)
        {
            Some(settings) => Place::Ready(settings),
            None => Place::Unmapped,
        },
    )
}

/// A location's portal settings, or the page that says why it has no portal (an unmapped one
/// is also reported to the admins).
async fn portal_location(
    state: &State,
    request: &HttpRequest,
    org_id: &str,
    location_id: &str,
) -> Result<Result<LocationSettings, HttpResponse>, PortalError> {
    Ok(match place(state, org_id, location_id).await? {
        Place::Ready(settings) => Ok(settings),
        Place::UnknownOrganization => Err(unknown_organization(state, Framing::Deny)?),
        Place::Unmapped => {
            let client = state.client_address(request);
            state
                .report_unmapped(org_id, location_id, None, Some(&client))
                .await;
            Err(unmapped_location(state, Framing::Deny, location_id)?)
        }
    })
}

pub(crate) fn unknown_organization(
    state: &State,
    framing: Framing,
) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::NOT_FOUND,
        framing,
        &Message::new(
            "Unknown workspace",
            &[
                "This address does not belong to a workspace that uses this WiFi portal, or the \
                 workspace has disconnected it.",
                "Check the link you were given, or ask the front desk for your location's WiFi \
                 portal address.",
            ],
        ),
    )
}

pub(crate) fn unmapped_location(
    state: &State,
    framing: Framing,
    location_id: &str,
) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::NOT_FOUND,
        framing,
        &Message::new(
            "WiFi is not set up for this location yet",
            &[
                "Your workspace has not connected this location to its WiFi yet, so there is no \
                 network to give you a key for.",
                "We have told the administrators. Please ask the front desk, or try again later.",
            ],
        )
        .detail(format!("Optix location {location_id} is not mapped.")),
    )
}

/// The pre-session CSRF secret from the cookie, or a new one (with its `Set-Cookie`).
pub(crate) fn pre_session(
    request: &HttpRequest,
    cookie_name: &str,
    site: Site,
) -> (String, Option<String>) {
    match session::read_cookie(request, cookie_name) {
        Some(value) => (value, None),
        None => {
            let value = session::new_secret();
            let cookie = session::cookie(cookie_name, &value, "/", None, site);
            (value, Some(cookie))
        }
    }
}

fn finish(response: HttpResponse, cookie: Option<String>) -> HttpResponse {
    match cookie {
        Some(cookie) => with_cookie(response, &cookie),
        None => response,
    }
}

pub(crate) fn form_expired(
    state: &State,
    framing: Framing,
    back: &str,
) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::FORBIDDEN,
        framing,
        &Message::new(
            "This form has expired",
            &[
                "For your security, forms work only on the page that showed them, with cookies \
                 on. Please go back, reload the page and try again.",
            ],
        )
        .action(Action::link(back, "Reload the page")),
    )
}

fn portal_path(org_id: &str, location_id: &str) -> String {
    format!("/l/{org_id}/{location_id}")
}

/// The signed-in tenant, if the session cookie names a live tenant session.
pub(crate) async fn tenant_session(
    state: &State,
    request: &HttpRequest,
) -> Result<Option<(String, SessionRow)>, PortalError> {
    let Some(cookie) = session::read_cookie(request, TENANT_COOKIE) else {
        return Ok(None);
    };
    let client = state.pool.get().await?;
    Ok(
        db::session(&client, &session::sha256_hex(&cookie), SessionKind::Tenant)
            .await?
            .map(|row| (cookie, row)),
    )
}

/// `GET /l/{org}/{location}`: the email form (or straight to the key page when signed in here).
async fn portal_page(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PortalError> {
    let (org_id, location_id) = path.into_inner();
    let settings = match portal_location(&state, &request, &org_id, &location_id).await? {
        Ok(settings) => settings,
        Err(page) => return Ok(page),
    };
    if let Some((_, row)) = tenant_session(&state, &request).await?
        && row.org_id == org_id
    {
        return Ok(see_other("/wifi"));
    }
    let (secret, cookie) = pre_session(&request, CSRF_COOKIE, Site::Portal);
    let page = email_form(
        &settings,
        portal_path(&org_id, &location_id),
        session::csrf_token(&state.keys, PRE_SCOPE, &secret),
        String::new(),
        None,
    );
    Ok(finish(
        state.page(StatusCode::OK, Framing::Deny, &page)?,
        cookie,
    ))
}

#[derive(Deserialize)]
pub(crate) struct EmailRequest {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) email: String,
}

/// The tenant portal's email form for a location.
fn email_form(
    settings: &LocationSettings,
    action: String,
    csrf: String,
    email: String,
    error: Option<String>,
) -> EmailForm {
    EmailForm {
        title: format!("WiFi at {}", settings.name),
        place: settings.name.clone(),
        org_label: "your workspace".into(),
        action,
        csrf,
        email,
        error,
    }
}

/// A plausible email address (the real check is whether Optix knows it).
pub(crate) fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `POST /l/{org}/{location}`: sends a sign-in link if the email is an Optix user's. The page
/// answers the same whether or not it is (and before the lookup runs, so its timing says
/// nothing either).
async fn request_link(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<EmailRequest>,
) -> Result<HttpResponse, PortalError> {
    let (org_id, location_id) = path.into_inner();
    let settings = match portal_location(&state, &request, &org_id, &location_id).await? {
        Ok(settings) => settings,
        Err(page) => return Ok(page),
    };
    let back = portal_path(&org_id, &location_id);
    let Some(secret) = session::read_cookie(&request, CSRF_COOKIE) else {
        return form_expired(&state, Framing::Deny, &back);
    };
    if !session::csrf_matches(&state.keys, PRE_SCOPE, &secret, &form.csrf) {
        return form_expired(&state, Framing::Deny, &back);
    }
    let email = form.email.trim().to_owned();
    if !plausible_email(&email) {
        let page = email_form(
            &settings,
            back,
            form.csrf.clone(),
            email.chars().take(254).collect(),
            Some(
                "Enter the email address you use with your workspace, like name@example.com."
                    .into(),
            ),
        );
        return state.page(StatusCode::UNPROCESSABLE_ENTITY, Framing::Deny, &page);
    }
    let client_address = state.client_address(&request);
    // Per client address across organizations (generous in a window, so a whole coworking
    // space behind one NAT signs in on a Monday morning; bounded per day, so one client cannot
    // ask for thousands of emails); per email within the organization.
    let window = state.settings.rate_window_secs;
    let email_key = email.to_lowercase();
    let limits = [
        RateLimit {
            kind: "link-client",
            org_id: "",
            value: &client_address,
            max: state.settings.link_requests_per_client,
            window_secs: window,
        },
        RateLimit {
            kind: "link-client-day",
            org_id: "",
            value: &client_address,
            max: state.settings.link_requests_per_client_daily,
            window_secs: crate::LONGEST_WINDOW_SECS,
        },
        RateLimit {
            kind: "link-email",
            org_id: &org_id,
            value: &email_key,
            max: state.settings.link_requests_per_email,
            window_secs: window,
        },
    ];
    if let Some((kind, retry_after_secs)) = state.first_exceeded(&limits).await? {
        metrics::link(metrics::LinkOutcome::RateLimited);
        tracing::info!(org_id, limit = kind, "sign-in link request over the limit");
        return state.too_many(
            Framing::Deny,
            retry_after_secs,
            Action::link(back.clone(), "Back to the sign-in page"),
        );
    }
    let place_name = settings.name.clone();
    let background = state.clone();
    let (org, location) = (org_id.clone(), location_id.clone());
    let address = email.clone();
    tokio::spawn(async move {
        let outcome = deliver_link(&background, &org, &location, &place_name, &address).await;
        metrics::link(outcome);
        tracing::info!(
            org_id = org,
            location_id = location,
            outcome = outcome.as_str(),
            "sign-in link request handled"
        );
    });
    let page = CheckEmail {
        title: "Check your email".into(),
        email,
        minutes: state.settings.magic_link_ttl_secs.div_ceil(60),
        back: portal_path(&org_id, &location_id),
    };
    state.page(StatusCode::OK, Framing::Deny, &page)
}

/// Which Optix user has this email: the local account first (keyed email hash), else provision
/// asks Optix. `Err` when provision could not be asked.
async fn find_user(state: &State, org_id: &str, email: &str) -> Result<Option<String>, ()> {
    let hash = secrets::email_hash(&state.keys, org_id, email);
    let local = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        store::queries::member_by_email_hash(&client, org_id, &hash)
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    match local {
        Ok(Some(user_id)) => return Ok(Some(user_id)),
        Ok(None) => {}
        Err(error) => {
            tracing::warn!(%error, "looking up the email locally failed; asking provision")
        }
    }
    match state
        .command(
            org_id,
            "portal",
            Command::FindUserByEmail {
                email: email.to_owned(),
            },
        )
        .await
    {
        Answer::Done { user_id } => Ok(user_id),
        Answer::Refused { .. } => Ok(None),
        Answer::Unavailable => Err(()),
    }
}

/// [`find_user`], asked again while provision cannot answer (the organization's Optix budget
/// is spent, provision restarts), for as long as a link sent then would still be worth sending:
/// the page already said "Check your email". Backs off from 2 s to 30 s between attempts.
async fn find_user_patiently(
    state: &State,
    org_id: &str,
    email: &str,
) -> Result<Option<String>, ()> {
    let give_up = tokio::time::Instant::now()
        + std::time::Duration::from_secs(state.settings.magic_link_ttl_secs.max(60));
    let mut pause = std::time::Duration::from_secs(2);
    loop {
        match find_user(state, org_id, email).await {
            Err(()) if tokio::time::Instant::now() + pause < give_up => {
                tracing::info!(
                    org_id,
                    retry_in_secs = pause.as_secs(),
                    "the sign-in link's lookup failed; asking again"
                );
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(30));
            }
            answer => return answer,
        }
    }
}

async fn deliver_link(
    state: &State,
    org_id: &str,
    location_id: &str,
    place_name: &str,
    email: &str,
) -> metrics::LinkOutcome {
    let user_id = match find_user_patiently(state, org_id, email).await {
        Ok(Some(user_id)) => user_id,
        Ok(None) => return metrics::LinkOutcome::NoMatch,
        Err(()) => return metrics::LinkOutcome::LookupFailed,
    };
    let token = session::new_secret();
    let ttl = state.settings.magic_link_ttl_secs.max(60);
    let expires_at = Utc::now() + chrono::Duration::seconds(ttl as i64);
    let stored = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        db::insert_link(
            &client,
            &session::sha256_hex(&token),
            org_id,
            location_id,
            &user_id,
            expires_at,
        )
        .await
        .map_err(|e| e.to_string())
    }
    .await;
    if let Err(error) = stored {
        tracing::error!(%error, "storing a sign-in link failed");
        return metrics::LinkOutcome::SmtpFailed;
    }
    let link = format!(
        "{}/l/{org_id}/{location_id}/signin#token={token}",
        state.public_url
    );
    match state
        .mailer
        .send_sign_in(crate::mail::SignInEmail {
            to: email,
            place: place_name,
            link: &link,
            valid_minutes: ttl.div_ceil(60),
        })
        .await
    {
        Ok(()) => metrics::LinkOutcome::Sent,
        Err(error) => {
            tracing::error!(%error, org_id, "sending a sign-in link failed");
            metrics::LinkOutcome::SmtpFailed
        }
    }
}

/// `GET /l/{org}/{location}/signin#token=…`: the page the emailed link opens; its script posts
/// the token from the fragment.
async fn signin_page(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PortalError> {
    let (org_id, location_id) = path.into_inner();
    if let Place::UnknownOrganization = place(&state, &org_id, &location_id).await? {
        return unknown_organization(&state, Framing::Deny);
    }
    let (secret, cookie) = pre_session(&request, CSRF_COOKIE, Site::Portal);
    let page = TokenPage {
        title: "Signing in".into(),
        action: format!("{}/signin", portal_path(&org_id, &location_id)),
        csrf: session::csrf_token(&state.keys, PRE_SCOPE, &secret),
        location_id: None,
        missing: vec![
            "This page signs you in with the link from your email, but the link is incomplete."
                .into(),
            "Open the link from the email again, or ask for a new one.".into(),
        ],
    };
    Ok(finish(
        state.page(StatusCode::OK, Framing::Deny, &page)?,
        cookie,
    ))
}

#[derive(Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub location_id: Option<String>,
}

/// `POST /l/{org}/{location}/signin`: spends the link and signs the tenant in.
async fn signin(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PortalError> {
    let (org_id, location_id) = path.into_inner();
    let back = portal_path(&org_id, &location_id);
    if let Place::UnknownOrganization = place(&state, &org_id, &location_id).await? {
        return unknown_organization(&state, Framing::Deny);
    }
    let Some(secret) = session::read_cookie(&request, CSRF_COOKIE) else {
        return form_expired(&state, Framing::Deny, &format!("{back}/signin"));
    };
    if !session::csrf_matches(&state.keys, PRE_SCOPE, &secret, &form.csrf) {
        return form_expired(&state, Framing::Deny, &format!("{back}/signin"));
    }
    let used = if session::plausible_secret(&form.token) {
        let client = state.pool.get().await?;
        db::use_link(
            &client,
            &session::sha256_hex(&form.token),
            &org_id,
            &location_id,
        )
        .await?
    } else {
        LinkUse::Unknown
    };
    let again = Action::link(back.clone(), "Send me a new link");
    let (status, message) = match used {
        LinkUse::SignedIn { user_id } => {
            tracing::info!(org_id, location_id, "signed in with a link");
            return start_session(
                &state,
                &request,
                SessionRow {
                    kind: SessionKind::Tenant,
                    org_id,
                    user_id,
                    location_id: Some(location_id),
                    via: Via::Portal,
                    context: None,
                    expires_at: Utc::now()
                        + chrono::Duration::seconds(state.settings.session_ttl_secs as i64),
                },
                Site::Portal,
            )
            .await;
        }
        LinkUse::AlreadyUsed => (
            StatusCode::GONE,
            Message::new(
                "This sign-in link was already used",
                &[
                    "Each link works only once. If you just signed in on another device or \
                     browser, you can sign in here with a new link.",
                ],
            ),
        ),
        LinkUse::Expired => (
            StatusCode::GONE,
            Message::new(
                "This sign-in link has expired",
                &[&format!(
                    "Sign-in links work for {} minutes. Ask for a new one: it arrives in a moment.",
                    state.settings.magic_link_ttl_secs.div_ceil(60)
                )],
            ),
        ),
        LinkUse::Unknown => (
            StatusCode::NOT_FOUND,
            Message::new(
                "This sign-in link is not valid here",
                &[
                    "The link is incomplete, or it belongs to another location's portal. Open \
                     the link from your email again, or ask for a new one here.",
                ],
            ),
        ),
    };
    state.page(status, Framing::Deny, &message.action(again))
}

/// Creates the session (a new id every time: no fixation), sets the cookie, onboards the tenant
/// where they came from (signing in is a POST: with the explicit button, the only moments that
/// may ask Optix) and sends them on to their key page.
pub(crate) async fn start_session(
    state: &State,
    request: &HttpRequest,
    row: SessionRow,
    site: Site,
) -> Result<HttpResponse, PortalError> {
    let id = session::new_secret();
    {
        let client = state.pool.get().await?;
        if let Some(old) = session::read_cookie(request, TENANT_COOKIE) {
            db::delete_session(&client, &session::sha256_hex(&old)).await?;
        }
        db::insert_session(&client, &session::sha256_hex(&id), &row).await?;
    }
    let max_age = (row.expires_at - Utc::now()).num_seconds();
    let cookie = session::cookie(TENANT_COOKIE, &id, "/", Some(max_age), site);
    let response = match onboard_if_needed(state, &id, &row).await? {
        Some(page) => page,
        None => see_other("/wifi"),
    };
    Ok(with_cookie(response, &cookie))
}

#[derive(Deserialize)]
struct KeyQuery {
    #[serde(default)]
    done: Option<String>,
}

fn signed_out(state: &State) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::UNAUTHORIZED,
        Framing::Optix,
        &Message::new(
            "You are not signed in",
            &[
                "To see your WiFi key, open your location's WiFi portal link and ask for a \
                 sign-in link, or open WiFi from the Optix app.",
            ],
        ),
    )
}

/// `GET /wifi`: the key page. A GET never changes anything or asks Optix: a tenant without an
/// account yet gets a button that POSTs to `/wifi/start`.
async fn key_page(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<KeyQuery>,
) -> Result<HttpResponse, PortalError> {
    let Some((cookie, row)) = tenant_session(&state, &request).await? else {
        return signed_out(&state);
    };
    let notice = match query.done.as_deref() {
        Some("changed") => Some("Your new passphrase is set. Reconnect your devices with it."),
        Some("generated") => {
            Some("A new passphrase was generated. Reconnect your devices with it.")
        }
        _ => None,
    };
    let member = {
        let client = state.pool.get().await?;
        store::queries::member(&client, &row.org_id, &row.user_id).await?
    };
    if member.is_none() {
        return state.page(
            StatusCode::OK,
            Framing::Optix,
            &Message::new(
                "Get your WiFi key",
                &["You do not have a WiFi account yet. We check your membership and set one up."],
            )
            .action(Action::post(
                "/wifi/start",
                "Get my WiFi key",
                session::csrf_token(&state.keys, TENANT_SCOPE, &cookie),
            )),
        );
    }
    render_key(
        &state,
        &cookie,
        &row,
        member,
        KeyMessages {
            notice: notice.map(str::to_owned),
            error: None,
        },
        StatusCode::OK,
    )
    .await
}

/// `POST /wifi/start`: onboards the signed-in tenant where their session began (the key
/// page's "Get my WiFi key" and "Check again" buttons).
async fn start_onboarding(
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

/// Onboarding asks Optix (through provision, on the organization's API budget): only for
/// someone without an account, whose account gives no access right now (a plan bought minutes
/// ago, before its webhook), or whose account a sync opened without a location (the first
/// onboarding binds it). A live, bound account is kept current by webhooks and syncs.
async fn onboard_if_needed(
    state: &State,
    cookie: &str,
    row: &SessionRow,
) -> Result<Option<HttpResponse>, PortalError> {
    let member = {
        let client = state.pool.get().await?;
        store::queries::member(&client, &row.org_id, &row.user_id).await?
    };
    let live = member
        .as_ref()
        .is_some_and(|m| m.status == "active" && m.live_grants(Utc::now()).next().is_some());
    let unbound = member.as_ref().is_some_and(|m| m.home_location.is_none());
    let ask_provision = !live || unbound || member.is_none();
    onboard(state, cookie, row, member.is_some(), ask_provision).await
}

/// A banner on the key page: what just happened, or what was refused.
pub(crate) struct KeyMessages {
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// Onboards the tenant where the session began (`ask_provision`: send the command; otherwise
/// only check the location and report it when unmapped). `None`: go on to the key page;
/// `Some`: the page that explains why not.
async fn onboard(
    state: &State,
    cookie: &str,
    row: &SessionRow,
    has_account: bool,
    ask_provision: bool,
) -> Result<Option<HttpResponse>, PortalError> {
    let Some(location_id) = row.location_id.clone() else {
        return Ok(None);
    };
    let mapped = {
        let client = state.pool.get().await?;
        store::queries::location(&client, &row.org_id, &location_id)
            .await?
            .and_then(|l| l.settings)
            .is_some()
    };
    if !mapped {
        state
            .report_unmapped(&row.org_id, &location_id, Some(&row.user_id), None)
            .await;
        // An account opened elsewhere keeps working: show it.
        return if has_account {
            Ok(None)
        } else {
            unmapped_location(state, Framing::Optix, &location_id).map(Some)
        };
    }
    if !ask_provision {
        return Ok(None);
    }
    let via = match row.via {
        Via::MobileApp => OnboardedVia::MobileApp,
        _ => OnboardedVia::Portal,
    };
    let answer = match state.remembered_refusal(&row.org_id, &row.user_id, &location_id) {
        Some((code, message)) => Answer::Refused { code, message },
        None => {
            if let Some(retry_after_secs) = onboarding_limited(state, row).await? {
                return state
                    .too_many(
                        Framing::Optix,
                        retry_after_secs,
                        Action::link("/wifi", "Back to your WiFi"),
                    )
                    .map(Some);
            }
            let answer = state
                .command(
                    &row.org_id,
                    &format!("tenant:{}", row.user_id),
                    Command::Onboard {
                        user_id: row.user_id.clone(),
                        location_id: location_id.clone(),
                        via,
                    },
                )
                .await;
            if let Answer::Refused { code, message } = &answer {
                state.remember_refusal(&row.org_id, &row.user_id, &location_id, *code, message);
            }
            answer
        }
    };
    let csrf = session::csrf_token(&state.keys, TENANT_SCOPE, cookie);
    let page = match answer {
        Answer::Done { .. } => return Ok(None),
        Answer::Unavailable => return state.unavailable(Framing::Optix, "/wifi").map(Some),
        // An existing account's key page shows its own state (suspended, no live access).
        Answer::Refused { code, .. }
            if has_account
                && matches!(
                    code,
                    RefusalCode::NoAccess | RefusalCode::Suspended | RefusalCode::LocationNotMapped
                ) =>
        {
            // (provision recorded the unmapped use itself when it refused)
            return Ok(None);
        }
        Answer::Refused { code, message } => match code {
            RefusalCode::NoAccess => no_access(message, csrf),
            RefusalCode::Suspended => suspended(Some(message)),
            RefusalCode::LocationNotMapped => {
                // Provision recorded the unmapped use when it refused.
                return unmapped_location(state, Framing::Optix, &location_id).map(Some);
            }
            RefusalCode::NotInstalled => {
                return unknown_organization(state, Framing::Optix).map(Some);
            }
            RefusalCode::UnknownUser | RefusalCode::NoAccount => Message::new(
                "We could not find your membership",
                &[
                    "The workspace's member system does not know you (any more). If you think \
                     this is wrong, ask the front desk.",
                ],
            )
            .detail(message),
            _ => Message::new(
                "We could not give you WiFi access",
                &["The WiFi service refused the request. Please ask the front desk."],
            )
            .detail(message),
        },
    };
    state
        .page(StatusCode::FORBIDDEN, Framing::Optix, &page)
        .map(Some)
}

/// Whether the tenant's onboarding attempts are over a limit (per user, and per organization
/// each minute); `Some(retry after)` when they are.
async fn onboarding_limited(state: &State, row: &SessionRow) -> Result<Option<u64>, PortalError> {
    let limits = [
        RateLimit {
            kind: "onboard-user",
            org_id: &row.org_id,
            value: &row.user_id,
            max: state.settings.onboardings_per_user,
            window_secs: state.settings.rate_window_secs,
        },
        RateLimit {
            kind: "onboard-org",
            org_id: &row.org_id,
            value: "",
            max: state.settings.onboardings_per_org_per_minute,
            window_secs: 60,
        },
    ];
    let exceeded = state.first_exceeded(&limits).await?;
    if let Some((kind, _)) = exceeded {
        metrics::command("onboard", "rate_limited");
        tracing::info!(
            org_id = row.org_id,
            limit = kind,
            "onboarding over the limit"
        );
    }
    Ok(exceeded.map(|(_, retry_after_secs)| retry_after_secs))
}

fn no_access(message: String, csrf: String) -> Message {
    Message::new(
        "No active plan or booking",
        &[
            "We could not find an active plan, or a booking for today at this location, in \
             your membership, so there is no WiFi access to give you yet.",
            "To get WiFi, start a plan or book a desk or room for today (in the Optix app or at \
             the front desk), then open this page again.",
        ],
    )
    .detail(message)
    .action(Action::post("/wifi/start", "Check again", csrf))
}

fn suspended(message: Option<String>) -> Message {
    let page = Message::new(
        "Your WiFi access is paused",
        &[
            "Your WiFi account is kept, but no plan or booking gives you access right now (for \
             example, a plan ended or was cancelled).",
            "As soon as you have an active plan or a booking again, access comes back by itself \
             with the same passphrase. Ask the front desk if this looks wrong.",
        ],
    );
    match message {
        Some(message) => page.detail(message),
        None => page,
    }
}

/// The passphrase in clear, opened with the member's data key (AAD: the member's stream id).
fn open_passphrase(
    state: &State,
    org_id: &str,
    user_id: &str,
    wrapped: Option<&domain::Sealed>,
    sealed: &domain::Sealed,
) -> Result<String, PortalError> {
    let aad = secrets::contexts::member(org_id, user_id);
    let wrapped =
        wrapped.ok_or_else(|| PortalError::Internal("the member has no data key".into()))?;
    let key = state.keys.unwrap_member_key(wrapped, &aad)?;
    let bytes = key.open(sealed, &aad)?;
    String::from_utf8(bytes).map_err(|_| PortalError::Internal("passphrase is not UTF-8".into()))
}

/// The key page of the session's member (`member` as just read from the projection).
pub(crate) async fn render_key(
    state: &State,
    cookie: &str,
    row: &SessionRow,
    member: Option<store::queries::MemberView>,
    messages: KeyMessages,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let KeyMessages { notice, error } = messages;
    let (location, wrapped_key) = {
        let client = state.pool.get().await?;
        // The network of the account's home location; an account the sync opened before the
        // tenant ever came is bound nowhere: then the location they came from (portal or app).
        let place = member
            .as_ref()
            .and_then(|m| m.home_location.clone())
            .or_else(|| row.location_id.clone());
        // Both queries in one round trip (pipelined on the connection).
        let location = async {
            Ok::<_, PortalError>(match place {
                Some(place) => store::queries::location(&client, &row.org_id, &place)
                    .await?
                    .map(|l| (place.clone(), l.settings))
                    .or(Some((place, None))),
                None => None,
            })
        };
        let key = store::queries::member_key(&client, &row.org_id, &row.user_id);
        let (location, key) = tokio::join!(location, key);
        (location?, key?)
    };
    let Some(member) = member else {
        return state.page(
            StatusCode::OK,
            Framing::Optix,
            &Message::new(
                "Your WiFi account is being prepared",
                &["This takes a moment. Reload the page to see your key."],
            )
            .action(Action::link("/wifi", "Reload")),
        );
    };
    if member.status == "suspended" {
        return state.page(StatusCode::FORBIDDEN, Framing::Optix, &suspended(None));
    }
    let now = Utc::now();
    if member.live_grants(now).next().is_none() {
        return state.page(
            StatusCode::FORBIDDEN,
            Framing::Optix,
            &no_access(
                "Your account has no access valid right now (a booking may start later).".into(),
                session::csrf_token(&state.keys, TENANT_SCOPE, cookie),
            ),
        );
    }
    let settings = match location {
        Some((_, Some(settings))) => settings,
        Some((place, None)) => return unmapped_location(state, Framing::Optix, &place),
        None => {
            return state.page(
                StatusCode::OK,
                Framing::Optix,
                &Message::new(
                    "Open WiFi from your location",
                    &[
                        "Your WiFi account is not tied to a location yet. Open your location's \
                         WiFi portal link, or WiFi in the Optix app, to see your key.",
                    ],
                ),
            );
        }
    };
    let tz: Tz = settings.timezone.parse().unwrap_or(chrono_tz::UTC);
    let passphrase = match &member.passphrase {
        Some(sealed) => Some(open_passphrase(
            state,
            &row.org_id,
            &row.user_id,
            wrapped_key.as_ref(),
            sealed,
        )?),
        None => None,
    };
    let qr_svg = match &passphrase {
        Some(p) => crate::wifi::qr_svg(
            &crate::wifi::join_uri(&settings.network_name, p),
            &format!("QR code to join the network {}", settings.network_name),
        )
        .map_err(|e| PortalError::Internal(e.to_string()))?,
        None => String::new(),
    };
    let page = KeyPage {
        // A refusal re-renders the page: the title says so first, for screen readers and tabs.
        title: if error.is_some() {
            "Error: Your WiFi".into()
        } else {
            "Your WiFi".into()
        },
        network_name: settings.network_name.clone(),
        location_name: settings.name.clone(),
        passphrase,
        qr_svg,
        group: member.group.as_ref().map(|g| g.name.clone()),
        vlan: member.vlan(now),
        valid_until: valid_words(member.access_until(now), tz),
        csrf: session::csrf_token(&state.keys, TENANT_SCOPE, cookie),
        notice,
        error: error.map(|e| crate::pages::sentence(&e)),
        can_sign_out: row.via == Via::Portal,
    };
    state.page(status, Framing::Optix, &page)
}

#[derive(Deserialize)]
pub(crate) struct PassphraseForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) passphrase: String,
}

/// The signed-in tenant, after checking the form's CSRF token; `Err(page)` otherwise.
async fn signed_in_form(
    state: &State,
    request: &HttpRequest,
    csrf: &str,
) -> Result<Result<(String, SessionRow), HttpResponse>, PortalError> {
    let Some((cookie, row)) = tenant_session(state, request).await? else {
        return Ok(Err(signed_out(state)?));
    };
    if !session::csrf_matches(&state.keys, TENANT_SCOPE, &cookie, csrf) {
        return Ok(Err(form_expired(state, Framing::Optix, "/wifi")?));
    }
    Ok(Ok((cookie, row)))
}

/// `POST /wifi/passphrase`: the tenant's own passphrase; provision's refusal is shown as is.
async fn set_passphrase(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<PassphraseForm>,
) -> Result<HttpResponse, PortalError> {
    let (cookie, row) = match signed_in_form(&state, &request, &form.csrf).await? {
        Ok(signed_in) => signed_in,
        Err(page) => return Ok(page),
    };
    if let Some(retry_after_secs) = passphrase_changes_limited(&state, &request, &row).await? {
        return state.too_many(
            Framing::Optix,
            retry_after_secs,
            Action::link("/wifi", "Back to your WiFi"),
        );
    }
    let form = form.into_inner();
    let answer = state
        .command(
            &row.org_id,
            &format!("tenant:{}", row.user_id),
            Command::SetPassphrase {
                user_id: row.user_id.clone(),
                passphrase: PassphraseText(form.passphrase),
            },
        )
        .await;
    passphrase_answer(&state, &cookie, &row, answer, "changed").await
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// `POST /wifi/regenerate`: a new generated passphrase.
async fn regenerate(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PortalError> {
    let (cookie, row) = match signed_in_form(&state, &request, &form.csrf).await? {
        Ok(signed_in) => signed_in,
        Err(page) => return Ok(page),
    };
    if let Some(retry_after_secs) = passphrase_changes_limited(&state, &request, &row).await? {
        return state.too_many(
            Framing::Optix,
            retry_after_secs,
            Action::link("/wifi", "Back to your WiFi"),
        );
    }
    let answer = state
        .command(
            &row.org_id,
            &format!("tenant:{}", row.user_id),
            Command::RegeneratePassphrase {
                user_id: row.user_id.clone(),
            },
        )
        .await;
    passphrase_answer(&state, &cookie, &row, answer, "generated").await
}

/// Whether passphrase changes are over a limit, per member and per client address ("already
/// in use" tells whether someone uses a passphrase: guessing must stay slow); `Some(retry
/// after)` when they are. Every attempt counts, accepted or refused.
async fn passphrase_changes_limited(
    state: &State,
    request: &HttpRequest,
    row: &SessionRow,
) -> Result<Option<u64>, PortalError> {
    let address = state.client_address(request);
    let limits = [
        RateLimit {
            kind: "passphrase-member",
            org_id: &row.org_id,
            value: &row.user_id,
            max: state.settings.passphrase_changes_per_member,
            window_secs: state.settings.rate_window_secs,
        },
        RateLimit {
            kind: "passphrase-client",
            org_id: "",
            value: &address,
            max: state.settings.passphrase_changes_per_client,
            window_secs: state.settings.rate_window_secs,
        },
    ];
    let exceeded = state.first_exceeded(&limits).await?;
    if let Some((kind, _)) = exceeded {
        metrics::command("set_passphrase", "rate_limited");
        tracing::info!(
            org_id = row.org_id,
            limit = kind,
            "passphrase changes over the limit"
        );
    }
    Ok(exceeded.map(|(_, retry_after_secs)| retry_after_secs))
}

async fn passphrase_answer(
    state: &State,
    cookie: &str,
    row: &SessionRow,
    answer: Answer,
    done: &str,
) -> Result<HttpResponse, PortalError> {
    match answer {
        Answer::Done { .. } => Ok(see_other(&format!("/wifi?done={done}"))),
        Answer::Unavailable => state.unavailable(Framing::Optix, "/wifi"),
        Answer::Refused {
            code: RefusalCode::Suspended,
            message,
        } => state.page(
            StatusCode::FORBIDDEN,
            Framing::Optix,
            &suspended(Some(message)),
        ),
        Answer::Refused { message, .. } => {
            let member = {
                let client = state.pool.get().await?;
                store::queries::member(&client, &row.org_id, &row.user_id).await?
            };
            render_key(
                state,
                cookie,
                row,
                member,
                KeyMessages {
                    notice: None,
                    error: Some(message),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /wifi/signout`.
async fn sign_out(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PortalError> {
    let (cookie, row) = match signed_in_form(&state, &request, &form.csrf).await? {
        Ok(signed_in) => signed_in,
        Err(page) => return Ok(page),
    };
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
        &Message::new(
            "You are signed out",
            &["Your WiFi keeps working on your devices: signing out only closes this page."],
        )
        .action(Action::link(back, "Sign in again")),
    )?;
    Ok(with_cookie(
        page,
        &session::cookie(TENANT_COOKIE, "", "/", Some(0), Site::Portal),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    #[test]
    fn validity_reads_in_the_location_time_zone() {
        let rome: Tz = "Europe/Rome".parse().expect("tz");
        // Local midnight in Rome (23:00 UTC in winter): the end of the day before.
        let until = DateTime::parse_from_rfc3339("2026-11-22T23:00:00Z")
            .expect("ts")
            .with_timezone(&Utc);
        assert_eq!(
            valid_words(Some(until), rome),
            "Until the end of Sunday 22 November 2026 (Europe/Rome)"
        );
        let until = DateTime::parse_from_rfc3339("2026-11-22T16:30:00Z")
            .expect("ts")
            .with_timezone(&Utc);
        assert_eq!(
            valid_words(Some(until), rome),
            "Until Sunday 22 November 2026, 17:30 (Europe/Rome)"
        );
        assert!(valid_words(None, rome).starts_with("No end date"));
    }

    #[test]
    fn emails_are_checked_for_shape_only() {
        assert!(plausible_email("jean@example.com"));
        assert!(plausible_email("a.b+c@sub.example.co"));
        assert!(!plausible_email("jean"));
        assert!(!plausible_email("jean@localhost"));
        assert!(!plausible_email("je an@example.com"));
        assert!(!plausible_email("@example.com"));
    }
}
