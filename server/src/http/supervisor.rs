//! The supervisor's figures (agents only) and /metrics for Prometheus.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;
use super::credentials::agent_from_headers;
use super::error::ApiError;
use crate::clock::now_ms;
use crate::metrics::{DayFigures, SERVICE_LEVEL_SECS, prometheus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/supervisor", get(supervisor))
        .route("/metrics", get(metrics))
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

/// Aggregates only, no personal data: safe to scrape from the internal network.
async fn metrics(State(app): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let day = today(&app).await?;
    let body = prometheus::render(&day, &app.hub.live());
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    ))
}
