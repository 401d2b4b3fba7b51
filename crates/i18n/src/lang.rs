use std::fmt;

/// The languages Lanyard's pages and emails are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
    Es,
    De,
    Pt,
    It,
}

/// `Accept-Language` entries looked at: a header is attacker-controlled, the list is bounded.
const MAX_ACCEPT_ENTRIES: usize = 16;

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::En, Lang::Fr, Lang::Es, Lang::De, Lang::Pt, Lang::It];

    /// The BCP 47 primary language subtag: `lang` attributes, cookies, stored choices.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::De => "de",
            Lang::Pt => "pt",
            Lang::It => "it",
        }
    }

    /// The language's name in itself, for the switch on the page.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Es => "Español",
            Lang::De => "Deutsch",
            Lang::Pt => "Português",
            Lang::It => "Italiano",
        }
    }

    /// The language of a tag such as `fr`, `fr-CA`, `fr_CA` or `FR` (Optix's organization
    /// `locale` uses `_`); `None` for a language Lanyard does not ship or a malformed tag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim();
        if tag.is_empty() || tag.len() > 35 {
            return None;
        }
        let primary = tag.split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code().eq_ignore_ascii_case(primary))
    }

    /// The preferred shipped language of an `Accept-Language` header (RFC 9110 §12.5.4):
    /// highest `q` first, the header's order among equals; `q=0` means "not this one".
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(u16, Lang)> = None;
        for entry in header.split(',').take(MAX_ACCEPT_ENTRIES) {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), quality_millis);
            match quality {
                Some(q) if q > 0 && best.is_none_or(|(b, _)| q > b) => best = Some((q, lang)),
                _ => {}
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// Which language to use: the first of the member's remembered choice (a cookie or the
    /// stored choice), the browser's `Accept-Language`, the organization's locale, that names
    /// a shipped language; else English.
    pub fn negotiate(
        chosen: Option<&str>,
        accept_language: Option<&str>,
        organization_locale: Option<&str>,
    ) -> Lang {
        Lang::requested(chosen, accept_language)
            .or_else(|| organization_locale.and_then(Lang::from_tag))
            .unwrap_or_default()
    }

    /// What the visitor asks for themselves (their choice, then their browser), before the
    /// organization's locale is needed; `None` when neither names a shipped language.
    pub fn requested(chosen: Option<&str>, accept_language: Option<&str>) -> Option<Lang> {
        chosen
            .and_then(Lang::from_tag)
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
    }
}

/// `q` as thousandths (`0.8` → 800); `None` when it is not a quality value.
fn quality_millis(value: &str) -> Option<u16> {
    let value = value.trim();
    if value.len() > 5 {
        return None;
    }
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let millis = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(millis),
        "1" if millis == 0 => Some(1000),
        _ => None,
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_their_language_whatever_the_region_or_separator() {
        assert_eq!(Lang::from_tag("fr_CA"), Some(Lang::Fr));
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("DE"), Some(Lang::De));
        assert_eq!(Lang::from_tag("nl-NL"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(Lang::from_tag(&"e".repeat(100)), None);
    }

    #[test]
    fn accept_language_takes_the_highest_quality_shipped_language() {
        assert_eq!(
            Lang::from_accept_language("fr-CH, fr;q=0.9, en;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(
            Lang::from_accept_language("nl, es;q=0.5, de;q=0.7"),
            Some(Lang::De)
        );
        assert_eq!(
            Lang::from_accept_language("it;q=0, es;q=0.1"),
            Some(Lang::Es)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.5, pt;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("*"), None);
        assert_eq!(Lang::from_accept_language("fr;q=banana"), None);
        assert_eq!(Lang::from_accept_language("fr;q=1.5, es"), Some(Lang::Es));
    }

    #[test]
    fn the_choice_beats_the_browser_which_beats_the_organization() {
        assert_eq!(
            Lang::negotiate(Some("es"), Some("fr"), Some("de_DE")),
            Lang::Es
        );
        assert_eq!(
            Lang::negotiate(None, Some("fr-CA"), Some("de_DE")),
            Lang::Fr
        );
        assert_eq!(
            Lang::negotiate(Some("xx"), Some("nl"), Some("fr_CA")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, None, None), Lang::En);
        assert_eq!(Lang::requested(None, Some("nl")), None);
        assert_eq!(Lang::requested(Some("xx"), Some("en-GB")), Some(Lang::En));
    }
}
