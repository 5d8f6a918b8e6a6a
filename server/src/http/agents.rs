//! The signed-in agent (`GET /api/v1/me`) and how the REST API shows an
//! agent. Login and logout are in login.rs.

use axum::Router;
use axum::routing::get;
use protocol::api::{self, MeReply};

use super::reply::Reply;
use super::signed_in::SignedIn;
use super::state::AppState;
use crate::store::Agent;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/me", get(me))
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

async fn me(SignedIn(agent): SignedIn) -> Reply<MeReply> {
    Reply(MeReply {
        agent: shown(&agent),
    })
}
