//! Group commit for session events. Every chat message is stored before it
//! is delivered; committing each one alone caps the server at a few thousand
//! messages a second (one fsync-ordered commit each). The writer task takes
//! whatever has queued up while the previous commit ran and commits it as one
//! transaction, so under load batches grow by themselves and at light load a
//! message waits for no one.

use std::sync::Arc;

use protocol::Event;
use tokio::sync::{mpsc, oneshot};

use super::{Store, StoreError};

/// Events waiting for the writer before senders wait in turn (back-pressure).
const QUEUE: usize = 4096;
/// Largest batch committed at once.
const MAX_BATCH: usize = 512;

struct Pending {
    session: String,
    event: Event,
    done: oneshot::Sender<Result<(), Arc<StoreError>>>,
}

/// Handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct EventWriter {
    tx: mpsc::Sender<Pending>,
}

impl EventWriter {
    /// Starts the writer task; it ends when every handle is dropped.
    pub fn spawn(store: Arc<dyn Store>) -> EventWriter {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(store, rx));
        EventWriter { tx }
    }

    /// Stores one event; returns once it is committed.
    pub async fn append(&self, session: &str, event: Event) -> Result<(), Arc<StoreError>> {
        let (done, committed) = oneshot::channel();
        let pending = Pending {
            session: session.to_string(),
            event,
            done,
        };
        let stopped = || Arc::new(StoreError::Corrupt("the event writer has stopped".into()));
        self.tx.send(pending).await.map_err(|_| stopped())?;
        committed.await.map_err(|_| stopped())?
    }
}

async fn write_batches(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Pending>) {
    let mut waiting = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut waiting, MAX_BATCH).await > 0 {
        let batch: Vec<(String, Event)> = waiting
            .iter()
            .map(|p| (p.session.clone(), p.event.clone()))
            .collect();
        let result = store.append_events(&batch).await.map_err(Arc::new);
        for p in waiting.drain(..) {
            let _ = p.done.send(result.clone());
        }
    }
}
