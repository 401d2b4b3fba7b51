//! The portal end to end: headless Chromium (WebDriver) walking the tenant portal, the mobile
//! canvas and the admin canvas against the whole stack (PostgreSQL, NATS, provision, optix-sim,
//! the SMTP sink), and HTTP-level security checks (links, sessions, CSRF, rate limits,
//! organizations kept apart, nothing secret in logs or metrics).
//!
//! Needs what `make test` provides: DATABASE_URL, NATS_SERVER_BIN, SMTP_URL + MAILDIR (the
//! SMTP sink), chromium and chromedriver. A missing one fails the test.

use bus::commands::{Command, Reply};
use domain::{LocationSettings, VlanRange};
use fantoccini::Locator;
use integration_tests::agent::Agent;
use integration_tests::browser::Browser;
use integration_tests::mail::Mailbox;
use integration_tests::stack::{DEMO_ORG, location_settings};
use integration_tests::{Stack, eventually};
use std::time::Duration;

/// Demo users (deploy/demo/optix-demo.json).
const JEAN: &str = "12346"; // Hot Desk plan, all locations
const RICHARD: &str = "12347"; // Dedicated Desk at 3390, The Cube Team
const MEI: &str = "12350"; // no plan, no booking
const SOFIA: &str = "12351"; // admin
const GASTOWN: &str = "3390";
const TRASTEVERE: &str = "3391";

/// Second organization for isolation tests: a copy of the demo one with its own token, and a
/// user only it has.
const OTHER_ORG: &str = "7001";
const OTHER_ONLY_USER: &str = "79999";

fn mailbox() -> Mailbox {
    Mailbox::from_env().unwrap_or_else(|e| panic!("{e:#}"))
}

/// The demo organization installed and provisioned, with Gastown mapped.
async fn demo_stack() -> anyhow::Result<Stack> {
    let _ = mailbox();
    let stack = Stack::start().await?;
    anyhow::ensure!(
        stack.mailbox.is_some(),
        "the stack's portal has no SMTP sink"
    );
    stack.sim.sim.deliver_demo().await?;
    stack.wait_until_provisioned().await?;
    map_location(
        &stack,
        DEMO_ORG,
        GASTOWN,
        "gastown-members",
        "America/Vancouver",
    )
    .await?;
    Ok(stack)
}

async fn map_location(
    stack: &Stack,
    org: &str,
    location: &str,
    network: &str,
    tz: &str,
) -> anyhow::Result<()> {
    let settings = LocationSettings {
        vlan_pool: Some(VlanRange {
            first: 100,
            last: 199,
        }),
        ..location_settings(&format!("Location {location}"), network, tz)
    };
    stack.map_location(org, location, settings).await
}

/// A second organization in the simulator (a copy of the demo one plus a user of its own),
/// installed, with Gastown's twin mapped.
async fn add_other_org(stack: &Stack) -> anyhow::Result<()> {
    let other_org = [
        OTHER_ORG,
        "Other Coworking",
        "other7001a1b2c3d4e5f6a7b8c9d0e1f2a3o",
    ];
    stack.add_demo_org_copy(other_org, |other| {
        let mut only = other.users[0].clone();
        only.user_id = OTHER_ONLY_USER.into();
        only.email = "only-other@example.com".into();
        let mut plan = other.account_plans[0].clone();
        plan.account_plan_id = "79991".into();
        plan.user_id = OTHER_ONLY_USER.into();
        other.users.push(only);
        other.account_plans.push(plan);
    });
    anyhow::ensure!(stack.sim.sim.install_app(OTHER_ORG).await? == 200);
    stack.wait_until_provisioned().await?;
    // The initial sync imports its members.
    eventually(
        "the other organization's members",
        Duration::from_secs(20),
        || async {
            let client = stack.pool.get().await?;
            Ok(store::queries::member(&client, OTHER_ORG, OTHER_ONLY_USER)
                .await?
                .filter(|m| m.passphrase.is_some()))
        },
    )
    .await?;
    map_location(
        stack,
        OTHER_ORG,
        GASTOWN,
        "other-members",
        "America/Vancouver",
    )
    .await
}

fn personal_token(stack: &Stack, org: &str, user: &str) -> String {
    stack
        .sim
        .sim
        .personal_token(org, user)
        .unwrap_or_else(|| panic!("no user {user} in {org}"))
}

/// The member's current passphrase, opened with their key (what the key page must show).
async fn passphrase_of(stack: &Stack, org: &str, user: &str) -> anyhow::Result<String> {
    let client = stack.pool.get().await?;
    let member = store::queries::member(&client, org, user)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no member {org}/{user}"))?;
    let sealed = member
        .passphrase
        .ok_or_else(|| anyhow::anyhow!("no passphrase"))?;
    let aad = format!("member-{org}-{user}");
    let wrapped = store::queries::member_key(&client, org, user)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no key"))?;
    let key = stack.keys.unwrap_member_key(&wrapped, &aad)?;
    Ok(String::from_utf8(key.open(&sealed, &aad)?)?)
}

// ── HTTP without a browser ─────────────────────────────────────────────────────────────────

