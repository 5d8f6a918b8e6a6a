//! The core's side of other nodes' sockets. Each one becomes a connection of
//! the hub like a local socket: an outbound queue (drained to the bus
//! instead of a socket) and a task applying its frames in order (as a local
//! socket's reader does). Limits that protect the process — frame rates,
//! sizes, `hello` deadlines, strikes — were applied by the gateway; the
//! hub's own rules (who may act on which session, unstored-message caps,
//! lagging connections) apply here as for any connection.
//!
//! A gateway that dies cannot say its sockets closed: every second the core
//! asks the bus which nodes still listen, and detaches the sockets of those
//! that do not (an agent's ringing offer moves on, as on a local close).
//!
//! A gateway's sockets relay their calls through that node's TURN server:
//! their credentials name it, and calls.rs tells the node which calls its
//! TURN server may relay for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use protocol::{CloseCode, decode_client};
use tokio::sync::{mpsc, watch};

use super::bus::{Bus, FIGURES, METRICS};
use super::calls::CallNotices;
use super::message::{FromSocket, NodeConn, Opened, ToCore, ToNode};
use crate::hub::{ConnHandle, Hub, HubError, Principal, Wire};

/// Frames from one remote socket waiting to be applied; a socket that
/// outruns the hub this far is closed as lagging (its client resumes).
const INBOUND: usize = 256;
/// How often the core checks that the nodes holding its sockets still listen.
pub const SWEEP: Duration = Duration::from_secs(1);

type Key = (String, NodeConn);

pub struct Remotes {
    hub: Hub,
    bus: Bus,
    conns: Mutex<HashMap<Key, mpsc::Sender<FromSocket>>>,
    calls: Arc<CallNotices>,
}

impl Remotes {
    pub fn new(hub: Hub, bus: Bus) -> Arc<Remotes> {
        let changes = hub.calls_watch();
        let remotes = Arc::new(Remotes {
            calls: Arc::new(CallNotices::new(hub.clone(), bus.clone())),
            hub,
            bus,
            conns: Mutex::default(),
        });
        tokio::spawn(tell_calls(Arc::downgrade(&remotes), changes));
        remotes
    }

    /// The nodes holding sockets attached here.
    fn nodes(&self) -> Vec<String> {
        let mut nodes: Vec<String> = self.conns().keys().map(|(n, _)| n.clone()).collect();
        nodes.sort();
        nodes.dedup();
        nodes
    }

    fn conns(&self) -> std::sync::MutexGuard<'_, HashMap<Key, mpsc::Sender<FromSocket>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A message from a gateway.
    pub fn receive(self: &Arc<Self>, msg: ToCore) {
        let key = (msg.node, msg.conn);
        match msg.what {
            FromSocket::Open(opened) => self.open(key, opened),
            what => {
                let Some(tx) = self.conns().get(&key).cloned() else {
                    // Not (or no longer) attached here: tell the socket to
                    // reconnect, unless it is gone already.
                    if what != FromSocket::Closed {
                        self.send(&key.0, ToNode::Close(key.1, CloseCode::Restart.code()));
                    }
                    return;
                };
                if tx.try_send(what).is_err() {
                    tracing::warn!(
                        node = key.0.as_str(),
                        conn = key.1,
                        "remote socket lagging; closing it"
                    );
                    self.conns().remove(&key);
                    self.send(&key.0, ToNode::Close(key.1, CloseCode::Lagging.code()));
                }
            }
        }
    }

    fn send(self: &Arc<Self>, node: &str, msg: ToNode) {
        let (bus, channel) = (self.bus.clone(), self.bus.node_channel(node));
        tokio::spawn(async move {
            let _ = bus.publish(&channel, msg.encode()).await;
        });
    }

    fn open(self: &Arc<Self>, key: Key, opened: Opened) {
        let (conn, outbound, closer) = self.hub.new_conn();
        let conn = conn.with_turn(opened.turn.clone());
        let (tx, inbound) = mpsc::channel(INBOUND);
        // The same socket opened twice (a gateway bug) keeps the newer: the
        // older one's task sees its channel closed and detaches.
        self.conns().insert(key.clone(), tx);
        let channel = self.bus.node_channel(&key.0);
        tokio::spawn(write(
            self.bus.clone(),
            (key.0.clone(), channel),
            key.1,
            outbound,
            closer.clone(),
            self.calls.clone(),
        ));
        let me = self.clone();
        tokio::spawn(async move {
            me.read(&key, conn.clone(), opened, inbound).await;
            // However it ended, the socket is gone from the hub and the map
            // (unless a newer open took its place).
            let mut conns = me.conns();
            if conns.get(&key).is_some_and(|tx| tx.is_closed()) {
                conns.remove(&key);
            }
            drop(conns);
            conn.close(CloseCode::Normal);
        });
    }

