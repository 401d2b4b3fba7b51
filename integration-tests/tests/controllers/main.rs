//! Cloud WiFi controllers end to end: Optix webhooks → provision → the events stream → the
//! controllers service → the vendors' simulator (vendor-sim), each against real PostgreSQL,
//! NATS and the Optix simulator.

mod canvas;
mod meraki;
mod mist;
mod openwrt;
mod unifi;

use integration_tests::controllers::{Controllers, VendorSim};
use integration_tests::stack::{DEMO_ORG, GASTOWN};
use integration_tests::{Stack, StackOptions};
use optix_sim::{Change, Notify};
use std::time::Duration;

const JEAN: &str = "12346"; // Hot Desk (all locations), ACTIVE
const RICHARD: &str = "12347"; // Dedicated Desk at 3390, team The Cube Team
const HOT_DESK: &str = "916";
/// How long a change may take to reach the vendor in these tests.
const SOON: Duration = Duration::from_secs(20);

/// A stack with the demo organization's locations mapped and the app installed, and the
/// controllers service beside it (`adjust` changes its section).
async fn start(
    adjust: impl FnOnce(&mut runtime::ControllersSettings),
) -> anyhow::Result<(Stack, Controllers)> {
    let vendor = VendorSim::start().await?;
    let stack = Stack::start_adjusted(StackOptions::default(), |s| vendor.point(s)).await?;
    stack.set_vlan_pool(DEMO_ORG, 300, 399).await?;
    stack.map_demo_locations().await?;
    stack.install(DEMO_ORG).await?;
    let controllers = Controllers::start(&stack, vendor, adjust).await?;
    Ok((stack, controllers))
}

/// [`start`], with Gastown mapped to the simulated Meraki SSID and Richard's key there.
async fn gastown_on_meraki() -> anyhow::Result<(Stack, Controllers)> {
    let (stack, controllers) = start(|_| {}).await?;
    controllers.map_meraki(&stack, DEMO_ORG, GASTOWN).await?;
    let richard = controllers.key_name(&stack, DEMO_ORG, RICHARD);
    controllers
        .meraki_until("Richard's key", SOON, |keys| {
            keys.iter().any(|k| k.name == richard)
        })
        .await?;
    // The key is at the vendor a moment before its reconciliation's row is recorded.
    let pool = stack.pool.clone();
    integration_tests::eventually("the first reconciliation recorded", SOON, || {
        let pool = pool.clone();
        async move {
            let client = pool.get().await?;
            let rows: i64 = client
                .query_one("SELECT count(*) FROM controller_reconciliations", &[])
                .await?
                .get(0);
            Ok((rows > 0).then_some(()))
        }
    })
    .await?;
    Ok((stack, controllers))
}

/// A new Optix user (`name`), announced by webhook or quietly: their id.
async fn add_user(stack: &Stack, name: &str, notify: Notify) -> anyhow::Result<String> {
    let user = Change::AddUser {
        name: name.into(),
        surname: "Tester".into(),
        email: format!("{}@example.com", name.to_lowercase()),
        is_admin: false,
    };
    let applied = stack.sim.sim.apply(DEMO_ORG, user, notify).await?;
    applied.id.ok_or_else(|| anyhow::anyhow!("no user id"))
}

/// A hot desk plan for `user_id` ending in `ends_in_secs`: the account plan's id.
async fn add_plan(
    stack: &Stack,
    user_id: &str,
    ends_in_secs: Option<i64>,
    notify: Notify,
) -> anyhow::Result<String> {
    let plan = Change::AddPlan {
        user_id: user_id.into(),
        plan_template_id: HOT_DESK.into(),
        starts_in_secs: 0,
        ends_in_secs,
    };
    let applied = stack.sim.sim.apply(DEMO_ORG, plan, notify).await?;
    applied
        .id
        .ok_or_else(|| anyhow::anyhow!("no account plan id"))
}

/// `n` members with a hot desk plan each, added quietly and brought in by a sync.
async fn members_synced(stack: &Stack, n: usize) -> anyhow::Result<()> {
    for i in 0..n {
        let user = add_user(stack, &format!("Member{i}"), Notify::Quietly).await?;
        add_plan(stack, &user, None, Notify::Quietly).await?;
    }
    stack.request_sync(DEMO_ORG);
    stack.wait_for_syncs(DEMO_ORG, 2).await
}

/// A new Optix user with a hot desk plan ending in `ends_in_secs`: their user id and the
/// account plan's id.
async fn member_with_plan(
    stack: &Stack,
    name: &str,
    ends_in_secs: Option<i64>,
) -> anyhow::Result<(String, String)> {
    let user = add_user(stack, name, Notify::Webhook).await?;
    let plan = add_plan(stack, &user, ends_in_secs, Notify::Webhook).await?;
    Ok((user, plan))
}

/// A new passphrase for `user_id` (as the member asks for one): the new passphrase.
async fn regenerate(stack: &Stack, user_id: &str) -> anyhow::Result<String> {
    stack
        .command_done(
            DEMO_ORG,
            bus::commands::Command::RegeneratePassphrase {
                user_id: user_id.to_owned(),
            },
        )
        .await?;
    stack.passphrase(DEMO_ORG, user_id).await
}

/// Past the backlog of the installation's events (what follows is no event's doing): the
/// latest reconciliation's id.
async fn settled(stack: &Stack) -> anyhow::Result<i64> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    last_reconciliation(stack).await
}

/// The latest reconciliation's id (0: none yet).
async fn last_reconciliation(stack: &Stack) -> anyhow::Result<i64> {
    let client = stack.pool.get().await?;
    Ok(client
        .query_one(
            "SELECT coalesce(max(id), 0) FROM controller_reconciliations",
            &[],
        )
        .await?
        .get(0))
}

/// Reconciliations of `location` after `after`, recorded with `trigger` (`any`: whichever run
/// came first, event-driven or periodic, since both count drift), their drift at least `drift`
/// in all.
async fn reconciliation_recorded(
    stack: &Stack,
    location: &str,
    (after, trigger, drift): (i64, &str, i32),
) -> anyhow::Result<()> {
    let pool = stack.pool.clone();
    integration_tests::eventually("a reconciliation recorded", SOON, || {
        let pool = pool.clone();
        async move {
            let client = pool.get().await?;
            // Summed: two changes made by hand a moment apart may be repaired by two runs.
            let found: i64 = client
                .query_one(
                    "SELECT coalesce(sum(drift), 0) FROM controller_reconciliations
                      WHERE org_id = $1 AND location_id = $2
                        AND ($3 = 'any' OR trigger = $3) AND outcome = 'ok' AND id > $4",
                    &[&DEMO_ORG, &location, &trigger, &after],
                )
                .await?
                .get(0);
            Ok((found >= i64::from(drift)).then_some(()))
        }
    })
    .await
}

/// The event types of `stream`, oldest first.
async fn event_types(stack: &Stack, stream: &str) -> anyhow::Result<Vec<String>> {
    let client = stack.pool.get().await?;
    let rows = client
        .query(
            "SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version",
            &[&stream],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Every row of every table holding `needle` (`integration_tests::database::rows_holding`).
async fn rows_holding(stack: &Stack, needle: &str) -> anyhow::Result<Vec<String>> {
    integration_tests::database::rows_holding(&stack.pool, needle).await
}
