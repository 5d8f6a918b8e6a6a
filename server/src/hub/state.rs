//! The hub's state, shared by every family file: the cloneable `Hub` handle,
//! what it holds (`Inner`: the store, the event writer, settings, counters)
//! and the `State` behind its one lock (connections by visitor and agent,
//! the live sessions, the distributor and the queue rounds' bookkeeping).
//! Building the hub restores open sessions and the queue from the store.
//!
//! The state sits behind a plain `std::sync::Mutex` that is never held
//! across an `.await`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use protocol::cobrowse::ShareState;
use protocol::{AgentPresence, ErrorCode, SessionState, Unavailable};

use super::cobrowse_log::CobrowseLog;
use super::error::{HubError, HubResult};
use super::form_pushes::Pushes;
use super::outbound::{self, ConnHandle, ConnId, Wire};
use super::overflow::Overflow;
use super::restart;
use super::site_policy::SitePolicy;
use crate::admission::{Admission, VisitorLimits};
use crate::auth::VisitorTokens;
use crate::clock::now_ms;
use crate::routing::Acd;
use crate::store::batch::EventWriter;
use crate::store::{SessionRecord, Store};
use crate::turn::IceServers;

#[derive(Clone)]
pub struct Hub {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Arc<dyn Store>,
    /// Session events go through the group-commit writer.
    pub(super) events: EventWriter,
    pub(super) visitor_tokens: VisitorTokens,
    pub(super) calls: CallSettings,
    /// Figures for /metrics, counted as things happen.
    pub(super) counters: Arc<crate::metrics::Counters>,
    /// Serialises wrap-ups, whose events may be appended after the session
    /// left memory (and with it its numbering); see wrapup.rs.
    pub(super) wrapups: tokio::sync::Mutex<()>,
    /// The embedded TURN server, once it runs (it starts after the hub).
    pub(super) turn: std::sync::OnceLock<Weak<crate::turn::TurnServer>>,
    /// Counts changes to the set of active calls, for a cluster's core to
    /// tell the other nodes (their TURN servers relay only active calls).
    pub(super) calls_changed: tokio::sync::watch::Sender<u64>,
    /// Rate limits on new visitors and help requests.
    pub(super) admission: Admission,
    pub(super) state: Mutex<State>,
}

/// What the hub needs to run voice calls (call.rs).
#[derive(Clone)]
pub struct CallSettings {
    /// How long a call rings before it ends as `no_answer`.
    pub ring_ms: i64,
    pub ice: IceServers,
}

pub(super) struct State {
    pub(super) next_conn: ConnId,
    pub(super) visitors: HashMap<String, Vec<ConnHandle>>,
    pub(super) agents: HashMap<String, AgentLive>,
    pub(super) sessions: HashMap<String, LiveSession>,
    /// The open session of each visitor (a visitor has at most one).
    pub(super) visitor_open: HashMap<String, String>,
    /// The waiting requests and who is offered which.
    pub(super) acd: Acd,
    /// Position, agents online and wait estimate last sent to each waiting visitor.
    pub(super) sent_positions: HashMap<String, Place>,
    /// Each site's opening hours and wait limit.
    pub(super) sites: HashMap<String, SitePolicy>,
    /// Requests that arrived while their site's line was full (overflow.rs).
    pub(super) overflow: Overflow,
    pub(super) queue_dirty: bool,
    pub(super) positions_dirty: bool,
    /// When the last queue round was sent.
    pub(super) last_flush: Option<protocol::Millis>,
}

/// A waiting visitor's place: position, agents online, estimated wait, and
/// why nobody can answer soon.
pub(super) type Place = (u32, u32, Option<u32>, Option<Unavailable>);

/// Queue updates are coalesced: at most one round every `QUEUE_FLUSH`, sent at
/// once when the previous round is older than that. Without it, N requests
/// arriving together cost N² frames (every change re-sent to everyone).
pub(super) const QUEUE_FLUSH: Duration = Duration::from_millis(100);
/// Agents see the oldest requests; a longer queue is the ACD's business.
pub(super) const MAX_QUEUE_ITEMS: usize = 100;

impl State {
    pub(super) fn new(acd: Acd, max_waiting: u32) -> State {
        State {
            next_conn: 0,
            visitors: HashMap::new(),
            agents: HashMap::new(),
            sessions: HashMap::new(),
            visitor_open: HashMap::new(),
            acd,
            sent_positions: HashMap::new(),
            sites: HashMap::new(),
            overflow: Overflow::new(max_waiting),
            queue_dirty: false,
            positions_dirty: false,
            last_flush: None,
        }
    }

    /// The live session, or `session_ended`: the hub forgets a session
    /// once it has ended.
    pub(super) fn live_session(&mut self, session: &str) -> HubResult<&mut LiveSession> {
        self.sessions
            .get_mut(session)
            .ok_or_else(HubError::session_ended)
    }

    /// The live session once checked that an agent is in it (it is
    /// `Active`), or the error saying so; `what` tells the client what
    /// needed an agent ("a call needs an agent in the session").
    pub(super) fn active_session(
        &mut self,
        session: &str,
        what: &str,
    ) -> HubResult<&mut LiveSession> {
        let live = self.live_session(session)?;
        require_active(live.record.state, what)?;
        Ok(live)
    }

