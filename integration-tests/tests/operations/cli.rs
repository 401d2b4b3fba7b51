//! `lanyard` against a running system: every listing's JSON carries what a script needs (the
//! member's VLAN and validity start among them), and `lanyard sync` says what it requested and,
//! when the sync ends, what it corrected.

use bus::commands::Command;
use integration_tests::Stack;
use integration_tests::stack::DEMO_ORG;
use serde_json::Value;
use std::time::Duration;

const JEAN: &str = "12346"; // Hot Desk, ACTIVE
const LUCA: &str = "12349"; // a booking today and one tomorrow in Rome
const LUCA_TODAY: &str = "39553";
const RICHARD: &str = "12347"; // team The Cube Team
const MEI: &str = "12350"; // no plan
const HOT_DESK: &str = "916";

#[tokio::test]
async fn every_listing_gives_scripts_json_with_the_members_vlan_and_validity_start()
-> anyhow::Result<()> {
    let stack = Stack::start_installed_with_vlan_pool(100, 199).await?;
    stack.map_demo_locations().await?;
    stack.wait_for_syncs_to_settle().await?;
    let client = stack.pool.get().await?;

    // Luca's meeting today is cancelled; tomorrow's remains: his access is upcoming, and a
    // script sees from when.
    stack
        .sim
        .sim
        .apply(
            DEMO_ORG,
            optix_sim::Change::CancelBooking {
                booking_id: LUCA_TODAY.into(),
            },
            optix_sim::Notify::Webhook,
        )
        .await?;
    let luca_view = stack
        .member_until(DEMO_ORG, LUCA, "only tomorrow's booking", |m| {
            m.is_some_and(|m| m.live_grants(chrono::Utc::now()).next().is_none())
        })
        .await?
        .expect("Luca");
    let tomorrow = luca_view
        .grants
        .iter()
        .filter_map(|g| g.valid_from)
        .min()
        .expect("tomorrow's booking grant starts later");
    assert!(tomorrow > chrono::Utc::now());

    let members = serde_json::to_value(&stack.members().await?)?;
    let line = |user: &str| {
        members
            .as_array()
            .and_then(|all| all.iter().find(|m| m["user_id"] == user))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let richard = line(RICHARD);
    assert_eq!(richard["vlan"], 100, "the team group's VLAN: {richard}");
    assert!(
        richard.get("valid_from").is_some(),
        "present even when empty: {richard}"
    );
    let luca = line(LUCA);
    assert_eq!(luca["access"], "upcoming", "{luca}");
    let from = luca["valid_from"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .unwrap_or_else(|| panic!("Luca's access has a start: {luca}"));
    assert_eq!(from, tomorrow, "{luca}");
    assert!(
        luca.get("vlan").is_some(),
        "present even when empty: {luca}"
    );

    let groups = serde_json::to_value(&cli::configure::group_lines(&client, DEMO_ORG).await?)?;
    assert_eq!(groups[0]["name"], "The Cube Team", "{groups}");
    assert_eq!(groups[0]["vlan"], 100);
    assert_eq!(groups[0]["members"], 2);

    let locations =
        serde_json::to_value(&cli::configure::location_lines(&client, DEMO_ORG).await?)?;
    let rome = locations
        .as_array()
        .and_then(|all| all.iter().find(|l| l["location_id"] == "3391"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(rome["mapped"], true, "{locations}");
    assert_eq!(rome["network"], "trastevere-members");
    assert_eq!(rome["timezone"], "Europe/Rome");

    let plans = serde_json::to_value(&cli::configure::plan_profiles(&client, DEMO_ORG).await?)?;
    assert!(plans["default_profile"]["name"].is_string(), "{plans}");
    assert!(plans["plans"].is_array());

    let syncs = serde_json::to_value(&cli::configure::sync_lines(&client, DEMO_ORG).await?)?;
    // Newest first; the oldest is the import, with what it created per stream.
    let import = syncs
        .as_array()
        .and_then(|all| all.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(import["kind"], "initial", "{syncs}");
    assert_eq!(import["outcome"], "ok");
    assert!(import["users_seen"].as_i64().is_some_and(|n| n > 0));
    assert!(
        import["corrections"].as_array().is_some_and(|c| c
            .iter()
            .any(|c| c["stream"] == format!("member-{DEMO_ORG}-{JEAN}"))),
        "{import}"
    );

    // A tenant tries a new location nobody mapped yet: the admins are told, and so is a script.
    let lisbon = stack.add_optix_location("Alfama", "Europe/Lisbon").await?;
    let report = Command::ReportUnmappedLocation {
        location_id: lisbon.clone(),
        user_id: Some(JEAN.into()),
    };
    stack.command_done(DEMO_ORG, report).await?;
    let notifications =
        serde_json::to_value(&cli::configure::notification_lines(&client, DEMO_ORG).await?)?;
    let unmapped = notifications
        .as_array()
        .and_then(|all| all.iter().find(|n| n["subject"] == lisbon.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("a notification about {lisbon}: {notifications}"));
    assert!(
        unmapped["message"]
            .as_str()
            .is_some_and(|m| m.contains(lisbon.as_str()))
    );
    assert!(unmapped["raised_at"].is_string());
    Ok(())
}

/// What `lanyard sync --wait <wait_secs>` prints for the demo organization.
async fn lanyard_sync(stack: &Stack, wait_secs: u64) -> anyhow::Result<String> {
    let mut out = Vec::new();
    let wait = Duration::from_secs(wait_secs);
    cli::configure::sync(&stack.settings, &stack.pool, DEMO_ORG, wait, &mut out).await?;
    Ok(String::from_utf8(out)?)
}

#[tokio::test]
async fn lanyard_sync_says_what_it_requested_and_what_the_sync_corrected() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    let plan = stack.sim.sim.add_plan(DEMO_ORG, MEI, HOT_DESK).await?;
    stack
        .member_until(DEMO_ORG, MEI, "an account", |m| m.is_some())
        .await?;
    stack.wait_until_provisioned().await?;
    // Optix's cancel_plan_subscription is lost: only a sync can notice.
    stack.sim.sim.cancel_plan_quietly(DEMO_ORG, &plan)?;

    let said = lanyard_sync(&stack, 30).await?;
    assert!(
        said.starts_with(&format!("full sync of organization {DEMO_ORG} requested\n")),
        "{said}"
    );
    assert!(!said.contains("nothing changed"), "{said}");
    assert!(said.contains("1 stream(s) corrected"), "{said}");
    assert!(
        said.contains(&format!("member-{DEMO_ORG}-{MEI}")) && said.contains("AccountSuspended"),
        "names what it corrected: {said}"
    );

    // Nothing left to correct: it says so, after the sync ran.
    let said = lanyard_sync(&stack, 30).await?;
    assert!(said.contains("sync finished"), "{said}");
    assert!(said.contains("nothing needed correcting"), "{said}");

    // While Optix is down the sync cannot end: the command says so instead of pretending.
    stack.sim.sim.fail_next_requests(1_000);
    let unfinished = lanyard_sync(&stack, 3).await;
    stack.sim.sim.fail_next_requests(0);
    let error = format!(
        "{:#}",
        unfinished.expect_err("an unfinished sync is an error")
    );
    assert!(
        error.contains("did not finish within 3 s") || error.contains("failed:"),
        "{error}"
    );
    Ok(())
}

/// `lanyard nas …` as parsed from a command line, run against the stack.
async fn lanyard_nas(stack: &Stack, argv: &[&str]) -> anyhow::Result<()> {
    let parsed = cli::args::parse_from(["lanyard", "nas"].iter().chain(argv))?;
    let cli::args::Command::Nas { command } = parsed.command else {
        anyhow::bail!("not a nas command");
    };
    cli::registry::nas(&stack.settings, &stack.pool, command).await
}

#[tokio::test]
async fn lanyard_nas_adds_lists_and_removes_and_never_shows_the_secret() -> anyhow::Result<()> {
    const SECRET: &str = "cli-nas-secret-4f1a9c";
    let stack = Stack::start_installed().await?;
    stack.map_demo_locations().await?;
    let dir = std::env::temp_dir().join(format!("lanyard-nas-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let secret_file = dir.join("secret");
    std::fs::write(&secret_file, format!("{SECRET}\n"))?;
    let secret_path = secret_file.to_string_lossy().into_owned();
    let add = |id: &'static str, address: &'static str| {
        vec![
            "add",
            "--org",
            DEMO_ORG,
            "--location",
            "3390",
            "--id",
            id,
            "--address",
            address,
            "--dialect",
            "cisco",
            "--ssid",
            "gastown-secure",
            "--ssid",
            "gastown-staff",
        ]
    };
    let mut first = add("lobby-ap", "10.40.0.0/24");
    first.extend(["--secret-file", secret_path.as_str()]);
    lanyard_nas(&stack, &first).await?;

    let client = stack.pool.get().await?;
    let lines = cli::registry::nas_lines(&client, DEMO_ORG).await?;
    let listed = cli::registry::render_nas_lines(DEMO_ORG, &lines);
    assert!(
        listed.contains("lobby-ap") && listed.contains("10.40.0.0/24") && listed.contains("cisco"),
        "{listed}"
    );
    assert!(listed.contains("gastown-secure, gastown-staff"), "{listed}");
    let json = serde_json::to_string(&lines)?;
    assert!(!listed.contains(SECRET) && !json.contains(SECRET));
    assert!(!json.contains("ciphertext"), "not even sealed: {json}");
    assert_eq!(lines[0].coa_port, 3799);

    // Changed without a secret file: the recorded secret stays.
    let mut moved = add("lobby-ap", "10.40.1.9");
    moved.extend(["--coa-port", "1700"]);
    lanyard_nas(&stack, &moved).await?;
    let nas = store::queries::nas(&client, DEMO_ORG, "lobby-ap")
        .await?
        .expect("lobby-ap");
    assert_eq!((nas.address.as_str(), nas.coa_port), ("10.40.1.9/32", 1700));
    let opened = secrets::open_nas_secret(&stack.keys, DEMO_ORG, "lobby-ap", &nas.secret)?;
    assert_eq!(opened.expose(), SECRET);

    // Bad input is refused with what to fix; the secret never goes on the command line.
    for (argv, expected) in [
        (add("Lobby AP", "10.41.0.1"), "a–z, 0–9"),
        (add("second", "10.41.0.1/16"), "host bits"),
        (
            add("second", "10.40.1.0/24"),
            "NAS addresses may not overlap",
        ),
        (add("second", "10.41.0.1"), "needs a shared secret"),
    ] {
        let error = format!(
            "{:#}",
            lanyard_nas(&stack, &argv).await.expect_err("refused")
        );
        assert!(error.contains(expected), "{argv:?}: {error}");
    }
    let short = dir.join("short");
    std::fs::write(&short, "too-short")?;
    let mut weak = add("second", "10.41.0.1");
    let short_path = short.to_string_lossy().into_owned();
    weak.extend(["--secret-file", short_path.as_str()]);
    let error = format!("{:#}", lanyard_nas(&stack, &weak).await.expect_err("short"));
    assert!(error.contains("16–128 printable"), "{error}");
    let mut in_argv = add("second", "10.41.0.1");
    in_argv.extend(["--secret", SECRET]);
    assert!(lanyard_nas(&stack, &in_argv).await.is_err());

    lanyard_nas(&stack, &["remove", "--org", DEMO_ORG, "--id", "lobby-ap"]).await?;
    let error = lanyard_nas(&stack, &["remove", "--org", DEMO_ORG, "--id", "lobby-ap"])
        .await
        .expect_err("gone");
    assert!(
        format!("{error:#}").contains("no NAS with this id"),
        "{error:#}"
    );
    let lines = cli::registry::nas_lines(&client, DEMO_ORG).await?;
    assert!(cli::registry::render_nas_lines(DEMO_ORG, &lines).contains("no NAS registered"));
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn lanyard_members_show_lists_the_devices_and_the_limit() -> anyhow::Result<()> {
    let stack = Stack::start_installed().await?;
    stack.map_demo_locations().await?;
    let device = |mac: &str| cli::registry::DeviceArgs {
        org: DEMO_ORG.into(),
        user: JEAN.into(),
        mac: mac.into(),
    };
    let add = cli::registry::DevicesCommand::Add {
        device: device("AA-BB-CC-00-00-0A"),
        name: "Jean's laptop".into(),
    };
    cli::registry::devices(&stack.settings, add).await?;
    let bad = cli::registry::DevicesCommand::Remove(device("not-a-mac"));
    let error = format!(
        "{:#}",
        cli::registry::devices(&stack.settings, bad)
            .await
            .expect_err("bad")
    );
    assert!(error.contains("not a MAC address"), "{error}");
    let client = stack.pool.get().await?;
    let view = cli::members::show_at(&client, DEMO_ORG, JEAN, chrono::Utc::now()).await?;
    let shown = cli::members::render_show(&view);
    assert!(shown.contains("devices: 1 of 5"), "{shown}");
    assert!(
        shown.contains("AA:BB:CC:00:00:0A Jean's laptop (bound by admin)"),
        "{shown}"
    );
    let mut history = String::new();
    for event in store::event_log::read_stream(&client, &domain::StreamId::member(DEMO_ORG, JEAN))
        .await?
        .0
    {
        history.push_str(&domain::describe::describe(&event.event, chrono_tz::UTC).0);
        history.push('\n');
    }
    assert!(
        history.contains("device Jean's laptop (AA:BB:CC:00:00:0A) added by an admin"),
        "{history}"
    );
    Ok(())
}
