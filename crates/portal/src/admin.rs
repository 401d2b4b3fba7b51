//! The admin canvas: location and plan mappings, the VLAN pool, notifications, sync runs,
//! members and one member's history. Everything is scoped to the organization of the admin's
//! session; every change is a form POST with a CSRF token, sent to provision as a command, and
//! provision's refusals are shown word for word.

use crate::canvas::AdminContext;
use crate::db::{self, SessionKind, SessionRow};
use crate::pages::{Framing, Message};
use crate::session::{self, ADMIN_COOKIE, ADMIN_PATH};
use crate::{Answer, PortalError, State, plausible_id, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use bus::commands::Command;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::{AccessProfile, LocationSettings, RoamingPolicy, VlanRange};
use serde::Deserialize;
use std::collections::BTreeMap;

const SCOPE: &str = "admin";

pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/canvas/admin/home", web::get().to(home))
        .route("/canvas/admin/sync", web::post().to(sync_now))
        .route("/canvas/admin/locations", web::get().to(locations))
        .route("/canvas/admin/locations", web::post().to(change_location))
        .route("/canvas/admin/plans", web::get().to(plans))
        .route("/canvas/admin/plans", web::post().to(change_plans))
        .route("/canvas/admin/members", web::get().to(members))
        .route("/canvas/admin/members/{user}", web::get().to(member));
}

struct Admin {
    cookie: String,
    row: SessionRow,
    context: AdminContext,
}

impl Admin {
    fn csrf(&self, state: &State) -> String {
        session::csrf_token(&state.keys, SCOPE, &self.cookie)
    }
    fn actor(&self) -> String {
        format!("admin:{}", self.row.user_id)
    }
}

async fn signed_in(state: &State, request: &HttpRequest) -> Result<Option<Admin>, PortalError> {
    let Some(cookie) = session::read_cookie(request, ADMIN_COOKIE) else {
        return Ok(None);
    };
    let id_hash = session::sha256_hex(&cookie);
    let client = state.pool.get().await?;
    let Some(row) = db::session(&client, &id_hash, SessionKind::Admin).await? else {
        return Ok(None);
    };
    drop(client);
    let mut context: AdminContext = row
        .context
        .clone()
        .and_then(|c| serde_json::from_value(c).ok())
        .unwrap_or_default();
    let recheck = chrono::Duration::seconds(state.settings.admin_recheck_secs.max(1) as i64);
    if context
        .checked_at
        .is_none_or(|checked| Utc::now() - checked >= recheck)
    {
        if !crate::canvas::still_admin(state, &row, &context).await {
            let client = state.pool.get().await?;
            db::delete_session(&client, &id_hash).await?;
            tracing::info!(
                org_id = row.org_id,
                "admin session ended: Optix no longer confirms the admin"
            );
            return Ok(None);
        }
        context.checked_at = Some(Utc::now());
        if let Ok(value) = serde_json::to_value(&context) {
            let client = state.pool.get().await?;
            db::update_session_context(&client, &id_hash, &value).await?;
        }
    }
    Ok(Some(Admin {
        cookie,
        row,
        context,
    }))
}

fn signed_out(state: &State) -> Result<HttpResponse, PortalError> {
    state.page(
        StatusCode::UNAUTHORIZED,
        Framing::Optix,
        &Message::new(
            "Please open WiFi administration from Optix",
            &[
                "Your admin session has ended or was never started here. Open the WiFi app \
                 from the Optix dashboard (Apps → Manage apps → Configure, or the WiFi menu \
                 item): it signs you in.",
            ],
        ),
    )
}

/// The signed-in admin of a GET page, or the page saying they are not.
macro_rules! admin_or_return {
    ($state:expr, $request:expr) => {
        match signed_in(&$state, &$request).await? {
            Some(admin) => admin,
            None => return signed_out(&$state),
        }
    };
}

