//! portal: the tenant portal (one URL per location, sign-in by emailed link), the mobile canvas
//! and the admin canvas inside Optix. It reads projections and asks provision (NATS
//! request/reply, `bus::commands`) for every change; its own tables hold only sign-in links,
//! sessions and rate-limit counters (hashed).
//!
//! Routes:
//! - `GET /l/{org}/{location}`: ask for a sign-in link (`POST` the email);
//!   `GET|POST /l/{org}/{location}/signin`: the emailed link (`#token=…`), spent on `POST`.
//! - `GET /wifi`: the signed-in tenant's key page (a GET never changes anything or asks Optix);
//!   `POST /wifi/start` (onboarding), `/wifi/passphrase`, `/wifi/regenerate`, `/wifi/signout`.
//! - `GET /canvas/mobile?location_id=…#token=…` (`POST` the token): the Optix app's WiFi tile.
//! - `GET /canvas/admin#token=…` (`POST` the token), then `/canvas/admin/home`, `/locations`,
//!   `/plans`, `/members`, `/members/{user}`: the admin canvas.
//!
//! `/metrics` and `/readyz` are served on a separate operations listener (`portal.ops_listen`).

mod admin;
mod canvas;
mod db;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod mail;
pub mod metrics;
mod pages;
mod session;
mod tenant;
mod verify;
pub mod wifi;

use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, web};
use anyhow::Context;
use bus::commands::{Command, RefusalCode, Reply};
use lru::LruCache;
use pages::{Action, Framing, Message};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Application {
    port: u16,
    ops_port: u16,
    server: actix_web::dev::Server,
    ops_server: actix_web::dev::Server,
}

/// Bound on every in-memory map keyed by what outsiders send (locations, users): the least
/// recently used entry goes first, so memory stays flat under any flood.
pub(crate) const OUTSIDE_KEYS_CAP: usize = 10_000;

pub(crate) fn bounded<K: std::hash::Hash + Eq, V>() -> Mutex<LruCache<K, V>> {
    Mutex::new(LruCache::new(
        NonZeroUsize::new(OUTSIDE_KEYS_CAP).unwrap_or(NonZeroUsize::MIN),
    ))
}

pub(crate) struct State {
    pool: deadpool_postgres::Pool,
    bus: bus::Bus,
    keys: store::KeyRing,
    settings: runtime::PortalSettings,
    /// Base URL for links in emails, without a trailing slash.
    public_url: String,
    mailer: mail::Mailer,
    verifier: verify::Verifier,
    /// Unmapped-location reports sent recently (organization/location/user → when), so a page
    /// reloaded in a loop does not flood the admins' notifications.
    reports: Mutex<LruCache<String, Instant>>,
    /// Refused onboardings (organization/user/location → when, the refusal), remembered for
    /// `onboarding_refusal_cache_secs` so asking again does not spend Optix budget.
    onboarding_refusals: Mutex<LruCache<String, RememberedRefusal>>,
    /// Parsed `trusted_proxies`.
    trusted_proxies: Vec<ipnet::IpNet>,
}

/// The longest rate-limit window (`link_requests_per_client_daily`).
pub(crate) const LONGEST_WINDOW_SECS: u64 = 24 * 3600;

/// A refused onboarding: when, and provision's answer.
type RememberedRefusal = (Instant, RefusalCode, String);

/// How often the same unmapped location is reported for the same person.
const REPORT_EVERY: Duration = Duration::from_secs(600);

