//! Live sessions and relay: which connections belong to which visitor and
//! agent, the open sessions with their numbered logs, and the waiting queue.
//! Co-browsing (cobrowse.rs) and voice calls (call.rs) live beside them.
//!
//! The hub is a cloneable handle around shared state. The state sits behind a
//! plain `std::sync::Mutex` that is never held across an `.await`. Session
//! events are numbered and queued for the store under that lock, and the
//! store's writer delivers them once committed, so they are stored and
//! delivered in `seq` order without anyone waiting on a per-session lock.

mod call;
mod callback;
mod cobrowse;
mod cobrowse_log;
mod error;
mod form;
mod handlers;
mod identity;
mod metrics_view;
pub mod outbound;
mod overflow;
mod transfer;
mod wrapup;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use protocol::cobrowse::ShareState;
use protocol::{
    AgentPresence, ErrorCode, Event, EventBody, QueueItem, Role, ServerEnvelope, ServerFrame,
    SessionState, SessionSummary, Unavailable,
};

pub use call::CallSettings;
use cobrowse_log::CobrowseLog;
pub use error::{HubError, HubResult};
pub use metrics_view::MetricsView;
pub use outbound::{ConnHandle, ConnId, Wire};

use crate::admission::{Admission, Kind, VisitorLimits};
use crate::auth::VisitorTokens;
use crate::clock::now_ms;
use crate::routing::{Acd, Action};
pub(crate) use crate::store::batch::Then;
use crate::store::batch::{self, EventWriter, Slot};
use crate::store::{Agent, SessionRecord, Store};

/// Who is on the other end of a connection, once `hello` succeeded.
#[derive(Debug, Clone)]
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

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    /// Session events go through the group-commit writer.
    events: EventWriter,
    visitor_tokens: VisitorTokens,
    calls: CallSettings,
    /// Figures for /metrics, counted as things happen.
    counters: Arc<crate::metrics::Counters>,
    /// Serialises wrap-ups, whose events may be appended after the session
    /// left memory (and with it its numbering); see wrapup.rs.
    wrapups: tokio::sync::Mutex<()>,
    /// The embedded TURN server, once it runs (it starts after the hub).
    turn: std::sync::OnceLock<Weak<crate::turn::TurnServer>>,
    /// Rate limits on new visitors and help requests.
    admission: Admission,
    state: Mutex<State>,
}

struct State {
    next_conn: ConnId,
    visitors: HashMap<String, Vec<ConnHandle>>,
    agents: HashMap<String, AgentLive>,
    sessions: HashMap<String, LiveSession>,
    /// The open session of each visitor (a visitor has at most one).
    visitor_open: HashMap<String, String>,
    /// The waiting requests and who is offered which.
    acd: Acd,
    /// Position, agents online and wait estimate last sent to each waiting visitor.
    sent_positions: HashMap<String, Place>,
    /// Each site's opening hours and wait limit.
    sites: HashMap<String, callback::SitePolicy>,
    /// Requests that arrived while their site's line was full (overflow.rs).
    overflow: overflow::Overflow,
    queue_dirty: bool,
    positions_dirty: bool,
    last_flush: Option<Instant>,
}

/// A waiting visitor's place: position, agents online, estimated wait, and
/// why nobody can answer soon.
type Place = (u32, u32, Option<u32>, Option<Unavailable>);

/// Queue updates are coalesced: at most one round every `QUEUE_FLUSH`, sent at
/// once when the previous round is older than that. Without it, N requests
/// arriving together cost N² frames (every change re-sent to everyone).
const QUEUE_FLUSH: Duration = Duration::from_millis(100);
/// Agents see the oldest requests; a longer queue is the ACD's business.
const MAX_QUEUE_ITEMS: usize = 100;

