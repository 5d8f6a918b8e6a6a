//! HTTP: REST for agents, WebSocket upgrades, static assets, the demo shop.

mod agents;
mod assets;
mod credentials;
mod customers;
pub mod demo;
mod error;
mod library;
mod login;
mod socket;
mod supervisor;
mod ws;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::routing::get;

pub use assets::{CONSOLE_CSP, MIRROR_CSP, MIRROR_PATH};
pub use ws::normalise_origin;

use crate::config::Config;
use crate::hub::Hub;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    /// Login throttling, bounded password checks, live agent sockets by token.
    pub auth: Arc<crate::auth::AgentAuth>,
}

/// The client's address: the TCP peer. Login throttling counts by it.
// Behind a reverse proxy every client shares the proxy's address; honouring
// a trusted proxy's `X-Forwarded-For` belongs here, hence `headers`.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    let _ = headers;
    peer.ip()
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(agents::router())
        .merge(login::router())
        .merge(customers::router())
        .merge(library::router())
        .merge(ws::router())
        .merge(supervisor::router())
        .merge(assets::router(&state.config.static_dir))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}
