//! The tenant portal and its sign-in links work for an OfficeRnD member unchanged: the email is
//! looked up through the log (or OfficeRnD), the onboarding asks OfficeRnD through the adapter.

use crate::{ADA, connected};
use anyhow::Context;
use integration_tests::agent::Agent;
use integration_tests::officernd::ORG;
use integration_tests::stack::location_settings;
use officernd_sim::demo;

#[tokio::test]
async fn an_officernd_member_signs_in_at_the_portal_and_sees_their_key() -> anyhow::Result<()> {
    let stack = connected().await?;
    let berlin = location_settings("Berlin Mitte", "berlin-members", "Europe/Berlin");
    stack.map_location(ORG, demo::BERLIN, berlin).await?;
    let mailbox = stack
        .mailbox
        .as_ref()
        .context("the SMTP sink: run with SMTP_URL and MAILDIR (make test sets them)")?;
    let mut agent = Agent::new(&stack.portal_url);
    agent
        .sign_in(mailbox, ORG, demo::BERLIN, "ada.lovelace@officernd.example")
        .await?;
    let key = agent.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200, "{}", key.body);
    assert!(key.body.contains(&stack.passphrase(ORG, ADA).await?));
    // An email OfficeRnD does not know gets the same answer and no mail.
    let unknown = Agent::new(&stack.portal_url)
        .request_link(ORG, demo::BERLIN, "nobody@officernd.example")
        .await?;
    assert_eq!(unknown.status, 200);
    Ok(())
}
