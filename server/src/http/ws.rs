//! WebSocket upgrades: checks that happen before a socket exists (site,
//! origin, cookie), then hands the socket to `socket::serve`.

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Extension, Query, State};
use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use protocol::limits::MAX_TRANSPORT_BYTES;
use serde::Deserialize;

use super::credentials::{agent_for_token, bearer_token};
use super::error::ApiError;
use super::socket::{self, Held, Pending};
use super::state::AppState;
use crate::auth::AgentTokens;
use crate::net::{ReadBudget, Slot, client_ip};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ws/visitor", get(visitor))
        .route("/ws/agent", get(agent))
}

#[derive(Deserialize)]
struct VisitorQuery {
    site: String,
}

/// Origins compare case-insensitively and without a trailing slash.
pub fn normalise_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn origin(headers: &HeaderMap) -> Option<String> {
    headers
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(normalise_origin)
}

async fn visitor(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(budget): Extension<ReadBudget>,
    Query(q): Query<VisitorQuery>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let ip = client_ip(peer.ip(), &headers, &app.config.connections.trusted_proxies);
    let slot = socket_slot(&app, ip)?;
    let site = app.store.site(&q.site).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_site",
            format!("no site {:?}", q.site),
        )
    })?;
    // Browsers always send Origin on a WebSocket; a page on another origin
    // must not be able to open visitor sessions for this site.
    let allowed =
        origin(&headers).is_some_and(|o| site.origins.iter().any(|a| normalise_origin(a) == o));
    if !allowed {
        tracing::info!(site = site.id.as_str(), origin = ?origin(&headers), "visitor connection from an origin not allowed");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this origin may not embed the widget",
        ));
    }
    let held = Held { slot, budget };
    upgrade(ws, app, Pending::Visitor { site: site.id, ip }, held).await
}

async fn agent(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(budget): Extension<ReadBudget>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let ip = client_ip(peer.ip(), &headers, &app.config.connections.trusted_proxies);
    let slot = socket_slot(&app, ip)?;
    // The console is same-origin; refusing other origins stops a hostile page
    // from riding an agent's cookie (cross-site WebSocket hijacking). Clients
    // without an Origin header are not browsers and authenticate with a token.
    if let Some(o) = origin(&headers)
        && o != normalise_origin(&app.config.public_url)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "the console runs on the server's own origin",
        ));
    }
    // The cookie's token is remembered with the agent: revoking it closes this socket.
    let cookie = match bearer_token(&headers) {
        Some(token) => agent_for_token(app.store.as_ref(), &token)
            .await?
            .map(|agent| (agent, AgentTokens::hash(&token))),
        None => None,
    };
    upgrade(ws, app, Pending::Agent { cookie }, Held { slot, budget }).await
}

/// A place among the client address's WebSockets. Behind a trusted proxy
/// the address is the forwarded one, so clients of one proxy do not share
/// a cap (the listener's TCP cap does not count a trusted proxy).
/// A new socket's place in its address's count; refused while the server
/// stops (the client retries, through a balancer to another node) or when
/// the address holds too many.
fn socket_slot(app: &AppState, ip: IpAddr) -> Result<Slot, ApiError> {
    if app.drain.is_draining() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "restarting",
            "this server is stopping; connect again",
        ));
    }
    app.sockets_per_ip.try_take(ip).ok_or_else(|| {
        tracing::info!(%ip, "websocket refused: too many from this address");
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            "too many connections from this address",
        )
    })
}

/// Per-connection read buffer.
const READ_BUFFER_BYTES: usize = 8 * 1024;

/// Bytes a socket may read before its `hello` succeeded, in multiples of the
/// largest frame allowed then: the hello, a read's worth of frames pipelined
/// behind it, and the pongs and pings of a slow start.
const BUDGET_BEFORE_HELLO: usize = 4;

/// How long an upgrade waits for this node to have a route (a cluster
/// electing a new core): the client's handshake takes longer instead of
/// failing and backing off.
const ROUTE_WAIT: std::time::Duration = std::time::Duration::from_secs(4);

async fn upgrade(
    ws: WebSocketUpgrade,
    app: AppState,
    pending: Pending,
    held: Held,
) -> Result<Response, ApiError> {
    let Some(route) = app.live.ready_route(ROUTE_WAIT).await else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "restarting",
            "no node of the cluster is serving yet; connect again",
        ));
    };
    held.budget
        .limit(BUDGET_BEFORE_HELLO * app.config.connections.hello_max_bytes + READ_BUFFER_BYTES);
    Ok(ws
        .max_message_size(MAX_TRANSPORT_BYTES)
        .max_frame_size(MAX_TRANSPORT_BYTES)
        // tungstenite's 128 KiB default read buffer per connection is most of a
        // connection's memory; chat frames are small and page frames stream fine
        // through 8 KiB. Writes are flushed by our writer task, so no write
        // buffer threshold is needed either.
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| socket::serve(app, socket, pending, held, route)))
}