/// Requests a link for `email` at `org`/`location` and returns the link from the email.
async fn emailed_link(
    stack: &Stack,
    agent: &mut Agent,
    org: &str,
    location: &str,
    email: &str,
) -> anyhow::Result<String> {
    let answer = agent.request_link(org, location, email).await?;
    anyhow::ensure!(answer.status == 200, "{answer:?}");
    let mail = mailbox()
        .wait_for(
            email,
            &format!("{}/l/{org}/{location}/signin", stack.portal_url),
        )
        .await?;
    mail.link(&stack.portal_url)
        .ok_or_else(|| anyhow::anyhow!("no link in {:?}", mail.body))
}

async fn metrics(stack: &Stack) -> anyhow::Result<String> {
    Ok(reqwest::get(format!("{}/metrics", stack.portal_ops_url))
        .await?
        .text()
        .await?)
}

fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    telemetry::metrics::sample(text, name, labels).unwrap_or(0.0)
}

// ── Browser flows ──────────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_tenant_signs_in_by_email_sees_the_key_and_changes_the_passphrase_in_chromium()
-> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let browser = Browser::start().await?;
    let portal = format!("{}/l/{DEMO_ORG}/{GASTOWN}", stack.portal_url);

    browser.goto(&portal).await?;
    browser.wait_for_heading("WiFi at Location 3390").await?;
    let lang = browser
        .client
        .find(Locator::Css("html"))
        .await?
        .attr("lang")
        .await?;
    assert_eq!(lang.as_deref(), Some("en"));
    browser.screenshot("portal-01-email-form").await?;
    let email = "jean@example.com";
    let marker = format!("{portal}/signin#token=");
    let before = mailbox().present(email, &marker)?;
    browser.type_into("email", email).await?;
    browser.click_and_wait("form button[type=submit]").await?;
    browser.wait_for_heading("Check your email").await?;
    browser.screenshot("portal-02-check-email").await?;

    let mail = mailbox().wait_for_new(email, &marker, &before).await?;
    assert!(mail.subject.contains("sign-in link"), "{}", mail.subject);
    let link = mail.link(&stack.portal_url).expect("link in the email");

    browser.goto(&link).await?;
    browser.wait_for_heading("Your WiFi").await?;
    let url = browser.current_url().await?;
    assert_eq!(url.path(), "/wifi", "{url}");
    assert!(
        url.fragment().is_none() && !url.as_str().contains("token"),
        "the token left the address bar: {url}"
    );
    // The session cookie is HttpOnly and Secure, and Chromium keeps it on http://127.0.0.1
    // (a potentially trustworthy origin).
    let cookies = browser.client.get_all_cookies().await?;
    let session = cookies
        .iter()
        .find(|c| c.name() == "lanyard_session")
        .expect("session cookie");
    assert_eq!(session.http_only(), Some(true));
    assert_eq!(session.secure(), Some(true));

    assert_eq!(browser.text_of("ssid").await?, "gastown-members");
    let valid = browser.text_of("valid-until").await?;
    assert!(valid.contains("No end date"), "{valid}");
    // Hidden until revealed.
    let psk = browser.client.find(Locator::Id("psk")).await?;
    assert!(
        !psk.is_displayed().await?,
        "the passphrase shows before reveal"
    );
    browser.screenshot("portal-03-key").await?;
    browser.click("#reveal summary").await?;
    let shown = browser.text_of("psk").await?;
    assert_eq!(shown, passphrase_of(&stack, DEMO_ORG, JEAN).await?);
    browser.wait_for("svg.qr").await?;
    browser.screenshot("portal-04-revealed").await?;

    // A too-short passphrase: provision's refusal, shown as it said it.
    let field = browser.client.find(Locator::Id("new-passphrase")).await?;
    field.send_keys("short").await?;
    browser
        .click_and_wait("form[action='/wifi/passphrase'] button")
        .await?;
    let error = browser.wait_for("#passphrase-error").await?.text().await?;
    assert!(error.contains("at least 8"), "{error}");
    browser.screenshot("portal-05-refused").await?;

    let chosen = "harbour-lantern-violin-42";
    let field = browser.client.find(Locator::Id("new-passphrase")).await?;
    field.clear().await?;
    field.send_keys(chosen).await?;
    browser
        .click_and_wait("form[action='/wifi/passphrase'] button")
        .await?;
    let notice = browser.wait_for("p.notice.ok").await?.text().await?;
    assert!(notice.contains("new passphrase is set"), "{notice}");
    browser.click("#reveal summary").await?;
    assert_eq!(browser.text_of("psk").await?, chosen);
    assert_eq!(passphrase_of(&stack, DEMO_ORG, JEAN).await?, chosen);
    browser.screenshot("portal-06-changed").await?;

    // A generated one replaces it.
    browser
        .click_and_wait("form[action='/wifi/regenerate'] button")
        .await?;
    let notice = browser.wait_for("p.notice.ok").await?.text().await?;
    assert!(notice.contains("generated"), "{notice}");
    assert_ne!(passphrase_of(&stack, DEMO_ORG, JEAN).await?, chosen);
    browser.close().await
}

