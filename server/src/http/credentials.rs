//! Reading an agent's bearer token from a request: the `tandem_agent` cookie
//! (browsers) or an `Authorization: Bearer` header (scripts), and the agent
//! it belongs to.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};

use crate::auth::AgentTokens;
use crate::clock::now_ms;
use crate::store::{Agent, Store};

pub const COOKIE_NAME: &str = "tandem_agent";

pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    if let Some(auth) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(token) = auth.strip_prefix("Bearer ")
    {
        return Some(token.trim().to_string());
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
}

/// The agent a token belongs to, if it is valid and unexpired.
pub async fn agent_for_token(
    store: &dyn Store,
    token: &str,
) -> crate::store::Result<Option<Agent>> {
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    store
        .agent_by_token(&AgentTokens::hash(token), now_ms())
        .await
}
