//! The tenant emails end to end: changes in optix-sim → webhooks → provision → relay → NATS →
//! the portal's consumer `portal-notify` → the SMTP sink's Maildir. Every email is read back
//! from the sink, and no email the sink caught may hold any member's passphrase.

use chrono::Utc;
use integration_tests::agent::Agent;
use integration_tests::mail::{Email, Mailbox};
use integration_tests::stack::{DEMO_ORG, GASTOWN, StackOptions, TRASTEVERE};
use integration_tests::{Stack, eventually};
use optix_sim::{Change, Notify};
use std::time::Duration;

const DEDICATED_DESK: &str = "917"; // at Gastown (3390) only
const LUCA: &str = "12349"; // books meeting rooms at Trastevere (3391)
const SOFIA: &str = "12351"; // an admin

fn mailbox() -> Mailbox {
    Mailbox::from_env().unwrap_or_else(|e| panic!("{e:#}"))
}

/// The demo organization installed, both its locations mapped, tenant emails on (the stack's
/// tests leave them off) and reminders scanned every second.
async fn mail_stack(adjust: impl FnOnce(&mut runtime::Settings)) -> anyhow::Result<Stack> {
    mail_stack_in(None, adjust).await
}

/// [`mail_stack`] with the organization's Optix locale set before the app is installed (the
/// install's sync reads it).
async fn mail_stack_in(
    locale: Option<&str>,
    adjust: impl FnOnce(&mut runtime::Settings),
) -> anyhow::Result<Stack> {
    let _ = mailbox();
    let stack = Stack::start_adjusted(StackOptions::default(), |settings| {
        settings.portal.notify_enabled = true;
        settings.portal.reminder_scan_secs = 1;
        adjust(settings);
    })
    .await?;
    anyhow::ensure!(stack.mailbox.is_some(), "the portal has no SMTP sink");
    stack.map_demo_locations().await?;
    if let Some(locale) = locale {
        let change = Change::SetLocale {
            locale: locale.into(),
        };
        stack
            .sim
            .sim
            .apply(DEMO_ORG, change, Notify::Quietly)
            .await?;
    }
    stack.install(DEMO_ORG).await?;
    stack.wait_for_syncs_to_settle().await?;
    Ok(stack)
}

