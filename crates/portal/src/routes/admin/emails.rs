//! `GET /canvas/admin/emails`: the organization's email settings — a switch per message, the
//! sender name and reply-to, the reminders' lead times and, per language, the organization's
//! own wording beside Lanyard's; `POST`: save them all (`SetMailSettings`). A refused form is
//! shown again as typed, with the reason (a wording's with its line).

use crate::admin_forms::{Banner, FormPage, PageResult, optional_number};
use crate::admin_session::Admin;
use crate::pages::Framing;
use crate::state::State;
use askama::Template;
use bus::commands::Command;
use domain::messages::{MAX_SENDER_NAME_CHARS, MailSettings, MailSettingsError, MessageKind};
use i18n::{Lang, OverrideError, Texts};
use serde::Deserialize;

pub(crate) const PATH: &str = "/canvas/admin/emails";

/// The largest form the page posts: six wordings of at most 64 KiB, URL-encoded (up to three
/// bytes per byte), and the rest.
pub(crate) const FORM_LIMIT: usize = 6 * 64 * 1024 * 3 + 16 * 1024;

/// The posted form. Absent checkboxes are switched-off messages; wordings are per language.
#[derive(Deserialize)]
pub(crate) struct EmailsForm {
    csrf: String,
    #[serde(default)]
    send_welcome: Option<String>,
    #[serde(default)]
    send_key_changed: Option<String>,
    #[serde(default)]
    send_access_ending: Option<String>,
    #[serde(default)]
    send_access_suspended: Option<String>,
    #[serde(default)]
    send_guest_invited: Option<String>,
    #[serde(default)]
    sender_name: String,
    #[serde(default)]
    reply_to: String,
    #[serde(default)]
    plan_reminder_hours: String,
    #[serde(default)]
    booking_reminder_hours: String,
    #[serde(default)]
    wording_en: String,
    #[serde(default)]
    wording_fr: String,
    #[serde(default)]
    wording_es: String,
    #[serde(default)]
    wording_de: String,
    #[serde(default)]
    wording_pt: String,
    #[serde(default)]
    wording_it: String,
}

impl EmailsForm {
    fn sends(&self, kind: MessageKind) -> bool {
        match kind {
            MessageKind::Welcome => &self.send_welcome,
            MessageKind::KeyChanged => &self.send_key_changed,
            MessageKind::AccessEnding => &self.send_access_ending,
            MessageKind::AccessSuspended => &self.send_access_suspended,
            MessageKind::GuestInvited => &self.send_guest_invited,
        }
        .is_some()
    }

    fn wording(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.wording_en,
            Lang::Fr => &self.wording_fr,
            Lang::Es => &self.wording_es,
            Lang::De => &self.wording_de,
            Lang::Pt => &self.wording_pt,
            Lang::It => &self.wording_it,
        }
    }

    /// The settings the form asks for, checked as provision will check them (answered at
    /// once, in the page's language).
    fn settings(&self, t: &Texts<'_>) -> Result<MailSettings, String> {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let settings = MailSettings {
            switched_off: MessageKind::ALL
                .into_iter()
                .filter(|kind| !self.sends(*kind))
                .collect(),
            sender_name: text(&self.sender_name),
            reply_to: text(&self.reply_to),
            plan_reminder_hours: optional_number(
                &self.plan_reminder_hours,
                "mail-settings-plan-reminder",
                t,
            )?
            .unwrap_or(MailSettings::default().plan_reminder_hours),
            booking_reminder_hours: optional_number(
                &self.booking_reminder_hours,
                "mail-settings-booking-reminder",
                t,
            )?,
            overrides: Lang::ALL
                .into_iter()
                .filter(|lang| !self.wording(*lang).trim().is_empty())
                .map(|lang| (lang.code().to_owned(), self.wording(lang).to_owned()))
                .collect(),
        };
        settings.validate().map_err(|e| problem(t, &e))?;
        Ok(settings)
    }
}

/// A refusal of the settings in the page's language.
pub(crate) fn problem(t: &Texts<'_>, error: &MailSettingsError) -> String {
    let number = |n: usize| n.to_string();
    match error {
        MailSettingsError::ReplyTo(address) => {
            t.get_with("mail-settings-error-reply-to", &[("address", address)])
        }
        MailSettingsError::SenderNameEmpty => t.get("mail-settings-error-sender-empty"),
        MailSettingsError::SenderNameTooLong(length) => t.get_with(
            "mail-settings-error-sender-long",
            &[
                ("length", &number(*length)),
                ("max", &number(MAX_SENDER_NAME_CHARS)),
            ],
        ),
        MailSettingsError::SenderNameCharacter(c) => t.get_with(
            "mail-settings-error-sender-character",
            &[("character", &format!("{c:?}"))],
        ),
        MailSettingsError::PlanReminderHours(hours) => t.get_with(
            "mail-settings-error-plan-hours",
            &[("hours", &hours.to_string())],
        ),
        MailSettingsError::BookingReminderHours(hours) => t.get_with(
            "mail-settings-error-booking-hours",
            &[("hours", &hours.to_string())],
        ),
        MailSettingsError::UnknownLanguage(code) => {
            t.get_with("mail-settings-error-language", &[("language", code)])
        }
        MailSettingsError::Override { lang, error } => wording_problem(t, lang, error),
    }
}

