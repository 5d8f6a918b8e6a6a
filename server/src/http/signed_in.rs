//! `SignedIn`: the extractor every agents-only REST handler takes. It reads
//! the agent's token (credentials.rs) and answers 401 `not_authenticated`
//! before the handler runs when there is none, or it is unknown, expired,
//! or its agent disabled or removed.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::credentials::{agent_for_token, bearer_token};
use super::error::ApiError;
use super::state::AppState;
use crate::store::Agent;

/// The agent a request is authenticated as.
pub struct SignedIn(pub Agent);

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