impl Application {
    pub async fn build(settings: impl Into<runtime::PortalConfig>) -> anyhow::Result<Application> {
        let settings = settings.into();
        telemetry::metrics::init();
        metrics::init();
        // lettre and reqwest choose their TLS provider explicitly, but anything using rustls'
        // process default would panic with two providers compiled in: pick one.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let keys = store::KeyRing::from_hex(
            settings.provision.master_key.expose(),
            settings.provision.hash_key.expose(),
        )
        .context(
            "the portal opens passphrases with provision.master_key and hashes with \
             provision.hash_key: set both (LANYARD__PROVISION__MASTER_KEY, …__HASH_KEY)",
        )?;
        let pool = settings.database.pool()?;
        let bus = bus::Bus::connect(&settings.nats, bus::auth::Identity::Portal)
            .await
            .context("connecting to NATS")?;
        let portal = settings.portal;
        let (listener, port) = telemetry::http::bind(&portal.listen, "portal.listen")?;
        let (ops_listener, ops_port) =
            telemetry::http::bind(&portal.ops_listen, "portal.ops_listen")?;
        let trusted_proxies = parse_trusted_proxies(&portal.trusted_proxies)?;
        let (public_url, https) = public_url(&portal, listener.local_addr()?)?;
        let mailer = mail::Mailer::new(portal.smtp_url.expose(), &portal.mail_from)?;
        if portal.smtp_url.expose().trim().is_empty() {
            tracing::warn!("portal.smtp_url is not set: sign-in links cannot be emailed");
        }
        // Canvas tokens are checked with Optix under the [optix] budget per token.
        let optix = settings
            .optix
            .client(Duration::from_secs(10))
            .context("building the HTTP client")?;
        let verifier =
            verify::Verifier::new(optix, Duration::from_secs(portal.canvas_cache_secs.max(1)));
        let state = web::Data::new(State {
            pool,
            bus,
            keys,
            settings: portal,
            public_url,
            mailer,
            verifier,
            reports: bounded(),
            onboarding_refusals: bounded(),
            trusted_proxies,
        });
        spawn_purge(state.clone());
        // Metrics count sign-in outcomes (`sent` vs `no_match`): on the public listener they
        // would tell anyone which emails are members'. Operations get a listener of their own.
        let ops_server = telemetry::http::ops_server(ops_listener, state.clone(), readyz)?;
        Ok(Application {
            port,
            ops_port,
            // Browsers that once reached the portal over https never fall back to http for it.
            server: portal_server(listener, state, https)?,
            ops_server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the operations listener (`/metrics`, `/healthz`, `/readyz`).
    pub fn ops_port(&self) -> u16 {
        self.ops_port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (served, ops) = tokio::join!(self.server, self.ops_server);
        served.and(ops)
    }
}

impl runtime::Service for Application {
    const NAME: &'static str = "portal";
    const ABOUT: &'static str = "Lanyard portal: tenant portal and Optix canvases.";
    type Settings = runtime::PortalConfig;

    async fn build(settings: runtime::PortalConfig) -> anyhow::Result<Application> {
        Application::build(settings).await
    }

    fn ports(&self) -> (u16, Option<u16>) {
        (self.port, Some(self.ops_port))
    }

    async fn run_until_stopped(self) -> anyhow::Result<()> {
        Ok(Application::run_until_stopped(self).await?)
    }
}

/// The base URL of links in emails, without a trailing slash (`portal.public_url`, or the
/// address the portal listens on), and whether it is https. Warns when browsers would refuse
/// the portal's cookies.
fn public_url(
    portal: &runtime::PortalSettings,
    address: SocketAddr,
) -> anyhow::Result<(String, bool)> {
    let public_url = if portal.public_url.trim().is_empty() {
        format!("http://{address}")
    } else {
        portal.public_url.trim().trim_end_matches('/').to_owned()
    };
    let parsed = url::Url::parse(&public_url)
        .with_context(|| format!("portal.public_url {public_url:?} is not a URL"))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if parsed.scheme() != "https" && !loopback {
        tracing::warn!(
            "portal.public_url is not https: browsers refuse the portal's Secure cookies \
             over plain http anywhere but on localhost, so nobody could sign in"
        );
    }
    let https = parsed.scheme() == "https";
    Ok((public_url, https))
}

/// The public listener: the tenant portal, the canvases and the admin canvas (HSTS when the
/// public URL is https).
fn portal_server(
    listener: TcpListener,
    state: web::Data<State>,
    hsts: bool,
) -> std::io::Result<actix_web::dev::Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::Data::new(telemetry::http::ServiceName("portal")))
            .app_data(web::FormConfig::default().limit(16 * 1024))
            .wrap(from_fn(access_log))
            .wrap(from_fn(telemetry::http::record_requests))
            .wrap(actix_web::middleware::Condition::new(
                hsts,
                actix_web::middleware::DefaultHeaders::new().add((
                    actix_web::http::header::STRICT_TRANSPORT_SECURITY,
                    "max-age=31536000; includeSubDomains",
                )),
            ))
            .route("/healthz", web::get().to(telemetry::http::healthz))
            .route("/", web::get().to(home))
            .route("/assets/portal.css", web::get().to(stylesheet))
            .route("/assets/portal.js", web::get().to(script))
            .configure(tenant::routes)
            .configure(canvas::routes)
            .configure(admin::routes)
            .default_service(web::to(not_found))
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run())
}

