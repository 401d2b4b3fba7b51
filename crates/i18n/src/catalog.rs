use crate::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeMap;
use std::sync::OnceLock;

type Bundle = FluentBundle<FluentResource>;

/// The catalogue files of each language: `locales/<lang>/<area>.ftl`. `portal` holds the
/// tenant pages and the member's canvas, `admin` the admin pages and canvas, `mail` the emails,
/// `mail_admin` the admin pages about emails (settings and the log of sends).
pub const AREAS: [&str; 4] = ["portal", "admin", "mail", "mail_admin"];

/// An organization's override file may be this long at most.
const MAX_OVERRIDE_BYTES: usize = 64 * 1024;

macro_rules! language_sources {
    ($lang:literal) => {
        [
            include_str!(concat!("../locales/", $lang, "/portal.ftl")),
            include_str!(concat!("../locales/", $lang, "/admin.ftl")),
            include_str!(concat!("../locales/", $lang, "/mail.ftl")),
            include_str!(concat!("../locales/", $lang, "/mail_admin.ftl")),
        ]
    };
}

/// The text of `locales/<lang>/<area>.ftl` as compiled in (the completeness check reads it).
pub fn catalogue_source(lang: Lang, area: &str) -> Option<&'static str> {
    let sources = match lang {
        Lang::En => language_sources!("en"),
        Lang::Fr => language_sources!("fr"),
        Lang::Es => language_sources!("es"),
        Lang::De => language_sources!("de"),
        Lang::Pt => language_sources!("pt"),
        Lang::It => language_sources!("it"),
    };
    AREAS
        .iter()
        .position(|a| *a == area)
        .map(|index| sources[index])
}

fn new_bundle(lang: Lang) -> Bundle {
    let id = lang
        .code()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks around placeables would end up inside URLs and mail headers.
    bundle.set_use_isolating(false);
    bundle
}

/// One bundle per language with every area; a catalogue that does not parse is a build
/// mistake caught by `every_catalogue_parses_and_has_every_message_of_english`, so here its
/// bad entries are only logged and skipped.
fn bundles() -> &'static BTreeMap<Lang, Bundle> {
    static BUNDLES: OnceLock<BTreeMap<Lang, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        Lang::ALL
            .into_iter()
            .map(|lang| {
                let mut bundle = new_bundle(lang);
                for area in AREAS {
                    let source = catalogue_source(lang, area).unwrap_or_default();
                    let resource = FluentResource::try_new(source.to_owned())
                        .unwrap_or_else(|(partial, errors)| {
                            tracing::error!(%lang, area, errors = errors.len(), "catalogue has syntax errors");
                            partial
                        });
                    if let Err(errors) = bundle.add_resource(resource) {
                        tracing::error!(%lang, area, errors = errors.len(), "catalogue repeats messages");
                    }
                }
                (lang, bundle)
            })
            .collect()
    })
}

/// An organization's own wording of some messages, per language (Fluent syntax, only messages
/// the catalogue has). Looked up before the catalogue.
#[derive(Default)]
pub struct Overrides {
    bundles: BTreeMap<Lang, Bundle>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OverrideError {
    #[error("the override is {0} bytes; at most {MAX_OVERRIDE_BYTES} are allowed")]
    TooLong(usize),
    #[error("line {line}: {reason}")]
    Syntax { line: usize, reason: String },
    #[error("{0:?} is not a message Lanyard has; override only existing messages")]
    UnknownMessage(String),
}

impl Overrides {
    /// Adds `source` as the organization's wording in `lang`, after checking it parses and
    /// names only messages of the catalogue.
    pub fn insert(&mut self, lang: Lang, source: &str) -> Result<(), OverrideError> {
        let resource = Overrides::check(source)?;
        let mut bundle = new_bundle(lang);
        bundle.add_resource_overriding(resource);
        self.bundles.insert(lang, bundle);
        Ok(())
    }

    /// Whether `source` would be accepted by [`Overrides::insert`] (forms check before saving).
    pub fn check(source: &str) -> Result<FluentResource, OverrideError> {
        if source.len() > MAX_OVERRIDE_BYTES {
            return Err(OverrideError::TooLong(source.len()));
        }
        let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| {
            let first = &errors[0];
            OverrideError::Syntax {
                line: source[..first.pos.start.min(source.len())]
                    .lines()
                    .count()
                    .max(1),
                reason: first.kind.to_string(),
            }
        })?;
        let english = &bundles()[&Lang::En];
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(message) = entry
                && !english.has_message(message.id.name)
            {
                return Err(OverrideError::UnknownMessage(message.id.name.to_owned()));
            }
        }
        Ok(resource)
    }
}

