//! The side a connection, a frame or an event belongs to: the most basic
//! type of the protocol, used by every family.

use serde::{Deserialize, Serialize};

/// The side of a conversation a connection or an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The person on the site, through the widget.
    Visitor,
    /// Staff answering, through the console or a script.
    Agent,
    /// The server itself: lifecycle events, timeouts, changes of agent.
    System,
}

impl Role {
    /// The wire name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Agent => "agent",
            Role::System => "system",
        }
    }

    /// The role named `s` on the wire; `None` for any other string.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "visitor" => Some(Role::Visitor),
            "agent" => Some(Role::Agent),
            "system" => Some(Role::System),
            _ => None,
        }
    }
}
