//! `AppState`: what every handler of the public listener can reach.

use std::sync::Arc;

use crate::auth::AgentAuth;
use crate::config::Config;
use crate::drain::Drain;
use crate::hub::Hub;
use crate::net::PerIp;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// WebSockets open per client address (`--max-connections-per-ip`).
    pub sockets_per_ip: PerIp,
    /// Login throttling, bounded password checks, live agent sockets by token.
    pub auth: Arc<AgentAuth>,
    /// Whether the server is stopping, and its open WebSockets.
    pub drain: Drain,
}