/// The signed-in admin of a form POST with a valid CSRF token.
async fn admin_form(
    state: &State,
    request: &HttpRequest,
    csrf: &str,
    back: &str,
) -> Result<Result<Admin, HttpResponse>, PortalError> {
    let Some(admin) = signed_in(state, request).await? else {
        return Ok(Err(signed_out(state)?));
    };
    if !session::csrf_matches(&state.keys, SCOPE, &admin.cookie, csrf) {
        return Ok(Err(crate::tenant::form_expired(
            state,
            Framing::Optix,
            back,
        )?));
    }
    Ok(Ok(admin))
}

fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

#[derive(Deserialize)]
struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

fn flash_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "location_mapped" => "The location mapping is saved.",
            "location_unmapped" => "The location is unmapped.",
            "plan_mapped" => "The plan's profile is saved.",
            "plan_unmapped" => "The plan uses the default profile again.",
            "default_set" => "The default profile is saved.",
            "pool_set" => "The organization's VLAN pool is saved.",
            "sync_started" => "The sync with Optix ran.",
            _ => return None,
        }
        .to_owned(),
    )
}

struct NotificationRow {
    when: String,
    kind: String,
    subject: String,
    message: String,
}

struct SyncRow {
    when: String,
    kind: String,
    outcome: String,
    users_seen: String,
    corrected: String,
    events: String,
    reason: String,
}

struct GroupRow {
    name: String,
    vlan: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct HomePage {
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    admin_name: String,
    org_id: String,
    notifications: Vec<NotificationRow>,
    syncs: Vec<SyncRow>,
    groups: Vec<GroupRow>,
}

fn number<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

async fn home_page(
    state: &State,
    admin: &Admin,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let org = &admin.row.org_id;
    let client = state.pool.get().await?;
    let notifications = store::queries::notifications(&client, org, 50).await?;
    let syncs = store::queries::sync_runs(&client, org, 10).await?;
    let groups = store::queries::groups(&client, org).await?;
    drop(client);
    let page = HomePage {
        title: "WiFi administration".into(),
        section: "home",
        notice,
        error,
        csrf: admin.csrf(state),
        admin_name: if admin.context.name.is_empty() {
            format!("user {}", admin.row.user_id)
        } else {
            admin.context.name.clone()
        },
        org_id: org.clone(),
        notifications: notifications
            .into_iter()
            .map(|n| NotificationRow {
                when: local_time(n.raised_at, chrono_tz::UTC) + " UTC",
                kind: n.kind.replace('_', " "),
                subject: n.subject,
                message: n.message,
            })
            .collect(),
        syncs: syncs
            .into_iter()
            .map(|s| SyncRow {
                when: local_time(s.finished_at, chrono_tz::UTC) + " UTC",
                kind: s.kind,
                outcome: s.outcome,
                users_seen: number(s.users_seen),
                corrected: number(s.corrected_streams),
                events: number(s.events_appended),
                reason: s.reason.unwrap_or_default(),
            })
            .collect(),
        groups: groups
            .into_iter()
            .map(|(g, members)| GroupRow {
                name: g.name,
                vlan: g
                    .vlan
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "none".into()),
                members,
            })
            .collect(),
    };
    state.page(status, Framing::Optix, &page)
}

/// `GET /canvas/admin/home`: notifications, recent syncs, groups.
async fn home(
    state: web::Data<State>,
    request: HttpRequest,
    flash: web::Query<Flash>,
) -> Result<HttpResponse, PortalError> {
    Section::Home.show(&state, &request, &flash).await
}

/// `POST /canvas/admin/sync`: a full sync of the organization now.
async fn sync_now(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<crate::tenant::CsrfForm>,
) -> Result<HttpResponse, PortalError> {
    let command = Ok((Command::SyncNow, "sync_started"));
    submit(&state, &request, &form.csrf, Section::Home, command).await
}

struct LocationRow {
    location_id: String,
    optix_name: String,
    mapped: bool,
    name: String,
    network_name: String,
    timezone: String,
    vlan_first: String,
    vlan_last: String,
    roaming: String,
    unmapped_uses: i32,
}

