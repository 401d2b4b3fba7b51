//! The organization aggregate (`org-{org}` stream): the Optix app installation and its token,
//! plan mappings, the default access profile, the VLAN pool, and the record of full syncs.

use crate::aggregate::Aggregate;
use crate::events::{Correction, Event, Sealed, SyncKind};
use crate::messages::{MailSettings, MailSettingsError};
use crate::platform::{Platform, PlatformAccount};
use crate::policy::{AccessProfile, OrgPolicy, PolicyError, VlanRange};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Organization {
    pub installed: bool,
    pub token: Option<Sealed>,
    pub plan_profiles: BTreeMap<String, AccessProfile>,
    pub default_profile: Option<AccessProfile>,
    pub vlan_pool: Option<VlanRange>,
    /// Whether the import after installation has completed.
    pub imported: bool,
    pub platform: Platform,
    /// How Lanyard reaches an OfficeRnD organization (None for Optix: the token is enough).
    pub account: Option<PlatformAccount>,
    /// The organization's email settings (defaults until an admin or the operator sets them).
    pub mail_settings: MailSettings,
    /// The platform's locale for the organization (Optix's `fr_CA`), when it reported one.
    pub locale: Option<String>,
}

impl Organization {
    /// The configuration the access rules read (locations come from their own streams).
    pub fn policy(&self) -> OrgPolicy {
        OrgPolicy {
            plan_profiles: self.plan_profiles.clone(),
            default_profile: self.default_profile.clone().unwrap_or_default(),
            vlan_pool: self.vlan_pool,
            locations: BTreeMap::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrganizationCommand {
    /// `app_install` or `organization_token_updated`; `token_fingerprint` is a keyed hash of the
    /// token so a redelivered token is recognised without decrypting the stored one.
    RecordToken {
        org_id: String,
        token: Sealed,
        token_fingerprint: String,
        current_fingerprint: Option<String>,
    },
    Uninstall {
        org_id: String,
    },
    /// An operator connects an organization of a client-credentials platform (OfficeRnD):
    /// `secret` is the application's client secret, sealed; `same_secret` says whether it is
    /// the one already held (a keyed-hash comparison made outside).
    Connect {
        org_id: String,
        platform: Platform,
        account: PlatformAccount,
        secret: Sealed,
        same_secret: bool,
    },
    MapPlan {
        plan_template_id: String,
        profile: AccessProfile,
    },
    UnmapPlan {
        plan_template_id: String,
    },
    SetDefaultProfile {
        profile: AccessProfile,
    },
    SetVlanPool {
        pool: Option<VlanRange>,
    },
    /// The whole of the organization's email settings, replacing the previous ones.
    SetMailSettings {
        settings: MailSettings,
    },
    /// A finished sync: `corrections` may be the first of them only (a sync of a large
    /// organization counts its corrections without holding them all); the counts cover all.
    RecordSync {
        kind: SyncKind,
        users_seen: u32,
        corrected_streams: u32,
        events_appended: u32,
        corrections: Vec<Correction>,
    },
    RecordSyncFailure {
        kind: SyncKind,
        reason: String,
    },
    /// The locale the platform reports for the organization (read at install and each sync).
    SetLocale {
        locale: String,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OrganizationError {
    #[error(transparent)]
    Invalid(#[from] PolicyError),
    #[error("a plan template id is required")]
    MissingPlanTemplate,
    #[error(transparent)]
    MailSettings(#[from] MailSettingsError),
    #[error("{0:?} is not a locale (a language tag such as fr_CA or en-US)")]
    MalformedLocale(String),
}

/// Locales are short language tags (`fr_CA`, `pt-BR`): the platform's value is outside input.
const MAX_LOCALE_LEN: usize = 35;

/// The drift report keeps this many corrections in the event; the counts cover all of them.
pub const MAX_REPORTED_CORRECTIONS: usize = 100;

impl Aggregate for Organization {
    type Command = OrganizationCommand;
    type Error = OrganizationError;

    fn decide(&self, command: OrganizationCommand) -> Result<Vec<Event>, OrganizationError> {
        Ok(match command {
            OrganizationCommand::RecordToken {
                org_id,
                token,
                token_fingerprint,
                current_fingerprint,
            } => record_token(
                self,
                org_id,
                token,
                current_fingerprint.as_deref() == Some(token_fingerprint.as_str()),
            ),
            OrganizationCommand::Connect {
                org_id,
                platform,
                account,
                secret,
                same_secret,
            } => connect(self, org_id, platform, account, secret, same_secret),
            OrganizationCommand::Uninstall { org_id } => {
                if self.installed {
                    vec![Event::AppUninstalled { org_id }]
                } else {
                    vec![]
                }
            }
            OrganizationCommand::MapPlan {
                plan_template_id,
                profile,
            } => map_plan(self, plan_template_id, profile)?,
            OrganizationCommand::UnmapPlan { plan_template_id } => {
                if self.plan_profiles.contains_key(&plan_template_id) {
                    vec![Event::PlanUnmapped { plan_template_id }]
                } else {
                    vec![]
                }
            }
            OrganizationCommand::SetDefaultProfile { profile } => {
                profile.validate()?;
                if self.default_profile.as_ref() == Some(&profile) {
                    vec![]
                } else {
                    vec![Event::DefaultProfileSet { profile }]
                }
            }
            OrganizationCommand::SetVlanPool { pool } => set_vlan_pool(self, pool)?,
            OrganizationCommand::SetMailSettings { settings } => set_mail_settings(self, settings)?,
            OrganizationCommand::RecordSync {
                kind,
                users_seen,
                corrected_streams,
                events_appended,
                corrections,
            } => vec![Event::SyncCompleted {
                kind,
                users_seen,
                corrected_streams,
                events_appended,
                corrections: corrections
                    .into_iter()
                    .take(MAX_REPORTED_CORRECTIONS)
                    .collect(),
            }],
            OrganizationCommand::RecordSyncFailure { kind, reason } => {
                vec![Event::SyncFailed { kind, reason }]
            }
            OrganizationCommand::SetLocale { locale } => set_locale(self, locale)?,
        })
    }

    fn evolve(mut self, event: &Event) -> Self {
        match event {
            Event::IntegrationConfigured {
                token,
                platform,
                account,
                ..
            } => {
                self.installed = true;
                self.token = Some(token.clone());
                self.platform = *platform;
                self.account = account.clone();
            }
            Event::OrganizationTokenRotated { token, .. } => {
                self.installed = true;
                self.token = Some(token.clone());
            }
            // Uninstalling forgets the token; the operator's configuration stays for a reinstall.
            Event::AppUninstalled { .. } => {
                self.installed = false;
                self.token = None;
                self.imported = false;
            }
            Event::PlanMapped {
                plan_template_id,
                profile,
            } => {
                self.plan_profiles
                    .insert(plan_template_id.clone(), profile.clone());
            }
            Event::PlanUnmapped { plan_template_id } => {
                self.plan_profiles.remove(plan_template_id);
            }
            Event::DefaultProfileSet { profile } => self.default_profile = Some(profile.clone()),
            Event::VlanPoolSet { pool } => self.vlan_pool = *pool,
            Event::MailSettingsSet { settings } => self.mail_settings = settings.clone(),
            Event::SyncCompleted { .. } => self.imported = true,
            Event::OrganizationLocaleSet { locale } => self.locale = Some(locale.clone()),
            _ => {}
        }
        self
    }
}

/// An OfficeRnD connection (or a new secret for it); nothing when it is the one recorded.
fn connect(
    state: &Organization,
    org_id: String,
    platform: Platform,
    account: PlatformAccount,
    secret: Sealed,
    same_secret: bool,
) -> Vec<Event> {
    let unchanged = state.installed
        && same_secret
        && state.platform == platform
        && state.account.as_ref() == Some(&account);
    if unchanged {
        vec![]
    } else {
        vec![Event::IntegrationConfigured {
            org_id,
            token: secret,
            platform,
            account: Some(account),
        }]
    }
}

/// An install, a rotated token, or (`same_token`) a redelivery that changes nothing.
fn record_token(
    state: &Organization,
    org_id: String,
    token: Sealed,
    same_token: bool,
) -> Vec<Event> {
    if !state.installed {
        vec![Event::IntegrationConfigured {
            org_id,
            token,
            platform: Platform::Optix,
            account: None,
        }]
    } else if same_token {
        vec![]
    } else {
        vec![Event::OrganizationTokenRotated { org_id, token }]
    }
}

/// A well-formed locale is recorded even in a language Lanyard does not ship (`ja_JP`): pages
/// and emails then fall back to English, and an earlier locale does not linger.
fn set_locale(state: &Organization, locale: String) -> Result<Vec<Event>, OrganizationError> {
    let well_formed = !locale.is_empty()
        && locale.len() <= MAX_LOCALE_LEN
        && locale.starts_with(|c: char| c.is_ascii_alphabetic())
        && locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Err(OrganizationError::MalformedLocale(
            locale.chars().take(MAX_LOCALE_LEN).collect(),
        ));
    }
    Ok(if state.locale.as_deref() == Some(locale.as_str()) {
        vec![]
    } else {
        vec![Event::OrganizationLocaleSet { locale }]
    })
}

fn map_plan(
    state: &Organization,
    plan_template_id: String,
    profile: AccessProfile,
) -> Result<Vec<Event>, OrganizationError> {
    if plan_template_id.trim().is_empty() {
        return Err(OrganizationError::MissingPlanTemplate);
    }
    profile.validate()?;
    Ok(
        if state.plan_profiles.get(&plan_template_id) == Some(&profile) {
            vec![]
        } else {
            vec![Event::PlanMapped {
                plan_template_id,
                profile,
            }]
        },
    )
}

/// The organization's pool for team VLANs (`None`: location pools only).
fn set_vlan_pool(state: &Organization, pool: Option<VlanRange>) -> Result<Vec<Event>, PolicyError> {
    if let Some(pool) = pool {
        VlanRange::new(pool.first, pool.last)?;
    }
    Ok(if state.vlan_pool == pool {
        vec![]
    } else {
        vec![Event::VlanPoolSet { pool }]
    })
}

/// New email settings, checked whole; the same settings again change nothing.
fn set_mail_settings(
    state: &Organization,
    settings: MailSettings,
) -> Result<Vec<Event>, MailSettingsError> {
    let settings = settings.normalized();
    settings.validate()?;
    Ok(if state.mail_settings == settings {
        vec![]
    } else {
        vec![Event::MailSettingsSet { settings }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::MessageKind;

    fn token(tag: &str) -> Sealed {
        Sealed {
            key: "master".into(),
            nonce: tag.into(),
            ciphertext: tag.into(),
        }
    }
    fn record(tag: &str, fp: &str, current: Option<&str>) -> OrganizationCommand {
        OrganizationCommand::RecordToken {
            org_id: "6267".into(),
            token: token(tag),
            token_fingerprint: fp.into(),
            current_fingerprint: current.map(str::to_owned),
        }
    }

    /// given `history`, when `command`, then `expected`; deciding again afterwards is a no-op
    /// for configuration commands.
    fn given_when_then(history: &[Event], command: OrganizationCommand, expected: &[Event]) {
        let state = history
            .iter()
            .fold(Organization::default(), Organization::evolve);
        let events = state.decide(command.clone()).expect("decide");
        assert_eq!(events, expected);
        let after = events.iter().fold(state, Organization::evolve);
        if !matches!(
            command,
            OrganizationCommand::RecordSync { .. } | OrganizationCommand::RecordSyncFailure { .. }
        ) {
            assert_eq!(after.decide(command).expect("again"), vec![]);
        }
    }

    #[test]
    fn install_then_rotation_then_redelivery() {
        let s0 = Organization::default();
        let e1 = s0.decide(record("a", "fa", None)).expect("decide");
        assert_eq!(
            e1,
            vec![Event::IntegrationConfigured {
                org_id: "6267".into(),
                token: token("a"),
                platform: Platform::Optix,
                account: None,
            }]
        );
        let s1 = e1.iter().fold(s0, Organization::evolve);
        assert_eq!(s1.decide(record("a2", "fa", Some("fa"))), Ok(vec![]));
        let e2 = s1.decide(record("b", "fb", Some("fa"))).expect("decide");
        assert_eq!(
            e2,
            vec![Event::OrganizationTokenRotated {
                org_id: "6267".into(),
                token: token("b")
            }]
        );
    }

    #[test]
    fn uninstall_forgets_the_token_but_keeps_the_configuration() {
        let profile = AccessProfile {
            name: "premium".into(),
            vlan: Some(200),
            ..AccessProfile::default()
        };
        let history = [
            Event::IntegrationConfigured {
                org_id: "6267".into(),
                token: token("a"),
                platform: Platform::Optix,
                account: None,
            },
            Event::PlanMapped {
                plan_template_id: "916".into(),
                profile: profile.clone(),
            },
        ];
        given_when_then(
            &history,
            OrganizationCommand::Uninstall {
                org_id: "6267".into(),
            },
            &[Event::AppUninstalled {
                org_id: "6267".into(),
            }],
        );
        let mut all = history.to_vec();
        all.push(Event::AppUninstalled {
            org_id: "6267".into(),
        });
        let state = all
            .iter()
            .fold(Organization::default(), Organization::evolve);
        assert!(!state.installed && state.token.is_none());
        assert_eq!(state.policy().profile_for("916"), &profile);
    }

    #[test]
    fn mapping_a_plan_and_setting_the_default_profile() {
        let vo = AccessProfile {
            name: "virtual office".into(),
            wifi: false,
            ..AccessProfile::default()
        };
        given_when_then(
            &[],
            OrganizationCommand::MapPlan {
                plan_template_id: "920".into(),
                profile: vo.clone(),
            },
            &[Event::PlanMapped {
                plan_template_id: "920".into(),
                profile: vo.clone(),
            }],
        );
        given_when_then(
            &[Event::PlanMapped {
                plan_template_id: "920".into(),
                profile: vo,
            }],
            OrganizationCommand::UnmapPlan {
                plan_template_id: "920".into(),
            },
            &[Event::PlanUnmapped {
                plan_template_id: "920".into(),
            }],
        );
        let basic = AccessProfile {
            name: "basic".into(),
            bandwidth_down_kbps: Some(20_000),
            ..AccessProfile::default()
        };
        given_when_then(
            &[],
            OrganizationCommand::SetDefaultProfile {
                profile: basic.clone(),
            },
            &[Event::DefaultProfileSet { profile: basic }],
        );
    }

    #[test]
    fn invalid_configuration_is_refused_with_the_reason() {
        let bad = AccessProfile {
            vlan: Some(5000),
            ..AccessProfile::default()
        };
        assert_eq!(
            Organization::default().decide(OrganizationCommand::MapPlan {
                plan_template_id: "916".into(),
                profile: bad
            }),
            Err(OrganizationError::Invalid(PolicyError::VlanOutOfRange(
                5000
            )))
        );
        assert_eq!(
            Organization::default().decide(OrganizationCommand::SetVlanPool {
                pool: Some(VlanRange {
                    first: 300,
                    last: 200
                })
            }),
            Err(OrganizationError::Invalid(PolicyError::EmptyPool {
                first: 300,
                last: 200
            }))
        );
    }

    #[test]
    fn a_sync_records_its_drift_report_capped_with_full_counts() {
        let corrections: Vec<Correction> = (0..150)
            .map(|i| {
                Correction::missed(
                    format!("member-6267-{i}"),
                    vec!["AccessRevoked".into(), "AccountSuspended".into()],
                )
            })
            .collect();
        let events = Organization::default()
            .decide(OrganizationCommand::RecordSync {
                kind: SyncKind::Periodic,
                users_seen: 400,
                corrected_streams: 150,
                events_appended: 300,
                corrections,
            })
            .expect("decide");
        match &events[..] {
            [
                Event::SyncCompleted {
                    users_seen: 400,
                    corrected_streams: 150,
                    events_appended: 300,
                    corrections,
                    ..
                },
            ] => assert_eq!(corrections.len(), MAX_REPORTED_CORRECTIONS),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn set_locale(locale: &str) -> OrganizationCommand {
        OrganizationCommand::SetLocale {
            locale: locale.into(),
        }
    }
    fn locale_set(locale: &str) -> Event {
        Event::OrganizationLocaleSet {
            locale: locale.into(),
        }
    }

    #[test]
    fn the_platform_locale_is_recorded_when_it_changes() {
        given_when_then(&[], set_locale("fr_CA"), &[locale_set("fr_CA")]);
        given_when_then(&[locale_set("fr_CA")], set_locale("fr_CA"), &[]);
        given_when_then(
            &[locale_set("fr_CA")],
            set_locale("en_US"),
            &[locale_set("en_US")],
        );
        // A language Lanyard does not ship replaces the old locale (pages fall back to English).
        given_when_then(
            &[locale_set("fr_CA")],
            set_locale("ja_JP"),
            &[locale_set("ja_JP")],
        );
        let state = Organization::default().evolve(&locale_set("de_DE"));
        assert_eq!(state.locale.as_deref(), Some("de_DE"));
    }

    #[test]
    fn a_malformed_locale_is_refused() {
        for bad in ["", "fr CA", "<script>", "_fr", &"a".repeat(36)] {
            assert!(
                matches!(
                    Organization::default().decide(set_locale(bad)),
                    Err(OrganizationError::MalformedLocale(_))
                ),
                "{bad:?}"
            );
        }
    }

    fn connect(secret: &str, slug: &str, same_secret: bool) -> OrganizationCommand {
        OrganizationCommand::Connect {
            org_id: "officernd_5d1bcda0dbd6e40010479eec".into(),
            platform: Platform::OfficeRnd,
            account: PlatformAccount {
                client_id: "lanyard".into(),
                slug: slug.into(),
            },
            secret: token(secret),
            same_secret,
        }
    }

    #[test]
    fn an_officernd_connection_is_recorded_once_and_again_when_it_changes() {
        let s0 = Organization::default();
        let e1 = s0.decide(connect("a", "demo", false)).expect("decide");
        let s1 = e1.iter().fold(s0, Organization::evolve);
        assert!(s1.installed);
        assert_eq!(s1.platform, Platform::OfficeRnd);
        assert_eq!(s1.decide(connect("a", "demo", true)), Ok(vec![]));
        assert_eq!(
            s1.decide(connect("b", "demo", false)).expect("new").len(),
            1
        );
        assert_eq!(
            s1.decide(connect("a", "other", true)).expect("slug").len(),
            1
        );
    }

    #[test]
    fn an_install_written_before_platforms_existed_folds_as_optix() {
        let old = r#"{"type":"IntegrationConfigured","org_id":"6267","token":{"key":"master","nonce":"n","ciphertext":"c"}}"#;
        let event: Event = serde_json::from_str(old).expect("an old event reads");
        let state = Organization::default().evolve(&event);
        assert!(state.installed);
        assert_eq!(state.platform, Platform::Optix);
        assert_eq!(state.account, None);
        let written = serde_json::to_string(&event).expect("json");
        assert!(
            !written.contains("platform"),
            "an Optix install is written as before"
        );
    }

    fn settings_with(change: impl FnOnce(&mut MailSettings)) -> MailSettings {
        let mut settings = MailSettings::default();
        change(&mut settings);
        settings
    }

    fn refusal(settings: MailSettings) -> String {
        match Organization::default().decide(OrganizationCommand::SetMailSettings { settings }) {
            Err(error) => error.to_string(),
            Ok(events) => panic!("accepted: {events:?}"),
        }
    }

    #[test]
    fn mail_settings_are_set_whole_and_the_same_again_makes_no_event() {
        let settings = settings_with(|s| {
            s.switched_off.insert(MessageKind::Welcome);
            s.sender_name = Some("Coworking Lumière".into());
            s.reply_to = Some("desk@lumiere.example".into());
            s.plan_reminder_hours = 48;
            s.booking_reminder_hours = Some(2);
            s.overrides
                .insert("fr".into(), "language-name = Français (Québec)\n".into());
        });
        given_when_then(
            &[],
            OrganizationCommand::SetMailSettings {
                settings: settings.clone(),
            },
            &[Event::MailSettingsSet {
                settings: settings.clone(),
            }],
        );
        let state = Organization::default().evolve(&Event::MailSettingsSet {
            settings: settings.clone(),
        });
        assert!(!state.mail_settings.sends(MessageKind::Welcome));
        assert!(state.mail_settings.sends(MessageKind::KeyChanged));
        let overrides = state.mail_settings.overrides();
        assert_eq!(
            i18n::Texts::with_overrides(i18n::Lang::Fr, &overrides).get("language-name"),
            "Français (Québec)"
        );
        // Back to the defaults is a change; a blank wording is no wording.
        given_when_then(
            &[Event::MailSettingsSet { settings }],
            OrganizationCommand::SetMailSettings {
                settings: settings_with(|s| {
                    s.overrides.insert("de".into(), "  \n".into());
                }),
            },
            &[Event::MailSettingsSet {
                settings: MailSettings::default(),
            }],
        );
        assert_eq!(
            Organization::default().decide(OrganizationCommand::SetMailSettings {
                settings: MailSettings::default()
            }),
            Ok(vec![])
        );
    }

    #[test]
    fn mail_settings_are_refused_with_what_to_fix() {
        for bad in [
            "desk",
            "desk@localhost",
            "Desk <desk@example.com>",
            "de sk@example.com",
            "desk@[10.0.0.1]",
        ] {
            let reason = refusal(settings_with(|s| s.reply_to = Some(bad.into())));
            assert!(reason.contains("not an email address"), "{bad}: {reason}");
        }
        assert!(refusal(settings_with(|s| s.sender_name = Some(" ".into()))).contains("empty"));
        assert!(
            refusal(settings_with(|s| s.sender_name = Some("x".repeat(65)))).contains("at most 64")
        );
        for bad in [
            "Desk\r\nBcc: all@example.com",
            "A <b>",
            "say \"hi\"",
            "back\\slash",
        ] {
            let reason = refusal(settings_with(|s| s.sender_name = Some(bad.into())));
            assert!(reason.contains("may not contain"), "{bad}: {reason}");
        }
        assert!(
            refusal(settings_with(|s| s.plan_reminder_hours = 0)).contains("between 1 and 720")
        );
        assert!(
            refusal(settings_with(|s| s.plan_reminder_hours = 721)).contains("between 1 and 720")
        );
        assert!(
            refusal(settings_with(|s| s.booking_reminder_hours = Some(0)))
                .contains("booking reminder")
        );
        let reason = refusal(settings_with(|s| {
            s.overrides
                .insert("xx".into(), "language-name = X\n".into());
        }));
        assert!(reason.contains("\"xx\" is not a language"), "{reason}");
        let reason = refusal(settings_with(|s| {
            s.overrides
                .insert("fr".into(), "language-name = ok\nbroken = {\n".into());
        }));
        assert!(reason.starts_with("the fr wording: line 2:"), "{reason}");
        let reason = refusal(settings_with(|s| {
            s.overrides.insert("es".into(), "made-up = x\n".into());
        }));
        assert!(reason.contains("\"made-up\" is not a message"), "{reason}");
    }

    #[test]
    fn mail_settings_written_before_a_field_existed_read_with_its_default() {
        let old = r#"{"type":"MailSettingsSet","settings":{"switched_off":["welcome"]}}"#;
        let event: Event = serde_json::from_str(old).expect("an old event reads");
        let Event::MailSettingsSet { settings } = event else {
            panic!("not MailSettingsSet");
        };
        assert_eq!(settings.plan_reminder_hours, 24);
        assert_eq!(settings.booking_reminder_hours, None);
        assert!(!settings.sends(MessageKind::Welcome));
    }
}
