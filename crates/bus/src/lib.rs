//! NATS JetStream for Lanyard: the webhook stream (ingest → provision, its contract in
//! [`webhooks`]), the domain events stream (relay → subscribers), commands ([`commands`]) and
//! who may do what ([`auth`]).

pub mod auth;
pub mod backup;
pub mod commands;
mod pull;
pub mod sealing;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhooks;

pub use pull::Pull;
pub use webhooks::{WEBHOOK_SUBJECTS, webhook_subject};

use anyhow::Context;
use async_nats::jetstream::{self, consumer::PullConsumer, stream};
use futures::StreamExt;
use std::collections::HashSet;
use std::future::IntoFuture;
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub const EVENTS_STREAM: &str = "LANYARD_EVENTS";
pub const EVENT_SUBJECTS: &str = "lanyard.events.>";
/// The radius service's durable consumer of member events (revocations → Disconnect-Requests).
pub const DISCONNECT_CONSUMER: &str = "radius-disconnects";
/// Each radius instance's durable consumer of every event (changes → its FreeRADIUS's cached
/// answers fetched again and its handshake matcher's keys reloaded):
/// `radius-instance-<instance>` ([`instance_consumer`]).
pub const INSTANCE_EVENTS_CONSUMER: &str = "radius-instance";
/// An instance's own consumer is removed by JetStream after this long without a pull (the
/// instance is gone); an instance back within it resumes where it was.
pub const INSTANCE_CONSUMER_INACTIVITY: Duration = Duration::from_secs(3600);

/// The durable name of `instance`'s own consumer `prefix` (e.g. [`INSTANCE_EVENTS_CONSUMER`]):
/// every instance of a service that needs every event gets its own.
pub fn instance_consumer(prefix: &str, instance: &str) -> String {
    let instance: String = subject_token(instance).chars().take(64).collect();
    format!("{prefix}-{instance}")
}
/// The portal's durable consumer of member events (the tenant emails, `portal::notify`).
pub const NOTIFY_CONSUMER: &str = "portal-notify";
/// The member events' subjects (`lanyard.events.member.<org>.<type>`).
pub const MEMBER_EVENT_SUBJECTS: &str = "lanyard.events.member.>";
/// The controllers service's durable consumer of the events stream (its only one).
pub const CONTROLLERS_CONSUMER: &str = "controllers";
/// Which organizations installed which Optix app (client_id): ingest records a signed
/// `app_install` and refuses other webhooks of organizations it does not know; provision
/// forgets an install Optix does not confirm and an uninstall Optix confirms.
pub const INSTALLATIONS_BUCKET: &str = "LANYARD_INSTALLATIONS";

/// The subject the relay publishes an event on: `lanyard.events.<category>.<org>.<type>`
/// (proto/events/README.md). The type is the last token so that a consumer is delivered only
/// the types it acts on ([`event_type_filters`]): JetStream filters by subject only.
pub fn event_subject(category: &str, org_id: &str, event_type: &str) -> String {
    format!(
        "lanyard.events.{}.{}.{}",
        subject_token(category),
        subject_token(org_id),
        subject_token(event_type)
    )
}

/// The filter subjects of a consumer that acts only on `event_types` of `category`'s streams,
/// in every organization: each type's subjects, and `lanyard.events.<category>.<org>`, the
/// subjects of events published before the type was part of them (a consumer gets those
/// whole, as before).
pub fn event_type_filters(category: &str, event_types: &[&str]) -> Vec<String> {
    let category = subject_token(category);
    std::iter::once(format!("lanyard.events.{category}.*"))
        .chain(
            event_types.iter().map(|event_type| {
                format!("lanyard.events.{category}.*.{}", subject_token(event_type))
            }),
        )
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot connect to NATS at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("JetStream: {0}")]
    JetStream(String),
    #[error("JetStream did not acknowledge within {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Credentials(#[from] auth::AuthError),
    #[error("nats.replicas must be 1 to 5 (JetStream's limit; 3 on a cluster of three), not {0}")]
    Replicas(usize),
}