impl State {
    fn new(acd: Acd, max_waiting: u32) -> State {
        State {
            next_conn: 0,
            visitors: HashMap::new(),
            agents: HashMap::new(),
            sessions: HashMap::new(),
            visitor_open: HashMap::new(),
            acd,
            sent_positions: HashMap::new(),
            sites: HashMap::new(),
            overflow: overflow::Overflow::new(max_waiting),
            queue_dirty: false,
            positions_dirty: false,
            last_flush: None,
        }
    }

    /// Tells the distributor what it needs to know about an agent (after a
    /// connection, a disconnection or a presence change) and acts on its answer.
    fn sync_agent(&mut self, agent: &Agent) {
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
            now_ms(),
        );
        self.carry_out(actions);
    }

    /// Sends the distributor's offers and withdrawals to the agents concerned.
    fn carry_out(&mut self, actions: Vec<Action>) {
        for action in actions {
            let (agent, frame) = match action {
                Action::Offer {
                    session,
                    agent,
                    expires_at,
                } => {
                    let Some(item) = self
                        .sessions
                        .get(&session)
                        .map(|s| Hub::queue_item(&s.record))
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

    fn agents_online(&self) -> u32 {
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
    fn live_position(&self, session: &str) -> Option<u32> {
        self.live_waiting()
            .position(|s| s == session)
            .map(|i| i as u32 + 1)
    }

    /// What a waiting visitor at `position` is told.
    fn place(&self, session: &str, position: u32, online: u32, now: protocol::Millis) -> Place {
        let eta = self.acd.estimated_wait_secs(position);
        (position, online, eta, self.unavailable(session, eta, now))
    }

    /// Something that agents' queue view or visitors' positions depend on changed.
    fn queue_changed(&mut self) {
        self.queue_dirty = true;
        self.positions_dirty = true;
        if self.last_flush.is_none_or(|t| t.elapsed() >= QUEUE_FLUSH) {
            self.flush_queue();
        }
    }

    /// Only the number of agents online changed.
    fn positions_changed(&mut self) {
        self.positions_dirty = true;
        if self.last_flush.is_none_or(|t| t.elapsed() >= QUEUE_FLUSH) {
            self.flush_queue();
        }
    }

    /// Sends what changed since the last round.
    fn flush_queue(&mut self) {
        self.last_flush = Some(Instant::now());
        // Room may have freed up in a full line.
        self.admit_overflow();
        if std::mem::take(&mut self.queue_dirty) {
            let frame = Hub::queue_frame(self);
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
            let clock = now_ms();
            for (i, session) in self.live_waiting().enumerate() {
                let now = self.place(session, i as u32 + 1, online, clock);
                if sent.remove(session) != Some(now) {
                    if let Some(live) = self.sessions.get(session) {
                        let frame = Hub::position_frame(session, now);
                        for c in self
                            .visitors
                            .get(&live.record.visitor_id)
                            .into_iter()
                            .flatten()
                        {
                            c.send(&frame);
                        }
                    }
                }
                now_sent.insert(session.to_string(), now);
            }
            self.sent_positions = now_sent;
        }
    }
}

#[derive(Default)]
struct AgentLive {
    name: String,
    skills: Vec<String>,
    presence: AgentPresence,
    conns: Vec<ConnHandle>,
    sessions: HashSet<String>,
    capacity: u32,
    /// The account was removed: no longer listed for supervisors and colleagues.
    retired: bool,
}

impl AgentLive {
    fn online(&self) -> bool {
        self.presence == AgentPresence::Online && !self.conns.is_empty()
    }

    /// Shown to supervisors and colleagues: seen connected since the start
    /// (entries restored from open sessions have no name) and not removed.
    fn listed(&self) -> bool {
        !self.name.is_empty() && !self.retired
    }
}

struct LiveSession {
    /// `last_seq` here is the last event stored and delivered.
    record: SessionRecord,
    /// The number the next event gets; ahead of `record.last_seq` while
    /// events wait for the store.
    next_seq: u64,
    /// Screen sharing: kept in memory only; a restart stops sharing.
    share: ShareState,
    log: CobrowseLog,
    /// The voice call while it rings or is active; in memory only.
    call: Option<protocol::CallInfo>,
    /// Form and page pushes waiting for the visitor's answer (memory only).
    pushes: form::Pushes,
    /// When an agent first answered (`record.accepted_at` is the latest
    /// answer: a transfer to a queue clears it). For the metrics' wait and
    /// handle times.
    first_answer: Option<protocol::Millis>,
}

impl LiveSession {
    fn new(record: SessionRecord) -> LiveSession {
        LiveSession {
            first_answer: record.accepted_at,
            next_seq: record.last_seq + 1,
            record,
            share: ShareState::Off,
            log: CobrowseLog::default(),
            call: None,
            pushes: form::Pushes::default(),
        }
    }
}

impl Hub {
    /// Builds the hub and restores open sessions (and the queue) from the store.
    pub async fn new(
        store: Arc<dyn Store>,
        visitor_tokens: VisitorTokens,
        ring_ms: protocol::Millis,
        after_call_ms: protocol::Millis,
        calls: CallSettings,
        visitors: VisitorLimits,
    ) -> crate::store::Result<Hub> {
        let acd = Acd::new(ring_ms).with_after_call(after_call_ms);
        let mut state = State::new(acd, visitors.max_waiting_per_site);
        // Requests restored to each site's line so far.
        let mut in_line = HashMap::new();
        for record in store.open_sessions().await? {
            match (&record.state, &record.agent) {
                (SessionState::Queued, _) => {
                    // No agent is connected yet: this only restores the line
                    // (and what waited outside a full one).
                    state.restore_waiting(&record, &mut in_line);
                    if !state.sites.contains_key(&record.site) {
                        let policy = store.site(&record.site).await?;
                        state
                            .sites
                            .insert(record.site.clone(), callback::SitePolicy::of_stored(policy));
                    }
                }
                (_, Some(agent)) => {
                    let live = state.agents.entry(agent.id.clone()).or_default();
                    live.sessions.insert(record.id.clone());
                    let open = live.sessions.len() as u32;
                    state.acd.set_open(&agent.id, open, now_ms());
                }
                _ => {}
            }
            state
                .visitor_open
                .insert(record.visitor_id.clone(), record.id.clone());
            state
                .sessions
                .insert(record.id.clone(), LiveSession::new(record));
        }
        let inner = Arc::new(Inner {
            events: EventWriter::spawn(store.clone()),
            store,
            visitor_tokens,
            calls,
            counters: Default::default(),
            wrapups: Default::default(),
            turn: Default::default(),
            admission: Admission::new(&visitors),
            state: Mutex::new(state),
        });
        tokio::spawn(flush_coalesced(Arc::downgrade(&inner)));
        Ok(Hub { inner })
    }

    /// Lets the hub free a call's TURN relays when the call ends.
    pub fn set_turn(&self, turn: &Arc<crate::turn::TurnServer>) {
        let _ = self.inner.turn.set(Arc::downgrade(turn));
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    pub fn visitor_tokens(&self) -> &VisitorTokens {
        &self.inner.visitor_tokens
    }

    /// Takes an admission token for a new visitor or a help request from
    /// `ip` on `site`, or refuses with `rate_limited` saying when to retry.
    pub fn admit(&self, kind: Kind, ip: IpAddr, site: &str) -> HubResult<()> {
        let what = match kind {
            Kind::NewVisitor => "new visitors",
            Kind::HelpRequest => "help requests",
        };
        self.inner
            .admission
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

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock is a bug; the state it guards is
        // still consistent enough to keep serving other sessions.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new connection id and its outbound queue.
    pub fn new_conn(
        &self,
    ) -> (
        ConnHandle,
        tokio::sync::mpsc::Receiver<Wire>,
        Arc<outbound::Closer>,
    ) {
        let mut st = self.state();
        st.next_conn += 1;
        ConnHandle::new(st.next_conn)
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
                st.visitors
                    .entry(id.clone())
                    .or_default()
                    .push(conn.clone());
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
                        let place = st.place(&s.id, position, st.agents_online(), now_ms());
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
                st.sync_agent(agent);
                if presence == AgentPresence::Online {
                    conn.send(&Self::queue_frame(st));
                    // This connection may have made the agent reachable again.
                    st.positions_changed();
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
                    }
                }
            }
            Principal::Agent(agent) => {
                let mut was_online = false;
                if let Some(live) = st.agents.get_mut(&agent.id) {
                    was_online = live.online();
                    live.conns.retain(|c| c.id != conn);
                }
                st.sync_agent(agent);
                if was_online && !st.agents[&agent.id].online() {
                    st.positions_changed();
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

    /// Agents who are online and connected.
    pub fn agents_online(&self) -> usize {
        self.state().agents.values().filter(|a| a.online()).count()
    }

    /// The live picture for supervisors: who waits for which skill, and what
    /// each agent is doing.
    pub fn live(&self) -> LiveFigures {
        let st = self.state();
        let now = now_ms();
        let mut queues: std::collections::BTreeMap<String, SkillQueue> = Default::default();
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

    // ----- delivery helpers (called with the state lock held) -----

    fn queue_item(r: &SessionRecord) -> QueueItem {
        QueueItem {
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
                .filter(|due| *due > now_ms()),
        }
    }

    fn queue_frame(st: &State) -> Wire {
        let items: Vec<QueueItem> = st
            .acd
            .waiting()
            .take(MAX_QUEUE_ITEMS)
            .filter_map(|s| st.sessions.get(s))
            .map(|s| Self::queue_item(&s.record))
            .collect();
        Wire::new(&ServerEnvelope::new(ServerFrame::Queue {
            server_time: now_ms(),
            items,
            // Those waiting outside a full line count too: agents see the
            // whole demand, not just the line.
            total: (st.acd.len() + st.overflow.len()) as u32,
        }))
    }

    fn position_frame(
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

    /// Every connection that takes part in a session: the visitor's tabs and
    /// the assigned agent's tabs.
    fn participants<'a>(
        st: &'a State,
        record: &SessionRecord,
    ) -> impl Iterator<Item = &'a ConnHandle> {
        let visitor = st.visitors.get(&record.visitor_id).into_iter().flatten();
        visitor.chain(Self::assigned_agent_conns(st, record))
    }

    fn send_to_session(st: &State, record: &SessionRecord, frame: &Wire) {
        for c in Self::participants(st, record) {
            c.send(frame);
        }
    }

    /// Numbers, stores and delivers one event; returns once it is delivered.
    async fn append(
        &self,
        session: &str,
        author: Role,
        author_name: Option<String>,
        body: EventBody,
    ) -> HubResult<Event> {
        let (then, delivered) = batch::waiter();
        let slot = self.inner.events.slot().await?;
        {
            let st = &mut *self.state();
            let live = st
                .sessions
                .get_mut(session)
                .ok_or_else(HubError::unknown_session)?;
            self.post(live, slot, author, author_name, body, then);
        }
        Ok(delivered.await?)
    }

    /// Numbers an event and queues it for the store without waiting. Once it
    /// is committed the writer delivers it to the session's participants and
    /// then hands it to `then`. The caller holds the state lock, so numbering
    /// and queueing are one step and a session's events are stored and
    /// delivered in `seq` order.
    fn post(
        &self,
        live: &mut LiveSession,
        slot: Slot,
        author: Role,
        author_name: Option<String>,
        body: EventBody,
        then: Then,
    ) {
        let event = Event {
            seq: live.next_seq,
            at: now_ms(),
            author,
            author_name,
            body,
        };
        live.next_seq += 1;
        let (hub, session) = (self.clone(), live.record.id.clone());
        let deliver: Then = Box::new(move |result| {
            if let Ok(event) = &result {
                hub.deliver(&session, event);
            }
            then(result);
        });
        slot.send(live.record.id.clone(), event, deliver);
    }

    /// Sends a stored event to the session's participants (if the session is
    /// still live) and records it as the last one.
    fn deliver(&self, session: &str, event: &Event) {
        if let EventBody::Message { .. } = event.body {
            self.inner.counters.message(event.author);
        }
        let st = &mut *self.state();
        if let Some(live) = st.sessions.get_mut(session) {
            live.record.last_seq = live.record.last_seq.max(event.seq);
            Self::send_event(st, &st.sessions[session].record, event);
        }
    }

    /// Delivers an event to a session's participants, each side seeing what
    /// it may (private notes reach visitors redacted).
    fn send_event(st: &State, record: &SessionRecord, event: &Event) {
        let frame_for = |event: &Event| {
            Wire::new(&ServerEnvelope::new(ServerFrame::Event {
                session: record.id.clone(),
                event: event.clone(),
            }))
        };
        let for_agents = frame_for(event);
        let for_visitor = match event.for_reader(Role::Visitor) {
            std::borrow::Cow::Borrowed(_) => for_agents.clone(),
            std::borrow::Cow::Owned(redacted) => frame_for(&redacted),
        };
        for c in st.visitors.get(&record.visitor_id).into_iter().flatten() {
            c.send(&for_visitor);
        }
        for c in Self::assigned_agent_conns(st, record) {
            c.send(&for_agents);
        }
    }

    /// The connections of the session's assigned agent.
    fn assigned_agent_conns<'a>(
        st: &'a State,
        record: &SessionRecord,
    ) -> impl Iterator<Item = &'a ConnHandle> {
        record
            .agent
            .as_ref()
            .and_then(|a| st.agents.get(&a.id))
            .into_iter()
            .flat_map(|a| a.conns.iter())
    }

    /// What clients see of a live session.
    fn summary(live: &LiveSession) -> SessionSummary {
        SessionSummary {
            share: live.share,
            call: live.call.clone(),
            ..live.record.summary()
        }
    }

    /// Sends the session's current summary to its participants.
    fn announce(st: &State, record: &SessionRecord) {
        let live = st.sessions.get(&record.id);
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Session {
            session: SessionSummary {
                share: live.map(|l| l.share).unwrap_or_default(),
                call: live.and_then(|l| l.call.clone()),
                ..record.summary()
            },
        }));
        Self::send_to_session(st, record, &frame);
    }
}

/// Sends coalesced queue updates that were held back; ends with the hub.
async fn flush_coalesced(inner: Weak<Inner>) {
    let mut tick = tokio::time::interval(QUEUE_FLUSH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let mut st = inner.state.lock().unwrap_or_else(|p| p.into_inner());
        // Offers that rang out move to the next agent.
        let actions = st.acd.tick(now_ms());
        if !actions.is_empty() {
            st.carry_out(actions);
            st.queue_dirty = true;
        }
        // Opening hours close and open without any event: look again each second.
        ticks += 1;
        if ticks % 10 == 0 && !st.acd.is_empty() {
            st.positions_dirty = true;
        }
        if st.queue_dirty || st.positions_dirty {
            st.flush_queue();
        }
    }
}

/// The skill a request's topic calls for; "other" and no topic need none.
pub(crate) fn skill_for(topic: Option<&str>) -> Option<String> {
    topic
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t != "other")
}

/// Waiting requests for one skill.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SkillQueue {
    pub waiting: u32,
    pub longest_wait_secs: i64,
}

/// One agent as a supervisor sees them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgentStatus {
    pub id: String,
    pub name: String,
    pub presence: AgentPresence,
    pub connected: bool,
    pub open: u32,
    pub capacity: u32,
    pub skills: Vec<String>,
}

/// The hub's live state for supervisors and /metrics.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LiveFigures {
    /// By skill ("general" for requests without one).
    pub queues: std::collections::BTreeMap<String, SkillQueue>,
    pub agents: Vec<AgentStatus>,
    pub active_sessions: u32,
    pub visitors_connected: u32,
}
