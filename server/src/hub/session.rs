//! A session's life: a visitor's `help.request` opens it and puts it in the
//! queue, an agent's `queue.accept` takes it, `session.end` (or
//! `help.cancel` while it waits) closes it. Also the visitor's `page.view`,
//! which feeds the customer panel.

use protocol::{ErrorCode, EventBody, Millis, PageInfo, Role, SessionState};

use super::error::{HubError, HubResult};
use super::principal::{Principal, visitor_of};
use super::state::{Hub, LiveSession};
use crate::clock::now_ms;
use crate::ids::new_id;
use crate::routing::ClaimError;
use crate::store::batch;
use crate::store::{Agent, SessionRecord};

/// The fields of a `help.request` frame.
pub(super) struct HelpRequest {
    pub topic: Option<String>,
    pub message: String,
    pub client_id: Option<String>,
    pub page: Option<PageInfo>,
}

/// A new request, waiting, as stored before anything happens to it.
pub(super) fn waiting_record(
    id: String,
    site: &str,
    visitor: &str,
    first_message: String,
    requested_at: Millis,
) -> SessionRecord {
    SessionRecord {
        id,
        site: site.to_string(),
        visitor_id: visitor.to_string(),
        visitor_name: None,
        state: SessionState::Queued,
        topic: None,
        first_message,
        page: None,
        agent: None,
        requested_at,
        accepted_at: None,
        ended_at: None,
        ended_by: None,
        last_seq: 0,
        receipts: Default::default(),
        callback: None,
        wrapup: None,
    }
}

fn session_open() -> HubError {
    HubError::new(
        ErrorCode::SessionOpen,
        "you already have an open conversation",
    )
}

impl Hub {
    /// Visitor: opens a session and puts it in the queue (or outside a full
    /// line), with the request and the first message as its first events.
    pub(super) async fn request_help(
        &self,
        who: &Principal,
        request: HelpRequest,
    ) -> HubResult<()> {
        let (visitor, site) = visitor_of(who)?;
        let HelpRequest {
            topic,
            message,
            client_id,
            page,
        } = request;
        // A page that is not a web page is dropped, the request kept.
        let page = page.filter(PageInfo::is_web);
        if message.trim().is_empty() {
            return Err(HubError::new(
                ErrorCode::InvalidFrame,
                "tell us what you need help with",
            ));
        }
        // Answered without spending an admission token or touching the store.
        {
            let st = self.state();
            if st.visitor_open.contains_key(visitor) {
                return Err(session_open());
            }
            st.check_room(site)?;
        }
        if let Principal::Visitor { ip, .. } = who {
            self.admit(crate::admission::Kind::HelpRequest, *ip, site)?;
        }
        // Read before the request is queued (what its visitor is told depends
        // on it), and before anything is stored.
        self.refresh_site(site).await?;
        let identity = self
            .inner
            .store
            .touch_visitor(visitor, site, now_ms())
            .await?
            .identity;
        // The agent who served this customer last is preferred by the
        // distributor: on any of their devices, once the site verified them.
        let last_agent = self
            .inner
            .store
            .customer_sessions(visitor, 20)
            .await?
            .into_iter()
            .find_map(|s| s.agent.map(|a| a.id));
        let record = SessionRecord {
            visitor_name: identity.name.clone(),
            topic: topic.filter(|t| !t.trim().is_empty()),
            page,
            ..waiting_record(new_id("s_"), site, visitor, message.clone(), now_ms())
        };
        {
            // Claim the visitor's one open slot before any await, so two tabs
            // requesting at once cannot both open a session.
            let mut st = self.state();
            if st.visitor_open.contains_key(visitor) {
                return Err(session_open());
            }
            st.visitor_open
                .insert(visitor.to_string(), record.id.clone());
        }
        if let Err(e) = self.inner.store.create_session(&record).await {
            self.state().visitor_open.remove(visitor);
            return Err(e.into());
        }
        let id = record.id.clone();
        let screen_identity = identity.clone();
        let name = identity.name;
        let (requested, first) = (
            self.inner.events.slot().await?,
            self.inner.events.slot().await?,
        );
        let (then_requested, requested_stored) = batch::waiter();
        let (then_first, first_stored) = batch::waiter();
        {
            // One step under the lock: the request is in the distributor
            // before anyone hears of it (an agent may accept the moment the
            // visitor's `session` frame is seen), the visitor learns of the
            // session before its first events, and those events are numbered
            // before anything an agent does to it.
            let st = &mut *self.state();
            let now = now_ms();
            let mut live = LiveSession::new(record.clone());
            // They are asking from the page, so they are on it.
            live.visitor_seen = Some(protocol::VisitorSeen {
                presence: protocol::VisitorPresence::Here,
                since: now,
            });
            live.screen_pop = st
                .sites
                .get(site)
                .and_then(|p| p.screen_pop(&screen_identity, visitor, &id));
            st.sessions.insert(id.clone(), live);
            Self::announce(st, &record);
            st.enqueue(&id, last_agent, now);
            let live = st.sessions.get_mut(&id).expect("inserted above");
            let body = EventBody::Requested {
                topic: record.topic.clone(),
            };
            self.post(
                live,
                requested,
                Role::Visitor,
                name.clone(),
                body,
                then_requested,
            );
            let body = EventBody::Message {
                text: message,
                client_id,
            };
            self.post(live, first, Role::Visitor, name, body, then_first);
            st.queue_changed(now);
            self.inner.counters.requested();
        }
        requested_stored.await?;
        first_stored.await?;
        Ok(())
    }

