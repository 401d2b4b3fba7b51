//! The portal's pages as a screen-reader or keyboard user meets them: a refused passphrase says
//! "Error" in the title, puts focus on the field described by a sentence-case message; each
//! member page has its own title; "Too many requests" offers a way back.

use bus::commands::Command;
use integration_tests::Stack;
use integration_tests::agent::{Agent, Page};
use integration_tests::stack::{DEMO_ORG, gastown};

const GASTOWN: &str = "3390";
const JEAN: &str = "12346";
const RICHARD: &str = "12347";
const SOFIA: &str = "12351"; // an admin

fn title(page: &Page) -> String {
    page.body
        .split("<title>")
        .nth(1)
        .and_then(|rest| rest.split("</title>").next())
        .unwrap_or_default()
        .to_owned()
}

async fn stack_with_gastown() -> anyhow::Result<Stack> {
    let stack = Stack::start_installed().await?;
    stack.map_location(DEMO_ORG, GASTOWN, gastown()).await?;
    Ok(stack)
}

async fn signed_in(stack: &Stack, user: &str, canvas: &str) -> anyhow::Result<Agent> {
    let token = stack
        .sim
        .sim
        .personal_token(DEMO_ORG, user)
        .ok_or_else(|| anyhow::anyhow!("no user {user}"))?;
    let mut agent = Agent::new(&stack.portal_url);
    let page = agent.canvas_sign_in(canvas, &token).await?;
    anyhow::ensure!(page.status == 303, "{page:?}");
    Ok(agent)
}

/// Jean signed in through the mobile canvas at Gastown.
async fn jean_on_the_mobile_canvas(stack: &Stack) -> anyhow::Result<Agent> {
    signed_in(
        stack,
        JEAN,
        &format!("/canvas/mobile?location_id={GASTOWN}"),
    )
    .await
}

#[tokio::test]
async fn a_refused_passphrase_says_error_in_the_title_and_focuses_the_described_field()
-> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut agent = jean_on_the_mobile_canvas(&stack).await?;
    let key = agent.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200, "{key:?}");
    assert_eq!(title(&key), "Your WiFi · WiFi");
    let csrf = key.csrf();
    let refused = agent
        .post(
            "/wifi/passphrase",
            &[("csrf", csrf.as_str()), ("passphrase", "abcd1234")],
        )
        .await?;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(
        title(&refused).starts_with("Error: "),
        "{}",
        title(&refused)
    );
    let message = refused
        .body
        .split("id=\"passphrase-error\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|text| text.split('<').next())
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(
        message.chars().next().is_some_and(char::is_uppercase),
        "the message is a sentence: {message:?}"
    );
    let field = refused
        .body
        .split("<input type=\"text\" id=\"new-passphrase\"")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_default()
        .to_owned();
    assert!(
        field.contains("autofocus"),
        "focus goes to the field: {field}"
    );
    assert!(
        field.contains("aria-describedby=\"passphrase-error\""),
        "{field}"
    );
    assert!(field.contains("aria-invalid=\"true\""), "{field}");
    Ok(())
}

#[tokio::test]
async fn each_member_page_has_its_own_title() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut admin = signed_in(&stack, SOFIA, "/canvas/admin").await?;
    let jean = admin.get(&format!("/canvas/admin/members/{JEAN}")).await?;
    let richard = admin
        .get(&format!("/canvas/admin/members/{RICHARD}"))
        .await?;
    assert_eq!((jean.status, richard.status), (200, 200));
    assert_ne!(title(&jean), title(&richard));
    assert!(title(&jean).contains("Jean"), "{}", title(&jean));
    Ok(())
}

#[tokio::test]
async fn too_many_requests_offers_a_way_back() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut agent = jean_on_the_mobile_canvas(&stack).await?;
    let csrf = agent.get("/wifi?start=1").await?.csrf();
    let answers = agent
        .change_passphrase_until_limited(&csrf, "attempt", 40)
        .await?;
    let page = answers
        .into_iter()
        .find(|page| page.status == 429)
        .expect("the passphrase limit answers 429 within 40 changes");
    assert!(
        title(&page).starts_with("Too many requests"),
        "{}",
        title(&page)
    );
    assert!(
        page.body
            .contains("<a class=\"button\" href=\"/wifi\">Back to your WiFi</a>"),
        "{}",
        page.body
    );
    Ok(())
}

