//! The portal in the tenant's language (issue 21): the browser's `Accept-Language`, then the
//! organization's Optix `locale`, and the switch on every page, remembered in a cookie and
//! recorded for a signed-in tenant (`LanguageChosen`, what their emails follow). Chromium
//! screenshots of the key page in each language go to `target/screenshots/key-<lang>.png`.

use fantoccini::Locator;
use fantoccini::key::Key;
use integration_tests::Stack;
use integration_tests::agent::{Agent, Page, hidden};
use integration_tests::browser::{Browser, screenshot_dir};
use integration_tests::eventually;
use integration_tests::mail::Mailbox;
use integration_tests::stack::{DEMO_ORG, gastown};
use optix_sim::{Change, Notify};
use std::time::Duration;

const GASTOWN: &str = "3390";
const JEAN: &str = "12346";

async fn stack_with_gastown() -> anyhow::Result<Stack> {
    let stack = Stack::start_installed().await?;
    stack.map_location(DEMO_ORG, GASTOWN, gastown()).await?;
    Ok(stack)
}

/// The `lang` of the page's `<html>` element.
fn html_lang(page: &Page) -> String {
    page.body
        .split("<html lang=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// Jean signed in through the mobile canvas at Gastown (the member's canvas).
async fn jean_signed_in(stack: &Stack, agent: &mut Agent) -> anyhow::Result<()> {
    let token = stack.personal_token(DEMO_ORG, JEAN)?;
    let page = agent
        .canvas_sign_in(&format!("/canvas/mobile?location_id={GASTOWN}"), &token)
        .await?;
    anyhow::ensure!(page.status == 303, "{page:?}");
    Ok(())
}

/// The language the projection holds for a member (what their emails follow).
async fn member_language(stack: &Stack, user: &str) -> anyhow::Result<Option<String>> {
    let client = stack.pool.get().await?;
    Ok(store::read_models::languages::member_language(&client, DEMO_ORG, user).await?)
}

async fn organization_locale(stack: &Stack) -> anyhow::Result<Option<String>> {
    let client = stack.pool.get().await?;
    Ok(store::read_models::languages::organization_locale(&client, DEMO_ORG).await?)
}

#[tokio::test]
async fn a_french_browser_gets_french_pages() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut agent = Agent::new(&stack.portal_url);
    agent
        .headers
        .push(("accept-language".into(), "fr-FR,fr;q=0.9,en;q=0.5".into()));
    let form = agent.get(&format!("/l/{DEMO_ORG}/{GASTOWN}")).await?;
    assert_eq!(form.status, 200, "{form:?}");
    assert_eq!(html_lang(&form), "fr");
    assert!(form.body.contains("Adresse e-mail"), "{}", form.body);
    assert!(form.body.contains("Aller au contenu"), "{}", form.body);
    assert!(form.h1().starts_with("WiFi à "), "{}", form.h1());
    // The switch names every language in itself, the page's marked as current.
    assert!(form.body.contains("lang=\"es\""), "{}", form.body);
    assert!(
        form.body
            .contains("lang=\"fr\" class=\"language\" aria-current=\"true\">Français"),
        "{}",
        form.body
    );

    // The sign-in email is in the language of the page that asked for it.
    let email = "jean@example.com";
    let portal = format!("{}/l/{DEMO_ORG}/{GASTOWN}", stack.portal_url);
    let mailbox = Mailbox::from_env()?;
    let marker = format!("{portal}/signin#token=");
    let before = mailbox.present(email, &marker)?;
    let asked = agent.request_link(DEMO_ORG, GASTOWN, email).await?;
    assert_eq!(asked.status, 200, "{asked:?}");
    assert_eq!(asked.h1(), "Consultez votre messagerie");
    let mail = mailbox.wait_for_new(email, &marker, &before).await?;
    assert!(
        mail.subject.starts_with("Votre lien de connexion WiFi"),
        "{}",
        mail.subject
    );

    jean_signed_in(&stack, &mut agent).await?;
    let key = agent.get("/wifi").await?;
    assert_eq!(key.status, 200, "{key:?}");
    assert_eq!(html_lang(&key), "fr");
    assert_eq!(key.h1(), "Votre WiFi");
    for text in [
        "Nom du réseau",
        "Changer votre mot de passe",
        "Vos appareils",
    ] {
        assert!(key.body.contains(text), "{text} missing from the key page");
    }
    // The validity reads in French too (no end, or a French date).
    let valid = key
        .body
        .split("id=\"valid-until\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default();
    assert!(
        valid.starts_with("Sans date de fin") || valid.starts_with("Jusqu"),
        "validity in French: {valid}"
    );
    Ok(())
}

#[tokio::test]
async fn an_organization_in_fr_ca_gets_french_when_the_browser_says_nothing() -> anyhow::Result<()>
{
    let stack = stack_with_gastown().await?;
    // The initial sync read Optix's default locale for the organization.
    eventually(
        "the organization's locale from the initial sync",
        Duration::from_secs(20),
        || async { Ok(organization_locale(&stack).await?.filter(|l| l == "en_US")) },
    )
    .await?;
    let set = Change::SetLocale {
        locale: "fr_CA".into(),
    };
    stack.sim.sim.apply(DEMO_ORG, set, Notify::Quietly).await?;
    stack.request_sync(DEMO_ORG);
    eventually(
        "the organization's new locale after a sync",
        Duration::from_secs(30),
        || async { Ok(organization_locale(&stack).await?.filter(|l| l == "fr_CA")) },
    )
    .await?;

    let mut silent = Agent::new(&stack.portal_url);
    let form = silent.get(&format!("/l/{DEMO_ORG}/{GASTOWN}")).await?;
    assert_eq!(form.status, 200, "{form:?}");
    assert_eq!(html_lang(&form), "fr");
    assert!(form.body.contains("Adresse e-mail"), "{}", form.body);
    // The browser's own language comes before the organization's.
    let mut german = Agent::new(&stack.portal_url);
    german.headers.push(("accept-language".into(), "de".into()));
    let form = german.get(&format!("/l/{DEMO_ORG}/{GASTOWN}")).await?;
    assert_eq!(html_lang(&form), "de");
    assert!(form.body.contains("E-Mail-Adresse"), "{}", form.body);
    Ok(())
}

#[tokio::test]
async fn the_switch_to_spanish_is_remembered_across_pages_and_recorded() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut agent = Agent::new(&stack.portal_url);
    agent.headers.push(("accept-language".into(), "en".into()));
    jean_signed_in(&stack, &mut agent).await?;
    let key = agent.get("/wifi").await?;
    assert_eq!(html_lang(&key), "en");
    let switch = key
        .body
        .split("<form class=\"languages\"")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let csrf = hidden(&switch, "csrf").unwrap_or_default();
    assert_eq!(hidden(&switch, "back").as_deref(), Some("/wifi"));
    let chosen = agent
        .post(
            "/language",
            &[("csrf", csrf.as_str()), ("back", "/wifi"), ("lang", "es")],
        )
        .await?;
    assert_eq!(chosen.status, 303, "{chosen:?}");
    assert_eq!(chosen.location.as_deref(), Some("/wifi"));
    let cookie = chosen
        .set_cookies
        .iter()
        .find(|c| c.starts_with("lanyard_lang="))
        .expect("the language cookie");
    assert!(cookie.starts_with("lanyard_lang=es;"), "{cookie}");
    assert!(cookie.contains("Max-Age=31536000"), "a year: {cookie}");
    // The member's canvas runs inside Optix: its cookies are partitioned third-party ones.
    assert!(cookie.contains("SameSite=None; Partitioned"), "{cookie}");

    let key = agent.get("/wifi").await?;
    assert_eq!(html_lang(&key), "es");
    assert_eq!(key.h1(), "Su WiFi");
    let home = agent.get("/").await?;
    assert_eq!(html_lang(&home), "es");
    assert!(home.body.contains("Portal Lanyard"), "{}", home.body);
    let language = eventually(
        "Jean's recorded language",
        Duration::from_secs(10),
        || async { member_language(&stack, JEAN).await },
    )
    .await?;
    assert_eq!(language, "es");
    Ok(())
}

#[tokio::test]
async fn a_bad_or_foreign_language_switch_is_refused_with_a_reason() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut agent = Agent::new(&stack.portal_url);
    let unknown = agent
        .post("/language", &[("back", "/"), ("lang", "tlh")])
        .await?;
    assert_eq!(unknown.status, 400, "{unknown:?}");
    assert!(
        unknown.body.contains("not written in this language"),
        "{}",
        unknown.body
    );
    for back in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let elsewhere = agent
            .post("/language", &[("back", back), ("lang", "fr")])
            .await?;
        assert_eq!(elsewhere.status, 400, "{back}: {elsewhere:?}");
        assert!(elsewhere.set_cookies.is_empty(), "{back}");
    }
    agent
        .headers
        .push(("origin".into(), "https://evil.example".into()));
    let foreign = agent
        .post("/language", &[("back", "/"), ("lang", "fr")])
        .await?;
    assert_eq!(foreign.status, 403, "{foreign:?}");
    assert!(foreign.set_cookies.is_empty());

    // Signed in, the switch carries the session's CSRF token: a forged one changes nothing.
    let mut jean = Agent::new(&stack.portal_url);
    jean_signed_in(&stack, &mut jean).await?;
    let forged = jean
        .post(
            "/language",
            &[("csrf", "forged"), ("back", "/wifi"), ("lang", "it")],
        )
        .await?;
    assert_eq!(forged.status, 403, "{forged:?}");
    assert!(forged.set_cookies.is_empty());
    assert_eq!(member_language(&stack, JEAN).await?, None);
    Ok(())
}