fn parse_trusted_proxies(entries: &[String]) -> anyhow::Result<Vec<ipnet::IpNet>> {
    entries
        .iter()
        .map(|entry| {
            let entry = entry.trim();
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!("portal.trusted_proxies: {entry:?} is not an IP address or CIDR range")
                })
        })
        .collect()
}

/// The client a request comes from. Behind trusted proxies each proxy appends the address it
/// got the request from to `X-Forwarded-For`; everything left of the last untrusted hop was
/// written by the client and proves nothing. So: the TCP peer unless it is a trusted proxy,
/// else the rightmost `X-Forwarded-For` hop that is not a trusted proxy.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &[ipnet::IpNet],
) -> String {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let Some(peer) = peer else {
        return "unknown".to_owned();
    };
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let mut hops = forwarded_for
        .iter()
        .flat_map(|header| header.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .rev();
    let mut last_trusted = peer;
    for hop in hops.by_ref() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => last_trusted = ip,
            Ok(ip) => return ip.to_string(),
            // Not an address: written by the client (or a broken proxy); count it as the hop
            // we last trusted, which is where it came from.
            Err(_) => return last_trusted.to_string(),
        }
    }
    last_trusted.to_string()
}

/// Removes spent links, ended sessions and old counters every 10 minutes.
fn spawn_purge(state: web::Data<State>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let result = async {
                let client = state.pool.get().await.map_err(|e| e.to_string())?;
                // Counters of the longest window (a day: links per client) must outlive it.
                db::purge(
                    &client,
                    state.settings.rate_window_secs.max(LONGEST_WINDOW_SECS),
                )
                .await
                .map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(removed) => tracing::debug!(removed, "purged expired portal rows"),
                Err(error) => tracing::warn!(%error, "purging expired portal rows failed"),
            }
        }
    });
}

/// One line per request: method, the matched route pattern (never the raw path or query: a
/// path or query may carry a token), status and time.
async fn access_log(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.call(request).await;
    let status = match &response {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    };
    tracing::info!(
        %method,
        %route,
        status,
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(include_str!("../assets/portal.css"))
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(include_str!("../assets/portal.js"))
}

async fn home(state: web::Data<State>) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::OK,
        Framing::Deny,
        &Message::new(
            "Lanyard portal",
            &[
                "Your WiFi key is one step away: open your location's portal link, or the WiFi \
                 tile in the Optix app.",
            ],
        ),
    )
}

async fn not_found(state: web::Data<State>) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::NOT_FOUND,
        Framing::Deny,
        &Message::new(
            "Page not found",
            &["There is nothing at this address. Check the link, or open your location's portal link again."],
        ),
    )
}

/// Ready only when PostgreSQL answers `SELECT 1` and NATS answers, each within 1 s (checked
/// together, so the probe itself stays near 1 s); the 503 names what failed.
async fn readyz(state: web::Data<State>) -> HttpResponse {
    let timeout = Duration::from_secs(1);
    let (database, nats) = tokio::join!(
        tokio::time::timeout(timeout, store::ping(&state.pool)),
        tokio::time::timeout(timeout, state.bus.ping()),
    );
    let database_ok = matches!(database, Ok(Ok(())));
    let nats_ok = matches!(nats, Ok(Ok(())));
    if database_ok && nats_ok {
        return HttpResponse::Ok().body("ready");
    }
    let failing: Vec<&str> = [
        (!database_ok).then_some("postgresql"),
        (!nats_ok).then_some("nats"),
    ]
    .into_iter()
    .flatten()
    .collect();
    tracing::warn!(failing = ?failing, "not ready");
    HttpResponse::ServiceUnavailable().body(format!("not ready: {}", failing.join(", ")))
}

/// What provision answered, as the portal acts on it.
#[derive(Debug)]
pub(crate) enum Answer {
    Done {
        user_id: Option<String>,
    },
    Refused {
        code: RefusalCode,
        message: String,
    },
    /// No answer (provision down, NATS down, timeout) or a refusal saying "try later".
    Unavailable,
}

