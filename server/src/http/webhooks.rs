//! Webhook subscriptions (`/api/v1/webhooks`, scope `admin`): subscribe an
//! endpoint to event types (the signing secret is shown once), list and
//! remove subscriptions, see each delivery with its attempts, and redeliver
//! one. Delivery itself is webhooks/.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use protocol::integration::TokenScope;
use protocol::webhook::{DeliveryList, NewWebhook, WebhookCreated, WebhookList};

use super::caller::Caller;
use super::error::ApiError;
use super::extract::Body;
use super::idempotency::created_with_secret;
use super::reply::Reply;
use super::state::AppState;
use crate::clock::now_ms;
use crate::ids::{new_id, random_bytes};
use crate::store::Webhook;
use crate::webhooks::dispatcher::refresh_interest;
use crate::webhooks::target::check_url;

/// Most subscriptions a deployment keeps.
const MAX_WEBHOOKS: usize = 100;
/// Deliveries listed, newest first.
const LISTED: u32 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(create))
        .route("/api/v1/webhooks/{id}", delete(remove))
        .route("/api/v1/webhooks/{id}/deliveries", get(deliveries))
        .route(
            "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(redeliver),
        )
}

/// Every subscription, newest first (scope `admin`).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "The subscriptions", body = WebhookList)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply<WebhookList>, ApiError> {
    caller.require(TokenScope::Admin)?;
    let webhooks = app
        .store
        .webhooks()
        .await?
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    Ok(Reply(WebhookList { webhooks }))
}

/// Subscribe an endpoint (scope `admin`). The signing secret is in this
/// answer only; deliveries start within a second.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = NewWebhook,
    responses((status = 201, description = "Subscribed; the secret is shown this once", body = WebhookCreated)))]
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    Body(new): Body<NewWebhook>,
) -> Result<Response, ApiError> {
    caller.require(TokenScope::Admin)?;
    let url =
        check_url(new.url.trim(), app.config.webhooks.allow_private).map_err(ApiError::invalid)?;
    let mut events = new.events;
    events.sort();
    events.dedup();
    if events.is_empty() {
        return Err(ApiError::invalid(
            "events must name at least one event type",
        ));
    }
    if app.store.webhooks().await?.len() >= MAX_WEBHOOKS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too_many_webhooks",
            format!("at most {MAX_WEBHOOKS} subscriptions are kept"),
        ));
    }
    let webhook = Webhook {
        id: new_id("wh_"),
        url: url.to_string(),
        events,
        created_at: now_ms(),
        created_by: caller.agent_id().map(str::to_string),
    };
    let secret = format!("whsec_{}", B64.encode(random_bytes::<32>()));
    app.store.add_webhook(&webhook, &secret).await?;
    // Kept from now on here; the node running the hub learns within a second.
    refresh_interest(app.store.as_ref()).await?;
    let what = format!("subscription {}", webhook.id);
    Ok(created_with_secret(
        Reply(WebhookCreated { webhook, secret }),
        &what,
        "remove it and subscribe again if it was lost",
    ))
}

/// Remove a subscription and its deliveries (scope `admin`).
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id (`wh_…`)")),
    responses((status = 204, description = "Removed")))]
pub async fn remove(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    caller.require(TokenScope::Admin)?;
    if app.store.remove_webhook(&id).await? {
        refresh_interest(app.store.as_ref()).await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(unknown_webhook())
    }
}

fn unknown_webhook() -> ApiError {
    ApiError::not_found("unknown_webhook", "no such subscription")
}

/// A subscription's latest deliveries with their attempts (scope `admin`).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id (`wh_…`)")),
    responses((status = 200, description = "The latest 100 deliveries, newest first", body = DeliveryList)))]
pub async fn deliveries(
    State(app): State<AppState>,
    Path(id): Path<String>,
    caller: Caller,
) -> Result<Reply<DeliveryList>, ApiError> {
    caller.require(TokenScope::Admin)?;
    if !app.store.webhooks().await?.iter().any(|(w, _)| w.id == id) {
        return Err(unknown_webhook());
    }
    Ok(Reply(DeliveryList {
        deliveries: app.store.deliveries(&id, LISTED).await?,
    }))
}

/// Send a delivery again now, delivered or not, retried for another day
/// if it fails (scope `admin`).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver", tag = "webhooks",
    params(
        ("id" = String, Path, description = "The subscription's id (`wh_…`)"),
        ("delivery" = String, Path, description = "The delivery's id (`dlv_…`)")),
    responses((status = 202, description = "Queued; it goes out within a second")))]
pub async fn redeliver(
    State(app): State<AppState>,
    Path((id, delivery)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    caller.require(TokenScope::Admin)?;
    let now = now_ms();
    let until = now + app.config.webhooks.give_up_after.as_millis() as i64;
    if app.store.redeliver(&id, &delivery, now, until).await? {
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(ApiError::not_found(
            "unknown_delivery",
            "this subscription has no such delivery",
        ))
    }
}
