//! The admin canvas's WiFi controllers page: the mapped controller and its reconciliations, and
//! "test connection" (through the portal, to the simulated vendor, with the stored key).

use super::*;
use integration_tests::agent::Agent;

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
