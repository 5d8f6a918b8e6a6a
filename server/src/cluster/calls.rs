//! Which calls a gateway's TURN server may relay for. A socket's call
//! relays through the TURN server of the node holding the socket, and a
//! TURN server relays only for sessions with an active call; only the core
//! knows which those are, so it tells each node that holds sockets of its
//! hub the whole set (it is small: one entry per call in progress).
//!
//! A node keeps the last list it was told (`NodeTurn`) across changes of
//! core: a new core's first list frees the relays of calls cut with the old
//! one, while a gateway that merely reconnected to the same core keeps its
//! calls' media flowing.
//!
//! Order matters one way: a node must hear that a call is active before
//! its sockets get that call's credentials, or the first allocation would
//! be refused. The hub counts each change before it queues credentials,
//! and a socket's writer (core.rs) tells its node about a newer count
//! before it publishes the socket's next frame, on the same connection to
//! Redis, which keeps that order. A call's end needs no such care: the
//! node learns it a moment later and frees the call's relays then.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::bus::Bus;
use super::message::ToNode;
use crate::hub::Hub;
use crate::turn::TurnServer;

pub struct CallNotices {
    hub: Hub,
    bus: Bus,
    /// Per node: the count of changes it was last told, behind a lock held
    /// while telling, so a frame never overtakes a notice it depends on.
    told: Mutex<HashMap<String, Arc<tokio::sync::Mutex<u64>>>>,
}

impl CallNotices {
    pub fn new(hub: Hub, bus: Bus) -> CallNotices {
        CallNotices {
            hub,
            bus,
            told: Mutex::default(),
        }
    }

    fn slot(&self, node: &str) -> Arc<tokio::sync::Mutex<u64>> {
        let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
        told.entry(node.to_string()).or_default().clone()
    }

    /// Tells `node` the active calls unless it already heard of the
    /// current set; `always`: even then (the node's gateway may be new).
    pub async fn tell(&self, node: &str, always: bool) {
        let version = self.hub.calls_version();
        let slot = self.slot(node);
        let mut told = slot.lock().await;
        if !always && *told >= version {
            return;
        }
        let msg = ToNode::Calls(self.hub.active_calls());
        let channel = self.bus.node_channel(node);
        match self.bus.publish(&channel, msg.encode()).await {
            Ok(_) => *told = version,
            Err(e) => tracing::debug!(error = %e, node, "could not tell a node the active calls"),
        }
    }

    /// The node is gone: forget what it was told.
    pub fn forget(&self, node: &str) {
        let mut told = self.told.lock().unwrap_or_else(|p| p.into_inner());
        told.remove(node);
    }

    /// How many changes to the active calls the hub has counted.
    pub fn version(&self) -> u64 {
        self.hub.calls_version()
    }
}

/// A gateway node's TURN server and the calls it may relay for.
pub struct NodeTurn {
    pub server: Arc<TurnServer>,
    /// Sessions whose call is active, as the core last said.
    calls: Mutex<HashSet<String>>,
}

impl NodeTurn {
    pub fn new(server: Arc<TurnServer>) -> NodeTurn {
        NodeTurn {
            server,
            calls: Mutex::default(),
        }
    }

    pub fn call_active(&self, session: &str) -> bool {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(session)
    }

    /// The core's list of active calls replaces the last one; the relays of
    /// calls no longer on it go at once, as on the core's own node.
    pub fn set_calls(&self, sessions: Vec<String>) {
        let now: HashSet<String> = sessions.into_iter().collect();
        let before = std::mem::replace(
            &mut *self.calls.lock().unwrap_or_else(|p| p.into_inner()),
            now.clone(),
        );
        for ended in before.difference(&now) {
            let (server, session) = (self.server.clone(), ended.clone());
            tokio::spawn(async move { server.release_session(&session).await });
        }
    }
}
