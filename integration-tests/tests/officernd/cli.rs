//! `lanyard officernd`: the operator's way in, through the CLI's own code.

use cli::officernd::{Account, OfficeRndCommand};
use integration_tests::Stack;
use integration_tests::officernd::{ORG, WEBHOOK_SECRET};
use officernd_sim::demo;

fn account(secret: &str) -> Account {
    Account {
        slug: demo::DEMO_SLUG.into(),
        client_id: demo::DEMO_CLIENT_ID.into(),
        client_secret: secret.into(),
    }
}

#[tokio::test]
async fn the_cli_tests_the_connection_and_connects_an_officernd_organization() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    let refused =
        cli::officernd::run(&stack.settings, OfficeRndCommand::Test(account("wrong"))).await;
    let message = format!("{:#}", refused.expect_err("a wrong secret is refused"));
    assert!(
        message.contains("refused the client id and secret"),
        "{message}"
    );
    cli::officernd::run(
        &stack.settings,
        OfficeRndCommand::Test(account(demo::DEMO_CLIENT_SECRET)),
    )
    .await?;
    cli::officernd::run(
        &stack.settings,
        OfficeRndCommand::Connect {
            account: account(demo::DEMO_CLIENT_SECRET),
            webhook_secret: Some(WEBHOOK_SECRET.into()),
            public_url: None,
        },
    )
    .await?;
    stack.wait_for_syncs(ORG, 1).await?;
    assert!(stack.member(ORG, crate::ADA).await?.is_some(), "imported");
    // The secret is in the log only sealed.
    let in_clear = stack
        .events_with_data_containing(demo::DEMO_CLIENT_SECRET)
        .await?;
    assert_eq!(in_clear, 0);
    Ok(())
}

#[tokio::test]
async fn connect_registers_lanyards_webhook_endpoint_when_no_secret_is_given() -> anyhow::Result<()>
{
    let stack = Stack::start().await?;
    // The demo's own endpoint is removed: only the one `connect` registers is left.
    stack.officernd.sim.with_orgs(|orgs| {
        if let Some(org) = orgs.get_mut(demo::DEMO_SLUG) {
            org.webhooks.clear();
        }
    });
    cli::officernd::run(
        &stack.settings,
        OfficeRndCommand::Connect {
            account: account(demo::DEMO_CLIENT_SECRET),
            webhook_secret: None,
            public_url: Some(stack.ingest_url.clone()),
        },
    )
    .await?;
    stack.wait_for_syncs(ORG, 1).await?;
    let registered = stack
        .officernd
        .sim
        .with_orgs(|orgs| orgs[demo::DEMO_SLUG].webhooks.clone());
    assert_eq!(registered.len(), 1);
    assert!(
        registered[0]
            .url
            .ends_with("/webhooks/officernd/5f0000000000000000000001")
    );
    // OfficeRnD's deliveries to it are accepted and provisioned.
    let applied = stack
        .officernd_apply(officernd_sim::Change::RemoveMember {
            id: crate::ADA.into(),
        })
        .await?;
    assert_eq!(applied.webhooks[0].1, vec![200]);
    stack
        .member_until(ORG, crate::ADA, "Ada to go", |m| m.is_none())
        .await?;
    Ok(())
}