#[derive(Template)]
#[template(path = "admin_locations.html")]
struct LocationsPage {
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    locations: Vec<LocationRow>,
}

fn roaming_value(roaming: RoamingPolicy) -> &'static str {
    match roaming {
        RoamingPolicy::SingleLocation => "single_location",
        RoamingPolicy::AllLocations => "all_locations",
        RoamingPolicy::ByPlan => "by_plan",
    }
}

/// The Optix locations the admin manages, with Lanyard's mapping of each, plus any location
/// Lanyard knows that Optix did not list (mapped earlier, or tried by tenants).
async fn locations_page(
    state: &State,
    admin: &Admin,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let known = {
        let client = state.pool.get().await?;
        store::queries::locations(&client, &admin.row.org_id).await?
    };
    let mut known: BTreeMap<String, store::queries::LocationView> = known
        .into_iter()
        .map(|l| (l.location_id.clone(), l))
        .collect();
    let mut rows = Vec::new();
    let mut add = |location_id: String,
                   optix_name: String,
                   optix_tz: String,
                   view: Option<store::queries::LocationView>| {
        let unmapped_uses = view.as_ref().map_or(0, |v| v.unmapped_uses);
        let settings = view.and_then(|v| v.settings);
        rows.push(LocationRow {
            mapped: settings.is_some(),
            name: settings
                .as_ref()
                .map_or_else(|| optix_name.clone(), |s| s.name.clone()),
            network_name: settings
                .as_ref()
                .map(|s| s.network_name.clone())
                .unwrap_or_default(),
            timezone: settings
                .as_ref()
                .map_or_else(|| optix_tz.clone(), |s| s.timezone.clone()),
            vlan_first: settings
                .as_ref()
                .and_then(|s| s.vlan_pool)
                .map(|p| p.first.to_string())
                .unwrap_or_default(),
            vlan_last: settings
                .as_ref()
                .and_then(|s| s.vlan_pool)
                .map(|p| p.last.to_string())
                .unwrap_or_default(),
            roaming: roaming_value(settings.as_ref().map(|s| s.roaming).unwrap_or_default())
                .to_owned(),
            optix_name,
            location_id,
            unmapped_uses,
        });
    };
    for location in &admin.context.locations {
        let view = known.remove(&location.location_id);
        add(
            location.location_id.clone(),
            location.name.clone(),
            location.timezone.clone(),
            view,
        );
    }
    for (location_id, view) in known {
        let name = view
            .settings
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("Location {location_id}"));
        add(location_id, name, "UTC".into(), Some(view));
    }
    let page = LocationsPage {
        title: "Locations".into(),
        section: "locations",
        notice,
        error,
        csrf: admin.csrf(state),
        locations: rows,
    };
    state.page(status, Framing::Optix, &page)
}

/// `GET /canvas/admin/locations`: the Optix locations and their mapping.
async fn locations(
    state: web::Data<State>,
    request: HttpRequest,
    flash: web::Query<Flash>,
) -> Result<HttpResponse, PortalError> {
    Section::Locations.show(&state, &request, &flash).await
}

#[derive(Deserialize)]
pub(crate) struct LocationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    location_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    network_name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    vlan_first: String,
    #[serde(default)]
    vlan_last: String,
    #[serde(default)]
    roaming: String,
}

/// An optional number field: empty is `None`; anything else must parse.
fn optional_number<T: std::str::FromStr>(value: &str, what: &str) -> Result<Option<T>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| format!("{what} must be a whole number (got {value:?})."))
}

fn optional_pool(first: &str, last: &str) -> Result<Option<VlanRange>, String> {
    match (
        optional_number::<u16>(first, "The first VLAN")?,
        optional_number::<u16>(last, "The last VLAN")?,
    ) {
        (None, None) => Ok(None),
        (Some(first), Some(last)) => Ok(Some(VlanRange { first, last })),
        _ => Err("A VLAN pool needs both its first and its last VLAN (or neither).".into()),
    }
}

