//! The durable pull consumer and one worker per organization.
//!
//! The consumer pulls continuously and hands each message to its organization's worker. A
//! worker takes everything its queue holds (after waiting `coalesce_ms` for stragglers when it
//! holds one, longer when its Optix budget is being spent fast: `pacing`), reconciles it as one
//! batch, and acks each message only after the commit. Every message it holds, in the batch or
//! waiting for the next, is told "in progress" every `PROGRESS_EVERY`, so none is redelivered
//! while it waits. A burst thus costs a few Optix requests, and an organization waiting for its
//! API budget never holds up another.

use crate::batch::{AskedBatch, Incoming, Outcome};
use crate::lease::{Leases, Working};
use crate::metrics::metrics;
use crate::pacing::Pacing;
use crate::provisioner::Provisioner;
use bus::webhooks::WebhookDelivery;
use futures::StreamExt;
use opentelemetry::KeyValue;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;

/// How often every message a worker holds (handled or waiting) is told "in progress": well
/// inside the consumer's 30 s ack wait, so none is redelivered while it waits.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);
/// A webhook of an organization another instance works goes back to the stream for this long
/// (it is then delivered to any instance, in the end the one holding the lease).
const NOT_OURS_DELAY: Duration = Duration::from_millis(200);

#[derive(Clone, Copy, Debug)]
pub struct WorkerSettings {
    pub batch_size: usize,
    pub coalesce: Duration,
}

pub async fn run(
    bus: bus::Bus,
    leases: Leases,
    durable_name: String,
    settings: WorkerSettings,
    provisioner: Arc<Provisioner>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    // Three batches unacknowledged: one committing, the next asked about beside it, and a
    // third delivered meanwhile, so a backlog's batches are full when a commit ends. With two,
    // nothing could be delivered until a commit's acks; the next batch was then what had come
    // by the time the one after ended (a backlog drained as 100, 1,000, 900, ...: 15 commits
    // for 10,000 webhooks instead of 11, +4.9 % in 8 pairs). Not more: a held message costs
    // memory until its ack (the third batch took provision's peak at 100,000 members from
    // 51.5-57.7 MiB to 55.2-59.5 in full runs, against a 64 MiB target; 4,000 once crossed it).
    let in_flight = i64::try_from(settings.batch_size.max(1).saturating_mul(3)).unwrap_or(i64::MAX);
    let consumer = bus.webhook_consumer(&durable_name, in_flight).await?;
    // Pulling before this instance knows its partitions would hand every webhook back.
    leases.first_check(Duration::from_secs(10)).await;
    let mut workers: HashMap<String, mpsc::UnboundedSender<WebhookDelivery>> = HashMap::new();
    let mut handles: Vec<JoinHandle<()>> = Vec::new();
    'pulling: while !*stop.borrow() {
        let mut messages = match bus.pull(&consumer).await {
            Ok(messages) => messages,
            Err(e) => {
                tracing::warn!(error = %e, "pulling webhooks failed; retrying");
                let _ = tokio::time::timeout(Duration::from_millis(500), stop.changed()).await;
                continue;
            }
        };
        loop {
            let next = tokio::select! {
                next = messages.next() => next,
                _ = stop.changed() => break 'pulling,
            };
            let delivery = match next {
                Some(Ok(message)) => WebhookDelivery::new(message),
                // The pull went silent (a missed heartbeat) or failed: a new one at once, as
                // the events' followers do (`bus::Bus::pull`).
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "receiving webhooks failed; pulling again");
                    break;
                }
                // The pull ended (NATS restarted): pull again.
                None => break,
            };
            let org = delivery.subject.org_id.clone();
            if !leases.holds_org(&org) {
                give_back(&[delivery]).await;
                continue;
            }
            let sender = workers.entry(org.clone()).or_insert_with(|| {
                let (sender, receiver) = mpsc::unbounded_channel();
                handles.push(tokio::spawn(org_worker(
                    org.clone(),
                    leases.clone(),
                    receiver,
                    provisioner.clone(),
                    settings,
                )));
                sender
            });
            if sender.send(delivery).is_err() {
                tracing::error!(
                    org_id = org,
                    "an organization's worker stopped; its webhooks will be redelivered"
                );
            }
        }
    }
    tracing::info!("no more pulls; workers finish their batches");
    // Closing the queues ends the workers once they have handled what they hold.
    drop(workers);
    for handle in handles {
        let _ = handle.await;
    }
    Ok(())
}

