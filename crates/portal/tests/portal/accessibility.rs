//! What the stylesheet and the templates promise for keyboard and low-vision users, checked on
//! the files themselves: a focus ring of at least 3:1 wherever it can land, scrollable tables
//! reachable and named, and a reveal that reads as a button and says what it will do.

use std::path::Path;

const CSS: &str = include_str!("../../assets/portal.css");

fn templates() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut all: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("templates directory")
        .filter_map(Result::ok)
        // The pages' templates; `mail/` holds the emails' (styled inline, no keyboard).
        .filter(|entry| entry.path().is_file())
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(entry.path()).expect("template text");
            (name, text)
        })
        .collect();
    all.sort();
    all
}

/// The value of a custom property in `:root`, e.g. `--bg` → `#ffffff`.
fn property(name: &str) -> String {
    let start = CSS
        .find(&format!("{name}:"))
        .unwrap_or_else(|| panic!("{name} is defined"));
    CSS[start + name.len() + 1..]
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// WCAG 2.1 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    assert_eq!(hex.len(), 6, "a #rrggbb colour: {hex}");
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn the_focus_ring_stands_out_3_to_1_on_every_background_it_meets() {
    let rule = CSS
        .lines()
        .find(|l| l.starts_with(":focus-visible"))
        .expect("a :focus-visible rule");
    let colour = match rule.split("solid").nth(1).map(|c| c.trim()) {
        Some(c) if c.starts_with("var(--focus)") => property("--focus"),
        Some(c) => c.chars().take(7).collect(),
        None => panic!("the ring is a solid outline: {rule}"),
    };
    for background in ["--bg", "--panel", "--ok-bg", "--err-bg"] {
        let ratio = contrast(&colour, &property(background));
        assert!(
            ratio >= 3.0,
            "focus ring {colour} on {background} is {ratio:.1}:1, under 3:1"
        );
    }
}

#[test]
fn every_scrollable_table_is_reachable_by_keyboard_and_named() {
    let mut wraps = 0;
    for (name, text) in templates() {
        for (at, _) in text.match_indices("class=\"table-wrap\"") {
            wraps += 1;
            let tag_start = text[..at].rfind('<').expect("inside a tag");
            let tag_end = at + text[at..].find('>').expect("tag end");
            let tag = &text[tag_start..tag_end];
            assert!(
                tag.contains("tabindex=\"0\""),
                "{name}: {tag} is not focusable"
            );
            assert!(
                tag.contains("role=\"region\""),
                "{name}: {tag} is no region"
            );
            assert!(
                tag.contains("aria-label=") || tag.contains("aria-labelledby="),
                "{name}: {tag} has no name"
            );
        }
    }
    assert!(wraps >= 4, "the admin tables were found");
}

#[test]
fn the_reveal_reads_as_a_button_and_says_hide_when_open() {
    let (_, key) = templates()
        .into_iter()
        .find(|(name, _)| name == "key.html")
        .expect("key.html");
    let summary = key
        .split("<summary>")
        .nth(1)
        .and_then(|rest| rest.split("</summary>").next())
        .expect("a summary");
    // The words are the catalogue's (`key-show`, `key-hide`), in the page's language.
    assert!(
        summary.contains("class=\"when-closed\">{{ t.get(\"key-show\") }}"),
        "{summary}"
    );
    assert!(
        summary.contains("class=\"when-open\">{{ t.get(\"key-hide\") }}"),
        "{summary}"
    );
    assert!(
        CSS.contains("details.reveal[open] .when-closed, details.reveal:not([open]) .when-open { display: none; }"),
        "only the words for the current state show"
    );
    let summary_rule = CSS
        .split("details.reveal summary {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("the summary's rule");
    assert!(
        summary_rule.contains("border:"),
        "drawn as a button, not a link"
    );
    assert!(!summary_rule.contains("text-decoration: underline"));
}
