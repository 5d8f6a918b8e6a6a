//! The server side of one WebSocket connection as the hub sees it: a bounded
//! queue of frames for the writer task, and a way to close the connection.
//!
//! Chat and control frames are persisted and numbered, so when a client is too
//! slow to drain its queue we close it (code 4008) rather than drop a frame or
//! grow the queue: the client reconnects and resumes from its last seq.
//! Ephemeral frames (typing) are simply dropped when the queue is full.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::{Message, Utf8Bytes};
use protocol::{CloseCode, ServerEnvelope};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

/// Frames a connection may have waiting before it counts as lagging.
pub const OUTBOUND_CAPACITY: usize = 256;

pub type ConnId = u64;

/// Chat messages a connection may have waiting for the store. Without a cap,
/// one sender's burst could be committed, and delivered, as one batch larger
/// than its readers' queues, and close them as lagging although they read
/// fast. Far above what a person types; the bench's senders keep 20 in flight.
pub const UNSTORED_PER_CONNECTION: usize = 32;

/// Queue slots co-browse frames may not take, so chat and control frames
/// always fit behind a burst of page updates.
pub const RESERVED_FOR_RELIABLE: usize = 32;

/// A frame serialised once, shared by every connection it is sent to.
#[derive(Clone)]
pub enum Wire {
    /// A JSON protocol frame.
    Text(Utf8Bytes),
    /// A co-browse frame, relayed as the widget sent it.
    Binary(Bytes),
}

impl Wire {
    pub fn new(env: &ServerEnvelope) -> Wire {
        Wire::Text(Utf8Bytes::from(env.to_json()))
    }

    pub fn into_message(self) -> Message {
        match self {
            Wire::Text(t) => Message::Text(t),
            Wire::Binary(b) => Message::Binary(b),
        }
    }
}

/// Asks the connection to close with a code: its writer sends the close
/// frame, its reader stops reading.
pub struct Closer {
    /// 0 until `close` is called, then the code.
    code: watch::Sender<u16>,
}

impl Default for Closer {
    fn default() -> Self {
        Closer {
            code: watch::Sender::new(0),
        }
    }
}

impl Closer {
    pub fn close(&self, code: CloseCode) {
        self.close_with(code.code());
    }

    /// Closes with a code as a number: one the core chose for a socket of
    /// another node (cluster/gateway.rs). 0 means none, so it becomes 1000.
    pub fn close_with(&self, code: u16) {
        let code = if code == 0 {
            CloseCode::Normal.code()
        } else {
            code
        };
        // Keep the first reason: it is the one worth reporting.
        self.code.send_if_modified(|c| {
            let first = *c == 0;
            if first {
                *c = code;
            }
            first
        });
    }

    /// Resolves once `close` was called; returns the code. Any number of
    /// tasks may wait.
    pub async fn closed(&self) -> u16 {
        let mut seen = self.code.subscribe();
        match seen.wait_for(|c| *c != 0).await {
            Ok(code) => *code,
            Err(_) => unreachable!("the sender is self, alive while borrowed"),
        }
    }
}

#[derive(Clone)]
pub struct ConnHandle {
    pub id: ConnId,
    tx: mpsc::Sender<Wire>,
    closer: Arc<Closer>,
    /// Room for chat messages not yet stored (see `UNSTORED_PER_CONNECTION`).
    unstored: Arc<Semaphore>,
    /// The TURN server of the node holding the socket, when that is not
    /// this process (a cluster's gateway): a call's media relays there.
    turn: Option<Arc<[String]>>,
}

impl ConnHandle {
    pub fn new(id: ConnId) -> (ConnHandle, mpsc::Receiver<Wire>, Arc<Closer>) {
        let (tx, rx) = mpsc::channel(OUTBOUND_CAPACITY);
        let closer = Arc::new(Closer::default());
        (
            ConnHandle {
                id,
                tx,
                closer: closer.clone(),
                unstored: Arc::new(Semaphore::new(UNSTORED_PER_CONNECTION)),
                turn: None,
            },
            rx,
            closer,
        )
    }

    /// The socket relays its calls through the TURN server at `urls` (its
    /// node's own) instead of this process's.
    pub fn with_turn(mut self, urls: Option<Vec<String>>) -> ConnHandle {
        self.turn = urls.map(Into::into);
        self
    }

    /// Where the socket's calls relay, when not through this process.
    pub fn turn(&self) -> Option<&[String]> {
        self.turn.as_deref()
    }

    /// Queues a frame that must not be lost; closes a lagging connection.
    pub fn send(&self, frame: &Wire) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(frame.clone()) {
            tracing::warn!(
                conn = self.id,
                "outbound queue full; closing the lagging connection"
            );
            self.closer.close(CloseCode::Lagging);
        }
    }

    /// Queues an error answering one of the client's own frames. Unlike other
    /// reliable frames it is dropped, not fatal, when the queue is short of
    /// room: only a client sending faster than it reads its answers fills the
    /// queue with them, and closing it as lagging for the server's own
    /// replies would punish a burst harder than any limit says. The reserved
    /// room stays for chat and control frames. False when dropped.
    pub fn send_refusal(&self, frame: &Wire) -> bool {
        self.send_lossy(frame)
    }

    /// Queues a frame that may be dropped under pressure.
    pub fn send_ephemeral(&self, frame: &Wire) {
        let _ = self.tx.try_send(frame.clone());
    }

    /// Queues a co-browse frame unless that would eat into the room kept for
    /// reliable frames. False when it was dropped: the mirror notices the gap
    /// in sequence numbers and resynchronises from the server's log.
    pub fn send_lossy(&self, frame: &Wire) -> bool {
        self.tx.capacity() > RESERVED_FOR_RELIABLE && self.tx.try_send(frame.clone()).is_ok()
    }

    /// Waits until this connection has room for one more chat message
    /// waiting for the store; the room is given back when the permit drops.
    pub async fn unstored_permit(&self) -> OwnedSemaphorePermit {
        self.unstored
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// Free queue slots beyond the reserved ones.
    pub fn spare_capacity(&self) -> usize {
        self.tx.capacity().saturating_sub(RESERVED_FOR_RELIABLE)
    }

    pub fn close(&self, code: CloseCode) {
        self.closer.close(code);
    }

    pub fn close_with(&self, code: u16) {
        self.closer.close_with(code);
    }

    /// Resolves once the connection was asked to close; returns the code.
    pub async fn closed(&self) -> u16 {
        self.closer.closed().await
    }
}
