//! `lanyard mail …`: an organization's email settings (which messages go, the sender name and
//! reply-to, reminder lead times) and its own wording per language, from a terminal, as the
//! admin canvas's "Emails" page does. Changes go to provision as `SetMailSettings` (the whole
//! settings: the current ones, read from the projection, with the change applied).

use crate::configure::{OrgListing, print_json, send};
use anyhow::Context;
use bus::commands::Command;
use clap::{Args, Subcommand};
use domain::messages::{MailSettings, MessageKind};
use i18n::{Lang, Overrides};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A wording file longer than this is refused before it is read whole (the catalogue's check
/// allows 64 KiB).
const MAX_WORDING_FILE_BYTES: u64 = 64 * 1024;

#[derive(Subcommand)]
pub enum MailCommand {
    /// Show or change which emails an organization sends, and how.
    Settings {
        #[command(subcommand)]
        command: SettingsCommand,
    },
    /// Set (--file) or remove (--clear) the organization's own wording of its emails in one
    /// language: a Fluent file with only the messages it changes (start from `lanyard mail
    /// wording --lang LANG`).
    Override {
        #[arg(long)]
        org: String,
        /// en, fr, es, de, pt or it.
        #[arg(long)]
        lang: String,
        #[arg(long, required_unless_present = "clear", conflicts_with = "clear")]
        file: Option<PathBuf>,
        #[arg(long)]
        clear: bool,
    },
    /// Print the emails' current wording in a language (Fluent), to copy and edit for
    /// `lanyard mail override`.
    Wording {
        #[arg(long)]
        lang: String,
    },
}

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// The organization's email settings: each message on or off, sender, reply-to, reminders
    /// and its own wording per language.
    Show(OrgListing),
    /// Change some of the settings; what is not given stays as it is.
    Set(SetArgs),
}

#[derive(Args)]
pub struct SetArgs {
    #[arg(long)]
    pub org: String,
    /// Messages not to send: welcome, key_changed, access_ending, access_suspended, guest_invited.
    #[arg(long, value_delimiter = ',', value_name = "KIND[,KIND]")]
    pub off: Vec<MessageKind>,
    /// Messages to send again.
    #[arg(long, value_delimiter = ',', value_name = "KIND[,KIND]")]
    pub on: Vec<MessageKind>,
    /// The name the emails come from (e.g. the coworking's name).
    #[arg(long, conflicts_with = "no_sender_name")]
    pub sender_name: Option<String>,
    /// Back to the default sender name.
    #[arg(long)]
    pub no_sender_name: bool,
    /// Where tenants' replies go (e.g. the front desk's address).
    #[arg(long, conflicts_with = "no_reply_to")]
    pub reply_to: Option<String>,
    /// Replies go to the sender again.
    #[arg(long)]
    pub no_reply_to: bool,
    /// Hours before a plan ends that the reminder goes (1–720; default 24).
    #[arg(long)]
    pub plan_reminder_hours: Option<u32>,
    /// Hours before a booking or day pass ends that the reminder goes (1–720), or `none`.
    #[arg(long, value_parser = parse_booking_hours, value_name = "N|none")]
    pub booking_reminder_hours: Option<BookingHours>,
}

/// `--booking-reminder-hours`: a number of hours, or `none` (no reminder).
#[derive(Clone, Copy, Debug)]
pub struct BookingHours(pub Option<u32>);

fn parse_booking_hours(text: &str) -> Result<BookingHours, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(BookingHours(None));
    }
    text.parse::<u32>()
        .map(|hours| BookingHours(Some(hours)))
        .map_err(|_| format!("{text:?}: give a number of hours (1–720) or none"))
}

impl SetArgs {
    /// `current` with the changes asked for; an error says what to fix.
    pub fn apply(&self, mut current: MailSettings) -> anyhow::Result<MailSettings> {
        if let Some(both) = self.off.iter().find(|kind| self.on.contains(kind)) {
            anyhow::bail!("{both} is both in --off and --on; give it once");
        }
        let unchanged = self.off.is_empty()
            && self.on.is_empty()
            && self.sender_name.is_none()
            && !self.no_sender_name
            && self.reply_to.is_none()
            && !self.no_reply_to
            && self.plan_reminder_hours.is_none()
            && self.booking_reminder_hours.is_none();
        if unchanged {
            anyhow::bail!(
                "nothing to set: give --off, --on, --sender-name, --no-sender-name, --reply-to, --no-reply-to, --plan-reminder-hours or --booking-reminder-hours"
            );
        }
        current.switched_off.extend(self.off.iter().copied());
        current.switched_off.retain(|kind| !self.on.contains(kind));
        if self.no_sender_name {
            current.sender_name = None;
        } else if let Some(name) = &self.sender_name {
            current.sender_name = Some(name.trim().to_owned());
        }
        if self.no_reply_to {
            current.reply_to = None;
        } else if let Some(address) = &self.reply_to {
            current.reply_to = Some(address.trim().to_owned());
        }
        if let Some(hours) = self.plan_reminder_hours {
            current.plan_reminder_hours = hours;
        }
        if let Some(BookingHours(hours)) = self.booking_reminder_hours {
            current.booking_reminder_hours = hours;
        }
        Ok(current)
    }
}