pub(crate) fn location_command(form: &LocationForm) -> Result<(Command, &'static str), String> {
    if !plausible_id(&form.location_id) {
        return Err("Unknown location.".into());
    }
    match form.action.as_str() {
        "unmap" => Ok((
            Command::UnmapLocation {
                location_id: form.location_id.clone(),
            },
            "location_unmapped",
        )),
        "map" => {
            let roaming = match form.roaming.as_str() {
                "all_locations" => RoamingPolicy::AllLocations,
                "by_plan" => RoamingPolicy::ByPlan,
                _ => RoamingPolicy::SingleLocation,
            };
            let settings = LocationSettings {
                name: form.name.trim().to_owned(),
                network_name: form.network_name.trim().to_owned(),
                timezone: form.timezone.trim().to_owned(),
                vlan_pool: optional_pool(&form.vlan_first, &form.vlan_last)?,
                roaming,
            };
            // Provision checks the same; checking here answers at once, in the form.
            settings.validate().map_err(|e| format!("Refused: {e}."))?;
            Ok((
                Command::MapLocation {
                    location_id: form.location_id.clone(),
                    settings,
                },
                "location_mapped",
            ))
        }
        _ => Err("Unknown action.".into()),
    }
}

/// `POST /canvas/admin/locations`: map or unmap a location.
async fn change_location(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<LocationForm>,
) -> Result<HttpResponse, PortalError> {
    submit(
        &state,
        &request,
        &form.csrf,
        Section::Locations,
        location_command(&form),
    )
    .await
}

/// The admin pages that show forms.
#[derive(Clone, Copy)]
enum Section {
    Home,
    Locations,
    Plans,
}

impl Section {
    fn path(self) -> String {
        match self {
            Section::Home => format!("{ADMIN_PATH}/home"),
            Section::Locations => format!("{ADMIN_PATH}/locations"),
            Section::Plans => format!("{ADMIN_PATH}/plans"),
        }
    }

    async fn page(
        self,
        state: &State,
        admin: &Admin,
        notice: Option<String>,
        error: Option<String>,
        status: StatusCode,
    ) -> Result<HttpResponse, PortalError> {
        match self {
            Section::Home => home_page(state, admin, notice, error, status).await,
            Section::Locations => locations_page(state, admin, notice, error, status).await,
            Section::Plans => plans_page(state, admin, notice, error, status).await,
        }
    }

    /// `GET` of the page, with the notice of what the last form did.
    async fn show(
        self,
        state: &State,
        request: &HttpRequest,
        flash: &Flash,
    ) -> Result<HttpResponse, PortalError> {
        let admin = admin_or_return!(state, request);
        let notice = flash_text(flash.ok.as_deref());
        self.page(state, &admin, notice, None, StatusCode::OK).await
    }

    /// The page again, with `problem` above the forms.
    async fn refused(
        self,
        state: &State,
        admin: &Admin,
        problem: String,
    ) -> Result<HttpResponse, PortalError> {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        self.page(state, admin, None, Some(problem), status).await
    }
}

