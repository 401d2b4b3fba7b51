//! Changing the simulated organization the way an Optix admin or member would, and sending the
//! webhook Optix sends for each change (or none, to stand for a lost delivery).

use crate::fields::{booking_fields, member_fields, object, team_member_fields};
use crate::model::{
    AccountPlan, Booking, InviteeStatus, Location, PlanStatus, PlanTemplate, Team, User,
};
use crate::sim::Sim;
use anyhow::Context as _;
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// One change; the admin API takes it as JSON `{"change": "add_team_member", ...}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    AddUser {
        name: String,
        surname: String,
        email: String,
        #[serde(default)]
        is_admin: bool,
    },
    DeleteUser {
        user_id: String,
    },
    UpdateUser {
        user_id: String,
        #[serde(default)]
        email: Option<String>,
        #[serde(default)]
        is_active: Option<bool>,
    },
    AddPlan {
        user_id: String,
        plan_template_id: String,
        /// Seconds from now; default now.
        #[serde(default)]
        starts_in_secs: i64,
        #[serde(default)]
        ends_in_secs: Option<i64>,
    },
    /// A plan that starts now with a free trial: IN_TRIAL, as Optix reports it while the trial
    /// lasts.
    AddTrialPlan {
        user_id: String,
        plan_template_id: String,
        trial_days: u32,
    },
    CancelPlan {
        account_plan_id: String,
    },
    /// A new end (or none) for a plan.
    ChangePlan {
        account_plan_id: String,
        end_timestamp: Option<i64>,
    },
    AddPlanTemplate {
        name: String,
        in_all_locations: bool,
        #[serde(default)]
        location_ids: Vec<String>,
    },
    /// A new location (Optix sends no webhook for locations).
    AddLocation {
        name: String,
        /// An IANA time zone, e.g. `Europe/Amsterdam`.
        timezone: String,
    },
    /// The organization's default locale in its settings (`fr_CA`; Optix sends no webhook).
    SetLocale {
        locale: String,
    },
    AddTeam {
        name: String,
    },
    RenameTeam {
        team_id: String,
        name: String,
    },
    DeleteTeam {
        team_id: String,
    },
    AddTeamMember {
        team_id: String,
        user_id: String,
    },
    RemoveTeamMember {
        team_id: String,
        user_id: String,
    },
    AddBooking {
        user_id: String,
        location_id: String,
        resource_name: String,
        start_timestamp: i64,
        end_timestamp: i64,
        #[serde(default)]
        invitees: Vec<String>,
    },
    MoveBooking {
        booking_id: String,
        start_timestamp: i64,
        end_timestamp: i64,
    },
    CancelBooking {
        booking_id: String,
    },
    SetInviteeStatus {
        booking_id: String,
        user_id: String,
        status: InviteeStatus,
    },
}

/// Locales are short tags (`fr_CA`); the admin API's input is bounded.
const MAX_LOCALE_LEN: usize = 35;

/// Whether the change is announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notify {
    /// Send the webhook Optix sends, delivered like Optix delivers.
    Webhook,
    /// Change state only: a lost webhook (or one Optix never sends).
    Quietly,
}

/// What a change created (ids), and the status of the webhook's first attempt (`None` while a
/// dispatch delay holds it back).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    pub id: Option<String>,
    pub webhook: Option<String>,
    pub status: Option<u16>,
}

/// What a change created (its id) and the webhook (event, fields) Optix sends for it, or why
/// the change cannot be made.
pub type Changed = anyhow::Result<(Option<String>, Option<(String, Map<String, Value>)>)>;

/// A new account plan from `now` on, without an end, a cancellation or a trial.
fn new_plan(
    account_plan_id: String,
    user_id: String,
    plan_template_id: String,
    status: PlanStatus,
    now: i64,
) -> AccountPlan {
    AccountPlan {
        account_plan_id,
        user_id,
        plan_template_id,
        status,
        start_timestamp: now,
        end_timestamp: None,
        canceled_timestamp: None,
        created_timestamp: now,
        trial_days: 0,
    }
}

/// `team_updated` names the team (and, as Optix does, its account) only.
fn team_fields(team_id: &str) -> Map<String, Value> {
    object(json!({"team_id": team_id, "account_id": team_id}))
}

