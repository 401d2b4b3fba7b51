//! The GraphQL subset of Optix that Lanyard uses (proto/optix/schema.graphql), served with the
//! same type, field and argument names, paging and token rules.

use crate::model::{self, Organization};
use crate::sim::{Auth, Sim};
use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Enum, ID, Object, Result, Schema, SimpleObject,
};
use std::collections::{HashMap, HashSet};

pub type OptixSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

pub fn schema() -> OptixSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription).finish()
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum TokenType {
    Anonymous,
    Legacy,
    Personal,
    Organization,
    Expired,
    SingleAction,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct Team {
    team_id: ID,
    name: String,
    users: Option<Vec<User>>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum InviteeStatus {
    Pending,
    Attending,
    NotAttending,
    Maybe,
}

impl From<model::InviteeStatus> for InviteeStatus {
    fn from(status: model::InviteeStatus) -> Self {
        match status {
            model::InviteeStatus::Pending => InviteeStatus::Pending,
            model::InviteeStatus::Attending => InviteeStatus::Attending,
            model::InviteeStatus::NotAttending => InviteeStatus::NotAttending,
            model::InviteeStatus::Maybe => InviteeStatus::Maybe,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct BookingInvitee {
    user: User,
    status: InviteeStatus,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct User {
    user_id: ID,
    name: Option<String>,
    surname: Option<String>,
    fullname: Option<String>,
    email: Option<String>,
    teams: Option<Vec<Option<Team>>>,
    is_active: Option<bool>,
    is_deleted: Option<bool>,
    is_admin: Option<bool>,
    has_plans: bool,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct Location {
    location_id: ID,
    name: Option<String>,
    timezone: Option<String>,
    is_deleted: Option<bool>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Organization", rename_fields = "snake_case")]
pub struct Organization_ {
    organization_id: ID,
    name: String,
    timezone: Option<String>,
    locale: Option<String>,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct Admin {
    user: User,
    locations: Vec<Location>,
}

#[derive(SimpleObject, Clone)]
pub struct AuthenticatedUser {
    #[graphql(name = "authType")]
    auth_type: TokenType,
    user: Option<User>,
    organization: Option<Organization_>,
    admin: Option<Admin>,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct PlanTemplate {
    plan_template_id: ID,
    name: String,
    in_all_locations: bool,
    locations: Vec<Location>,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct AccountPlan {
    account_plan_id: ID,
    access_usage_user: Option<User>,
    plan_template: Option<PlanTemplate>,
    name: String,
    start_timestamp: i64,
    end_timestamp: Option<i64>,
    status: model::PlanStatus,
    canceled_timestamp: Option<i64>,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct Resource {
    resource_id: ID,
    name: Option<String>,
}

#[derive(SimpleObject, Clone)]
#[graphql(rename_fields = "snake_case")]
pub struct Booking {
    booking_id: ID,
    location: Option<Location>,
    resource: Option<Resource>,
    start_timestamp: i64,
    end_timestamp: i64,
    user: Option<User>,
    is_new: bool,
    is_approved: bool,
    is_canceled: bool,
    is_rejected: bool,
    invitees: Option<Vec<Option<BookingInvitee>>>,
}

#[derive(SimpleObject)]
pub struct UserPagination {
    total: i64,
    data: Vec<Option<User>>,
}

#[derive(SimpleObject)]
pub struct AccountPlanPagination {
    total: i64,
    data: Vec<AccountPlan>,
}

#[derive(SimpleObject)]
pub struct BookingPagination {
    total: i64,
    data: Vec<Option<Booking>>,
}

#[derive(SimpleObject)]
pub struct TeamPagination {
    total: i64,
    data: Vec<Option<Team>>,
}

#[derive(SimpleObject)]
pub struct PlanTemplatePagination {
    total: i64,
    data: Vec<Option<PlanTemplate>>,
}

#[derive(SimpleObject)]
pub struct LocationPagination {
    total: i64,
    data: Vec<Option<Location>>,
}

fn location(l: &model::Location) -> Location {
    Location {
        location_id: ID(l.location_id.clone()),
        name: Some(l.name.clone()),
        timezone: Some(l.timezone.clone()),
        is_deleted: Some(false),
    }
}

fn user(org: &Organization, u: &model::User) -> User {
    User {
        user_id: ID(u.user_id.clone()),
        name: Some(u.name.clone()),
        surname: Some(u.surname.clone()),
        fullname: Some(u.fullname()),
        email: Some(u.email.clone()),
        teams: Some(
            org.teams_of(&u.user_id)
                .into_iter()
                .map(|t| {
                    Some(Team {
                        team_id: ID(t.team_id.clone()),
                        name: t.name.clone(),
                        users: None,
                    })
                })
                .collect(),
        ),
        is_active: Some(u.is_active),
        is_deleted: Some(u.is_deleted),
        is_admin: Some(u.is_admin),
        has_plans: org.plans_of(&u.user_id).into_iter().any(|p| {
            matches!(
                p.status,
                model::PlanStatus::Active | model::PlanStatus::InTrial
            )
        }),
    }
}

/// [`user`] for many users at once: their plans by the index (or one pass over the plans) and
/// one pass over the teams for the lot, not O(users × plans).
fn users_of(org: &Organization, users: &[&model::User]) -> Vec<User> {
    let wanted: HashSet<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
    let with_plans: HashSet<&str> = org
        .plans_among(&wanted)
        .into_iter()
        .filter(|p| {
            matches!(
                p.status,
                model::PlanStatus::Active | model::PlanStatus::InTrial
            )
        })
        .map(|p| p.user_id.as_str())
        .collect();
    let mut teams: HashMap<&str, Vec<Option<Team>>> = HashMap::new();
    for t in &org.teams {
        for member in &t.user_ids {
            if wanted.contains(member.as_str()) {
                teams.entry(member.as_str()).or_default().push(Some(Team {
                    team_id: ID(t.team_id.clone()),
                    name: t.name.clone(),
                    users: None,
                }));
            }
        }
    }
    users
        .iter()
        .map(|u| User {
            user_id: ID(u.user_id.clone()),
            name: Some(u.name.clone()),
            surname: Some(u.surname.clone()),
            fullname: Some(u.fullname()),
            email: Some(u.email.clone()),
            teams: Some(teams.remove(u.user_id.as_str()).unwrap_or_default()),
            is_active: Some(u.is_active),
            is_deleted: Some(u.is_deleted),
            is_admin: Some(u.is_admin),
            has_plans: with_plans.contains(u.user_id.as_str()),
        })
        .collect()
}

fn template(org: &Organization, t: &model::PlanTemplate) -> PlanTemplate {
    PlanTemplate {
        plan_template_id: ID(t.plan_template_id.clone()),
        name: t.name.clone(),
        in_all_locations: t.in_all_locations,
        locations: t
            .location_ids
            .iter()
            .filter_map(|id| org.location(id))
            .map(location)
            .collect(),
    }
}

/// Optix pages are 1-based; `limit` is capped at 100 like Optix's default page.
fn paginate<T: Clone>(items: Vec<T>, limit: i32, page: i32) -> (i64, Vec<T>) {
    let limit = limit.clamp(1, 500) as usize;
    let page = page.max(1) as usize;
    let total = items.len() as i64;
    let slice = items
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    (total, slice)
}

fn booking(org: &Organization, b: &model::Booking) -> Booking {
    Booking {
        booking_id: ID(b.booking_id.clone()),
        location: org.location(&b.location_id).map(location),
        resource: Some(Resource {
            resource_id: ID(b.resource_id.clone()),
            name: Some(b.resource_name.clone()),
        }),
        start_timestamp: b.start_timestamp,
        end_timestamp: b.end_timestamp,
        user: org.user(&b.user_id).map(|u| user(org, u)),
        is_new: false,
        is_approved: !b.is_canceled,
        is_canceled: b.is_canceled,
        is_rejected: false,
        invitees: Some(
            b.invitees
                .iter()
                .filter_map(|(user_id, status)| {
                    let u = org.user(user_id)?;
                    Some(Some(BookingInvitee {
                        user: user(org, u),
                        status: (*status).into(),
                    }))
                })
                .collect(),
        ),
    }
}

/// An organization token, or the personal token of one of the organization's admins (what
/// admin canvases receive).
fn admin_scope(ctx: &Context<'_>) -> Result<(Sim, String)> {
    let sim = ctx.data::<Sim>()?.clone();
    match ctx.data::<Auth>()? {
        Auth::Organization { org_id } => Ok((sim, org_id.clone())),
        Auth::Personal { org_id, user_id } => {
            let admin = sim.with_state(|s| {
                s.orgs
                    .get(org_id)
                    .and_then(|o| o.user(user_id))
                    .is_some_and(|u| u.is_admin)
            });
            if admin {
                Ok((sim, org_id.clone()))
            } else {
                Err("this query needs an organization token or an admin's token".into())
            }
        }
        Auth::Anonymous => Err("Unauthenticated: a valid token is required".into()),
    }
}

fn organization_scope(ctx: &Context<'_>) -> Result<(Sim, String)> {
    let sim = ctx.data::<Sim>()?.clone();
    match ctx.data::<Auth>()? {
        Auth::Organization { org_id } => Ok((sim, org_id.clone())),
        Auth::Personal { .. } => Err("this query needs an organization token".into()),
        Auth::Anonymous => Err("Unauthenticated: a valid token is required".into()),
    }
}

pub struct QueryRoot;

#[Object(rename_fields = "camelCase", rename_args = "snake_case")]
impl QueryRoot {
    async fn me(&self, ctx: &Context<'_>) -> Result<AuthenticatedUser> {
        let sim = ctx.data::<Sim>()?;
        let auth = ctx.data::<Auth>()?.clone();
        Ok(sim.with_state(|state| {
            let (auth_type, org_id, user_id) = match &auth {
                Auth::Anonymous => (TokenType::Anonymous, None, None),
                Auth::Organization { org_id } => {
                    (TokenType::Organization, Some(org_id.clone()), None)
                }
                Auth::Personal { org_id, user_id } => (
                    TokenType::Personal,
                    Some(org_id.clone()),
                    Some(user_id.clone()),
                ),
            };
            let org = org_id.as_ref().and_then(|id| state.orgs.get(id));
            let found = org.and_then(|o| user_id.as_ref().and_then(|u| o.user(u)).map(|u| (o, u)));
            AuthenticatedUser {
                auth_type,
                user: found.map(|(o, u)| user(o, u)),
                organization: org.map(|o| Organization_ {
                    organization_id: ID(o.organization_id.clone()),
                    name: o.name.clone(),
                    timezone: Some(o.timezone.clone()),
                    locale: Some(o.locale.clone()),
                }),
                admin: found.filter(|(_, u)| u.is_admin).map(|(o, u)| Admin {
                    user: user(o, u),
                    locations: o.locations.iter().map(location).collect(),
                }),
            }
        }))
    }

    async fn user(
        &self,
        ctx: &Context<'_>,
        get_by_email: Option<String>,
        get_by_member_id: Option<ID>,
        get_by_user_id: Option<ID>,
    ) -> Result<Option<User>> {
        let (sim, org_id) = organization_scope(ctx)?;
        let selectors = [
            get_by_email.is_some(),
            get_by_member_id.is_some(),
            get_by_user_id.is_some(),
        ];
        if selectors.iter().filter(|s| **s).count() != 1 {
            return Err(
                "exactly one of get_by_email, get_by_member_id, get_by_user_id is required".into(),
            );
        }
        Ok(sim.with_state(|state| {
            let org = state.indexed_org(&org_id)?;
            let found = match get_by_user_id.as_ref().or(get_by_member_id.as_ref()) {
                Some(id) => org.live_user(&id.0)?,
                None => org.users.iter().filter(|u| !u.is_deleted).find(|u| {
                    get_by_email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(&u.email))
                })?,
            };
            Some(user(org, found))
        }))
    }

    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: i32,
        #[graphql(default = 1)] page: i32,
        include_active: Option<bool>,
        include_inactive: Option<bool>,
        include_deleted: Option<bool>,
        include_pending: Option<bool>,
        search_by_email: Option<String>,
    ) -> Result<UserPagination> {
        let _ = include_pending;
        let (sim, org_id) = organization_scope(ctx)?;
        // Optix's include_* flags are opt-in filters; none given means active users.
        let any_flag =
            include_active.is_some() || include_inactive.is_some() || include_deleted.is_some();
        Ok(sim.with_state(|state| {
            let Some(org) = state.indexed_org(&org_id) else {
                return UserPagination {
                    total: 0,
                    data: vec![],
                };
            };
            // Filter, then page, then convert only the page.
            let matching: Vec<&model::User> = org
                .users
                .iter()
                .filter(|u| {
                    let wanted = if !any_flag {
                        u.is_active && !u.is_deleted
                    } else if u.is_deleted {
                        include_deleted == Some(true)
                    } else if u.is_active {
                        include_active == Some(true)
                    } else {
                        include_inactive == Some(true)
                    };
                    wanted
                        && search_by_email
                            .as_deref()
                            .is_none_or(|s| u.email.to_lowercase().contains(&s.to_lowercase()))
                })
                .collect();
            let (total, page) = paginate(matching, limit, page);
            let data = users_of(org, &page).into_iter().map(Some).collect();
            UserPagination { total, data }
        }))
    }

    #[allow(clippy::too_many_arguments)]
    async fn account_plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: i32,
        #[graphql(default = 1)] page: i32,
        account_plan_id: Option<Vec<ID>>,
        access_usage_user_id: Option<Vec<ID>>,
        status: Option<Vec<model::PlanStatus>>,
    ) -> Result<AccountPlanPagination> {
        let (sim, org_id) = organization_scope(ctx)?;
        Ok(sim.with_state(|state| {
            let Some(org) = state.indexed_org(&org_id) else {
                return AccountPlanPagination {
                    total: 0,
                    data: vec![],
                };
            };
            let users: Option<HashSet<&str>> = access_usage_user_id
                .as_ref()
                .map(|ids| ids.iter().map(|id| id.0.as_str()).collect());
            let plan_ids: Option<HashSet<&str>> = account_plan_id
                .as_ref()
                .map(|ids| ids.iter().map(|id| id.0.as_str()).collect());
            // Filter, then page, then convert only the page.
            let candidates = match &users {
                Some(ids) => org.plans_among(ids),
                None => org.account_plans.iter().collect(),
            };
            let matching: Vec<&model::AccountPlan> = candidates
                .into_iter()
                .filter(|p| {
                    plan_ids
                        .as_ref()
                        .is_none_or(|ids| ids.contains(p.account_plan_id.as_str()))
                })
                .filter(|p| status.as_ref().is_none_or(|s| s.contains(&p.status)))
                .collect();
            let (total, page) = paginate(matching, limit, page);
            let owner_ids: HashSet<&str> = page.iter().map(|p| p.user_id.as_str()).collect();
            let owners = org.users_among(&owner_ids);
            let owners: HashMap<&str, User> = owners
                .iter()
                .map(|u| u.user_id.as_str())
                .zip(users_of(org, &owners))
                .collect();
            let data = page
                .into_iter()
                .map(|p| {
                    let tpl = org.template(&p.plan_template_id);
                    let owner = owners.get(p.user_id.as_str());
                    AccountPlan {
                        account_plan_id: ID(p.account_plan_id.clone()),
                        access_usage_user: owner.cloned(),
                        plan_template: tpl.map(|t| template(org, t)),
                        name: format!(
                            "{} for {}",
                            tpl.map(|t| t.name.as_str()).unwrap_or("Plan"),
                            owner.and_then(|u| u.name.as_deref()).unwrap_or("member")
                        ),
                        start_timestamp: p.start_timestamp,
                        end_timestamp: p.end_timestamp,
                        status: p.status,
                        canceled_timestamp: p.canceled_timestamp,
                    }
                })
                .collect();
            AccountPlanPagination { total, data }
        }))
    }

    #[allow(clippy::too_many_arguments)]
    async fn bookings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: i32,
        #[graphql(default = 1)] page: i32,
        user_id: Option<ID>,
        include_new: Option<bool>,
        include_approved: Option<bool>,
        include_canceled: Option<bool>,
        location_id: Option<Vec<Option<ID>>>,
        start_timestamp_from: Option<i64>,
        start_timestamp_to: Option<i64>,
        end_timestamp_from: Option<i64>,
        end_timestamp_to: Option<i64>,
    ) -> Result<BookingPagination> {
        let (sim, org_id) = organization_scope(ctx)?;
        let _ = (include_new, include_approved);
        Ok(sim.with_state(|state| {
            let Some(org) = state.orgs.get(&org_id) else {
                return BookingPagination {
                    total: 0,
                    data: vec![],
                };
            };
            let locations: Option<Vec<String>> =
                location_id.map(|ids| ids.into_iter().flatten().map(|id| id.0).collect());
            let matching: Vec<Option<Booking>> = org
                .bookings
                .iter()
                .filter(|b| {
                    user_id
                        .as_ref()
                        .is_none_or(|u| u.0 == "-1" || u.0 == b.user_id)
                })
                .filter(|b| include_canceled == Some(true) || !b.is_canceled)
                .filter(|b| {
                    locations
                        .as_ref()
                        .is_none_or(|ls| ls.contains(&b.location_id))
                })
                .filter(|b| start_timestamp_from.is_none_or(|t| b.start_timestamp >= t))
                .filter(|b| start_timestamp_to.is_none_or(|t| b.start_timestamp <= t))
                .filter(|b| end_timestamp_from.is_none_or(|t| b.end_timestamp >= t))
                .filter(|b| end_timestamp_to.is_none_or(|t| b.end_timestamp <= t))
                .map(|b| Some(booking(org, b)))
                .collect();
            let (total, data) = paginate(matching, limit, page);
            BookingPagination { total, data }
        }))
    }

    async fn booking(&self, ctx: &Context<'_>, booking_id: ID) -> Result<Option<Booking>> {
        let (sim, org_id) = organization_scope(ctx)?;
        Ok(sim.with_state(|state| {
            let org = state.orgs.get(&org_id)?;
            let b = org.bookings.iter().find(|b| b.booking_id == booking_id.0)?;
            Some(booking(org, b))
        }))
    }

    async fn teams(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> Result<TeamPagination> {
        let (sim, org_id) = organization_scope(ctx)?;
        Ok(sim.with_state(|state| {
            let all: Vec<Option<Team>> = state
                .orgs
                .get(&org_id)
                .map(|o| {
                    o.teams
                        .iter()
                        .map(|t| {
                            Some(Team {
                                team_id: ID(t.team_id.clone()),
                                name: t.name.clone(),
                                users: Some(
                                    t.user_ids
                                        .iter()
                                        .filter_map(|u| o.user(u))
                                        .filter(|u| !u.is_deleted)
                                        .map(|u| user(o, u))
                                        .collect(),
                                ),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            let (total, data) = paginate(all, limit, page);
            TeamPagination { total, data }
        }))
    }

    async fn plan_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: i32,
        #[graphql(default = 1)] page: i32,
    ) -> Result<PlanTemplatePagination> {
        let (sim, org_id) = admin_scope(ctx)?;
        Ok(sim.with_state(|state| {
            let all: Vec<Option<PlanTemplate>> = state
                .orgs
                .get(&org_id)
                .map(|o| {
                    o.plan_templates
                        .iter()
                        .map(|t| Some(template(o, t)))
                        .collect()
                })
                .unwrap_or_default();
            let (total, data) = paginate(all, limit, page);
            PlanTemplatePagination { total, data }
        }))
    }

    async fn locations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] limit: i32,
        #[graphql(default = 1)] page: i32,
        include_visible: Option<bool>,
        include_deleted: Option<bool>,
        include_hidden: Option<bool>,
    ) -> Result<LocationPagination> {
        let _ = (include_visible, include_deleted, include_hidden);
        let (sim, org_id) = organization_scope(ctx)?;
        Ok(sim.with_state(|state| {
            let all: Vec<Option<Location>> = state
                .orgs
                .get(&org_id)
                .map(|o| o.locations.iter().map(|l| Some(location(l))).collect())
                .unwrap_or_default();
            let (total, data) = paginate(all, limit, page);
            LocationPagination { total, data }
        }))
    }
}
