//! Sending to a session's participants: numbering, storing and delivering
//! its events (each side seeing what it may), announcing its summary, and
//! finding the connections of its visitor and of its assigned agent. The
//! connection side of sending (queues, lagging clients) is outbound.rs.
//!
//! Session events are numbered and queued for the store under the state
//! lock, and the store's writer delivers them once committed, so they are
//! stored and delivered in `seq` order without anyone waiting on a
//! per-session lock.

use protocol::{Event, EventBody, Role, ServerEnvelope, ServerFrame, SessionSummary};

use super::error::{HubError, HubResult};
use super::outbound::{ConnHandle, Wire};
use super::state::{Hub, LiveSession, State};
use crate::clock::now_ms;
use crate::store::SessionRecord;
use crate::store::batch::{self, Slot, Then};

impl Hub {
    /// Numbers, stores and delivers one event; returns once it is delivered.
    pub(super) async fn append(
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
    pub(super) fn post(
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
    pub(super) fn send_event(st: &State, record: &SessionRecord, event: &Event) {
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

    /// What clients see of a live session.
    pub(super) fn summary(live: &LiveSession) -> SessionSummary {
        SessionSummary {
            share: live.share,
            call: live.call.clone(),
            visitor_presence: live.visitor_seen,
            ..live.record.summary()
        }
    }

    /// Sends the session's current summary to its participants.
    pub(super) fn announce(st: &State, record: &SessionRecord) {
        let live = st.sessions.get(&record.id);
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Session {
            session: SessionSummary {
                share: live.map(|l| l.share).unwrap_or_default(),
                call: live.and_then(|l| l.call.clone()),
                visitor_presence: live.and_then(|l| l.visitor_seen),
                ..record.summary()
            },
        }));
        Self::send_to_session(st, record, &frame);
    }

    /// Sends a frame to every connection that takes part in a session: the
    /// visitor's tabs and the assigned agent's tabs.
    pub(super) fn send_to_session(st: &State, record: &SessionRecord, frame: &Wire) {
        let visitor = st.visitors.get(&record.visitor_id).into_iter().flatten();
        for c in visitor.chain(Self::assigned_agent_conns(st, record)) {
            c.send(frame);
        }
    }

    /// Sends a frame to the tabs of a live session's visitor.
    pub(super) fn to_visitor(&self, session: &str, frame: ServerFrame) {
        let st = self.state();
        let wire = Wire::new(&ServerEnvelope::new(frame));
        for c in Self::visitor_conns(&st, session) {
            c.send(&wire);
        }
    }

    /// The connections of the session's assigned agent.
    /// The visitor of `visitor`'s open session is now `presence`: the
    /// session's agent sees it (nothing is sent when it did not change).
    pub(super) fn visitor_seen(
        st: &mut State,
        visitor: &str,
        presence: protocol::VisitorPresence,
        now: protocol::Millis,
    ) {
        let Some(live) = st
            .visitor_open
            .get(visitor)
            .and_then(|id| st.sessions.get_mut(id))
        else {
            return;
        };
        if live.visitor_seen.map(|s| s.presence) == Some(presence) {
            return;
        }
        live.visitor_seen = Some(protocol::VisitorSeen {
            presence,
            since: now,
        });
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Session {
            session: Self::summary(live),
        }));
        let record = live.record.clone();
        for c in Self::assigned_agent_conns(st, &record) {
            c.send(&frame);
        }
    }

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

    /// The connections of a live session's visitor.
    pub(super) fn visitor_conns<'a>(
        st: &'a State,
        session: &str,
    ) -> impl Iterator<Item = &'a ConnHandle> {
        st.sessions
            .get(session)
            .and_then(|l| st.visitors.get(&l.record.visitor_id))
            .into_iter()
            .flatten()
    }

    /// The connections of a live session's assigned agent.
    pub(super) fn agent_conns<'a>(
        st: &'a State,
        session: &str,
    ) -> impl Iterator<Item = &'a ConnHandle> {
        st.sessions
            .get(session)
            .into_iter()
            .flat_map(|l| Self::assigned_agent_conns(st, &l.record))
    }

    /// The connections of one side (visitor or agent) of a live session.
    pub(super) fn side_conns<'a>(
        st: &'a State,
        session: &'a str,
        role: Role,
    ) -> Box<dyn Iterator<Item = &'a ConnHandle> + 'a> {
        match role {
            Role::Visitor => Box::new(Self::visitor_conns(st, session)),
            _ => Box::new(Self::agent_conns(st, session)),
        }
    }
}
