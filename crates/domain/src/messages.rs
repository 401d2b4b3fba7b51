//! The messages Lanyard sends a tenant by email (issue 21): what each is called, in settings,
//! in the outbox and in metrics. Which event triggers which message is decided by the mailer
//! (`portal::notify`); this is only the vocabulary shared with the organization's settings.

use i18n::{Lang, OverrideError, Overrides};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// The member's first grant at a location: the network name and a sign-in link.
    Welcome,
    /// An admin changed or the member regenerated the passphrase: reconnect your devices.
    KeyChanged,
    /// A plan's end date (or a day pass/booking's end) is near.
    AccessEnding,
    /// The plan ended or was cancelled: access is suspended.
    AccessSuspended,
    /// A meeting guest's WiFi for the meeting's duration.
    GuestInvited,
}

impl MessageKind {
    pub const ALL: [MessageKind; 5] = [
        MessageKind::Welcome,
        MessageKind::KeyChanged,
        MessageKind::AccessEnding,
        MessageKind::AccessSuspended,
        MessageKind::GuestInvited,
    ];

    /// The name used in settings, the CLI, the outbox and metric labels.
    pub fn label(self) -> &'static str {
        match self {
            MessageKind::Welcome => "welcome",
            MessageKind::KeyChanged => "key_changed",
            MessageKind::AccessEnding => "access_ending",
            MessageKind::AccessSuspended => "access_suspended",
            MessageKind::GuestInvited => "guest_invited",
        }
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown message {0:?}: expected one of welcome, key_changed, access_ending, access_suspended, guest_invited"
)]
pub struct UnknownMessageKind(pub String);

impl FromStr for MessageKind {
    type Err = UnknownMessageKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MessageKind::ALL
            .into_iter()
            .find(|kind| kind.label() == s)
            .ok_or_else(|| UnknownMessageKind(s.chars().take(40).collect()))
    }
}

/// Reminder lead times an organization may set, in hours (up to 30 days).
pub const REMINDER_HOURS: std::ops::RangeInclusive<u32> = 1..=720;
/// A sender name longer than this does not fit a mail client's list.
pub const MAX_SENDER_NAME_CHARS: usize = 64;
/// The longest address SMTP carries (RFC 5321 path limit).
const MAX_ADDRESS_CHARS: usize = 254;
/// Characters that would end or split a `From:` display name: quotes, angle brackets,
/// backslashes (controls, CR and LF included, are refused separately).
const HEADER_BREAKING: [char; 4] = ['"', '<', '>', '\\'];

fn default_plan_reminder_hours() -> u32 {
    24
}

/// An organization's email settings (event `MailSettingsSet`, org stream): which messages are
/// sent, from whom they appear to come, when reminders go, and its own wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MailSettings {
    #[serde(default)]
    pub switched_off: BTreeSet<MessageKind>,
    #[serde(default)]
    pub sender_name: Option<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Hours before a plan's end that the "access ending" reminder goes (default 24).
    #[serde(default = "default_plan_reminder_hours")]
    pub plan_reminder_hours: u32,
    /// Hours before a booking's or day pass's end; None (default) = no reminder.
    #[serde(default)]
    pub booking_reminder_hours: Option<u32>,
    /// The organization's wording per language code ("fr"): Fluent source that passes
    /// `i18n::Overrides::check`.
    #[serde(default)]
    pub overrides: BTreeMap<String, String>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            switched_off: BTreeSet::new(),
            sender_name: None,
            reply_to: None,
            plan_reminder_hours: default_plan_reminder_hours(),
            booking_reminder_hours: None,
            overrides: BTreeMap::new(),
        }
    }
}

