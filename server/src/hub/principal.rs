//! Who is calling: the principal a connection authenticated as (a visitor of
//! a site, or an agent), the checks a frame makes on it (`visitor_of`,
//! `agent_of`, `require_role`), and whether it may act on a session
//! (`Hub::access`: its visitor, or its assigned agent).

use std::net::IpAddr;

use protocol::Role;

use super::error::{HubError, HubResult};
use super::state::Hub;
use crate::store::{Agent, SessionRecord};

/// Who is on the other end of a connection, once `hello` succeeded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Principal {
    /// `ip`: the client's address, for admission limits.
    Visitor {
        id: String,
        site: String,
        ip: IpAddr,
    },
    Agent(Agent),
}

impl Principal {
    pub fn role(&self) -> Role {
        match self {
            Principal::Visitor { .. } => Role::Visitor,
            Principal::Agent(_) => Role::Agent,
        }
    }
}

/// The visitor's id and site, or `forbidden` for an agent.
pub(super) fn visitor_of(who: &Principal) -> HubResult<(&str, &str)> {
    match who {
        Principal::Visitor { id, site, .. } => Ok((id, site)),
        Principal::Agent(_) => Err(HubError::forbidden("only visitors send this")),
    }
}

/// The agent, or `forbidden` for a visitor.
pub(super) fn agent_of(who: &Principal) -> HubResult<&Agent> {
    match who {
        Principal::Agent(agent) => Ok(agent),
        Principal::Visitor { .. } => Err(HubError::forbidden("only agents send this")),
    }
}

/// Refuses unless `who` takes part as `by` ("only the agent does this").
pub(super) fn require_role(who: &Principal, by: Role) -> HubResult<()> {
    if who.role() == by {
        Ok(())
    } else {
        Err(HubError::forbidden(format!(
            "only the {} does this",
            by.as_str()
        )))
    }
}

/// Whether `who` is the session's visitor or its assigned agent.
pub(super) fn takes_part(who: &Principal, record: &SessionRecord) -> bool {
    match who {
        Principal::Visitor { id, .. } => &record.visitor_id == id,
        Principal::Agent(agent) => record.agent.as_ref().is_some_and(|a| a.id == agent.id),
    }
}

/// The name shown on what `who` writes in the session.
pub(super) fn author_name(who: &Principal, record: &SessionRecord) -> Option<String> {
    match who {
        Principal::Agent(agent) => Some(agent.name.clone()),
        Principal::Visitor { .. } => record.visitor_name.clone(),
    }
}

/// The agent's name, shown on what they push to the visitor.
pub(super) fn agent_name(who: &Principal) -> Option<String> {
    match who {
        Principal::Agent(agent) => Some(agent.name.clone()),
        Principal::Visitor { .. } => None,
    }
}

impl Hub {
    /// The session if `who` may act on it: its visitor, or its assigned
    /// agent. Read from the store when the hub no longer holds it.
    pub(super) async fn access(&self, who: &Principal, session: &str) -> HubResult<SessionRecord> {
        let live = self.state().sessions.get(session).map(|s| s.record.clone());
        let record = match live {
            Some(r) => r,
            None => self
                .inner
                .store
                .session(session)
                .await?
                .ok_or_else(HubError::unknown_session)?,
        };
        if takes_part(who, &record) {
            Ok(record)
        } else {
            Err(HubError::forbidden("this session is not yours"))
        }
    }
}
