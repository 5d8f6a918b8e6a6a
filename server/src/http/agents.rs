//! The signed-in agent (`GET /api/v1/me`) and how the REST API shows an
//! agent. Login and logout are in login.rs.

use axum::Router;
use axum::routing::get;
use serde::Serialize;

use super::reply::Reply;
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::store::Agent;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me", get(me))
}

/// An agent as the REST API shows them.
#[derive(Serialize)]
pub struct AgentJson {
    pub id: String,
    pub name: String,
    pub email: String,
    pub skills: Vec<String>,
    pub capacity: u32,
}

impl AgentJson {
    pub fn new(agent: &Agent) -> Self {
        AgentJson {
            id: agent.id.clone(),
            name: agent.name.clone(),
            email: agent.email.clone(),
            skills: agent.skills.clone(),
            capacity: agent.capacity,
        }
    }
}

/// `GET /api/v1/me`.
#[derive(Serialize)]
pub struct MeReply {
    pub agent: AgentJson,
}

async fn me(SignedIn(agent): SignedIn) -> Reply<MeReply> {
    Reply(MeReply {
        agent: AgentJson::new(&agent),
    })
}
