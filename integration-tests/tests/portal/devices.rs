//! Devices on the key page (tenant, in Chromium and over HTTP), the access points page and a
//! member's devices on the admin canvas (issue 16).

use bus::commands::Command;
use integration_tests::Stack;
use integration_tests::agent::{Agent, Page};
use integration_tests::browser::Browser;
use integration_tests::stack::{DEMO_ORG, gastown};

const GASTOWN: &str = "3390";
const JEAN: &str = "12346"; // Hot Desk
const RICHARD: &str = "12347"; // Dedicated Desk
const SOFIA: &str = "12351"; // an admin
const HOT_DESK: &str = "916";

async fn stack_with_gastown() -> anyhow::Result<Stack> {
    let stack = Stack::start_installed().await?;
    stack.map_location(DEMO_ORG, GASTOWN, gastown()).await?;
    Ok(stack)
}

async fn signed_in(stack: &Stack, user: &str, canvas: &str) -> anyhow::Result<Agent> {
    let token = stack.personal_token(DEMO_ORG, user)?;
    let mut agent = Agent::new(&stack.portal_url);
    let page = agent.canvas_sign_in(canvas, &token).await?;
    anyhow::ensure!(page.status == 303, "{page:?}");
    Ok(agent)
}

async fn tenant(stack: &Stack, user: &str) -> anyhow::Result<Agent> {
    signed_in(
        stack,
        user,
        &format!("/canvas/mobile?location_id={GASTOWN}"),
    )
    .await
}

/// The text of the element with `id`'s first text node.
fn text_of(page: &Page, id: &str) -> String {
    page.body
        .split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|text| text.split('<').next())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_tenant_adds_and_removes_devices_on_the_key_page_in_chromium() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    stack.map_plan_device_limit(HOT_DESK, 2, &[JEAN]).await?;
    let browser = Browser::start().await?;
    let token = stack.personal_token(DEMO_ORG, JEAN)?;
    let portal = &stack.portal_url;
    browser
        .goto(&format!(
            "{portal}/canvas/mobile?location_id={GASTOWN}#token={token}"
        ))
        .await?;
    browser.wait_for_heading("Your WiFi").await?;
    assert!(
        browser
            .text_of("devices-heading")
            .await?
            .contains("Your devices")
    );
    browser.wait_for("#no-devices").await?;
    for (name, mac) in [
        ("Jean's phone", "da-a1-19-00-00-01"),
        ("Laptop", "DAA1.1900.0002"),
    ] {
        browser.type_into("device-name", name).await?;
        browser.type_into("device-mac", mac).await?;
        browser
            .click_and_wait("form[action='/wifi/devices'] button")
            .await?;
        browser.wait_for_heading("Your WiFi").await?;
    }
    let listed = browser.text_of("devices").await?;
    assert!(
        listed.contains("Jean's phone DA:A1:19:00:00:01") && listed.contains("DA:A1:19:00:00:02"),
        "{listed}"
    );
    assert!(listed.contains("Added by the member"), "{listed}");
    browser.screenshot("devices-01-two-devices").await?;

    // Over the limit: refused on the page in plain words, what was typed kept.
    browser.type_into("device-name", "Tablet").await?;
    browser.type_into("device-mac", "da:a1:19:00:00:03").await?;
    browser
        .click_and_wait("form[action='/wifi/devices'] button")
        .await?;
    let error = browser.wait_for("#passphrase-error").await?.text().await?;
    assert_eq!(
        error,
        "You can register at most 2 devices; remove one first"
    );
    let typed = browser
        .client
        .find(fantoccini::Locator::Id("device-mac"))
        .await?
        .prop("value")
        .await?;
    assert_eq!(typed.as_deref(), Some("da:a1:19:00:00:03"));
    browser.screenshot("devices-02-over-the-limit").await?;

    browser
        .click_and_wait("form[action='/wifi/devices/remove'] button")
        .await?;
    browser.wait_for_heading("Your WiFi").await?;
    let listed = browser.text_of("devices").await?;
    assert!(!listed.contains("DA:A1:19:00:00:01"), "{listed}");
    let client = stack.pool.get().await?;
    let left = store::queries::devices(&client, DEMO_ORG, JEAN).await?;
    assert_eq!(left.len(), 1);
    // The help says where each system shows the per-network address.
    browser.click("#mac-help summary").await?;
    let help = browser.text_of("mac-help").await?;
    for system in [
        "iPhone",
        "Android",
        "Mac",
        "Windows 11",
        "Private Wi-Fi Address",
    ] {
        assert!(help.contains(system), "{help}");
    }
    browser.close().await
}

