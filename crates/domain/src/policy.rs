//! What an operator configures: access profiles (seed 001 "Plan Mapping"), VLAN pools and
//! location mappings. Plain values, folded from the `org-…` and `location-…` streams and handed
//! to the access rules, so a decision depends only on facts and configuration.

use crate::devices::DEFAULT_DEVICE_LIMIT;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most devices a profile may allow one member.
pub const MAX_DEVICE_LIMIT: u16 = 100;

/// A range of 802.1Q VLAN ids, both ends included (1–4094).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VlanRange {
    pub first: u16,
    pub last: u16,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("VLAN ids go from 1 to 4094; {0} is outside")]
    VlanOutOfRange(u16),
    #[error("a VLAN pool must start at or before its end ({first} > {last})")]
    EmptyPool { first: u16, last: u16 },
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{field} is too long (at most {max} characters)")]
    TooLong { field: &'static str, max: usize },
    #[error("the time zone {0:?} is not an IANA name such as Europe/Rome")]
    TimeZone(String),
    #[error("a duration must be between 1 and 8760 hours")]
    Duration,
    #[error("a device limit must be between 1 and {MAX_DEVICE_LIMIT}")]
    DeviceLimit,
    #[error(
        "{0} may not contain line breaks, tabs or other control characters (it appears in \
         emails and pages)"
    )]
    ControlCharacter(&'static str),
    #[error(
        "the network name (SSID) is too long: at most 32 bytes, and accented letters or emoji \
         take 2 to 4 bytes each"
    )]
    SsidTooLong,
}

pub fn check_vlan(vlan: u16) -> Result<u16, PolicyError> {
    if (1..=4094).contains(&vlan) {
        Ok(vlan)
    } else {
        Err(PolicyError::VlanOutOfRange(vlan))
    }
}

impl VlanRange {
    pub fn new(first: u16, last: u16) -> Result<VlanRange, PolicyError> {
        check_vlan(first)?;
        check_vlan(last)?;
        if first > last {
            return Err(PolicyError::EmptyPool { first, last });
        }
        Ok(VlanRange { first, last })
    }

    pub fn contains(&self, vlan: u16) -> bool {
        (self.first..=self.last).contains(&vlan)
    }
}

/// The lowest VLAN of `pool` that no live group holds, or `None` when the pool is exhausted.
pub fn allocate_vlan(pool: VlanRange, in_use: &[u16]) -> Option<u16> {
    (pool.first..=pool.last).find(|vlan| !in_use.contains(vlan))
}

/// What a plan gives on the network (seed 001: group, bandwidth, duration, enabled).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AccessProfile {
    /// Shown to admins and tenants, e.g. `premium`.
    pub name: String,
    /// False for plans without WiFi (e.g. a virtual office).
    pub wifi: bool,
    /// VLAN for holders of this plan (a team's group VLAN takes precedence).
    #[serde(default)]
    pub vlan: Option<u16>,
    #[serde(default)]
    pub bandwidth_up_kbps: Option<u32>,
    #[serde(default)]
    pub bandwidth_down_kbps: Option<u32>,
    /// Time-limited access from the plan's start, e.g. 24 for a day pass.
    #[serde(default)]
    pub duration_hours: Option<u32>,
    /// How many devices a holder may register (None: [`DEFAULT_DEVICE_LIMIT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_limit: Option<u16>,
}

impl Default for AccessProfile {
    /// The default for unmapped plans: WiFi on, no VLAN, no limits, as long as the plan.
    fn default() -> Self {
        AccessProfile {
            name: "standard".into(),
            wifi: true,
            vlan: None,
            bandwidth_up_kbps: None,
            bandwidth_down_kbps: None,
            duration_hours: None,
            device_limit: None,
        }
    }
}

impl AccessProfile {
    /// The devices a holder of this profile may register.
    pub fn devices_allowed(&self) -> u16 {
        self.device_limit.unwrap_or(DEFAULT_DEVICE_LIMIT)
    }