#[tokio::test]
async fn the_mobile_canvas_signs_in_with_a_personal_token_and_shows_the_key_in_chromium()
-> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let browser = Browser::start().await?;
    let token = personal_token(&stack, DEMO_ORG, RICHARD);
    browser
        .goto(&format!(
            "{}/canvas/mobile?location_id={GASTOWN}#token={token}",
            stack.portal_url
        ))
        .await?;
    browser.wait_for_heading("Your WiFi").await?;
    let url = browser.current_url().await?;
    assert!(
        !url.as_str().contains(&token) && url.fragment().is_none(),
        "{url}"
    );
    let group = browser.text_of("group").await?;
    assert_eq!(group, "The Cube Team");
    browser.click("#reveal summary").await?;
    assert_eq!(
        browser.text_of("psk").await?,
        passphrase_of(&stack, DEMO_ORG, RICHARD).await?
    );
    browser.screenshot("canvas-mobile-01-key").await?;
    // A live account is shown as it is: no onboarding command, no Optix call.
    let text = metrics(&stack).await?;
    assert_eq!(
        sample(
            &text,
            "lanyard_portal_commands_total",
            &[("command", "onboard")]
        ),
        0.0,
        "{text}"
    );

    // A member without plan or booking gets a page saying so, and what to do.
    let token = personal_token(&stack, DEMO_ORG, MEI);
    browser
        .goto(&format!(
            "{}/canvas/mobile?location_id={GASTOWN}#token={token}",
            stack.portal_url
        ))
        .await?;
    browser
        .wait_for_heading("No active plan or booking")
        .await?;
    browser.screenshot("canvas-mobile-02-no-access").await?;

    // From a location nobody mapped: a clear page, and the admins get told.
    let token = personal_token(&stack, DEMO_ORG, MEI);
    browser
        .goto(&format!(
            "{}/canvas/mobile?location_id={TRASTEVERE}#token={token}",
            stack.portal_url
        ))
        .await?;
    browser.wait_for_heading("not set up").await?;
    browser.screenshot("canvas-mobile-03-unmapped").await?;
    // Someone with an account opening WiFi at the unmapped location still sees their key
    // (one account, bound where it was opened).
    let token = personal_token(&stack, DEMO_ORG, RICHARD);
    browser
        .goto(&format!(
            "{}/canvas/mobile?location_id={TRASTEVERE}#token={token}",
            stack.portal_url
        ))
        .await?;
    browser.wait_for_heading("Your WiFi").await?;
    eventually(
        "a notification naming the unmapped Optix location",
        Duration::from_secs(10),
        || async {
            let client = stack.pool.get().await?;
            let notes = store::queries::notifications(&client, DEMO_ORG, 20).await?;
            Ok(notes.into_iter().find(|n| n.subject == TRASTEVERE))
        },
    )
    .await?;
    // Optix without the fragment macro puts the token in the query: the page's script posts
    // it (the GET alone signs nobody in) and it leaves the address bar.
    let token = personal_token(&stack, DEMO_ORG, RICHARD);
    browser
        .goto(&format!(
            "{}/canvas/mobile?location_id={GASTOWN}&token={token}",
            stack.portal_url
        ))
        .await?;
    browser.wait_for_heading("Your WiFi").await?;
    let url = browser.current_url().await?;
    assert!(!url.as_str().contains(&token), "{url}");
    browser.close().await
}

#[tokio::test]
async fn the_admin_canvas_maps_a_location_and_a_plan_in_chromium() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let browser = Browser::start().await?;
    let token = personal_token(&stack, DEMO_ORG, SOFIA);
    browser
        .goto(&format!("{}/canvas/admin#token={token}", stack.portal_url))
        .await?;
    browser.wait_for_heading("Overview").await?;
    assert!(!browser.current_url().await?.as_str().contains(&token));
    browser.screenshot("admin-01-home").await?;

    // Map Trastevere (an Optix location of the admin's, unmapped so far).
    browser
        .click_and_wait("nav a[href='/canvas/admin/locations']")
        .await?;
    browser.wait_for_heading("Locations").await?;
    browser.wait_for("#network-3391").await?;
    browser.screenshot("admin-02-locations").await?;
    browser
        .type_into("network-3391", "trastevere-members")
        .await?;
    let tz = browser.client.find(Locator::Id("tz-3391")).await?;
    assert_eq!(tz.prop("value").await?.as_deref(), Some("Europe/Rome"));
    browser.type_into("first-3391", "300").await?;
    browser.type_into("last-3391", "349").await?;
    browser
        .click_and_wait("section[aria-labelledby='loc-3391'] form button[type=submit]")
        .await?;
    let notice = browser.wait_for("p.notice.ok").await?.text().await?;
    assert!(notice.contains("mapping is saved"), "{notice}");
    browser.screenshot("admin-03-location-mapped").await?;
    {
        let client = stack.pool.get().await?;
        let location = store::queries::location(&client, DEMO_ORG, TRASTEVERE)
            .await?
            .and_then(|l| l.settings)
            .expect("Trastevere mapped");
        assert_eq!(location.network_name, "trastevere-members");
        assert_eq!(location.timezone, "Europe/Rome");
        assert_eq!(
            location.vlan_pool,
            Some(VlanRange {
                first: 300,
                last: 349
            })
        );
    }

    // An invalid time zone: provision's refusal, word for word.
    let zone = browser.client.find(Locator::Id("tz-3391")).await?;
    zone.clear().await?;
    zone.send_keys("Mars/Olympus_Mons").await?;
    browser
        .click_and_wait("section[aria-labelledby='loc-3391'] form button[type=submit]")
        .await?;
    let refusal = browser.wait_for("p.notice.error").await?.text().await?;
    assert!(
        refusal.contains("Mars/Olympus_Mons") && refusal.contains("time zone"),
        "{refusal}"
    );

    // Give the Hot Desk plan (916) its own profile with a VLAN and a bandwidth limit.
    browser
        .click_and_wait("nav a[href='/canvas/admin/plans']")
        .await?;
    browser.wait_for_heading("Plans").await?;
    browser.wait_for("#vlan-plan-916").await?;
    browser.screenshot("admin-04-plans").await?;
    browser.type_into("vlan-plan-916", "120").await?;
    browser.type_into("down-plan-916", "50000").await?;
    browser
        .click_and_wait("section[aria-labelledby='plan-916'] form button[type=submit]")
        .await?;
    let notice = browser.wait_for("p.notice.ok").await?.text().await?;
    assert!(notice.contains("profile is saved"), "{notice}");
    browser.screenshot("admin-05-plan-mapped").await?;
    {
        let client = stack.pool.get().await?;
        let profiles = store::queries::plan_profiles(&client, DEMO_ORG).await?;
        let (_, profile) = profiles
            .iter()
            .find(|(id, _)| id == "916")
            .expect("plan 916 mapped");
        assert_eq!(profile.vlan, Some(120));
        assert_eq!(profile.bandwidth_down_kbps, Some(50000));
        assert!(profile.wifi);
    }

    // Members, and one member's history in plain words.
    browser
        .click_and_wait("nav a[href='/canvas/admin/members']")
        .await?;
    browser.wait_for_heading("Members").await?;
    let table = browser
        .client
        .find(Locator::Css("table"))
        .await?
        .text()
        .await?;
    assert!(
        table.contains("Jean Example") && table.contains("jean@example.com"),
        "{table}"
    );
    browser.screenshot("admin-06-members").await?;
    browser
        .click_and_wait(&format!("a[href='/canvas/admin/members/{JEAN}']"))
        .await?;
    browser.wait_for_heading("Jean Example").await?;
    let history = browser
        .client
        .find(Locator::Css("ol.history"))
        .await?
        .text()
        .await?;
    assert!(history.contains("account opened"), "{history}");
    assert!(history.contains("plan grant"), "{history}");
    browser.screenshot("admin-07-member-history").await?;
    browser.close().await
}

