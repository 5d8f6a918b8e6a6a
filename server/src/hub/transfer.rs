//! Handing a session on: private notes for colleagues, transfer to a named
//! agent, and escalation back to the queue of another skill.
//!
//! What the visitor agreed to, they agreed to with one agent: a change of
//! agent ends screen sharing (and forgets the shared page, so nobody is
//! replayed it), any call, and any push waiting for an answer. The
//! transcript says so, and the next agent asks again.

use protocol::cobrowse::ShareState;
use protocol::{
    CallEndReason, CallInfo, ErrorCode, EventBody, Role, ServerEnvelope, ServerFrame, SessionState,
    ShareAction,
};

use super::error::{HubError, HubResult};
use super::outbound::Wire;
use super::principal::{Principal, agent_of};
use super::queue::skill_for;
use super::state::{Hub, State, require_active};
use crate::clock::now_ms;
use crate::routing::ClaimError;
use crate::store::{Agent, SessionRecord};

/// What a change of agent ended, for the transcript.
#[must_use = "write it in the transcript with `record_handover`"]
pub(super) struct Handover {
    /// Screen sharing was asked for or active.
    share: bool,
    call: Option<CallInfo>,
}

/// Where a transferred session goes.
pub(super) enum TransferTarget {
    /// An agent, by id: they get the session at once.
    Agent(String),
    /// The queue of a skill: the distributor offers it like a new request.
    Skill(String),
}

impl TransferTarget {
    /// The target a `session.transfer` frame names: exactly one of `agent`
    /// and `skill` (the decoder's `validate` already refuses anything else).
    pub(super) fn of(agent: Option<String>, skill: Option<String>) -> HubResult<TransferTarget> {
        match (agent, skill) {
            (Some(agent), None) => Ok(TransferTarget::Agent(agent)),
            (None, Some(skill)) => Ok(TransferTarget::Skill(skill)),
            _ => Err(HubError::new(
                ErrorCode::InvalidFrame,
                "name either an agent or a skill to transfer to",
            )),
        }
    }
}

/// Why a session that has no agent in it cannot be transferred.
const NOT_IN_PROGRESS: &str = "only a conversation in progress can be transferred";

impl Hub {
    /// A private note: stored in the session's log, shown to agents only.
    pub(super) async fn add_note(
        &self,
        who: &Principal,
        session: &str,
        text: String,
    ) -> HubResult<()> {
        let agent = agent_of(who)?;
        let record = self.access(who, session).await?;
        if record.state == SessionState::Ended {
            return Err(HubError::session_ended());
        }
        let body = EventBody::Note { text };
        self.append(session, Role::Agent, Some(agent.name.clone()), body)
            .await?;
        Ok(())
    }