/// A durable pull consumer's configuration: explicit acks, redelivered after `ack_wait`, for
/// as long as it takes (never given up on).
fn durable_consumer(durable_name: &str, ack_wait: Duration) -> jetstream::consumer::pull::Config {
    jetstream::consumer::pull::Config {
        durable_name: Some(durable_name.to_owned()),
        ack_policy: jetstream::consumer::AckPolicy::Explicit,
        ack_wait,
        max_deliver: -1,
        ..Default::default()
    }
}

/// The idle heartbeat asked of a continuous pull ([`Bus::pull`]): one that hears nothing, no
/// message and no heartbeat, for twice this long ends, and its caller pulls again. Not
/// shorter: a pull ended while a message is on its way to it gets that message again only
/// after the ack wait (30 s). What made pulls go silent before (4–35 s in about 1 of 40–70
/// benchmark runs) was async-nats's count of what it had asked for ([`pull`]'s module doc).
pub const PULL_HEARTBEAT: Duration = Duration::from_secs(2);

/// Logs what happens to a connection (each is rare) and counts its connections.
fn connection_event(
    identity: &'static str,
    connected: &tokio::sync::watch::Sender<u64>,
    event: async_nats::Event,
) {
    use async_nats::Event;
    match event {
        Event::Connected => {
            connected.send_modify(|connections| *connections += 1);
            tracing::info!(identity, "connected to NATS");
        }
        Event::Disconnected => tracing::warn!(identity, "disconnected from NATS; reconnecting"),
        Event::LameDuckMode => {
            tracing::info!(identity, "the NATS server is entering lame duck mode")
        }
        Event::SlowConsumer(subscription) => {
            tracing::warn!(
                identity,
                subscription,
                "NATS dropped messages of a slow subscription"
            )
        }
        Event::ServerError(error) => tracing::warn!(identity, %error, "NATS server error"),
        Event::ClientError(error) => tracing::warn!(identity, %error, "NATS client error"),
        Event::Draining | Event::Closed => {}
    }
}

pub(crate) fn js_error(e: impl std::fmt::Display) -> BusError {
    BusError::JetStream(e.to_string())
}

/// A message sent by [`Bus::send_durable`] whose JetStream ack is still to come.
pub struct PendingPublish {
    ack: jetstream::context::PublishAckFuture,
}

impl PendingPublish {
    /// Waits (at most `timeout`) for the ack: where the message was stored, or why not.
    pub async fn acknowledged(self, timeout: Duration) -> Result<PublishOutcome, BusError> {
        tokio::time::timeout(timeout, self.ack_arrives())
            .await
            .map_err(|_| BusError::Timeout(timeout))?
    }