    /// Applies one remote socket's frames in order until it closes.
    async fn read(
        &self,
        key: &Key,
        conn: ConnHandle,
        opened: Opened,
        mut inbound: mpsc::Receiver<FromSocket>,
    ) {
        let principal = opened.principal;
        // Before `welcome`: a client back mid-call asks for credentials
        // for its node's TURN right after it.
        if opened.turn.is_some() {
            self.calls.tell(&key.0, true).await;
        }
        if let Principal::Agent(agent) = &principal {
            self.hub.recall_presence(agent).await;
        }
        self.hub
            .attach(&principal, &conn, opened.visitor_token, opened.rid);
        let closed = conn.closed();
        tokio::pin!(closed);
        loop {
            let what = tokio::select! {
                what = inbound.recv() => what,
                _ = &mut closed => None,
            };
            match what {
                Some(FromSocket::Text(text)) => match decode_client(&text) {
                    Ok(env) => {
                        self.hub.answer(&principal, &conn, env).await;
                    }
                    Err(e) => {
                        let refusal = HubError::new(e.code, e.message);
                        conn.send_refusal(&refusal.frame(e.rid, None));
                    }
                },
                Some(FromSocket::Binary(bytes)) => {
                    if let Err(e) = self.hub.cobrowse_frame(&principal, bytes) {
                        conn.send_refusal(&e.frame(None, None));
                    }
                }
                Some(FromSocket::Open(_)) => {}
                Some(FromSocket::Closed) | None => break,
            }
        }
        self.hub.detach(&principal, conn.id);
        tracing::debug!(
            node = key.0.as_str(),
            conn = key.1,
            "remote socket detached"
        );
    }

    /// Detaches every socket of nodes that no longer listen on the bus.
    pub async fn sweep(&self) {
        let nodes = self.nodes();
        let channels: Vec<String> = nodes.iter().map(|n| self.bus.node_channel(n)).collect();
        let Ok(counts) = self.bus.subscribers(&channels).await else {
            return;
        };
        for (node, count) in nodes.iter().zip(counts) {
            if count == 0 {
                tracing::info!(
                    node = node.as_str(),
                    "node gone from the bus; detaching its sockets"
                );
                // Dropping the senders ends each socket's task, which detaches it.
                self.conns().retain(|(n, _), _| n != node);
                self.calls.forget(node);
            }
        }
    }

    /// Publishes what every node shows of the hub — the supervisors' live
    /// figures and the Prometheus text — for gateways to answer with. They
    /// live a few sweeps: a dead core's figures vanish instead of lying.
    pub async fn publish_figures(&self) {
        let view = self.hub.metrics_view();
        let figures = view.live();
        let metrics = crate::metrics::prometheus::render(view.counters(), &figures);
        let ttl = 5 * SWEEP;
        let json = serde_json::to_vec(&figures).expect("plain data serialises");
        let figures = self.bus.put(&self.bus.key(FIGURES), json, ttl).await;
        let metrics = self
            .bus
            .put(&self.bus.key(METRICS), metrics.into_bytes(), ttl)
            .await;
        if let Err(e) = figures.and(metrics) {
            tracing::debug!(error = %e, "could not publish the live figures");
        }
    }

    /// Detaches every remote socket (the core lost the bus or its lease).
    pub fn clear(&self) {
        self.conns().clear();
    }
}

/// Tells every node holding sockets here which calls are active, each time
/// that changes, until the core steps down.
async fn tell_calls(remotes: std::sync::Weak<Remotes>, mut changed: watch::Receiver<u64>) {
    while changed.changed().await.is_ok() {
        let Some(remotes) = remotes.upgrade() else {
            return;
        };
        for node in remotes.nodes() {
            remotes.calls.tell(&node, false).await;
        }
    }
}

/// Drains one remote socket's outbound queue to its node, in order; on
/// close, sends what is queued (unless it lagged) and the close code.
/// Before a frame, the node hears of a change to the active calls the
/// frame may depend on (calls.rs).
async fn write(
    bus: Bus,
    (node, channel): (String, String),
    id: NodeConn,
    mut outbound: mpsc::Receiver<Wire>,
    closer: Arc<crate::hub::outbound::Closer>,
    calls: Arc<CallNotices>,
) {
    let mut calls_seen = calls.version();
    let closed = closer.closed();
    tokio::pin!(closed);
    let publish = |wire: Wire| {
        let msg = match wire {
            Wire::Text(t) => ToNode::Text(id, t.into()),
            Wire::Binary(b) => ToNode::Binary(id, b),
        };
        let (bus, channel) = (&bus, &channel);
        async move { bus.publish(channel, msg.encode()).await }
    };
    loop {
        tokio::select! {
            wire = outbound.recv() => match wire {
                Some(wire) => {
                    let version = calls.version();
                    if version != calls_seen {
                        calls_seen = version;
                        calls.tell(&node, false).await;
                    }
                    if !matches!(publish(wire).await, Ok(n) if n > 0) {
                        // The node is gone or the bus failed: the socket's
                        // task learns it from the sweep or the node's own close.
                        closer.close(CloseCode::Restart);
                    }
                }
                None => break,
            },
            code = &mut closed => {
                if code != CloseCode::Lagging.code() {
                    while let Ok(wire) = outbound.try_recv() {
                        let _ = publish(wire).await;
                    }
                }
                let _ = bus.publish(&channel, ToNode::Close(id, code).encode()).await;
                break;
            }
        }
    }
}