    /// The live session once checked that its visitor shares their screen.
    pub(super) fn shared_session(&mut self, session: &str) -> HubResult<&mut LiveSession> {
        let live = self.live_session(session)?;
        if live.share != ShareState::Active {
            return Err(HubError::not_sharing());
        }
        Ok(live)
    }
}

/// Refuses (with `what` as the message) unless the session has an agent in
/// it. For a session record read outside the lock; under the lock, use
/// `State::active_session`.
pub(super) fn require_active(state: SessionState, what: &str) -> HubResult<()> {
    if state == SessionState::Active {
        Ok(())
    } else {
        Err(HubError::new(ErrorCode::InvalidFrame, what))
    }
}

#[derive(Default)]
pub(super) struct AgentLive {
    pub(super) name: String,
    pub(super) skills: Vec<String>,
    pub(super) presence: AgentPresence,
    /// `presence` is the agent's choice: set since the start, or read back
    /// from the store on their first connection (queue.rs).
    pub(super) presence_known: bool,
    pub(super) conns: Vec<ConnHandle>,
    pub(super) sessions: HashSet<String>,
    pub(super) capacity: u32,
    /// The account was removed: no longer listed for supervisors and colleagues.
    pub(super) retired: bool,
}

impl AgentLive {
    pub(super) fn online(&self) -> bool {
        self.presence == AgentPresence::Online && !self.conns.is_empty()
    }

    /// Shown to supervisors and colleagues: seen connected since the start
    /// (entries restored from open sessions have no name) and not removed.
    pub(super) fn listed(&self) -> bool {
        !self.name.is_empty() && !self.retired
    }
}

pub(super) struct LiveSession {
    /// `last_seq` here is the last event stored and delivered.
    pub(super) record: SessionRecord,
    /// The number the next event gets; ahead of `record.last_seq` while
    /// events wait for the store.
    pub(super) next_seq: u64,
    /// Screen sharing; a restart reads it back from the log (restart.rs).
    pub(super) share: ShareState,
    pub(super) log: CobrowseLog,
    /// The voice call while it rings or is active; in memory only (a
    /// restart ends it, restart.rs).
    pub(super) call: Option<protocol::CallInfo>,
    /// Form and page pushes waiting for the visitor's answer (memory only).
    pub(super) pushes: Pushes,
    /// When an agent first answered (`record.accepted_at` is the latest
    /// answer: a transfer to a queue clears it). For the metrics' wait and
    /// handle times.
    pub(super) first_answer: Option<protocol::Millis>,
    /// Whether the visitor is on the page, in the background or gone
    /// (memory only: unknown after a restart until they reconnect).
    pub(super) visitor_seen: Option<protocol::VisitorSeen>,
    /// The customer's page in the site's CRM, once they are identified
    /// (memory only: a restart forgets it until they identify again).
    pub(super) screen_pop: Option<String>,
}

impl LiveSession {
    pub(super) fn new(record: SessionRecord) -> LiveSession {
        LiveSession {
            first_answer: record.accepted_at,
            next_seq: record.last_seq + 1,
            record,
            share: ShareState::Off,
            log: CobrowseLog::default(),
            call: None,
            pushes: Pushes::default(),
            visitor_seen: None,
            screen_pop: None,
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
                    state.restore_waiting(&record, &mut in_line, now_ms());
                    if !state.sites.contains_key(&record.site) {
                        let policy = store.site(&record.site).await?;
                        state
                            .sites
                            .insert(record.site.clone(), SitePolicy::of_stored(policy));
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
        // Requests stored with none of their first events: the process
        // stopped between the two commits (session.rs, `complete_requests`).
        let unlogged: Vec<String> = state
            .sessions
            .values()
            .filter(|s| s.record.last_seq == 0)
            .map(|s| s.record.id.clone())
            .collect();
        let resumed = restart::resume(store.open_share_and_call_events().await?);
        for (id, share) in resumed.share {
            // A session back in the queue stopped sharing when it left its agent.
            if let Some(live) = state.sessions.get_mut(&id)
                && live.record.state == SessionState::Active
            {
                live.share = share;
            }
        }
        let inner = Arc::new(Inner {
            events: EventWriter::spawn(store.clone()),
            store,
            visitor_tokens,
            calls,
            counters: Default::default(),
            wrapups: Default::default(),
            turn: Default::default(),
            calls_changed: tokio::sync::watch::Sender::new(0),
            admission: Admission::new(&visitors),
            state: Mutex::new(state),
        });
        tokio::spawn(Hub::flush_coalesced(Arc::downgrade(&inner)));
        let hub = Hub { inner };
        for cut in resumed.cut_calls {
            hub.end_cut_call(cut).await;
        }
        hub.complete_requests(unlogged).await;
        Ok(hub)
    }

    /// Waits until every event queued so far is committed and delivered.
    pub async fn flush(&self) {
        self.inner.events.flush().await;
    }

    /// Lets the hub free a call's TURN relays when the call ends.
    pub fn set_turn(&self, turn: &Arc<crate::turn::TurnServer>) {
        let _ = self.inner.turn.set(Arc::downgrade(turn));
    }

    pub fn visitor_tokens(&self) -> &VisitorTokens {
        &self.inner.visitor_tokens
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        Inner::lock(&self.inner)
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
}

impl Inner {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock is a bug; the state it guards is
        // still consistent enough to keep serving other sessions.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