impl Sim {
    /// Applies `change` to `org_id` and, with [`Notify::Webhook`], delivers the matching webhook.
    pub async fn apply(
        &self,
        org_id: &str,
        change: Change,
        notify: Notify,
    ) -> anyhow::Result<Applied> {
        let (id, webhook) = self.change_state(org_id, change)?;
        let mut applied = Applied {
            id,
            webhook: None,
            status: None,
        };
        // Optix sends webhooks to the apps an organization has installed, and only to them.
        let installed = self.with_state(|s| s.orgs.get(org_id).is_some_and(|o| o.app_installed));
        if let (Notify::Webhook, Some((event, fields)), true) = (notify, webhook, installed) {
            applied.status = self.dispatch(org_id, &event, fields).await?;
            applied.webhook = Some(event);
        }
        Ok(applied)
    }

    /// Applies `change` without sending anything, and returns what it created with the
    /// webhook Optix would have sent (event, fields), for a test to deliver later, in any order
    /// and any number of times.
    pub fn apply_held(&self, org_id: &str, change: Change) -> Changed {
        self.change_state(org_id, change)
    }

    /// The state change, and the webhook (event, fields) Optix would send for it.
    fn change_state(&self, org_id: &str, change: Change) -> Changed {
        let new_id = self.next_id();
        match change {
            Change::AddUser {
                name,
                surname,
                email,
                is_admin,
            } => self.push_user(org_id, User::new(new_id, name, surname, email, is_admin)),
            Change::DeleteUser { user_id } => self.delete_user(org_id, &user_id),
            Change::UpdateUser {
                user_id,
                email,
                is_active,
            } => self.update_user(org_id, &user_id, email, is_active),
            Change::AddPlan {
                user_id,
                plan_template_id,
                starts_in_secs,
                ends_in_secs,
            } => {
                let now = Utc::now().timestamp();
                let status = if starts_in_secs > 0 {
                    PlanStatus::Upcoming
                } else {
                    PlanStatus::Active
                };
                let plan = new_plan(new_id, user_id, plan_template_id, status, now);
                self.push_plan(
                    org_id,
                    AccountPlan {
                        start_timestamp: now + starts_in_secs,
                        end_timestamp: ends_in_secs.map(|s| now + s),
                        ..plan
                    },
                )
            }
            Change::AddTrialPlan {
                user_id,
                plan_template_id,
                trial_days,
            } => {
                anyhow::ensure!(trial_days > 0, "a trial lasts at least one day");
                let now = Utc::now().timestamp();
                let plan = new_plan(new_id, user_id, plan_template_id, PlanStatus::InTrial, now);
                self.push_plan(org_id, AccountPlan { trial_days, ..plan })
            }
            Change::CancelPlan { account_plan_id } => self.change_plan(
                org_id,
                &account_plan_id,
                "cancel_plan_subscription",
                |plan, now| {
                    plan.status = PlanStatus::Canceled;
                    plan.canceled_timestamp = Some(now);
                },
            ),
            Change::ChangePlan {
                account_plan_id,
                end_timestamp,
            } => self.change_plan(
                org_id,
                &account_plan_id,
                "plan_subscription_changed",
                |plan, now| {
                    plan.end_timestamp = end_timestamp;
                    if end_timestamp.is_some_and(|end| end <= now) {
                        plan.status = PlanStatus::Ended;
                    }
                },
            ),
            other => self.change_setup(org_id, new_id, other),
        }
    }