/// Every page a tenant or an admin meets, at phone width (where wide tables scroll), passes
/// axe-core's WCAG 2.1 A and AA rules.
#[tokio::test]
async fn every_page_passes_axe_core_wcag_2_1_aa_at_phone_width() -> anyhow::Result<()> {
    use fantoccini::Locator;
    use integration_tests::axe;
    use integration_tests::browser::Browser;

    let stack = stack_with_gastown().await?;
    // Something in every admin table: a notification (a new, unmapped location a tenant tried).
    let unmapped = stack.add_optix_location("Alfama", "Europe/Lisbon").await?;
    let report = Command::ReportUnmappedLocation {
        location_id: unmapped,
        user_id: None,
    };
    stack.command_done(DEMO_ORG, report).await?;
    // …an access point, and a device of Jean's (the key page's and his admin page's lists).
    let nas = Command::RegisterNas {
        nas_id: "lobby".into(),
        location_id: GASTOWN.into(),
        name: "Lobby".into(),
        address: "10.60.0.0/24".into(),
        dialect: domain::NasDialect::Cisco,
        ssids: vec!["gastown-members".into()],
        coa_port: None,
        secret: Some(bus::commands::NasSecretText(
            "accessibility-secret-1".into(),
        )),
    };
    stack.command_done(DEMO_ORG, nas).await?;
    let device = Command::AddDevice {
        user_id: JEAN.into(),
        mac: "02:00:00:00:0a:11".into(),
        name: "Jean's phone".into(),
    };
    stack.command_done(DEMO_ORG, device).await?;
    // …and that device online at Gastown, for the sessions page's table.
    integration_tests::nas::online_session(
        &stack.pool,
        DEMO_ORG,
        GASTOWN,
        Some(JEAN),
        "020000000a11",
    )
    .await?;

    let browser = Browser::start().await?;
    browser.client.set_window_size(390, 844).await?;
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut check = async |page: &str| -> anyhow::Result<()> {
        checked += 1;
        let found = axe::violations(&browser).await?;
        if !found.is_empty() {
            failures.push(format!("{page}:\n  {}", found.join("\n  ")));
        }
        Ok(())
    };

    let portal = &stack.portal_url;
    let token = stack.personal_token(DEMO_ORG, JEAN)?;
    for (path, heading, page) in [
        (
            format!("/l/{DEMO_ORG}/{GASTOWN}"),
            "WiFi at",
            "the sign-in form",
        ),
        (
            format!("/l/{DEMO_ORG}/{GASTOWN}/signin#token=not-a-token"),
            "not valid",
            "an invalid sign-in link",
        ),
        (
            format!("/canvas/mobile?location_id={GASTOWN}#token={token}"),
            "Your WiFi",
            "the key page",
        ),
    ] {
        browser.goto(&format!("{portal}{path}")).await?;
        browser.wait_for_heading(heading).await?;
        check(page).await?;
    }
    browser.click("#reveal summary").await?;
    browser.wait_for("svg.qr").await?;
    check("the key page, revealed").await?;
    let field = browser.client.find(Locator::Id("new-passphrase")).await?;
    field.send_keys("short").await?;
    browser
        .click_and_wait("form[action='/wifi/passphrase'] button")
        .await?;
    browser.wait_for("#passphrase-error").await?;
    check("a refused passphrase").await?;
    browser.type_into("device-name", "Tablet").await?;
    browser.type_into("device-mac", "not-a-mac").await?;
    browser
        .click_and_wait("form[action='/wifi/devices'] button")
        .await?;
    browser.wait_for("#device-error").await?;
    browser.click("#mac-help summary").await?;
    check("a refused device, with the help open").await?;
    // The key page in French, reached with the language switch (issue 21).
    browser
        .click_and_wait("form.languages button[value='fr']")
        .await?;
    browser.wait_for_heading("Votre WiFi").await?;
    browser.click("#reveal summary").await?;
    browser.wait_for("svg.qr").await?;
    check("the key page in French, revealed").await?;
    // Back to English: the admin pages below are checked in English first.
    browser
        .click_and_wait("form.languages button[value='en']")
        .await?;
    browser.wait_for_heading("Your WiFi").await?;

    let token = stack.personal_token(DEMO_ORG, SOFIA)?;
    browser
        .goto(&format!("{portal}/canvas/admin#token={token}"))
        .await?;
    browser.wait_for_heading("Overview").await?;
    check("the admin overview").await?;
    for (path, heading) in [
        ("/canvas/admin/connection", "Connection"),
        ("/canvas/admin/locations", "Locations"),
        ("/canvas/admin/nas", "Access points"),
        ("/canvas/admin/plans", "Plans"),
        ("/canvas/admin/controllers", "WiFi controllers"),
        ("/canvas/admin/members", "Members"),
        ("/canvas/admin/members/12346", "Jean"),
        ("/canvas/admin/sessions", "Sessions"),
        ("/canvas/admin/emails/sent", "Emails to members"),
        // Last: the refused wording below is typed into this page.
        ("/canvas/admin/emails", "Emails to tenants"),
    ] {
        browser.goto(&format!("{portal}{path}")).await?;
        browser.wait_for_heading(heading).await?;
        check(path).await?;
    }
    // The emails page with a refused wording: the reason above the form, the text as typed.
    browser.type_into("wording-fr", "broken = {").await?;
    browser
        .click_and_wait("form[action='/canvas/admin/emails'] button[type=submit]")
        .await?;
    browser.wait_for(".notice.error").await?;
    check("the emails page, with a refused wording").await?;
    // An admin page in another language, chosen with the page's language switch.
    browser
        .goto(&format!("{portal}/canvas/admin/plans"))
        .await?;
    browser.wait_for_heading("Plans").await?;
    browser
        .click_and_wait("form.languages button[value='fr']")
        .await?;
    browser
        .wait_for_heading("Forfaits et profils d'accès")
        .await?;
    check("/canvas/admin/plans in French").await?;
    browser.close().await?;
    assert_eq!(checked, 20, "every page was checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}