/// Why settings are refused; each says what to fix.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailSettingsError {
    #[error("the reply-to {0:?} is not an email address (e.g. desk@example.com)")]
    ReplyTo(String),
    #[error("the sender name is empty; leave it unset to use the default")]
    SenderNameEmpty,
    #[error("the sender name is {0} characters long; at most {MAX_SENDER_NAME_CHARS} are allowed")]
    SenderNameTooLong(usize),
    #[error(
        "the sender name may not contain {0:?} (quotes, angle brackets, backslashes and control characters break the From header)"
    )]
    SenderNameCharacter(char),
    #[error("the plan reminder is {0} hours before the end; it must be between 1 and 720")]
    PlanReminderHours(u32),
    #[error(
        "the booking reminder is {0} hours before the end; it must be between 1 and 720 (or none)"
    )]
    BookingReminderHours(u32),
    #[error("{0:?} is not a language Lanyard writes; use one of en, fr, es, de, pt, it")]
    UnknownLanguage(String),
    #[error("the {lang} wording: {error}")]
    Override { lang: String, error: OverrideError },
}

impl MailSettings {
    /// Whether the organization sends `kind`.
    pub fn sends(&self, kind: MessageKind) -> bool {
        !self.switched_off.contains(&kind)
    }

    /// The organization's wording, ready for `i18n::Texts::with_overrides` (entries that no
    /// longer pass the check, e.g. a message the catalogue dropped, are left out).
    pub fn overrides(&self) -> Overrides {
        let mut overrides = Overrides::default();
        for (code, source) in &self.overrides {
            if let Some(lang) = Lang::from_tag(code) {
                // Left out on purpose: the catalogue's wording stands in for a stale override.
                let _ = overrides.insert(lang, source);
            }
        }
        overrides
    }

    /// The settings as they are stored: blank wordings dropped (a blank override is none).
    pub fn normalized(mut self) -> MailSettings {
        self.overrides.retain(|_, source| !source.trim().is_empty());
        self
    }

    /// Checks every field; the first problem found is the refusal.
    pub fn validate(&self) -> Result<(), MailSettingsError> {
        if let Some(name) = &self.sender_name {
            check_sender_name(name)?;
        }
        if let Some(address) = &self.reply_to
            && !is_email_address(address)
        {
            return Err(MailSettingsError::ReplyTo(
                address.chars().take(MAX_ADDRESS_CHARS).collect(),
            ));
        }
        if !REMINDER_HOURS.contains(&self.plan_reminder_hours) {
            return Err(MailSettingsError::PlanReminderHours(
                self.plan_reminder_hours,
            ));
        }
        if let Some(hours) = self.booking_reminder_hours
            && !REMINDER_HOURS.contains(&hours)
        {
            return Err(MailSettingsError::BookingReminderHours(hours));
        }
        for (code, source) in &self.overrides {
            if Lang::from_tag(code).map(Lang::code) != Some(code.as_str()) {
                return Err(MailSettingsError::UnknownLanguage(
                    code.chars().take(16).collect(),
                ));
            }
            Overrides::check(source).map_err(|error| MailSettingsError::Override {
                lang: code.clone(),
                error,
            })?;
        }
        Ok(())
    }
}

fn check_sender_name(name: &str) -> Result<(), MailSettingsError> {
    if name.trim().is_empty() {
        return Err(MailSettingsError::SenderNameEmpty);
    }
    let length = name.chars().count();
    if length > MAX_SENDER_NAME_CHARS {
        return Err(MailSettingsError::SenderNameTooLong(length));
    }
    match name
        .chars()
        .find(|c| c.is_control() || HEADER_BREAKING.contains(c))
    {
        Some(c) => Err(MailSettingsError::SenderNameCharacter(c)),
        None => Ok(()),
    }
}

/// A plain address (`desk@example.com`): no display name, no domain literal, a dotted domain.
fn is_email_address(address: &str) -> bool {
    let options = email_address::Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    address.len() <= MAX_ADDRESS_CHARS
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        && email_address::EmailAddress::parse_with_options(address, options).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_parses_back_and_an_unknown_one_is_named() {
        for kind in MessageKind::ALL {
            assert_eq!(kind.label().parse::<MessageKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(serde_json::json!(kind.label()))
            );
        }
        let error = "welcom".parse::<MessageKind>().unwrap_err();
        assert!(error.to_string().contains("\"welcom\""));
        assert!(error.to_string().contains("key_changed"));
    }
}