    /// Gives requests restored without any event (the session row was
    /// committed, the process stopped before its first events were) the
    /// events they were made with: the request and its first message, from
    /// the row. The visitor had been told of the session; without this its
    /// log would start with whatever came next and the first message would
    /// be lost. The message's `client_id` was not stored: it comes back
    /// without one.
    pub(super) async fn complete_requests(&self, sessions: Vec<String>) {
        for id in sessions {
            let (topic, text) = {
                let st = self.state();
                let Some(live) = st.sessions.get(&id) else {
                    continue;
                };
                (live.record.topic.clone(), live.record.first_message.clone())
            };
            tracing::info!(
                session = id.as_str(),
                "restoring the first events of a request"
            );
            let message = EventBody::Message {
                text,
                client_id: None,
            };
            for body in [EventBody::Requested { topic }, message] {
                if let Err(e) = self.append(&id, Role::Visitor, None, body).await {
                    tracing::error!(
                        session = id.as_str(),
                        error = e.message.as_str(),
                        "could not restore a request's first events"
                    );
                    break;
                }
            }
        }
    }

    /// Visitor: withdraws a request still waiting.
    pub(super) async fn help_cancel(&self, who: &Principal, session: &str) -> HubResult<()> {
        visitor_of(who)?;
        let record = self.access(who, session).await?;
        if record.state != SessionState::Queued {
            return Err(HubError::new(
                ErrorCode::InvalidFrame,
                "only a waiting request can be cancelled",
            ));
        }
        self.end(who, session).await
    }

    /// Either side closes the session.
    pub(super) async fn session_end(&self, who: &Principal, session: &str) -> HubResult<()> {
        self.access(who, session).await?;
        self.end(who, session).await
    }

