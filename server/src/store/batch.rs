//! Group commit for session events. Every chat message is stored before it
//! is delivered; committing each one alone caps the server at a few thousand
//! messages a second. The writer task takes whatever has queued up while the
//! previous commit ran and commits it as one transaction, so under load
//! batches grow by themselves and at light load a message waits for no one.
//!
//! Callers do not wait for the commit: each event carries what to do once it
//! is committed (deliver it, answer the sender), run by the writer in queue
//! order. So a connection can hand over its next frame while the previous
//! one is being written, and a burst from one sender is committed, and then
//! written to its readers' sockets, together.

use std::sync::Arc;

use protocol::Event;
use tokio::sync::mpsc;

use super::error::StoreError;
use super::interface::Store;

/// Events waiting for the writer before senders wait in turn (back-pressure).
const QUEUE: usize = 4096;
/// Largest batch committed at once.
const MAX_BATCH: usize = 512;

/// What a committed (or failed) event is handed to, on the writer task.
pub type Then = Box<dyn FnOnce(Result<Event, Arc<StoreError>>) + Send>;

struct Pending {
    session: String,
    event: Event,
    then: Then,
}

/// Handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct EventWriter {
    tx: mpsc::Sender<Pending>,
    progress: Arc<Progress>,
}

/// Events handed to the writer, and those whose commit (or failure) was
/// handled, so `flush` knows when everything queued before it is done.
struct Progress {
    queued: std::sync::atomic::AtomicU64,
    done: tokio::sync::watch::Sender<u64>,
}

/// A place in the writer's queue, taken before an event is numbered so that
/// numbering and queueing can happen together without waiting (see
/// `Slot::send`).
pub struct Slot(mpsc::OwnedPermit<Pending>, Arc<Progress>);

impl EventWriter {
    /// Starts the writer task; it ends when every handle is dropped.
    pub fn spawn(store: Arc<dyn Store>) -> EventWriter {
        let (tx, rx) = mpsc::channel(QUEUE);
        let progress = Arc::new(Progress {
            queued: Default::default(),
            done: tokio::sync::watch::Sender::new(0),
        });
        tokio::spawn(write_batches(store, rx, progress.clone()));
        EventWriter { tx, progress }
    }

    /// Waits until every event queued before the call is committed (or
    /// failed) and its follow-up ran: a stopping node (drain, or handing
    /// the core over) acknowledges what it can before it goes.
    pub async fn flush(&self) {
        let target = self
            .progress
            .queued
            .load(std::sync::atomic::Ordering::SeqCst);
        let mut done = self.progress.done.subscribe();
        let _ = done.wait_for(|d| *d >= target).await;
    }

    /// Waits for room in the queue.
    pub async fn slot(&self) -> Result<Slot, Arc<StoreError>> {
        let permit = self.tx.clone().reserve_owned().await;
        permit
            .map(|p| Slot(p, self.progress.clone()))
            .map_err(|_| Arc::new(StoreError::WriterStopped))
    }

    /// Stores one event; returns once it is committed.
    pub async fn append(&self, session: &str, event: Event) -> Result<(), Arc<StoreError>> {
        let (then, committed) = waiter();
        self.slot().await?.send(session.to_string(), event, then);
        committed.await.map(|_| ())
    }
}

/// A `Then` that hands the outcome to the future returned beside it, for
/// callers that do wait for the commit.
pub fn waiter() -> (
    Then,
    impl std::future::Future<Output = Result<Event, Arc<StoreError>>>,
) {
    let (done, outcome) = tokio::sync::oneshot::channel();
    let then: Then = Box::new(move |result| {
        let _ = done.send(result);
    });
    let outcome = async move {
        outcome
            .await
            .unwrap_or_else(|_| Err(Arc::new(StoreError::WriterStopped)))
    };
    (then, outcome)
}

impl Slot {
    /// Queues an event without waiting. Events sent from one thread are
    /// committed, and their `then` run, in the order they were sent.
    pub fn send(self, session: String, event: Event, then: Then) {
        self.1
            .queued
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.send(Pending {
            session,
            event,
            then,
        });
    }
}

async fn write_batches(
    store: Arc<dyn Store>,
    mut rx: mpsc::Receiver<Pending>,
    progress: Arc<Progress>,
) {
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut thens = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        for p in waiting.drain(..) {
            batch.push((p.session, p.event));
            thens.push(p.then);
        }
        let results = commit(store.as_ref(), &batch).await;
        let handled = batch.len() as u64;
        for (((_, event), then), result) in batch.drain(..).zip(thens.drain(..)).zip(results) {
            then(result.map(|()| event));
        }
        progress.done.send_modify(|d| *d += handled);
    }
}

/// Commits a batch in one transaction. If that fails, each event is tried
/// alone, so that one bad event (a seq taken by a bug, say) costs only its
/// own sender a retry, not every session that happened to share its batch.
async fn commit(store: &dyn Store, batch: &[(String, Event)]) -> Vec<Result<(), Arc<StoreError>>> {
    match store.append_events(batch).await {
        Ok(()) => vec![Ok(()); batch.len()],
        Err(e) if batch.len() == 1 => vec![Err(Arc::new(e))],
        Err(_) => {
            let mut results = Vec::with_capacity(batch.len());
            for one in batch {
                let result = store.append_events(std::slice::from_ref(one)).await;
                results.push(result.map_err(Arc::new));
            }
            results
        }
    }
}
