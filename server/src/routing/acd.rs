//! The automatic call distributor: which agent is offered which waiting
//! request, and when an unanswered offer moves on. A pure state machine
//! (sans-I/O): the hub feeds it events with the current time and carries out
//! the actions it returns, so every rule is tested without sockets or sleeps.
//!
//! Rules (issue 6):
//! - eligible agents are online, connected, under capacity (counting a ringing
//!   offer), not already ringing, and have the request's skill; an agent with no
//!   skills is a generalist and takes any request;
//! - the agent who served this customer last is preferred when eligible; else
//!   the fewest open sessions, ties broken by the longest idle;
//! - one agent is offered a request at a time; unanswered after the ring time
//!   (or declined), it goes to the next eligible agent; when everyone eligible
//!   has passed, the round starts again;
//! - a claim (accepting an offer or picking from the queue) is checked and
//!   applied in one step, so capacity can never be exceeded;
//! - after-call work: when a session ends, it keeps holding one of its agent's
//!   slots for offers until the agent submits the wrap-up or the after-call
//!   time passes, so an agent is not handed a new visitor mid-note. (A slot,
//!   not the whole agent: an agent serving several chats keeps getting offers
//!   while below capacity. The agent may still pick from the queue themself.)

use std::collections::{BTreeSet, HashMap, HashSet};

use protocol::{AgentPresence, Millis};

use super::Queue;

