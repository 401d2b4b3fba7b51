//! What the mailer needs to know about an organization and a member before writing: the
//! organization's email settings and the language of the email.
//!
//! STAND-IN until s21-settings and s21-tenant are merged: `MailSettings` mirrors the fixed
//! interface `domain::messages::MailSettings` with its defaults, and the member's and the
//! organization's languages are unknown (English). The merge replaces the bodies of
//! [`mail_settings`] and [`language`] by the read models' calls.

use domain::MessageKind;
use i18n::Lang;
use std::collections::{BTreeMap, BTreeSet};
use store::GenericClient;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MailSettings {
    pub(crate) switched_off: BTreeSet<MessageKind>,
    pub(crate) sender_name: Option<String>,
    pub(crate) reply_to: Option<String>,
    pub(crate) plan_reminder_hours: u32,
    pub(crate) booking_reminder_hours: Option<u32>,
    pub(crate) overrides: BTreeMap<String, String>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            switched_off: BTreeSet::new(),
            sender_name: None,
            reply_to: None,
            plan_reminder_hours: 24,
            booking_reminder_hours: None,
            overrides: BTreeMap::new(),
        }
    }
}

impl MailSettings {
    pub(crate) fn sends(&self, kind: MessageKind) -> bool {
        !self.switched_off.contains(&kind)
    }

    pub(crate) fn overrides(&self) -> i18n::Overrides {
        let mut overrides = i18n::Overrides::default();
        for (code, source) in &self.overrides {
            if let Some(lang) = Lang::from_tag(code) {
                let _ = overrides.insert(lang, source);
            }
        }
        overrides
    }
}

/// The organization's email settings (defaults when none are set).
pub(crate) async fn mail_settings(
    _client: &impl GenericClient,
    _org_id: &str,
) -> Result<MailSettings, store::StoreError> {
    Ok(MailSettings::default())
}

/// The language of an email to the member: the one they last chose, else the organization's
/// locale, else English.
pub(crate) async fn language(
    _client: &impl GenericClient,
    _org_id: &str,
    _user_id: &str,
) -> Result<Lang, store::StoreError> {
    let chosen: Option<String> = None;
    let organization_locale: Option<String> = None;
    Ok(chosen
        .as_deref()
        .and_then(Lang::from_tag)
        .or_else(|| organization_locale.as_deref().and_then(Lang::from_tag))
        .unwrap_or(Lang::En))
}
