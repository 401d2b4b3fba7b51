//! The admin canvas's "Emails" page over HTTP, against the whole stack: an admin switches a
//! message off and rewords one in French (a form with the page's CSRF token, sent to provision
//! as `SetMailSettings`), a wording that does not parse is refused with its line and shown
//! again as typed, a forged token changes nothing, and the page follows the visitor's language.

use domain::messages::MessageKind;
use integration_tests::Stack;
use integration_tests::agent::{Agent, Page};
use integration_tests::stack::DEMO_ORG;

const SOFIA: &str = "12351"; // an admin
const PATH: &str = "/canvas/admin/emails";
const FRENCH_WORDING: &str = "language-name = Français (Québec)\n";

async fn admin(stack: &Stack) -> anyhow::Result<Agent> {
    let token = stack.personal_token(DEMO_ORG, SOFIA)?;
    let mut agent = Agent::new(&stack.portal_url);
    let signed_in = agent.canvas_sign_in("/canvas/admin", &token).await?;
    anyhow::ensure!(signed_in.status == 303, "{signed_in:?}");
    Ok(agent)
}

/// The page's form with every message on except `off`, and `wording_fr`.
async fn save(
    agent: &mut Agent,
    csrf: &str,
    off: MessageKind,
    wording_fr: &str,
) -> anyhow::Result<Page> {
    let switches: Vec<String> = MessageKind::ALL
        .into_iter()
        .filter(|kind| *kind != off)
        .map(|kind| format!("send_{}", kind.label()))
        .collect();
    let mut fields: Vec<(&str, &str)> = switches.iter().map(|s| (s.as_str(), "on")).collect();
    fields.extend([
        ("csrf", csrf),
        ("sender_name", "Coworking Lumière"),
        ("reply_to", "desk@lumiere.example"),
        ("plan_reminder_hours", "48"),
        ("booking_reminder_hours", ""),
        ("wording_fr", wording_fr),
    ]);
    agent.post(PATH, &fields).await
}

/// The `<input …>` tag with this id.
fn input_tag<'a>(body: &'a str, id: &str) -> &'a str {
    let Some(at) = body.find(&format!("id=\"{id}\"")) else {
        panic!("no element {id}");
    };
    let start = body[..at].rfind('<').unwrap_or(0);
    let end = at + body[at..].find('>').unwrap_or(0);
    &body[start..=end]
}

#[tokio::test]
async fn an_admin_switches_a_message_off_and_rewords_it_and_a_broken_wording_is_refused_with_its_line()
-> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let mut agent = admin(&stack).await?;
    let home = agent.get("/canvas/admin/home").await?;
    assert!(
        home.body.contains(&format!("href=\"{PATH}\"")),
        "in the navigation"
    );

    let page = agent.get(PATH).await?;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.h1(), "Emails to tenants");
    assert!(page.body.contains("name=\"send_welcome\""));
    assert!(page.body.contains("name=\"wording_fr\""));
    assert!(
        page.body.contains("Lanyard&#39;s wording (Français)"),
        "{}",
        page.body
    );
    let csrf = page.csrf();

    let saved = save(&mut agent, &csrf, MessageKind::Welcome, FRENCH_WORDING).await?;
    assert_eq!(saved.status, 303, "{saved:?}");
    assert_eq!(
        saved.location.as_deref(),
        Some("/canvas/admin/emails?ok=mail_settings_saved")
    );
    let client = stack.pool.get().await?;
    let settings = store::queries::mail_settings(&client, DEMO_ORG).await?;
    assert!(!settings.sends(MessageKind::Welcome));
    assert!(settings.sends(MessageKind::KeyChanged));
    assert_eq!(settings.sender_name.as_deref(), Some("Coworking Lumière"));
    assert_eq!(settings.reply_to.as_deref(), Some("desk@lumiere.example"));
    assert_eq!(
        (
            settings.plan_reminder_hours,
            settings.booking_reminder_hours
        ),
        (48, None)
    );
    assert_eq!(
        settings.overrides.get("fr").map(String::as_str),
        Some(FRENCH_WORDING)
    );
    let shown = agent.get(&saved.location.unwrap_or_default()).await?;
    assert!(shown.body.contains("The email settings are saved."));
    assert!(
        shown.body.contains("Français (Québec)"),
        "the wording as saved"
    );
    assert!(!input_tag(&shown.body, "send-welcome").contains(" checked"));
    assert!(input_tag(&shown.body, "send-key_changed").contains(" checked"));

    // A wording that does not parse: refused in the page with its line, the text kept as typed.
    let broken = "language-name = Québec\nbroken = {\n";
    let refused = save(&mut agent, &csrf, MessageKind::KeyChanged, broken).await?;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(
        refused.body.contains("Your wording (Français), line 2: "),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("broken = {"), "shown as typed");
    let unchanged = store::queries::mail_settings(&client, DEMO_ORG).await?;
    assert_eq!(unchanged, settings, "nothing saved");

    // A forged token changes nothing.
    let forged = save(&mut agent, "forged", MessageKind::KeyChanged, "").await?;
    assert_ne!(forged.status, 303, "{forged:?}");
    assert_eq!(
        store::queries::mail_settings(&client, DEMO_ORG).await?,
        settings
    );

    // The page in the visitor's language.
    agent.cookies.insert("lanyard_lang".into(), "fr".into());
    let french = agent.get(PATH).await?;
    assert_eq!(french.h1(), "E-mails aux membres");
    Ok(())
}

/// The form may be up to 1.2 MB (six wordings): a visitor who is not signed in is refused on the
/// headers alone, before a byte of the body is read, so anonymous uploads cost the portal
/// nothing.
#[tokio::test]
async fn a_visitor_who_is_not_signed_in_is_refused_before_the_form_s_body_is_read()
-> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stack = Stack::start_installed().await?;
    let address = stack
        .portal_url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut connection = tokio::net::TcpStream::connect(address).await?;
    let head = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\ncsrf=x"
    );
    connection.write_all(head.as_bytes()).await?;
    // The rest of the body never comes: an answer means it was not waited for.
    let mut answer = vec![0u8; 256];
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        connection.read(&mut answer),
    )
    .await
    .map_err(|_| anyhow::anyhow!("no answer until the body was sent: it was being read"))??;
    let status_line = String::from_utf8_lossy(&answer[..read]);
    assert!(status_line.starts_with("HTTP/1.1 401"), "{status_line}");
    Ok(())
}
