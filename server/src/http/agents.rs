//! The signed-in agent and the transcripts of their sessions (login and
//! logout are in login.rs).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;
use super::credentials::agent_from_headers;
use super::error::ApiError;
use crate::store::Agent;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/sessions/{id}/transcript", get(transcript))
}

/// An agent as the REST API shows them.
pub(super) fn agent_json(agent: &Agent) -> serde_json::Value {
    json!({"id": agent.id, "name": agent.name, "email": agent.email, "skills": agent.skills, "capacity": agent.capacity})
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