    pub fn validate(&self) -> Result<(), PolicyError> {
        check_name("profile name", &self.name)?;
        if let Some(vlan) = self.vlan {
            check_vlan(vlan)?;
        }
        if self
            .duration_hours
            .is_some_and(|h| !(1..=8760).contains(&h))
        {
            return Err(PolicyError::Duration);
        }
        if self
            .device_limit
            .is_some_and(|n| !(1..=MAX_DEVICE_LIMIT).contains(&n))
        {
            return Err(PolicyError::DeviceLimit);
        }
        Ok(())
    }
}

/// Names and SSIDs reach email bodies, pages and vendor configurations: no CR/LF, tab or any
/// other control character (Unicode `Cc`).
fn check_no_control(field: &'static str, value: &str) -> Result<(), PolicyError> {
    if value.chars().any(char::is_control) {
        return Err(PolicyError::ControlCharacter(field));
    }
    Ok(())
}

pub(crate) fn check_name(field: &'static str, value: &str) -> Result<(), PolicyError> {
    if value.trim().is_empty() {
        return Err(PolicyError::Empty(field));
    }
    check_no_control(field, value)?;
    if value.chars().count() > 64 {
        return Err(PolicyError::TooLong { field, max: 64 });
    }
    Ok(())
}

/// Where a member's key works (seed 001 "Multi-Location Support").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoamingPolicy {
    /// Only at the account's home location.
    #[default]
    SingleLocation,
    /// At every location of the organization.
    AllLocations,
    /// Where the member's plan is valid.
    ByPlan,
}

/// A Lanyard location mapped to an Optix location.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocationSettings {
    pub name: String,
    /// The SSID tenants join.
    pub network_name: String,
    /// IANA time zone; booking keys end at local midnight here.
    pub timezone: String,
    #[serde(default)]
    pub vlan_pool: Option<VlanRange>,
    #[serde(default)]
    pub roaming: RoamingPolicy,
}

impl LocationSettings {
    pub fn validate(&self) -> Result<(), PolicyError> {
        check_name("location name", &self.name)?;
        // 32 bytes is the 802.11 SSID limit.
        if self.network_name.trim().is_empty() {
            return Err(PolicyError::Empty("network name"));
        }
        check_no_control("network name", &self.network_name)?;
        if self.network_name.len() > 32 {
            return Err(PolicyError::SsidTooLong);
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(PolicyError::TimeZone(self.timezone.clone()));
        }
        Ok(())
    }
}

/// The organization's configuration as the access rules need it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgPolicy {
    pub plan_profiles: BTreeMap<String, AccessProfile>,
    pub default_profile: AccessProfile,
    pub vlan_pool: Option<VlanRange>,
    /// Mapped locations by Optix location id.
    pub locations: BTreeMap<String, LocationSettings>,
}

impl OrgPolicy {
    /// The profile a plan template maps to, or the organization's default.
    pub fn profile_for(&self, plan_template_id: &str) -> &AccessProfile {
        self.plan_profiles
            .get(plan_template_id)
            .unwrap_or(&self.default_profile)
    }

