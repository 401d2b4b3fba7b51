//! Meraki: identity PSKs on the mapped SSID follow the members, by VLAN (group policies) and
//! expiry, within 10 requests/s, and drift is repaired.

use super::*;
use chrono::Utc;

/// A member gains a plan → their key appears with the right VLAN and expiry; the passphrase
/// changes → updated; the plan is cancelled → the key is gone. The team member's key carries
/// the team's VLAN. A key Lanyard does not own is never touched.
#[tokio::test]
async fn keys_follow_plans_passphrases_and_teams() -> anyhow::Result<()> {
    let (stack, controllers) = start(|_| {}).await?;
    controllers.map_meraki(&stack, DEMO_ORG, GASTOWN).await?;
    let foreign = controllers
        .http
        .post(controllers.meraki_admin_url(""))
        .json(&serde_json::json!({"name": "front-desk", "passphrase": "front-desk-pass"}))
        .send()
        .await?
        .error_for_status()?
        .json::<vendor_sim::meraki::IdentityPsk>()
        .await?;

    let richard = controllers.key_name(&stack, DEMO_ORG, RICHARD);
    let keys = controllers
        .meraki_until("Richard's key", SOON, |keys| {
            keys.iter().any(|k| k.name == richard)
        })
        .await?;
    let key = keys
        .iter()
        .find(|k| k.name == richard)
        .expect("Richard's key");
    let team_vlan = stack
        .member(DEMO_ORG, RICHARD)
        .await?
        .and_then(|m| m.group)
        .and_then(|g| g.vlan)
        .expect("the team has a VLAN from the pool");
    assert_eq!(
        controllers.meraki_vlan(key),
        Some(team_vlan),
        "the team's VLAN"
    );
    assert_eq!(key.passphrase, stack.passphrase(DEMO_ORG, RICHARD).await?);

    let ends = Utc::now().timestamp() + 7 * 86_400;
    let (mei, plan) = member_with_plan(&stack, "Mei", Some(ends - Utc::now().timestamp())).await?;
    let name = controllers.key_name(&stack, DEMO_ORG, &mei);
    let keys = controllers
        .meraki_until("Mei's key", SOON, |keys| {
            keys.iter().any(|k| k.name == name)
        })
        .await?;
    let key = keys.iter().find(|k| k.name == name).expect("Mei's key");
    assert_eq!(key.passphrase, stack.passphrase(DEMO_ORG, &mei).await?);
    let expected_vlan = stack.member(DEMO_ORG, &mei).await?.and_then(|m| {
        m.live_grants(Utc::now())
            .find_map(|g| g.network.as_ref().and_then(|n| n.vlan))
    });
    assert_eq!(
        controllers.meraki_vlan(key),
        expected_vlan,
        "the plan profile's VLAN"
    );
    let expires = key.expires_at.as_deref().expect("an expiry");
    let expires = chrono::DateTime::parse_from_rfc3339(expires)?.timestamp();
    assert!(
        (expires - ends).abs() <= 1,
        "expiresAt {expires} vs the plan's end {ends}"
    );

    let fresh = regenerate(&stack, &mei).await?;
    controllers
        .meraki_until("Mei's new passphrase", SOON, |keys| {
            keys.iter().any(|k| k.name == name && k.passphrase == fresh)
        })
        .await?;

    stack.sim.sim.cancel_plan(DEMO_ORG, &plan).await?;
    let keys = controllers
        .meraki_until("Mei's key gone", SOON, |keys| {
            !keys.iter().any(|k| k.name == name)
        })
        .await?;
    let untouched = keys
        .iter()
        .find(|k| k.id == foreign.id)
        .expect("the front desk's key");
    assert_eq!(
        untouched, &foreign,
        "a key Lanyard does not own is never touched"
    );
    Ok(())
}