    /// Agent: takes a waiting request; the session becomes theirs.
    pub(super) async fn accept(&self, agent: &Agent, session: &str) -> HubResult<()> {
        let record = {
            let st = &mut *self.state();
            let load = st
                .agents
                .get(&agent.id)
                .map(|a| a.sessions.len())
                .unwrap_or(0);
            if !st.sessions.contains_key(session) {
                return Err(HubError::unknown_session());
            }
            // The claim happens here, under the lock: a second accept finds
            // the request gone from the distributor.
            let now = now_ms();
            let actions = st.acd.claim(session, &agent.id, now).map_err(|e| match e {
                ClaimError::NotWaiting => HubError::new(
                    ErrorCode::AlreadyTaken,
                    "another agent already took this request",
                ),
                ClaimError::AtCapacity | ClaimError::Unavailable => HubError::new(
                    ErrorCode::AtCapacity,
                    format!(
                        "you already have {load} open sessions (your capacity is {})",
                        agent.capacity
                    ),
                ),
            })?;
            st.carry_out(actions, now);
            let live = st.sessions.get_mut(session).expect("checked above");
            live.record.state = SessionState::Active;
            live.record.agent = Some(agent.info());
            live.record.accepted_at = Some(now);
            if live.first_answer.is_none() {
                live.first_answer = Some(now);
                let waited = now - live.record.requested_at;
                self.inner.counters.answered(waited);
            }
            let record = live.record.clone();
            st.agents
                .entry(agent.id.clone())
                .or_default()
                .sessions
                .insert(session.to_string());
            record
        };
        self.inner.store.update_session(&record).await?;
        {
            let st = &mut *self.state();
            Self::announce(st, &record);
            st.queue_changed(now_ms());
        }
        let body = EventBody::AgentJoined {
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
        };
        self.append(session, Role::System, None, body).await?;
        Ok(())
    }

    /// Closes the session: ends its call, stores and announces the end,
    /// forgets it, and frees the agent's slot (after their wrap-up) or its
    /// place in the queue.
    async fn end(&self, who: &Principal, session: &str) -> HubResult<()> {
        let record = {
            let st = &mut *self.state();
            let live = st
                .sessions
                .get_mut(session)
                .filter(|l| l.record.state != SessionState::Ended)
                .ok_or_else(|| {
                    HubError::new(
                        ErrorCode::SessionEnded,
                        "this conversation has already ended",
                    )
                })?;
            let now = now_ms();
            live.record.state = SessionState::Ended;
            live.record.ended_at = Some(now);
            live.record.ended_by = Some(who.role());
            let (answered_for, waited) = (
                live.first_answer.map(|at| now - at),
                now - live.record.requested_at,
            );
            self.inner.counters.ended(who.role(), answered_for, waited);
            live.record.clone()
        };
        // The call's end comes first in the transcript, then the session's.
        self.end_call_with_session(session).await;
        self.inner.store.update_session(&record).await?;
        self.append(
            session,
            Role::System,
            None,
            EventBody::Ended { by: who.role() },
        )
        .await?;
        let st = &mut *self.state();
        Self::announce(st, &record);
        st.sessions.remove(session);
        st.visitor_open.remove(&record.visitor_id);
        let now = now_ms();
        let actions = match &record.agent {
            Some(agent) => {
                if let Some(live) = st.agents.get_mut(&agent.id) {
                    live.sessions.remove(session);
                }
                let handled = record.accepted_at.map(|at| now - at);
                // The agent wraps the session up before taking its slot's next visitor.
                st.acd.after_call(&agent.id, session, now);
                st.acd.closed(&agent.id, handled, now)
            }
            None => {
                st.overflow.remove(session);
                st.acd.cancel(session, now)
            }
        };
        st.carry_out(actions, now);
        st.queue_changed(now);
        Ok(())
    }

    /// Visitor: their page went to the background or came back to the front.
    pub(super) fn page_visibility(&self, who: &Principal, visible: bool) -> HubResult<()> {
        let (visitor, _) = visitor_of(who)?;
        let presence = if visible {
            protocol::VisitorPresence::Here
        } else {
            protocol::VisitorPresence::Background
        };
        Self::visitor_seen(&mut self.state(), visitor, presence, now_ms());
        Ok(())
    }

    /// Visitor: moved to another page (kept for the customer panel and page pushes).
    pub(super) async fn page_view(&self, who: &Principal, page: &PageInfo) -> HubResult<()> {
        let (visitor, _) = visitor_of(who)?;
        self.inner
            .store
            .add_page_view(visitor, page, now_ms())
            .await?;
        Ok(())
    }
}