/// Every state a tenant can meet has its own page: screenshots of each.
#[tokio::test]
async fn every_state_page_in_chromium() -> anyhow::Result<()> {
    let mut stack = demo_stack().await?;
    let browser = Browser::start().await?;
    let base = stack.portal_url.clone();

    browser.goto(&format!("{base}/l/99999/1")).await?;
    browser.wait_for_heading("Unknown workspace").await?;
    browser.screenshot("state-01-unknown-organization").await?;

    browser
        .goto(&format!("{base}/l/{DEMO_ORG}/{TRASTEVERE}"))
        .await?;
    browser.wait_for_heading("not set up").await?;
    browser.screenshot("state-02-location-not-set-up").await?;

    browser.goto(&format!("{base}/wifi")).await?;
    browser.wait_for_heading("not signed in").await?;
    browser.screenshot("state-03-signed-out").await?;

    // A link someone already used (here: another browser).
    let mut other = Agent::new(&base);
    let link = emailed_link(&stack, &mut other, DEMO_ORG, GASTOWN, "amara@example.com").await?;
    other.follow_link(&link).await?;
    browser.goto(&link).await?;
    browser.wait_for_heading("already used").await?;
    browser.screenshot("state-04-link-already-used").await?;

    // A link that expired.
    let mut third = Agent::new(&base);
    let link = emailed_link(&stack, &mut third, DEMO_ORG, GASTOWN, "luca@example.com").await?;
    stack
        .pool
        .get()
        .await?
        .execute(
            "UPDATE portal_magic_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
            &[],
        )
        .await?;
    // (Only the fragment differs from the page shown: without leaving it first, the browser
    // would just scroll.)
    browser.goto("about:blank").await?;
    browser.goto(&link).await?;
    browser.wait_for_heading("expired").await?;
    browser.screenshot("state-05-link-expired").await?;

    // Too many link requests for one address.
    for _ in 0..4 {
        browser
            .goto(&format!("{base}/l/{DEMO_ORG}/{GASTOWN}"))
            .await?;
        browser
            .wait_for("#email")
            .await?
            .send_keys("mei@example.com")
            .await?;
        browser.click_and_wait("form button[type=submit]").await?;
    }
    browser.wait_for_heading("Too many requests").await?;
    browser.screenshot("state-06-too-many-requests").await?;

    // A suspended account: Jean's only plan is cancelled.
    stack.sim.sim.cancel_plan(DEMO_ORG, "29191").await?;
    eventually("Jean suspended", Duration::from_secs(20), || async {
        let client = stack.pool.get().await?;
        Ok(store::queries::member(&client, DEMO_ORG, JEAN)
            .await?
            .filter(|m| m.status == "suspended"))
    })
    .await?;
    let token = personal_token(&stack, DEMO_ORG, JEAN);
    browser
        .goto(&format!(
            "{base}/canvas/mobile?location_id={GASTOWN}#token={token}"
        ))
        .await?;
    browser.wait_for_heading("paused").await?;
    browser.screenshot("state-07-suspended").await?;

    // Provision not answering, for someone without an account yet (a live account would be
    // shown from the projections without asking provision).
    stack.stop_provision().await?;
    let token = personal_token(&stack, DEMO_ORG, MEI);
    browser
        .goto(&format!(
            "{base}/canvas/mobile?location_id={GASTOWN}#token={token}"
        ))
        .await?;
    browser.wait_for_heading("temporarily unavailable").await?;
    browser.screenshot("state-08-provision-unavailable").await?;
    // Signed in without an account: the key page asks first (a GET never onboards), and the
    // button (a POST) says provision is still away.
    browser.goto(&format!("{base}/wifi")).await?;
    browser.wait_for_heading("Get your WiFi key").await?;
    browser.screenshot("state-08b-get-your-key").await?;
    browser
        .click_and_wait("form[action='/wifi/start'] button")
        .await?;
    browser.wait_for_heading("temporarily unavailable").await?;

    // A forged canvas token.
    browser
        .goto(&format!(
            "{base}/canvas/mobile?location_id={GASTOWN}#token=pt99999forgedp"
        ))
        .await?;
    browser.wait_for_heading("could not sign you in").await?;
    browser.screenshot("state-09-canvas-token-refused").await?;
    browser.close().await
}