    /// Changes to what an organization is made of: plan templates, locations, teams and their
    /// members (see [`Sim::change_state`]).
    fn change_setup(&self, org_id: &str, new_id: String, change: Change) -> Changed {
        match change {
            Change::AddPlanTemplate {
                name,
                in_all_locations,
                location_ids,
            } => self.add_silently(org_id, new_id, |org, id| {
                org.plan_templates.push(PlanTemplate {
                    plan_template_id: id,
                    name,
                    in_all_locations,
                    location_ids,
                    price: "0.00".into(),
                });
                Ok(())
            }),
            Change::AddLocation { name, timezone } => {
                timezone
                    .parse::<chrono_tz::Tz>()
                    .map_err(|_| anyhow::anyhow!("unknown time zone {timezone:?}"))?;
                self.add_silently(org_id, new_id, |org, id| {
                    org.locations.push(Location {
                        location_id: id,
                        name,
                        timezone,
                    });
                    Ok(())
                })
            }
            Change::SetLocale { locale } => {
                anyhow::ensure!(
                    !locale.is_empty() && locale.len() <= MAX_LOCALE_LEN,
                    "a locale is 1 to {MAX_LOCALE_LEN} characters, e.g. fr_CA"
                );
                self.with_org(org_id, |org| {
                    org.locale = locale;
                    Ok(())
                })?;
                Ok((None, None))
            }
            Change::AddTeam { name } => self.add_silently(org_id, new_id, |org, id| {
                org.teams.push(Team {
                    team_id: id,
                    name,
                    user_ids: vec![],
                });
                Ok(())
            }),
            Change::RenameTeam { team_id, name } => {
                self.with_org(org_id, |org| {
                    org.team_mut(&team_id)?.name = name;
                    Ok(())
                })?;
                Ok((None, Some(("team_updated".into(), team_fields(&team_id)))))
            }
            Change::DeleteTeam { team_id } => {
                self.with_org(org_id, |org| {
                    let before = org.teams.len();
                    org.teams.retain(|t| t.team_id != team_id);
                    anyhow::ensure!(org.teams.len() < before, "unknown team");
                    Ok(())
                })?;
                Ok((None, Some(("team_updated".into(), team_fields(&team_id)))))
            }
            Change::AddTeamMember { team_id, user_id } => {
                self.change_team_members(org_id, &team_id, &user_id, "new_team_member", |ids| {
                    if !ids.contains(&user_id) {
                        ids.push(user_id.clone());
                    }
                })
            }
            Change::RemoveTeamMember { team_id, user_id } => {
                self.change_team_members(org_id, &team_id, &user_id, "team_member_deleted", |ids| {
                    ids.retain(|u| *u != user_id)
                })
            }
            other => self.change_bookings(org_id, new_id, other),
        }
    }

    /// Changes to bookings and their invitees (see [`Sim::change_state`]).
    fn change_bookings(&self, org_id: &str, new_id: String, change: Change) -> Changed {
        match change {
            Change::AddBooking {
                user_id,
                location_id,
                resource_name,
                start_timestamp,
                end_timestamp,
                invitees,
            } => {
                anyhow::ensure!(
                    start_timestamp < end_timestamp,
                    "a booking must end after it starts"
                );
                self.push_booking(
                    org_id,
                    Booking {
                        booking_id: new_id.clone(),
                        user_id,
                        location_id,
                        resource_id: format!("r{new_id}"),
                        resource_name,
                        start_timestamp,
                        end_timestamp,
                        is_canceled: false,
                        invitees: invitees
                            .into_iter()
                            .map(|u| (u, InviteeStatus::Pending))
                            .collect(),
                    },
                )
            }
            Change::MoveBooking {
                booking_id,
                start_timestamp,
                end_timestamp,
            } => {
                let fields = self.with_booking(org_id, &booking_id, |b| {
                    b.start_timestamp = start_timestamp;
                    b.end_timestamp = end_timestamp;
                })?;
                Ok((None, Some(("member_booking_updated".into(), fields))))
            }
            Change::CancelBooking { booking_id } => {
                let fields = self.with_booking(org_id, &booking_id, |b| b.is_canceled = true)?;
                Ok((None, Some(("member_booking_cancelled".into(), fields))))
            }
            Change::SetInviteeStatus {
                booking_id,
                user_id,
                status,
            } => {
                let fields = self.with_booking(org_id, &booking_id, |b| {
                    for invitee in &mut b.invitees {
                        if invitee.0 == user_id {
                            invitee.1 = status;
                        }
                    }
                })?;
                Ok((None, Some(("member_booking_updated".into(), fields))))
            }
            other => anyhow::bail!("{other:?} is not a change of bookings"),
        }
    }

    fn push_user(&self, org_id: &str, user: User) -> Changed {
        let fields = member_fields(&user, "Location");
        let user_id = user.user_id.clone();
        self.with_org(org_id, |org| {
            org.users.push(user);
            Ok(())
        })?;
        Ok((Some(user_id), Some(("new_member".into(), fields))))
    }