    /// The ack, with no deadline of ours: the caller's bounds the wait.
    async fn ack_arrives(self) -> Result<PublishOutcome, BusError> {
        let ack = self.ack.into_future().await.map_err(js_error)?;
        Ok(PublishOutcome {
            duplicate: ack.duplicate,
            sequence: ack.sequence,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishOutcome {
    pub duplicate: bool,
    pub sequence: u64,
}

/// How far behind the webhook consumer is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Backlog {
    pub stream_messages: u64,
    pub stream_bytes: u64,
    /// Messages not yet delivered to the consumer.
    pub pending: u64,
    /// Delivered, not yet acknowledged.
    pub ack_pending: u64,
    /// Delivered more than once and not yet acknowledged.
    pub redelivered: u64,
}

#[derive(Clone)]
pub struct Bus {
    identity: auth::Identity,
    client: async_nats::Client,
    jetstream: jetstream::Context,
    webhook_stream: String,
    duplicate_window: Duration,
    webhook_retention: Duration,
    /// Copies of every stream and bucket (`nats.replicas`).
    replicas: usize,
    /// How many times the client has connected: a pull asks afresh when it moves ([`Pull`]).
    connections: tokio::sync::watch::Receiver<u64>,
}

/// `nats.url` may name several servers of a cluster, comma-separated: each is a server the
/// client may connect (and reconnect) to, not one address.
pub(crate) fn server_urls(url: &str) -> Vec<&str> {
    url.split(',')
        .map(str::trim)
        .filter(|server| !server.is_empty())
        .collect()
}

impl Bus {
    /// A service's bus at start-up: connected as `identity`, with the streams that identity
    /// creates (provision, which owns them: all; ingest, which may start first: the webhook
    /// stream; the others: none).
    pub async fn connect_service(
        settings: &runtime::NatsSettings,
        identity: auth::Identity,
    ) -> anyhow::Result<Bus> {
        let bus = Bus::connect(settings, identity)
            .await
            .context("connecting to NATS")?;
        match identity {
            auth::Identity::Provision => bus
                .ensure_streams()
                .await
                .context("creating JetStream streams")?,
            auth::Identity::Ingest => bus
                .ensure_webhook_stream()
                .await
                .context("creating the webhook stream")?,
            auth::Identity::Portal
            | auth::Identity::Cli
            | auth::Identity::Radius
            | auth::Identity::Controllers
            | auth::Identity::Ops => {}
        }
        Ok(bus)
    }

    /// Connects as `identity` with its seed from the settings (see [`auth::seed_for`]); TLS
    /// is required when `nats.tls_ca_file` is set.
    pub async fn connect(
        settings: &runtime::NatsSettings,
        identity: auth::Identity,
    ) -> Result<Bus, BusError> {
        if !(1..=5).contains(&settings.replicas) {
            return Err(BusError::Replicas(settings.replicas));
        }
        let mut options = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(3))
            .name(format!("lanyard-{}", identity.name()))
            .custom_inbox_prefix(identity.inbox_prefix());
        match auth::seed_for(settings, identity)? {
            Some(seed) => options = options.nkey(seed.expose().to_owned()),
            None => tracing::warn!(
                identity = identity.name(),
                "no NATS credential configured (nats.nkey_seed, nkey_seed_file or credentials_dir): \
                 connecting anonymously, which only a server without authorization accepts"
            ),
        }
        if let Some(ca_file) = &settings.tls_ca_file {
            options = options
                .add_root_certificates(ca_file.clone())
                .require_tls(true);
        }
        let (connected, connections) = tokio::sync::watch::channel(0u64);
        let connected = Arc::new(connected);
        let identity_name = identity.name();
        options = options.event_callback(move |event| {
            let connected = connected.clone();
            async move { connection_event(identity_name, &connected, event) }
        });
        let client = options
            .connect(server_urls(&settings.url))
            .await
            .map_err(|e| BusError::Connect {
                // The URL may carry a token or password: only its redacted form reaches logs.
                url: runtime::redact_url(&settings.url),
                reason: e.to_string(),
            })?;
        let jetstream = jetstream::new(client.clone());
        Ok(Bus {
            identity,
            client,
            jetstream,
            webhook_stream: settings.webhook_stream.clone(),
            duplicate_window: Duration::from_secs(settings.duplicate_window_secs.max(1)),
            webhook_retention: Duration::from_secs(settings.webhook_retention_secs.max(1)),
            replicas: settings.replicas,
            connections,
        })
    }

    pub fn identity(&self) -> auth::Identity {
        self.identity
    }

    pub fn webhook_stream(&self) -> &str {
        &self.webhook_stream
    }

    /// Creates the streams if missing (idempotent): provision's job, which owns them. Streams
    /// (and the bucket) made before with another replica count are moved to `nats.replicas`.
    pub async fn ensure_streams(&self) -> Result<(), BusError> {
        self.ensure_webhook_stream().await?;
        let events = self
            .jetstream
            .get_or_create_stream(stream::Config {
                name: EVENTS_STREAM.into(),
                subjects: vec![EVENT_SUBJECTS.into()],
                storage: stream::StorageType::File,
                duplicate_window: Duration::from_secs(3600),
                num_replicas: self.replicas,
                ..Default::default()
            })
            .await
            .map_err(js_error)?;
        self.update_stream_if_needed(&events.cached_info().config, |_| {})
            .await?;
        let installations = self.installations().await?;
        let bucket = installations
            .store
            .stream
            .clone()
            .get_info()
            .await
            .map_err(js_error)?;
        self.update_stream_if_needed(&bucket.config, |_| {}).await?;
        Ok(())
    }

    /// Moves a stream to `nats.replicas` and whatever `adjust` changes, when it differs from
    /// `current`: an upgrade from one replica to three needs no manual step (JetStream adds
    /// the copies and catches them up while the stream stays in use). Other settings an
    /// operator changed stay.
    async fn update_stream_if_needed(
        &self,
        current: &stream::Config,
        adjust: impl FnOnce(&mut stream::Config),
    ) -> Result<(), BusError> {
        let mut updated = current.clone();
        updated.num_replicas = self.replicas;
        adjust(&mut updated);
        if updated == *current {
            return Ok(());
        }
        self.jetstream
            .update_stream(updated.clone())
            .await
            .map_err(js_error)?;
        tracing::info!(
            stream = %updated.name,
            replicas = updated.num_replicas,
            max_age_secs = updated.max_age.as_secs(),
            "stream configuration updated"
        );
        Ok(())
    }

    /// Creates the webhook stream if missing (idempotent): ingest may start before provision,
    /// and may touch no other stream. Its retention follows `nats.webhook_retention_secs` even
    /// for a stream created before (raw webhooks carry personal data and must not outlive it),
    /// and its replicas `nats.replicas`.
    pub async fn ensure_webhook_stream(&self) -> Result<(), BusError> {
        // JetStream refuses a duplicate window longer than max_age.
        let duplicate_window = self.duplicate_window.min(self.webhook_retention);
        let webhooks = self
            .jetstream
            .get_or_create_stream(stream::Config {
                name: self.webhook_stream.clone(),
                subjects: vec![WEBHOOK_SUBJECTS.into()],
                storage: stream::StorageType::File,
                duplicate_window,
                max_age: self.webhook_retention,
                num_replicas: self.replicas,
                ..Default::default()
            })
            .await
            .map_err(js_error)?;
        // Made before with another retention (older versions kept 14 days): the retention
        // changes (with the window it bounds), whatever else an operator configured stays.
        let retention = self.webhook_retention;
        self.update_stream_if_needed(&webhooks.cached_info().config, |config| {
            if config.max_age != retention {
                config.max_age = retention;
                config.duplicate_window = duplicate_window;
            }
        })
        .await
    }

    /// The installations registry (a JetStream key-value bucket), created if missing.
    pub async fn installations(&self) -> Result<Installations, BusError> {
        let store = match self.jetstream.get_key_value(INSTALLATIONS_BUCKET).await {
            Ok(store) => store,
            Err(_) => self
                .jetstream
                .create_key_value(jetstream::kv::Config {
                    bucket: INSTALLATIONS_BUCKET.into(),
                    description: "Optix organizations that installed a Lanyard app".into(),
                    history: 5,
                    storage: stream::StorageType::File,
                    num_replicas: self.replicas,
                    ..Default::default()
                })
                .await
                .map_err(js_error)?,
        };
        Ok(Installations {
            store,
            known: Arc::default(),
        })
    }

    /// Publishes and waits for the JetStream ack (at most `timeout`). `msg_id` becomes the
    /// `Nats-Msg-Id` header, so a second publish with the same id inside the duplicate window is
    /// stored once.
    pub async fn publish_durable(
        &self,
        subject: String,
        msg_id: &str,
        headers: &[(&str, &str)],
        payload: bytes::Bytes,
        timeout: Duration,
    ) -> Result<PublishOutcome, BusError> {
        self.publish_acknowledged(subject, Some(msg_id), headers, payload, timeout)
            .await
    }

    /// [`Bus::publish_durable`], with JetStream's deduplication id optional: without one,
    /// nats-server keeps no entry for the message in the duplicate window.
    pub(crate) async fn publish_acknowledged(
        &self,
        subject: String,
        msg_id: Option<&str>,
        headers: &[(&str, &str)],
        payload: bytes::Bytes,
        timeout: Duration,
    ) -> Result<PublishOutcome, BusError> {
        // One deadline for both: a send waiting for room among the messages in flight, then
        // the ack.
        let publish = async {
            self.send(subject, msg_id, headers, payload, None)
                .await?
                .ack_arrives()
                .await
        };
        tokio::time::timeout(timeout, publish)
            .await
            .map_err(|_| BusError::Timeout(timeout))?
    }

    /// [`Bus::publish_durable`] without waiting for the ack: the message is on its way when
    /// this returns, and its ack is awaited with [`PendingPublish::acknowledged`], so a
    /// publisher can have many in flight. With `expected_last_sequence`, JetStream stores it
    /// only if the stream's last sequence is that one (else the ack is an error): messages in
    /// flight together, each expecting the one before, are stored in the order sent or not at
    /// all, whatever is lost on the way.
    pub async fn send_durable(
        &self,
        subject: String,
        msg_id: &str,
        headers: &[(&str, &str)],
        payload: bytes::Bytes,
        expected_last_sequence: Option<u64>,
    ) -> Result<PendingPublish, BusError> {
        self.send(
            subject,
            Some(msg_id),
            headers,
            payload,
            expected_last_sequence,
        )
        .await
    }

    async fn send(
        &self,
        subject: String,
        msg_id: Option<&str>,
        headers: &[(&str, &str)],
        payload: bytes::Bytes,
        expected_last_sequence: Option<u64>,
    ) -> Result<PendingPublish, BusError> {
        let mut header_map = async_nats::HeaderMap::new();
        for (name, value) in headers {
            header_map.insert(*name, *value);
        }
        let mut message = jetstream::message::PublishMessage::build()
            .payload(payload)
            .headers(header_map);
        if let Some(msg_id) = msg_id {
            message = message.message_id(msg_id);
        }
        if let Some(sequence) = expected_last_sequence {
            message = message.expected_last_sequence(sequence);
        }
        let ack = self
            .jetstream
            .send_publish(subject, message)
            .await
            .map_err(js_error)?;
        Ok(PendingPublish { ack })
    }

    /// The webhook stream as JetStream serves it now.
    async fn open_webhook_stream(&self) -> Result<stream::Stream, BusError> {
        self.jetstream
            .get_stream(&self.webhook_stream)
            .await
            .map_err(js_error)
    }

    /// The durable pull consumer of the webhook stream (explicit ack, redelivery after 30 s),
    /// delivering at most `in_flight` messages not yet acknowledged. Created, or brought to
    /// this configuration when it exists (every instance asks for the same).
    pub async fn webhook_consumer(
        &self,
        durable_name: &str,
        in_flight: i64,
    ) -> Result<PullConsumer, BusError> {
        let stream = self.open_webhook_stream().await?;
        let config = jetstream::consumer::pull::Config {
            max_ack_pending: in_flight,
            ..durable_consumer(durable_name, Duration::from_secs(30))
        };
        stream.create_consumer(config).await.map_err(js_error)
    }

    /// A durable pull consumer of the domain events stream for `filter_subject` (explicit ack,
    /// redelivery after 60 s), shared by a service's instances (each event to one of them).
    /// Created, it starts at the events published from `since` on (a service's start: not the
    /// whole history); it then resumes where it was acknowledged.
    ///
    /// `filter_subjects` ([`EVENT_SUBJECTS`], [`MEMBER_EVENT_SUBJECTS`], [`event_type_filters`])
    /// are brought to what is asked when the consumer exists with others (a release that acts
    /// on more or fewer types): it keeps its position.
    pub async fn events_consumer(
        &self,
        durable_name: &str,
        filter_subjects: &[String],
        since: time::OffsetDateTime,
    ) -> Result<PullConsumer, BusError> {
        self.events_consumer_with(durable_name, filter_subjects, since, Duration::ZERO)
            .await
    }

    /// Like [`Bus::events_consumer`], for one instance's own consumer ([`instance_consumer`]):
    /// JetStream removes it after [`INSTANCE_CONSUMER_INACTIVITY`] without a pull.
    pub async fn instance_events_consumer(
        &self,
        durable_name: &str,
        filter_subjects: &[String],
        since: time::OffsetDateTime,
    ) -> Result<PullConsumer, BusError> {
        self.events_consumer_with(
            durable_name,
            filter_subjects,
            since,
            INSTANCE_CONSUMER_INACTIVITY,
        )
        .await
    }

    async fn events_consumer_with(
        &self,
        durable_name: &str,
        filter_subjects: &[String],
        since: time::OffsetDateTime,
        inactive_threshold: Duration,
    ) -> Result<PullConsumer, BusError> {
        let stream = self
            .jetstream
            .get_stream(EVENTS_STREAM)
            .await
            .map_err(js_error)?;
        let (filter_subject, filter_subjects) = filters(filter_subjects);
        let consumer: PullConsumer = stream
            .get_or_create_consumer(
                durable_name,
                jetstream::consumer::pull::Config {
                    filter_subject: filter_subject.clone(),
                    filter_subjects: filter_subjects.clone(),
                    deliver_policy: jetstream::consumer::DeliverPolicy::ByStartTime {
                        start_time: since,
                    },
                    inactive_threshold,
                    ..durable_consumer(durable_name, Duration::from_secs(60))
                },
            )
            .await
            .map_err(js_error)?;
        let existing = &consumer.cached_info().config;
        if existing.filter_subject == filter_subject && existing.filter_subjects == filter_subjects
        {
            return Ok(consumer);
        }
        // Only the filters change: the start (not editable) and the position stay.
        let config = jetstream::consumer::Config {
            filter_subject,
            filter_subjects,
            ..existing.clone()
        };
        stream.update_consumer(config).await.map_err(js_error)?;
        tracing::info!(
            consumer = durable_name,
            "the events consumer's filter subjects were changed"
        );
        stream.get_consumer(durable_name).await.map_err(js_error)
    }

    /// Re-drives stored webhooks through provision: every message of the webhook stream
    /// received since `since` (for one organization, or all) is published again under a new
    /// delivery id (`replay-<run>-<sequence>`, header `Lanyard-Replay-Of`). Safe because provision
    /// reconciles against the Optix API and is idempotent. Returns how many were re-published.
    /// The new id is also JetStream's deduplication id: a replay is stored once per run.
    pub async fn replay_webhooks(
        &self,
        org_id: Option<&str>,
        since: time::OffsetDateTime,
        run_id: &str,
    ) -> Result<usize, BusError> {
        use futures::StreamExt;
        let stream = self.open_webhook_stream().await?;
        let filter_subject = match org_id {
            Some(org) => webhooks::organization_subjects(org),
            None => WEBHOOK_SUBJECTS.to_owned(),
        };
        let mut consumer: PullConsumer = stream
            .create_consumer(jetstream::consumer::pull::Config {
                filter_subject,
                deliver_policy: jetstream::consumer::DeliverPolicy::ByStartTime {
                    start_time: since,
                },
                ack_policy: jetstream::consumer::AckPolicy::None,
                inactive_threshold: Duration::from_secs(60),
                ..Default::default()
            })
            .await
            .map_err(js_error)?;
        // Only what was stored before we start: our own re-publications come after.
        let pending = consumer.info().await.map_err(js_error)?.num_pending as usize;
        let mut replayed = 0;
        while replayed < pending {
            let mut batch = consumer
                .fetch()
                .max_messages((pending - replayed).min(500))
                .expires(Duration::from_secs(2))
                .messages()
                .await
                .map_err(js_error)?;
            let mut got = 0;
            while let Some(message) = batch.next().await {
                let message = message.map_err(js_error)?;
                got += 1;
                let sequence = message.info().map_err(js_error)?.stream_sequence;
                let mut headers: Vec<(String, String)> = message
                    .headers
                    .iter()
                    .flat_map(|h| h.iter())
                    // The original's id would make provision take the replay for it.
                    .filter(|(name, _)| {
                        let name: &str = name.as_ref();
                        name != webhooks::MSG_ID && name != webhooks::DELIVERY_ID
                    })
                    .filter_map(|(name, values)| {
                        values.first().map(|v| (name.to_string(), v.to_string()))
                    })
                    .collect();
                let delivery_id = format!("replay-{run_id}-{sequence}");
                headers.push((webhooks::DELIVERY_ID.into(), delivery_id.clone()));
                headers.push((webhooks::REPLAY_OF.into(), sequence.to_string()));
                let header_refs: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                self.publish_durable(
                    message.subject.to_string(),
                    &delivery_id,
                    &header_refs,
                    message.payload.clone(),
                    Duration::from_secs(5),
                )
                .await?;
                replayed += 1;
                if replayed >= pending {
                    break;
                }
            }
            if got == 0 {
                break;
            }
        }
        Ok(replayed)
    }

    /// The webhook stream's and one consumer's state, for the NATS health metrics.
    pub async fn webhook_backlog(&self, durable_name: &str) -> Result<Backlog, BusError> {
        let stream = self.open_webhook_stream().await?;
        let stream_info = stream.get_info().await.map_err(js_error)?;
        let consumer = stream.consumer_info(durable_name).await.map_err(js_error)?;
        Ok(Backlog {
            stream_messages: stream_info.state.messages,
            stream_bytes: stream_info.state.bytes,
            pending: consumer.num_pending,
            ack_pending: consumer.num_ack_pending as u64,
            redelivered: consumer.num_redelivered as u64,
        })
    }

    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    pub fn jetstream(&self) -> &jetstream::Context {
        &self.jetstream
    }

    /// Readiness: the server answers and, for identities that may look at it, JetStream
    /// serves the webhook stream, within 1 s. (The portal may not: a round trip it is.)
    pub async fn ping(&self) -> Result<(), BusError> {
        let check = async {
            self.client.flush().await.map_err(js_error)?;
            if self.identity.sees_webhook_stream() {
                self.open_webhook_stream().await?;
            }
            Ok(())
        };
        tokio::time::timeout(Duration::from_secs(1), check)
            .await
            .map_err(|_| BusError::Timeout(Duration::from_secs(1)))?
    }
}

/// The organizations that installed each Optix app. Keys are `<hex client_id>.<hex org id>`:
/// hex keeps any id a valid, collision-free key.
///
/// Ingest asks it for every webhook, so it keeps the installed keys in memory: filled by
/// [`Installations::follow`] (a watch of the bucket, which also sees other ingest instances'
/// writes) and by this process's own writes. A key not in memory is still looked up in the
/// bucket, so the view only ever saves round trips, never refuses a real installation.
#[derive(Clone)]
pub struct Installations {
    store: jetstream::kv::Store,
    known: Arc<RwLock<HashSet<String>>>,
}

impl Installations {
    fn key(client_id: &str, org_id: &str) -> String {
        let mut key = String::new();
        Self::write_key(&mut key, client_id, org_id);
        key
    }

    /// `<hex client_id>.<hex org id>` into `key`, replacing what it held.
    fn write_key(key: &mut String, client_id: &str, org_id: &str) {
        key.clear();
        key.reserve(2 * (client_id.len() + org_id.len()) + 1);
        push_hex(key, client_id.as_bytes());
        key.push('.');
        push_hex(key, org_id.as_bytes());
    }

    fn known(&self) -> std::sync::RwLockWriteGuard<'_, HashSet<String>> {
        // A poisoned set is still a set of keys; at worst a miss asks the bucket.
        self.known
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub async fn record(&self, client_id: &str, org_id: &str) -> Result<(), BusError> {
        let installed_at = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
        let key = Self::key(client_id, org_id);
        self.store
            .put(key.as_str(), installed_at.into())
            .await
            .map_err(js_error)?;
        self.known().insert(key);
        Ok(())
    }

    pub async fn forget(&self, client_id: &str, org_id: &str) -> Result<(), BusError> {
        let key = Self::key(client_id, org_id);
        self.known().remove(&key);
        self.store.delete(key).await.map_err(js_error)
    }

    /// Whether the in-memory view holds the installation, without asking the bucket: a
    /// `false` may still be an installation [`Installations::contains`] finds.
    pub fn known_to_contain(&self, client_id: &str, org_id: &str) -> bool {
        thread_local! {
            /// The key of the last lookup on this thread: ingest asks for every webhook, and
            /// building a new key each time cost three allocations (docs/performance.md,
            /// "nats-server's scheduler on shared cores", instructions a request).
            static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        KEY.with_borrow_mut(|key| {
            Self::write_key(key, client_id, org_id);
            self.known_key(key)
        })
    }

    fn known_key(&self, key: &str) -> bool {
        self.known
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains(key)
    }

    pub async fn contains(&self, client_id: &str, org_id: &str) -> Result<bool, BusError> {
        let key = Self::key(client_id, org_id);
        if self.known_key(&key) {
            return Ok(true);
        }
        let installed = self
            .store
            .get(key.as_str())
            .await
            .map_err(js_error)?
            .is_some();
        if installed {
            self.known().insert(key);
        }
        Ok(installed)
    }

    /// The registry's key of an OfficeRnD organization's webhook secret (`officernd` is not
    /// hex, so it never meets an installation's key).
    fn webhook_secret_key(org_id: &str) -> String {
        format!("officernd.{}", hex::encode(org_id))
    }

    /// Records an OfficeRnD organization's webhook secret, sealed by the caller
    /// (`sealing::WebhookSeal::seal_webhook_secret`): ingest needs it to verify deliveries and
    /// has no database; NATS never holds it in clear.
    pub async fn record_webhook_secret(
        &self,
        org_id: &str,
        sealed: Vec<u8>,
    ) -> Result<(), BusError> {
        self.store
            .put(Self::webhook_secret_key(org_id), sealed.into())
            .await
            .map_err(js_error)?;
        Ok(())
    }

    /// The sealed webhook secret of an OfficeRnD organization, if it is connected.
    pub async fn webhook_secret(&self, org_id: &str) -> Result<Option<Vec<u8>>, BusError> {
        Ok(self
            .store
            .get(Self::webhook_secret_key(org_id))
            .await
            .map_err(js_error)?
            .map(|value| value.to_vec()))
    }

    /// Keeps the in-memory view current until the returned task is aborted: the bucket's
    /// current keys, then every put and delete as it happens. When the watch ends (NATS
    /// restarted, say) the view is emptied, since deletions may have been missed, and the
    /// watch starts again; meanwhile lookups go to the bucket.
    pub fn follow(&self) -> tokio::task::JoinHandle<()> {
        let installations = self.clone();
        tokio::spawn(async move {
            loop {
                match installations.store.watch_with_history(">").await {
                    Ok(mut entries) => {
                        while let Some(entry) = entries.next().await {
                            let Ok(entry) = entry else { break };
                            let mut known = installations.known();
                            match entry.operation {
                                jetstream::kv::Operation::Put => known.insert(entry.key),
                                _ => known.remove(&entry.key),
                            };
                        }
                        tracing::warn!("the installations watch ended; watching again");
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot watch the installations registry");
                    }
                }
                installations.known().clear();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    }
}

/// A consumer's filter subjects as JetStream keeps them: one in `filter_subject`, several in
/// `filter_subjects` (never both).
fn filters(subjects: &[String]) -> (String, Vec<String>) {
    match subjects {
        [one] => (one.clone(), Vec::new()),
        several => (String::new(), several.to_vec()),
    }
}

/// `bytes` in lower-case hex, appended to `text` (as `hex::encode`, without a string of its own).
fn push_hex(text: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
}

/// A safe single subject token: anything outside `[A-Za-z0-9_-]` becomes `_`; empty → `_`.
pub fn subject_token(value: &str) -> String {
    let mut token = String::with_capacity(value.len().max(1));
    push_subject_token(&mut token, value);
    token
}

/// [`subject_token`] of `value`, appended to `subject` (a subject built without a string of
/// its own for each token).
pub(crate) fn push_subject_token(subject: &mut String, value: &str) {
    if value.is_empty() {
        subject.push('_');
        return;
    }
    subject.extend(value.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '_'
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::{Installations, subject_token};

    #[test]
    fn a_subject_token_keeps_letters_digits_dash_and_underscore() {
        assert_eq!(subject_token("Org_1-a"), "Org_1-a");
        assert_eq!(subject_token(""), "_");
        assert_eq!(subject_token("a.b c*>"), "a_b_c__");
        assert_eq!(subject_token("é"), "_");
    }

    #[test]
    fn an_installation_key_is_both_ids_in_hex_whatever_the_buffer_held() {
        for (client, org) in [("client-1", "6267"), ("", ""), ("é.", "x y"), ("a", "")] {
            let expected = format!("{}.{}", hex::encode(client), hex::encode(org));
            assert_eq!(Installations::key(client, org), expected);
            let mut reused = String::from("something longer left from the last lookup");
            Installations::write_key(&mut reused, client, org);
            assert_eq!(reused, expected);
        }
    }
}
