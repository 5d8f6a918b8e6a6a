//! The supervisor's figures (agents only). Prometheus reads metrics.rs.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;
use super::credentials::agent_from_headers;
use super::error::ApiError;
use crate::clock::now_ms;
use crate::metrics::{DayFigures, SERVICE_LEVEL_SECS};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/supervisor", get(supervisor))
}

/// Midnight UTC of the current day.
fn start_of_day(now: i64) -> i64 {
    now - now.rem_euclid(24 * 3600 * 1000)
}

async fn today(app: &AppState) -> Result<DayFigures, ApiError> {
    let sessions = app.store.sessions_since(start_of_day(now_ms())).await?;
    Ok(DayFigures::compute(&sessions, SERVICE_LEVEL_SECS))
}

async fn supervisor(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    agent_from_headers(app.store.as_ref(), &headers)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let day = today(&app).await?;
    Ok(Json(
        json!({"service_level_secs": SERVICE_LEVEL_SECS, "today": day, "live": app.hub.live()}),
    ))
}
