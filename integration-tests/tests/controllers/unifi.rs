//! UniFi: the mapped WLAN's private pre-shared keys follow the members (VLAN through networks),
//! written back whole with a concurrent-edit check; entries Lanyard does not own survive
//! byte-for-byte; drift is repaired.

use super::*;
use integration_tests::controllers::{UNIFI_LAN, UNIFI_SITE, UNIFI_WLAN};
use serde_json::{Value, json};

fn with_password<'a>(keys: &'a [Value], password: &str) -> Option<&'a Value> {
    keys.iter().find(|k| k["password"] == password)
}

/// An entry made in the UniFi application, with fields Lanyard does not know.
fn foreign_entry(password: &str) -> Value {
    json!({"password": password, "networkconf_id": UNIFI_LAN, "note": "front desk", "x_extra": [1, 2]})
}

/// The stack and controllers (`adjust`) with Gastown mapped to the simulated UniFi WLAN
/// (`limits`: its requests per second and keys).
async fn start_unifi(
    adjust: impl FnOnce(&mut runtime::ControllersSettings),
    limits: (f64, usize),
) -> anyhow::Result<(Stack, integration_tests::controllers::Controllers)> {
    let (stack, controllers) = start(adjust).await?;
    controllers
        .map_unifi(&stack, (DEMO_ORG, GASTOWN), limits)
        .await?;
    Ok((stack, controllers))
}

/// The member's passphrase once provisioning has made their account.
async fn passphrase_soon(stack: &Stack, user_id: &str) -> anyhow::Result<String> {
    integration_tests::eventually("the member's passphrase", SOON, || async move {
        Ok(stack.passphrase(DEMO_ORG, user_id).await.ok())
    })
    .await
}

/// The member's passphrase once their key is on the WLAN, and the WLAN's keys then.
async fn key_of(
    stack: &Stack,
    controllers: &integration_tests::controllers::Controllers,
    user_id: &str,
) -> anyhow::Result<(String, Vec<Value>)> {
    let passphrase = passphrase_soon(stack, user_id).await?;
    let keys = controllers
        .vendor_until(
            "the member's key",
            SOON,
            || controllers.unifi_keys(),
            |keys| with_password(keys, &passphrase).is_some(),
        )
        .await?;
    Ok((passphrase, keys))
}

async fn add_foreign(
    controllers: &integration_tests::controllers::Controllers,
    entry: &Value,
) -> anyhow::Result<()> {
    controllers
        .admin_post(
            &format!("/_admin/unifi/sites/{UNIFI_SITE}/wlans/{UNIFI_WLAN}/keys"),
            entry.clone(),
        )
        .await
}

/// A member gains a plan → a key with the plan's VLAN; the passphrase changes → updated; the
/// plan is cancelled → gone. The team member's key carries the team's VLAN. An entry Lanyard
/// does not own survives every read–modify–write byte-for-byte.
#[tokio::test]
async fn unifi_keys_follow_plans_passphrases_and_teams() -> anyhow::Result<()> {
    let (stack, controllers) = start_unifi(|_| {}, (20.0, 1000)).await?;
    let foreign = foreign_entry("front-desk-pass");
    add_foreign(&controllers, &foreign).await?;
    let richard_pass = stack.passphrase(DEMO_ORG, RICHARD).await?;
    let keys = controllers
        .vendor_until(
            "Richard's key",
            SOON,
            || controllers.unifi_keys(),
            |keys| with_password(keys, &richard_pass).is_some(),
        )
        .await?;
    let team_vlan = stack
        .member(DEMO_ORG, RICHARD)
        .await?
        .and_then(|m| m.group)
        .and_then(|g| g.vlan);
    assert!(team_vlan.is_some());
    let key = with_password(&keys, &richard_pass).expect("Richard's key");
    assert_eq!(
        controllers.unifi_vlan(key),
        team_vlan,
        "the team's VLAN (a network made for it)"
    );

    let (mei, plan) = member_with_plan(&stack, "Mei", None).await?;
    let (mei_pass, keys) = key_of(&stack, &controllers, &mei).await?;
    let expected_vlan = stack.member(DEMO_ORG, &mei).await?.and_then(|m| {
        m.live_grants(chrono::Utc::now())
            .find_map(|g| g.network.as_ref().and_then(|n| n.vlan))
    });
    let key = with_password(&keys, &mei_pass).expect("Mei's key");
    assert_eq!(
        controllers.unifi_vlan(key),
        expected_vlan,
        "the plan profile's VLAN"
    );

    let fresh = regenerate(&stack, &mei).await?;
    controllers
        .vendor_until(
            "Mei's new passphrase",
            SOON,
            || controllers.unifi_keys(),
            |keys| {
                with_password(keys, &fresh).is_some() && with_password(keys, &mei_pass).is_none()
            },
        )
        .await?;

    stack.sim.sim.cancel_plan(DEMO_ORG, &plan).await?;
    let keys = controllers
        .vendor_until(
            "Mei's key gone",
            SOON,
            || controllers.unifi_keys(),
            |keys| with_password(keys, &fresh).is_none(),
        )
        .await?;
    let survived = with_password(&keys, "front-desk-pass").expect("the front desk's entry");
    assert_eq!(
        serde_json::to_string(survived)?,
        serde_json::to_string(&foreign)?,
        "an entry Lanyard does not own is kept byte-for-byte"
    );
    let wlan = controllers
        .vendor
        .unifi
        .wlan(UNIFI_SITE, UNIFI_WLAN)
        .expect("the WLAN");
    assert_eq!(
        wlan["x_passphrase"], "front-door-passphrase",
        "the rest of the WLAN kept"
    );
    Ok(())
}

