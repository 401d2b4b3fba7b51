//! `GET /canvas/admin/plans`: each Optix plan's access profile, the default profile and the
//! organization's VLAN pool; `POST`: change one of them.

use crate::admin_forms::{
    Banner, FormPage, PageResult, optional_number, optional_pool, pool_fields, refused,
};
use crate::admin_session::Admin;
use crate::input::plausible_id;
use crate::language::LanguageSwitch;
use crate::pages::Framing;
use crate::state::State;
use askama::Template;
use bus::commands::Command;
use domain::AccessProfile;
use i18n::Texts;
use serde::Deserialize;

/// A profile as form fields (`key` makes the field ids unique on the page).
struct ProfileFields {
    key: String,
    name: String,
    wifi: bool,
    vlan: String,
    up: String,
    down: String,
    duration: String,
    devices: String,
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
        devices: profile
            .device_limit
            .map(|n| n.to_string())
            .unwrap_or_default(),
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
    t: Texts<'static>,
    switch: LanguageSwitch,
    title: String,
    section: &'static str,
    /// The membership platform's name (Optix, OfficeRnD).
    platform: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    pool_first: String,
    pool_last: String,
    default_profile: ProfileFields,
    plans: Vec<PlanRow>,
    plans_error: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct PlanForm {
    csrf: String,
    action: String,
    plan_template_id: String,
    profile_name: String,
    wifi: Option<String>,
    vlan: String,
    bandwidth_up_kbps: String,
    bandwidth_down_kbps: String,
    duration_hours: String,
    device_limit: String,
    vlan_first: String,
    vlan_last: String,
}

fn profile_of(form: &PlanForm, texts: &Texts<'_>) -> Result<AccessProfile, String> {
    let number = |value: &str, field: &str| optional_number(value, field, texts);
    let profile = AccessProfile {
        name: form.profile_name.trim().to_owned(),
        wifi: form.wifi.is_some(),
        vlan: optional_number(&form.vlan, "admin-field-vlan", texts)?,
        bandwidth_up_kbps: number(&form.bandwidth_up_kbps, "admin-field-upload")?,
        bandwidth_down_kbps: number(&form.bandwidth_down_kbps, "admin-field-download")?,
        duration_hours: number(&form.duration_hours, "admin-field-duration")?,
        device_limit: optional_number(&form.device_limit, "admin-field-devices", texts)?,
    };
    // Provision checks the same; checking here answers at once, in the form (as for locations).
    profile.validate().map_err(|e| refused(texts, e))?;
    Ok(profile)
}

/// The plans page.
pub(crate) struct Plans;

impl FormPage for Plans {
    type Form = PlanForm;
    const PATH: &'static str = "/canvas/admin/plans";

    fn command(form: &PlanForm, texts: &Texts<'_>) -> Result<(Command, &'static str), String> {
        let plan_id = || {
            if plausible_id(&form.plan_template_id) {
                Ok(form.plan_template_id.clone())
            } else {
                Err(texts.get("admin-error-unknown-plan"))
            }
        };
        Ok(match form.action.as_str() {
            "map" => (
                Command::MapPlan {
                    plan_template_id: plan_id()?,
                    profile: profile_of(form, texts)?,
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
                    profile: profile_of(form, texts)?,
                },
                "default_set",
            ),
            "pool" => (
                Command::SetVlanPool {
                    pool: optional_pool(&form.vlan_first, &form.vlan_last, texts)?,
                },
                "pool_set",
            ),
            _ => return Err(texts.get("admin-error-unknown-action")),
        })
    }

    fn csrf(form: &PlanForm) -> &str {
        &form.csrf
    }

    /// Plan profiles, the default profile, the VLAN pool.
    async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
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
                optix_name: admin
                    .texts
                    .get_with("admin-plan-fallback", &[("plan", &plan_template_id)]),
                mapped: true,
                profile: fields(&format!("plan-{plan_template_id}"), &profile),
                plan_template_id,
            });
        }
        let (pool_first, pool_last) = pool_fields(policy.vlan_pool);
        let page = PlansPage {
            t: admin.texts,
            switch: admin.language.switch(),
            title: admin.texts.get("admin-nav-plans"),
            section: "plans",
            platform: domain::Platform::of_org(&admin.row.org_id).name(),
            notice: banner.notice,
            error: banner.error,
            csrf: admin.csrf(state),
            pool_first,
            pool_last,
            default_profile: fields("default", &policy.default_profile),
            plans,
            plans_error: admin.context.plans_error.clone(),
        };
        state.page(banner.status, Framing::Optix, &page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Texts<'static> {
        Texts::new(i18n::Lang::En)
    }

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
            device_limit: String::new(),
            vlan_first: String::new(),
            vlan_last: String::new(),
        };
        for (name, vlan) in [("", ""), ("Hot\r\ndesk", ""), ("Hot desk", "5000")] {
            let error =
                Plans::command(&form(name, vlan), &english()).expect_err("refused in the form");
            assert!(error.starts_with("Refused: "), "{error}");
        }
        let (command, _) =
            Plans::command(&form("Hot desk", "20"), &english()).expect("a valid profile");
        assert!(matches!(command, Command::MapPlan { .. }));
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
            device_limit: "3".into(),
            vlan_first: String::new(),
            vlan_last: String::new(),
        };
        let (command, _) = Plans::command(&form, &english()).expect("command");
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
                    device_limit: Some(3),
                },
            }
        );
    }
}
