//! The supervisor's figures (agents only). Prometheus reads metrics.rs.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use protocol::api::{DayFigures, SupervisorReply};

use super::error::ApiError;
use super::reply::Reply;
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::clock::now_ms;
use crate::metrics::{SERVICE_LEVEL_SECS, day_figures};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/supervisor", get(supervisor))
}

/// Midnight UTC of the current day.
fn start_of_day(now: i64) -> i64 {
    now - now.rem_euclid(24 * 3600 * 1000)
}

async fn today(app: &AppState) -> Result<DayFigures, ApiError> {
    let sessions = app.store.sessions_since(start_of_day(now_ms())).await?;
    Ok(day_figures(&sessions, SERVICE_LEVEL_SECS))
}

async fn supervisor(
    State(app): State<AppState>,
    SignedIn(_): SignedIn,
) -> Result<Reply<SupervisorReply>, ApiError> {
    let today = today(&app).await?;
    Ok(Reply(SupervisorReply {
        service_level_secs: SERVICE_LEVEL_SECS,
        today,
        live: app.hub.live(),
    }))
}