// ── Security over HTTP ─────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_sign_in_link_works_once_and_not_after_it_expires() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let mut agent = Agent::new(&stack.portal_url);
    let link = emailed_link(&stack, &mut agent, DEMO_ORG, GASTOWN, "jean@example.com").await?;

    let signed_in = agent.follow_link(&link).await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    assert_eq!(signed_in.location.as_deref(), Some("/wifi"));
    let cookie = signed_in
        .set_cookies
        .iter()
        .find(|c| c.starts_with("lanyard_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let key = agent.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200, "{}", key.body);
    assert!(
        key.body
            .contains(&passphrase_of(&stack, DEMO_ORG, JEAN).await?)
    );

    // The same link again, even from another browser: already used.
    let mut other = Agent::new(&stack.portal_url);
    let again = other.follow_link(&link).await?;
    assert_eq!(again.status, 410);
    assert!(again.h1().contains("already used"), "{}", again.body);
    assert!(!other.cookies.contains_key("lanyard_session"));

    // Links are stored only as hashes.
    let token = link
        .split_once("#token=")
        .map(|(_, t)| t)
        .unwrap_or_default();
    let client = stack.pool.get().await?;
    let rows = client
        .query("SELECT token_hash FROM portal_magic_links", &[])
        .await?;
    assert!(!rows.is_empty());
    for row in rows {
        let hash: String = row.get(0);
        assert_ne!(hash, token);
    }
    let sessions = client
        .query("SELECT id_hash FROM portal_sessions", &[])
        .await?;
    let session_id = agent.cookies["lanyard_session"].clone();
    assert!(sessions.iter().all(|r| r.get::<_, String>(0) != session_id));

    // A fresh link that expired before use.
    let link = emailed_link(&stack, &mut other, DEMO_ORG, GASTOWN, "richard@example.com").await?;
    client
        .execute(
            "UPDATE portal_magic_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
            &[],
        )
        .await?;
    let expired = other.follow_link(&link).await?;
    assert_eq!(expired.status, 410);
    assert!(expired.h1().contains("expired"), "{}", expired.body);
    assert!(!other.cookies.contains_key("lanyard_session"));
    Ok(())
}

#[tokio::test]
async fn a_link_of_one_organization_does_not_sign_in_at_another() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    add_other_org(&stack).await?;
    let mut agent = Agent::new(&stack.portal_url);
    let link = emailed_link(&stack, &mut agent, DEMO_ORG, GASTOWN, "jean@example.com").await?;
    // The same token presented at the other organization's portal.
    let token = link
        .split_once("#token=")
        .map(|(_, t)| t)
        .unwrap_or_default();
    let forged = format!(
        "{}/l/{OTHER_ORG}/{GASTOWN}/signin#token={token}",
        stack.portal_url
    );
    let refused = agent.follow_link(&forged).await?;
    assert_eq!(refused.status, 404, "{refused:?}");
    assert!(refused.h1().contains("not valid"), "{}", refused.body);
    assert!(!agent.cookies.contains_key("lanyard_session"));
    // …and it still works where it belongs.
    let signed_in = agent.follow_link(&link).await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    Ok(())
}

#[tokio::test]
async fn tenants_and_admins_of_one_organization_never_see_another() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    add_other_org(&stack).await?;

    // A tenant of the demo organization, signed in from the app.
    let mut tenant = Agent::new(&stack.portal_url);
    let token = personal_token(&stack, DEMO_ORG, JEAN);
    let signed_in = tenant
        .canvas_sign_in(&format!("/canvas/mobile?location_id={GASTOWN}"), &token)
        .await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    let key = tenant.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200);
    assert!(key.body.contains("gastown-members"));
    // The other organization's portal: its own sign-in form, nothing of either tenant.
    let other = tenant.get(&format!("/l/{OTHER_ORG}/{GASTOWN}")).await?;
    assert_eq!(other.status, 200, "no redirect to the key page");
    assert!(other.body.contains("type=\"email\""));
    assert!(
        !other
            .body
            .contains(&passphrase_of(&stack, DEMO_ORG, JEAN).await?)
    );
    // A tenant session is no admin session.
    let admin_page = tenant.get("/canvas/admin/members").await?;
    assert_eq!(admin_page.status, 401);

    // The other organization's passphrase of the same Optix user id is never shown here.
    let other_passphrase = passphrase_of(&stack, OTHER_ORG, JEAN).await?;
    let key = tenant.get("/wifi").await?;
    assert!(!key.body.contains(&other_passphrase));
    assert!(!key.body.contains("other-members"));

    // An admin of the demo organization sees its members only.
    let mut admin = Agent::new(&stack.portal_url);
    let token = personal_token(&stack, DEMO_ORG, SOFIA);
    let signed_in = admin.canvas_sign_in("/canvas/admin", &token).await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    assert_eq!(signed_in.location.as_deref(), Some("/canvas/admin/home"));
    let members = admin.get("/canvas/admin/members").await?;
    assert_eq!(members.status, 200);
    assert!(!members.body.contains("only-other@example.com"));
    let foreign = admin
        .get(&format!("/canvas/admin/members/{OTHER_ONLY_USER}"))
        .await?;
    assert_eq!(foreign.status, 404);
    // Changing something sends the command for the admin's own organization only.
    let locations = admin.get("/canvas/admin/locations").await?;
    let csrf = locations.csrf();
    let unmapped = admin
        .post(
            "/canvas/admin/locations",
            &[
                ("csrf", &csrf),
                ("action", "unmap"),
                ("location_id", GASTOWN),
            ],
        )
        .await?;
    assert_eq!(unmapped.status, 303, "{unmapped:?}");
    let client = stack.pool.get().await?;
    let other_gastown = store::queries::location(&client, OTHER_ORG, GASTOWN).await?;
    assert!(
        other_gastown.and_then(|l| l.settings).is_some(),
        "the other organization's mapping is untouched"
    );
    Ok(())
}

