//! HTTP: REST for agents, WebSocket upgrades, static assets, the demo shop.

mod agents;
mod assets;
mod credentials;
mod customers;
pub mod demo;
mod error;
mod library;
mod login;
pub mod metrics;
mod socket;
mod supervisor;
mod ws;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use tower_http::timeout::TimeoutLayer;

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
    /// WebSockets open per client address (`--max-connections-per-ip`).
    pub sockets_per_ip: crate::net::PerIp,
    /// Login throttling, bounded password checks, live agent sockets by token.
    pub auth: Arc<crate::auth::AgentAuth>,
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
        .merge(login::router())
        .merge(customers::router())
        .merge(library::router())
        .merge(ws::router())
        .merge(supervisor::router())
        .merge(assets::router(&state.config.static_dir))
        .layer(DefaultBodyLimit::max(64 * 1024))
        // The header timeout is the listener's; this bounds the rest of a
        // request, so a body sent a byte at a time cannot hold a connection.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.connections.request_timeout,
        ))
        .layer(axum::middleware::from_fn(no_store))
        .with_state(state)
}

/// API answers carry tokens, transcripts and customers' details: no cache,
/// the browser's or a proxy's, may keep them. Every `/api/` answer, errors
/// and unknown paths included, so a new endpoint cannot forget it.
async fn no_store(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if api {
        res.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    res
}