impl State {
    /// Sends a command to provision; records `lanyard_portal_commands_total`. Never logs the
    /// command's content (it may hold a passphrase).
    pub(crate) async fn command(&self, org_id: &str, actor: &str, command: Command) -> Answer {
        let name = command.name();
        let answer = match self.bus.command(org_id, actor, command).await {
            Ok(Reply::Done { user_id, .. }) => Answer::Done { user_id },
            Ok(Reply::Refused {
                code: RefusalCode::Unavailable,
                message,
            }) => {
                tracing::warn!(command = name, org_id, %message, "provision is unavailable");
                Answer::Unavailable
            }
            Ok(Reply::Refused { code, message }) => Answer::Refused { code, message },
            Err(error) => {
                tracing::warn!(command = name, org_id, %error, "provision did not answer");
                Answer::Unavailable
            }
        };
        let outcome = match &answer {
            Answer::Done { .. } => "done",
            Answer::Refused { code, .. } => code.label(),
            Answer::Unavailable => "unavailable",
        };
        metrics::command(name, outcome);
        tracing::info!(command = name, org_id, outcome, "command answered");
        answer
    }

    /// Tells provision (for the admins' notifications) that someone asked for WiFi at an
    /// unmapped Optix location; at most once per location and person every 10 minutes, and for
    /// an anonymous visitor (`client`: their address) at most `unmapped_reports_per_client` in
    /// a window. Provision appends only for a location Optix knows for the organization, at
    /// most once an hour per location: however many ids are made up, the log and the
    /// notifications grow by at most one event per real location and hour.
    pub(crate) async fn report_unmapped(
        &self,
        org_id: &str,
        location_id: &str,
        user_id: Option<&str>,
        client: Option<&str>,
    ) {
        let key = format!("{org_id}/{location_id}/{}", user_id.unwrap_or("-"));
        {
            let mut reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
            if reports
                .get(&key)
                .is_some_and(|at| at.elapsed() < REPORT_EVERY)
            {
                return;
            }
            reports.put(key, Instant::now());
        }
        if let Some(client) = client {
            match self
                .limit(
                    "unmapped-client",
                    "",
                    client,
                    self.settings.unmapped_reports_per_client,
                )
                .await
            {
                Ok(db::Limit::Allowed) => {}
                Ok(db::Limit::Exceeded { .. }) => {
                    tracing::info!(org_id, "unmapped-location reports over the limit");
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, "counting an unmapped-location report failed");
                    return;
                }
            }
        }
        let actor = match user_id {
            Some(user) => format!("tenant:{user}"),
            None => "portal".to_owned(),
        };
        let _ = self
            .command(
                org_id,
                &actor,
                Command::ReportUnmappedLocation {
                    location_id: location_id.to_owned(),
                    user_id: user_id.map(str::to_owned),
                },
            )
            .await;
    }

    /// A refused onboarding of this user at this location, remembered within
    /// `onboarding_refusal_cache_secs`.
    pub(crate) fn remembered_refusal(
        &self,
        org_id: &str,
        user_id: &str,
        location_id: &str,
    ) -> Option<(RefusalCode, String)> {
        let ttl = Duration::from_secs(self.settings.onboarding_refusal_cache_secs);
        let mut refusals = self
            .onboarding_refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let key = format!("{org_id}/{user_id}/{location_id}");
        match refusals.get(&key) {
            Some((at, code, message)) if at.elapsed() < ttl => Some((*code, message.clone())),
            Some(_) => {
                refusals.pop(&key);
                None
            }
            None => None,
        }
    }

    /// Remembers a refused onboarding whose answer will not change in a minute or two (no plan,
    /// unknown user, suspended, not installed), so asking again does not spend Optix budget.
    pub(crate) fn remember_refusal(
        &self,
        org_id: &str,
        user_id: &str,
        location_id: &str,
        code: RefusalCode,
        message: &str,
    ) {
        let lasting = matches!(
            code,
            RefusalCode::NoAccess
                | RefusalCode::UnknownUser
                | RefusalCode::NoAccount
                | RefusalCode::Suspended
                | RefusalCode::NotInstalled
        );
        if !lasting || self.settings.onboarding_refusal_cache_secs == 0 {
            return;
        }
        self.onboarding_refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(
                format!("{org_id}/{user_id}/{location_id}"),
                (Instant::now(), code, message.to_owned()),
            );
    }

    pub(crate) fn page(
        &self,
        status: StatusCode,
        framing: Framing,
        page: &impl askama::Template,
    ) -> Result<HttpResponse, PortalError> {
        let body = page.render()?;
        Ok(pages::html(status, framing, &self.settings.frame_ancestors).body(body))
    }

    /// The client address rate limits count (see [`client_address`]).
    pub(crate) fn client_address(&self, request: &HttpRequest) -> String {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .collect();
        client_address(
            request.peer_addr().map(|a| a.ip()),
            &forwarded,
            &self.trusted_proxies,
        )
    }

    /// The rate-limit bucket of a value (an email, an address): stored only as a keyed hash.
    fn bucket(&self, bucket_kind: &str, org_id: &str, value: &str) -> String {
        format!(
            "{bucket_kind}:{}",
            self.keys.keyed_hash(bucket_kind, org_id, value)
        )
    }

    /// Counts a request against a limit (`bucket_kind` names the limit).
    pub(crate) async fn limit(
        &self,
        bucket_kind: &str,
        org_id: &str,
        value: &str,
        max: u32,
    ) -> Result<db::Limit, PortalError> {
        self.limit_within(
            bucket_kind,
            org_id,
            value,
            max,
            self.settings.rate_window_secs,
        )
        .await
    }

    /// Counts a request against a limit of `max` per `window_secs`; check and count are one
    /// statement, so parallel requests can never get past the limit together.
    pub(crate) async fn limit_within(
        &self,
        bucket_kind: &str,
        org_id: &str,
        value: &str,
        max: u32,
        window_secs: u64,
    ) -> Result<db::Limit, PortalError> {
        let bucket = self.bucket(bucket_kind, org_id, value);
        let client = self.pool.get().await?;
        Ok(db::hit(&client, &bucket, max, window_secs).await?)
    }

    /// Counts one request against each limit in turn and stops at the first one it is over:
    /// that limit's kind and the seconds until it frees.
    pub(crate) async fn first_exceeded(
        &self,
        limits: &[RateLimit<'_>],
    ) -> Result<Option<(&'static str, u64)>, PortalError> {
        for limit in limits {
            if let db::Limit::Exceeded { retry_after_secs } = self
                .limit_within(
                    limit.kind,
                    limit.org_id,
                    limit.value,
                    limit.max,
                    limit.window_secs,
                )
                .await?
            {
                return Ok(Some((limit.kind, retry_after_secs)));
            }
        }
        Ok(None)
    }

    /// Gives back one request counted by [`State::limit`] (it turned out not to count).
    pub(crate) async fn unlimit(
        &self,
        bucket_kind: &str,
        org_id: &str,
        value: &str,
    ) -> Result<(), PortalError> {
        let bucket = self.bucket(bucket_kind, org_id, value);
        let client = self.pool.get().await?;
        Ok(db::refund(&client, &bucket).await?)
    }

    /// The 429 page, with a way back (`back`: where the person came from).
    pub(crate) fn too_many(
        &self,
        framing: Framing,
        retry_after_secs: u64,
        back: pages::Action,
    ) -> Result<HttpResponse, PortalError> {
        let minutes = retry_after_secs.div_ceil(60).max(1);
        let wait = if minutes == 1 {
            "about a minute".to_owned()
        } else {
            format!("about {minutes} minutes")
        };
        let mut response = self.page(
            StatusCode::TOO_MANY_REQUESTS,
            framing,
            &Message::new(
                "Too many requests",
                &[
                    "For your security, only a few requests are allowed in a short time.",
                    &format!("Please try again in {wait}."),
                ],
            )
            .action(back),
        )?;
        if let Ok(value) =
            actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        Ok(response)
    }

    pub(crate) fn unavailable(
        &self,
        framing: Framing,
        retry: &str,
    ) -> Result<HttpResponse, PortalError> {
        self.page(
            StatusCode::SERVICE_UNAVAILABLE,
            framing,
            &Message::new(
                "WiFi service temporarily unavailable",
                &[
                    "We could not reach the service that manages WiFi access right now. Nothing \
                     is lost: please try again in a minute.",
                ],
            )
            .action(Action::link(retry, "Try again")),
        )
    }
}