/// A large organization's member list comes 50 at a time, with its count and links to the
/// pages around; a page number that is not one is refused with a reason.
#[tokio::test]
async fn the_admin_member_list_comes_a_page_at_a_time() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    stack.sim.sim.populate(DEMO_ORG, 60, "916")?;
    let syncs_before = {
        let client = stack.pool.get().await?;
        store::queries::sync_runs(&client, DEMO_ORG, 1000)
            .await?
            .len() as i64
    };
    stack
        .command(DEMO_ORG, Command::SyncNow)
        .await
        .map(|reply| assert!(matches!(reply, Reply::Done { .. }), "{reply:?}"))?;
    stack.wait_for_syncs(DEMO_ORG, syncs_before + 1).await?;
    stack.wait_for_syncs_to_settle().await?;
    let total: i64 = stack
        .pool
        .get()
        .await?
        .query_one(
            "SELECT count(*) FROM members WHERE org_id = $1",
            &[&DEMO_ORG],
        )
        .await?
        .get(0);
    assert!(total > 60, "the populated members have accounts: {total}");

    let mut admin = Agent::new(&stack.portal_url);
    let token = personal_token(&stack, DEMO_ORG, SOFIA);
    assert_eq!(
        admin.canvas_sign_in("/canvas/admin", &token).await?.status,
        303
    );
    let rows = |body: &str| body.matches("<a href=\"/canvas/admin/members/").count() as i64;

    let first = admin.get("/canvas/admin/members").await?;
    assert_eq!(first.status, 200);
    assert!(
        first
            .body
            .contains(&format!("{total} WiFi account(s), 1–50 shown"))
    );
    assert_eq!(rows(&first.body), 50);
    assert!(first.body.contains("href=\"/canvas/admin/members?page=2\""));
    assert!(!first.body.contains("rel=\"prev\""));

    let second = admin.get("/canvas/admin/members?page=2").await?;
    assert_eq!(second.status, 200);
    assert_eq!(rows(&second.body), (total - 50).min(50));
    assert!(
        second
            .body
            .contains("href=\"/canvas/admin/members?page=1\"")
    );
    // No member twice: the pages split the list.
    let ids = |body: &str| -> std::collections::BTreeSet<String> {
        body.split("<a href=\"/canvas/admin/members/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(str::to_owned))
            .collect()
    };
    assert!(ids(&first.body).is_disjoint(&ids(&second.body)));

    let past = admin.get("/canvas/admin/members?page=99").await?;
    assert_eq!(past.status, 200);
    assert!(past.body.contains("past the last member"));
    for bad in ["0", "-1", "two", "99999999999"] {
        let refused = admin
            .get(&format!("/canvas/admin/members?page={bad}"))
            .await?;
        assert_eq!(refused.status, 400, "page={bad}");
        assert!(refused.body.contains("whole number from 1 up"));
    }
    Ok(())
}