/// An admin form's way: the admin and CSRF check, then the command (or the form's problem), then
/// back to the page with `?ok=<what was done>`, or the page again with the refusal.
async fn submit(
    state: &State,
    request: &HttpRequest,
    csrf: &str,
    section: Section,
    command: Result<(Command, &'static str), String>,
) -> Result<HttpResponse, PortalError> {
    let back = section.path();
    let admin = match admin_form(state, request, csrf, &back).await? {
        Ok(admin) => admin,
        Err(page) => return Ok(page),
    };
    let (command, done) = match command {
        Ok(command) => command,
        Err(problem) => return section.refused(state, &admin, problem).await,
    };
    match state
        .command(&admin.row.org_id, &admin.actor(), command)
        .await
    {
        Answer::Done { .. } => Ok(see_other(&format!("{back}?ok={done}"))),
        Answer::Refused { message, .. } => section.refused(state, &admin, message).await,
        Answer::Unavailable => state.unavailable(Framing::Optix, &back),
    }
}

/// A profile as form fields (`key` makes the field ids unique on the page).
struct ProfileFields {
    key: String,
    name: String,
    wifi: bool,
    vlan: String,
    up: String,
    down: String,
    duration: String,
}

fn fields(key: &str, profile: &AccessProfile) -> ProfileFields {
    let text = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
    ProfileFields {
        key: key.to_owned(),
        name: profile.name.clone(),
        wifi: profile.wifi,
        vlan: profile.vlan.map(|v| v.to_string()).unwrap_or_default(),
        up: text(profile.bandwidth_up_kbps),
        down: text(profile.bandwidth_down_kbps),
        duration: text(profile.duration_hours),
    }
}

struct PlanRow {
    plan_template_id: String,
    optix_name: String,
    mapped: bool,
    profile: ProfileFields,
}

#[derive(Template)]
#[template(path = "admin_plans.html")]
struct PlansPage {
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    pool_first: String,
    pool_last: String,
    default_profile: ProfileFields,
    plans: Vec<PlanRow>,
    plans_error: Option<String>,
}

async fn plans_page(
    state: &State,
    admin: &Admin,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PortalError> {
    let policy = {
        let client = state.pool.get().await?;
        store::queries::org_policy(&client, &admin.row.org_id).await?
    };
    let mut mapped = policy.plan_profiles.clone();
    let mut plans = Vec::new();
    for plan in &admin.context.plans {
        let own = mapped.remove(&plan.plan_template_id);
        let profile = own.clone().unwrap_or_else(|| {
            let mut profile = policy.default_profile.clone();
            profile.name = plan.name.to_lowercase();
            profile
        });
        plans.push(PlanRow {
            plan_template_id: plan.plan_template_id.clone(),
            optix_name: plan.name.clone(),
            mapped: own.is_some(),
            profile: fields(&format!("plan-{}", plan.plan_template_id), &profile),
        });
    }
    for (plan_template_id, profile) in mapped {
        plans.push(PlanRow {
            optix_name: format!("Plan {plan_template_id}"),
            mapped: true,
            profile: fields(&format!("plan-{plan_template_id}"), &profile),
            plan_template_id,
        });
    }
    let page = PlansPage {
        title: "Plans".into(),
        section: "plans",
        notice,
        error,
        csrf: admin.csrf(state),
        pool_first: policy
            .vlan_pool
            .map(|p| p.first.to_string())
            .unwrap_or_default(),
        pool_last: policy
            .vlan_pool
            .map(|p| p.last.to_string())
            .unwrap_or_default(),
        default_profile: fields("default", &policy.default_profile),
        plans,
        plans_error: admin.context.plans_error.clone(),
    };
    state.page(status, Framing::Optix, &page)
}

/// `GET /canvas/admin/plans`: plan profiles, the default profile, the VLAN pool.
async fn plans(
    state: web::Data<State>,
    request: HttpRequest,
    flash: web::Query<Flash>,
) -> Result<HttpResponse, PortalError> {
    Section::Plans.show(&state, &request, &flash).await
}

#[derive(Deserialize)]
pub(crate) struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    plan_template_id: String,
    #[serde(default)]
    profile_name: String,
    #[serde(default)]
    wifi: Option<String>,
    #[serde(default)]
    vlan: String,
    #[serde(default)]
    bandwidth_up_kbps: String,
    #[serde(default)]
    bandwidth_down_kbps: String,
    #[serde(default)]
    duration_hours: String,
    #[serde(default)]
    vlan_first: String,
    #[serde(default)]
    vlan_last: String,
}

fn profile_of(form: &PlanForm) -> Result<AccessProfile, String> {
    let profile = AccessProfile {
        name: form.profile_name.trim().to_owned(),
        wifi: form.wifi.is_some(),
        vlan: optional_number(&form.vlan, "The VLAN")?,
        bandwidth_up_kbps: optional_number(&form.bandwidth_up_kbps, "The upload limit")?,
        bandwidth_down_kbps: optional_number(&form.bandwidth_down_kbps, "The download limit")?,
        duration_hours: optional_number(&form.duration_hours, "The duration")?,
    };
    // Provision checks the same; checking here answers at once, in the form (as for locations).
    profile.validate().map_err(|e| format!("Refused: {e}."))?;
    Ok(profile)
}

pub(crate) fn plan_command(form: &PlanForm) -> Result<(Command, &'static str), String> {
    let plan_id = || {
        if plausible_id(&form.plan_template_id) {
            Ok(form.plan_template_id.clone())
        } else {
            Err("Unknown plan.".to_owned())
        }
    };
    Ok(match form.action.as_str() {
        "map" => (
            Command::MapPlan {
                plan_template_id: plan_id()?,
                profile: profile_of(form)?,
            },
            "plan_mapped",
        ),
        "unmap" => (
            Command::UnmapPlan {
                plan_template_id: plan_id()?,
            },
            "plan_unmapped",
        ),
        "default" => (
            Command::SetDefaultProfile {
                profile: profile_of(form)?,
            },
            "default_set",
        ),
        "pool" => (
            Command::SetVlanPool {
                pool: optional_pool(&form.vlan_first, &form.vlan_last)?,
            },
            "pool_set",
        ),
        _ => return Err("Unknown action.".into()),
    })
}

/// `POST /canvas/admin/plans`: plan profiles, the default profile, the VLAN pool.
async fn change_plans(
    state: web::Data<State>,
    request: HttpRequest,
    form: web::Form<PlanForm>,
) -> Result<HttpResponse, PortalError> {
    submit(
        &state,
        &request,
        &form.csrf,
        Section::Plans,
        plan_command(&form),
    )
    .await
}

struct MemberRow {
    user_id: String,
    name: String,
    email: String,
    status: String,
    access: String,
    valid_until: String,
    location: String,
    group: String,
}

#[derive(Template)]
#[template(path = "admin_members.html")]
struct MembersPage {
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    members: Vec<MemberRow>,
    /// All the organization's accounts; this page shows numbers `first` to `last` of them.
    total: i64,
    first: i64,
    last: i64,
    previous: Option<i64>,
    next: Option<i64>,
}

/// Opens a member's sealed profile with their data key.
async fn profile(
    state: &State,
    client: &impl store::GenericClient,
    org_id: &str,
    user_id: &str,
    sealed: &domain::Sealed,
) -> Result<Option<secrets::ProfileData>, PortalError> {
    let wrapped = store::queries::member_key(client, org_id, user_id).await?;
    Ok(wrapped.and_then(|wrapped| {
        secrets::open_member_profile(&state.keys, org_id, user_id, &wrapped, sealed)
    }))
}

fn group_words(member: &store::queries::MemberView, now: DateTime<Utc>) -> String {
    match (&member.group, member.vlan(now)) {
        (Some(g), Some(vlan)) => format!("{} (VLAN {vlan})", g.name),
        (Some(g), None) => format!("{} (no VLAN)", g.name),
        (None, Some(vlan)) => format!("VLAN {vlan}"),
        (None, None) => "–".into(),
    }
}

/// Members per page of the admin list.
const MEMBERS_PER_PAGE: i64 = 50;

#[derive(serde::Deserialize)]
struct MembersQuery {
    page: Option<String>,
}

/// `GET /canvas/admin/members[?page=N]`: the organization's WiFi accounts, a page at a time.
async fn members(
    state: web::Data<State>,
    request: HttpRequest,
    query: web::Query<MembersQuery>,
) -> Result<HttpResponse, PortalError> {
    let admin = admin_or_return!(state, request);
    let org = admin.row.org_id.clone();
    let page_number = match query.page.as_deref().map(str::parse::<i64>) {
        None => 1,
        Some(Ok(n)) if (1..=1_000_000).contains(&n) => n,
        Some(_) => {
            tracing::info!(org_id = org, "admin members: a page number that is not one");
            return state.page(
                StatusCode::BAD_REQUEST,
                Framing::Optix,
                &Message::new(
                    "No such page",
                    &["The page number must be a whole number from 1 up."],
                ),
            );
        }
    };
    let client = state.pool.get().await?;
    let (list, total) = store::queries::members_page(
        &client,
        &org,
        (page_number - 1) * MEMBERS_PER_PAGE,
        MEMBERS_PER_PAGE,
    )
    .await?;
    let first = (page_number - 1) * MEMBERS_PER_PAGE + 1;
    let last = first + list.len() as i64 - 1;
    let zones: BTreeMap<String, Tz> = store::queries::locations(&client, &org)
        .await?
        .into_iter()
        .filter_map(|l| {
            let tz = l.settings?.timezone.parse().ok()?;
            Some((l.location_id, tz))
        })
        .collect();
    let now = Utc::now();
    let mut rows = Vec::with_capacity(list.len());
    for m in list {
        let opened = profile(&state, &client, &org, &m.user_id, &m.profile).await?;
        let tz = m
            .home_location
            .as_ref()
            .and_then(|l| zones.get(l))
            .copied()
            .unwrap_or(chrono_tz::UTC);
        let live = m.live_grants(now).next().is_some();
        rows.push(MemberRow {
            name: opened
                .as_ref()
                .map(|p| p.fullname.clone())
                .unwrap_or_else(|| "(sealed)".into()),
            email: opened.map(|p| p.email).unwrap_or_else(|| "(sealed)".into()),
            access: if live { "live" } else { "none" }.into(),
            valid_until: if live {
                match m.access_until(now) {
                    Some(until) => format!("{} {}", local_time(until, tz), tz.name()),
                    None => "open-ended".into(),
                }
            } else {
                "–".into()
            },
            location: m.home_location.clone().unwrap_or_else(|| "–".into()),
            group: group_words(&m, now),
            status: m.status.clone(),
            user_id: m.user_id.clone(),
        });
    }
    drop(client);
    let page = MembersPage {
        title: "Members".into(),
        section: "members",
        notice: None,
        error: None,
        members: rows,
        total,
        first,
        last,
        previous: (page_number > 1).then(|| page_number - 1),
        next: (last < total).then(|| page_number + 1),
    };
    state.page(StatusCode::OK, Framing::Optix, &page)
}

#[derive(Template)]
#[template(path = "admin_member.html")]
struct MemberPage {
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    name: String,
    email: String,
    user_id: String,
    status: String,
    location: String,
    group: String,
    tz: String,
    history: Vec<String>,
}

/// `GET /canvas/admin/members/{user}`: one member's history from the event log, in words.
async fn member(
    state: web::Data<State>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PortalError> {
    let admin = admin_or_return!(state, request);
    let user_id = path.into_inner();
    let org = admin.row.org_id.clone();
    let not_found = || {
        state.page(
            StatusCode::NOT_FOUND,
            Framing::Optix,
            &Message::new(
                "No such member",
                &["This organization has no WiFi account for that user."],
            ),
        )
    };
    if !plausible_id(&user_id) {
        return not_found();
    }
    let client = state.pool.get().await?;
    let Some(m) = store::queries::member(&client, &org, &user_id).await? else {
        return not_found();
    };
    let tz: Tz = match &m.home_location {
        Some(home) => store::queries::location(&client, &org, home)
            .await?
            .and_then(|l| l.settings)
            .and_then(|s| s.timezone.parse().ok())
            .unwrap_or(chrono_tz::UTC),
        None => chrono_tz::UTC,
    };
    let opened = profile(&state, &client, &org, &user_id, &m.profile).await?;
    let (events, _) =
        store::event_log::read_stream(&client, &domain::StreamId::member(&org, &user_id)).await?;
    drop(client);
    let history = events
        .iter()
        .map(|event| {
            let line = store::history::line(event, tz);
            let mut text = store::history::render(&line, tz);
            if !line.actor.is_empty() {
                text.push_str(&format!(" — by {}", line.actor));
            }
            text
        })
        .collect();
    let now = Utc::now();
    // Each member's page has its own title (tabs, history, screen readers tell them apart).
    let title = match &opened {
        Some(profile) => format!("{} · Member", profile.fullname),
        None => format!("Member {user_id}"),
    };
    let page = MemberPage {
        title,
        section: "members",
        notice: None,
        error: None,
        name: opened
            .as_ref()
            .map(|p| p.fullname.clone())
            .unwrap_or_else(|| "(sealed)".into()),
        email: opened.map(|p| p.email).unwrap_or_else(|| "(sealed)".into()),
        user_id: m.user_id.clone(),
        status: m.status.clone(),
        location: m.home_location.clone().unwrap_or_else(|| "–".into()),
        group: group_words(&m, now),
        tz: tz.name().to_owned(),
        history,
    };
    state.page(StatusCode::OK, Framing::Optix, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `portal` fuzz target: the plan form sent profiles provision refuses (an
    /// empty name) instead of answering in the form, as the location form does.
    #[test]
    fn a_plan_profile_provision_would_refuse_is_refused_in_the_form() {
        let form = |name: &str, vlan: &str| PlanForm {
            csrf: String::new(),
            action: "map".into(),
            plan_template_id: "916".into(),
            profile_name: name.into(),
            wifi: None,
            vlan: vlan.into(),
            bandwidth_up_kbps: String::new(),
            bandwidth_down_kbps: String::new(),
            duration_hours: String::new(),
            vlan_first: String::new(),
            vlan_last: String::new(),
        };
        for (name, vlan) in [("", ""), ("Hot\r\ndesk", ""), ("Hot desk", "5000")] {
            let error = plan_command(&form(name, vlan)).expect_err("refused in the form");
            assert!(error.starts_with("Refused: "), "{error}");
        }
        let (command, _) = plan_command(&form("Hot desk", "20")).expect("a valid profile");
        assert!(matches!(command, Command::MapPlan { .. }));
    }

    #[test]
    fn location_forms_become_commands_and_bad_numbers_are_named() {
        let form = LocationForm {
            csrf: String::new(),
            action: "map".into(),
            location_id: "3390".into(),
            name: " Gastown ".into(),
            network_name: "gastown".into(),
            timezone: "America/Vancouver".into(),
            vlan_first: "100".into(),
            vlan_last: "199".into(),
            roaming: "all_locations".into(),
        };
        let (command, done) = location_command(&form).expect("command");
        assert_eq!(done, "location_mapped");
        let Command::MapLocation {
            location_id,
            settings,
        } = command
        else {
            panic!("map location expected");
        };
        assert_eq!(location_id, "3390");
        assert_eq!(settings.name, "Gastown");
        assert_eq!(
            settings.vlan_pool,
            Some(VlanRange {
                first: 100,
                last: 199
            })
        );
        assert_eq!(settings.roaming, RoamingPolicy::AllLocations);
        let bad = LocationForm {
            vlan_first: "ten".into(),
            ..form
        };
        assert!(
            location_command(&bad)
                .expect_err("bad number")
                .contains("\"ten\"")
        );
    }

    #[test]
    fn plan_forms_become_profiles() {
        let form = PlanForm {
            csrf: String::new(),
            action: "map".into(),
            plan_template_id: "916".into(),
            profile_name: "hot desk".into(),
            wifi: Some("on".into()),
            vlan: "120".into(),
            bandwidth_up_kbps: "".into(),
            bandwidth_down_kbps: "50000".into(),
            duration_hours: "".into(),
            vlan_first: String::new(),
            vlan_last: String::new(),
        };
        let (command, _) = plan_command(&form).expect("command");
        assert_eq!(
            command,
            Command::MapPlan {
                plan_template_id: "916".into(),
                profile: AccessProfile {
                    name: "hot desk".into(),
                    wifi: true,
                    vlan: Some(120),
                    bandwidth_up_kbps: None,
                    bandwidth_down_kbps: Some(50000),
                    duration_hours: None,
                },
            }
        );
    }
}
