//! The OfficeRnD client (`officernd`) against the simulator: tokens, paging past 50 records,
//! the organization lookup, a refused secret, and the read limit's 429 waited out.

use officernd::model::Member;
use officernd::{ClientSettings, Credentials, OfficeRndClient, OfficeRndError};
use officernd_sim::demo;
use std::time::Duration;

fn client(sim: &officernd_sim::RunningSim, patience: Duration) -> OfficeRndClient {
    OfficeRndClient::new(
        reqwest::Client::new(),
        ClientSettings {
            api_url: sim.url.clone(),
            token_url: sim.token_url.clone(),
            patience,
        },
    )
}

fn demo_org(members: usize) -> officernd_sim::model::Organization {
    let now = chrono::Utc::now();
    let mut org = demo::organization(now);
    for i in 0..members {
        let id = format!("{i:024x}");
        org.members.insert(
            id.clone(),
            Member {
                id,
                name: format!("Member {i}"),
                email: Some(format!("m{i}@example.com")),
                company: None,
                location: None,
                calculated_status: Some("active".into()),
                modified_at: None,
            },
        );
    }
    org
}

fn demo_credentials(secret: &str) -> Credentials {
    Credentials::new(demo::DEMO_CLIENT_ID, secret, demo::DEMO_SLUG)
}

#[tokio::test]
async fn the_client_reads_every_page_with_one_cached_token() -> anyhow::Result<()> {
    let sim = officernd_sim::spawn("127.0.0.1:0", Default::default(), vec![demo_org(120)])?;
    let client = client(&sim, Duration::from_secs(5));
    let credentials = demo_credentials(demo::DEMO_CLIENT_SECRET);
    let organization = client.organization(&credentials).await?;
    assert_eq!(organization.id, demo::DEMO_ORG_ID);
    let members: Vec<Member> = client.list(&credentials, "members", &[]).await?;
    assert_eq!(members.len(), 124, "120 and the demo's 4, over three pages");
    let found: Vec<Member> = client
        .list(&credentials, "members", &[("email", "m7@example.com")])
        .await?;
    assert_eq!(found.len(), 1);
    // One token request, one lookup, three pages, one filtered page.
    assert_eq!(sim.sim.api_calls(), 6);
    let refused = client.organization(&demo_credentials("wrong")).await;
    assert!(
        matches!(refused, Err(OfficeRndError::Unauthorized)),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_spent_minute_is_waited_out_within_the_patience() -> anyhow::Result<()> {
    let config = officernd_sim::SimConfig {
        reads_per_minute: 2,
        window: Duration::from_secs(2),
        retry_after_header: false,
        ..Default::default()
    };
    let sim = officernd_sim::spawn("127.0.0.1:0", config, vec![demo_org(0)])?;
    let credentials = demo_credentials(demo::DEMO_CLIENT_SECRET);
    let patient = client(&sim, Duration::from_secs(10));
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let _: Vec<Member> = patient.list(&credentials, "members", &[]).await?;
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "it waited for the next window"
    );
    let impatient = client(&sim, Duration::ZERO);
    let mut limited = false;
    for _ in 0..5 {
        if let Err(OfficeRndError::RateLimited { .. }) =
            impatient.list::<Member>(&credentials, "members", &[]).await
        {
            limited = true;
        }
    }
    assert!(limited, "without patience, a 429 is handed back");
    Ok(())
}
