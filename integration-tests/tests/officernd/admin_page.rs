//! The OfficeRnD admin pages through headless Chromium: the first connection with the
//! operator's connect code (test connection, a wrong secret's clear error, connect), OfficeRnD's
//! signed integration page signing an admin in whose plan mapping changes what a member gets,
//! forged, stale, unsigned and replayed pages refused with their reason, and axe-core on each
//! page.

use super::*;
use fantoccini::Locator;
use integration_tests::axe;
use integration_tests::browser::Browser;
use integration_tests::eventually;
use integration_tests::officernd::{ORG, WEBHOOK_SECRET};
use std::time::Duration;

/// A connect code as `lanyard officernd connect-code` prints it, valid for an hour.
fn connect_code(stack: &Stack, slug: &str) -> String {
    let expires_at = Utc::now().timestamp() + 3600;
    secrets::connect_codes::issue(&stack.keys, slug, expires_at)
}

/// The URL OfficeRnD opens for `member_id`'s visit to Lanyard's integration page, now.
fn integration_page(stack: &Stack, member_id: &str) -> anyhow::Result<String> {
    let page_url = format!("{}/canvas/admin/officernd", stack.portal_url);
    let url = stack.officernd.sim.with_orgs(|orgs| {
        orgs[demo::DEMO_SLUG].integration_page(&page_url, member_id, Utc::now())
    })?;
    Ok(url.to_string())
}

async fn axe_clean(browser: &Browser, page: &str) -> anyhow::Result<()> {
    let found = axe::violations(browser).await?;
    anyhow::ensure!(found.is_empty(), "{page}:\n  {}", found.join("\n  "));
    Ok(())
}

async fn open_connect_page(browser: &Browser, stack: &Stack) -> anyhow::Result<()> {
    let page = format!("{}/canvas/admin/officernd/connect", stack.portal_url);
    browser.goto(&page).await?;
    browser.wait_for_heading("Connect OfficeRnD").await?;
    Ok(())
}