/// Adds a `Set-Cookie` header to a finished response.
pub(crate) fn with_cookie(mut response: HttpResponse, cookie: &str) -> HttpResponse {
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(cookie) {
        response
            .headers_mut()
            .append(actix_web::http::header::SET_COOKIE, value);
    }
    response
}

/// A 303 to `location` (after a form POST).
pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((actix_web::http::header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// Optix ids in paths and forms: short, plain. Anything else is treated as unknown.
/// One rate limit: the bucket (kind, organization or "" for all, the value counted), how many
/// requests it allows and in how long a window.
pub(crate) struct RateLimit<'a> {
    pub kind: &'static str,
    pub org_id: &'a str,
    pub value: &'a str,
    pub max: u32,
    pub window_secs: u64,
}

pub(crate) fn plausible_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_client_cannot_choose_its_address_with_x_forwarded_for() {
        let proxies =
            parse_trusted_proxies(&["10.0.0.0/8".into(), "192.0.2.1".into()]).expect("proxies");
        // The attack: the client writes its own leftmost hop to get a fresh rate-limit bucket.
        // The proxy appends the real peer, which is what counts.
        assert_eq!(
            client_address(Some(ip("10.1.2.3")), &["1.2.3.4, 203.0.113.9"], &proxies),
            "203.0.113.9"
        );
        // Two trusted proxies in a row: still the rightmost untrusted hop.
        assert_eq!(
            client_address(
                Some(ip("192.0.2.1")),
                &["6.6.6.6, 203.0.113.9", "10.9.9.9"],
                &proxies
            ),
            "203.0.113.9"
        );
        // Straight from the internet (not a trusted proxy): the header is ignored.
        assert_eq!(
            client_address(Some(ip("198.51.100.7")), &["1.2.3.4"], &proxies),
            "198.51.100.7"
        );
        // No proxies configured (the default): always the TCP peer.
        assert_eq!(
            client_address(Some(ip("10.1.2.3")), &["1.2.3.4"], &[]),
            "10.1.2.3"
        );
        // Garbage in the header counts as the hop that brought it.
        assert_eq!(
            client_address(Some(ip("10.1.2.3")), &["nonsense"], &proxies),
            "10.1.2.3"
        );
        assert!(parse_trusted_proxies(&["not-an-ip".into()]).is_err());
    }

    #[test]
    fn maps_keyed_by_outside_input_stay_bounded() {
        let map = bounded::<String, Instant>();
        let mut map = map.lock().expect("lock");
        for i in 0..(OUTSIDE_KEYS_CAP * 3) {
            map.put(format!("6267/location-{i}/-"), Instant::now());
        }
        assert_eq!(map.len(), OUTSIDE_KEYS_CAP);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("the database is unavailable: {0}")]
    Database(String),
    #[error("rendering the page failed: {0}")]
    Template(#[from] askama::Error),
    #[error("a sealed value could not be opened: {0}")]
    Crypto(#[from] store::CryptoError),
    #[error("{0}")]
    Internal(String),
}

impl From<tokio_postgres::Error> for PortalError {
    fn from(error: tokio_postgres::Error) -> Self {
        PortalError::Database(error.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for PortalError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        PortalError::Database(error.to_string())
    }
}

impl From<store::StoreError> for PortalError {
    fn from(error: store::StoreError) -> Self {
        PortalError::Database(error.to_string())
    }
}

impl ResponseError for PortalError {
    fn status_code(&self) -> StatusCode {
        match self {
            PortalError::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!(error = %self, "portal request failed");
        let (title, text) = match self {
            PortalError::Database(_) => (
                "Temporarily unavailable",
                "The portal cannot reach its database right now. Please try again in a minute.",
            ),
            _ => (
                "Something went wrong",
                "The portal could not show this page. Please try again; if it keeps happening, tell the front desk.",
            ),
        };
        let page = Message::new(title, &[text]);
        let body = askama::Template::render(&page).unwrap_or_else(|_| title.to_owned());
        pages::html(self.status_code(), Framing::Deny, "").body(body)
    }
}