/// A key deleted and one moved to another network in the UniFi application are put back at the
/// next periodic reconciliation, which records the drift.
#[tokio::test]
async fn unifi_drift_is_repaired_and_reported() -> anyhow::Result<()> {
    let (stack, controllers) = start_unifi(|s| s.reconcile_interval_secs = 3, (20.0, 1000)).await?;
    let jean = stack.passphrase(DEMO_ORG, JEAN).await?;
    let richard = stack.passphrase(DEMO_ORG, RICHARD).await?;
    let keys = controllers
        .vendor_until(
            "both keys",
            SOON,
            || controllers.unifi_keys(),
            |keys| with_password(keys, &jean).is_some() && with_password(keys, &richard).is_some(),
        )
        .await?;
    let richard_key = with_password(&keys, &richard).expect("Richard's").clone();
    let before = settled(&stack).await?;
    let admin = |password: &str| {
        format!(
            "{}/_admin/unifi/sites/{UNIFI_SITE}/wlans/{UNIFI_WLAN}/keys/{password}",
            controllers.vendor_url
        )
    };
    controllers
        .http
        .delete(admin(&jean))
        .send()
        .await?
        .error_for_status()?;
    controllers
        .http
        .put(admin(&richard))
        .json(&json!({"password": richard, "networkconf_id": UNIFI_LAN}))
        .send()
        .await?
        .error_for_status()?;
    controllers
        .vendor_until(
            "the drift repaired",
            SOON,
            || controllers.unifi_keys(),
            |keys| {
                with_password(keys, &jean).is_some()
                    && with_password(keys, &richard)
                        .is_some_and(|k| k["networkconf_id"] == richard_key["networkconf_id"])
            },
        )
        .await?;
    reconciliation_recorded(&stack, GASTOWN, (before, "any", 2)).await
}

/// Someone adds an entry between Lanyard's read of the WLAN and its write: Lanyard sees the
/// WLAN changed, reads it again, and both the new member's key and that entry are there.
#[tokio::test]
async fn unifi_concurrent_edit_loses_no_update() -> anyhow::Result<()> {
    let (stack, controllers) = start_unifi(|_| {}, (20.0, 1000)).await?;
    let richard = stack.passphrase(DEMO_ORG, RICHARD).await?;
    controllers
        .vendor_until(
            "Richard's key",
            SOON,
            || controllers.unifi_keys(),
            |keys| with_password(keys, &richard).is_some(),
        )
        .await?;
    let concurrent = foreign_entry("added-meanwhile");
    controllers
        .admin_post(
            &format!("/_admin/unifi/sites/{UNIFI_SITE}/wlans/{UNIFI_WLAN}/keys/after_next_read"),
            concurrent.clone(),
        )
        .await?;
    let (mei, _) = member_with_plan(&stack, "Mei", None).await?;
    let (_, keys) = key_of(&stack, &controllers, &mei).await?;
    let kept = with_password(&keys, "added-meanwhile").expect("the concurrent edit is not lost");
    assert_eq!(kept, &concurrent);
    Ok(())
}

/// A controller answering 2 requests/s (and a 429 spell): 100 members' keys converge, and
/// Lanyard's own budget (2/s) keeps it from a 429 of the controller's own.
#[tokio::test]
async fn unifi_rate_limit_converges_and_is_never_exceeded() -> anyhow::Result<()> {
    let (stack, controllers) = start(|s| s.unifi_requests_per_second = 2).await?;
    members_synced(&stack, 100).await?;
    controllers.fail_for(429, 3.0).await?;
    controllers
        .map_unifi(&stack, (DEMO_ORG, GASTOWN), (2.0, 1000))
        .await?;
    controllers
        .vendor_until(
            "102 keys and more",
            Duration::from_secs(60),
            || controllers.unifi_keys(),
            |keys| keys.len() >= 102,
        )
        .await?;
    let stats = controllers
        .vendor
        .shared
        .stats(&format!("unifi:{UNIFI_SITE}"));
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    // A bucket of 2 at 2/s: at most 2 + 2 in any one second.
    assert!(stats.max_per_second <= 4, "{stats:?}");
    Ok(())
}

/// The WLAN's key limit is enforced before the controller would refuse: a plan that would
/// cross it changes nothing and is recorded `over_limit`.
#[tokio::test]
async fn unifi_key_limit_is_enforced_before_the_controller_refuses() -> anyhow::Result<()> {
    let (stack, controllers) = start_unifi(|s| s.unifi_keys_per_wlan = 1, (20.0, 1000)).await?;
    let pool = stack.pool.clone();
    integration_tests::eventually("an over_limit reconciliation", SOON, || {
        let pool = pool.clone();
        async move {
            let client = pool.get().await?;
            let found: i64 = client
                .query_one("SELECT count(*) FROM controller_reconciliations WHERE vendor = 'unifi' AND outcome = 'over_limit'", &[])
                .await?
                .get(0);
            Ok((found > 0).then_some(()))
        }
    })
    .await?;
    assert!(
        controllers.unifi_keys().is_empty(),
        "nothing written over the limit"
    );
    assert_eq!(controllers.vendor.unifi.puts(UNIFI_SITE), 0);
    Ok(())
}
