//! `lanyard mail …` against a running system: the operator switches messages off and sets the
//! sender, the settings read back as a table, a bad reply-to and a broken wording are refused
//! with what to fix (the wording with its line), and a wording round-trips. Provision refuses
//! the same mistakes when a sender skips the CLI's own check.

use bus::commands::{Command, RefusalCode, Reply};
use domain::messages::{MailSettings, MessageKind};
use integration_tests::Stack;
use integration_tests::stack::DEMO_ORG;

const FRENCH_WORDING: &str = "# Our own words.\nlanguage-name = Français (Québec)\n";

/// `lanyard mail …` as parsed from a command line, run against the stack.
async fn lanyard_mail(stack: &Stack, argv: &[&str]) -> anyhow::Result<()> {
    let parsed = cli::args::parse_from(["lanyard", "mail"].iter().chain(argv))?;
    let cli::args::Command::Mail { command } = parsed.command else {
        anyhow::bail!("not a mail command");
    };
    cli::mail::mail(&stack.settings, &stack.pool, command).await
}

async fn settings(stack: &Stack) -> anyhow::Result<MailSettings> {
    let client = stack.pool.get().await?;
    Ok(store::queries::mail_settings(&client, DEMO_ORG).await?)
}

#[tokio::test]
async fn lanyard_mail_sets_shows_and_refuses_with_what_to_fix() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    assert_eq!(settings(&stack).await?, MailSettings::default(), "defaults");

    let set = |extra: &'static [&'static str]| {
        let mut argv = vec!["settings", "set", "--org", DEMO_ORG];
        argv.extend(extra);
        argv
    };
    lanyard_mail(
        &stack,
        &set(&[
            "--off",
            "welcome,guest_invited",
            "--sender-name",
            "Coworking Lumière",
            "--reply-to",
            "desk@lumiere.example",
            "--booking-reminder-hours",
            "2",
        ]),
    )
    .await?;
    let stored = settings(&stack).await?;
    assert!(!stored.sends(MessageKind::Welcome) && !stored.sends(MessageKind::GuestInvited));
    assert!(stored.sends(MessageKind::AccessEnding));
    assert_eq!(stored.sender_name.as_deref(), Some("Coworking Lumière"));
    assert_eq!(stored.reply_to.as_deref(), Some("desk@lumiere.example"));
    assert_eq!(
        (stored.plan_reminder_hours, stored.booking_reminder_hours),
        (24, Some(2))
    );
    let table = cli::mail::render_settings(DEMO_ORG, &stored);
    assert!(
        table.contains("welcome              no (switched off)"),
        "{table}"
    );
    assert!(
        table.contains("booking reminder     2 h before the end"),
        "{table}"
    );

    // Only what is given changes.
    lanyard_mail(&stack, &set(&["--on", "welcome", "--no-reply-to"])).await?;
    let stored = settings(&stack).await?;
    assert!(stored.sends(MessageKind::Welcome) && !stored.sends(MessageKind::GuestInvited));
    assert_eq!(stored.reply_to, None);
    assert_eq!(stored.sender_name.as_deref(), Some("Coworking Lumière"));

    // Mistakes say what to fix and change nothing.
    for (argv, expected) in [
        (set(&["--reply-to", "desk"]), "not an email address"),
        (set(&["--plan-reminder-hours", "0"]), "between 1 and 720"),
        (
            set(&["--sender-name", "Desk\r\nBcc: x@example.com"]),
            "may not contain",
        ),
        (set(&[]), "nothing to set"),
    ] {
        let error = lanyard_mail(&stack, &argv).await.expect_err("refused");
        assert!(
            format!("{error:#}").contains(expected),
            "{argv:?}: {error:#}"
        );
    }
    assert_eq!(settings(&stack).await?, stored);
    Ok(())
}

#[tokio::test]
async fn lanyard_mail_override_round_trips_and_a_broken_wording_names_its_line()
-> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let dir = std::env::temp_dir().join(format!("lanyard-mail-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let good = dir.join("wording.ftl");
    std::fs::write(&good, FRENCH_WORDING)?;
    let good_path = good.to_string_lossy().into_owned();
    let broken = dir.join("broken.ftl");
    std::fs::write(&broken, "language-name = ok\nbroken = {\n")?;
    let broken_path = broken.to_string_lossy().into_owned();
    let over = |lang: &'static str, file: &str| {
        vec![
            "override".to_owned(),
            "--org".into(),
            DEMO_ORG.into(),
            "--lang".into(),
            lang.into(),
            "--file".into(),
            file.into(),
        ]
    };
    let run = async |argv: Vec<String>| {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        lanyard_mail(&stack, &argv).await
    };

    run(over("fr", &good_path)).await?;
    let stored = settings(&stack).await?;
    assert_eq!(
        stored.overrides.get("fr").map(String::as_str),
        Some(FRENCH_WORDING),
        "as written"
    );
    let table = cli::mail::render_settings(DEMO_ORG, &stored);
    assert!(
        table.contains(&format!(
            "own wording fr       {} bytes, 2 lines",
            FRENCH_WORDING.len()
        )),
        "{table}"
    );
    let texts = stored.overrides();
    assert_eq!(
        i18n::Texts::with_overrides(i18n::Lang::Fr, &texts).get("language-name"),
        "Français (Québec)"
    );

    let error = run(over("fr", &broken_path)).await.expect_err("broken");
    let error = format!("{error:#}");
    assert!(error.contains("broken.ftl: line 2:"), "{error}");
    let error = run(over("xx", &good_path))
        .await
        .expect_err("no such language");
    assert!(format!("{error:#}").contains("en, fr, es, de, pt, it"));
    assert_eq!(settings(&stack).await?, stored, "nothing changed");

    // Provision checks again whatever the sender checked: the wording's line, with its code.
    let mut bad = stored.clone();
    bad.overrides
        .insert("de".into(), "language-name = ok\nbroken = {\n".into());
    match stack
        .command(DEMO_ORG, Command::SetMailSettings { settings: bad })
        .await?
    {
        Reply::Refused { code, message } => {
            assert_eq!(code, RefusalCode::InvalidWording);
            assert!(message.starts_with("the de wording: line 2:"), "{message}");
        }
        done => panic!("accepted: {done:?}"),
    }
    let mut bad = stored.clone();
    bad.reply_to = Some("desk".into());
    let reply = stack
        .command(DEMO_ORG, Command::SetMailSettings { settings: bad })
        .await?;
    assert!(
        matches!(&reply, Reply::Refused { code: RefusalCode::Invalid, message } if message.contains("not an email address")),
        "{reply:?}"
    );
    // The same settings again: nothing recorded.
    let again = stack
        .command(DEMO_ORG, Command::SetMailSettings { settings: stored })
        .await?;
    assert_eq!(again, Reply::done(0));

    run(vec![
        "override".into(),
        "--org".into(),
        DEMO_ORG.into(),
        "--lang".into(),
        "fr".into(),
        "--clear".into(),
    ])
    .await?;
    assert!(settings(&stack).await?.overrides.is_empty());
    assert!(cli::mail::wording("pt").is_ok());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
