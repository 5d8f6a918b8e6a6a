//! Agent sockets and the tokens they were opened with, so that revoking a
//! token reaches the sockets it opened, not only the next request.
//!
//! Each agent connection is registered here with its token's hash once its
//! `hello` succeeds, and unregistered when it ends. Revocations reach them two
//! ways:
//!
//! - made by this process (logout): [`LiveTokens::revoke`] closes the token's
//!   sockets at once;
//! - made elsewhere (`tandem agent set-password|disable|remove` run in another
//!   process against the same database, a logout on another node) or by the
//!   clock (expiry): every `recheck` interval one task asks the store about
//!   all the distinct token hashes of live sockets in one query
//!   (`Store::agent_token_states`, in chunks of 500) and closes the sockets
//!   whose token is gone (4003 revoked), whose agent is disabled or removed
//!   (4003), or whose token has expired (4004 expired). The cost is one query
//!   per interval for the whole server, not one per socket; a revocation
//!   made elsewhere takes effect within one interval (5 s by default). A
//!   second query asks about the agents the hub lists for supervisors and
//!   colleagues, so one removed while not connected here leaves the lists too.
//!
//! If the store cannot be read, nothing is closed: a database hiccup must not
//! sign every agent out. The next round tries again. A logout that lands
//! between a socket's token check and its registration is caught the same way,
//! by the next round.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use protocol::{CloseCode, Millis};

use crate::clock::now_ms;
use crate::cluster::Live as Route;
use crate::hub::{ConnHandle, ConnId};
use crate::store::{AgentStatus, Store, TokenState};

pub struct LiveTokens {
    store: Arc<dyn Store>,
    /// The hub's lists, where this node runs it.
    live: Route,
    /// A plain mutex: never held across an `.await`.
    conns: Mutex<HashMap<ConnId, Live>>,
}

struct Live {
    token_hash: String,
    conn: ConnHandle,
}

/// Keeps a connection registered; dropping it unregisters.
pub struct Registration {
    live: Arc<LiveTokens>,
    conn: ConnId,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.live.lock().remove(&self.conn);
    }
}

impl LiveTokens {
    /// The registry, and its re-check task (which ends with the registry).
    pub fn start(store: Arc<dyn Store>, live: Route, recheck: Duration) -> Arc<LiveTokens> {
        let live = Arc::new(LiveTokens {
            store,
            live,
            conns: Mutex::new(HashMap::new()),
        });
        tokio::spawn(recheck_every(Arc::downgrade(&live), recheck));
        live
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnId, Live>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers an authenticated agent connection opened with the token
    /// whose hash is `token_hash`.
    pub fn register(self: &Arc<Self>, conn: &ConnHandle, token_hash: String) -> Registration {
        self.lock().insert(
            conn.id,
            Live {
                token_hash,
                conn: conn.clone(),
            },
        );
        Registration {
            live: self.clone(),
            conn: conn.id,
        }
    }

    /// Closes every socket opened with this token (it was just revoked here).
    pub fn revoke(&self, token_hash: &str) {
        for live in self.lock().values() {
            if live.token_hash == token_hash {
                live.conn.close(CloseCode::Revoked);
            }
        }
    }

    /// Asks the store about every live token once and closes what it no longer vouches for.
    async fn recheck(&self) {
        let hashes: Vec<String> = {
            let conns = self.lock();
            let distinct: HashSet<&String> = conns.values().map(|l| &l.token_hash).collect();
            distinct.into_iter().cloned().collect()
        };
        if hashes.is_empty() {
            return;
        }
        match self.store.agent_token_states(&hashes).await {
            Ok(states) => self.apply(&states, now_ms()),
            Err(e) => tracing::warn!(error = %e, "could not re-check agent tokens"),
        }
    }

    /// Takes agents removed elsewhere off the lists, also those with no open
    /// socket here (a second query, only while anyone is listed).
    async fn retire_removed(&self) {
        let Some(hub) = self.live.hub() else { return };
        let listed = hub.listed_agents();
        if listed.is_empty() {
            return;
        }
        match self.store.agent_statuses(&listed).await {
            Ok(statuses) => {
                for (id, status) in statuses {
                    if status == AgentStatus::Removed {
                        hub.retire_agent(&id);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not re-check agent accounts"),
        }
    }

    fn apply(&self, states: &[TokenState], now: Millis) {
        let by_hash: HashMap<&str, &TokenState> =
            states.iter().map(|s| (s.token_hash.as_str(), s)).collect();
        // A removed agent leaves the supervisors' and colleagues' lists
        // (before their sockets close, so nobody sees them listed after).
        if let Some(hub) = self.live.hub() {
            for s in states.iter().filter(|s| s.agent == AgentStatus::Removed) {
                hub.retire_agent(&s.agent_id);
            }
        }
        let mut closed = 0usize;
        for live in self.lock().values() {
            let code = match by_hash.get(live.token_hash.as_str()) {
                None => CloseCode::Revoked,
                Some(s) if s.agent != AgentStatus::Active => CloseCode::Revoked,
                Some(s) if s.expires_at <= now => CloseCode::Expired,
                Some(_) => continue,
            };
            live.conn.close(code);
            closed += 1;
        }
        if closed > 0 {
            tracing::info!(closed, "closed agent sockets whose token ended");
        }
    }
}

async fn recheck_every(live: Weak<LiveTokens>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(live) = live.upgrade() else { return };
        live.recheck().await;
        live.retire_removed().await;
    }
}