#[tokio::test]
async fn the_key_page_in_each_language_in_chromium() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let browser = Browser::start().await?;
    browser.client.set_window_size(390, 1400).await?;
    let token = stack.personal_token(DEMO_ORG, JEAN)?;
    browser
        .goto(&format!(
            "{}/canvas/mobile?location_id={GASTOWN}#token={token}",
            stack.portal_url
        ))
        .await?;
    browser.wait_for_heading("Your WiFi").await?;
    let mut english = Vec::new();
    for (code, heading) in [
        ("en", "Your WiFi"),
        ("fr", "Votre WiFi"),
        ("es", "Su WiFi"),
        ("de", "Ihr WLAN"),
        ("pt", "O seu WiFi"),
        ("it", "Il tuo WiFi"),
    ] {
        let button = format!("form.languages button[value='{code}']");
        if code == "pt" {
            // The switch works from the keyboard: focus the button, press Enter.
            let element = browser.wait_for(&button).await?;
            element.send_keys(&Key::Enter.to_string()).await?;
        } else {
            browser.click_and_wait(&button).await?;
        }
        let h1 = browser.wait_for_heading(heading).await?;
        assert_eq!(h1, heading);
        let lang = browser
            .client
            .find(Locator::Css("html"))
            .await?
            .attr("lang")
            .await?;
        assert_eq!(lang.as_deref(), Some(code));
        let path = browser.screenshot(&format!("key-{code}")).await?;
        assert_eq!(path, screenshot_dir().join(format!("key-{code}.png")));
        let png = std::fs::read(&path)?;
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 1000,
            "{}",
            path.display()
        );
        if code == "en" {
            english = png;
        } else {
            assert_ne!(png, english, "{code} looks like English");
        }
    }
    browser.close().await?;
    let language = eventually(
        "Jean's last choice recorded",
        Duration::from_secs(10),
        || async { Ok(member_language(&stack, JEAN).await?.filter(|l| l == "it")) },
    )
    .await?;
    assert_eq!(language, "it");
    Ok(())
}
