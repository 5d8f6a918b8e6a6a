//! HTTP: REST for agents, WebSocket upgrades, static assets, the demo shop.

mod agents;
mod assets;
mod credentials;
mod customers;
pub mod demo;
mod error;
mod library;
pub mod metrics;
mod socket;
mod supervisor;
mod ws;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
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
}

pub fn router(state: AppState) -> Router {
    // /metrics is public only behind a token (see metrics.rs).
    let metrics = match &state.config.metrics.token {
        Some(token) => metrics::router(state.hub.metrics_view(), Some(token.as_str())),
        None => Router::new(),
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(metrics)
        .merge(agents::router())
        .merge(customers::router())
        .merge(library::router())
        .merge(ws::router())
        .merge(supervisor::router())
        .merge(assets::router(&state.config.static_dir))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}
