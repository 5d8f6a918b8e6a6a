//! The signed-in agent (`GET /api/v1/me`), the accounts for integrations
//! (`GET /api/v1/agents`), and how the REST API shows an agent. Login and
//! logout are in login.rs; colleagues' presence (`/api/v1/roster`) in
//! supervisor.rs.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use protocol::api::{self, MeReply};
use protocol::integration::{AccountStatus, AgentAccount, AgentList, TokenScope};

use super::caller::Caller;
use super::error::ApiError;
use super::reply::Reply;
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::store::{Agent, AgentStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route("/api/v1/agents", get(accounts))
}

/// An agent as the REST API shows them: the account without its secrets.
pub fn shown(agent: &Agent) -> api::Agent {
    api::Agent {
        id: agent.id.clone(),
        name: agent.name.clone(),
        email: agent.email.clone(),
        skills: agent.skills.clone(),
        capacity: agent.capacity,
        roles: agent.roles.clone(),
    }
}

/// Every agent account not removed, by name (scope `read`).
#[utoipa::path(get, path = "/api/v1/agents", tag = "agents",
    responses((status = 200, description = "The accounts", body = AgentList)))]
pub async fn accounts(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply<AgentList>, ApiError> {
    caller.require(TokenScope::Read)?;
    let agents = app
        .store
        .agents()
        .await?
        .iter()
        .map(|(agent, status)| AgentAccount {
            agent: shown(agent),
            status: match status {
                AgentStatus::Disabled => AccountStatus::Disabled,
                _ => AccountStatus::Active,
            },
        })
        .collect();
    Ok(Reply(AgentList { agents }))
}

/// The signed-in agent (agents' sign-in only, not API tokens).
#[utoipa::path(get, path = "/api/v1/me", tag = "console",
    responses((status = 200, description = "The agent", body = MeReply)))]
pub async fn me(SignedIn(agent): SignedIn) -> Reply<MeReply> {
    Reply(MeReply {
        agent: shown(&agent),
    })
}
