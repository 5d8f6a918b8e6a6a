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
}

/// A place in the writer's queue, taken before an event is numbered so that
/// numbering and queueing can happen together without waiting (see
/// `Slot::send`).
pub struct Slot(mpsc::OwnedPermit<Pending>);

impl EventWriter {
    /// Starts the writer task; it ends when every handle is dropped.
    pub fn spawn(store: Arc<dyn Store>) -> EventWriter {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(store, rx));
        EventWriter { tx }
    }

    /// Waits for room in the queue.
    pub async fn slot(&self) -> Result<Slot, Arc<StoreError>> {
        let permit = self.tx.clone().reserve_owned().await;
        permit
            .map(Slot)
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
        self.0.send(Pending {
            session,
            event,
            then,
        });
    }
}

async fn write_batches(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Pending>) {
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut thens = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        for p in waiting.drain(..) {
            batch.push((p.session, p.event));
            thens.push(p.then);
        }
        let results = commit(store.as_ref(), &batch).await;
        for (((_, event), then), result) in batch.drain(..).zip(thens.drain(..)).zip(results) {
            then(result.map(|()| event));
        }
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
