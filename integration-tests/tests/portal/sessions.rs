//! Who is online, from RADIUS accounting (`radius_sessions`): the admin canvas's Sessions page
//! per location, and the member's own devices on their key page.

use bus::commands::Command;
use integration_tests::Stack;
use integration_tests::agent::Agent;
use integration_tests::nas::online_session;
use integration_tests::stack::{DEMO_ORG, gastown};

const JEAN: &str = "12346"; // Hot Desk plan, all locations
const SOFIA: &str = "12351"; // admin
const GASTOWN: &str = "3390";

fn token(stack: &Stack, user: &str) -> anyhow::Result<String> {
    stack
        .sim
        .sim
        .personal_token(DEMO_ORG, user)
        .ok_or_else(|| anyhow::anyhow!("no user {user}"))
}

#[tokio::test]
async fn online_devices_show_to_the_admin_per_location_and_to_their_member() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_location(DEMO_ORG, GASTOWN, gastown()).await?;

    // Jean onboards from the app at Gastown; nothing is online yet.
    let mut tenant = Agent::new(&stack.portal_url);
    let signed_in = tenant
        .canvas_sign_in(
            &format!("/canvas/mobile?location_id={GASTOWN}"),
            &token(&stack, JEAN)?,
        )
        .await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    let key = tenant.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200, "{key:?}");
    assert!(
        key.body
            .contains("None of your devices is on the WiFi right now.")
    );

    let mut admin = Agent::new(&stack.portal_url);
    let signed_in = admin
        .canvas_sign_in("/canvas/admin", &token(&stack, SOFIA)?)
        .await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    let empty = admin.get("/canvas/admin/sessions").await?;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("No device is online at this location."));

    // Jean registers his laptop; it and an unregistered device report sessions at Gastown.
    let laptop = Command::AddDevice {
        user_id: JEAN.into(),
        mac: "0A:1B:2C:3D:4E:5F".into(),
        name: "Jean's laptop".into(),
    };
    stack.command_done(DEMO_ORG, laptop).await?;
    let key = tenant.get("/wifi").await?;
    assert!(key.body.contains("not on the WiFi lately"), "{}", key.body);
    online_session(&stack.pool, DEMO_ORG, GASTOWN, Some(JEAN), "0a1b2c3d4e5f").await?;
    online_session(&stack.pool, DEMO_ORG, GASTOWN, None, "0a1b2c3d4e60").await?;

    let page = admin.get("/canvas/admin/sessions").await?;
    assert_eq!(page.status, 200);
    assert_eq!(page.h1(), "Sessions");
    for expected in [
        "(2 online)",
        "0A:1B:2C:3D:4E:5F",
        &format!("href=\"/canvas/admin/members/{JEAN}\""),
        "Jean",
        "0A:1B:2C:3D:4E:60",
        "device not registered to a member",
        "lobby-ap",
        "↓ 45.0 MB · ↑ 1.2 MB",
    ] {
        assert!(
            page.body.contains(expected),
            "{expected:?} in:\n{}",
            page.body
        );
    }

    let key = tenant.get("/wifi").await?;
    assert!(key.body.contains("Online now"));
    assert!(
        key.body
            .contains("Jean&#39;s laptop (0A:1B:2C:3D:4E:5F) <span class=\"muted\">since"),
        "{}",
        key.body
    );
    assert!(key.body.contains("last on the WiFi"), "{}", key.body);
    // The admin's view of Jean: the device and when it was on the WiFi.
    let jean = admin.get(&format!("/canvas/admin/members/{JEAN}")).await?;
    assert!(jean.body.contains("last on the WiFi"), "{}", jean.body);
    assert!(
        !key.body.contains("0A:1B:2C:3D:4E:60"),
        "another device is not the member's"
    );
    Ok(())
}
