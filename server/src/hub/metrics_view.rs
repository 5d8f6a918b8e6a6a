//! What /metrics and supervisors may read of the hub: its counters and its
//! live figures (who waits for which skill, what each agent is doing).
//! Nothing here reaches the store, so a scrape costs no query however often
//! it comes (the /metrics handler gets this view, not the hub).

use std::collections::BTreeMap;

use protocol::SessionState;
use protocol::api::{AgentStatus, LiveFigures, SkillQueue};

use super::queue::skill_for;
use super::state::Hub;
use crate::clock::now_ms;
use crate::metrics::Counters;

#[derive(Clone)]
pub struct MetricsView {
    hub: Hub,
}

impl MetricsView {
    pub fn counters(&self) -> &Counters {
        &self.hub.inner.counters
    }

    /// The queue and agents right now (one pass under the hub's lock).
    pub fn live(&self) -> LiveFigures {
        self.hub.live()
    }
}

impl Hub {
    pub fn metrics_view(&self) -> MetricsView {
        MetricsView { hub: self.clone() }
    }

    /// The live picture for supervisors: who waits for which skill, and what
    /// each agent is doing.
    pub fn live(&self) -> LiveFigures {
        let st = self.state();
        let now = now_ms();
        let mut queues: BTreeMap<String, SkillQueue> = Default::default();
        for session in st.acd.waiting().chain(st.overflow.sessions()) {
            let Some(live) = st.sessions.get(session) else {
                continue;
            };
            let skill = skill_for(live.record.topic.as_deref()).unwrap_or_else(|| "general".into());
            let q = queues.entry(skill).or_default();
            q.waiting += 1;
            q.longest_wait_secs = q
                .longest_wait_secs
                .max((now - live.record.requested_at).max(0) / 1000);
        }
        let mut agents: Vec<AgentStatus> = st
            .agents
            .iter()
            .filter(|(_, a)| a.listed())
            .map(|(id, a)| AgentStatus {
                id: id.clone(),
                name: a.name.clone(),
                presence: a.presence,
                connected: !a.conns.is_empty(),
                open: a.sessions.len() as u32,
                capacity: a.capacity,
                skills: a.skills.clone(),
            })
            .collect();
        agents.sort_by(|a, b| a.name.cmp(&b.name));
        LiveFigures {
            queues,
            agents,
            active_sessions: st
                .sessions
                .values()
                .filter(|s| s.record.state == SessionState::Active)
                .count() as u32,
            visitors_connected: st.visitors.values().map(Vec::len).sum::<usize>() as u32,
        }
    }
}
