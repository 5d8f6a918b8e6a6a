//! The waiting queue as the hub runs it: requests handed to the distributor
//! (routing/acd.rs) and its offers and withdrawals carried out, each site's
//! line and the room outside a full one (overflow.rs), the coalesced rounds
//! that send agents the queue and waiting visitors their place, and the
//! agent frames that move the queue (`presence.set`, `offer.decline`).
//! Taking a request (`queue.accept`) opens the conversation: session.rs.
//!
//! The rules on `State` take the time as `now` rather than reading the
//! clock, so queue_tests.rs runs them on a clock of its own.

use std::collections::HashMap;
use std::sync::Weak;

use protocol::{
    AgentPresence, ErrorCode, Millis, QueueItem, ServerEnvelope, ServerFrame, Unavailable,
};

use super::error::HubError;
use super::outbound::Wire;
use super::state::{Hub, Inner, LiveSession, MAX_QUEUE_ITEMS, Place, QUEUE_FLUSH, State};
use crate::clock::now_ms;
use crate::routing::Action;
use crate::store::{Agent, SessionRecord};

/// The skill a request's topic calls for; "other" and no topic need none.
pub(super) fn skill_for(topic: Option<&str>) -> Option<String> {
    topic
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t != "other")
}

fn queue_full() -> HubError {
    HubError::new(
        ErrorCode::QueueFull,
        "too many people are waiting for this site right now; please try again later",
    )
}

impl State {
    /// Tells the distributor what it needs to know about an agent (after a
    /// connection, a disconnection or a presence change) and acts on its answer.
    pub(super) fn sync_agent(&mut self, agent: &Agent, now: Millis) {
        let live = self.agents.entry(agent.id.clone()).or_default();
        live.capacity = agent.capacity;
        live.name.clone_from(&agent.name);
        live.skills.clone_from(&agent.skills);
        let (presence, connected) = (live.presence, !live.conns.is_empty());
        let actions = self.acd.agent(
            &agent.id,
            presence,
            connected,
            &agent.skills,
            agent.capacity,
            now,
        );
        self.carry_out(actions, now);
    }

    /// Sends the distributor's offers and withdrawals to the agents concerned.
    pub(super) fn carry_out(&mut self, actions: Vec<Action>, now: Millis) {
        for action in actions {
            let (agent, frame) = match action {
                Action::Offer {
                    session,
                    agent,
                    expires_at,
                } => {
                    let Some(item) = self.sessions.get(&session).map(|s| Hub::queue_item(s, now))
                    else {
                        continue;
                    };
                    (
                        agent,
                        ServerFrame::Offer {
                            session,
                            expires_at,
                            item,
                        },
                    )
                }
                Action::Withdraw { session, agent } => {
                    (agent, ServerFrame::OfferWithdrawn { session })
                }
            };
            let wire = Wire::new(&ServerEnvelope::new(frame));
            for c in self
                .agents
                .get(&agent)
                .into_iter()
                .flat_map(|a| a.conns.iter())
            {
                c.send(&wire);
            }
        }
    }

    pub(super) fn agents_online(&self) -> u32 {
        self.agents.values().filter(|a| a.online()).count() as u32
    }

    /// Waiting sessions whose visitor waits live, oldest first. Call backs
    /// wait for their time instead: they neither get a place in line nor
    /// count ahead of visitors who are waiting.
    fn live_waiting(&self) -> impl Iterator<Item = &str> {
        self.acd.waiting().filter(|s| {
            self.sessions
                .get(*s)
                .is_some_and(|l| l.record.callback.is_none())
        })
    }

    /// 1-based place among the visitors waiting live.
    pub(super) fn live_position(&self, session: &str) -> Option<u32> {
        self.live_waiting()
            .position(|s| s == session)
            .map(|i| i as u32 + 1)
    }

    /// What a waiting visitor at `position` is told.
    pub(super) fn place(&self, session: &str, position: u32, online: u32, now: Millis) -> Place {
        let eta = self.acd.estimated_wait_secs(position);
        (position, online, eta, self.unavailable(session, eta, now))
    }