/// How long an offer rings before it moves to the next agent, by default.
pub const RING_MS: Millis = 20_000;
/// How long an ended session holds its agent's slot awaiting the wrap-up, by default.
pub const AFTER_CALL_MS: Millis = 30_000;
/// Assumed handle time before any session has been measured.
const DEFAULT_HANDLE_MS: f64 = 180_000.0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Offer `session` to `agent` until `expires_at`.
    Offer {
        session: String,
        agent: String,
        expires_at: Millis,
    },
    /// The offer of `session` to `agent` no longer stands (taken, expired, cancelled).
    Withdraw { session: String, agent: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimError {
    /// Not waiting any more (taken by someone else, or cancelled).
    NotWaiting,
    /// The agent is at capacity.
    AtCapacity,
    /// The agent is not online and connected.
    Unavailable,
}

#[derive(Debug, Clone)]
struct AgentSlot {
    presence: AgentPresence,
    connected: bool,
    skills: BTreeSet<String>,
    capacity: u32,
    open: u32,
    idle_since: Millis,
    ringing: Option<String>,
    /// Ended sessions awaiting the agent's wrap-up, and until when they wait.
    after_call: HashMap<String, Millis>,
}

impl AgentSlot {
    fn new(presence: AgentPresence, connected: bool, capacity: u32, now: Millis) -> AgentSlot {
        AgentSlot {
            presence,
            connected,
            skills: BTreeSet::new(),
            capacity,
            open: 0,
            idle_since: now,
            ringing: None,
            after_call: HashMap::new(),
        }
    }

    /// Ended sessions still in after-call work at `now`.
    fn wrapping(&self, now: Millis) -> u32 {
        self.after_call
            .values()
            .filter(|until| **until > now)
            .count() as u32
    }

    fn can_take(&self, skill: Option<&str>, now: Millis) -> bool {
        self.presence == AgentPresence::Online
            && self.connected
            && self.ringing.is_none()
            && self.open + self.wrapping(now) < self.capacity
            && match skill {
                None => true,
                Some(s) => self.skills.is_empty() || self.skills.contains(s),
            }
    }
}

#[derive(Debug, Clone)]
struct Waiting {
    skill: Option<String>,
    last_agent: Option<String>,
    offer: Option<(String, Millis)>,
    /// Agents who let it ring out or declined during this round.
    passed: HashSet<String>,
    /// The last of them, skipped when a new round starts so a declined
    /// request does not bounce straight back.
    last_passed: Option<String>,
    /// Not offered before this time (a call back booked for later).
    due_at: Millis,
}

#[derive(Debug)]
pub struct Acd {
    ring_ms: Millis,
    /// After-call work per ended session; 0 turns it off.
    after_call_ms: Millis,
    agents: HashMap<String, AgentSlot>,
    queue: Queue,
    waiting: HashMap<String, Waiting>,
    /// Exponentially weighted average handle time, for wait estimates.
    handle_ms: Option<f64>,
}

impl Default for Acd {
    fn default() -> Self {
        Acd::new(RING_MS)
    }
}

impl Acd {
    /// A distributor whose offers ring for `ring_ms`.
    pub fn new(ring_ms: Millis) -> Acd {
        Acd {
            ring_ms,
            after_call_ms: 0,
            agents: HashMap::new(),
            queue: Queue::default(),
            waiting: HashMap::new(),
            handle_ms: None,
        }
    }

    /// The same distributor, giving agents `ms` of after-call work per ended session.
    pub fn with_after_call(mut self, ms: Millis) -> Acd {
        self.after_call_ms = ms.max(0);
        self
    }

    /// An agent's availability or profile changed (presence, connection, skills, capacity).
    pub fn agent(
        &mut self,
        id: &str,
        presence: AgentPresence,
        connected: bool,
        skills: &[String],
        capacity: u32,
        now: Millis,
    ) -> Vec<Action> {
        let slot = self
            .agents
            .entry(id.to_string())
            .or_insert_with(|| AgentSlot::new(presence, connected, capacity, now));
        slot.presence = presence;
        slot.connected = connected;
        slot.skills = skills.iter().cloned().collect();
        slot.capacity = capacity;
        let mut actions = Vec::new();
        let available = presence == AgentPresence::Online && connected && slot.open < capacity;
        if !available {
            // An agent who went away (or whose capacity shrank) does not keep a request ringing.
            if let Some(session) = self.agents.get_mut(id).and_then(|s| s.ringing.take()) {
                if let Some(w) = self.waiting.get_mut(&session) {
                    w.offer = None;
                    w.passed.insert(id.to_string());
                }
                actions.push(Action::Withdraw {
                    session,
                    agent: id.to_string(),
                });
            }
        }
        actions.extend(self.dispatch(now));
        actions
    }

    /// Sessions an agent already has (restored after a restart).
    pub fn set_open(&mut self, agent: &str, open: u32, now: Millis) {
        let slot = self
            .agents
            .entry(agent.to_string())
            .or_insert_with(|| AgentSlot::new(AgentPresence::Offline, false, open.max(1), now));
        slot.open = open;
    }

    /// A visitor asked for help.
    pub fn request(
        &mut self,
        session: &str,
        skill: Option<String>,
        last_agent: Option<String>,
        requested_at: Millis,
        now: Millis,
    ) -> Vec<Action> {
        let waiting = Waiting {
            skill,
            last_agent,
            offer: None,
            passed: HashSet::new(),
            last_passed: None,
            due_at: requested_at,
        };
        self.enqueue(session, waiting, requested_at, now)
    }

    /// An agent sent a session they held back to the queue (an escalation to
    /// another skill). They are left out of the first round of offers; if
    /// everyone else passes, the next round may come back to them, so the
    /// request is never stranded.
    pub fn requeue(
        &mut self,
        session: &str,
        skill: Option<String>,
        handed_by: &str,
        requested_at: Millis,
        now: Millis,
    ) -> Vec<Action> {
        let waiting = Waiting {
            skill,
            last_agent: None,
            offer: None,
            passed: HashSet::from([handed_by.to_string()]),
            last_passed: Some(handed_by.to_string()),
            due_at: requested_at,
        };
        self.enqueue(session, waiting, requested_at, now)
    }

    /// Puts a request in the queue by the time it was made, then offers
    /// whatever can be offered now.
    fn enqueue(
        &mut self,
        session: &str,
        waiting: Waiting,
        requested_at: Millis,
        now: Millis,
    ) -> Vec<Action> {
        self.queue.push(session.to_string(), requested_at);
        self.waiting.insert(session.to_string(), waiting);
        self.dispatch(now)
    }

    /// The request became a call back due at `due_at`: it is offered from
    /// then on, and an offer ringing before that is withdrawn.
    pub fn schedule(&mut self, session: &str, due_at: Millis, now: Millis) -> Vec<Action> {
        let Some(w) = self.waiting.get_mut(session) else {
            return Vec::new();
        };
        w.due_at = due_at;
        let offer = if due_at > now { w.offer.take() } else { None };
        let mut actions: Vec<Action> = self.unring(session, offer).into_iter().collect();
        actions.extend(self.dispatch(now));
        actions
    }

    /// Stops `offer` of `session` ringing: frees its agent and tells them.
    fn unring(&mut self, session: &str, offer: Option<(String, Millis)>) -> Option<Action> {
        let (agent, _) = offer?;
        if let Some(slot) = self.agents.get_mut(&agent) {
            slot.ringing = None;
        }
        Some(Action::Withdraw {
            session: session.to_string(),
            agent,
        })
    }

    /// Whether some online, connected agent has the skill (busy or not):
    /// if none, a request for it cannot be answered until someone comes.
    pub fn can_serve(&self, skill: Option<&str>) -> bool {
        self.agents.values().any(|a| {
            a.presence == AgentPresence::Online
                && a.connected
                && skill.is_none_or(|s| a.skills.is_empty() || a.skills.contains(s))
        })
    }

    /// The request was cancelled or ended before anyone took it.
    pub fn cancel(&mut self, session: &str, now: Millis) -> Vec<Action> {
        let offer = self.remove(session).and_then(|w| w.offer);
        let mut actions: Vec<Action> = self.unring(session, offer).into_iter().collect();
        actions.extend(self.dispatch(now));
        actions
    }

    /// `agent` takes `session` (answering an offer or picking it from the queue).
    pub fn claim(
        &mut self,
        session: &str,
        agent: &str,
        now: Millis,
    ) -> Result<Vec<Action>, ClaimError> {
        if !self.waiting.contains_key(session) {
            return Err(ClaimError::NotWaiting);
        }
        let slot = self.agents.get(agent);
        let ringing_this = slot.and_then(|s| s.ringing.as_deref()) == Some(session);
        // A ringing offer holds one of the agent's slots; answering it uses that slot.
        let busy = slot.map_or(0, |s| {
            s.open + u32::from(s.ringing.is_some() && !ringing_this)
        });
        let capacity = slot.map_or(0, |s| s.capacity);
        if busy >= capacity {
            return Err(ClaimError::AtCapacity);
        }
        let w = self.remove(session).expect("checked above");
        let mut actions = Vec::new();
        if let Some((offered, _)) = w.offer {
            if let Some(s) = self.agents.get_mut(&offered) {
                s.ringing = None;
            }
            if offered != agent {
                actions.push(Action::Withdraw {
                    session: session.to_string(),
                    agent: offered,
                });
            }
        }
        if let Some(s) = self.agents.get_mut(agent) {
            s.open += 1;
        }
        actions.extend(self.dispatch(now));
        Ok(actions)
    }

    /// `agent` takes a session handed over by another agent (a transfer):
    /// refused when they are not online and connected, or at capacity
    /// (a ringing offer counts), checked and applied in one step.
    pub fn assign(&mut self, agent: &str) -> Result<(), ClaimError> {
        let Some(slot) = self.agents.get_mut(agent) else {
            return Err(ClaimError::Unavailable);
        };
        if slot.presence != AgentPresence::Online || !slot.connected {
            return Err(ClaimError::Unavailable);
        }
        if slot.open + u32::from(slot.ringing.is_some()) >= slot.capacity {
            return Err(ClaimError::AtCapacity);
        }
        slot.open += 1;
        Ok(())
    }

    /// `agent` turned the offer of `session` down.
    pub fn decline(&mut self, session: &str, agent: &str, now: Millis) -> Vec<Action> {
        let offered = self
            .waiting
            .get(session)
            .and_then(|w| w.offer.as_ref())
            .is_some_and(|(a, _)| a == agent);
        if !offered {
            return Vec::new();
        }
        self.pass(session, agent);
        self.dispatch(now)
    }

    /// One of the agent's sessions ended after `handled_ms`.
    pub fn closed(&mut self, agent: &str, handled_ms: Option<Millis>, now: Millis) -> Vec<Action> {
        if let Some(slot) = self.agents.get_mut(agent) {
            slot.open = slot.open.saturating_sub(1);
            if slot.open == 0 {
                slot.idle_since = now;
            }
        }
        if let Some(ms) = handled_ms.filter(|ms| *ms > 0) {
            let ms = ms as f64;
            self.handle_ms = Some(self.handle_ms.map_or(ms, |avg| 0.8 * avg + 0.2 * ms));
        }
        self.dispatch(now)
    }

    /// `agent`'s session `session` ended: it enters after-call work. Call
    /// before [`Acd::closed`], which frees the session's open slot.
    pub fn after_call(&mut self, agent: &str, session: &str, now: Millis) {
        if self.after_call_ms == 0 {
            return;
        }
        if let Some(slot) = self.agents.get_mut(agent) {
            slot.after_call
                .insert(session.to_string(), now + self.after_call_ms);
        }
    }

    /// `agent` submitted the wrap-up of `session`: its slot is free again.
    pub fn wrapped(&mut self, agent: &str, session: &str, now: Millis) -> Vec<Action> {
        let freed = self
            .agents
            .get_mut(agent)
            .and_then(|slot| slot.after_call.remove(session))
            .is_some();
        if freed {
            self.dispatch(now)
        } else {
            Vec::new()
        }
    }

    /// Time passed: offers that rang out move on; after-call work that ran
    /// out frees its slot.
    pub fn tick(&mut self, now: Millis) -> Vec<Action> {
        for slot in self.agents.values_mut() {
            slot.after_call.retain(|_, until| *until > now);
        }
        let expired: Vec<(String, String)> = self
            .waiting
            .iter()
            .filter_map(|(s, w)| {
                w.offer
                    .as_ref()
                    .filter(|(_, at)| *at <= now)
                    .map(|(a, _)| (s.clone(), a.clone()))
            })
            .collect();
        let mut actions = Vec::new();
        for (session, agent) in expired {
            self.pass(&session, &agent);
            actions.push(Action::Withdraw { session, agent });
        }
        actions.extend(self.dispatch(now));
        actions
    }

    /// Waiting sessions, oldest first.
    pub fn waiting(&self) -> impl Iterator<Item = &str> {
        self.queue.sessions()
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// An agent's open sessions and whether an offer is ringing for them.
    pub fn load(&self, agent: &str) -> Option<(u32, bool)> {
        self.agents
            .get(agent)
            .map(|a| (a.open, a.ringing.is_some()))
    }

    /// The agent currently offered `session`, if any.
    pub fn offered_to(&self, session: &str) -> Option<&str> {
        self.waiting
            .get(session)
            .and_then(|w| w.offer.as_ref())
            .map(|(a, _)| a.as_str())
    }

    /// Estimated wait for the request at `position`, in seconds: the requests
    /// ahead, spread over the online agents' free and soon-free slots, times
    /// the recent handle time. None when no agent is online.
    pub fn estimated_wait_secs(&self, position: u32) -> Option<u32> {
        let online: Vec<&AgentSlot> = self
            .agents
            .values()
            .filter(|a| a.presence == AgentPresence::Online && a.connected)
            .collect();
        if online.is_empty() {
            return None;
        }
        let free: u32 = online
            .iter()
            .map(|a| a.capacity.saturating_sub(a.open))
            .sum();
        if position <= free {
            return Some(0);
        }
        let slots: u32 = online.iter().map(|a| a.capacity).sum::<u32>().max(1);
        let rounds = (position - free) as f64 / slots as f64;
        Some((rounds * self.handle_ms.unwrap_or(DEFAULT_HANDLE_MS) / 1000.0).ceil() as u32)
    }

    fn remove(&mut self, session: &str) -> Option<Waiting> {
        self.queue.remove(session);
        self.waiting.remove(session)
    }

    fn pass(&mut self, session: &str, agent: &str) {
        if let Some(slot) = self.agents.get_mut(agent)
            && slot.ringing.as_deref() == Some(session)
        {
            slot.ringing = None;
        }
        if let Some(w) = self.waiting.get_mut(session) {
            w.offer = None;
            w.passed.insert(agent.to_string());
            w.last_passed = Some(agent.to_string());
        }
    }

    /// Offers every unoffered waiting request, oldest first, to its best agent.
    fn dispatch(&mut self, now: Millis) -> Vec<Action> {
        let mut actions = Vec::new();
        let sessions: Vec<String> = self.queue.sessions().map(str::to_string).collect();
        for session in sessions {
            let Some(w) = self.waiting.get(&session) else {
                continue;
            };
            if w.offer.is_some() || w.due_at > now {
                continue;
            }
            let skill = w.skill.as_deref();
            let eligible = |passed: &HashSet<String>| {
                let mut best: Option<(&String, &AgentSlot)> = None;
                for (id, a) in &self.agents {
                    if !a.can_take(skill, now) || passed.contains(id) {
                        continue;
                    }
                    if w.last_agent.as_deref() == Some(id.as_str()) {
                        return Some(id.clone());
                    }
                    let better = match best {
                        None => true,
                        // Fewest open sessions, then idle longest, then a stable order.
                        Some((bid, b)) => (a.open, a.idle_since, id) < (b.open, b.idle_since, bid),
                    };
                    if better {
                        best = Some((id, a));
                    }
                }
                best.map(|(id, _)| id.clone())
            };
            let mut chosen = eligible(&w.passed);
            if chosen.is_none() && !w.passed.is_empty() {
                // Everyone eligible passed on it: start a new round, without the
                // agent who passed last (the request stays in their queue view).
                let skip: HashSet<String> = w.last_passed.iter().cloned().collect();
                chosen = eligible(&skip);
                if chosen.is_some() {
                    self.waiting.get_mut(&session).expect("present").passed = skip;
                }
            }
            let Some(agent) = chosen else { continue };
            let expires_at = now + self.ring_ms;
            self.waiting.get_mut(&session).expect("present").offer =
                Some((agent.clone(), expires_at));
            self.agents
                .get_mut(&agent)
                .expect("chosen from agents")
                .ringing = Some(session.clone());
            actions.push(Action::Offer {
                session,
                agent,
                expires_at,
            });
        }
        actions
    }
}
