//! The supervisor's figures (supervisors and admins), the roster of
//! colleagues any agent may read (to pick whom to transfer a chat to), and
//! the day's figures for integrations. Prometheus reads metrics.rs.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use protocol::api::{AgentRole, DayFigures, RosterReply, SupervisorReply};
use protocol::integration::{TodayFigures, TokenScope};

use super::caller::Caller;
use super::error::ApiError;
use super::reply::Reply;
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::clock::now_ms;
use crate::cluster::Route;
use crate::metrics::{SERVICE_LEVEL_SECS, day_figures};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/supervisor", get(supervisor))
        .route("/api/v1/roster", get(roster))
        .route("/api/v1/figures/today", get(figures_today))
}

/// Midnight UTC of the current day.
fn start_of_day(now: i64) -> i64 {
    now - now.rem_euclid(24 * 3600 * 1000)
}

async fn today(app: &AppState) -> Result<DayFigures, ApiError> {
    let sessions = app.store.sessions_since(start_of_day(now_ms())).await?;
    Ok(day_figures(&sessions, SERVICE_LEVEL_SECS))
}

/// The queue and the agents now, from the hub; on a gateway node of a
/// cluster, as the core last published them (at most a second old).
async fn live_figures(app: &AppState) -> Result<protocol::api::LiveFigures, ApiError> {
    let figures = match app.live.route() {
        Some((_, Route::Core(hub))) => Some(hub.live()),
        Some((_, Route::Gateway(gateway))) => gateway.figures().await,
        None => None,
    };
    figures.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "restarting",
            "the cluster is choosing the node that keeps the live figures; try again",
        )
    })
}

/// The team board: today's figures, the queues and the agents now
/// (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/supervisor", tag = "console",
    responses((status = 200, description = "The figures", body = SupervisorReply)))]
pub async fn supervisor(
    State(app): State<AppState>,
    signed_in: SignedIn,
) -> Result<Reply<SupervisorReply>, ApiError> {
    signed_in.require(&[AgentRole::Supervisor, AgentRole::Admin])?;
    let today = today(&app).await?;
    Ok(Reply(SupervisorReply {
        service_level_secs: SERVICE_LEVEL_SECS,
        today,
        live: live_figures(&app).await?,
    }))
}

/// Every colleague's presence and load (any agent: whom to transfer to).
#[utoipa::path(get, path = "/api/v1/roster", tag = "console",
    responses((status = 200, description = "The agents", body = RosterReply)))]
pub async fn roster(
    State(app): State<AppState>,
    SignedIn(_): SignedIn,
) -> Result<Reply<RosterReply>, ApiError> {
    Ok(Reply(RosterReply {
        agents: live_figures(&app).await?.agents,
    }))
}

/// The day's figures since midnight UTC (scope `read`).
#[utoipa::path(get, path = "/api/v1/figures/today", tag = "figures",
    responses((status = 200, description = "The figures", body = TodayFigures)))]
pub async fn figures_today(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply<TodayFigures>, ApiError> {
    caller.require(TokenScope::Read)?;
    Ok(Reply(TodayFigures {
        since: start_of_day(now_ms()),
        service_level_secs: SERVICE_LEVEL_SECS,
        today: today(&app).await?,
    }))
}
