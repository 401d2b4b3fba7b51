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
            webhook_secret: WEBHOOK_SECRET.into(),
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