fn wording_problem(t: &Texts<'_>, code: &str, error: &OverrideError) -> String {
    let language = match Lang::from_tag(code) {
        Some(lang) => lang.endonym(),
        None => code,
    };
    match error {
        OverrideError::Syntax { line, reason } => t.get_with(
            "mail-settings-error-wording-syntax",
            &[
                ("language", language),
                ("line", &line.to_string()),
                ("reason", reason),
            ],
        ),
        OverrideError::UnknownMessage(message) => t.get_with(
            "mail-settings-error-wording-unknown",
            &[("language", language), ("message", message)],
        ),
        OverrideError::TooLong(bytes) => t.get_with(
            "mail-settings-error-wording-long",
            &[("language", language), ("bytes", &bytes.to_string())],
        ),
    }
}

/// One message's switch.
struct Switch {
    label: &'static str,
    /// The catalogue ids of its name and of what it says.
    text_id: String,
    hint_id: String,
    on: bool,
}

/// One language's wording: the organization's, and Lanyard's beside it.
struct Wording {
    code: &'static str,
    language: &'static str,
    own: String,
    catalogue: &'static str,
}

/// The values the page's fields show: as stored, or as typed when refused.
struct Fields {
    switches: Vec<Switch>,
    sender_name: String,
    reply_to: String,
    plan_reminder_hours: String,
    booking_reminder_hours: String,
    wordings: Vec<Wording>,
}

fn wordings(own: impl Fn(Lang) -> String) -> Vec<Wording> {
    Lang::ALL
        .into_iter()
        .map(|lang| Wording {
            code: lang.code(),
            language: lang.endonym(),
            own: own(lang),
            catalogue: i18n::catalogue_source(lang, "mail").unwrap_or_default(),
        })
        .collect()
}

fn switches(sends: impl Fn(MessageKind) -> bool) -> Vec<Switch> {
    MessageKind::ALL
        .into_iter()
        .map(|kind| {
            let text_id = format!("mail-settings-kind-{}", kind.label().replace('_', "-"));
            Switch {
                label: kind.label(),
                hint_id: format!("{text_id}.hint"),
                text_id,
                on: sends(kind),
            }
        })
        .collect()
}

impl Fields {
    fn stored(settings: &MailSettings) -> Fields {
        Fields {
            switches: switches(|kind| settings.sends(kind)),
            sender_name: settings.sender_name.clone().unwrap_or_default(),
            reply_to: settings.reply_to.clone().unwrap_or_default(),
            plan_reminder_hours: settings.plan_reminder_hours.to_string(),
            booking_reminder_hours: settings
                .booking_reminder_hours
                .map(|h| h.to_string())
                .unwrap_or_default(),
            wordings: wordings(|lang| {
                settings
                    .overrides
                    .get(lang.code())
                    .cloned()
                    .unwrap_or_default()
            }),
        }
    }

