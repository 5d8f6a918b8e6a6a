//! Who is talking to us: agents (password, then a bearer token carried in a
//! cookie or a hello frame) and visitors (a token signed by the server).

pub mod hashing;
pub mod identity;
pub mod identity_token;
pub mod live_tokens;
pub mod password;
pub mod throttle;
pub mod token;

pub use token::{AgentTokens, ApiTokens, VisitorClaims, VisitorTokens};

use std::sync::Arc;

/// What the login handler and agent sockets share: the throttle, the
/// bounded password checks, and the live sockets by token.
pub struct AgentAuth {
    pub throttle: throttle::LoginThrottle,
    pub hashes: hashing::HashPool,
    pub live: Arc<live_tokens::LiveTokens>,
}

impl AgentAuth {
    pub fn start(
        config: &crate::config::LoginConfig,
        store: Arc<dyn crate::store::Store>,
        live: crate::cluster::Live,
    ) -> AgentAuth {
        AgentAuth {
            throttle: throttle::LoginThrottle::new(config.throttle),
            hashes: hashing::HashPool::new(config.concurrent_hashes, config.hash_wait),
            live: live_tokens::LiveTokens::start(store, live, config.token_recheck),
        }
    }
}
