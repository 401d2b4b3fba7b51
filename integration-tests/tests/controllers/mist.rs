//! Mist: site PSKs for the mapped SSID follow the members (VLAN, expiry), within the token's
//! hourly budget, and drift is repaired.

use super::*;
use chrono::Utc;
use integration_tests::controllers::{MIST_ORG, MIST_SITE, MIST_SSID};
use vendor_sim::mist::Psk;

fn vlan(psk: &Psk) -> Option<u16> {
    psk.vlan_id
        .as_ref()
        .and_then(serde_json::Value::as_u64)
        .and_then(|v| u16::try_from(v).ok())
}

/// A member gains a plan → a PSK with the plan's VLAN and expiry; the passphrase changes →
/// updated; the plan is cancelled → gone. The team member's PSK carries the team's VLAN. A PSK
/// Lanyard does not own is never touched.
#[tokio::test]
async fn mist_keys_follow_plans_passphrases_and_teams() -> anyhow::Result<()> {
    let (stack, controllers) = start(|_| {}).await?;
    controllers
        .map_mist(&stack, (DEMO_ORG, GASTOWN), true, (5000, 3600.0))
        .await?;
    let foreign = controllers.vendor.mist.psks(MIST_ORG);
    assert!(foreign.is_empty());
    controllers
        .admin_post(
            &format!("/_admin/mist/orgs/{MIST_ORG}/psks"),
            serde_json::json!({"name": "front-desk", "passphrase": "front-desk-pass", "ssid": MIST_SSID,
                               "site_id": MIST_SITE, "vlan_id": 5}),
        )
        .await?;
    let foreign = controllers
        .mist_keys()
        .into_iter()
        .find(|k| k.name == "front-desk")
        .expect("made");

    let richard = controllers.key_name(&stack, DEMO_ORG, RICHARD);
    let keys = controllers
        .vendor_until(
            "Richard's PSK",
            SOON,
            || controllers.mist_keys(),
            |keys| keys.iter().any(|k| k.name == richard),
        )
        .await?;
    let key = keys
        .iter()
        .find(|k| k.name == richard)
        .expect("Richard's PSK");
    let team_vlan = stack
        .member(DEMO_ORG, RICHARD)
        .await?
        .and_then(|m| m.group)
        .and_then(|g| g.vlan);
    assert_eq!(vlan(key), team_vlan, "the team's VLAN");
    assert!(team_vlan.is_some());
    assert_eq!(key.passphrase, stack.passphrase(DEMO_ORG, RICHARD).await?);
    assert_eq!(
        (key.ssid.as_str(), key.site_id.as_deref()),
        (MIST_SSID, Some(MIST_SITE))
    );

    let ends = Utc::now().timestamp() + 7 * 86_400;
    let (mei, plan) = member_with_plan(&stack, "Mei", Some(ends - Utc::now().timestamp())).await?;
    let name = controllers.key_name(&stack, DEMO_ORG, &mei);
    let keys = controllers
        .vendor_until(
            "Mei's PSK",
            SOON,
            || controllers.mist_keys(),
            |keys| keys.iter().any(|k| k.name == name),
        )
        .await?;
    let key = keys.iter().find(|k| k.name == name).expect("Mei's PSK");
    let expected_vlan = stack.member(DEMO_ORG, &mei).await?.and_then(|m| {
        m.live_grants(Utc::now())
            .find_map(|g| g.network.as_ref().and_then(|n| n.vlan))
    });
    assert_eq!(vlan(key), expected_vlan, "the plan profile's VLAN");
    let expires = key.expire_time.expect("an expiry");
    assert!(
        (expires - ends).abs() <= 1,
        "expire_time {expires} vs the plan's end {ends}"
    );

    let fresh = regenerate(&stack, &mei).await?;
    controllers
        .vendor_until(
            "Mei's new passphrase",
            SOON,
            || controllers.mist_keys(),
            |keys| keys.iter().any(|k| k.name == name && k.passphrase == fresh),
        )
        .await?;

    stack.sim.sim.cancel_plan(DEMO_ORG, &plan).await?;
    let keys = controllers
        .vendor_until(
            "Mei's PSK gone",
            SOON,
            || controllers.mist_keys(),
            |keys| !keys.iter().any(|k| k.name == name),
        )
        .await?;
    let untouched = keys
        .iter()
        .find(|k| k.id == foreign.id)
        .expect("the front desk's PSK");
    assert_eq!(
        untouched, &foreign,
        "a PSK Lanyard does not own is never touched"
    );
    Ok(())
}

