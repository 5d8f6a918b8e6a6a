//! `Caller`: who makes a request of the integration API. An API token
//! brings its scope; a signed-in agent (the console) stands for the scope
//! of their roles: an admin for `admin`, a supervisor for `read`, a plain
//! agent for none (the integration API is not theirs).

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use protocol::api::AgentRole;
use protocol::integration::TokenScope;

use super::credentials::{agent_for_token, bearer_token};
use super::error::ApiError;
use super::state::AppState;
use crate::auth::ApiTokens;
use crate::clock::now_ms;
use crate::store::{Agent, ApiToken};

pub enum Caller {
    Token(ApiToken),
    Agent(Agent),
}

impl Caller {
    /// What this caller may do; `None` for an agent with neither role.
    pub fn scope(&self) -> Option<TokenScope> {
        match self {
            Caller::Token(t) => Some(t.scope),
            Caller::Agent(a) if a.has_role(AgentRole::Admin) => Some(TokenScope::Admin),
            Caller::Agent(a) if a.has_role(AgentRole::Supervisor) => Some(TokenScope::Read),
            Caller::Agent(_) => None,
        }
    }

    /// 403 `forbidden` unless the caller's scope includes `scope`.
    pub fn require(&self, scope: TokenScope) -> Result<(), ApiError> {
        if self.scope().is_some_and(|s| s >= scope) {
            return Ok(());
        }
        let needs = match self {
            Caller::Token(_) => format!("this needs a token of scope {}", scope.as_str()),
            Caller::Agent(_) if scope == TokenScope::Read => {
                "this needs the supervisor or admin role".to_string()
            }
            Caller::Agent(_) => "this needs the admin role".to_string(),
        };
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", needs))
    }

    /// The agent making the request, if it is one.
    pub fn agent_id(&self) -> Option<&str> {
        match self {
            Caller::Agent(a) => Some(&a.id),
            Caller::Token(_) => None,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let Some(secret) = bearer_token(&parts.headers) else {
            return Err(ApiError::unauthorized());
        };
        if ApiTokens::is_api_token(&secret) {
            if secret.len() > 256 {
                return Err(bad_token());
            }
            let hash = ApiTokens::hash(&secret);
            return match app.store.api_token_by_hash(&hash, now_ms()).await? {
                Some(token) => Ok(Caller::Token(token)),
                None => Err(bad_token()),
            };
        }
        match agent_for_token(app.store.as_ref(), &secret).await? {
            Some(agent) => Ok(Caller::Agent(agent)),
            None => Err(ApiError::unauthorized()),
        }
    }
}

fn bad_token() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "not_authenticated",
        "unknown or revoked API token",
    )
}