    fn typed(form: &EmailsForm) -> Fields {
        Fields {
            switches: switches(|kind| form.sends(kind)),
            sender_name: form.sender_name.clone(),
            reply_to: form.reply_to.clone(),
            plan_reminder_hours: form.plan_reminder_hours.clone(),
            booking_reminder_hours: form.booking_reminder_hours.clone(),
            wordings: wordings(|lang| form.wording(lang).to_owned()),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_emails.html")]
struct EmailsPage {
    t: Texts<'static>,
    switch: crate::language::LanguageSwitch,
    title: String,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    path: &'static str,
    max_sender_name: usize,
    fields: Fields,
}

fn page(state: &State, admin: &Admin, banner: Banner, fields: Fields) -> PageResult {
    let page = EmailsPage {
        t: admin.texts,
        switch: admin.language.switch(),
        title: admin.texts.get("mail-settings-heading"),
        section: "emails",
        notice: banner.notice,
        error: banner.error,
        csrf: admin.csrf(state),
        path: PATH,
        max_sender_name: MAX_SENDER_NAME_CHARS,
        fields,
    };
    state.page(banner.status, Framing::Optix, &page)
}

pub(crate) struct Emails;

impl FormPage for Emails {
    type Form = EmailsForm;
    const PATH: &'static str = PATH;

    fn command(form: &EmailsForm, texts: &Texts<'_>) -> Result<(Command, &'static str), String> {
        let settings = form.settings(texts)?;
        Ok((Command::SetMailSettings { settings }, "mail_settings_saved"))
    }

    fn csrf(form: &EmailsForm) -> &str {
        &form.csrf
    }

    async fn render(state: &State, admin: &Admin, banner: Banner) -> PageResult {
        let settings = {
            let client = state.pool.get().await?;
            store::queries::mail_settings(&client, &admin.row.org_id).await?
        };
        page(state, admin, banner, Fields::stored(&settings))
    }

    async fn render_refused(
        state: &State,
        admin: &Admin,
        form: &EmailsForm,
        banner: Banner,
    ) -> PageResult {
        page(state, admin, banner, Fields::typed(form))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> EmailsForm {
        serde_urlencoded::from_str(body).expect("form")
    }

    #[test]
    fn the_form_is_the_whole_settings_and_a_blank_field_is_the_default() {
        let english = Texts::new(Lang::En);
        let posted = form(
            "csrf=x&send_welcome=on&send_guest_invited=on&sender_name=+Lumi%C3%A8re+&reply_to=&plan_reminder_hours=&booking_reminder_hours=3&wording_fr=language-name+%3D+Qu%C3%A9bec%0A&wording_de=+",
        );
        let (command, done) = Emails::command(&posted, &english).expect("valid");
        assert_eq!(done, "mail_settings_saved");
        let Command::SetMailSettings { settings } = command else {
            panic!("not SetMailSettings");
        };
        assert!(settings.sends(MessageKind::Welcome) && settings.sends(MessageKind::GuestInvited));
        assert!(!settings.sends(MessageKind::KeyChanged));
        assert_eq!(settings.sender_name.as_deref(), Some("Lumière"));
        assert_eq!(settings.reply_to, None);
        assert_eq!(settings.plan_reminder_hours, 24);
        assert_eq!(settings.booking_reminder_hours, Some(3));
        assert_eq!(
            settings.overrides.keys().collect::<Vec<_>>(),
            vec!["fr"],
            "a blank wording is none"
        );
    }

    #[test]
    fn a_refused_form_says_what_to_fix_in_the_page_s_language() {
        let german = Texts::new(Lang::De);
        let english = Texts::new(Lang::En);
        let error = Emails::command(&form("csrf=x&reply_to=desk"), &english).expect_err("bad");
        assert!(
            error.contains("“desk”") && error.contains("desk@example.com"),
            "{error}"
        );
        let error = Emails::command(
            &form("csrf=x&wording_it=language-name+%3D+ok%0Abroken+%3D+%7B%0A"),
            &english,
        )
        .expect_err("bad wording");
        assert!(
            error.starts_with("Your wording (Italiano), line 2: "),
            "{error}"
        );
        let error = Emails::command(&form("csrf=x&plan_reminder_hours=soon"), &german)
            .expect_err("not a number");
        assert!(
            !error.contains("must be a whole number"),
            "in German: {error}"
        );
        let error = Emails::command(&form("csrf=x&sender_name=A+%3Cb%3E"), &german)
            .expect_err("header-breaking");
        assert!(error.contains("'<'"), "{error}");
    }

    /// Every text of the page reads in every language (a catalogue entry that does not parse
    /// would show its id), each its own translation.
    #[test]
    fn every_text_of_the_page_is_in_every_language() {
        let english = i18n::catalogue_source(Lang::En, "mail_admin").expect("catalogue");
        let ids: Vec<&str> = english
            .lines()
            .filter_map(|line| line.split_once(" = ").map(|(id, _)| id))
            .filter(|id| id.starts_with("mail-settings-"))
            .collect();
        assert!(ids.len() > 30, "{ids:?}");
        for lang in Lang::ALL {
            let source = i18n::catalogue_source(lang, "mail_admin").expect("catalogue");
            if let Err(error) = i18n::Overrides::check(source) {
                panic!("locales/{lang}/mail_admin.ftl: {error}");
            }
            let t = Texts::new(lang);
            for id in &ids {
                assert_ne!(t.get(id), *id, "{lang}: {id}");
            }
            if lang != Lang::En {
                assert_ne!(
                    t.get("mail-settings-intro"),
                    Texts::new(Lang::En).get("mail-settings-intro"),
                    "{lang}"
                );
            }
        }
    }
}