#[tokio::test]
async fn a_mac_of_another_member_or_a_malformed_one_is_refused_on_the_key_page()
-> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut richard = tenant(&stack, RICHARD).await?;
    let csrf = richard.get("/wifi").await?.csrf();
    let added = richard
        .post(
            "/wifi/devices",
            &[
                ("csrf", &csrf),
                ("name", "Richard's phone"),
                ("mac", "02:11:22:33:44:55"),
            ],
        )
        .await?;
    assert_eq!(added.status, 303, "{added:?}");

    let mut jean = tenant(&stack, JEAN).await?;
    let csrf = jean.get("/wifi").await?.csrf();
    let taken = jean
        .post(
            "/wifi/devices",
            &[("csrf", &csrf), ("name", "Mine"), ("mac", "021122334455")],
        )
        .await?;
    assert_eq!(taken.status, 422, "{taken:?}");
    assert_eq!(
        text_of(&taken, "passphrase-error"),
        "This device (02:11:22:33:44:55) is registered to another member of the organization"
    );
    let malformed = jean
        .post(
            "/wifi/devices",
            &[("csrf", &csrf), ("name", "x"), ("mac", "02:11:22")],
        )
        .await?;
    assert_eq!(malformed.status, 422);
    assert!(
        text_of(&malformed, "passphrase-error").contains("is not a MAC address"),
        "{}",
        malformed.body
    );
    // Without the form's CSRF token nothing changes.
    let forged = jean
        .post(
            "/wifi/devices",
            &[
                ("csrf", "forged"),
                ("name", "x"),
                ("mac", "02:00:00:00:00:99"),
            ],
        )
        .await?;
    assert_ne!(forged.status, 303);
    let client = stack.pool.get().await?;
    assert!(
        store::queries::devices(&client, DEMO_ORG, JEAN)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn an_admin_registers_and_removes_access_points_and_members_devices() -> anyhow::Result<()> {
    const SECRET: &str = "admin-page-nas-secret-77";
    let stack = stack_with_gastown().await?;
    let mut admin = signed_in(&stack, SOFIA, "/canvas/admin").await?;
    let page = admin.get("/canvas/admin/nas").await?;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("No access point registered here yet"));
    let csrf = page.csrf();
    let register = |nas_id: &'static str, address: &'static str| {
        vec![
            ("action", "register"),
            ("location_id", GASTOWN),
            ("nas_id", nas_id),
            ("name", "Lobby"),
            ("address", address),
            ("dialect", "meraki"),
            ("ssids", "gastown-members\r\ngastown-staff"),
            ("coa_port", ""),
            ("secret", SECRET),
        ]
    };
    let mut fields = register("lobby", "10.50.0.0/24");
    fields.push(("csrf", &csrf));
    let saved = admin.post("/canvas/admin/nas", &fields).await?;
    assert_eq!(saved.status, 303, "{saved:?}");
    let page = admin.get("/canvas/admin/nas?ok=nas_registered").await?;
    assert!(page.body.contains("The access point is saved."));
    assert!(page.body.contains("10.50.0.0/24") && page.body.contains("meraki"));
    assert!(page.body.contains("gastown-members, gastown-staff"));
    assert!(!page.body.contains(SECRET));

    let mut overlapping = register("second", "10.50.0.9");
    overlapping.push(("csrf", &csrf));
    let refused = admin.post("/canvas/admin/nas", &overlapping).await?;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("NAS addresses may not overlap"),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains(SECRET),
        "a refusal never shows the secret again"
    );

    let removed = admin
        .post(
            "/canvas/admin/nas",
            &[("csrf", &csrf), ("action", "remove"), ("nas_id", "lobby")],
        )
        .await?;
    assert_eq!(removed.status, 303);
    let client = stack.pool.get().await?;
    assert!(store::queries::nases(&client, DEMO_ORG).await?.is_empty());

    // A member's devices on their page, removed by the admin.
    stack
        .command_done(
            DEMO_ORG,
            Command::AddDevice {
                user_id: JEAN.into(),
                mac: "02:aa:00:00:00:01".into(),
                name: "Jean's phone".into(),
            },
        )
        .await?;
    let member = admin.get(&format!("/canvas/admin/members/{JEAN}")).await?;
    assert!(member.body.contains("02:AA:00:00:00:01"), "{}", member.body);
    assert!(member.body.contains("At most 5 devices"));
    let csrf = member.csrf();
    let gone = admin
        .post(
            &format!("/canvas/admin/members/{JEAN}/devices/remove"),
            &[("csrf", csrf.as_str()), ("mac", "02aa00000001")],
        )
        .await?;
    assert_eq!(gone.status, 303, "{gone:?}");
    let member = admin
        .get(&format!("/canvas/admin/members/{JEAN}?ok=device_removed"))
        .await?;
    assert!(member.body.contains("The device is removed."));
    assert!(member.body.contains("No device registered."));
    assert!(
        member.body.contains("removed by an admin"),
        "the history says so"
    );
    Ok(())
}

/// Every add or removal counts (refused ones too): past the per-member limit the tenant gets
/// "too many requests" with a way back, and nothing more is decided.
#[tokio::test]
async fn device_changes_are_rate_limited_per_member() -> anyhow::Result<()> {
    let stack = stack_with_gastown().await?;
    let mut jean = tenant(&stack, JEAN).await?;
    let csrf = jean.get("/wifi").await?.csrf();
    let mut statuses = Vec::new();
    for n in 0..12 {
        let mac = format!("02:00:00:00:ff:{n:02x}");
        let page = jean
            .post(
                "/wifi/devices/remove",
                &[("csrf", csrf.as_str()), ("mac", &mac)],
            )
            .await?;
        statuses.push(page.status);
        if page.status == 429 {
            assert!(page.body.contains("Back to your WiFi"), "{}", page.body);
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(
        statuses[..statuses.len() - 1].iter().all(|s| *s == 422),
        "each refused removal before the limit: {statuses:?}"
    );
    Ok(())
}