/// A new Optix user (announced by webhook) with an address only this test uses.
async fn new_user(stack: &Stack, name: &str) -> anyhow::Result<(String, String)> {
    let email = format!(
        "{}-{}@notify.test",
        name.to_lowercase(),
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let change = Change::AddUser {
        name: name.into(),
        surname: "Notify".into(),
        email: email.clone(),
        is_admin: false,
    };
    let applied = stack
        .sim
        .sim
        .apply(DEMO_ORG, change, Notify::Webhook)
        .await?;
    let user_id = applied
        .id
        .ok_or_else(|| anyhow::anyhow!("the simulator gave the user no id"))?;
    Ok((user_id, email))
}

/// Subscribes `user_id` to the Dedicated Desk (Gastown), ending in `ends_in_secs` if given;
/// the account plan's id.
async fn add_desk(
    stack: &Stack,
    user_id: &str,
    ends_in_secs: Option<i64>,
) -> anyhow::Result<String> {
    let change = Change::AddPlan {
        user_id: user_id.into(),
        plan_template_id: DEDICATED_DESK.into(),
        starts_in_secs: 0,
        ends_in_secs,
    };
    let applied = stack
        .sim
        .sim
        .apply(DEMO_ORG, change, Notify::Webhook)
        .await?;
    applied
        .id
        .ok_or_else(|| anyhow::anyhow!("the simulator gave the plan no id"))
}

/// The email to `to` whose subject contains `subject`, within `deadline`.
async fn mail_with_subject(to: &str, subject: &str, deadline: Duration) -> anyhow::Result<Email> {
    eventually(
        &format!("an email to {to} about {subject:?}"),
        deadline,
        || async {
            Ok(mailbox()
                .all()?
                .into_iter()
                .find(|e| e.to.contains(to) && e.subject.contains(subject)))
        },
    )
    .await
}

fn count_with_subject(to: &str, subject: &str) -> anyhow::Result<usize> {
    Ok(mailbox()
        .all()?
        .into_iter()
        .filter(|e| e.to.contains(to) && e.subject.contains(subject))
        .count())
}

/// Waits until the relay has published every event of the log and `portal-notify` has handled
/// every member event (none pending, none unacknowledged), so that "no email" means none was
/// sent, not none yet.
async fn notify_caught_up(stack: &Stack) -> anyhow::Result<()> {
    eventually(
        "portal-notify to handle every member event",
        Duration::from_secs(30),
        || async {
            let logged = stack.event_count().await?;
            let mut stream = stack.bus.jetstream().get_stream(bus::EVENTS_STREAM).await?;
            let published = stream.info().await?.state.messages;
            let info = stream
                .consumer_info(bus::NOTIFY_CONSUMER)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let done = published >= u64::try_from(logged)?
                && info.num_pending == 0
                && info.num_ack_pending == 0;
            Ok(done.then_some(()))
        },
    )
    .await
}

/// The outbox rows of a member: (kind, status, attempts), oldest first.
async fn outbox(stack: &Stack, user_id: &str) -> anyhow::Result<Vec<(String, String, i32)>> {
    let client = stack.pool.get().await?;
    let rows = client
        .query(
            "SELECT kind, status, attempts FROM sent_messages
             WHERE org_id = $1 AND user_id = $2 ORDER BY created_at",
            &[&DEMO_ORG, &user_id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The member's passphrase in clear (what the key page shows).
async fn passphrase(stack: &Stack, user_id: &str) -> anyhow::Result<String> {
    stack.passphrase(DEMO_ORG, user_id).await
}

/// No email the sink caught in this whole run (every test's) holds a passphrase of any member
/// of this stack, in any part or encoding the sink stored.
async fn no_email_holds_a_passphrase(stack: &Stack) -> anyhow::Result<()> {
    let client = stack.pool.get().await?;
    let users: Vec<String> = client
        .query(
            "SELECT user_id FROM members WHERE org_id = $1 AND passphrase IS NOT NULL",
            &[&DEMO_ORG],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let emails = mailbox().all()?;
    anyhow::ensure!(!emails.is_empty(), "the sink caught no email at all");
    for user in users {
        let secret = passphrase(stack, &user).await?;
        for email in &emails {
            anyhow::ensure!(
                !email.raw.contains(&secret) && !email.body.contains(&secret),
                "an email to {} ({:?}) holds the passphrase of member {user}",
                email.to,
                email.subject
            );
        }
    }
    Ok(())
}

/// A welcome carries a sign-in link, stored on the connection the email already holds: a
/// handler that asked the pool for a second one waited forever once every connection was held
/// by handlers doing the same (8 at once on a pool of 8 stalled the portal's pages for good in
/// the benchmark). One connection makes that certain, so the welcomes must still come, and so
/// must a reminder (the scan gives its page's connection back before it delivers).
#[tokio::test]
async fn welcomes_and_reminders_are_sent_on_a_pool_of_one_connection() -> anyhow::Result<()> {
    let stack = mail_stack(|settings| settings.database.pool_size = 1).await?;
    // Ends in 12 hours: inside the default 24-hour lead.
    let (ending_user, ending_email) = new_user(&stack, "Uma").await?;
    add_desk(&stack, &ending_user, Some(12 * 3600)).await?;
    mail_with_subject(&ending_email, "ends on", Duration::from_secs(60)).await?;
    let mut newcomers = Vec::new();
    for name in ["Una", "Uri", "Ugo"] {
        let (user, email) = new_user(&stack, name).await?;
        add_desk(&stack, &user, None).await?;
        newcomers.push(email);
    }
    let prefix = format!("{}/l/{DEMO_ORG}/{GASTOWN}/signin", stack.portal_url);
    for email in &newcomers {
        let welcome =
            mail_with_subject(email, "Your WiFi at Gastown", Duration::from_secs(60)).await?;
        assert!(
            welcome.link(&prefix).is_some(),
            "a sign-in link in {}",
            welcome.body
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_new_member_is_welcomed_once_signs_in_by_the_link_and_hears_of_a_new_key()
-> anyhow::Result<()> {
    let stack = mail_stack(|_| {}).await?;
    let (user, email) = new_user(&stack, "Wendy").await?;
    add_desk(&stack, &user, None).await?;

    let welcome =
        mail_with_subject(&email, "Your WiFi at Gastown", Duration::from_secs(30)).await?;
    assert!(welcome.body.contains("gastown-members"), "{}", welcome.body);
    let from = welcome
        .raw
        .lines()
        .find(|line| line.starts_with("From:"))
        .unwrap_or_default();
    assert!(
        from.contains("<wifi@lanyard.test>"),
        "the portal's address: {from}"
    );
    let event_id: uuid::Uuid = stack
        .pool
        .get()
        .await?
        .query_one(
            "SELECT event_id FROM events WHERE stream_id = $1 AND event_type = 'AccessGranted'",
            &[&format!("member-{DEMO_ORG}-{user}")],
        )
        .await?
        .get(0);
    assert!(
        welcome
            .raw
            .contains(&format!("<{event_id}.welcome@127.0.0.1>")),
        "the Message-ID is the event's and the kind's: {}",
        welcome.raw.lines().take(20).collect::<Vec<_>>().join("\n")
    );
    let prefix = format!("{}/l/{DEMO_ORG}/{GASTOWN}/signin", stack.portal_url);
    let link = welcome
        .link(&prefix)
        .ok_or_else(|| anyhow::anyhow!("no sign-in link in {}", welcome.body))?;

    // The link signs in once, onto the key page of that location.
    let mut agent = Agent::new(&stack.portal_url);
    let signed_in = agent.follow_link(&link).await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    assert_eq!(signed_in.location.as_deref(), Some("/wifi"));
    let key = agent.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200, "{}", key.body);
    let first_passphrase = passphrase(&stack, &user).await?;
    assert!(
        key.body.contains(&first_passphrase),
        "the key page shows the key"
    );
    assert_eq!(
        Agent::new(&stack.portal_url)
            .follow_link(&link)
            .await?
            .status,
        410
    );

    // A second grant at the same location: no second welcome.
    add_desk(&stack, &user, None).await?;
    stack
        .member_until(DEMO_ORG, &user, "two grants", |m| {
            m.is_some_and(|m| m.grants.len() == 2)
        })
        .await?;

    // A regenerated passphrase is announced (without itself).
    let csrf = key.csrf();
    let regenerated = agent.post("/wifi/regenerate", &[("csrf", &csrf)]).await?;
    assert!(regenerated.status < 400, "{regenerated:?}");
    let changed = mail_with_subject(
        &email,
        "passphrase at Gastown has changed",
        Duration::from_secs(30),
    )
    .await?;
    assert!(
        changed.body.contains("Reconnect your devices"),
        "{}",
        changed.body
    );
    assert_ne!(passphrase(&stack, &user).await?, first_passphrase);

    // Redeliveries send nothing twice: the grant's event published again under a new message
    // id (as after the stream's duplicate window), then the consumer itself recreated, which
    // delivers every member event since the portal started once more.
    notify_caught_up(&stack).await?;
    republish_first_grant(&stack, &user).await?;
    notify_caught_up(&stack).await?;
    let events = stack.bus.jetstream().get_stream(bus::EVENTS_STREAM).await?;
    events.delete_consumer(bus::NOTIFY_CONSUMER).await?;
    eventually(
        "portal-notify recreated",
        Duration::from_secs(30),
        || async {
            let events = stack.bus.jetstream().get_stream(bus::EVENTS_STREAM).await?;
            Ok(events
                .consumer_info(bus::NOTIFY_CONSUMER)
                .await
                .ok()
                .map(|_| ()))
        },
    )
    .await?;
    notify_caught_up(&stack).await?;
    assert_eq!(count_with_subject(&email, "Your WiFi at Gastown")?, 1);
    assert_eq!(count_with_subject(&email, "has changed")?, 1);
    assert_eq!(
        outbox(&stack, &user).await?,
        [
            ("welcome".to_owned(), "sent".to_owned(), 1),
            ("key_changed".to_owned(), "sent".to_owned(), 1)
        ]
    );
    let metrics = reqwest::get(format!("{}/metrics", stack.portal_ops_url))
        .await?
        .text()
        .await?;
    let sent = telemetry::metrics::sample(
        &metrics,
        "lanyard_notify_messages_total",
        &[("kind", "welcome"), ("outcome", "sent")],
    );
    assert!(sent.is_some_and(|n| n >= 1.0), "{metrics}");
    no_email_holds_a_passphrase(&stack).await
}

/// Publishes the member's first `AccessGranted` again, as the relay did, under a new message id.
async fn republish_first_grant(stack: &Stack, user: &str) -> anyhow::Result<()> {
    let row = stack
        .pool
        .get()
        .await?
        .query_one(
            "SELECT event_id, stream_id, stream_version, data FROM events
             WHERE stream_id = $1 AND event_type = 'AccessGranted' ORDER BY stream_version LIMIT 1",
            &[&format!("member-{DEMO_ORG}-{user}")],
        )
        .await?;
    let event_id: uuid::Uuid = row.get(0);
    let payload = serde_json::json!({
        "event_id": event_id,
        "stream": row.get::<_, String>(1),
        "version": row.get::<_, i64>(2),
        "org_id": DEMO_ORG,
        "event": row.get::<_, serde_json::Value>(3),
    });
    stack
        .bus
        .publish_durable(
            bus::event_subject("member", DEMO_ORG, "AccessGranted"),
            &format!("{event_id}-again"),
            &[],
            serde_json::to_vec(&payload)?.into(),
            Duration::from_secs(5),
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_plan_ending_tomorrow_is_reminded_a_cancelled_one_suspends_and_a_guest_is_invited()
-> anyhow::Result<()> {
    let stack = mail_stack(|_| {}).await?;
    // The organization's settings, as `lanyard mail settings set` sends them: its name and
    // reply-to, reminders two days ahead, and no welcome.
    let settings = domain::messages::MailSettings {
        switched_off: [domain::MessageKind::Welcome].into(),
        sender_name: Some("Gastown Coworking".into()),
        reply_to: Some("desk@gastown.example".into()),
        plan_reminder_hours: 48,
        ..domain::messages::MailSettings::default()
    };
    stack
        .command_done(
            DEMO_ORG,
            bus::commands::Command::SetMailSettings { settings },
        )
        .await?;

    // Ends in 40 hours (tomorrow): past the default 24-hour lead, inside the organization's 48.
    let (user, email) = new_user(&stack, "Rita").await?;
    let plan = add_desk(&stack, &user, Some(40 * 3600)).await?;
    let ending = mail_with_subject(&email, "ends on", Duration::from_secs(30)).await?;
    let member = stack
        .member(DEMO_ORG, &user)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no member"))?;
    let until = member.grants[0]
        .valid_until
        .ok_or_else(|| anyhow::anyhow!("the grant has no end"))?;
    let local = i18n::format_datetime(
        i18n::Lang::En,
        &until.with_timezone(&chrono_tz::America::Vancouver),
    );
    assert!(ending.body.contains(&local), "{local} in {}", ending.body);
    assert!(ending.subject.contains(&local), "{}", ending.subject);
    let header = |name: &str| {
        ending
            .raw
            .lines()
            .find(|line| line.starts_with(name))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header("From:").contains("Gastown Coworking"),
        "{}",
        header("From:")
    );
    assert!(
        header("Reply-To:").contains("desk@gastown.example"),
        "{}",
        header("Reply-To:")
    );

    // The welcome was switched off: recorded, not sent.
    notify_caught_up(&stack).await?;
    let exact_welcome = mailbox()
        .all()?
        .into_iter()
        .filter(|e| e.to.contains(&email) && e.subject == "Your WiFi at Gastown")
        .count();
    assert_eq!(exact_welcome, 0, "a switched-off welcome was sent");
    let rows = outbox(&stack, &user).await?;
    assert!(
        rows.contains(&("welcome".to_owned(), "skipped_off".to_owned(), 0)),
        "{rows:?}"
    );

    // Cancelled: suspended, and told why.
    stack.sim.sim.cancel_plan(DEMO_ORG, &plan).await?;
    let suspended =
        mail_with_subject(&email, "Gastown is suspended", Duration::from_secs(30)).await?;
    assert!(
        suspended.body.contains("was cancelled"),
        "{}",
        suspended.body
    );
    assert!(
        suspended.body.contains("Reply to this email"),
        "{}",
        suspended.body
    );

    // A meeting guest gets the meeting's WiFi with a link to Trastevere, and no welcome.
    let (guest, guest_email) = new_user(&stack, "Gus").await?;
    let start = Utc::now().timestamp() - 60;
    let booking = Change::AddBooking {
        user_id: LUCA.into(),
        location_id: TRASTEVERE.into(),
        resource_name: "Meeting Room B".into(),
        start_timestamp: start,
        end_timestamp: start + 3 * 3600,
        invitees: vec![guest.clone()],
    };
    stack
        .sim
        .sim
        .apply(DEMO_ORG, booking, Notify::Webhook)
        .await?;
    let invited = mail_with_subject(
        &guest_email,
        "WiFi for your meeting at Trastevere",
        Duration::from_secs(30),
    )
    .await?;
    assert!(
        invited.body.contains("trastevere-members"),
        "{}",
        invited.body
    );
    assert!(
        invited
            .link(&format!(
                "{}/l/{DEMO_ORG}/{TRASTEVERE}/signin",
                stack.portal_url
            ))
            .is_some(),
        "{}",
        invited.body
    );
    notify_caught_up(&stack).await?;
    assert_eq!(count_with_subject(&guest_email, "Your WiFi at")?, 0);
    assert_eq!(count_with_subject(&email, "ends on")?, 1, "one reminder");

    // The admin canvas lists the sends: message, member, outcome, attempts; no address.
    let mut admin = Agent::new(&stack.portal_url);
    let token = stack.personal_token(DEMO_ORG, SOFIA)?;
    let signed_in = admin.canvas_sign_in("/canvas/admin", &token).await?;
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    let page = admin.get("/canvas/admin/emails/sent").await?;
    assert_eq!(page.status, 200, "{}", page.body);
    for shown in [
        "Emails to members",
        "Rita Notify",
        "Access ending",
        "Access suspended",
        "Not sent: switched off",
        "Guest invitation",
        "Sent",
    ] {
        assert!(page.body.contains(shown), "{shown:?} in {}", page.body);
    }
    assert!(!page.body.contains(&email), "an address on the page");
    no_email_holds_a_passphrase(&stack).await
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_retried_with_backoff_and_a_deleted_member_gets_nothing()
-> anyhow::Result<()> {
    let sink = mailbox();
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let stack = mail_stack(move |settings| {
        settings.portal.smtp_url = runtime::Secret::new(format!("smtp://127.0.0.1:{port}"));
    })
    .await?;
    let (kept, kept_email) = new_user(&stack, "Kim").await?;
    let (gone, gone_email) = new_user(&stack, "Gil").await?;
    add_desk(&stack, &kept, None).await?;
    add_desk(&stack, &gone, None).await?;
    for user in [&kept, &gone] {
        eventually(
            "two failed attempts of the welcome",
            Duration::from_secs(40),
            || async {
                Ok(outbox(&stack, user)
                    .await?
                    .into_iter()
                    .find(|(kind, status, attempts)| {
                        kind == "welcome" && status == "failed" && *attempts >= 2
                    }))
            },
        )
        .await?;
    }
    let client = stack.pool.get().await?;
    let reason: String = client
        .query_one(
            "SELECT last_error FROM sent_messages WHERE user_id = $1",
            &[&kept],
        )
        .await?
        .get(0);
    assert!(!reason.contains(&kept_email), "{reason}");

    // One member leaves meanwhile; then the SMTP server comes back (a relay on that port).
    let delete = Change::DeleteUser {
        user_id: gone.clone(),
    };
    stack
        .sim
        .sim
        .apply(DEMO_ORG, delete, Notify::Webhook)
        .await?;
    stack
        .member_until(DEMO_ORG, &gone, "the deletion", |m| m.is_none())
        .await?;
    let _relay = relay_smtp(port, &sink.smtp_url).await?;

    let welcome = mail_with_subject(
        &kept_email,
        "Your WiFi at Gastown",
        Duration::from_secs(120),
    )
    .await?;
    assert!(welcome.body.contains("gastown-members"));
    eventually(
        "the deleted member skipped",
        Duration::from_secs(120),
        || async {
            Ok(outbox(&stack, &gone)
                .await?
                .into_iter()
                .find(|(_, status, _)| status == "skipped_deleted"))
        },
    )
    .await?;
    // (Not `notify_caught_up`: the demo members' welcomes are still waiting for their retry.)
    assert_eq!(count_with_subject(&kept_email, "Your WiFi at Gastown")?, 1);
    assert_eq!(
        sink.count(&gone_email, "")?,
        0,
        "a deleted member got an email"
    );
    let rows = outbox(&stack, &kept).await?;
    assert!(
        rows.iter().any(|(kind, status, attempts)| kind == "welcome"
            && status == "sent"
            && *attempts >= 3),
        "{rows:?}"
    );
    no_email_holds_a_passphrase(&stack).await
}

#[tokio::test]
async fn emails_are_in_the_organization_s_locale_until_the_member_chooses_spanish()
-> anyhow::Result<()> {
    // The organization's Optix locale is fr_CA: French by default.
    let stack = mail_stack_in(Some("fr_CA"), |_| {}).await?;
    let (user, email) = new_user(&stack, "Flore").await?;
    add_desk(&stack, &user, None).await?;
    let welcome =
        mail_with_subject(&email, "Votre WiFi à Gastown", Duration::from_secs(30)).await?;
    assert!(
        welcome
            .body
            .contains("Le réseau s’appelle gastown-members."),
        "{}",
        welcome.body
    );
    assert!(
        welcome.body.contains("lang=\"fr\""),
        "the HTML part is French"
    );
    let link = welcome
        .link(&format!(
            "{}/l/{DEMO_ORG}/{GASTOWN}/signin",
            stack.portal_url
        ))
        .ok_or_else(|| anyhow::anyhow!("no link in {}", welcome.body))?;

    // The member chooses Spanish with the key page's switch: their emails follow.
    let mut agent = Agent::new(&stack.portal_url);
    assert_eq!(agent.follow_link(&link).await?.status, 303);
    let key = agent.get("/wifi?start=1").await?;
    assert_eq!(key.status, 200, "{}", key.body);
    let csrf = key.csrf();
    let chose = agent
        .post(
            "/language",
            &[("csrf", &csrf), ("back", "/wifi"), ("lang", "es")],
        )
        .await?;
    assert_eq!(chose.status, 303, "{chose:?}");
    let regenerated = agent.post("/wifi/regenerate", &[("csrf", &csrf)]).await?;
    assert!(regenerated.status < 400, "{regenerated:?}");
    let changed = mail_with_subject(
        &email,
        "Tu contraseña WiFi en Gastown ha cambiado",
        Duration::from_secs(30),
    )
    .await?;
    assert!(
        changed.body.contains("Vuelve a conectar tus dispositivos"),
        "{}",
        changed.body
    );
    no_email_holds_a_passphrase(&stack).await
}

/// Forwards connections on 127.0.0.1:`port` to the SMTP sink (`smtp://host:port`): the
/// mailer's SMTP server coming back. Stops when dropped.
async fn relay_smtp(port: u16, sink_url: &str) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let sink = url::Url::parse(sink_url)?;
    let target = format!(
        "{}:{}",
        sink.host_str().unwrap_or("127.0.0.1"),
        sink.port().unwrap_or(25)
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    Ok(tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    }))
}