/// The language a `--lang` names (`fr`, `fr_CA`, `FR`), or what to write instead.
pub fn language(tag: &str) -> anyhow::Result<Lang> {
    Lang::from_tag(tag).with_context(|| {
        format!(
            "--lang {:?} is not a language Lanyard writes; use one of en, fr, es, de, pt, it",
            tag.chars().take(16).collect::<String>()
        )
    })
}

/// `lanyard mail wording --lang LANG`: the catalogue's email messages, as shipped.
pub fn wording(lang: &str) -> anyhow::Result<String> {
    let lang = language(lang)?;
    i18n::catalogue_source(lang, "mail")
        .map(str::to_owned)
        .context("this build has no email catalogue")
}

pub async fn mail(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    command: MailCommand,
) -> anyhow::Result<()> {
    match command {
        MailCommand::Wording { lang } => print!("{}", wording(&lang)?),
        MailCommand::Settings {
            command: SettingsCommand::Show(OrgListing { org, json }),
        } => {
            let current = current_settings(pool, &org).await?;
            if json {
                return print_json(&current);
            }
            print!("{}", render_settings(&org, &current));
        }
        MailCommand::Settings {
            command: SettingsCommand::Set(change),
        } => {
            let changed = change.apply(current_settings(pool, &change.org).await?)?;
            changed
                .validate()
                .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
            let what = format!("email settings of organization {}", change.org);
            send_settings(settings, &change.org, changed, &what).await?;
        }
        MailCommand::Override {
            org,
            lang,
            file,
            clear,
        } => {
            let lang = language(&lang)?;
            let wording = match file.filter(|_| !clear) {
                Some(path) => Some(read_wording(&path)?),
                None => None,
            };
            override_wording(settings, pool, &org, lang, wording).await?;
        }
    }
    Ok(())
}

/// Sets (`Some`) or removes (`None`) the organization's wording in `lang`.
async fn override_wording(
    settings: &runtime::Settings,
    pool: &deadpool_postgres::Pool,
    org: &str,
    lang: Lang,
    wording: Option<String>,
) -> anyhow::Result<()> {
    let mut changed = current_settings(pool, org).await?;
    let what = match wording {
        Some(source) => {
            changed.overrides.insert(lang.code().to_owned(), source);
            format!("{lang} wording of organization {org} set")
        }
        None => {
            changed.overrides.remove(lang.code());
            format!("{lang} wording of organization {org} removed")
        }
    };
    send_settings(settings, org, changed, &what).await
}

async fn send_settings(
    settings: &runtime::Settings,
    org: &str,
    changed: MailSettings,
    what: &str,
) -> anyhow::Result<()> {
    send(
        settings,
        org,
        Command::SetMailSettings { settings: changed },
        what,
    )
    .await
}

async fn current_settings(
    pool: &deadpool_postgres::Pool,
    org: &str,
) -> anyhow::Result<MailSettings> {
    let client = pool
        .get()
        .await
        .context("connecting to PostgreSQL (database.url)")?;
    Ok(store::queries::mail_settings(&client, org).await?)
}

/// A wording file, checked here so a mistake names the file and its line before anything is
/// sent (provision checks again).
pub fn read_wording(path: &Path) -> anyhow::Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut source = String::new();
    file.take(MAX_WORDING_FILE_BYTES + 1)
        .read_to_string(&mut source)
        .with_context(|| format!("reading {} (a UTF-8 text file)", path.display()))?;
    Overrides::check(&source).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(source)
}

