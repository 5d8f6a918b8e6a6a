//! A gateway: this node's sockets while another node is the core. `hello`
//! is checked here (tokens, the store, this node's admission limits); after
//! it, every frame goes to the core as it arrived, and what the core sends
//! back is written to the socket. The core applies the same rules and
//! limits to these sockets as to its own: it sees each one as a connection
//! of its hub (cluster/core.rs).
//!
//! When the core stops answering (a publish reaches no subscriber, or the
//! bus fails), the gateway retires its route: its sockets reconnect and
//! wait for the next core (`Live::ready_route`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use super::bus::{Bus, FIGURES, METRICS};
use super::calls::NodeTurn;
use super::message::{FromSocket, NodeConn, Opened, ToCore, ToNode};
use crate::hub::outbound::Closer;
use crate::hub::{ConnHandle, Wire};

pub struct Gateway {
    bus: Bus,
    /// This node's id, so the core knows where to answer.
    node: String,
    /// The core's channel (its epoch's).
    core: String,
    /// What to do when the core stops answering: retire this gateway's
    /// route (set by node.rs once the route is current).
    on_lost: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
    next: AtomicU64,
    conns: Mutex<HashMap<NodeConn, ConnHandle>>,
    /// This node's TURN server: its sockets' calls relay here, not through
    /// the core's node.
    turn: Option<Arc<NodeTurn>>,
}

impl Gateway {
    pub(super) fn new(bus: Bus, node: &str, epoch: i64, turn: Option<Arc<NodeTurn>>) -> Gateway {
        Gateway {
            core: bus.core_channel(epoch),
            bus,
            node: node.to_string(),
            on_lost: Default::default(),
            next: AtomicU64::new(0),
            conns: Mutex::default(),
            turn,
        }
    }

    /// Where this node's sockets relay their calls, told to the core when
    /// each socket opens there.
    pub fn turn_urls(&self) -> Option<Vec<String>> {
        self.turn.as_ref().map(|t| t.server.urls())
    }

    /// Whether `session` has an active call (this node's TURN asks).
    pub fn call_active(&self, session: &str) -> bool {
        self.turn.as_ref().is_some_and(|t| t.call_active(session))
    }

    pub(super) fn when_lost(&self, retire: impl Fn() + Send + Sync + 'static) {
        let _ = self.on_lost.set(Box::new(retire));
    }

    fn conns(&self) -> std::sync::MutexGuard<'_, HashMap<NodeConn, ConnHandle>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A socket's outbound queue, registered to receive the core's frames.
    pub fn new_conn(&self) -> (ConnHandle, mpsc::Receiver<Wire>, Arc<Closer>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let (conn, rx, closer) = ConnHandle::new(id);
        self.conns().insert(id, conn.clone());
        (conn, rx, closer)
    }

    /// The socket passed `hello`: the core attaches it and says `welcome`.
    pub async fn open(&self, conn: NodeConn, opened: Opened) {
        self.forward(conn, FromSocket::Open(opened)).await;
    }

    pub async fn text(&self, conn: NodeConn, text: &str) {
        self.forward(conn, FromSocket::Text(text.to_string())).await;
    }

    pub async fn binary(&self, conn: NodeConn, bytes: Bytes) {
        self.forward(conn, FromSocket::Binary(bytes)).await;
    }

    /// The socket ended; `told_core`: whether it had been opened there.
    pub async fn closed(&self, conn: NodeConn, told_core: bool) {
        self.conns().remove(&conn);
        if told_core {
            self.forward(conn, FromSocket::Closed).await;
        }
    }

    async fn forward(&self, conn: NodeConn, what: FromSocket) {
        let msg = ToCore {
            node: self.node.clone(),
            conn,
            what,
        };
        match self.bus.publish(&self.core, msg.encode()).await {
            Ok(0) => {
                tracing::warn!(
                    core = self.core.as_str(),
                    "the core is not listening; reconnecting this node's sockets"
                );
                self.retire();
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the bus failed; reconnecting this node's sockets");
                self.retire();
            }
        }
    }

    fn retire(&self) {
        if let Some(retire) = self.on_lost.get() {
            retire();
        }
    }

    /// The supervisors' live figures as the core last published them.
    pub async fn figures(&self) -> Option<protocol::api::LiveFigures> {
        let bytes = self.bus.get(&self.bus.key(FIGURES)).await.ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    /// The Prometheus text as the core last published it.
    pub async fn metrics(&self) -> Option<String> {
        let bytes = self.bus.get(&self.bus.key(METRICS)).await.ok()??;
        String::from_utf8(bytes.to_vec()).ok()
    }

    /// A frame (or a close) from the core for one of this node's sockets.
    pub(super) fn deliver(&self, msg: ToNode) {
        // One lock, no clone: this runs for every frame the core sends.
        let conns = self.conns();
        match msg {
            ToNode::Text(id, text) => {
                if let (Some(conn), Ok(text)) = (conns.get(&id), Utf8Bytes::try_from(text)) {
                    conn.send(&Wire::Text(text));
                }
            }
            ToNode::Binary(id, bytes) => {
                if let Some(conn) = conns.get(&id) {
                    conn.send_lossy(&Wire::Binary(bytes));
                }
            }
            ToNode::Close(id, code) => {
                if let Some(conn) = conns.get(&id) {
                    conn.close_with(code);
                }
            }
            ToNode::Calls(sessions) => {
                if let Some(turn) = &self.turn {
                    turn.set_calls(sessions);
                }
            }
        }
    }
}
