//! Who is talking to us: agents (password, then a bearer token carried in a
//! cookie or a hello frame) and visitors (a token signed by the server).

pub mod identity;
pub mod identity_token;
pub mod password;
pub mod token;

pub use token::{AgentTokens, VisitorClaims, VisitorTokens};
