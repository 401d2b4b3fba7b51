//! A logical backup of what only NATS holds: the webhook stream (deliveries acknowledged to
//! Optix that provision may not have committed yet), the events stream and the installations
//! bucket (with OfficeRnD's sealed webhook secrets). Every message is written with its subject,
//! headers and payload as one JSON line; payloads stay as they are on the bus (webhooks sealed,
//! events with their sealed fields sealed), so the file holds no secret in clear.
//!
//! Restoring publishes the messages again into a fresh NATS, in order, with their headers and
//! payloads as they were: the delivery id (in the payload's `webhooks::FRAME`; as
//! `webhooks::DELIVERY_ID` or `Nats-Msg-Id` on older deliveries) keeps provision's
//! deduplication by delivery (a delivery it already committed, as the restored
//! PostgreSQL says, is acknowledged without a second reconciliation).
//! Sequences and stream times are new; a webhook older than the stream's retention is left out,
//! as the original stream would have dropped it.

use crate::{Bus, BusError, EVENTS_STREAM, INSTALLATIONS_BUCKET, js_error};
use async_nats::jetstream::{self, consumer::PullConsumer};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::time::Duration;

/// The backup format's version, in each line: a restore refuses lines it does not know.
const FORMAT: u32 = 1;

/// One message of a stream, as the backup file holds it.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    format: u32,
    stream: String,
    subject: String,
    /// When the stream stored it (Unix seconds).
    stored_at: i64,
    headers: Vec<(String, String)>,
    payload: String,
}

/// What a backup or a restore went through, by stream.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub messages: BTreeMap<String, u64>,
    /// Webhooks older than the stream's retention, left out by a restore.
    pub expired: u64,
    /// The global position of the last event in the events stream (0 when none): a restore's
    /// relay republishes the log after it.
    pub last_event_position: i64,
}

impl Bus {
    /// The streams a backup holds, in the order they are restored.
    fn backed_up_streams(&self) -> [String; 3] {
        [
            format!("KV_{INSTALLATIONS_BUCKET}"),
            self.webhook_stream.clone(),
            EVENTS_STREAM.to_owned(),
        ]
    }

    /// Writes every message of the backed-up streams to `out`, stream by stream, each as it
    /// stood when its turn came.
    pub async fn backup(&self, out: &mut impl Write) -> Result<Summary, BusError> {
        let mut summary = Summary::default();
        for name in self.backed_up_streams() {
            let count = self.backup_stream(&name, out, &mut summary).await?;
            summary.messages.insert(name, count);
        }
        out.flush()
            .map_err(|e| BusError::JetStream(format!("writing the backup: {e}")))?;
        Ok(summary)
    }

    async fn backup_stream(
        &self,
        name: &str,
        out: &mut impl Write,
        summary: &mut Summary,
    ) -> Result<u64, BusError> {
        let stream = self.jetstream.get_stream(name).await.map_err(js_error)?;
        let mut consumer: PullConsumer = stream
            .create_consumer(jetstream::consumer::pull::Config {
                ack_policy: jetstream::consumer::AckPolicy::None,
                inactive_threshold: Duration::from_secs(60),
                ..Default::default()
            })
            .await
            .map_err(js_error)?;
        let pending = consumer.info().await.map_err(js_error)?.num_pending;
        let mut written = 0u64;
        while written < pending {
            let mut batch = consumer
                .fetch()
                .max_messages((pending - written).min(1000) as usize)
                .expires(Duration::from_secs(5))
                .messages()
                .await
                .map_err(js_error)?;
            let before = written;
            while let Some(message) = batch.next().await {
                let message = message.map_err(js_error)?;
                let info = message.info().map_err(js_error)?;
                let line = Line {
                    format: FORMAT,
                    stream: name.to_owned(),
                    subject: message.subject.to_string(),
                    stored_at: info.published.unix_timestamp(),
                    headers: message
                        .headers
                        .iter()
                        .flat_map(|h| h.iter())
                        .flat_map(|(n, values)| {
                            values.iter().map(move |v| (n.to_string(), v.to_string()))
                        })
                        .collect(),
                    payload: BASE64.encode(&message.payload),
                };
                if name == EVENTS_STREAM {
                    summary.last_event_position = summary
                        .last_event_position
                        .max(event_position(&message.payload));
                }
                serde_json::to_writer(&mut *out, &line)
                    .map_err(|e| BusError::JetStream(format!("writing the backup: {e}")))?;
                out.write_all(b"\n")
                    .map_err(|e| BusError::JetStream(format!("writing the backup: {e}")))?;
                written += 1;
            }
            if written == before {
                return Err(BusError::JetStream(format!(
                    "{name}: {written} of {pending} messages read, then nothing more came"
                )));
            }
        }
        Ok(written)
    }

    /// Publishes the messages of a backup into this (fresh) NATS, creating the streams first
    /// as the services would. Webhooks past the retention are left out.
    pub async fn restore(&self, input: impl BufRead) -> Result<Summary, BusError> {
        self.ensure_streams().await?;
        let oldest_webhook = time::OffsetDateTime::now_utc() - self.webhook_retention;
        let mut summary = Summary::default();
        let streams = self.backed_up_streams();
        for (number, line) in input.lines().enumerate() {
            let bad =
                |reason: String| BusError::JetStream(format!("line {}: {reason}", number + 1));
            let line = line.map_err(|e| bad(e.to_string()))?;
            if line.trim().is_empty() {
                continue;
            }
            let line: Line = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
            if line.format != FORMAT {
                return Err(bad(format!(
                    "backup format {} (this lanyard reads {FORMAT})",
                    line.format
                )));
            }
            if !streams.contains(&line.stream) {
                return Err(bad(format!("unknown stream {}", line.stream)));
            }
            if line.stream == self.webhook_stream
                && line.stored_at < oldest_webhook.unix_timestamp()
            {
                summary.expired += 1;
                continue;
            }
            let payload = BASE64
                .decode(&line.payload)
                .map_err(|e| bad(format!("payload: {e}")))?;
            if line.stream == EVENTS_STREAM {
                summary.last_event_position =
                    summary.last_event_position.max(event_position(&payload));
            }
            self.republish(&line, payload)
                .await
                .map_err(|e| bad(e.to_string()))?;
            *summary.messages.entry(line.stream).or_default() += 1;
        }
        Ok(summary)
    }

    async fn republish(&self, line: &Line, payload: Vec<u8>) -> Result<(), BusError> {
        let mut headers = async_nats::HeaderMap::new();
        for (name, value) in &line.headers {
            headers.append(name.as_str(), value.as_str());
        }
        let ack = self
            .jetstream
            .publish_with_headers(line.subject.clone(), headers, payload.into())
            .await
            .map_err(js_error)?;
        tokio::time::timeout(Duration::from_secs(10), ack)
            .await
            .map_err(|_| BusError::Timeout(Duration::from_secs(10)))?
            .map_err(js_error)?;
        Ok(())
    }
}

/// The `position` of a published event (the relay's envelope), 0 if it has none.
fn event_position(payload: &[u8]) -> i64 {
    #[derive(Deserialize)]
    struct Position {
        position: i64,
    }
    serde_json::from_slice::<Position>(payload).map_or(0, |p| p.position)
}