/// The texts of one language, with an organization's overrides first when it has some.
#[derive(Clone, Copy)]
pub struct Texts<'a> {
    lang: Lang,
    overrides: Option<&'a Overrides>,
}

impl Texts<'static> {
    pub fn new(lang: Lang) -> Texts<'static> {
        Texts {
            lang,
            overrides: None,
        }
    }
}

impl<'a> Texts<'a> {
    pub fn with_overrides(lang: Lang, overrides: &'a Overrides) -> Texts<'a> {
        Texts {
            lang,
            overrides: Some(overrides),
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `id` (or `id.attribute`).
    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with its variables, e.g. `get_with("welcome-title", &[("network", ssid)])`.
    pub fn get_with(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(*value));
        }
        self.format(id, Some(&fluent_args))
    }

    /// The message `id` with one number, which plural forms select on.
    pub fn get_count(&self, id: &str, name: &str, count: i64) -> String {
        let mut fluent_args = FluentArgs::with_capacity(1);
        fluent_args.set(name, FluentValue::from(count));
        self.format(id, Some(&fluent_args))
    }

    /// Override of this language, then the catalogue of this language, then English, then the
    /// id itself (a missing message shows, it does not break the page).
    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let own = self.overrides.and_then(|o| o.bundles.get(&self.lang));
        let catalogue = bundles();
        let candidates = [own, catalogue.get(&self.lang), catalogue.get(&Lang::En)];
        for bundle in candidates.into_iter().flatten() {
            if let Some(text) = format_in(bundle, id, args) {
                return text;
            }
        }
        tracing::warn!(lang = %self.lang, id, "message missing from every catalogue");
        id.to_owned()
    }
}

fn format_in(bundle: &Bundle, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let (message_id, attribute) = match id.split_once('.') {
        Some((message, attribute)) => (message, Some(attribute)),
        None => (id, None),
    };
    let message = bundle.get_message(message_id)?;
    let pattern = match attribute {
        Some(name) => message.get_attribute(name)?.value(),
        None => message.value()?,
    };
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    if !errors.is_empty() {
        tracing::warn!(id, errors = errors.len(), "message formatted with errors");
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast::Entry;
    use std::collections::BTreeSet;

    /// Every message and attribute id of one catalogue file.
    fn ids(source: &str) -> BTreeSet<String> {
        let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
            panic!("does not parse: {errors:?}");
        });
        let mut ids = BTreeSet::new();
        for entry in resource.body {
            if let Entry::Message(message) = entry {
                ids.insert(message.id.name.to_owned());
                for attribute in message.attributes {
                    ids.insert(format!("{}.{}", message.id.name, attribute.id.name));
                }
            }
        }
        ids
    }

    #[test]
    fn every_catalogue_parses_and_has_every_message_of_english() {
        for area in AREAS {
            let english = ids(catalogue_source(Lang::En, area).expect("english catalogue"));
            for lang in Lang::ALL {
                let source = catalogue_source(lang, area).expect("catalogue");
                let theirs = ids(source);
                let missing: Vec<_> = english.difference(&theirs).collect();
                let extra: Vec<_> = theirs.difference(&english).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "locales/{lang}/{area}.ftl: missing {missing:?}, not in English {extra:?}"
                );
            }
        }
    }

    #[test]
    fn a_message_reads_in_its_language_with_its_variables() {
        assert_eq!(Texts::new(Lang::Fr).get("language-name"), "Français");
        assert_eq!(
            Texts::new(Lang::De).get_with("language-switch", &[("language", "Deutsch")]),
            "Sprache: Deutsch"
        );
        assert_eq!(
            Texts::new(Lang::It).get("no-such-message"),
            "no-such-message"
        );
    }

    #[test]
    fn an_organization_s_override_comes_first_and_is_checked() {
        let mut overrides = Overrides::default();
        overrides
            .insert(Lang::Fr, "language-name = Français (Québec)\n")
            .expect("valid override");
        let texts = Texts::with_overrides(Lang::Fr, &overrides);
        assert_eq!(texts.get("language-name"), "Français (Québec)");
        assert_eq!(
            Texts::with_overrides(Lang::Es, &overrides).get("language-name"),
            "Español"
        );
        assert_eq!(
            overrides.insert(Lang::Fr, "made-up = x\n"),
            Err(OverrideError::UnknownMessage("made-up".into()))
        );
        assert!(matches!(
            overrides.insert(Lang::Fr, "ok = fine\nbroken = {\n"),
            Err(OverrideError::Syntax { line: 2, .. })
        ));
        let long = "x".repeat(MAX_OVERRIDE_BYTES + 1);
        assert!(matches!(
            overrides.insert(Lang::Fr, &long),
            Err(OverrideError::TooLong(_))
        ));
    }
}
