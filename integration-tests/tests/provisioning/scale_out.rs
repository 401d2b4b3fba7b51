//! Several provision instances (scale-out): the relay runs in one at a time, and each
//! organization is worked by one at a time; a dead instance's share is taken over within
//! seconds.

use crate::event_log::{append_grants, assert_published_once_in_order};
use crate::provisioning::burst_within_budget;
use integration_tests::stack::DEMO_ORG;
use integration_tests::{Stack, StackOptions, eventually, fresh_database};
use provision::lease::Leases;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One provision instance's relay: its leases' keeper and the relay loop, as
/// `provision::Application` runs them.
struct RelayInstance {
    leases: Leases,
    keeper: JoinHandle<()>,
    relay: JoinHandle<()>,
}

impl RelayInstance {
    fn start(
        pool: &deadpool_postgres::Pool,
        bus: &bus::Bus,
        stop: &watch::Receiver<bool>,
    ) -> RelayInstance {
        let leases = Leases::new(4);
        let keeper = tokio::spawn(leases.clone().keep(pool.clone(), stop.clone()));
        let relay = tokio::spawn(provision::relay::run(
            pool.clone(),
            bus.clone(),
            leases.clone(),
            Default::default(),
            stop.clone(),
        ));
        RelayInstance {
            leases,
            keeper,
            relay,
        }
    }

    /// Dies at once: its tasks are dropped mid-work, and its lease connection with them.
    fn kill(self) {
        self.relay.abort();
        self.keeper.abort();
    }
}

async fn events_published(ops: &bus::Bus) -> anyhow::Result<u64> {
    let mut stream = ops.jetstream().get_stream(bus::EVENTS_STREAM).await?;
    Ok(stream.info().await?.state.messages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_relays_publishes_and_the_other_takes_over_the_moment_it_dies()
-> anyhow::Result<()> {
    let nats = bus::testing::NatsServer::start()
        .await
        .map_err(anyhow::Error::msg)?;
    let pool = store::create_pool(&fresh_database().await?, 8)?;
    let bus = bus::Bus::connect(&nats.settings(), bus::auth::Identity::Provision).await?;
    bus.ensure_streams().await?;
    let ops = nats
        .bus_as(bus::auth::Identity::Ops)
        .await
        .map_err(anyhow::Error::msg)?;
    let (_stop_tx, stop) = watch::channel(false);

    let first = RelayInstance::start(&pool, &bus, &stop);
    first.leases.first_check(Duration::from_secs(5)).await;
    let second = RelayInstance::start(&pool, &bus, &stop);
    second.leases.first_check(Duration::from_secs(5)).await;
    assert!(first.leases.is_leader(), "the first instance leads");
    assert!(!second.leases.is_leader(), "one leader at a time");

    // The leader dies while it publishes.
    append_grants(&pool, "a", 200).await?;
    eventually("the leader to publish", Duration::from_secs(10), || async {
        Ok((events_published(&ops).await? > 0).then_some(()))
    })
    .await?;
    first.kill();
    let died = Instant::now();
    append_grants(&pool, "b", 100).await?;
    eventually("the other to lead", Duration::from_secs(10), || async {
        Ok(second.leases.is_leader().then_some(()))
    })
    .await?;
    let takeover = died.elapsed();
    assert!(
        takeover < Duration::from_secs(5),
        "took over in {takeover:?}"
    );
    eventually("every event published", Duration::from_secs(20), || async {
        Ok((events_published(&ops).await? >= 300).then_some(()))
    })
    .await?;
    assert_published_once_in_order(&ops, 300).await?;
    second.kill();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_work_an_organization_within_one_budget_and_one_takes_over_from_the_other()
-> anyhow::Result<()> {
    // Optix allows 4 requests per (shortened) window, and each instance's client keeps to 4:
    // two instances working the organization together would meet 429s.
    let mut stack =
        Stack::start_installed_with(StackOptions::rate_limits(4, 4, Duration::from_secs(2)))
            .await?;
    let second = provision::Application::build(stack.settings.clone()).await?;
    let second_provisioner = second.provisioner();
    let second_leases = second.leases();
    let (stop_second, stopped) = tokio::sync::oneshot::channel::<()>();
    let second = tokio::spawn(second.run_until(async {
        let _ = stopped.await;
    }));

    // As with one instance: the organization's webhooks coalesced by one worker, one budget.
    burst_within_budget(&stack, "Shared", 40).await?;

    // The first instance goes; the second works the organization from now on.
    stack.stop_provision().await?;
    let second_calls = second_provisioner.optix().calls_made();
    let stopped_at = Instant::now();
    // Partitions are taken one lock at a time: the organization's may come before the rest.
    eventually(
        "the second instance to take every partition over",
        Duration::from_secs(5),
        || async {
            let all = second_leases.held_partitions().len() == 16;
            Ok((all && second_leases.holds_org(DEMO_ORG)).then_some(()))
        },
    )
    .await?;
    assert!(second_leases.is_leader(), "and the relay");
    burst_within_budget(&stack, "TakenOver", 10).await?;
    assert!(
        second_provisioner.optix().calls_made() > second_calls,
        "the second instance asked Optix"
    );
    let elapsed = stopped_at.elapsed();
    assert!(
        elapsed < Duration::from_secs(20),
        "worked again in {elapsed:?}"
    );
    let _ = stop_second.send(());
    second.await??;
    Ok(())
}

/// Sends `per_client` token checks from each client at once; answers how long they took.
async fn token_checks_at_once(
    clients: &[optix::api::OptixClient],
    token: &str,
    per_client: usize,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut checks = tokio::task::JoinSet::new();
    for client in clients {
        for _ in 0..per_client {
            let (client, token) = (client.clone(), token.to_owned());
            checks.spawn(async move { client.check_org_token(DEMO_ORG, &token).await });
        }
    }
    while let Some(check) = checks.join_next().await {
        check??;
    }
    Ok(started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sending_with_one_token_keep_to_its_budget_together() -> anyhow::Result<()> {
    // Optix allows 4 requests per (shortened) window of 2 s, and each client keeps to 4 on its
    // own: only a budget they count together keeps two instances from 429s (as when a
    // partition moves to an instance while the previous holder's requests are in the window).
    let window = Duration::from_secs(2);
    let stack = Stack::start_installed_with(StackOptions::rate_limits(4, 4, window)).await?;
    let token = stack.sim.sim.org_token(DEMO_ORG).expect("demo org token");
    let instance = || stack.settings.optix.client(Duration::from_secs(10));
    let shared = || -> anyhow::Result<optix::api::OptixClient> {
        Ok(instance()?.with_shared_budget(std::sync::Arc::new(
            provision::optix_budget::PostgresBudget::new(stack.pool.clone()),
        )))
    };

    let limited_before = stack.sim.sim.rate_limited();
    let took = token_checks_at_once(&[shared()?, shared()?], &token, 4).await?;
    assert_eq!(
        stack.sim.sim.rate_limited(),
        limited_before,
        "never a 429 with the budget shared"
    );
    assert!(
        took >= window,
        "8 requests at 4 per window wait for the next one: {took:?}"
    );

    // The same two instances each counting alone overrun Optix's limit: what the shared budget
    // prevents is real.
    let limited_before = stack.sim.sim.rate_limited();
    token_checks_at_once(&[instance()?, instance()?], &token, 4).await?;
    assert!(
        stack.sim.sim.rate_limited() > limited_before,
        "each instance alone sends 4 in the same window"
    );
    Ok(())
}
