//! Backups and restore (docs/operations.md): `scripts/backup.sh` of a running stack, whose
//! provision is down with a webhook acknowledged to Optix and not yet committed, restored by
//! `scripts/restore.sh` into a fresh stack (a new nats-server, an empty database). Nothing
//! acknowledged is lost, the log and the read models are the backup's, the events stream holds
//! every logged event once, and the restored stack goes on working.

use integration_tests::database::empty_database;
use integration_tests::stack::DEMO_ORG;
use integration_tests::{Stack, eventually};
use std::time::Duration;

/// A demo user without a plan in the fixture, and the plan template to give them.
const USER_WITHOUT_PLAN: &str = "12350";
const HOT_DESK_TEMPLATE: &str = "916";

/// The member's access as `lanyard members list` shows it ("live", "none", …), if listed.
async fn access(stack: &Stack, user_id: &str) -> anyhow::Result<Option<String>> {
    Ok(stack
        .members()
        .await?
        .into_iter()
        .find(|m| m.org_id == DEMO_ORG && m.user_id == user_id)
        .map(|m| m.access))
}

async fn until_access(stack: &Stack, user_id: &str, wanted: &str) -> anyhow::Result<()> {
    eventually(
        &format!("member {user_id} to have access {wanted}"),
        Duration::from_secs(20),
        || async { Ok((access(stack, user_id).await?.as_deref() == Some(wanted)).then_some(())) },
    )
    .await
}

/// How many messages a stream holds now.
async fn stream_messages(stack: &Stack, stream: &str) -> anyhow::Result<u64> {
    let mut stream = stack.bus.jetstream().get_stream(stream).await?;
    Ok(stream.info().await?.state.messages)
}

async fn checksums(stack: &Stack) -> anyhow::Result<Vec<(String, i64, String)>> {
    let client = stack.pool.get().await?;
    Ok(store::replay::checksums(&client).await?)
}

/// A digest of the log's first `events` events: ids, streams, versions and data.
async fn log_digest(stack: &Stack, events: i64) -> anyhow::Result<String> {
    let client = stack.pool.get().await?;
    let row = client
        .query_one(
            "SELECT md5(string_agg(event_id::text || stream_id || stream_version || data::text, ','
                                   ORDER BY global_position))
             FROM (SELECT * FROM events ORDER BY global_position LIMIT $1) first",
            &[&events],
        )
        .await?;
    Ok(row.get(0))
}

/// A directory removed on drop.
struct BackupDir(std::path::PathBuf);

impl Drop for BackupDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn a_backup_restored_into_a_fresh_stack_loses_no_acknowledged_webhook_and_goes_on()
-> anyhow::Result<()> {
    let mut before = Stack::start_installed().await?;
    let plan = before
        .sim
        .sim
        .add_plan(DEMO_ORG, USER_WITHOUT_PLAN, HOT_DESK_TEMPLATE)
        .await?;
    until_access(&before, USER_WITHOUT_PLAN, "live").await?;
    before.wait_until_provisioned().await?;

    // Provision down: the cancellation is acknowledged to Optix and lives only in NATS.
    before.stop_provision().await?;
    let webhooks = before.settings.nats.webhook_stream.clone();
    let stored = stream_messages(&before, &webhooks).await?;
    before.sim.sim.cancel_plan(DEMO_ORG, &plan).await?;
    eventually(
        "the cancellation's webhook to be acknowledged",
        Duration::from_secs(20),
        || async { Ok((stream_messages(&before, &webhooks).await? > stored).then_some(())) },
    )
    .await?;
    let logged = before.event_count().await?;
    let log = log_digest(&before, logged).await?;

    let backup = BackupDir(
        std::env::temp_dir().join(format!("lanyard-backup-{}", uuid::Uuid::new_v4().simple())),
    );
    let said = integration_tests::backup::run_script(
        "backup.sh",
        &backup.0,
        &before.config_file(),
        &before.database_url,
    )
    .await?;
    assert!(said.contains("NATS backed up"), "{said}");
    drop(before);

    let after = Stack::start_restored(&backup.0, empty_database().await?).await?;
    // The restored provision works the webhook the first stack never committed: Optix (a new
    // simulator with the fixture's state, where the member has no plan) says the plan is gone.
    eventually(
        "the restored provision to work the pending webhook",
        Duration::from_secs(30),
        || async {
            let client = after.pool.get().await?;
            let revoked: i64 = client
                .query_one(
                    "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'AccessRevoked'",
                    &[&format!("member-{DEMO_ORG}-{USER_WITHOUT_PLAN}")],
                )
                .await?
                .get(0);
            Ok((revoked == 1).then_some(()))
        },
    )
    .await?;
    assert_ne!(
        access(&after, USER_WITHOUT_PLAN).await?.as_deref(),
        Some("live")
    );
    // Everything logged before the backup is there, as it was.
    assert_eq!(
        log_digest(&after, logged).await?,
        log,
        "the log's first {logged} events"
    );
    // The relay has published the log into the restored events stream: every event once.
    eventually(
        "the events stream to hold every logged event once",
        Duration::from_secs(20),
        || async {
            let logged = after.event_count().await?;
            let published = stream_messages(&after, bus::EVENTS_STREAM).await?;
            anyhow::ensure!(
                published <= logged as u64,
                "{published} published for {logged} logged: some twice"
            );
            Ok((published == logged as u64).then_some(()))
        },
    )
    .await?;

    // The installation came back: the new simulator's webhooks are accepted and applied.
    after
        .sim
        .sim
        .add_plan(DEMO_ORG, USER_WITHOUT_PLAN, HOT_DESK_TEMPLATE)
        .await?;
    until_access(&after, USER_WITHOUT_PLAN, "live").await?;
    after.wait_until_provisioned().await?;
    // The restored read models are what the restored log says: a rebuild changes nothing.
    let live = checksums(&after).await?;
    store::replay::rebuild_all(&after.pool, |_, _, _| {}).await?;
    assert_eq!(checksums(&after).await?, live);
    Ok(())
}
