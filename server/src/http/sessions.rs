//! A session's transcript for the agent who served it, or a supervisor
//! (`GET /api/v1/sessions/{id}/transcript`), and the checks and reads the
//! session endpoints share (the customer panel is in customers.rs).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use protocol::Event;
use protocol::api::{AgentRole, Transcript};

use super::error::ApiError;
use super::reply::Reply;
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::store::{Agent, SessionRecord, Store};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/sessions/{id}/transcript", get(transcript))
}

/// A session with its wrap-up and `events`: `GET …/transcript`, and each of
/// the earlier conversations of the customer panel.
pub fn transcript_of(session: &SessionRecord, events: Vec<Event>) -> Transcript {
    Transcript {
        session: session.summary(),
        wrapup: session.wrapup.clone(),
        events,
    }
}

/// The stored conversation of a session the agent served (any, for a
/// supervisor).
/// A session's stored conversation, for the agent who served it or a supervisor.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/transcript", tag = "console",
    params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, description = "The transcript", body = Transcript)))]
pub async fn transcript(
    State(app): State<AppState>,
    Path(id): Path<String>,
    SignedIn(agent): SignedIn,
) -> Result<Reply<Transcript>, ApiError> {
    let session = readable_session(&app, &agent, &id).await?;
    let events = all_events(app.store.as_ref(), &id, usize::MAX).await?;
    Ok(Reply(transcript_of(&session, events)))
}

/// Session `id` if `agent` serves (or served) it, or is a supervisor:
/// reading the team's conversations is what that role is for.
pub async fn readable_session(
    app: &AppState,
    agent: &Agent,
    id: &str,
) -> Result<SessionRecord, ApiError> {
    let session = app.store.session(id).await?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "unknown_session", "no such session")
    })?;
    let served = session.agent.as_ref().map(|a| &a.id) == Some(&agent.id);
    if !served && !agent.has_role(AgentRole::Supervisor) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this session is not yours",
        ));
    }
    Ok(session)
}

/// A session's events, oldest first, at most `limit` of them.
pub async fn all_events(store: &dyn Store, id: &str, limit: usize) -> Result<Vec<Event>, ApiError> {
    let mut events = Vec::new();
    while events.len() < limit {
        let after = events.last().map(|e: &Event| e.seq).unwrap_or(0);
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