/// A key deleted and one edited in the dashboard are put back at the next periodic
/// reconciliation, which records the drift it corrected.
#[tokio::test]
async fn drift_is_repaired_and_reported() -> anyhow::Result<()> {
    let (stack, controllers) = start(|s| s.reconcile_interval_secs = 3).await?;
    controllers.map_meraki(&stack, DEMO_ORG, GASTOWN).await?;
    let jean = controllers.key_name(&stack, DEMO_ORG, JEAN);
    let richard = controllers.key_name(&stack, DEMO_ORG, RICHARD);
    let keys = controllers
        .meraki_until("both keys", SOON, |keys| {
            keys.iter().any(|k| k.name == jean) && keys.iter().any(|k| k.name == richard)
        })
        .await?;
    let jean_key = keys
        .iter()
        .find(|k| k.name == jean)
        .expect("Jean's key")
        .clone();
    let richard_key = keys
        .iter()
        .find(|k| k.name == richard)
        .expect("Richard's key")
        .clone();
    let before = settled(&stack).await?;
    controllers
        .http
        .delete(controllers.meraki_admin_url(&format!("/{}", jean_key.id)))
        .send()
        .await?
        .error_for_status()?;
    controllers
        .http
        .put(controllers.meraki_admin_url(&format!("/{}", richard_key.id)))
        .json(&serde_json::json!({"passphrase": "edited-by-hand"}))
        .send()
        .await?
        .error_for_status()?;
    controllers
        .meraki_until("the drift repaired", SOON, |keys| {
            keys.iter()
                .any(|k| k.name == jean && k.passphrase == jean_key.passphrase)
                && keys
                    .iter()
                    .any(|k| k.name == richard && k.passphrase == richard_key.passphrase)
        })
        .await?;
    reconciliation_recorded(&stack, GASTOWN, (before, "any", 2)).await
}

/// The vendor down (503) and then rate limiting (429) for a while: the change made meanwhile
/// arrives once it answers again, and nothing is lost.
#[tokio::test]
async fn an_outage_and_rate_limiting_lose_nothing() -> anyhow::Result<()> {
    let (stack, controllers) = gastown_on_meraki().await?;
    controllers.fail_for(503, 4.0).await?;
    let (mei, _) = member_with_plan(&stack, "Mei", None).await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    controllers.fail_for(429, 4.0).await?;
    let (luca, _) = member_with_plan(&stack, "Luca", None).await?;
    let names = [
        controllers.key_name(&stack, DEMO_ORG, &mei),
        controllers.key_name(&stack, DEMO_ORG, &luca),
    ];
    controllers
        .meraki_until(
            "both keys after the outage",
            Duration::from_secs(40),
            |keys| {
                names
                    .iter()
                    .all(|n| keys.iter().filter(|k| &k.name == n).count() == 1)
            },
        )
        .await?;
    let stats = controllers.meraki_stats();
    assert!(stats.faults > 0, "the outage was met: {stats:?}");
    Ok(())
}

/// 2,000 members imported at once: all their keys arrive, none failed, and the organization's
/// rate (10/s, 20 in the first second) is never exceeded: not one 429.
#[tokio::test]
async fn two_thousand_members_within_the_rate() -> anyhow::Result<()> {
    let (stack, controllers) = start(|_| {}).await?;
    members_synced(&stack, 2000).await?;
    controllers.map_meraki(&stack, DEMO_ORG, GASTOWN).await?;
    let keys = controllers
        .meraki_until("2,000 keys and more", Duration::from_secs(180), |keys| {
            keys.len() >= 2002
        })
        .await?;
    let prefix = &controllers.settings.key_prefix;
    let mut names: Vec<&str> = keys
        .iter()
        .filter(|k| k.name.starts_with(prefix))
        .map(|k| k.name.as_str())
        .collect();
    let total = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total, "no key twice");
    let stats = controllers.meraki_stats();
    assert_eq!(stats.rate_limited, 0, "never over the rate: {stats:?}");
    assert!(stats.max_per_second <= 20, "{stats:?}");
    let client = stack.pool.get().await?;
    let failed: i64 = client
        .query_one(
            "SELECT count(*) FROM controller_reconciliations WHERE outcome <> 'ok'",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(failed, 0, "no failed reconciliation");
    Ok(())
}

