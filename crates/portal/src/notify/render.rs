//! An email in the member's language: its subject, HTML and plain text (askama templates
//! `templates/mail/<kind>.{html,txt}`, every sentence a message of `mail.ftl`, the
//! organization's overrides first). No passphrase is ever given to a template.

use super::decide::Suspension;
use askama::Template;
use domain::MessageKind;
use i18n::{Lang, Texts};

/// What one email says: the texts and the values its sentences name.
pub(crate) struct Letter<'a> {
    t: Texts<'a>,
    kind: MessageKind,
    /// `$place`, `$network`, `$organization`, `$ends`, `$from`, `$until`.
    args: Vec<(&'static str, String)>,
    /// The one-click sign-in link (empty for the messages without one).
    pub(crate) link: String,
    link_hours: u64,
    why: Suspension,
}

/// The values an email's sentences name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    pub(crate) place: String,
    pub(crate) network: String,
    pub(crate) organization: String,
    /// Day and time in the location's zone and the language's format.
    pub(crate) ends: String,
    pub(crate) from: String,
    pub(crate) until: String,
    pub(crate) link: String,
    pub(crate) link_hours: u64,
    pub(crate) why: Option<Suspension>,
}

impl<'a> Letter<'a> {
    pub(crate) fn new(t: Texts<'a>, kind: MessageKind, facts: Facts) -> Letter<'a> {
        Letter {
            t,
            kind,
            args: vec![
                ("place", facts.place),
                ("network", facts.network),
                ("organization", facts.organization),
                ("ends", facts.ends),
                ("from", facts.from),
                ("until", facts.until),
            ],
            link: facts.link,
            link_hours: facts.link_hours,
            why: facts.why.unwrap_or(Suspension::PlanEnded),
        }
    }

    pub(crate) fn lang(&self) -> Lang {
        self.t.lang()
    }

    /// The message `id` with this email's values.
    pub(crate) fn say(&self, id: &str) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.t.get_with(id, &args)
    }

    pub(crate) fn subject(&self) -> String {
        self.say(&format!(
            "mail-{}-subject",
            self.kind.label().replace('_', "-")
        ))
    }

    pub(crate) fn link_note(&self) -> String {
        self.t.get_count(
            "mail-link-note",
            "hours",
            i64::try_from(self.link_hours).unwrap_or(i64::MAX),
        )
    }

    /// What happened, for the suspension email.
    pub(crate) fn suspension(&self) -> String {
        self.say(match self.why {
            Suspension::PlanEnded => "mail-access-suspended-ended",
            Suspension::PlanCancelled => "mail-access-suspended-cancelled",
        })
    }
}

/// An email ready for the `Mailer`.
#[derive(Clone, Debug)]
pub(crate) struct Rendered {
    pub(crate) subject: String,
    pub(crate) html: String,
    pub(crate) text: String,
}

#[derive(Template)]
#[template(path = "mail/welcome.html")]
struct WelcomeHtml<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/welcome.txt")]
struct WelcomeText<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/key_changed.html")]
struct KeyChangedHtml<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/key_changed.txt")]
struct KeyChangedText<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/access_ending.html")]
struct AccessEndingHtml<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/access_ending.txt")]
struct AccessEndingText<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/access_suspended.html")]
struct AccessSuspendedHtml<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/access_suspended.txt")]
struct AccessSuspendedText<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/guest_invited.html")]
struct GuestInvitedHtml<'a> {
    l: &'a Letter<'a>,
}

#[derive(Template)]
#[template(path = "mail/guest_invited.txt")]
struct GuestInvitedText<'a> {
    l: &'a Letter<'a>,
}

pub(crate) fn render(letter: &Letter) -> Result<Rendered, askama::Error> {
    let l = letter;
    let (html, text) = match letter.kind {
        MessageKind::Welcome => (WelcomeHtml { l }.render()?, WelcomeText { l }.render()?),
        MessageKind::KeyChanged => (
            KeyChangedHtml { l }.render()?,
            KeyChangedText { l }.render()?,
        ),
        MessageKind::AccessEnding => (
            AccessEndingHtml { l }.render()?,
            AccessEndingText { l }.render()?,
        ),
        MessageKind::AccessSuspended => (
            AccessSuspendedHtml { l }.render()?,
            AccessSuspendedText { l }.render()?,
        ),
        MessageKind::GuestInvited => (
            GuestInvitedHtml { l }.render()?,
            GuestInvitedText { l }.render()?,
        ),
    };
    Ok(Rendered {
        subject: letter.subject(),
        html,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            place: "Gastown".into(),
            network: "Gastown-Members".into(),
            organization: "Gastown Coworking".into(),
            ends: "Tuesday 1 December 2026, 18:00".into(),
            from: "10:00".into(),
            until: "12:00".into(),
            link: "https://wifi.example/l/6267/3390/signin#token=abc".into(),
            link_hours: 72,
            why: Some(Suspension::PlanCancelled),
        }
    }

    #[test]
    fn every_message_renders_in_every_language_with_its_values_and_no_message_id() {
        for lang in Lang::ALL {
            for kind in MessageKind::ALL {
                let letter = Letter::new(Texts::new(lang), kind, facts());
                let mail = render(&letter).expect("renders");
                let context = format!("{kind} in {lang:?}");
                for part in [&mail.subject, &mail.html, &mail.text] {
                    assert!(
                        !part.contains("mail-"),
                        "{context}: a message id shows: {part}"
                    );
                    assert!(!part.contains("{ $"), "{context}: a placeholder shows");
                }
                assert!(
                    mail.subject.contains("Gastown"),
                    "{context}: {}",
                    mail.subject
                );
                assert!(
                    mail.html.contains(&format!("lang=\"{}\"", lang.code())),
                    "{context}"
                );
                assert!(mail.text.contains("Gastown Coworking"), "{context}");
                let linked = matches!(
                    kind,
                    MessageKind::Welcome | MessageKind::KeyChanged | MessageKind::GuestInvited
                );
                assert_eq!(mail.text.contains(&letter.link), linked, "{context}");
                assert_eq!(mail.html.contains(&letter.link), linked, "{context}");
                if kind == MessageKind::Welcome {
                    assert!(mail.text.contains("Gastown-Members"), "{context}");
                }
                if kind == MessageKind::AccessEnding {
                    assert!(mail.text.contains("18:00"), "{context}");
                }
            }
        }
    }

    #[test]
    fn the_organization_s_wording_comes_first() {
        let mut overrides = i18n::Overrides::default();
        overrides
            .insert(
                Lang::Fr,
                "mail-welcome-subject = Bienvenue chez { $place } !",
            )
            .expect("a valid override");
        let letter = Letter::new(
            Texts::with_overrides(Lang::Fr, &overrides),
            MessageKind::Welcome,
            facts(),
        );
        let mail = render(&letter).expect("renders");
        assert_eq!(mail.subject, "Bienvenue chez Gastown !");
        assert!(mail.text.contains("Le réseau s’appelle Gastown-Members."));
    }
}