#[tokio::test]
async fn forged_canvas_tokens_sign_nobody_in() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let mut agent = Agent::new(&stack.portal_url);
    let page = agent
        .get(&format!("/canvas/mobile?location_id={GASTOWN}"))
        .await?;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    for forged in [
        "pt99999forgedp",                        // shaped like one, minted by nobody
        "demo6267f3a9c1e2b7d4a8e0c5f1b9d3a7e2o", // the organization token: not PERSONAL
        "",
    ] {
        let refused = agent
            .post(
                "/canvas/mobile",
                &[("csrf", &csrf), ("token", forged), ("location_id", GASTOWN)],
            )
            .await?;
        assert_eq!(refused.status, 401, "{forged}: {refused:?}");
        assert!(!agent.cookies.contains_key("lanyard_session"));
    }
    // The admin canvas refuses a member's genuine token.
    let admin = agent.get("/canvas/admin").await?;
    let csrf = admin.csrf();
    let member_token = personal_token(&stack, DEMO_ORG, JEAN);
    let refused = agent
        .post(
            "/canvas/admin",
            &[("csrf", &csrf), ("token", &member_token)],
        )
        .await?;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(!agent.cookies.contains_key("lanyard_admin"));
    // A GET never signs in (login CSRF: a link to `?token=<attacker's token>`), even with a
    // genuine token in the query: the page's script hands it to a POST.
    let genuine = personal_token(&stack, DEMO_ORG, JEAN);
    for path in [
        format!("/canvas/mobile?location_id={GASTOWN}&token={genuine}"),
        format!(
            "/canvas/admin?token={}",
            personal_token(&stack, DEMO_ORG, SOFIA)
        ),
    ] {
        let page = agent.get(&path).await?;
        assert_eq!(page.status, 200, "{page:?}");
        assert!(page.body.contains("id=\"token-form\""), "{}", page.body);
        assert!(!page.body.contains(&genuine), "the token is not echoed");
        assert!(!agent.cookies.contains_key("lanyard_session"));
        assert!(!agent.cookies.contains_key("lanyard_admin"));
    }
    // Refused tokens are counted per client address: 30 in the window, then a 429.
    let mut limited = None;
    for attempt in 0..40 {
        let page = agent
            .post(
                "/canvas/mobile",
                &[
                    ("csrf", &csrf),
                    ("token", &format!("pt{attempt}wrongp")),
                    ("location_id", GASTOWN),
                ],
            )
            .await?;
        if page.status == 429 {
            limited = Some((attempt, page));
            break;
        }
        assert_eq!(page.status, 401);
    }
    let (attempt, page) = limited.expect("refused tokens are limited");
    // Three refused before the loop (the forged ones; the member's token at the admin canvas
    // was genuine, just not an admin's).
    assert_eq!(
        attempt + 3,
        30,
        "the 31st refused token in the window is answered 429"
    );
    assert!(page.retry_after.is_some());
    // The address is locked out for the window: even a genuine token waits.
    let signed_in = agent
        .canvas_sign_in(&format!("/canvas/mobile?location_id={GASTOWN}"), &genuine)
        .await?;
    assert_eq!(signed_in.status, 429, "{signed_in:?}");
    Ok(())
}

#[tokio::test]
async fn forms_without_the_right_csrf_token_change_nothing() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let mut agent = Agent::new(&stack.portal_url);
    // The email form: no token, a wrong token.
    let form = agent.get(&format!("/l/{DEMO_ORG}/{GASTOWN}")).await?;
    assert_eq!(form.status, 200);
    for csrf in ["", "0000"] {
        let refused = agent
            .post(
                &format!("/l/{DEMO_ORG}/{GASTOWN}"),
                &[("csrf", csrf), ("email", "jean@example.com")],
            )
            .await?;
        assert_eq!(refused.status, 403, "{refused:?}");
    }
    // Signed in, then a passphrase change without the session's token.
    let token = personal_token(&stack, DEMO_ORG, JEAN);
    agent
        .canvas_sign_in(&format!("/canvas/mobile?location_id={GASTOWN}"), &token)
        .await?;
    let key = agent.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200);
    let before = passphrase_of(&stack, DEMO_ORG, JEAN).await?;
    let pre_session_csrf = form.csrf();
    for csrf in ["", pre_session_csrf.as_str()] {
        let refused = agent
            .post(
                "/wifi/passphrase",
                &[("csrf", csrf), ("passphrase", "attacker-chosen-1")],
            )
            .await?;
        assert_eq!(refused.status, 403, "{refused:?}");
    }
    assert_eq!(passphrase_of(&stack, DEMO_ORG, JEAN).await?, before);
    // The admin canvas: a mapping change without the token.
    let admin_token = personal_token(&stack, DEMO_ORG, SOFIA);
    agent.canvas_sign_in("/canvas/admin", &admin_token).await?;
    let refused = agent
        .post(
            "/canvas/admin/locations",
            &[("action", "unmap"), ("location_id", GASTOWN)],
        )
        .await?;
    assert_eq!(refused.status, 403);
    let client = stack.pool.get().await?;
    assert!(
        store::queries::location(&client, DEMO_ORG, GASTOWN)
            .await?
            .and_then(|l| l.settings)
            .is_some()
    );
    Ok(())
}

