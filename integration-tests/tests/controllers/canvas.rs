//! The admin canvas's WiFi controllers page: the mapped controller and its reconciliations, and
//! "test connection" (through the portal, to the simulated vendor, with the stored key).

use super::*;
use integration_tests::agent::Agent;
use integration_tests::browser::Browser;

const SOFIA: &str = "12351"; // an admin of the demo organization

#[tokio::test]
async fn the_admin_page_lists_controllers_and_tests_the_connection() -> anyhow::Result<()> {
    let (stack, _controllers) = gastown_on_meraki().await?;
    let mut admin = Agent::new(&stack.portal_url);
    let token = stack.personal_token(DEMO_ORG, SOFIA)?;
    let signed_in = admin.canvas_sign_in("/canvas/admin", &token).await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    let page = admin.get("/canvas/admin/controllers").await?;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("network N_24329156, SSID 3"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Latest reconciliations"),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(integration_tests::controllers::MERAKI_API_KEY)
    );
    let csrf = page.csrf();
    let tested = admin
        .post(
            "/canvas/admin/controllers/test",
            &[
                ("csrf", &csrf),
                ("action", "test"),
                ("location_id", GASTOWN),
            ],
        )
        .await?;
    assert_eq!(tested.status, 200, "{tested:?}");
    assert!(tested.body.contains("Connection works"), "{}", tested.body);
    let forged = admin
        .post(
            "/canvas/admin/controllers/test",
            &[
                ("csrf", "forged"),
                ("action", "test"),
                ("location_id", GASTOWN),
            ],
        )
        .await?;
    assert_ne!(forged.status, 200, "a forged CSRF token is refused");
    Ok(())
}

/// The page's forms: a refused map (too short a token) says why and never echoes what was
/// typed; Trastevere mapped to an OpenWrt AP group (a `ControllerMapped` event, the token in
/// clear nowhere); then unmapped.
#[tokio::test]
async fn the_admin_maps_and_unmaps_a_controller_with_the_page_forms() -> anyhow::Result<()> {
    let (stack, _controllers) = start(|_| {}).await?;
    let mut admin = Agent::new(&stack.portal_url);
    let token = stack.personal_token(DEMO_ORG, SOFIA)?;
    admin.canvas_sign_in("/canvas/admin", &token).await?;
    let page = admin.get("/canvas/admin/controllers").await?;
    assert!(
        page.body.contains("Map a location to a controller"),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let trastevere = integration_tests::stack::TRASTEVERE;
    let short = "too-short-token-typed-here";
    let map = |credential: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("action", "map_openwrt".to_owned()),
            ("location_id", trastevere.to_owned()),
            ("ap_group", "rome-aps".to_owned()),
            ("credential", credential.to_owned()),
        ]
    };
    let as_refs =
        |fields: &[(&'static str, String)]| -> Vec<(&'static str, String)> { fields.to_vec() };
    let refused_fields = as_refs(&map(short));
    let refused_fields: Vec<(&str, &str)> = refused_fields
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let refused = admin
        .post("/canvas/admin/controllers", &refused_fields)
        .await?;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.body.contains("at least 32"), "{}", refused.body);
    assert!(
        !refused.body.contains(short),
        "the credential is never echoed"
    );

    const GOOD: &str = "a-fetch-token-typed-on-the-page-0123456789";
    let fields = map(GOOD);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = admin.post("/canvas/admin/controllers", &fields).await?;
    assert_eq!(saved.status, 303, "{saved:?}");
    let page = admin
        .get("/canvas/admin/controllers?ok=controller_mapped")
        .await?;
    assert!(page.body.contains("AP group rome-aps"), "{}", page.body);
    assert!(!page.body.contains(GOOD));
    let stream = format!("controller-{DEMO_ORG}-{trastevere}");
    assert_eq!(event_types(&stack, &stream).await?, ["ControllerMapped"]);
    let found = rows_holding(&stack, GOOD).await?;
    assert!(found.is_empty(), "the token in clear: {found:?}");

    let unmapped = admin
        .post(
            "/canvas/admin/controllers",
            &[
                ("csrf", page.csrf().as_str()),
                ("action", "unmap"),
                ("location_id", trastevere),
            ],
        )
        .await?;
    assert_eq!(unmapped.status, 303, "{unmapped:?}");
    assert_eq!(
        event_types(&stack, &stream).await?,
        ["ControllerMapped", "ControllerUnmapped"]
    );
    Ok(())
}

/// In Chromium: the OpenWrt form refused (too short a token: said in words, the password field
/// empty again), then saved (the mapping listed, its token nowhere on the page), then unmapped.
#[tokio::test]
async fn the_admin_maps_and_unmaps_a_controller_in_chromium() -> anyhow::Result<()> {
    let (stack, _controllers) = start(|_| {}).await?;
    let browser = Browser::start().await?;
    let token = stack.personal_token(DEMO_ORG, SOFIA)?;
    let portal = &stack.portal_url;
    browser
        .goto(&format!("{portal}/canvas/admin#token={token}"))
        .await?;
    browser.wait_for_heading("Overview").await?;
    browser
        .goto(&format!("{portal}/canvas/admin/controllers"))
        .await?;
    browser.wait_for_heading("WiFi controllers").await?;
    let submit = "form:has(input[name='action'][value='map_openwrt']) button";
    browser.type_into("ctl-openwrt-group", "rome-aps").await?;
    browser
        .type_into("ctl-openwrt-credential", "too-short-a-token")
        .await?;
    browser.click_and_wait(submit).await?;
    let alert = browser.wait_for("p[role='alert']").await?.text().await?;
    assert!(alert.contains("at least 32"), "{alert}");
    let typed = browser
        .wait_for("#ctl-openwrt-credential")
        .await?
        .prop("value")
        .await?;
    assert_eq!(typed.as_deref(), Some(""), "the secret is not put back");
    browser.screenshot("controllers-01-refused").await?;

    const GOOD: &str = "a-fetch-token-typed-in-chromium-0123456789";
    browser.type_into("ctl-openwrt-group", "rome-aps").await?;
    browser.type_into("ctl-openwrt-credential", GOOD).await?;
    browser.click_and_wait(submit).await?;
    let status = browser.wait_for("p[role='status']").await?.text().await?;
    assert!(status.contains("WiFi controller is saved"), "{status}");
    let page = browser.wait_for("main").await?.text().await?;
    assert!(page.contains("AP group rome-aps"), "{page}");
    assert!(!page.contains(GOOD));
    browser.screenshot("controllers-02-mapped").await?;

    browser
        .click_and_wait("form:has(input[name='action'][value='unmap']) button")
        .await?;
    let status = browser.wait_for("p[role='status']").await?.text().await?;
    assert!(status.contains("unmapped"), "{status}");
    browser.close().await?;
    Ok(())
}