/// Fills the connect form (the code, the slug, the client id and `secret`, the webhook secret).
async fn fill_connect_form(browser: &Browser, code: &str, secret: &str) -> anyhow::Result<()> {
    for (id, text) in [
        ("code", code),
        ("slug", demo::DEMO_SLUG),
        ("client_id", demo::DEMO_CLIENT_ID),
        ("client_secret", secret),
        ("webhook_secret", WEBHOOK_SECRET),
    ] {
        browser.client.find(Locator::Id(id)).await?.clear().await?;
        browser.type_into(id, text).await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_space_connects_officernd_through_the_page_with_the_operators_code()
-> anyhow::Result<()> {
    let (capture, _guard) = integration_tests::LogCapture::install(None, "debug");
    let stack = Stack::start().await?;
    let code = connect_code(&stack, demo::DEMO_SLUG);
    let browser = Browser::start().await?;
    open_connect_page(&browser, &stack).await?;
    axe_clean(&browser, "the connect form").await?;

    fill_connect_form(&browser, &code, "not-the-secret").await?;
    browser.click_and_wait("#test").await?;
    let error = browser.text_of("connect-error").await?;
    assert!(
        error.contains("OfficeRnD refused the client id and secret"),
        "{error}"
    );
    let source = browser.client.source().await?;
    assert!(
        !source.contains("not-the-secret"),
        "a secret is never shown again"
    );

    fill_connect_form(&browser, &code, demo::DEMO_CLIENT_SECRET).await?;
    browser.click_and_wait("#test").await?;
    let notice = browser.text_of("connect-notice").await?;
    assert!(notice.contains("Connection works"), "{notice}");
    assert!(notice.contains(ORG), "{notice}");
    assert!(
        stack.member(ORG, ADA).await?.is_none(),
        "testing connects nothing"
    );

    fill_connect_form(&browser, &code, demo::DEMO_CLIENT_SECRET).await?;
    browser.click_and_wait("#connect").await?;
    browser.wait_for_heading("Connection").await?;
    let page = browser.client.source().await?;
    assert!(page.contains("OfficeRnD is connected"), "{page}");
    assert!(page.contains(demo::DEMO_CLIENT_ID), "{page}");
    assert!(!page.contains(demo::DEMO_CLIENT_SECRET), "{page}");
    axe_clean(&browser, "the connection page").await?;
    stack.wait_for_syncs(ORG, 1).await?;
    assert!(stack.member(ORG, ADA).await?.is_some(), "the import ran");

    // The code is spent: the organization is connected.
    open_connect_page(&browser, &stack).await?;
    fill_connect_form(&browser, &code, demo::DEMO_CLIENT_SECRET).await?;
    browser.click_and_wait("#connect").await?;
    let error = browser.text_of("connect-error").await?;
    assert!(error.contains("connected already"), "{error}");
    // A code for another slug opens nothing.
    let other = connect_code(&stack, "another-space");
    fill_connect_form(&browser, &other, demo::DEMO_CLIENT_SECRET).await?;
    browser.click_and_wait("#test").await?;
    let error = browser.text_of("connect-error").await?;
    assert!(
        error.contains("not valid for this organization slug"),
        "{error}"
    );
    browser.close().await?;
    // The secrets and the code went through forms: never into a log line or the log in clear.
    let logs = capture.text();
    anyhow::ensure!(!logs.is_empty(), "the services' logs were captured");
    for secret in [
        demo::DEMO_CLIENT_SECRET,
        "not-the-secret",
        WEBHOOK_SECRET,
        code.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached a log line");
        assert_eq!(stack.events_with_data_containing(secret).await?, 0);
    }
    Ok(())
}

#[tokio::test]
async fn an_admin_from_officernds_integration_page_maps_a_plan_and_the_member_gets_it()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    stack.connect_officernd().await?;
    let ada = stack.member(ORG, ADA).await?.expect("Ada");
    assert_eq!(ada.vlan(Utc::now()), None, "no VLAN before the mapping");

    let browser = Browser::start().await?;
    browser.goto(&integration_page(&stack, ADA)?).await?;
    browser.wait_for_heading("WiFi administration").await?;
    axe_clean(&browser, "the integration page").await?;
    browser.click_and_wait("#continue").await?;
    browser.wait_for_heading("Connection").await?;
    browser.click_and_wait("#test").await?;
    let page = browser.client.source().await?;
    assert!(
        page.contains("Connection works: Lanyard Demo (OfficeRnD)"),
        "{page}"
    );

    browser
        .goto(&format!("{}/canvas/admin/plans", stack.portal_url))
        .await?;
    browser.wait_for_heading("Plans").await?;
    axe_clean(&browser, "the plans page of an OfficeRnD organization").await?;
    let key = format!("plan-{}", demo::HOT_DESK);
    browser
        .client
        .find(Locator::Id(&format!("pname-{key}")))
        .await?
        .clear()
        .await?;
    browser
        .type_into(&format!("pname-{key}"), "hotdesk")
        .await?;
    browser.type_into(&format!("vlan-{key}"), "42").await?;
    browser
        .click_and_wait(&format!(
            "section[aria-labelledby=\"{key}\"] form button[type=submit]"
        ))
        .await?;
    browser.wait_for_heading("Plans").await?;
    let page = browser.client.source().await?;
    assert!(
        page.contains("The plan&#x27;s profile is saved")
            || page.contains("The plan's profile is saved"),
        "{page}"
    );
    eventually("Ada on VLAN 42", Duration::from_secs(30), || async {
        let ada = stack.member(ORG, ADA).await?;
        Ok(ada.filter(|a| a.vlan(Utc::now()) == Some(42)))
    })
    .await?;
    browser.close().await
}

#[tokio::test]
async fn a_forged_stale_unsigned_or_replayed_integration_page_is_refused_with_its_reason()
-> anyhow::Result<()> {
    let stack = Stack::start().await?;
    let http = reqwest::Client::new();
    let refused = async |url: &str, reason: &str| -> anyhow::Result<()> {
        let response = http.get(url).send().await?;
        let status = response.status().as_u16();
        let body = response.text().await?;
        anyhow::ensure!(status == 401, "{url}: {status} {body}");
        anyhow::ensure!(body.contains(reason), "{url}: no {reason} in {body}");
        Ok(())
    };
    // Not connected yet: nothing to check a signature with.
    refused(
        &integration_page(&stack, ADA)?,
        "organization_not_connected",
    )
    .await?;
    stack.connect_officernd().await?;
    let signed = integration_page(&stack, ADA)?;
    let unsigned = url::Url::parse(&signed)?;
    let strip = |drop: &str, replace: Option<(&str, &str)>| {
        let mut url = unsigned.clone();
        let pairs: Vec<(String, String)> = unsigned
            .query_pairs()
            .filter(|(k, _)| k != drop)
            .map(|(k, v)| match replace {
                Some((key, value)) if k == key => (k.into_owned(), value.to_owned()),
                _ => (k.into_owned(), v.into_owned()),
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url.to_string()
    };
    refused(&strip("signature", None), "signature_missing").await?;
    refused(&strip("", Some(("memberId", GRACE))), "signature_mismatch").await?;
    refused(
        &strip("", Some(("signature", "garbage"))),
        "signature_malformed",
    )
    .await?;
    let stale = stack.officernd.sim.with_orgs(|orgs| {
        orgs[demo::DEMO_SLUG].integration_page(
            &format!("{}/canvas/admin/officernd", stack.portal_url),
            ADA,
            Utc::now() - chrono::Duration::hours(1),
        )
    })?;
    refused(stale.as_str(), "signature_stale").await?;
    // Signed with another secret (a forger's).
    let forged = stack.officernd.sim.with_orgs(|orgs| {
        let mut org = orgs[demo::DEMO_SLUG].clone();
        org.applications[0].client_secret = "a-forgers-secret".into();
        org.integration_page(
            &format!("{}/canvas/admin/officernd", stack.portal_url),
            ADA,
            Utc::now(),
        )
    })?;
    refused(forged.as_str(), "signature_mismatch").await?;

    // The signed page signs in once: its continue form posted twice, the second is refused.
    let mut admin = integration_tests::agent::Agent::new(&stack.portal_url);
    let path = signed.trim_start_matches(&stack.portal_url).to_owned();
    let page = admin.get(&path).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let fields: Vec<(String, String)> = [
        "csrf",
        "slug",
        "organizationId",
        "memberId",
        "locations",
        "signature",
    ]
    .iter()
    .map(|name| {
        let value = integration_tests::agent::hidden(&page.body, name).unwrap_or_default();
        ((*name).to_owned(), value)
    })
    .collect();
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let first = admin.post("/canvas/admin/officernd", &fields).await?;
    assert_eq!(first.status, 303, "{}", first.body);
    let again = admin.post("/canvas/admin/officernd", &fields).await?;
    assert_eq!(again.status, 401, "{}", again.body);
    assert!(again.body.contains("signature_used"), "{}", again.body);
    Ok(())
}
