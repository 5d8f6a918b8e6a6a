//! HTTP: REST for agents, WebSocket upgrades, static assets, the demo shop.
//!
//! One file per REST resource, each with its routes and handlers: agents.rs
//! (`/me`, accounts), login.rs, sessions.rs (transcripts), customers.rs (the
//! customer panel), library.rs, supervisor.rs (figures, roster), and for
//! integrations conversations.rs (with call-backs), customer_records.rs,
//! sites.rs, tokens.rs and webhooks.rs. The named payloads they answer with are declared
//! in `protocol::api` and `protocol::integration`, which the console reads
//! them with too. They share state.rs (`AppState`), signed_in.rs (the
//! `SignedIn` extractor of agents-only handlers, over credentials.rs),
//! caller.rs (`Caller`: an API token or an agent, with a scope), extract.rs
//! (bodies and query strings), reply.rs (how a payload is sent), error.rs
//! (problem details) and idempotency.rs (`Idempotency-Key`). openapi.rs
//! makes the OpenAPI document from the handlers; api_reference.rs renders
//! it for people. WebSockets: ws.rs upgrades, socket.rs serves one.
//! Also assets.rs (the console and widget files), metrics.rs (`/metrics`)
//! and demo.rs (the demo shop).

mod agents;
mod api_reference;
mod assets;
mod caller;
mod conversations;
mod credentials;
mod customer_records;
mod customers;
pub mod demo;
mod error;
mod extract;
pub mod files;
mod idempotency;
mod library;
mod login;
pub mod metrics;
pub mod openapi;
mod reply;
mod sessions;
mod signed_in;
mod sites;
mod socket;
mod state;
mod supervisor;
mod tokens;
mod webhooks;
mod ws;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use tower_http::timeout::TimeoutLayer;

pub use api_reference::PROBLEMS;
pub use assets::{CONSOLE_CSP, MIRROR_CSP, MIRROR_PATH};
pub use customers::customer_of;
pub use state::AppState;
pub use tokens::make_token;
pub use ws::normalise_origin;

pub fn router(state: AppState) -> Router {
    // /metrics is public only behind a token (see metrics.rs).
    let metrics = match &state.config.metrics.token {
        Some(token) => metrics::router(state.live.clone(), Some(token.as_str())),
        None => Router::new(),
    };
    // The routes whose POSTs honour Idempotency-Key.
    let integration = Router::new()
        .merge(library::router())
        .merge(tokens::router())
        .merge(webhooks::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::idempotency,
        ));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(metrics)
        .merge(agents::router())
        .merge(login::router())
        .merge(sessions::router())
        .merge(customers::router())
        .merge(integration)
        .merge(conversations::router())
        .merge(customer_records::router())
        .merge(sites::router())
        .merge(openapi::router())
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
        .layer(axum::middleware::from_fn(api_answers))
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
/// and unknown paths included, so a new endpoint cannot forget it. The
/// router's own 404 and 405 become problem details there too.
async fn api_answers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let problem = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == error::PROBLEM_JSON.as_bytes());
    if api && !problem {
        let refusal = match res.status() {
            StatusCode::NOT_FOUND => Some(("not_found", "no such path")),
            StatusCode::METHOD_NOT_ALLOWED => {
                Some(("method_not_allowed", "this path does not take this method"))
            }
            _ => None,
        };
        if let Some((code, message)) = refusal {
            let allow = res.headers().get(axum::http::header::ALLOW).cloned();
            res = error::ApiError::new(res.status(), code, message).into_response();
            if let Some(allow) = allow {
                res.headers_mut().insert(axum::http::header::ALLOW, allow);
            }
        }
    }
    if api {
        res.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    res
}