/// The messages a worker holds: received from the consumer and not yet acknowledged, whether
/// in the batch being handled or waiting for the next. All are kept from redelivery.
struct Held {
    queue: mpsc::UnboundedReceiver<WebhookDelivery>,
    /// Received, not yet in a batch (bounded by the consumer's `max_ack_pending`).
    waiting: VecDeque<WebhookDelivery>,
    /// When the waiting and the handled messages are next told "in progress".
    progress: tokio::time::Interval,
}

impl Held {
    fn new(queue: mpsc::UnboundedReceiver<WebhookDelivery>) -> Held {
        let mut progress =
            tokio::time::interval_at(tokio::time::Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
        progress.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Held {
            queue,
            waiting: VecDeque::new(),
            progress,
        }
    }

    /// Moves everything already queued to `waiting`, without waiting.
    fn take_queued(&mut self) {
        while let Ok(message) = self.queue.try_recv() {
            self.waiting.push_back(message);
        }
    }

    /// Tells JetStream the waiting messages and `handled` are in progress (each restarts its
    /// ack wait), so none is redelivered while it waits for the Optix budget or its turn.
    async fn keep_alive(&self, handled: &[&[WebhookDelivery]]) {
        for batch in handled {
            for delivery in *batch {
                let _ = delivery.in_progress().await;
            }
        }
        for delivery in &self.waiting {
            let _ = delivery.in_progress().await;
        }
    }

    /// The next batch (at most `batch_size`), after lingering up to `linger` for more of a
    /// burst (until a facts request's worth is waiting); None once the queue is closed and
    /// nothing is left.
    async fn next_batch(
        &mut self,
        batch_size: usize,
        linger: impl FnOnce() -> Duration,
    ) -> Option<Vec<WebhookDelivery>> {
        if self.waiting.is_empty() {
            let first = self.queue.recv().await?;
            self.waiting.push_back(first);
        }
        let linger_until = tokio::time::Instant::now() + linger();
        // Past one facts request's worth of members, gathering more saves nothing.
        let enough = batch_size.min(optix::api::FACTS_CHUNK);
        let mut open = true;
        while open && self.waiting.len() < enough {
            self.take_queued();
            if self.waiting.len() >= enough {
                break;
            }
            tokio::select! {
                message = self.queue.recv() => match message {
                    Some(message) => self.waiting.push_back(message),
                    None => open = false,
                },
                _ = tokio::time::sleep_until(linger_until) => break,
                _ = self.progress.tick() => self.keep_alive(&[]).await,
            }
        }
        let n = self.waiting.len().min(batch_size);
        Some(self.waiting.drain(..n).collect())
    }

    /// What is waiting now (at most `batch_size`), without lingering; None when nothing is.
    fn ready_batch(&mut self, batch_size: usize) -> Option<Vec<WebhookDelivery>> {
        self.take_queued();
        let n = self.waiting.len().min(batch_size);
        (n > 0).then(|| self.waiting.drain(..n).collect())
    }

    /// Runs `work` on `batches` while taking in what arrives meanwhile and keeping every held
    /// message alive.
    async fn while_handling<T>(
        &mut self,
        batches: &[&[WebhookDelivery]],
        work: impl std::future::Future<Output = T>,
    ) -> T {
        tokio::pin!(work);
        let mut open = true;
        loop {
            tokio::select! {
                done = &mut work => return done,
                message = self.queue.recv(), if open => match message {
                    Some(message) => self.waiting.push_back(message),
                    None => open = false,
                },
                _ = self.progress.tick() => self.keep_alive(batches).await,
            }
        }
    }
}

/// Requests a batch spent from the organization's budget: what was left before, less what is
/// left after (before its first request, the whole budget was left).
fn spent(limit: u32, before: Option<u32>, after: Option<u32>) -> u32 {
    match (before, after) {
        (None, Some(after)) => limit.saturating_sub(after),
        (Some(before), Some(after)) => before.saturating_sub(after),
        _ => 0,
    }
}

/// A batch asked about and waiting for its commit.
struct Pending {
    batch: Vec<WebhookDelivery>,
    commit: ToCommit,
}

/// What committing and acknowledging a pending batch needs besides its messages.
struct ToCommit {
    asked: AskedBatch,
    span: tracing::Span,
    started: Instant,
    /// The partition stays this instance's until the batch is committed.
    _working: Working,
}

/// One organization's batches, in order: each is asked about while the one before it commits
/// (a pipeline of two: the platform's answers and the database's work overlap; a batch that
/// changes the installation, or one gathered while the budget runs short, waits for the
/// commit before it instead).
async fn org_worker(
    org_id: String,
    leases: Leases,
    queue: mpsc::UnboundedReceiver<WebhookDelivery>,
    provisioner: Arc<Provisioner>,
    settings: WorkerSettings,
) {
    let mut held = Held::new(queue);
    let limit = provisioner.optix().settings().requests_per_minute;
    let window = provisioner.optix().settings().window;
    let mut pacing = Pacing::new(limit, window, Instant::now());
    let batch_size = settings.batch_size.max(1);
    let mut pending: Option<Pending> = None;
    // Each committed batch's acknowledgements, sent beside the next batch's commit.
    let mut acknowledging = JoinSet::new();
    loop {
        while acknowledging.try_join_next().is_some() {}
        let mut linger = || match &mut pacing {
            Some(pacing) => pacing.linger(settings.coalesce, Instant::now()),
            None => settings.coalesce,
        };
        // While a batch commits, the next is what is waiting (unless the budget asks to wait).
        let overlap = pending.is_some() && linger() <= settings.coalesce;
        let next = match overlap {
            true => held.ready_batch(batch_size),
            false => None,
        };
        let batch = match (next, pending.take()) {
            (Some(batch), previous) => {
                pending = previous;
                batch
            }
            (None, Some(previous)) => {
                let committed = commit_alone(&mut held, previous, &org_id, &provisioner).await;
                acknowledging.spawn(committed.acknowledge());
                continue;
            }
            (None, None) => match held.next_batch(batch_size, linger).await {
                Some(batch) => batch,
                None => break,
            },
        };
        let Some(working) = leases.working(&org_id) else {
            give_back(&batch).await;
            continue;
        };
        let before = provisioner.optix().org_budget_remaining(&org_id);
        let (asked, committed) =
            ask(&mut held, pending, (&org_id, batch, working), &provisioner).await;
        pending = Some(asked);
        if let Some(committed) = committed {
            acknowledging.spawn(committed.acknowledge());
        }
        if let Some(pacing) = &mut pacing {
            let after = provisioner.optix().org_budget_remaining(&org_id);
            pacing.spent(spent(limit, before, after), Instant::now());
        }
    }
    if let Some(last) = pending {
        let committed = commit_alone(&mut held, last, &org_id, &provisioner).await;
        acknowledging.spawn(committed.acknowledge());
    }
    while acknowledging.join_next().await.is_some() {}
}

/// Commits `pending` (nothing asked meanwhile), keeping what is held alive.
async fn commit_alone(
    held: &mut Held,
    pending: Pending,
    org_id: &str,
    provisioner: &Provisioner,
) -> Committed {
    let Pending { batch, commit } = pending;
    let outcomes = held
        .while_handling(&[&batch], commit.run(org_id, provisioner))
        .await;
    Committed { batch, outcomes }
}

/// Asks about `batch` while `previous` commits (after it, when `batch` changes the
/// installation); answers `batch` waiting for its commit, and `previous` committed.
///
/// The asking runs as a task of its own: reading the batch (opening and parsing each sealed
/// body) and the platform's answer are CPU work, which inside this task would wait for the
/// commit's turns and hold them up.
async fn ask(
    held: &mut Held,
    previous: Option<Pending>,
    (org_id, batch, working): (&str, Vec<WebhookDelivery>, Working),
    provisioner: &Arc<Provisioner>,
) -> (Pending, Option<Committed>) {
    let started = Instant::now();
    let incoming: Vec<Incoming> = batch
        .iter()
        .map(|delivery| Incoming {
            message_id: delivery.delivery_id.clone(),
            subject: delivery.raw_subject().to_owned(),
            payload: delivery.sealed_body().clone(),
            body_format: delivery.body_format.clone(),
            replay: delivery.replay,
        })
        .collect();
    let span = batch_span(org_id, &batch, &incoming[0].message_id);
    let (committed_tx, committed_rx) = oneshot::channel::<()>();
    let asking = {
        let provisioner = Arc::clone(provisioner);
        let org_id = org_id.to_owned();
        let after_previous = previous.is_some();
        tokio::spawn(
            async move {
                let read = provisioner.read_batch(&org_id, &incoming);
                if after_previous && read.changes_installation() {
                    // Ended (sent or dropped) once the previous batch is committed.
                    let _ = committed_rx.await;
                }
                provisioner.ask_batch(&org_id, read).await
            }
            .instrument(span.clone()),
        )
    };
    let asking = async move {
        match asking.await {
            Ok(asked) => asked,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a runtime shutting down cancels it, and this task with it.
            Err(e) => panic!("the batch's asking task ended without an answer: {e}"),
        }
    };
    let (asked, committed) = match previous {
        Some(Pending {
            batch: previous_batch,
            commit,
        }) => {
            let committing = async {
                let outcomes = commit.run(org_id, provisioner).await;
                drop(committed_tx);
                outcomes
            };
            let both = futures::future::join(asking, committing);
            let (asked, outcomes) = held.while_handling(&[&previous_batch, &batch], both).await;
            let committed = Committed {
                batch: previous_batch,
                outcomes,
            };
            (asked, Some(committed))
        }
        None => (held.while_handling(&[&batch], asking).await, None),
    };
    let pending = Pending {
        batch,
        commit: ToCommit {
            asked,
            span,
            started,
            _working: working,
        },
    };
    (pending, committed)
}

impl ToCommit {
    /// Commits the messages asked about; answers each one's outcome, in order.
    async fn run(self, org_id: &str, provisioner: &Provisioner) -> CommitOutcomes {
        let ToCommit {
            asked,
            span,
            started,
            _working,
        } = self;
        let outcomes = provisioner
            .commit_batch(org_id, asked)
            .instrument(span.clone())
            .await;
        CommitOutcomes {
            outcomes,
            span,
            started,
        }
    }
}

/// A batch's outcomes, committed (or not: a retry), not yet acknowledged.
struct CommitOutcomes {
    outcomes: Vec<Outcome>,
    span: tracing::Span,
    started: Instant,
}

/// A batch committed, its messages to acknowledge.
struct Committed {
    batch: Vec<WebhookDelivery>,
    outcomes: CommitOutcomes,
}

impl Committed {
    /// Acknowledges each message by its outcome (a task of its own: the acks need not hold up
    /// the next commit, and only what is committed is acknowledged).
    async fn acknowledge(self) {
        let Committed {
            batch,
            outcomes:
                CommitOutcomes {
                    outcomes,
                    span,
                    started,
                },
        } = self;
        async {
            for (delivery, outcome) in batch.iter().zip(&outcomes) {
                record(delivery, outcome, started);
                acknowledge(delivery, outcome).await;
            }
        }
        .instrument(span)
        .await;
    }
}

/// One span for a batch, continuing the first webhook's trace (a lone webhook, the usual case
/// when traffic is light, is one trace end to end).
fn batch_span(org_id: &str, batch: &[WebhookDelivery], message_id: &str) -> tracing::Span {
    let span = tracing::info_span!(
        "provision.webhook",
        otel.kind = "consumer",
        org_id,
        webhooks = batch.len(),
        subject = %batch[0].raw_subject(),
        message_id = %message_id,
        trace_id = tracing::field::Empty,
    );
    telemetry::traces::continue_trace(&span, batch[0].traceparent.as_deref());
    if let Some(trace_id) = telemetry::traces::trace_id(&span) {
        span.record("trace_id", trace_id);
    }
    span
}

/// Webhooks of an organization another provision instance works: back to the stream.
async fn give_back(deliveries: &[WebhookDelivery]) {
    metrics().handed_back.add(deliveries.len() as u64, &[]);
    for delivery in deliveries {
        if let Err(e) = delivery.retry_after(NOT_OURS_DELAY).await {
            tracing::debug!(message_id = %delivery.delivery_id, error = %e, "giving a webhook back failed");
        }
    }
}

/// Acks only what is committed (or was before); a retry is a NAK with a delay, a message that
/// can never be handled is terminated and stays in the stream for inspection.
async fn acknowledge(delivery: &WebhookDelivery, outcome: &Outcome) {
    let message_id = delivery.delivery_id.as_str();
    let ack = match outcome {
        Outcome::Committed { events } => {
            tracing::info!(message_id, events, subject = %delivery.raw_subject(), "webhook provisioned");
            delivery.ack().await
        }
        Outcome::AlreadyProcessed => {
            tracing::info!(message_id, "redelivered webhook: already processed");
            delivery.ack().await
        }
        Outcome::Retry { after, reason } => {
            tracing::warn!(
                message_id,
                reason,
                retry_in_ms = after.as_millis() as u64,
                "webhook will be retried"
            );
            delivery.retry_after(*after).await
        }
        Outcome::Refused { reason, .. } => {
            // Logged and counted where it was decided; acked, since Optix said no.
            tracing::debug!(message_id, reason, "refused webhook acknowledged");
            delivery.ack().await
        }
        Outcome::Rejected { reason } => {
            tracing::error!(
                message_id,
                reason,
                "webhook rejected; kept in the stream for inspection"
            );
            delivery.terminate().await
        }
    };
    if let Err(e) = ack {
        // Not acked means redelivered later; processing is idempotent.
        tracing::warn!(message_id, error = %e, "ack failed");
    }
}

fn record(delivery: &WebhookDelivery, outcome: &Outcome, started: Instant) {
    let metrics = metrics();
    let event = KeyValue::new(
        "event",
        crate::received::subject_event_label(&delivery.subject.org_id, &delivery.subject.event),
    );
    if delivery.redelivered() {
        metrics.redeliveries.add(1, std::slice::from_ref(&event));
    }
    let outcome_label = match outcome {
        Outcome::Committed { events: 0 } => "unchanged",
        Outcome::Committed { .. } => "committed",
        Outcome::AlreadyProcessed => "already_processed",
        Outcome::Retry { .. } => "retry",
        Outcome::Rejected { .. } => "rejected",
        Outcome::Refused { .. } => "refused",
    };
    metrics
        .processed
        .add(1, &[event.clone(), KeyValue::new("outcome", outcome_label)]);
    if let Outcome::Committed { events } = outcome {
        metrics.processing.record(
            started.elapsed().as_secs_f64(),
            std::slice::from_ref(&event),
        );
        if let (Some(received_at), true) = (delivery.received_at, *events > 0) {
            let lag = chrono::Utc::now().signed_duration_since(received_at);
            metrics
                .freshness
                .record(lag.num_milliseconds().max(0) as f64 / 1000.0, &[]);
        }
    }
}
