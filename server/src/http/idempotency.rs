//! `Idempotency-Key` on the integration API's POSTs: a client that did not
//! hear the answer retries with the same key and gets the first answer
//! again (with `Idempotent-Replayed: true`) instead of doing the thing twice.
//! Keys belong to the caller (a token or an agent), are kept a day
//! (`privacy::retention`), and survive restarts: they live in the store.
//! The same key with another request is 422 `idempotency_key_reused`;
//! while the first request runs, 409 `idempotency_key_in_use`. A 5xx frees
//! the key, as nothing was done. An answer that must not be stored (a
//! token's secret) carries `ReplayInstead`: what a retry gets instead.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::caller::Caller;
use super::error::{ApiError, PROBLEM_JSON};
use super::state::AppState;
use crate::clock::now_ms;
use crate::store::IdempotencyClaim;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";
/// Longest key accepted (a UUID is 36).
const MAX_KEY_CHARS: usize = 255;
/// Request bodies are bounded by the router's limit; answers kept for a
/// replay by this one (larger ones are sent, and the key freed).
const MAX_KEPT_ANSWER: usize = 1024 * 1024;
const MAX_REQUEST: usize = 64 * 1024;

/// Put on a response whose body must not be kept: a retry with its key is
/// answered with this error instead.
#[derive(Clone)]
pub struct ReplayInstead(pub ApiError);

/// A 201 carrying a secret shown once: a retry with its Idempotency-Key is
/// told `what` was made (e.g. "token tok_1") and what to do, never the secret.
pub fn created_with_secret(body: impl IntoResponse, what: &str, if_lost: &str) -> Response {
    let replay = ApiError::new(
        StatusCode::CONFLICT,
        "idempotency_key_used",
        format!("this key made {what} already; its secret was shown once ({if_lost})"),
    );
    let mut res = (StatusCode::CREATED, body).into_response();
    res.extensions_mut().insert(ReplayInstead(replay));
    res
}

pub async fn idempotency(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return next.run(req).await;
    }
    match keyed(&app, req, next).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn keyed(app: &AppState, req: Request, next: Next) -> Result<Response, ApiError> {
    let (mut parts, body) = req.into_parts();
    let key = parts
        .headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.chars().count() <= MAX_KEY_CHARS)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible ASCII characters"
            ))
        })?
        .to_string();
    // Who asks first: a stranger's keys would cost a write each.
    let owner = match Caller::from_request_parts(&mut parts, app).await? {
        Caller::Token(t) => t.id,
        Caller::Agent(a) => a.id,
    };
    let bytes = to_bytes(body, MAX_REQUEST).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is over {MAX_REQUEST} bytes"),
        )
    })?;
    let mut hash = Sha256::new();
    hash.update(parts.method.as_str());
    hash.update(b" ");
    hash.update(parts.uri.to_string());
    hash.update(b"\n");
    hash.update(&bytes);
    let request_hash: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();

    let store = app.store.as_ref();
    match store
        .claim_idempotency_key(&owner, &key, &request_hash, now_ms())
        .await?
    {
        IdempotencyClaim::New => {}
        IdempotencyClaim::InFlight { request_hash: h } if h == request_hash => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "a request with this key is still being answered; retry in a moment",
            ));
        }
        IdempotencyClaim::Done {
            request_hash: h,
            status,
            body,
        } if h == request_hash => return Ok(replay(status, body)),
        IdempotencyClaim::InFlight { .. } | IdempotencyClaim::Done { .. } => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used with a different request",
            ));
        }
    }

    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if res.status().is_server_error() {
        store.finish_idempotency_key(&owner, &key, None).await?;
        return Ok(res);
    }
    if let Some(ReplayInstead(instead)) = res.extensions().get::<ReplayInstead>() {
        let kept = serde_json::to_string(&instead.problem()).expect("plain data serialises");
        store
            .finish_idempotency_key(&owner, &key, Some((instead.status.as_u16(), &kept)))
            .await?;
        return Ok(res);
    }
    let (res_parts, res_body) = res.into_parts();
    let Ok(answer) = to_bytes(res_body, MAX_KEPT_ANSWER).await else {
        store.finish_idempotency_key(&owner, &key, None).await?;
        return Err(ApiError::internal());
    };
    match std::str::from_utf8(&answer) {
        Ok(text) => {
            store
                .finish_idempotency_key(&owner, &key, Some((res_parts.status.as_u16(), text)))
                .await?
        }
        Err(_) => store.finish_idempotency_key(&owner, &key, None).await?,
    }
    Ok(Response::from_parts(res_parts, Body::from(answer)))
}

/// The kept answer, as first sent (JSON bodies; problem details for errors).
fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let kind = if status.is_client_error() {
        PROBLEM_JSON
    } else {
        "application/json"
    };
    let mut res = (status, body).into_response();
    let headers = res.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    if status == StatusCode::NO_CONTENT {
        *res.body_mut() = Body::empty();
    }
    res
}