#[tokio::test]
async fn link_requests_are_rate_limited_per_email() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let mut agent = Agent::new(&stack.portal_url);
    // Three per email in the window (the default), then a clear 429.
    for _ in 0..3 {
        let ok = agent
            .request_link(DEMO_ORG, GASTOWN, "nobody@example.com")
            .await?;
        assert_eq!(ok.status, 200);
    }
    let limited = agent
        .request_link(DEMO_ORG, GASTOWN, "nobody@example.com")
        .await?;
    assert_eq!(limited.status, 429, "{limited:?}");
    assert!(limited.h1().contains("Too many requests"));
    assert!(limited.retry_after.is_some());
    // Other addresses from the same client go on (a coworking space shares one address; its
    // limit is tested in portal_abuse.rs: 250 per window, 500 a day).
    for i in 0..6 {
        let ok = agent
            .request_link(DEMO_ORG, GASTOWN, &format!("someone{i}@example.com"))
            .await?;
        assert_eq!(ok.status, 200, "request {i}");
    }
    let text = metrics(&stack).await?;
    assert!(
        sample(
            &text,
            "lanyard_magic_links_sent_total",
            &[("outcome", "rate_limited")]
        ) >= 1.0,
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn the_answer_is_the_same_whether_or_not_the_email_matches() -> anyhow::Result<()> {
    let stack = demo_stack().await?;
    let mut agent = Agent::new(&stack.portal_url);
    let known = agent
        .request_link(DEMO_ORG, GASTOWN, "amara@example.com")
        .await?;
    let unknown = agent
        .request_link(DEMO_ORG, GASTOWN, "stranger@example.com")
        .await?;
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        known.body.replace("amara@example.com", "X"),
        unknown.body.replace("stranger@example.com", "X")
    );
    mailbox()
        .wait_for("amara@example.com", &stack.portal_url)
        .await?;
    let text = eventually("both requests counted", Duration::from_secs(15), || async {
        let text = metrics(&stack).await?;
        let done = sample(
            &text,
            "lanyard_magic_links_sent_total",
            &[("outcome", "sent")],
        ) >= 1.0
            && sample(
                &text,
                "lanyard_magic_links_sent_total",
                &[("outcome", "no_match")],
            ) >= 1.0;
        Ok(done.then_some(text))
    })
    .await?;
    assert_eq!(
        mailbox().count("stranger@example.com", &stack.portal_url)?,
        0
    );
    assert!(
        sample(
            &text,
            "lanyard_portal_commands_total",
            &[
                ("command", "find_user_by_email"),
                ("outcome", "unknown_user")
            ]
        ) >= 1.0,
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn every_state_has_its_own_page() -> anyhow::Result<()> {
    let mut stack = demo_stack().await?;
    let mut agent = Agent::new(&stack.portal_url);

    let unknown = agent.get("/l/99999/1").await?;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.h1().contains("Unknown workspace"),
        "{}",
        unknown.body
    );

    let unmapped = agent.get(&format!("/l/{DEMO_ORG}/{TRASTEVERE}")).await?;
    assert_eq!(unmapped.status, 404);
    assert!(unmapped.h1().contains("not set up"), "{}", unmapped.body);
    assert!(unmapped.body.contains(TRASTEVERE));

    let signed_out = agent.get("/wifi").await?;
    assert_eq!(signed_out.status, 401);

    // Provision down: sign-in works, onboarding says it is unavailable, and a retry works
    // once provision is back.
    let token = personal_token(&stack, DEMO_ORG, MEI);
    stack.stop_provision().await?;
    let unavailable = agent
        .canvas_sign_in(&format!("/canvas/mobile?location_id={GASTOWN}"), &token)
        .await?;
    assert_eq!(unavailable.status, 503, "{unavailable:?}");
    assert!(unavailable.h1().contains("temporarily unavailable"));
    assert!(agent.cookies.contains_key("lanyard_session"), "signed in");
    // The key page offers a button (a POST) rather than asking provision on a GET.
    let key = agent.get("/wifi").await?;
    assert_eq!(key.status, 200, "{key:?}");
    assert!(key.body.contains("action=\"/wifi/start\""), "{}", key.body);
    Ok(())
}

/// Every log line of a run (debug level), every metric and every URL the portal logged: no
/// passphrase, link token, session id or canvas token in any of them.
#[tokio::test]
async fn no_secret_reaches_a_log_line_or_a_metric() -> anyhow::Result<()> {
    let (capture, _guard) = integration_tests::LogCapture::install(None, "debug");

    let stack = demo_stack().await?;
    let mut agent = Agent::new(&stack.portal_url);
    let link = emailed_link(&stack, &mut agent, DEMO_ORG, GASTOWN, "jean@example.com").await?;
    agent.follow_link(&link).await?;
    let key = agent.get("/wifi?start=1").await?;
    let csrf = key.csrf();
    let chosen = "quiet-harbour-walrus-77";
    agent
        .post(
            "/wifi/passphrase",
            &[("csrf", &csrf), ("passphrase", chosen)],
        )
        .await?;
    let canvas_token = personal_token(&stack, DEMO_ORG, RICHARD);
    let mut app = Agent::new(&stack.portal_url);
    // Optix without the fragment macro puts the token in the query: never logged either.
    app.get(&format!(
        "/canvas/mobile?location_id={GASTOWN}&token={canvas_token}"
    ))
    .await?;
    app.canvas_sign_in(
        &format!("/canvas/mobile?location_id={GASTOWN}"),
        &canvas_token,
    )
    .await?;
    app.get("/wifi").await?;
    let admin_token = personal_token(&stack, DEMO_ORG, SOFIA);
    let mut admin = Agent::new(&stack.portal_url);
    let page = admin.get("/canvas/admin").await?;
    let csrf = page.csrf();
    admin
        .post("/canvas/admin", &[("csrf", &csrf), ("token", &admin_token)])
        .await?;
    admin.get("/canvas/admin/members").await?;

    let mut secrets = vec![
        link.split_once("#token=")
            .map(|(_, t)| t.to_owned())
            .unwrap_or_default(),
        canvas_token,
        admin_token,
        chosen.to_owned(),
        passphrase_of(&stack, DEMO_ORG, RICHARD).await?,
    ];
    secrets.extend(agent.cookies.values().cloned());
    secrets.extend(app.cookies.values().cloned());
    secrets.extend(admin.cookies.values().cloned());
    let logs = capture.text();
    assert!(logs.contains("signed in with a link"), "logs were captured");
    let text = metrics(&stack).await?;
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(!logs.contains(secret.as_str()), "a secret is in the logs");
        assert!(
            !text.contains(secret.as_str()),
            "a secret is in the metrics"
        );
    }
    Ok(())
}