    fn delete_user(&self, org_id: &str, user_id: &str) -> Changed {
        let fields = self.with_org(org_id, |org| {
            let user = org.user_mut(user_id)?;
            user.is_deleted = true;
            user.is_active = false;
            let user = user.clone();
            for team in &mut org.teams {
                team.user_ids.retain(|u| *u != user_id);
            }
            Ok(member_fields(&user, "Location"))
        })?;
        Ok((None, Some(("member_deleted".into(), fields))))
    }

    fn update_user(
        &self,
        org_id: &str,
        user_id: &str,
        email: Option<String>,
        is_active: Option<bool>,
    ) -> Changed {
        self.with_org(org_id, |org| {
            let user = org.user_mut(user_id)?;
            if let Some(email) = email {
                user.email = email;
            }
            if let Some(active) = is_active {
                user.is_active = active;
            }
            Ok(())
        })?;
        // member_updated names the member (here: the user id) and its account only.
        let fields = object(json!({"member_id": user_id, "account_id": user_id}));
        Ok((None, Some(("member_updated".into(), fields))))
    }

    /// A new plan of a known user on a known template; Optix announces it as a subscription.
    fn push_plan(&self, org_id: &str, plan: AccountPlan) -> Changed {
        let id = plan.account_plan_id.clone();
        self.with_org(org_id, |org| {
            org.user(&plan.user_id).context("unknown user")?;
            org.template(&plan.plan_template_id)
                .context("unknown plan template")?;
            org.account_plans.push(plan);
            Ok(())
        })?;
        let webhook = self.plan_webhook(org_id, "new_plan_subscription", &id)?;
        Ok((Some(id), webhook))
    }

    /// Changes a plan (`change` gets it and the time now) and announces it as `event`.
    fn change_plan(
        &self,
        org_id: &str,
        account_plan_id: &str,
        event: &str,
        change: impl FnOnce(&mut AccountPlan, i64),
    ) -> Changed {
        let now = Utc::now().timestamp();
        self.with_plan(org_id, account_plan_id, |plan| change(plan, now))?;
        let webhook = self.plan_webhook(org_id, event, account_plan_id)?;
        Ok((None, webhook))
    }

    fn plan_webhook(
        &self,
        org_id: &str,
        event: &str,
        plan_id: &str,
    ) -> anyhow::Result<Option<(String, Map<String, Value>)>> {
        self.plan_fields(org_id, plan_id)
            .map(|fields| Some((event.to_owned(), fields)))
    }

    /// Adds what `add` makes of the new id; Optix sends no webhook for it.
    fn add_silently(
        &self,
        org_id: &str,
        new_id: String,
        add: impl FnOnce(&mut crate::model::Organization, String) -> anyhow::Result<()>,
    ) -> Changed {
        self.with_org(org_id, |org| add(org, new_id.clone()))?;
        Ok((Some(new_id), None))
    }

    /// Changes the user ids of a team with `change` and announces it as `event`.
    fn change_team_members(
        &self,
        org_id: &str,
        team_id: &str,
        user_id: &str,
        event: &str,
        change: impl FnOnce(&mut Vec<String>),
    ) -> Changed {
        let fields = self.with_org(org_id, |org| {
            let user = org.user(user_id).context("unknown user")?.clone();
            let team = org.team_mut(team_id)?;
            change(&mut team.user_ids);
            Ok(team_member_fields(team, &user))
        })?;
        Ok((None, Some((event.into(), fields))))
    }

    fn push_booking(&self, org_id: &str, booking: Booking) -> Changed {
        let id = booking.booking_id.clone();
        let fields = self.with_org(org_id, |org| {
            org.user(&booking.user_id).context("unknown user")?;
            org.location(&booking.location_id)
                .context("unknown location")?;
            for (invitee, _) in &booking.invitees {
                org.user(invitee)
                    .with_context(|| format!("unknown invitee {invitee}"))?;
            }
            let fields = booking_fields(org, &booking);
            org.bookings.push(booking);
            fields
        })?;
        Ok((Some(id), Some(("new_member_booking".into(), fields))))
    }

    /// Subscribes a user to a plan template (ACTIVE from now) and sends `new_plan_subscription`.
    pub async fn add_plan(
        &self,
        org_id: &str,
        user_id: &str,
        plan_template_id: &str,
    ) -> anyhow::Result<String> {
        let applied = self
            .apply(
                org_id,
                Change::AddPlan {
                    user_id: user_id.to_owned(),
                    plan_template_id: plan_template_id.to_owned(),
                    starts_in_secs: 0,
                    ends_in_secs: None,
                },
                Notify::Webhook,
            )
            .await?;
        applied.id.context("the new plan has no id")
    }