    /// Something that agents' queue view or visitors' positions depend on changed.
    pub(super) fn queue_changed(&mut self, now: Millis) {
        self.queue_dirty = true;
        self.positions_changed(now);
    }

    /// Only the number of agents online changed.
    pub(super) fn positions_changed(&mut self, now: Millis) {
        self.positions_dirty = true;
        let round = QUEUE_FLUSH.as_millis() as Millis;
        if self.last_flush.is_none_or(|t| now - t >= round) {
            self.flush_queue(now);
        }
    }

    /// Sends what changed since the last round.
    pub(super) fn flush_queue(&mut self, now: Millis) {
        self.last_flush = Some(now);
        // Room may have freed up in a full line.
        self.admit_overflow(now);
        if std::mem::take(&mut self.queue_dirty) {
            let frame = Hub::queue_frame(self, now);
            for live in self.agents.values().filter(|a| a.online()) {
                for c in &live.conns {
                    c.send(&frame);
                }
            }
        }
        if std::mem::take(&mut self.positions_dirty) {
            let online = self.agents_online();
            let mut sent = std::mem::take(&mut self.sent_positions);
            let mut now_sent = HashMap::with_capacity(self.acd.len());
            for (i, session) in self.live_waiting().enumerate() {
                let place = self.place(session, i as u32 + 1, online, now);
                if sent.remove(session) != Some(place)
                    && let Some(live) = self.sessions.get(session)
                {
                    let frame = Hub::position_frame(session, place);
                    for c in self
                        .visitors
                        .get(&live.record.visitor_id)
                        .into_iter()
                        .flatten()
                    {
                        c.send(&frame);
                    }
                }
                now_sent.insert(session.to_string(), place);
            }
            self.sent_positions = now_sent;
        }
    }

    /// One background round, every `QUEUE_FLUSH`: offers that rang out move
    /// to the next agent, and what changed since the last round is sent.
    /// With `look_again`, waiting visitors' places are worked out again
    /// even though nothing said they changed.
    pub(super) fn round(&mut self, now: Millis, look_again: bool) {
        let actions = self.acd.tick(now);
        if !actions.is_empty() {
            self.carry_out(actions, now);
            self.queue_dirty = true;
        }
        if look_again && !self.acd.is_empty() {
            self.positions_dirty = true;
        }
        if self.queue_dirty || self.positions_dirty {
            self.flush_queue(now);
        }
    }

    // ----- each site's line, and the room outside a full one -----

    /// Requests of `site` waiting live in line.
    fn line_len(&self, site: &str) -> usize {
        self.live_waiting()
            .filter(|s| self.sessions.get(*s).is_some_and(|l| l.record.site == site))
            .count()
    }

    /// Requests of `site` waiting outside its line, call backs included.
    fn outside_len(&self, site: &str) -> usize {
        let callbacks = self
            .acd
            .waiting()
            .filter_map(|s| self.sessions.get(s))
            .filter(|l| l.record.site == site && l.record.callback.is_some())
            .count();
        callbacks + self.overflow.of_site(site)
    }

    /// Refuses a new request when `site`'s line and the room outside it are
    /// both full. Checked before anything is stored; requests arriving
    /// together may pass it together, so the bound can be passed by the few
    /// requests in flight at once (the per-site rate limit bounds those).
    pub(super) fn check_room(&self, site: &str) -> Result<(), HubError> {
        let max = self.overflow.max_waiting();
        if self.line_len(site) >= max && self.outside_len(site) >= max {
            return Err(queue_full());
        }
        Ok(())
    }

    /// A waiting request in line asks to become a call back: refused when
    /// the room outside the line is full (it keeps its place in line).
    pub(super) fn check_callback_room(&self, session: &str) -> Result<(), HubError> {
        let Some(live) = self.sessions.get(session) else {
            return Ok(());
        };
        let in_line = live.record.callback.is_none() && !self.overflow.holds(session);
        if in_line && self.outside_len(&live.record.site) >= self.overflow.max_waiting() {
            return Err(queue_full());
        }
        Ok(())
    }

