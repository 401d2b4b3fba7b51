//! The bus against a real nats-server, one test binary: JetStream publishing and consuming,
//! and the authorization configured as production is. (`missing_server_binary` stays its own
//! binary: it changes `NATS_SERVER_BIN` for the whole process.)

mod authorization;
mod backup;
mod cluster;
mod jetstream;
mod pull;

use std::time::Duration;

/// Publishes `payload` durably as a webhook `kind` of organization `org_id`, without headers.
async fn publish_webhook(
    bus: &bus::Bus,
    (org_id, kind): (&str, &str),
    msg_id: &str,
    payload: &str,
    timeout: Duration,
) -> Result<bus::PublishOutcome, bus::BusError> {
    let subject = bus::webhook_subject(org_id, kind);
    bus.publish_durable(subject, msg_id, &[], payload.to_owned().into(), timeout)
        .await
}