    pub(super) async fn transfer(
        &self,
        who: &Principal,
        session: &str,
        target: TransferTarget,
        note: Option<String>,
    ) -> HubResult<()> {
        let from = agent_of(who)?;
        let record = self.access(who, session).await?;
        require_active(record.state, NOT_IN_PROGRESS)?;
        // Checked before anything is written, so a refused transfer leaves no trace.
        let to = match &target {
            TransferTarget::Agent(id) if *id == from.id => {
                return Err(HubError::new(
                    ErrorCode::InvalidFrame,
                    "this conversation is already yours",
                ));
            }
            TransferTarget::Agent(id) => {
                Some(self.inner.store.agent(id).await?.ok_or_else(|| {
                    HubError::new(ErrorCode::AgentUnavailable, "there is no such agent")
                })?)
            }
            TransferTarget::Skill(_) => None,
        };
        let skill = match &target {
            TransferTarget::Skill(s) => skill_for(Some(s)),
            TransferTarget::Agent(_) => None,
        };
        let (moved, ended) = match &to {
            Some(to) => self.hand_to_agent(from, to, session)?,
            None => self.hand_to_queue(from, session, skill.clone())?,
        };
        // The note goes first so whoever takes the session reads it with the history.
        if let Some(text) = note.filter(|t| !t.trim().is_empty()) {
            self.append(
                session,
                Role::Agent,
                Some(from.name.clone()),
                EventBody::Note { text },
            )
            .await?;
        }
        self.inner.store.update_session(&moved).await?;
        {
            let st = self.state();
            Self::announce(&st, &moved);
            // The agent who handed it on learns it is no longer theirs.
            if let Some(live) = st.sessions.get(session) {
                let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Session {
                    session: Self::summary(live),
                }));
                for c in st
                    .agents
                    .get(&from.id)
                    .into_iter()
                    .flat_map(|a| a.conns.iter())
                {
                    c.send(&frame);
                }
            }
        }
        self.record_handover(session, ended).await?;
        let body = EventBody::Transferred {
            from: from.info(),
            to: to.map(|a| a.info()),
            skill,
        };
        self.append(session, Role::System, None, body).await?;
        self.inner.counters.transferred();
        Ok(())
    }

    /// The session is about to change agent: ends sharing (forgetting the
    /// page), the call and waiting pushes, and tells the visitor and the
    /// agent handing it on. Called under the state lock, once the change is
    /// sure to happen and before the session's agent changes.
    pub(super) fn end_consents(st: &mut State, session: &str) -> Handover {
        let call = Self::take_call(st, session, CallEndReason::Transferred);
        let Some(live) = st.sessions.get_mut(session) else {
            return Handover { share: false, call };
        };
        let share = std::mem::take(&mut live.share) != ShareState::Off;
        live.log.clear();
        live.pushes.clear();
        if share {
            Self::announce_share(st, session);
        }
        Handover { share, call }
    }

    /// Writes what a change of agent ended in the transcript, where the
    /// visitor and both agents read it.
    pub(super) async fn record_handover(&self, session: &str, ended: Handover) -> HubResult<()> {
        if ended.share {
            let body = EventBody::Share {
                action: ShareAction::Stopped,
                by: Role::System,
            };
            self.append(session, Role::System, None, body).await?;
        }
        if let Some(call) = ended.call {
            self.record_call_end(session, Role::System, call).await?;
        }
        Ok(())
    }

    /// Moves the session to `to` at once, under the lock, so capacity holds.
    fn hand_to_agent(
        &self,
        from: &Agent,
        to: &Agent,
        session: &str,
    ) -> HubResult<(SessionRecord, Handover)> {
        let st = &mut *self.state();
        st.active_session(session, NOT_IN_PROGRESS)?;
        st.acd.assign(&to.id).map_err(|e| match e {
            ClaimError::AtCapacity => HubError::new(
                ErrorCode::AtCapacity,
                format!("{} has no free slot right now", to.name),
            ),
            ClaimError::Unavailable | ClaimError::NotWaiting => HubError::new(
                ErrorCode::AgentUnavailable,
                format!("{} is not online", to.name),
            ),
        })?;
        let ended = Self::end_consents(st, session);
        let live = st.sessions.get_mut(session).expect("checked above");
        live.record.agent = Some(to.info());
        let record = live.record.clone();
        st.agents
            .entry(to.id.clone())
            .or_default()
            .sessions
            .insert(session.to_string());
        if let Some(live) = st.agents.get_mut(&from.id) {
            live.sessions.remove(session);
        }
        let now = now_ms();
        let actions = st.acd.closed(&from.id, None, now);
        st.carry_out(actions, now);
        st.queue_changed(now);
        Ok((record, ended))
    }

    /// Puts the session back in the queue for `skill`, keeping its original
    /// request time so it is not sent to the back of the line.
    fn hand_to_queue(
        &self,
        from: &Agent,
        session: &str,
        skill: Option<String>,
    ) -> HubResult<(SessionRecord, Handover)> {
        let st = &mut *self.state();
        let now = now_ms();
        st.active_session(session, NOT_IN_PROGRESS)?;
        let ended = Self::end_consents(st, session);
        let live = st.sessions.get_mut(session).expect("checked above");
        live.record.state = SessionState::Queued;
        live.record.agent = None;
        live.record.accepted_at = None;
        if skill.is_some() {
            live.record.topic.clone_from(&skill);
        }
        let record = live.record.clone();
        if let Some(live) = st.agents.get_mut(&from.id) {
            live.sessions.remove(session);
        }
        let mut actions = st.acd.closed(&from.id, None, now);
        actions.extend(
            st.acd
                .requeue(session, skill, &from.id, record.requested_at, now),
        );
        st.carry_out(actions, now);
        // The place sent during its first wait (kept until a round saw it
        // leave the line) must not pass for the one the visitor has now.
        st.sent_positions.remove(session);
        st.queue_changed(now);
        st.positions_changed(now);
        Ok((record, ended))
    }
}
