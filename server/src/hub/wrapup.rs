//! Wrap-ups: once a session has ended, its (last) agent tags it with a
//! disposition and an optional note. The tag is stored on the session row
//! (for the supervisor's figures and the customer panel) and the wrap-up is
//! appended to the transcript as an agents-only event. A later wrap-up
//! replaces the row's tag and adds another event, so the log keeps the history.
//!
//! The hub forgets a session when it ends, together with its numbering, so a
//! wrap-up usually numbers its event from the stored `last_seq`. All
//! wrap-ups go through one hub-wide lock: they are rare, and the lock means
//! two of them can never take the same seq (the second would fail).

use protocol::{ErrorCode, Event, EventBody, Role, SessionState};

use super::error::{HubError, HubResult};
use super::principal::{Principal, agent_of};
use super::state::Hub;
use crate::clock::now_ms;
use crate::store::{SessionRecord, Wrapup};

impl Hub {
    pub(super) async fn wrapup(
        &self,
        who: &Principal,
        session: &str,
        disposition: String,
        note: Option<String>,
    ) -> HubResult<()> {
        // (The disposition and the note's length were checked by the decoder.)
        let agent = agent_of(who)?;
        let _serial = self.inner.wrapups.lock().await;
        // Only the session's last assigned agent passes: a transfer hands the
        // wrap-up to whoever served the visitor last.
        let record = self.access(who, session).await?;
        if record.state != SessionState::Ended {
            return Err(HubError::new(
                ErrorCode::SessionNotEnded,
                "wrap the conversation up once it has ended",
            ));
        }
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        // The row first: once the agent sees the event, the tag is stored
        // (figures, panel). Should the event then fail, the agent's retry
        // writes the same row again.
        let wrapup = Wrapup {
            disposition: disposition.clone(),
            note: note.clone(),
            at: now_ms(),
        };
        if !self.inner.store.set_wrapup(session, &wrapup).await? {
            // Erased for privacy meanwhile: a note now would outlive the
            // erasure. The agent's after-call slot is free all the same.
            self.after_call_done(&agent.id, session);
            return Err(HubError::forbidden(
                "this conversation was erased for privacy; it can no longer be wrapped up",
            ));
        }
        self.inner.counters.wrapped_up(&disposition);
        let body = EventBody::Wrapup { disposition, note };
        self.append_wrapup(&record, Some(agent.name.clone()), body)
            .await?;
        self.after_call_done(&agent.id, session);
        Ok(())
    }

    /// The wrap-up is over: the agent's slot held for after-call work is free.
    fn after_call_done(&self, agent: &str, session: &str) {
        let st = &mut *self.state();
        let now = now_ms();
        let actions = st.acd.wrapped(agent, session, now);
        st.carry_out(actions, now);
        st.queue_changed(now);
    }

    /// Appends a wrap-up event: through the live session while the hub still
    /// holds it (the moment between "ended" and "forgotten"), else straight
    /// to the store after the stored last event, then delivers it.
    async fn append_wrapup(
        &self,
        record: &SessionRecord,
        author_name: Option<String>,
        body: EventBody,
    ) -> HubResult<Event> {
        let live = self.state().sessions.contains_key(&record.id);
        if live {
            match self
                .append(&record.id, Role::Agent, author_name.clone(), body.clone())
                .await
            {
                // Forgotten meanwhile: the store path below.
                Err(e) if e.code == ErrorCode::UnknownSession => {}
                done => return done,
            }
        }
        let stored = self
            .inner
            .store
            .session(&record.id)
            .await?
            .ok_or_else(HubError::unknown_session)?;
        let event = Event {
            seq: stored.last_seq + 1,
            at: now_ms(),
            author: Role::Agent,
            author_name,
            body,
        };
        self.inner.events.append(&record.id, event.clone()).await?;
        let st = self.state();
        // The visitor, if still connected, gets it redacted: their numbering stays whole.
        Self::send_event(&st, &stored, &event);
        Ok(event)
    }
}
