//! The admin canvas in the admin's language (issue 21): `Accept-Language: de` gets German
//! pages (the frame, the overview with a notification and its date, members, plans, a form's
//! problem and a form's notice), and a browser asking for nothing in particular keeps English.

use bus::commands::Command;
use integration_tests::Stack;
use integration_tests::agent::{Agent, Page};
use integration_tests::stack::{DEMO_ORG, gastown};

const SOFIA: &str = "12351"; // an admin
const GASTOWN: &str = "3390";
const GERMAN_WEEKDAYS: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];

async fn admin(stack: &Stack, accept_language: Option<&str>) -> anyhow::Result<Agent> {
    let token = stack.personal_token(DEMO_ORG, SOFIA)?;
    let mut agent = Agent::new(&stack.portal_url);
    if let Some(languages) = accept_language {
        agent
            .headers
            .push(("accept-language".into(), languages.into()));
    }
    let signed_in = agent.canvas_sign_in("/canvas/admin", &token).await?;
    anyhow::ensure!(signed_in.status == 303, "{signed_in:?}");
    Ok(agent)
}

/// The plans page's form for the organization's VLAN pool.
async fn set_pool(agent: &mut Agent, csrf: &str, first: &str, last: &str) -> anyhow::Result<Page> {
    let fields = [
        ("csrf", csrf),
        ("action", "pool"),
        ("vlan_first", first),
        ("vlan_last", last),
    ];
    agent.post("/canvas/admin/plans", &fields).await
}

fn assert_shows(page: &Page, texts: &[&str]) {
    for text in texts {
        assert!(page.body.contains(text), "{text:?} in:\n{}", page.body);
    }
}

#[tokio::test]
async fn the_admin_canvas_answers_in_german_when_the_browser_asks_for_it() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_location(DEMO_ORG, GASTOWN, gastown()).await?;
    // A notification for the overview's table: a tenant tried a location nobody mapped.
    let unmapped = stack.add_optix_location("Alfama", "Europe/Lisbon").await?;
    let report = Command::ReportUnmappedLocation {
        location_id: unmapped.clone(),
        user_id: None,
    };
    stack.command_done(DEMO_ORG, report).await?;

    let mut german = admin(&stack, Some("de-DE,de;q=0.9,en;q=0.5")).await?;
    let home = german.get("/canvas/admin/home").await?;
    assert_eq!(home.status, 200, "{home:?}");
    assert_shows(
        &home,
        &[
            "<html lang=\"de\">",
            "Zum Inhalt springen",
            "<span class=\"brand\">WLAN-Verwaltung</span>",
            "<h1>Übersicht</h1>",
            "Benachrichtigungen",
            "nicht zugeordneter Standort",
            &format!("Ein Mieter hat am Optix-Standort {unmapped} nach WLAN gefragt"),
            "Uhr UTC",
            "Jetzt mit Optix synchronisieren",
            ">Mitglieder</a>",
            // The language switch, German marked as the page's.
            "<form class=\"languages\" method=\"post\" action=\"/language\"",
            "value=\"de\" lang=\"de\" class=\"language\" aria-current=\"true\">Deutsch",
        ],
    );
    assert!(
        GERMAN_WEEKDAYS.iter().any(|day| home.body.contains(day)),
        "the notification's date reads in German:\n{}",
        home.body
    );
    assert!(!home.body.contains("Notifications"), "{}", home.body);

    let members = german.get("/canvas/admin/members").await?;
    assert_eq!(members.status, 200, "{members:?}");
    assert_shows(
        &members,
        &[
            "<html lang=\"de\">",
            "<h1>Mitglieder</h1>",
            "WLAN-Kont",
            "Gültig bis",
            "Zeiten sind in der Zeitzone des Standorts jedes Mitglieds angegeben.",
        ],
    );

    let plans = german.get("/canvas/admin/plans").await?;
    assert_eq!(plans.status, 200, "{plans:?}");
    assert_shows(
        &plans,
        &[
            "<html lang=\"de\">",
            "<h1>Tarife und Zugangsprofile</h1>",
            "VLAN-Pool der Organisation",
            "Standardprofil speichern",
            "Download-Limit (kbit/s)",
        ],
    );

    // A form's problem, in German.
    let csrf = plans.csrf();
    let refused = set_pool(&mut german, &csrf, "zehn", "20").await?;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert_shows(
        &refused,
        &[
            "<html lang=\"de\">",
            "role=\"alert\">Das erste VLAN muss eine ganze Zahl sein (eingegeben: &#34;zehn&#34;).",
        ],
    );
    // …and what a form did.
    let saved = set_pool(&mut german, &csrf, "300", "399").await?;
    assert_eq!(saved.status, 303, "{saved:?}");
    let back = german
        .get(saved.location.as_deref().unwrap_or("/canvas/admin/plans"))
        .await?;
    assert_shows(&back, &["Der VLAN-Pool der Organisation ist gespeichert."]);

    // Another admin's browser asks for nothing: English, as before.
    let mut english = admin(&stack, None).await?;
    let home = english.get("/canvas/admin/home").await?;
    assert_eq!(home.status, 200, "{home:?}");
    assert_shows(
        &home,
        &[
            "<html lang=\"en\">",
            "<h1>Overview</h1>",
            "Notifications",
            "unmapped location",
            "Sync with Optix now",
        ],
    );
    assert!(!home.body.contains("Benachrichtigungen"), "{}", home.body);
    Ok(())
}
