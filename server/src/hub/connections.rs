//! Connections coming and going: admission of new visitors and help
//! requests (rate limits), attaching an authenticated connection (its
//! `welcome`, then what it needs at once), detaching a closed one, and
//! agents whose account was removed.

use std::net::IpAddr;
use std::time::Instant;

use protocol::{AgentPresence, ErrorCode, Role, ServerEnvelope, ServerFrame, SessionSummary};

use super::error::{HubError, HubResult};
use super::outbound::{ConnHandle, ConnId, Wire};
use super::principal::Principal;
use super::state::Hub;
use crate::admission::{Admission, Kind};
use crate::clock::now_ms;

/// Takes an admission token for a new visitor or a help request from `ip`
/// on `site`, or refuses with `rate_limited` saying when to retry. New
/// visitors are admitted by the node their socket reached (http/socket.rs),
/// help requests by the hub.
pub fn admit(admission: &Admission, kind: Kind, ip: IpAddr, site: &str) -> HubResult<()> {
    let what = match kind {
        Kind::NewVisitor => "new visitors",
        Kind::HelpRequest => "help requests",
    };
    admission
        .admit(kind, ip, site, Instant::now())
        .map_err(|refused| {
            tracing::info!(site, by = refused.by, "{what} refused: over the limit");
            let whose = match refused.by {
                "site" => "for this site",
                _ => "from your address",
            };
            HubError::new(
                ErrorCode::RateLimited,
                format!(
                    "too many {what} {whose}; try again in {} s",
                    refused.retry_after.as_secs().max(1)
                ),
            )
        })
}

impl Hub {
    pub fn admit(&self, kind: Kind, ip: IpAddr, site: &str) -> HubResult<()> {
        admit(&self.inner.admission, kind, ip, site)
    }

    /// Attaches an authenticated connection and sends it `welcome` (answering
    /// request `rid`), then what it needs right away: a waiting visitor's place
    /// in line, an online agent's queue. Done under the state lock so no
    /// broadcast can reach the connection before its welcome.
    pub fn attach(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        token: Option<String>,
        rid: Option<u64>,
    ) {
        let st = &mut *self.state();
        let server_time = now_ms();
        let welcome = |frame| Wire::new(&ServerEnvelope::reply(rid, frame));
        match who {
            Principal::Visitor { id, .. } => {
                let conns = st.visitors.entry(id.clone()).or_default();
                conns.push(conn.clone());
                if conns.len() == 1 {
                    Self::visitor_seen(st, id, protocol::VisitorPresence::Here, server_time);
                }
                let open = st.visitor_open.get(id).and_then(|s| st.sessions.get(s));
                let sessions: Vec<SessionSummary> =
                    open.map(|s| vec![Self::summary(s)]).unwrap_or_default();
                conn.send(&welcome(ServerFrame::Welcome {
                    role: Role::Visitor,
                    server_time,
                    visitor_id: Some(id.clone()),
                    token,
                    agent: None,
                    presence: None,
                    sessions: sessions.clone(),
                    dispositions: Vec::new(),
                }));
                // A reconnecting visitor learns their place at once (the
                // coalesced rounds only send changes); call backs have none.
                if let Some(s) = sessions.first() {
                    if let Some(position) = st.live_position(&s.id) {
                        let place = st.place(&s.id, position, st.agents_online(), server_time);
                        conn.send(&Self::position_frame(&s.id, place));
                    } else if st.overflow.holds(&s.id) {
                        conn.send(&Self::position_frame(&s.id, st.overflow_place()));
                    }
                }
            }
            Principal::Agent(agent) => {
                let live = st.agents.entry(agent.id.clone()).or_default();
                live.capacity = agent.capacity;
                live.conns.push(conn.clone());
                let presence = live.presence;
                let ids: Vec<String> = live.sessions.iter().cloned().collect();
                let mut sessions: Vec<SessionSummary> = ids
                    .iter()
                    .filter_map(|s| st.sessions.get(s))
                    .map(Self::summary)
                    .collect();
                sessions.sort_by_key(|s| s.requested_at);
                conn.send(&welcome(ServerFrame::Welcome {
                    role: Role::Agent,
                    server_time,
                    visitor_id: None,
                    token,
                    agent: Some(agent.info()),
                    presence: Some(presence),
                    sessions,
                    dispositions: protocol::DISPOSITIONS
                        .iter()
                        .map(|d| d.to_string())
                        .collect(),
                }));
                st.sync_agent(agent, server_time);
                if presence == AgentPresence::Online {
                    conn.send(&Self::queue_frame(st, server_time));
                    // This connection may have made the agent reachable again.
                    st.positions_changed(server_time);
                }
            }
        }
    }

    /// Forgets a closed connection.
    pub fn detach(&self, who: &Principal, conn: ConnId) {
        let mut st = self.state();
        match who {
            Principal::Visitor { id, .. } => {
                if let Some(conns) = st.visitors.get_mut(id) {
                    conns.retain(|c| c.id != conn);
                    if conns.is_empty() {
                        st.visitors.remove(id);
                        let gone = protocol::VisitorPresence::Gone;
                        Self::visitor_seen(&mut st, id, gone, now_ms());
                    }
                }
            }
            Principal::Agent(agent) => {
                let mut was_online = false;
                if let Some(live) = st.agents.get_mut(&agent.id) {
                    was_online = live.online();
                    live.conns.retain(|c| c.id != conn);
                }
                let now = now_ms();
                st.sync_agent(agent, now);
                if was_online && !st.agents[&agent.id].online() {
                    st.positions_changed(now);
                }
            }
        }
    }

    /// Takes a removed agent off the lists supervisors and colleagues see.
    /// Their sockets are closed by whoever noticed the removal.
    pub fn retire_agent(&self, agent: &str) {
        if let Some(live) = self.state().agents.get_mut(agent) {
            live.retired = true;
        }
    }

    /// The agents supervisors and colleagues see listed (connected or not).
    pub fn listed_agents(&self) -> Vec<String> {
        let st = self.state();
        st.agents
            .iter()
            .filter(|(_, a)| a.listed())
            .map(|(id, _)| id.clone())
            .collect()
    }
}
