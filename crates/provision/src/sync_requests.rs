//! Asking for a full sync: a queue of organizations whose requests are merged while they wait.
//! Anything may ask (webhooks, commands, the timer); the sync runner (`sync::run`) takes them.

pub use domain::events::SyncKind;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Asks the sync runner for a sync. Requests for an organization already waiting are merged
/// (an initial import wins over the other kinds: it is what the run will be recorded as).
#[derive(Clone)]
pub struct SyncRequests {
    sender: mpsc::UnboundedSender<String>,
    waiting: Arc<Mutex<HashMap<String, SyncKind>>>,
    unfinished: Arc<AtomicUsize>,
}

pub struct SyncQueue {
    receiver: mpsc::UnboundedReceiver<String>,
    waiting: Arc<Mutex<HashMap<String, SyncKind>>>,
    unfinished: Arc<AtomicUsize>,
}

pub fn sync_channel() -> (SyncRequests, SyncQueue) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let waiting = Arc::new(Mutex::new(HashMap::new()));
    let unfinished = Arc::new(AtomicUsize::new(0));
    (
        SyncRequests {
            sender,
            waiting: waiting.clone(),
            unfinished: unfinished.clone(),
        },
        SyncQueue {
            receiver,
            waiting,
            unfinished,
        },
    )
}

fn lock(
    waiting: &Mutex<HashMap<String, SyncKind>>,
) -> std::sync::MutexGuard<'_, HashMap<String, SyncKind>> {
    waiting
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SyncRequests {
    pub fn request(&self, org_id: &str, kind: SyncKind) {
        let mut waiting = lock(&self.waiting);
        if let Some(waiting_kind) = waiting.get_mut(org_id) {
            if kind == SyncKind::Initial {
                *waiting_kind = kind;
            }
            return;
        }
        waiting.insert(org_id.to_owned(), kind);
        self.unfinished.fetch_add(1, Ordering::SeqCst);
        if self.sender.send(org_id.to_owned()).is_err() {
            // The runner has stopped: this request will never run.
            self.unfinished.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Syncs requested and not finished yet (waiting or running), all organizations together.
    pub fn unfinished(&self) -> usize {
        self.unfinished.load(Ordering::SeqCst)
    }
}

impl SyncQueue {
    /// The next organization asked for, with the kind of sync its merged requests want; `None`
    /// once every sender is gone.
    pub async fn next(&mut self) -> Option<(String, Option<SyncKind>)> {
        let org_id = self.receiver.recv().await?;
        let kind = lock(&self.waiting).remove(&org_id);
        Some((org_id, kind))
    }

    /// A sync taken with [`SyncQueue::next`] has ended.
    pub fn finished(&self) {
        self.unfinished.fetch_sub(1, Ordering::SeqCst);
    }
}
