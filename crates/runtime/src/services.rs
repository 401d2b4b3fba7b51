//! What each program reads of `lanyard.toml`: a service's settings hold only the sections it
//! uses, so a section it does not use may be missing (ingest has no database) and the secrets
//! it does not use are never read. [`Settings`] is every section, for the `lanyard` CLI and the
//! test harness, and converts into each service's settings.

use crate::load::ServiceSettings;
use crate::secret::Secret;
use crate::sections::{
    ControllersSettings, DatabaseSettings, IngestSettings, NatsSettings, OfficeRndSettings,
    OptixSettings, PortalSettings, ProvisionSettings, RadiusSettings, WebhookSettings,
};
use serde::Deserialize;

/// Every section: the CLI's settings (it acts on the database and the bus with any of them).
#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub nats: NatsSettings,
    #[serde(default)]
    pub ingest: IngestSettings,
    #[serde(default)]
    pub provision: ProvisionSettings,
    #[serde(default)]
    pub portal: PortalSettings,
    #[serde(default)]
    pub optix: OptixSettings,
    #[serde(default)]
    pub officernd: OfficeRndSettings,
    #[serde(default)]
    pub webhooks: WebhookSettings,
    #[serde(default)]
    pub radius: RadiusSettings,
    #[serde(default)]
    pub controllers: ControllersSettings,
}

impl ServiceSettings for Settings {
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        self.provision.read_secret_files()?;
        self.portal.read_secret_files()?;
        self.radius.read_secret_files()?;
        self.webhooks.read_secret_files()?;
        self.optix.read_secret_files()
    }

    fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        let mut secrets = self.provision.secrets().to_vec();
        secrets.push(self.webhooks.secret());
        secrets.push(self.radius.secret());
        secrets.extend(self.optix.secrets());
        secrets
    }
}

/// Settings from an optional TOML file, overridden by `LANYARD__SECTION__KEY` variables: every
/// section (see [`crate::load`] for one service's).
pub fn load_settings(path: Option<&std::path::Path>) -> anyhow::Result<Settings> {
    crate::load::load(path)
}

/// ingest: its listeners and limits, the bus, the seal key, and the Optix apps (client ids and
/// secrets) whose signatures it checks. No database.
#[derive(Clone, Debug, Deserialize)]
pub struct IngestConfig {
    pub nats: NatsSettings,
    #[serde(default)]
    pub ingest: IngestSettings,
    #[serde(default)]
    pub webhooks: WebhookSettings,
    /// Only `optix.apps` is used.
    #[serde(default)]
    pub optix: OptixSettings,
    /// Only `officernd.signature_tolerance_secs` is used.
    #[serde(default)]
    pub officernd: OfficeRndSettings,
}

impl ServiceSettings for IngestConfig {
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        self.webhooks.read_secret_files()?;
        self.optix.read_secret_files()
    }

    fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        let mut secrets = vec![self.webhooks.secret()];
        secrets.extend(self.optix.secrets());
        secrets
    }
}

impl From<Settings> for IngestConfig {
    fn from(settings: Settings) -> IngestConfig {
        IngestConfig {
            nats: settings.nats,
            ingest: settings.ingest,
            webhooks: settings.webhooks,
            optix: settings.optix,
            officernd: settings.officernd,
        }
    }
}

/// provision: the database, the bus, its keys and schedules, the Optix API (not the apps: their
/// secrets are ingest's) and the seal key that opens webhooks.
#[derive(Clone, Debug, Deserialize)]
pub struct ProvisionConfig {
    pub database: DatabaseSettings,
    pub nats: NatsSettings,
    #[serde(default)]
    pub provision: ProvisionSettings,
    #[serde(default)]
    pub optix: OptixSettings,
    #[serde(default)]
    pub officernd: OfficeRndSettings,
    #[serde(default)]
    pub webhooks: WebhookSettings,
}

impl ServiceSettings for ProvisionConfig {
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        self.provision.read_secret_files()?;
        self.webhooks.read_secret_files()
    }

    fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        let mut secrets = self.provision.secrets().to_vec();
        secrets.push(self.webhooks.secret());
        secrets
    }
}

impl From<Settings> for ProvisionConfig {
    fn from(settings: Settings) -> ProvisionConfig {
        ProvisionConfig {
            database: settings.database,
            nats: settings.nats,
            provision: settings.provision,
            optix: settings.optix,
            officernd: settings.officernd,
            webhooks: settings.webhooks,
        }
    }
}

/// portal: the database (projections and its own tables), the bus (commands), its own section,
/// provision's keys (it opens passphrases and hashes emails) and the Optix API (canvas tokens,
/// under the same per-token budget as provision's calls).
#[derive(Clone, Debug, Deserialize)]
pub struct PortalConfig {
    pub database: DatabaseSettings,
    pub nats: NatsSettings,
    #[serde(default)]
    pub portal: PortalSettings,
    /// Only `provision.master_key` and `provision.hash_key` (or their files) are used.
    #[serde(default)]
    pub provision: ProvisionSettings,
    #[serde(default)]
    pub optix: OptixSettings,
    /// The admin canvas's controllers page tests a vendor connection with these.
    #[serde(default)]
    pub controllers: ControllersSettings,
    /// The OfficeRnD pages test a connection and read locations and plans with these, and
    /// accept a signed integration page within `signature_tolerance_secs`.
    #[serde(default)]
    pub officernd: OfficeRndSettings,
}

impl ServiceSettings for PortalConfig {
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        self.provision.read_secret_files()?;
        self.portal.read_secret_files()
    }

    fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        self.provision.secrets().to_vec()
    }
}