/// A PSK deleted and one edited in the Mist portal are put back at the next periodic
/// reconciliation, which records the drift; organization PSKs (bulk delete) this time.
#[tokio::test]
async fn mist_drift_is_repaired_and_reported() -> anyhow::Result<()> {
    let (stack, controllers) = start(|s| s.reconcile_interval_secs = 3).await?;
    controllers
        .map_mist(&stack, (DEMO_ORG, GASTOWN), false, (5000, 3600.0))
        .await?;
    let jean = controllers.key_name(&stack, DEMO_ORG, JEAN);
    let richard = controllers.key_name(&stack, DEMO_ORG, RICHARD);
    let keys = controllers
        .vendor_until(
            "both PSKs",
            SOON,
            || controllers.mist_keys(),
            |keys| keys.iter().any(|k| k.name == jean) && keys.iter().any(|k| k.name == richard),
        )
        .await?;
    let jean_key = keys
        .iter()
        .find(|k| k.name == jean)
        .expect("Jean's")
        .clone();
    let richard_key = keys
        .iter()
        .find(|k| k.name == richard)
        .expect("Richard's")
        .clone();
    assert_eq!(jean_key.site_id, None, "an organization PSK");
    let before = settled(&stack).await?;
    let admin = |id: &str| {
        format!(
            "{}/_admin/mist/orgs/{MIST_ORG}/psks/{id}",
            controllers.vendor_url
        )
    };
    controllers
        .http
        .delete(admin(&jean_key.id))
        .send()
        .await?
        .error_for_status()?;
    let mut edited = richard_key.clone();
    edited.passphrase = "edited-by-hand".into();
    edited.vlan_id = Some(serde_json::json!(42));
    controllers
        .http
        .put(admin(&richard_key.id))
        .json(&edited)
        .send()
        .await?
        .error_for_status()?;
    controllers
        .vendor_until(
            "the drift repaired",
            SOON,
            || controllers.mist_keys(),
            |keys| {
                keys.iter()
                    .any(|k| k.name == jean && k.passphrase == jean_key.passphrase)
                    && keys.iter().any(|k| {
                        k.name == richard
                            && k.passphrase == richard_key.passphrase
                            && vlan(k) == vlan(&richard_key)
                    })
            },
        )
        .await?;
    reconciliation_recorded(&stack, GASTOWN, (before, "any", 2)).await
}

/// The token's hour shortened to 10 s for 40 calls (4/s, 40 at once): 300 members' PSKs and a
/// 429 spell (which Mist answers without `Retry-After`) converge, and Lanyard's own budget
/// keeps it under the limit otherwise: the simulator answers no 429 of its own.
#[tokio::test]
async fn mist_rate_limit_converges_and_is_never_exceeded() -> anyhow::Result<()> {
    let (stack, controllers) = start(|s| {
        s.mist_calls_per_hour = 40;
        s.mist_hour_secs = 10;
    })
    .await?;
    members_synced(&stack, 300).await?;
    controllers
        .map_mist(&stack, (DEMO_ORG, GASTOWN), true, (40, 10.0))
        .await?;
    controllers
        .vendor_until(
            "300 PSKs and more",
            Duration::from_secs(60),
            || controllers.mist_keys(),
            |keys| keys.len() >= 302,
        )
        .await?;
    controllers.fail_for(429, 3.0).await?;
    let (mei, _) = member_with_plan(&stack, "Mei", None).await?;
    let name = controllers.key_name(&stack, DEMO_ORG, &mei);
    controllers
        .vendor_until(
            "Mei's PSK after the 429s",
            Duration::from_secs(40),
            || controllers.mist_keys(),
            |keys| keys.iter().filter(|k| k.name == name).count() == 1,
        )
        .await?;
    let stats = controllers.vendor.shared.stats(&format!(
        "mist:{}",
        integration_tests::controllers::MIST_TOKEN
    ));
    assert_eq!(
        stats.rate_limited, 0,
        "Lanyard's budget kept it under the limit: {stats:?}"
    );
    assert!(stats.faults > 0, "the 429 spell was met: {stats:?}");
    Ok(())
}
