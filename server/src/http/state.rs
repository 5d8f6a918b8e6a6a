//! `AppState`: what every handler of the public listener can reach.

use std::sync::Arc;

use crate::admission::Admission;
use crate::auth::{AgentAuth, VisitorTokens};
use crate::cluster::Live;
use crate::config::Config;
use crate::drain::Drain;
use crate::net::PerIp;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Where sockets' frames go: this process's hub, or the cluster's core.
    pub live: Live,
    /// Checks and issues visitors' tokens at `hello` (every node has the key).
    pub visitor_tokens: VisitorTokens,
    /// This node's limits on new visitors, checked at `hello`.
    pub admission: Arc<Admission>,
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// WebSockets open per client address (`--max-connections-per-ip`).
    pub sockets_per_ip: PerIp,
    /// Login throttling, bounded password checks, live agent sockets by token.
    pub auth: Arc<AgentAuth>,
    /// Whether the server is stopping, and its open WebSockets.
    pub drain: Drain,
}
