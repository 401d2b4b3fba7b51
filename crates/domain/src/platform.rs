//! Which membership platform an organization lives on. The access rules never ask: they read
//! the same facts from either (`access::MemberFacts`). Only the organization's identity does,
//! because an Optix organization and an OfficeRnD organization may share a number: an
//! OfficeRnD organization's Lanyard id carries a prefix, so its streams (`org-…`, `member-…`)
//! can never be an Optix organization's, and Optix ids (and every stream already written)
//! stay as they were.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Platform {
    /// Events written before platforms existed are Optix's (`#[serde(default)]`).
    #[default]
    #[serde(rename = "optix")]
    Optix,
    #[serde(rename = "officernd")]
    OfficeRnd,
}

/// The prefix of an OfficeRnD organization's Lanyard id (no `-`: stream ids split on it; no
/// `.`: NATS subjects do).
const OFFICERND_PREFIX: &str = "officernd_";

impl Platform {
    /// The platform whose organization `org_id` is (a Lanyard organization id).
    pub fn of_org(org_id: &str) -> Platform {
        if org_id.starts_with(OFFICERND_PREFIX) {
            Platform::OfficeRnd
        } else {
            Platform::Optix
        }
    }

    /// The Lanyard id of the platform's organization `native_id`.
    pub fn org_id(self, native_id: &str) -> String {
        match self {
            Platform::Optix => native_id.to_owned(),
            Platform::OfficeRnd => format!("{OFFICERND_PREFIX}{native_id}"),
        }
    }

    /// The platform's own id of the Lanyard organization `org_id`.
    pub fn native_id(org_id: &str) -> &str {
        org_id.strip_prefix(OFFICERND_PREFIX).unwrap_or(org_id)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Optix => "optix",
            Platform::OfficeRnd => "officernd",
        }
    }

    /// The platform's name, for people.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Optix => "Optix",
            Platform::OfficeRnd => "OfficeRnD",
        }
    }

    pub fn is_optix(&self) -> bool {
        *self == Platform::Optix
    }

    /// The actor of the events a webhook of this platform leads to.
    pub fn webhook_actor(self) -> &'static str {
        match self {
            Platform::Optix => "optix-webhook",
            Platform::OfficeRnd => "officernd-webhook",
        }
    }
}

/// What Lanyard needs besides the sealed secret to reach an organization on a platform that
/// authenticates with client credentials (OfficeRnD): the application's client id (not a
/// secret) and the organization's slug (its API paths).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlatformAccount {
    pub client_id: String,
    pub slug: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_officernd_organization_never_shares_an_optix_organizations_id() {
        let optix = Platform::Optix.org_id("6267");
        let officernd = Platform::OfficeRnd.org_id("6267");
        assert_ne!(optix, officernd);
        assert_eq!(Platform::of_org(&optix), Platform::Optix);
        assert_eq!(Platform::of_org(&officernd), Platform::OfficeRnd);
        assert_eq!(Platform::native_id(&officernd), "6267");
        assert!(!officernd.contains('-') && !officernd.contains('.'));
    }

    #[test]
    fn a_missing_platform_reads_as_optix() {
        #[derive(Deserialize)]
        struct Old {
            #[serde(default)]
            platform: Platform,
        }
        let old: Old = serde_json::from_str("{}").expect("json");
        assert_eq!(old.platform, Platform::Optix);
        let named: Old = serde_json::from_str(r#"{"platform":"officernd"}"#).expect("json");
        assert_eq!(named.platform, Platform::OfficeRnd);
    }
}