    /// Puts a new request in its site's line, or outside it when the line
    /// is full (then tells the visitor).
    pub(super) fn enqueue(&mut self, session: &str, last_agent: Option<String>, now: Millis) {
        let Some(record) = self.sessions.get(session).map(|l| l.record.clone()) else {
            return;
        };
        if self.line_len(&record.site) >= self.overflow.max_waiting() {
            self.overflow.hold(&record.site, session, last_agent);
            let frame = Hub::position_frame(session, self.overflow_place());
            for c in self.visitors.get(&record.visitor_id).into_iter().flatten() {
                c.send(&frame);
            }
            return;
        }
        self.distribute(session, last_agent, now);
    }

    /// Hands a waiting session to the distributor, with the skill its topic
    /// calls for, and carries out the offers that follow.
    fn distribute(&mut self, session: &str, last_agent: Option<String>, now: Millis) {
        let Some(live) = self.sessions.get(session) else {
            return;
        };
        let skill = skill_for(live.record.topic.as_deref());
        let at = live.record.requested_at;
        let actions = self.acd.request(session, skill, last_agent, at, now);
        self.carry_out(actions, now);
    }

    /// Restores a waiting request after a restart (no one is connected
    /// yet): a call back to the distributor at its due time, a request to
    /// its site's line, or outside it again when the line is full.
    /// `in_line` counts what each site's line got so far.
    pub(super) fn restore_waiting(
        &mut self,
        record: &SessionRecord,
        in_line: &mut HashMap<String, usize>,
        now: Millis,
    ) {
        let (id, at) = (&record.id, record.requested_at);
        if record.callback.is_none() {
            let line = in_line.entry(record.site.clone()).or_insert(0);
            if *line >= self.overflow.max_waiting() {
                self.overflow.hold(&record.site, id, None);
                return;
            }
            *line += 1;
        }
        let skill = skill_for(record.topic.as_deref());
        self.acd.request(id, skill, None, at, now);
        if let Some(callback) = &record.callback {
            self.acd.schedule(id, callback.due_at(at), now);
        }
    }

    /// A request outside the line becomes a call back: it enters the
    /// distributor, which schedules it (see `callback_request`).
    pub(super) fn overflow_to_distributor(&mut self, session: &str, now: Millis) {
        if self.overflow.remove(session) {
            self.distribute(session, None, now);
        }
    }

    /// What a visitor outside the line is told: no place yet, and why.
    pub(super) fn overflow_place(&self) -> Place {
        (0, self.agents_online(), None, Some(Unavailable::QueueFull))
    }

    /// Moves requests from outside into lines that have room again, oldest
    /// first; part of every queue round.
    fn admit_overflow(&mut self, now: Millis) {
        if self.overflow.is_empty() {
            return;
        }
        let max = self.overflow.max_waiting();
        for site in self.overflow.sites() {
            let mut room = max.saturating_sub(self.line_len(&site));
            while room > 0 {
                let Some(next) = self.overflow.pop_oldest(&site) else {
                    break;
                };
                room -= 1;
                self.distribute(&next.session, next.last_agent, now);
                self.queue_dirty = true;
                self.positions_dirty = true;
            }
        }
    }
}

impl Hub {
    /// An agent's availability: echoed to their tabs, the queue sent when
    /// they come online, and the distributor told.
    pub(super) fn set_presence(&self, agent: &Agent, presence: AgentPresence) {
        let st = &mut *self.state();
        let now = now_ms();
        let live = st.agents.entry(agent.id.clone()).or_default();
        live.presence = presence;
        live.presence_known = true;
        let echo = Wire::new(&ServerEnvelope::new(ServerFrame::Presence { presence }));
        for c in &live.conns {
            c.send(&echo);
        }
        if presence == AgentPresence::Online {
            let queue = Self::queue_frame(st, now);
            for c in &st.agents[&agent.id].conns {
                c.send(&queue);
            }
        }
        // The distributor first, so positions and estimates count this agent.
        st.sync_agent(agent, now);
        st.positions_changed(now);
    }