impl From<Settings> for PortalConfig {
    fn from(settings: Settings) -> PortalConfig {
        PortalConfig {
            database: settings.database,
            nats: settings.nats,
            portal: settings.portal,
            provision: settings.provision,
            optix: settings.optix,
            controllers: settings.controllers,
            officernd: settings.officernd,
        }
    }
}

/// radius: the database (NAS registry, devices, grants), the bus (its own identity), its own
/// section, and provision's keys (it opens passphrases and NAS secrets for FreeRADIUS).
#[derive(Clone, Debug, Deserialize)]
pub struct RadiusConfig {
    pub database: DatabaseSettings,
    pub nats: NatsSettings,
    #[serde(default)]
    pub radius: RadiusSettings,
    /// Only `provision.master_key` and `provision.hash_key` (or their files) are used.
    #[serde(default)]
    pub provision: ProvisionSettings,
}

impl ServiceSettings for RadiusConfig {
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        self.provision.read_secret_files()?;
        self.radius.read_secret_files()
    }

    fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        let mut secrets = self.provision.secrets().to_vec();
        secrets.push(self.radius.secret());
        secrets
    }
}

impl From<Settings> for RadiusConfig {
    fn from(settings: Settings) -> RadiusConfig {
        RadiusConfig {
            database: settings.database,
            nats: settings.nats,
            radius: settings.radius,
            provision: settings.provision,
        }
    }
}

/// controllers: the database (mappings, members, grants), the bus (its own identity, a
/// durable consumer of the events stream), its own section, and provision's keys (it opens
/// passphrases and vendor credentials).
#[derive(Clone, Debug, Deserialize)]
pub struct ControllersConfig {
    pub database: DatabaseSettings,
    pub nats: NatsSettings,
    #[serde(default)]
    pub controllers: ControllersSettings,
    /// Only `provision.master_key` and `provision.hash_key` (or their files) are used.
    #[serde(default)]
    pub provision: ProvisionSettings,
}

impl ServiceSettings for ControllersConfig {
    fn read_secret_files(&mut self) -> anyhow::Result<()> {
        self.provision.read_secret_files()
    }

    fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        self.provision.secrets().to_vec()
    }
}

impl From<Settings> for ControllersConfig {
    fn from(settings: Settings) -> ControllersConfig {
        ControllersConfig {
            database: settings.database,
            nats: settings.nats,
            controllers: settings.controllers,
            provision: settings.provision,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;
    use crate::load::tests::{assert_names, lock_environment, write_config};

    #[test]
    fn each_service_reads_only_the_sections_it_uses() {
        let _guard = lock_environment();
        // No [database]: ingest starts, the others name what is missing.
        let path = write_config(
            "per-service",
            "[nats]\nurl = \"nats://y\"\n[ingest]\npublish_timeout_ms = 900\n\
             [provision]\nmaster_key_file = \"/nonexistent/master\"\n\
             [optix]\nrequests_per_minute = 30\n[[optix.apps]]\nclient_id = \"c\"\nsecret = \"s\"\n",
        );
        let ingest: IngestConfig = load(Some(&path)).expect("ingest needs no database");
        assert_eq!(ingest.ingest.publish_timeout_ms, 900);
        assert_eq!(ingest.optix.apps[0].secret.expose(), "s");
        for error in [
            load::<ProvisionConfig>(Some(&path)).expect_err("provision needs a database"),
            load::<PortalConfig>(Some(&path)).expect_err("the portal needs a database"),
        ] {
            assert_names(error, "database");
        }
        // With one, each reads its own secrets only: ingest never opens provision's key file.
        let path = write_config(
            "per-service-database",
            &format!(
                "[database]\nurl = \"postgres://x\"\n{}",
                std::fs::read_to_string(&path).expect("read")
            ),
        );
        load::<IngestConfig>(Some(&path)).expect("ingest ignores [provision]");
        let error = load::<PortalConfig>(Some(&path)).expect_err("the portal opens the key file");
        assert_names(error, "master_key_file");
    }

    #[test]
    fn published_keys_are_refused_for_each_service_holding_them() {
        let _guard = lock_environment();
        let path = write_config(
            "per-service-published",
            "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n\
             [portal]\npublic_url = \"https://wifi.example.com\"\n\
             [webhooks]\nseal_key = \"5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1ed5eb1\"\n",
        );
        for error in [
            load::<IngestConfig>(Some(&path)).expect_err("ingest holds the seal key"),
            load::<ProvisionConfig>(Some(&path)).expect_err("provision holds the seal key"),
        ] {
            assert_names(error, "webhooks.seal_key");
        }
        load::<PortalConfig>(Some(&path)).expect("the portal holds no seal key");
    }

    #[test]
    fn the_whole_settings_convert_into_each_service_s() {
        let _guard = lock_environment();
        let path = write_config(
            "per-service-convert",
            "[database]\nurl = \"postgres://x\"\n[nats]\nurl = \"nats://y\"\n\
             [optix]\napi_url = \"http://optix\"\nrequests_per_minute = 30\n",
        );
        let settings = crate::load_settings(Some(&path)).expect("settings");
        let portal = PortalConfig::from(settings.clone());
        assert_eq!(portal.optix.requests_per_minute, 30);
        assert_eq!(
            ProvisionConfig::from(settings.clone()).optix.api_url,
            "http://optix"
        );
        assert_eq!(IngestConfig::from(settings).nats.url, "nats://y");
    }
}