/// `lanyard mail settings show`: one line per message, then the sender, the reminders and the
/// organization's own wording per language with its size.
pub fn render_settings(org: &str, settings: &MailSettings) -> String {
    let mut out = format!("Email settings of organization {org}\n\n");
    out.push_str(&format!("{:<20} {}\n", "MESSAGE", "SENT"));
    for kind in MessageKind::ALL {
        let sent = if settings.sends(kind) {
            "yes"
        } else {
            "no (switched off)"
        };
        out.push_str(&format!("{:<20} {sent}\n", kind.label()));
    }
    let booking = settings
        .booking_reminder_hours
        .map_or_else(|| "none".to_owned(), |h| format!("{h} h before the end"));
    out.push('\n');
    for (label, value) in [
        (
            "sender name",
            settings
                .sender_name
                .as_deref()
                .unwrap_or("(default)")
                .to_owned(),
        ),
        (
            "reply-to",
            settings.reply_to.as_deref().unwrap_or("(none)").to_owned(),
        ),
        (
            "plan reminder",
            format!("{} h before the end", settings.plan_reminder_hours),
        ),
        ("booking reminder", booking),
    ] {
        out.push_str(&format!("{label:<20} {value}\n"));
    }
    out.push('\n');
    if settings.overrides.is_empty() {
        out.push_str("own wording          none (the catalogue's, see `lanyard mail wording`)\n");
    }
    for (code, source) in &settings.overrides {
        let lines = source.lines().count();
        let plural = if lines == 1 { "" } else { "s" };
        out.push_str(&format!(
            "own wording {code:<8} {} bytes, {lines} line{plural}\n",
            source.len(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(argv: &[&str]) -> SetArgs {
        let parsed = crate::args::parse_from(
            ["lanyard", "mail", "settings", "set", "--org", "6267"]
                .iter()
                .chain(argv),
        )
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        match parsed.command {
            crate::args::Command::Mail {
                command:
                    MailCommand::Settings {
                        command: SettingsCommand::Set(args),
                    },
            } => args,
            _ => panic!("not mail settings set"),
        }
    }

    #[test]
    fn a_change_applies_to_the_current_settings_and_keeps_the_rest() {
        let mut current = MailSettings::default();
        current.switched_off.insert(MessageKind::GuestInvited);
        current.reply_to = Some("desk@example.com".into());
        let changed = set(&[
            "--off",
            "welcome,key_changed",
            "--on",
            "guest_invited",
            "--sender-name",
            "Lumière",
            "--booking-reminder-hours",
            "2",
        ])
        .apply(current)
        .expect("applies");
        assert!(!changed.sends(MessageKind::Welcome) && !changed.sends(MessageKind::KeyChanged));
        assert!(changed.sends(MessageKind::GuestInvited));
        assert_eq!(changed.sender_name.as_deref(), Some("Lumière"));
        assert_eq!(changed.reply_to.as_deref(), Some("desk@example.com"));
        assert_eq!(changed.booking_reminder_hours, Some(2));
        let cleared = set(&["--no-reply-to", "--booking-reminder-hours", "none"])
            .apply(changed)
            .expect("applies");
        assert_eq!(
            (cleared.reply_to, cleared.booking_reminder_hours),
            (None, None)
        );
    }

    #[test]
    fn a_mistake_on_the_command_line_says_what_to_fix() {
        let nothing = set(&[])
            .apply(MailSettings::default())
            .expect_err("nothing");
        assert!(nothing.to_string().contains("nothing to set"));
        let both = set(&["--off", "welcome", "--on", "welcome"])
            .apply(MailSettings::default())
            .expect_err("both");
        assert!(both.to_string().contains("both in --off and --on"));
        let unknown = crate::args::parse_from([
            "lanyard", "mail", "settings", "set", "--org", "6267", "--off", "welcom",
        ]);
        assert!(unknown.is_err_and(|e| e.to_string().contains("key_changed")));
        let hours = crate::args::parse_from([
            "lanyard",
            "mail",
            "settings",
            "set",
            "--org",
            "6267",
            "--booking-reminder-hours",
            "soon",
        ]);
        assert!(hours.is_err_and(|e| e.to_string().contains("or none")));
        assert!(language("xx").is_err_and(|e| e.to_string().contains("en, fr, es")));
        assert!(wording("fr").is_ok());
    }

    #[test]
    fn the_table_lists_every_message_and_each_wording_with_its_size() {
        let mut settings = MailSettings::default();
        settings.switched_off.insert(MessageKind::AccessEnding);
        settings
            .overrides
            .insert("fr".into(), "language-name = Français (Québec)\n".into());
        let table = render_settings("6267", &settings);
        assert!(
            table.contains("access_ending        no (switched off)"),
            "{table}"
        );
        assert!(table.contains("welcome              yes"), "{table}");
        assert!(
            table.contains("plan reminder        24 h before the end"),
            "{table}"
        );
        assert!(table.contains("booking reminder     none"), "{table}");
        assert!(
            table.contains("own wording fr       36 bytes, 1 line"),
            "{table}"
        );
    }
}
