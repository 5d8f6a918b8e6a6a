//! Where this node's sockets take what they receive: the hub in this
//! process (a single node, or the cluster's core), or the core on another
//! node through the bus (a gateway). `Live` holds the current route; when
//! it changes (this node took the core over, or lost it, or the core moved
//! elsewhere) every socket bound to the previous one is told to reconnect
//! (1012), and reconnects to the new route.
//!
//! A single node sets its route once and never changes it.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::gateway::Gateway;
use crate::hub::Hub;

/// Where one socket's frames go.
#[derive(Clone)]
pub enum Route {
    /// This process runs the hub.
    Core(Hub),
    /// Another node runs it; frames travel over the bus.
    Gateway(Arc<Gateway>),
}

#[derive(Clone)]
struct Current {
    /// Grows with every change, so a socket can tell its route retired.
    generation: u64,
    route: Option<Route>,
}

/// The node's current route. Cheap to clone.
#[derive(Clone)]
pub struct Live {
    current: Arc<watch::Sender<Current>>,
}

impl Live {
    /// A node with no route yet (a cluster node before it found its core).
    pub fn pending() -> Live {
        Live {
            current: Arc::new(
                watch::channel(Current {
                    generation: 0,
                    route: None,
                })
                .0,
            ),
        }
    }

    /// A single node: its own hub, for good.
    pub fn serve_alone(&self, hub: Hub) {
        self.set(Some(Route::Core(hub)));
    }

    /// The current route and its generation, if there is one.
    pub fn route(&self) -> Option<(u64, Route)> {
        let c = self.current.borrow();
        c.route.clone().map(|r| (c.generation, r))
    }

    /// Waits up to `limit` for a route: a client reconnecting while the
    /// cluster elects a new core waits here rather than retrying blindly.
    pub async fn ready_route(&self, limit: Duration) -> Option<(u64, Route)> {
        let mut seen = self.current.subscribe();
        let waited = tokio::time::timeout(limit, seen.wait_for(|c| c.route.is_some())).await;
        match waited {
            Ok(Ok(c)) => c.route.clone().map(|r| (c.generation, r)),
            _ => None,
        }
    }

    /// Resolves once the route of `generation` is no longer current.
    pub async fn retired(&self, generation: u64) {
        let mut seen = self.current.subscribe();
        let _ = seen.wait_for(|c| c.generation != generation).await;
    }

    /// The hub, when this node runs it.
    pub fn hub(&self) -> Option<Hub> {
        let route = self.current.borrow().route.clone();
        match route {
            Some(Route::Core(hub)) => Some(hub.clone()),
            _ => None,
        }
    }

    /// Whether the node has somewhere to send frames (for `/readyz`).
    pub fn is_ready(&self) -> bool {
        self.current.borrow().route.is_some()
    }

    /// Replaces the route; sockets bound to the previous one reconnect.
    pub(super) fn set(&self, route: Option<Route>) {
        self.current.send_modify(|c| {
            c.generation += 1;
            c.route = route;
        });
    }

    /// Drops the route of `generation` if it is still current (a gateway
    /// that found its core gone), leaving a newer one alone.
    pub(super) fn retire(&self, generation: u64) {
        self.current.send_if_modified(|c| {
            let current = c.generation == generation && c.route.is_some();
            if current {
                c.generation += 1;
                c.route = None;
            }
            current
        });
    }
}

/// TURN asks whether a session has a call: the hub knows, and a gateway
/// keeps what the core tells it.
impl crate::turn::CallRegistry for Live {
    fn call_active(&self, session: &str) -> bool {
        match &self.current.borrow().route {
            Some(Route::Core(hub)) => hub.call_active(session),
            Some(Route::Gateway(gateway)) => gateway.call_active(session),
            None => false,
        }
    }
}
