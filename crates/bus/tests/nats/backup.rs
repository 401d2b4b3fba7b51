//! `Bus::backup` and `Bus::restore` between two real nats-servers: what a backup holds comes
//! back with its subjects, headers and payloads, and a damaged file is refused with the line
//! to look at.

use bus::auth::Identity;
use bus::testing::NatsServer;
use std::time::Duration;

async fn ops_on_new_server() -> anyhow::Result<(NatsServer, bus::Bus)> {
    let server = NatsServer::start().await.map_err(anyhow::Error::msg)?;
    let ops = server
        .bus_as(Identity::Ops)
        .await
        .map_err(anyhow::Error::msg)?;
    Ok((server, ops))
}

#[tokio::test]
async fn a_backup_restored_into_another_server_holds_the_same_messages() -> anyhow::Result<()> {
    let (_first, source) = ops_on_new_server().await?;
    source.ensure_streams().await?;
    for n in 0..3 {
        super::publish_webhook(
            &source,
            ("6267", "plan_subscription_changed"),
            &format!("delivery-{n}"),
            &format!("sealed-{n}"),
            Duration::from_secs(5),
        )
        .await?;
    }
    let event = r#"{"position":41,"event_id":"e"}"#;
    source
        .publish_durable(
            "lanyard.events.member.6267".into(),
            "e",
            &[],
            event.into(),
            Duration::from_secs(5),
        )
        .await?;
    source.installations().await?.record("app", "6267").await?;

    let mut file = Vec::new();
    let backed_up = source.backup(&mut file).await?;
    assert_eq!(backed_up.last_event_position, 41);
    assert_eq!(backed_up.messages.values().sum::<u64>(), 5, "{backed_up:?}");

    let (_second, target) = ops_on_new_server().await?;
    let restored = target.restore(file.as_slice()).await?;
    assert_eq!(restored.messages, backed_up.messages);
    assert_eq!(restored.expired, 0);
    assert!(
        target
            .installations()
            .await?
            .contains("app", "6267")
            .await?
    );
    let mut again = Vec::new();
    target.backup(&mut again).await?;
    let lines = |bytes: &[u8]| -> anyhow::Result<Vec<serde_json::Value>> {
        let mut lines: Vec<serde_json::Value> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(serde_json::from_slice)
            .collect::<Result<_, _>>()?;
        // Stream times are new in the restored server.
        for line in &mut lines {
            line["stored_at"] = serde_json::Value::Null;
        }
        Ok(lines)
    };
    assert_eq!(lines(&again)?, lines(&file)?);
    Ok(())
}

#[tokio::test]
async fn a_damaged_backup_is_refused_with_its_line() -> anyhow::Result<()> {
    let (_server, target) = ops_on_new_server().await?;
    let newer = "\n{\"format\":2,\"stream\":\"LANYARD_EVENTS\",\"subject\":\"x\",\"stored_at\":0,\"headers\":[],\"payload\":\"\"}\n";
    let error = target
        .restore(newer.as_bytes())
        .await
        .expect_err("a newer format")
        .to_string();
    assert!(error.contains("line 2: backup format 2"), "{error}");
    let error = target
        .restore("not json\n".as_bytes())
        .await
        .expect_err("not a backup")
        .to_string();
    assert!(error.contains("line 1"), "{error}");
    Ok(())
}
