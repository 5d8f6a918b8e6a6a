//! Agent login, logout, identity, and transcripts.

use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::credentials::{COOKIE_NAME, agent_from_headers, bearer_token};
use super::error::ApiError;
use crate::auth::token::AGENT_TOKEN_TTL_MS;
use crate::auth::{AgentTokens, password};
use crate::clock::now_ms;
use crate::store::Agent;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/sessions/{id}/transcript", get(transcript))
}

#[derive(Deserialize)]
struct LoginRequest {
    email: String,
    password: String,
}

fn agent_json(agent: &Agent) -> serde_json::Value {
    json!({"id": agent.id, "name": agent.name, "email": agent.email, "skills": agent.skills, "capacity": agent.capacity})
}

async fn login(
    State(app): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let bad = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "wrong email or password",
        )
    };
    if req.email.len() > 320 || req.password.len() > 1024 {
        return Err(bad());
    }
    let found = app.store.agent_credentials(req.email.trim()).await?;
    // Argon2 is deliberately slow; keep it off the async workers.
    let (agent, ok) = tokio::task::spawn_blocking(move || match found {
        Some((agent, hash)) => {
            let ok = password::verify(&req.password, &hash);
            (Some(agent), ok)
        }
        None => {
            password::verify(&req.password, password::decoy());
            (None, false)
        }
    })
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "login failed",
        )
    })?;
    let Some(agent) = agent.filter(|_| ok) else {
        tracing::info!("failed agent login");
        return Err(bad());
    };
    let token = AgentTokens::generate();
    let now = now_ms();
    app.store
        .add_agent_token(
            &AgentTokens::hash(&token),
            &agent.id,
            now,
            now + AGENT_TOKEN_TTL_MS,
        )
        .await?;
    let secure = if app.config.public_url.starts_with("https:") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        AGENT_TOKEN_TTL_MS / 1000
    );
    let mut response = Json(json!({"token": token, "agent": agent_json(&agent)})).into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie is ASCII"),
    );
    Ok(response)
}

async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = bearer_token(&headers) {
        app.store
            .delete_agent_token(&AgentTokens::hash(&token))
            .await?;
    }
    let clear = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&clear).expect("cookie is ASCII"),
    );
    Ok(response)
}

async fn me(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let agent = agent_from_headers(app.store.as_ref(), &headers)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(json!({"agent": agent_json(&agent)})))
}

/// The stored conversation of a session the agent served.
async fn transcript(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let session = own_session(&app, &headers, &id).await?;
    let events = all_events(app.store.as_ref(), &id, usize::MAX).await?;
    Ok(Json(
        json!({"session": session.summary(), "wrapup": session.wrapup, "events": events}),
    ))
}

/// Session `id` if the signed-in agent serves (or served) it.
pub(super) async fn own_session(
    app: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<crate::store::SessionRecord, ApiError> {
    let agent = agent_from_headers(app.store.as_ref(), headers)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let session = app.store.session(id).await?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "unknown_session", "no such session")
    })?;
    if session.agent.as_ref().map(|a| &a.id) != Some(&agent.id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this session is not yours",
        ));
    }
    Ok(session)
}

/// A session's events, oldest first, at most `limit` of them.
pub(super) async fn all_events(
    store: &dyn crate::store::Store,
    id: &str,
    limit: usize,
) -> Result<Vec<protocol::Event>, ApiError> {
    let mut events = Vec::new();
    while events.len() < limit {
        let after = events.last().map(|e: &protocol::Event| e.seq).unwrap_or(0);
        let page = store.events_after(id, after, 500).await?;
        let done = page.len() < 500;
        events.extend(page);
        if done {
            break;
        }
    }
    events.truncate(limit);
    Ok(events)
}
