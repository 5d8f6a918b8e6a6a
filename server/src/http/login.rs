//! Agent login and logout. A login is throttled per account and per client
//! address before its password is looked at, then checked by one of a few
//! Argon2 slots (see auth/throttle.rs and auth/hashing.rs); a logout revokes
//! the token and closes the sockets it opened (auth/live_tokens.rs).

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use protocol::api::{LoginReply, LoginRequest};

use super::agents::shown;
use super::credentials::{COOKIE_NAME, bearer_token};
use super::error::ApiError;
use super::extract::Body;
use super::reply::Reply;
use super::state::AppState;
use crate::auth::AgentTokens;
use crate::auth::throttle::Outcome;
use crate::clock::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
}

/// Longest email and password looked at; longer ones cannot belong to an
/// account and are refused before they cost a throttle entry or a hash.
const MAX_EMAIL_BYTES: usize = 320;
const MAX_PASSWORD_BYTES: usize = 1024;

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "bad_credentials",
        "wrong email or password",
    )
}

/// 429 with Retry-After in whole seconds (at least 1).
fn too_many(code: &'static str, message: &str, retry_ms: i64) -> Response {
    let secs = ((retry_ms.max(1) + 999) / 1000).to_string();
    let mut response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message).into_response();
    response.headers_mut().insert(
        RETRY_AFTER,
        HeaderValue::from_str(&secs).expect("digits are a valid header value"),
    );
    response
}

/// Sign an agent in: a bearer token, also set as the HttpOnly cookie the
/// console uses. 401 `bad_credentials`; 429 `too_many_attempts` (with
/// Retry-After) after repeated failures.
#[utoipa::path(post, path = "/api/v1/login", tag = "console",
    request_body = LoginRequest, security(()),
    responses((status = 200, description = "Signed in", body = LoginReply)))]
pub async fn login(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Body(req): Body<LoginRequest>,
) -> Result<Response, ApiError> {
    if req.email.len() > MAX_EMAIL_BYTES || req.password.len() > MAX_PASSWORD_BYTES {
        return Err(bad_credentials());
    }
    // Emails are stored lower-case: `Alex@Example.com` is alex@example.com,
    // for the lookup and for the throttle alike.
    let email = req.email.trim().to_lowercase();
    let ip = crate::net::client_ip(peer.ip(), &headers, &app.config.connections.trusted_proxies);
    let auth = &app.auth;
    // Before the account is looked up, so the answer is the same whether it exists.
    if let Err(wait_ms) = auth.throttle.begin(&email, ip, now_ms()) {
        tracing::info!(%ip, "login throttled");
        return Ok(too_many(
            "too_many_attempts",
            "too many login attempts; try again later",
            wait_ms,
        ));
    }
    let found = match app.store.agent_credentials(&email).await {
        Ok(found) => found,
        Err(e) => {
            auth.throttle.finish(&email, ip, Outcome::NotTried);
            return Err(e.into());
        }
    };
    let (agent, stored) = match found {
        Some((agent, hash)) => (Some(agent), Some(hash)),
        None => (None, None),
    };
    let ok = match auth.hashes.verify(req.password, stored).await {
        Ok(ok) => ok,
        Err(_busy) => {
            auth.throttle.finish(&email, ip, Outcome::NotTried);
            tracing::warn!("login refused: every password check slot is busy");
            return Ok(too_many(
                "busy",
                "too many logins at once; try again shortly",
                1000,
            ));
        }
    };
    let Some(agent) = agent.filter(|_| ok) else {
        auth.throttle.finish(&email, ip, Outcome::Failure);
        tracing::info!(%ip, "failed agent login");
        return Err(bad_credentials());
    };
    auth.throttle.finish(&email, ip, Outcome::Success);
    let token = AgentTokens::generate();
    let now = now_ms();
    let ttl = app.config.login.token_ttl_ms;
    app.store
        .add_agent_token(&AgentTokens::hash(&token), &agent.id, now, now + ttl)
        .await?;
    let secure = if app.config.public_url.starts_with("https:") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        ttl / 1000
    );
    let mut response = Reply(LoginReply {
        token,
        agent: shown(&agent),
    })
    .into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie is ASCII"),
    );
    Ok(response)
}

/// Sign out: the token stops working, on every node.
#[utoipa::path(post, path = "/api/v1/logout", tag = "console", security(()),
    responses((status = 204, description = "Signed out (also when no token came)")))]
pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = bearer_token(&headers) {
        let hash = AgentTokens::hash(&token);
        app.store.delete_agent_token(&hash).await?;
        // Sockets this process holds close now; other nodes notice within
        // their re-check interval.
        app.auth.live.revoke(&hash);
    }
    let clear = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&clear).expect("cookie is ASCII"),
    );
    Ok(response)
}
