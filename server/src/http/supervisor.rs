//! The supervisor's figures (agents only). Prometheus reads metrics.rs.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;

use super::error::ApiError;
use super::reply::Reply;
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::clock::now_ms;
use crate::hub::LiveFigures;
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

/// `GET /api/v1/supervisor`.
#[derive(Serialize)]
pub struct SupervisorReply {
    /// Seconds within which an answered request counts as served in time.
    pub service_level_secs: i64,
    /// The figures of the day so far (UTC).
    pub today: DayFigures,
    /// Queues, agents and sessions now.
    pub live: LiveFigures,
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
