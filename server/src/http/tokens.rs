//! API tokens for integrations (`/api/v1/tokens`), managed by admins: made
//! with a scope and shown once, listed without their secret with when they
//! were last used, revoked at once. `tandem token …` does the same from a
//! shell.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use protocol::integration::{ApiTokenCreated, ApiTokenList, NewApiToken, TokenScope};

use super::caller::Caller;
use super::error::ApiError;
use super::extract::{Body, trim_spaces};
use super::idempotency::created_with_secret;
use super::reply::Reply;
use super::state::AppState;
use crate::auth::ApiTokens;
use crate::clock::now_ms;
use crate::ids::new_id;
use crate::store::{ApiToken, Store};

/// Longest token name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Most tokens (revoked ones included) a deployment keeps.
const MAX_TOKENS: usize = 1_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tokens", get(list).post(create))
        .route("/api/v1/tokens/{id}", delete(revoke))
}

/// Makes a token named `name`; returns it with its secret.
pub async fn make_token(
    store: &dyn Store,
    name: &str,
    scope: TokenScope,
    created_by: Option<String>,
) -> Result<ApiTokenCreated, ApiError> {
    let name = trim_spaces(name);
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(format!(
            "name must be 1 to {MAX_NAME_CHARS} characters"
        )));
    }
    if store.api_tokens().await?.len() >= MAX_TOKENS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too_many_tokens",
            format!("at most {MAX_TOKENS} tokens are kept"),
        ));
    }
    let secret = ApiTokens::generate();
    let token = ApiToken {
        id: new_id("tok_"),
        name: name.to_string(),
        scope,
        created_at: now_ms(),
        created_by,
        last_used_at: None,
        revoked_at: None,
    };
    store
        .add_api_token(&token, &ApiTokens::hash(&secret))
        .await?;
    Ok(ApiTokenCreated { token, secret })
}

/// List API tokens (admin): newest first, revoked ones too; never their secrets.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, description = "The tokens", body = ApiTokenList)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply<ApiTokenList>, ApiError> {
    caller.require(TokenScope::Admin)?;
    Ok(Reply(ApiTokenList {
        tokens: app.store.api_tokens().await?,
    }))
}

/// Make an API token (admin). The secret is in this answer only; a retry
/// with the same `Idempotency-Key` gets 409 `idempotency_key_used` naming
/// the token, never the secret again.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens",
    request_body = NewApiToken,
    responses((status = 201, description = "Made; the secret is shown this once", body = ApiTokenCreated)))]
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    Body(new): Body<NewApiToken>,
) -> Result<Response, ApiError> {
    caller.require(TokenScope::Admin)?;
    let by = caller.agent_id().map(str::to_string);
    let made = make_token(app.store.as_ref(), &new.name, new.scope, by).await?;
    let what = format!("token {}", made.token.id);
    Ok(created_with_secret(
        Reply(made),
        &what,
        "revoke it if it was lost",
    ))
}

/// Revoke an API token (admin): it stops working at once.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "The token's id (`tok_…`)")),
    responses((status = 204, description = "Revoked")))]
pub async fn revoke(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    caller.require(TokenScope::Admin)?;
    if app.store.revoke_api_token(&id, now_ms()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(
            "unknown_token",
            "no such token, or it is already revoked",
        ))
    }
}