    /// The pool a new team group draws its VLAN from: the organization's, else the pool of the
    /// location where the member who brings the team in is bound.
    pub fn group_pool(&self, home_location: Option<&str>) -> Option<VlanRange> {
        self.vlan_pool.or_else(|| {
            home_location
                .and_then(|l| self.locations.get(l))
                .and_then(|l| l.vlan_pool)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vlans_are_allocated_lowest_free_first_and_never_twice() {
        let pool = VlanRange::new(100, 102).expect("pool");
        assert_eq!(allocate_vlan(pool, &[]), Some(100));
        assert_eq!(allocate_vlan(pool, &[100, 7]), Some(101));
        assert_eq!(allocate_vlan(pool, &[100, 101, 102]), None);
    }

    #[test]
    fn pools_and_profiles_are_validated_with_a_reason() {
        assert_eq!(VlanRange::new(0, 5), Err(PolicyError::VlanOutOfRange(0)));
        assert_eq!(
            VlanRange::new(10, 5),
            Err(PolicyError::EmptyPool { first: 10, last: 5 })
        );
        assert_eq!(
            VlanRange::new(1, 4095),
            Err(PolicyError::VlanOutOfRange(4095))
        );
        let mut profile = AccessProfile::default();
        assert_eq!(profile.validate(), Ok(()));
        profile.duration_hours = Some(0);
        assert_eq!(profile.validate(), Err(PolicyError::Duration));
        let location = LocationSettings {
            name: "Downtown".into(),
            network_name: "downtown-secure".into(),
            timezone: "Europe/Rom".into(),
            vlan_pool: None,
            roaming: RoamingPolicy::SingleLocation,
        };
        assert_eq!(
            location.validate(),
            Err(PolicyError::TimeZone("Europe/Rom".into()))
        );
    }

    #[test]
    fn names_and_ssids_with_line_breaks_or_control_characters_are_refused() {
        let good = LocationSettings {
            name: "Downtown".into(),
            network_name: "downtown-secure".into(),
            timezone: "Europe/Rome".into(),
            vlan_pool: None,
            roaming: RoamingPolicy::SingleLocation,
        };
        assert_eq!(good.validate(), Ok(()));
        // The attack: a header or a fake paragraph injected into sign-in emails and pages.
        let named = |name: &str| LocationSettings {
            name: name.into(),
            ..good.clone()
        };
        let with_ssid = |ssid: &str| LocationSettings {
            network_name: ssid.into(),
            ..good.clone()
        };
        for (location, field) in [
            (
                named("Downtown\r\nBcc: victim@example.com"),
                "location name",
            ),
            (named("Down\ttown"), "location name"),
            (named("Down\u{7}town"), "location name"),
            (with_ssid("guest\nwifi"), "network name"),
            (with_ssid("guest\u{0}"), "network name"),
            (with_ssid("\u{1b}[31mred"), "network name"),
        ] {
            assert_eq!(
                location.validate(),
                Err(PolicyError::ControlCharacter(field))
            );
        }
        // 32 bytes is the SSID limit, counted in bytes (UTF-8), not characters.
        let location = LocationSettings {
            network_name: "é".repeat(17),
            ..good.clone()
        };
        assert_eq!(location.validate(), Err(PolicyError::SsidTooLong));
        let profile = AccessProfile {
            name: "day\r\npass".into(),
            ..AccessProfile::default()
        };
        assert_eq!(
            profile.validate(),
            Err(PolicyError::ControlCharacter("profile name"))
        );
        assert!(
            PolicyError::ControlCharacter("network name")
                .to_string()
                .contains("line breaks")
        );
    }

    #[test]
    fn unmapped_plans_use_the_default_and_groups_prefer_the_org_pool() {
        let mut policy = OrgPolicy::default();
        let vo = AccessProfile {
            name: "virtual office".into(),
            wifi: false,
            ..AccessProfile::default()
        };
        policy.plan_profiles.insert("920".into(), vo.clone());
        assert_eq!(policy.profile_for("920"), &vo);
        assert_eq!(policy.profile_for("916"), &AccessProfile::default());
        policy.locations.insert(
            "3390".into(),
            LocationSettings {
                name: "Downtown".into(),
                network_name: "downtown".into(),
                timezone: "Europe/Rome".into(),
                vlan_pool: Some(VlanRange {
                    first: 100,
                    last: 199,
                }),
                roaming: RoamingPolicy::SingleLocation,
            },
        );
        assert_eq!(
            policy.group_pool(Some("3390")),
            Some(VlanRange {
                first: 100,
                last: 199
            })
        );
        policy.vlan_pool = Some(VlanRange {
            first: 500,
            last: 599,
        });
        assert_eq!(
            policy.group_pool(Some("3390")),
            Some(VlanRange {
                first: 500,
                last: 599
            })
        );
        assert_eq!(
            OrgPolicy::default().group_pool(Some("3390")),
            None,
            "no pool configured"
        );
    }
}