/// `lanyard controllers map-meraki` (the key from a file: a `MapController` command, recorded as
/// a `ControllerMapped` event), `list` (no key shown), `test` (reaches the SSID with the stored
/// key, refused with a wrong one), `unmap` (a `ControllerUnmapped` event). Neither key is in
/// clear anywhere in PostgreSQL.
#[tokio::test]
async fn lanyard_controllers_maps_tests_and_unmaps() -> anyhow::Result<()> {
    use integration_tests::controllers::MERAKI_API_KEY;
    let (stack, controllers) = start(|_| {}).await?;
    controllers.map_meraki(&stack, DEMO_ORG, GASTOWN).await?;
    let client = stack.pool.get().await?;
    let stored: String = client
        .query_one("SELECT credentials::text FROM controller_mappings", &[])
        .await?
        .get(0);
    assert!(!stored.contains(MERAKI_API_KEY), "sealed at rest");
    let stream = format!("controller-{DEMO_ORG}-{GASTOWN}");
    assert_eq!(
        event_types(&stack, &stream).await?,
        ["ControllerMapped"],
        "the mapping is an event on its own stream"
    );
    controllers
        .lanyard(&stack, &["list", "--org", DEMO_ORG, "--json"], None)
        .await?;
    let test = ["test", "--org", DEMO_ORG, "--location", GASTOWN];
    controllers.lanyard(&stack, &test, None).await?;
    let wrong = [
        "map-meraki",
        "--org",
        DEMO_ORG,
        "--location",
        GASTOWN,
        "--meraki-org",
        integration_tests::controllers::MERAKI_ORG,
        "--network",
        integration_tests::controllers::MERAKI_NETWORK,
        "--ssid",
        "3",
        "--api-key-file",
    ];
    controllers
        .lanyard(&stack, &wrong, Some("not-the-key-0123456789"))
        .await?;
    let refused = controllers.lanyard(&stack, &test, None).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("401")),
        "{refused:?}"
    );
    let unmap = ["unmap", "--org", DEMO_ORG, "--location", GASTOWN];
    controllers.lanyard(&stack, &unmap, None).await?;
    let left: i64 = client
        .query_one("SELECT count(*) FROM controller_mappings", &[])
        .await?
        .get(0);
    assert_eq!(left, 0);
    assert_eq!(
        event_types(&stack, &stream).await?,
        ["ControllerMapped", "ControllerMapped", "ControllerUnmapped"]
    );
    for key in [MERAKI_API_KEY, "not-the-key-0123456789"] {
        let found = rows_holding(&stack, key).await?;
        assert!(found.is_empty(), "a Meraki key in clear: {found:?}");
    }
    Ok(())
}

/// More keys than the SSID takes: nothing is applied (no half list), the reconciliation is
/// recorded `over_limit` and the admins are notified.
#[tokio::test]
async fn over_the_vendor_limit_nothing_is_applied_and_admins_are_told() -> anyhow::Result<()> {
    let (stack, controllers) = start(|s| s.meraki_keys_per_ssid = 1).await?;
    controllers.map_meraki(&stack, DEMO_ORG, GASTOWN).await?;
    let pool = stack.pool.clone();
    integration_tests::eventually("the admins' notification", SOON, || {
        let pool = pool.clone();
        async move {
            let client = pool.get().await?;
            let notes = store::queries::notifications(&client, DEMO_ORG, 20).await?;
            Ok(notes
                .into_iter()
                .find(|n| n.kind == "controller_over_limit" && n.subject == GASTOWN))
        }
    })
    .await?;
    // The notification is the projection of an event on the location's controller stream,
    // recorded once however often the periodic run meets the same limit.
    let stream = format!("controller-{DEMO_ORG}-{GASTOWN}");
    assert_eq!(
        event_types(&stack, &stream).await?,
        ["ControllerMapped", "ControllerOverLimit"]
    );
    let client = stack.pool.get().await?;
    let negative: i64 = client
        .query_one(
            "SELECT count(*) FROM notifications WHERE global_position <= 0",
            &[],
        )
        .await?
        .get(0);
    assert_eq!(negative, 0, "every notification comes from the log");
    let over: i64 = client
        .query_one(
            "SELECT count(*) FROM controller_reconciliations WHERE outcome = 'over_limit'",
            &[],
        )
        .await?
        .get(0);
    assert!(over >= 1);
    assert!(
        controllers.meraki_keys().await?.is_empty(),
        "nothing half-applied"
    );
    Ok(())
}