    /// Keeps the agent's choice in the store, so that after a restart they
    /// are offered requests again without having to choose it again. The
    /// choice already holds here if that fails: it is logged, not refused.
    pub(super) async fn keep_presence(&self, agent: &Agent, presence: AgentPresence) {
        if let Err(e) = self
            .inner
            .store
            .set_agent_presence(&agent.id, presence)
            .await
        {
            tracing::warn!(agent = %agent.id, error = %e, "could not store the agent's presence");
        }
    }

    /// Before an agent's connection is attached: on their first connection
    /// since the start, their presence is the one they last chose (read
    /// from the store), not offline.
    pub async fn recall_presence(&self, agent: &Agent) {
        let known = self
            .state()
            .agents
            .get(&agent.id)
            .is_some_and(|live| live.presence_known);
        if known {
            return;
        }
        let stored = match self.inner.store.agent_presence(&agent.id).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(agent = %agent.id, error = %e, "could not read the agent's presence");
                None
            }
        };
        let st = &mut *self.state();
        let live = st.agents.entry(agent.id.clone()).or_default();
        // A choice made meanwhile (another tab) is newer than the stored one.
        if !live.presence_known {
            live.presence = stored.unwrap_or_default();
            live.presence_known = true;
        }
    }

    /// An agent turns down the request offered to them; it goes to the next.
    pub(super) fn decline(&self, agent: &Agent, session: &str) {
        let st = &mut *self.state();
        let now = now_ms();
        let actions = st.acd.decline(session, &agent.id, now);
        st.carry_out(actions, now);
        st.queue_changed(now);
    }

    /// Sends coalesced queue updates that were held back; ends with the hub.
    pub(super) async fn flush_coalesced(inner: Weak<Inner>) {
        let mut tick = tokio::time::interval(QUEUE_FLUSH);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            let Some(inner) = inner.upgrade() else { return };
            // Opening hours close and open without any event: look again each second.
            ticks += 1;
            inner.lock().round(now_ms(), ticks.is_multiple_of(10));
        }
    }

    /// A waiting request as agents see it.
    pub(super) fn queue_item(s: &LiveSession, now: Millis) -> QueueItem {
        let r = &s.record;
        QueueItem {
            screen_pop: s.screen_pop.clone(),
            session: r.id.clone(),
            visitor_id: r.visitor_id.clone(),
            visitor_name: r.visitor_name.clone(),
            topic: r.topic.clone(),
            first_message: r.first_message.clone(),
            page: r.page.clone(),
            requested_at: r.requested_at,
            callback: r.callback.clone(),
            due_at: r
                .callback
                .as_ref()
                .map(|c| c.due_at(r.requested_at))
                .filter(|due| *due > now),
        }
    }

    /// The queue as online agents see it.
    pub(super) fn queue_frame(st: &State, now: Millis) -> Wire {
        let items: Vec<QueueItem> = st
            .acd
            .waiting()
            .take(MAX_QUEUE_ITEMS)
            .filter_map(|s| st.sessions.get(s))
            .map(|s| Self::queue_item(s, now))
            .collect();
        Wire::new(&ServerEnvelope::new(ServerFrame::Queue {
            server_time: now,
            items,
            // Those waiting outside a full line count too: agents see the
            // whole demand, not just the line.
            total: (st.acd.len() + st.overflow.len()) as u32,
        }))
    }

    pub(super) fn position_frame(
        session: &str,
        (position, agents_online, eta_secs, unavailable): Place,
    ) -> Wire {
        Wire::new(&ServerEnvelope::new(ServerFrame::QueuePosition {
            session: session.to_string(),
            position,
            agents_online,
            eta_secs,
            unavailable,
        }))
    }
}
