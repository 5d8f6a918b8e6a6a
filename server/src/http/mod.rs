//! HTTP: REST for agents, WebSocket upgrades, static assets, the demo shop.
//!
//! One file per REST resource, each with its routes and handlers: agents.rs
//! (`/me`), login.rs, sessions.rs (transcripts), customers.rs (the customer
//! panel), library.rs, supervisor.rs. The named payloads they answer with
//! are declared in `protocol::api`, which the console reads them with too.
//! They share state.rs (`AppState`), signed_in.rs (the `SignedIn` extractor
//! of agents-only handlers, over credentials.rs), reply.rs (how a payload is
//! sent) and error.rs. WebSockets: ws.rs upgrades, socket.rs serves one.
//! Also assets.rs (the console and widget files), metrics.rs (`/metrics`)
//! and demo.rs (the demo shop).

mod agents;
mod assets;
mod credentials;
mod customers;
pub mod demo;
mod error;
pub mod files;
mod library;
mod login;
pub mod metrics;
mod reply;
mod sessions;
mod signed_in;
mod socket;
mod state;
mod supervisor;
mod ws;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use tower_http::timeout::TimeoutLayer;

pub use assets::{CONSOLE_CSP, MIRROR_CSP, MIRROR_PATH};
pub use state::AppState;
pub use ws::normalise_origin;

pub fn router(state: AppState) -> Router {
    // /metrics is public only behind a token (see metrics.rs).
    let metrics = match &state.config.metrics.token {
        Some(token) => metrics::router(state.live.clone(), Some(token.as_str())),
        None => Router::new(),
    };
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(metrics)
        .merge(agents::router())
        .merge(login::router())
        .merge(sessions::router())
        .merge(customers::router())
        .merge(library::router())
        .merge(ws::router())
        .merge(supervisor::router())
        .merge(assets::router(&state.config.files))
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

/// How long `/readyz` waits for the database.
const READY_DB_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// `/readyz`, for load balancers: 200 while this server takes new clients
/// (its database answers and it is not stopping), 503 with the reason
/// otherwise. `/healthz` only says the process is alive.
async fn ready(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> (StatusCode, &'static str) {
    if app.drain.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    if !app.live.is_ready() {
        // A cluster node that has not found (or lost) its core or the bus.
        return (StatusCode::SERVICE_UNAVAILABLE, "no core reachable");
    }
    match tokio::time::timeout(READY_DB_LIMIT, app.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: the database failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
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
