//! `SignedIn`: the extractor every agents-only REST handler takes. It reads
//! the agent's token (credentials.rs) and answers 401 `not_authenticated`
//! before the handler runs when there is none, or it is unknown, expired,
//! or its agent disabled or removed.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use protocol::api::AgentRole;

use super::credentials::{agent_for_token, bearer_token};
use super::error::ApiError;
use super::state::AppState;
use crate::store::Agent;

/// The agent a request is authenticated as.
pub struct SignedIn(pub Agent);

impl SignedIn {
    /// 403 `forbidden` unless the agent holds one of `roles`.
    pub fn require(&self, roles: &[AgentRole]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.0.has_role(*r)) {
            return Ok(());
        }
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this needs the {} role", names.join(" or ")),
        ))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let agent = match bearer_token(&parts.headers) {
            Some(token) => agent_for_token(app.store.as_ref(), &token).await?,
            None => None,
        };
        agent.map(SignedIn).ok_or_else(ApiError::unauthorized)
    }
}