    /// Cancels an account plan without sending any webhook: what Lanyard sees when Optix's
    /// `cancel_plan_subscription` delivery is lost.
    pub fn cancel_plan_quietly(&self, org_id: &str, account_plan_id: &str) -> anyhow::Result<()> {
        self.with_state(|s| {
            let org = s.orgs.get_mut(org_id).context("organization")?;
            let plan = org
                .account_plans
                .iter_mut()
                .find(|p| p.account_plan_id == account_plan_id)
                .context("plan")?;
            plan.status = PlanStatus::Canceled;
            plan.canceled_timestamp = Some(Utc::now().timestamp());
            anyhow::Ok(())
        })
    }

    /// Adds `n` active users to `org_id`, each with an ACTIVE plan of `plan_template_id` that
    /// started a month ago, without sending any webhook (a large organization as it stands
    /// before the app is installed; benchmarks). Returns (user id, account plan id) pairs.
    pub fn populate(
        &self,
        org_id: &str,
        n: usize,
        plan_template_id: &str,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let started = Utc::now().timestamp() - 30 * 86_400;
        self.with_state(|s| {
            let org = s
                .orgs
                .get(org_id)
                .with_context(|| format!("unknown organization {org_id}"))?;
            org.template(plan_template_id)
                .with_context(|| format!("unknown plan template {plan_template_id}"))?;
            let first = s.next_id + 1;
            s.next_id += 2 * n as u64;
            let org = s.orgs.get_mut(org_id).context("organization")?;
            let mut created = Vec::with_capacity(n);
            for i in 0..n as u64 {
                let user_id = (first + 2 * i).to_string();
                let account_plan_id = (first + 2 * i + 1).to_string();
                org.users.push(crate::model::User {
                    email: format!("member{user_id}@populated.example"),
                    user_id: user_id.clone(),
                    name: format!("Member{i}"),
                    surname: "Populated".into(),
                    is_admin: false,
                    is_active: true,
                    is_deleted: false,
                });
                org.account_plans.push(AccountPlan {
                    account_plan_id: account_plan_id.clone(),
                    user_id: user_id.clone(),
                    plan_template_id: plan_template_id.to_owned(),
                    status: PlanStatus::Active,
                    start_timestamp: started,
                    end_timestamp: None,
                    canceled_timestamp: None,
                    created_timestamp: started,
                    trial_days: 0,
                });
                created.push((user_id, account_plan_id));
            }
            Ok(created)
        })
    }

    /// Cancels an account plan and sends `cancel_plan_subscription`.
    pub async fn cancel_plan(&self, org_id: &str, account_plan_id: &str) -> anyhow::Result<()> {
        self.apply(
            org_id,
            Change::CancelPlan {
                account_plan_id: account_plan_id.to_owned(),
            },
            Notify::Webhook,
        )
        .await?;
        Ok(())
    }

    fn with_org<T>(
        &self,
        org_id: &str,
        f: impl FnOnce(&mut crate::model::Organization) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.with_state(|s| {
            let org = s
                .orgs
                .get_mut(org_id)
                .with_context(|| format!("unknown organization {org_id}"))?;
            f(org)
        })
    }

    fn with_plan(
        &self,
        org_id: &str,
        account_plan_id: &str,
        f: impl FnOnce(&mut AccountPlan),
    ) -> anyhow::Result<()> {
        self.with_org(org_id, |org| {
            let plan = org
                .account_plans
                .iter_mut()
                .find(|p| p.account_plan_id == account_plan_id)
                .with_context(|| format!("unknown account plan {account_plan_id}"))?;
            f(plan);
            Ok(())
        })
    }

    fn with_booking(
        &self,
        org_id: &str,
        booking_id: &str,
        f: impl FnOnce(&mut Booking),
    ) -> anyhow::Result<Map<String, Value>> {
        self.with_org(org_id, |org| {
            let index = org
                .bookings
                .iter()
                .position(|b| b.booking_id == booking_id)
                .with_context(|| format!("unknown booking {booking_id}"))?;
            f(&mut org.bookings[index]);
            booking_fields(org, &org.bookings[index])
        })
    }
}
