//! What the hub does with each client frame once the sender is authenticated.

use protocol::limits::HISTORY_PAGE;
use protocol::{
    AgentPresence, ClientFrame, ErrorCode, EventBody, PageInfo, ReceiptKind, Role, ServerEnvelope,
    ServerFrame, SessionState,
};

use super::{ConnHandle, Hub, HubError, HubResult, LiveSession, Principal, Wire, batch};
use crate::auth::identity;
use crate::routing::ClaimError;
use crate::store::Agent;

/// The fields of a `help.request` frame.
struct HelpRequest {
    topic: Option<String>,
    message: String,
    client_id: Option<String>,
    page: Option<PageInfo>,
}
use crate::clock::now_ms;
use crate::ids::new_id;
use crate::store::SessionRecord;

impl Hub {
    /// Applies one frame. Returns the direct reply to the sender, if the frame has one;
    /// everything else reaches clients through the session's participants.
    /// `rid` is the request's id, for answers that come after this returns.
    pub async fn handle(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        rid: Option<u64>,
        frame: ClientFrame,
    ) -> HubResult<Option<ServerFrame>> {
        match frame {
            ClientFrame::Hello { .. } => Err(HubError::new(
                ErrorCode::InvalidFrame,
                "hello was already received",
            )),
            ClientFrame::HelpRequest {
                topic,
                message,
                client_id,
                page,
            } => {
                let (visitor, site) = visitor_of(who)?;
                let request = HelpRequest {
                    topic,
                    message,
                    client_id,
                    // A page that is not a web page is dropped, the request kept.
                    page: page.filter(PageInfo::is_web),
                };
                self.request_help(who, visitor, site, request)
                    .await
                    .map(|_| None)
            }
            ClientFrame::CobrowseRequest { session } => {
                self.cobrowse_request(who, &session).await.map(|_| None)
            }
            ClientFrame::CobrowseStart { session } => {
                self.cobrowse_start(who, &session).await.map(|_| None)
            }
            ClientFrame::CobrowseDeny { session } => {
                self.cobrowse_deny(who, &session).await.map(|_| None)
            }
            ClientFrame::CobrowseStop { session } => self.cobrowse_stop(who, &session).await,
            ClientFrame::CobrowseSubscribe { session, fresh } => self
                .cobrowse_subscribe(who, conn, &session, fresh)
                .await
                .map(|_| None),
            ClientFrame::Pointer {
                session,
                node,
                x,
                y,
            } => {
                let frame = ServerFrame::Pointer {
                    session: session.clone(),
                    node,
                    x,
                    y,
                };
                self.pointer(who, frame, &session).await.map(|_| None)
            }
            ClientFrame::Highlight {
                session,
                node,
                label,
            } => self
                .highlight(who, &session, node, label)
                .await
                .map(|_| None),
            ClientFrame::HighlightClear { session } => {
                self.highlight_clear(who, &session).await.map(|_| None)
            }
            ClientFrame::FormFieldsRequest { session } => {
                self.form_fields_request(who, &session).await.map(|_| None)
            }
            ClientFrame::FormFields {
                session,
                url,
                fields,
            } => self
                .form_fields(who, &session, url, fields)
                .await
                .map(|_| None),
            ClientFrame::FormPush {
                session,
                url,
                fields,
            } => self
                .form_push(who, &session, url, fields)
                .await
                .map(|_| None),
            ClientFrame::FormAnswer {
                session,
                push,
                outcome,
                applied,
                rejected,
                errors,
            } => {
                let answer = super::form::FormAnswer {
                    push,
                    outcome,
                    applied,
                    rejected,
                    errors,
                };
                self.form_answer(who, &session, answer).await.map(|_| None)
            }
            ClientFrame::PagePush {
                session,
                url,
                label,
            } => self
                .page_push(who, &session, url, label)
                .await
                .map(|_| None),
            ClientFrame::PageAnswer {
                session,
                push,
                accepted,
            } => self
                .page_answer(who, &session, push, accepted)
                .await
                .map(|_| None),
            ClientFrame::HelpCancel { session } => {
                visitor_of(who)?;
                let record = self.access(who, &session).await?;
                if record.state != SessionState::Queued {
                    return Err(HubError::new(
                        ErrorCode::InvalidFrame,
                        "only a waiting request can be cancelled",
                    ));
                }
                self.end(who, &session).await.map(|_| None)
            }
            ClientFrame::ChatSend {
                session,
                client_id,
                text,
            } => self
                .chat_send(
                    who,
                    conn,
                    rid,
                    session,
                    EventBody::Message { text, client_id },
                )
                .await
                .map(|_| None),
            ClientFrame::Typing { session, active } => {
                let record = self.access(who, &session).await?;
                let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Typing {
                    session: session.clone(),
                    author: who.role(),
                    active,
                }));
                let st = self.state();
                // Only the other side needs to know; the sender's own tabs do not.
                let others: Vec<_> = match who {
                    Principal::Visitor { .. } => record
                        .agent
                        .as_ref()
                        .and_then(|a| st.agents.get(&a.id))
                        .map(|a| a.conns.clone())
                        .unwrap_or_default(),
                    Principal::Agent(_) => st
                        .visitors
                        .get(&record.visitor_id)
                        .cloned()
                        .unwrap_or_default(),
                };
                for c in others {
                    c.send_ephemeral(&frame);
                }
                Ok(None)
            }
            ClientFrame::Receipt { session, kind, seq } => {
                self.receipt(who, &session, kind, seq).await.map(|_| None)
            }
            ClientFrame::SessionSync { session, after_seq } => {
                let record = self.access(who, &session).await?;
                let events = self
                    .inner
                    .store
                    .events_after(&session, after_seq, HISTORY_PAGE as u32)
                    .await?;
                let more = events.len() == HISTORY_PAGE;
                let events = events
                    .iter()
                    .map(|e| e.for_reader(who.role()).into_owned())
                    .collect();
                Ok(Some(ServerFrame::History {
                    session,
                    events,
                    receipts: record.receipts,
                    more,
                }))
            }
            ClientFrame::SessionEnd { session } => {
                self.access(who, &session).await?;
                self.end(who, &session).await.map(|_| None)
            }
            ClientFrame::PageView { page } => {
                let (visitor, _) = visitor_of(who)?;
                self.inner
                    .store
                    .add_page_view(visitor, &page, now_ms())
                    .await?;
                Ok(None)
            }
            ClientFrame::Identify {
                identity,
                token,
                hash,
            } => {
                let (visitor, site) = visitor_of(who)?;
                let proof = identity::Proof {
                    token: token.as_deref(),
                    hash: hash.as_deref(),
                };
                self.identify(visitor, site, identity, proof)
                    .await
                    .map(|_| None)
            }
            ClientFrame::PresenceSet { presence } => {
                let agent = agent_of(who)?;
                self.set_presence(agent, presence);
                Ok(None)
            }
            ClientFrame::QueueAccept { session } => {
                agent_of(who)?;
                self.accept(who, &session).await.map(|_| None)
            }
            ClientFrame::OfferDecline { session } => {
                self.decline(agent_of(who)?, &session);
                Ok(None)
            }
            ClientFrame::NoteAdd { session, text } => {
                self.add_note(who, &session, text).await.map(|_| None)
            }
            ClientFrame::SessionTransfer {
                session,
                agent,
                skill,
                note,
            } => {
                let target = match (agent, skill) {
                    (Some(agent), _) => super::transfer::Target::Agent(agent),
                    (None, Some(skill)) => super::transfer::Target::Skill(skill),
                    (None, None) => unreachable!("checked by validate()"),
                };
                self.transfer(who, &session, target, note)
                    .await
                    .map(|_| None)
            }
            ClientFrame::CallStart { session } => {
                self.call_start(who, &session).await.map(|_| None)
            }
            ClientFrame::CallAccept { session, call } => {
                self.call_accept(who, &session, &call).await.map(|_| None)
            }
            ClientFrame::CallDecline { session, call } => {
                self.call_decline(who, &session, &call).await.map(|_| None)
            }
            ClientFrame::CallEnd {
                session,
                call,
                reason,
            } => self
                .call_end(who, &session, &call, reason)
                .await
                .map(|_| None),
            ClientFrame::CallSignal {
                session,
                call,
                signal,
            } => self
                .call_signal(who, &session, &call, signal)
                .await
                .map(|_| None),
            ClientFrame::CallMute {
                session,
                call,
                muted,
            } => self
                .call_mute(who, &session, &call, muted)
                .await
                .map(|_| None),
            ClientFrame::CallCredentials { session, call } => {
                self.call_credentials(who, &session, &call).await.map(Some)
            }
            ClientFrame::CallbackRequest { session, callback } => self
                .callback_request(who, &session, callback)
                .await
                .map(|_| None),
            ClientFrame::SessionWrapup {
                session,
                disposition,
                note,
            } => self
                .wrapup(who, &session, disposition, note)
                .await
                .map(|_| None),
        }
    }

    /// The session if `who` may act on it: its visitor, or its assigned agent.
    pub(super) async fn access(&self, who: &Principal, session: &str) -> HubResult<SessionRecord> {
        let live = self.state().sessions.get(session).map(|s| s.record.clone());
        let record = match live {
            Some(r) => r,
            None => self
                .inner
                .store
                .session(session)
                .await?
                .ok_or_else(HubError::unknown_session)?,
        };
        if takes_part(who, &record) {
            Ok(record)
        } else {
            Err(HubError::forbidden("this session is not yours"))
        }
    }

    /// A chat message, numbered and queued for the store at once: the sender
    /// may send its next frame while this one is written. Everyone, sender
    /// included, gets the event once it is stored (the sender's copy is its
    /// acknowledgement); if storing fails, the sender gets an error naming
    /// the request instead.
    async fn chat_send(
        &self,
        who: &Principal,
        conn: &ConnHandle,
        rid: Option<u64>,
        session: String,
        body: EventBody,
    ) -> HubResult<()> {
        let unstored = conn.unstored_permit().await;
        let slot = self.inner.events.slot().await?;
        {
            let st = &mut *self.state();
            if let Some(live) = st.sessions.get_mut(&session) {
                if !takes_part(who, &live.record) {
                    return Err(HubError::forbidden("this session is not yours"));
                }
                if live.record.state == SessionState::Ended {
                    return Err(HubError::session_ended());
                }
                let name = author_name(who, &live.record);
                let (conn, id) = (conn.clone(), session.clone());
                let then: super::Then = Box::new(move |result| {
                    drop(unstored);
                    if let Err(e) = result {
                        conn.send(&HubError::from(e).frame(rid, Some(id)));
                    }
                });
                self.post(live, slot, who.role(), name, body, then);
                return Ok(());
            }
        }
        // Not live: the stored session says whether it is unknown, not
        // this sender's, or over.
        self.access(who, &session).await?;
        Err(HubError::session_ended())
    }

    async fn request_help(
        &self,
        who: &Principal,
        visitor: &str,
        site: &str,
        request: HelpRequest,
    ) -> HubResult<()> {
        let HelpRequest {
            topic,
            message,
            client_id,
            page,
        } = request;
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
            id: new_id("s_"),
            site: site.to_string(),
            visitor_id: visitor.to_string(),
            visitor_name: identity.name.clone(),
            state: SessionState::Queued,
            topic: topic.filter(|t| !t.trim().is_empty()),
            first_message: message.clone(),
            page,
            agent: None,
            requested_at: now_ms(),
            accepted_at: None,
            ended_at: None,
            ended_by: None,
            last_seq: 0,
            receipts: Default::default(),
            callback: None,
            wrapup: None,
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
            st.sessions
                .insert(id.clone(), LiveSession::new(record.clone()));
            Self::announce(st, &record);
            st.enqueue(&id, last_agent, now_ms());
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
            st.queue_changed();
            self.inner.counters.requested();
        }
        requested_stored.await?;
        first_stored.await?;
        Ok(())
    }

    async fn accept(&self, who: &Principal, session: &str) -> HubResult<()> {
        let Principal::Agent(agent) = who else {
            unreachable!("checked by the caller")
        };
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
            let actions = st
                .acd
                .claim(session, &agent.id, now_ms())
                .map_err(|e| match e {
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
            st.carry_out(actions);
            let live = st.sessions.get_mut(session).expect("checked above");
            let now = now_ms();
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
            st.queue_changed();
        }
        let body = EventBody::AgentJoined {
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
        };
        self.append(session, Role::System, None, body).await?;
        Ok(())
    }

    async fn end(&self, who: &Principal, session: &str) -> HubResult<()> {
        let record = {
            let st = &mut *self.state();
            let Some(live) = st.sessions.get_mut(session) else {
                return Err(HubError::new(
                    ErrorCode::SessionEnded,
                    "this conversation has already ended",
                ));
            };
            if live.record.state == SessionState::Ended {
                return Err(HubError::new(
                    ErrorCode::SessionEnded,
                    "this conversation has already ended",
                ));
            }
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
        st.carry_out(actions);
        st.queue_changed();
        Ok(())
    }

    async fn receipt(
        &self,
        who: &Principal,
        session: &str,
        kind: ReceiptKind,
        seq: u64,
    ) -> HubResult<()> {
        self.access(who, session).await?;
        let record = {
            let st = &mut *self.state();
            let Some(live) = st.sessions.get_mut(session) else {
                // Receipts on an ended session change nothing worth storing.
                return Ok(());
            };
            let seq = seq.min(live.record.last_seq);
            if !live.record.receipts.raise(who.role(), kind, seq) {
                return Ok(());
            }
            live.record.clone()
        };
        self.inner.store.update_session(&record).await?;
        let st = self.state();
        let frame = Wire::new(&ServerEnvelope::new(ServerFrame::Receipts {
            session: session.to_string(),
            receipts: record.receipts,
        }));
        Self::send_to_session(&st, &record, &frame);
        Ok(())
    }

    fn set_presence(&self, agent: &Agent, presence: AgentPresence) {
        let st = &mut *self.state();
        let live = st.agents.entry(agent.id.clone()).or_default();
        live.presence = presence;
        let echo = Wire::new(&ServerEnvelope::new(ServerFrame::Presence { presence }));
        for c in &live.conns {
            c.send(&echo);
        }
        if presence == AgentPresence::Online {
            let queue = Self::queue_frame(st);
            for c in &st.agents[&agent.id].conns {
                c.send(&queue);
            }
        }
        // The distributor first, so positions and estimates count this agent.
        st.sync_agent(agent);
        st.positions_changed();
    }

    fn decline(&self, agent: &Agent, session: &str) {
        let st = &mut *self.state();
        let actions = st.acd.decline(session, &agent.id, now_ms());
        st.carry_out(actions);
        st.queue_changed();
    }
}

fn session_open() -> HubError {
    HubError::new(
        ErrorCode::SessionOpen,
        "you already have an open conversation",
    )
}

fn visitor_of(who: &Principal) -> HubResult<(&str, &str)> {
    match who {
        Principal::Visitor { id, site, .. } => Ok((id, site)),
        Principal::Agent(_) => Err(HubError::forbidden("only visitors send this")),
    }
}

pub(super) fn agent_of(who: &Principal) -> HubResult<&crate::store::Agent> {
    match who {
        Principal::Agent(agent) => Ok(agent),
        Principal::Visitor { .. } => Err(HubError::forbidden("only agents send this")),
    }
}

/// Whether `who` is the session's visitor or its assigned agent.
fn takes_part(who: &Principal, record: &SessionRecord) -> bool {
    match who {
        Principal::Visitor { id, .. } => &record.visitor_id == id,
        Principal::Agent(agent) => record.agent.as_ref().is_some_and(|a| a.id == agent.id),
    }
}

fn author_name(who: &Principal, record: &SessionRecord) -> Option<String> {
    match who {
        Principal::Agent(agent) => Some(agent.name.clone()),
        Principal::Visitor { .. } => record.visitor_name.clone(),
    }
}
