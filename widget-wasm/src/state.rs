//! The conversation as the visitor sees it: pure data, no DOM, no socket.
//!
//! Server frames and the visitor's actions are applied here; the view reads
//! the result and the app decides what to send. Keeping it free of browser
//! types means the tricky parts (optimistic messages, de-duplication after a
//! reconnect, receipts) are tested natively with `cargo test`.

use protocol::{
    AgentInfo, CallAction, CallEndReason, CallInfo, CallPhase, Callback, Event, EventBody, Millis,
    Receipts, Role, SessionState, SessionSummary, ShareAction, ShareState, Unavailable,
};

/// Where the visitor is in the help flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No request yet: the start form.
    Idle,
    /// Asked for help, waiting for an agent (or for the server to answer).
    Queued,
    /// Chatting with an agent.
    Active,
    /// The session is closed; the transcript stays visible.
    Ended,
}

impl Phase {
    /// The name used in the SDK's `status` event and in `data-phase`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Queued => "queued",
            Phase::Active => "active",
            Phase::Ended => "ended",
        }
    }

    fn from_session(state: SessionState) -> Phase {
        match state {
            SessionState::Queued => Phase::Queued,
            SessionState::Active => Phase::Active,
            SessionState::Ended => Phase::Ended,
        }
    }

    pub fn has_session(self) -> bool {
        matches!(self, Phase::Queued | Phase::Active)
    }
}

/// What one line of the transcript says.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemBody {
    Message {
        text: String,
    },
    AgentJoined {
        name: String,
    },
    Ended {
        by: Role,
    },
    /// Screen sharing was asked for, started, declined or stopped.
    Share {
        action: ShareAction,
    },
    /// The chat moved to another agent (`to`) or back to a queue (`None`).
    Transferred {
        to: Option<String>,
    },
    /// A voice call started, was answered or ended.
    Call {
        action: CallAction,
        by: Role,
        duration_ms: Option<u64>,
        reason: Option<CallEndReason>,
    },
}

/// One line of the transcript: a chat message or a lifecycle notice.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stable identity for the view, kept when an optimistic message is
    /// confirmed so its element is reused instead of re-created.
    pub key: String,
    /// `None` while the visitor's own message has not come back from the server.
    pub seq: Option<u64>,
    pub at: Millis,
    pub author: Role,
    pub author_name: Option<String>,
    pub body: ItemBody,
    /// The visitor's id for their own message, matched against the echo.
    pub client_id: Option<String>,
    /// The first message, sent inside `help.request` (which has no client_id).
    pub via_request: bool,
    /// Gave up sending: the session ended before it could be delivered.
    pub failed: bool,
}

impl Item {
    pub fn is_pending(&self) -> bool {
        self.seq.is_none() && !self.failed
    }

    pub fn text(&self) -> Option<&str> {
        match &self.body {
            ItemBody::Message { text } => Some(text),
            _ => None,
        }
    }
}

/// How far the visitor's own message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sending,
    Failed,
    Sent,
    Delivered,
    Read,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Sending => "sending",
            Delivery::Failed => "failed",
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
        }
    }
}

/// A `help.request` the server has not answered with a session yet.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRequest {
    pub topic: Option<String>,
    pub message: String,
    /// Sent on the current connection; cleared when the connection drops so
    /// the next `welcome` decides whether to send it again.
    pub sent: bool,
}

/// Where a waiting request stands, as `queue.position` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub position: u32,
    pub eta_secs: Option<u32>,
    /// Why nobody can answer soon: time to offer a message or a call back.
    pub unavailable: Option<Unavailable>,
}

/// What the SDK's `status` event reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub phase: Phase,
    pub position: Option<u32>,
    pub eta_secs: Option<u32>,
    pub unavailable: Option<Unavailable>,
    /// The kind of call back booked while waiting (`message`, `phone`, `browser`).
    pub callback: Option<&'static str>,
    pub agent: Option<String>,
}

/// The result of applying one event, for the app to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Seen before (overlap between live events and a sync): nothing changed.
    Duplicate,
    /// A new chat message, now at `index` in `items`.
    Message { index: usize },
    /// Anything else that changed the state.
    Other,
}

#[derive(Debug, Clone)]
pub struct Conversation {
    pub session: Option<String>,
    pub phase: Phase,
    /// Where the waiting request stands, from the last `queue.position`.
    pub place: Option<Place>,
    /// The message or call back the visitor asked for instead of waiting.
    pub callback: Option<Callback>,
    pub agent: Option<AgentInfo>,
    pub items: Vec<Item>,
    pub receipts: Receipts,
    /// Highest seq received; `session.sync` resumes after it.
    pub last_seq: u64,
    /// Highest seq of an agent-authored event: what receipts acknowledge.
    pub last_agent_seq: u64,
    pub request: Option<PendingRequest>,
    /// The visitor pressed "End chat" while offline; sent on reconnect.
    pub end_requested: bool,
    /// Whether the visitor's screen is shared in this session, as the
    /// server last said (or as the visitor just decided).
    pub share: ShareState,
    /// The session's voice call while it rings or is active.
    pub call: Option<CallInfo>,
    /// Sequence numbers applied, sorted. A sorted `Vec` rather than a
    /// `BTreeSet`: a B-tree's code is several KB of the widget's wasm.
    seen: Vec<u64>,
    /// Sessions the visitor walked away from (cancelled, or "start a new
    /// chat"): late frames about them must not pull the widget back.
    dismissed: Vec<String>,
    /// A place in line for a session we did not know yet (the server may
    /// send it before `welcome`), applied if we adopt that session.
    stray_place: Option<(String, Place)>,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation {
            session: None,
            phase: Phase::Idle,
            place: None,
            callback: None,
            agent: None,
            items: Vec::new(),
            receipts: Receipts::default(),
            last_seq: 0,
            last_agent_seq: 0,
            request: None,
            end_requested: false,
            share: ShareState::Off,
            call: None,
            seen: Vec::new(),
            dismissed: Vec::new(),
            stray_place: None,
        }
    }
}

impl Conversation {
    /// Back to the start form, forgetting the previous transcript.
    pub fn reset(&mut self) {
        let dismissed = std::mem::take(&mut self.dismissed);
        *self = Conversation {
            dismissed,
            ..Conversation::default()
        };
    }

    /// Leaves the current session for good and goes back to the start form.
    /// Returns the session left, if there was one.
    pub fn dismiss(&mut self) -> Option<String> {
        let left = self.session.take();
        if let Some(id) = &left {
            self.dismissed.push(id.clone());
        }
        self.reset();
        left
    }

    pub fn status(&self) -> Status {
        Status {
            phase: self.phase,
            position: self.waiting_place().map(|p| p.position),
            eta_secs: self.waiting_place().and_then(|p| p.eta_secs),
            unavailable: self.unavailable(),
            callback: match (&self.callback, self.phase) {
                (Some(c), Phase::Queued) => Some(match c {
                    Callback::Message { .. } => "message",
                    Callback::Phone { .. } => "phone",
                    Callback::Browser => "browser",
                }),
                _ => None,
            },
            agent: match self.phase {
                Phase::Active | Phase::Ended => self.agent.as_ref().map(|a| a.name.clone()),
                _ => None,
            },
        }
    }

    /// The visitor asked for help: show their message at once and wait.
    pub fn request_help(
        &mut self,
        topic: Option<String>,
        message: String,
        client_id: String,
        now: Millis,
    ) {
        self.reset();
        self.phase = Phase::Queued;
        self.items.push(Item {
            key: format!("c:{client_id}"),
            seq: None,
            at: now,
            author: Role::Visitor,
            author_name: None,
            body: ItemBody::Message {
                text: message.clone(),
            },
            client_id: Some(client_id),
            via_request: true,
            failed: false,
        });
        self.request = Some(PendingRequest {
            topic,
            message,
            sent: false,
        });
    }

    /// The visitor wrote a chat message; it shows as "sending" until echoed.
    pub fn queue_message(&mut self, client_id: String, text: String, now: Millis) {
        self.items.push(Item {
            key: format!("c:{client_id}"),
            seq: None,
            at: now,
            author: Role::Visitor,
            author_name: None,
            body: ItemBody::Message { text },
            client_id: Some(client_id),
            via_request: false,
            failed: false,
        });
    }

    /// Chat messages still waiting for their echo, oldest first, as
    /// `(client_id, text)`. The first message travels in `help.request`.
    pub fn outbox(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items
            .iter()
            .filter(|i| i.is_pending() && !i.via_request)
            .filter_map(|i| {
                let text = i.text()?;
                Some((i.client_id.as_deref()?, text))
            })
    }

    /// A `session` frame. Returns whether it concerns our conversation (it
    /// was ours already, or we adopted it because it was opened elsewhere,
    /// e.g. in another tab, while we had nothing open).
    pub fn apply_summary(&mut self, s: &SessionSummary) -> bool {
        if self.dismissed.contains(&s.id) {
            return false;
        }
        let ours = match &self.session {
            Some(id) => *id == s.id,
            // An answer to our own request, or a session opened in another tab.
            None => {
                s.state != SessionState::Ended
                    && (self.request.is_some() || !self.phase.has_session())
            }
        };
        if !ours {
            if s.state == SessionState::Ended || self.phase.has_session() {
                return false;
            }
            // Our old session is over and a new one exists: follow it.
            self.reset();
        }
        if self.session.is_none() {
            self.adopt(&s.id);
        }
        self.request = None;
        // `last_seq` of a summary can run ahead of our log; never move back
        // from ended, which only a new session can leave.
        if self.phase != Phase::Ended || s.state == SessionState::Ended {
            self.phase = Phase::from_session(s.state);
        }
        if let Some(agent) = &s.agent {
            self.agent = Some(agent.clone());
        }
        self.share = s.share;
        self.callback.clone_from(&s.callback);
        self.call = s.call.clone().filter(|c| c.phase != CallPhase::Ended);
        if self.phase == Phase::Ended {
            self.fail_pending();
            self.share = ShareState::Off;
            self.call = None;
        }
        true
    }

    /// A `call` frame: the session's call changed. Returns whether it is ours.
    pub fn apply_call(&mut self, session: &str, call: &CallInfo) -> bool {
        if self.session.as_deref() != Some(session) || self.phase == Phase::Ended {
            return false;
        }
        self.call = (call.phase != CallPhase::Ended).then(|| call.clone());
        true
    }

    /// A `cobrowse` frame: sharing changed state in `session`.
    pub fn apply_share(&mut self, session: &str, state: ShareState) -> bool {
        if self.session.as_deref() != Some(session) || self.phase == Phase::Ended {
            return false;
        }
        self.share = state;
        true
    }

    pub fn is_dismissed(&self, session: &str) -> bool {
        self.dismissed.iter().any(|d| d == session)
    }

    pub fn apply_place(&mut self, session: &str, place: Place) -> bool {
        if self.session.is_none() {
            self.stray_place = Some((session.to_string(), place));
        }
        if self.session.as_deref() != Some(session) {
            return false;
        }
        self.place = Some(place);
        true
    }

    /// The place in line while waiting live (not once a call back is booked).
    pub fn waiting_place(&self) -> Option<Place> {
        self.place
            .filter(|_| self.phase == Phase::Queued && self.callback.is_none())
    }

    /// Why nobody can answer soon, while that matters: waiting live.
    pub fn unavailable(&self) -> Option<Unavailable> {
        self.waiting_place().and_then(|p| p.unavailable)
    }

    pub fn apply_receipts(&mut self, session: &str, r: &Receipts) -> bool {
        if self.session.as_deref() != Some(session) {
            return false;
        }
        let mine = &mut self.receipts;
        let before = *mine;
        mine.visitor_delivered = mine.visitor_delivered.max(r.visitor_delivered);
        mine.visitor_read = mine.visitor_read.max(r.visitor_read);
        mine.agent_delivered = mine.agent_delivered.max(r.agent_delivered);
        mine.agent_read = mine.agent_read.max(r.agent_read);
        before != *mine
    }

    /// One event of our session's log, live or from `history`.
    pub fn apply_event(&mut self, session: &str, ev: &Event) -> Applied {
        if self.session.is_none() && self.request.is_some() && !self.is_dismissed(session) {
            // The server numbers the request's first events before it sends
            // the `session` frame: the first event names our new session.
            self.adopt(session);
            self.request = None;
        }
        if self.session.as_deref() != Some(session) {
            return Applied::Duplicate;
        }
        match self.seen.binary_search(&ev.seq) {
            Ok(_) => return Applied::Duplicate,
            Err(at) => self.seen.insert(at, ev.seq),
        }
        self.last_seq = self.last_seq.max(ev.seq);
        if ev.author == Role::Agent {
            self.last_agent_seq = self.last_agent_seq.max(ev.seq);
        }
        match &ev.body {
            EventBody::Requested { .. } => Applied::Other,
            EventBody::Share { action, by } => {
                self.insert_by(ev, ItemBody::Share { action: *action }, *by);
                Applied::Other
            }
            // The agent's highlights show on the page itself; agents' private
            // entries arrive redacted and only keep the numbering whole.
            EventBody::Highlight { .. }
            | EventBody::Redacted
            | EventBody::Note { .. }
            | EventBody::Wrapup { .. } => Applied::Other,
            EventBody::Transferred { to, .. } => {
                if let Some(to) = to {
                    self.agent = Some(to.clone());
                }
                let to = to.as_ref().map(|a| a.name.clone());
                self.insert(self.notice(ev, ItemBody::Transferred { to }));
                Applied::Other
            }
            // The waiting box tells what was booked (see `waiting_place`).
            EventBody::Callback { callback } => {
                if self.phase == Phase::Queued {
                    self.callback = Some(callback.clone());
                }
                Applied::Other
            }
            // Pushes show in their own prompt.
            EventBody::FormPush { .. }
            | EventBody::FormAnswer { .. }
            | EventBody::PagePush { .. }
            | EventBody::PageAnswer { .. } => Applied::Other,
            EventBody::Message { text, client_id } => {
                let index = match self.confirm_own(ev, client_id.as_deref()) {
                    Some(index) => index,
                    None => self.insert(Item {
                        key: format!("s:{}", ev.seq),
                        seq: Some(ev.seq),
                        at: ev.at,
                        author: ev.author,
                        author_name: ev.author_name.clone(),
                        body: ItemBody::Message { text: text.clone() },
                        client_id: client_id.clone(),
                        via_request: false,
                        failed: false,
                    }),
                };
                Applied::Message { index }
            }
            EventBody::AgentJoined { agent_id, name } => {
                self.agent = Some(AgentInfo {
                    id: agent_id.clone(),
                    name: name.clone(),
                });
                if self.phase == Phase::Queued {
                    self.phase = Phase::Active;
                }
                self.insert(self.notice(ev, ItemBody::AgentJoined { name: name.clone() }));
                Applied::Other
            }
            EventBody::Call {
                action,
                by,
                duration_ms,
                reason,
                ..
            } => {
                let body = ItemBody::Call {
                    action: *action,
                    by: *by,
                    duration_ms: *duration_ms,
                    reason: *reason,
                };
                self.insert_by(ev, body, *by);
                Applied::Other
            }
            EventBody::Ended { by } => {
                self.phase = Phase::Ended;
                self.share = ShareState::Off;
                self.call = None;
                self.fail_pending();
                self.insert(self.notice(ev, ItemBody::Ended { by: *by }));
                Applied::Other
            }
        }
    }

    fn adopt(&mut self, session: &str) {
        self.session = Some(session.to_string());
        if let Some((id, place)) = self.stray_place.take()
            && id == session
        {
            self.place = Some(place);
        }
    }

    /// How far the visitor's own message got, from the agent's receipts.
    pub fn delivery(&self, item: &Item) -> Delivery {
        match item.seq {
            None if item.failed => Delivery::Failed,
            None => Delivery::Sending,
            Some(seq) if self.receipts.agent_read >= seq => Delivery::Read,
            Some(seq) if self.receipts.agent_delivered >= seq => Delivery::Delivered,
            Some(_) => Delivery::Sent,
        }
    }

    /// The echo of a message the visitor sent from this page: the optimistic
    /// copy takes the server's seq and time instead of appearing twice.
    fn confirm_own(&mut self, ev: &Event, client_id: Option<&str>) -> Option<usize> {
        if ev.author != Role::Visitor {
            return None;
        }
        let pos = self.items.iter().position(|i| {
            i.seq.is_none()
                && match client_id {
                    Some(id) => i.client_id.as_deref() == Some(id),
                    None => i.via_request,
                }
        })?;
        let mut item = self.items.remove(pos);
        item.seq = Some(ev.seq);
        item.at = ev.at;
        item.author_name = ev.author_name.clone();
        item.failed = false;
        if let (
            ItemBody::Message { text },
            EventBody::Message {
                text: server_text, ..
            },
        ) = (&mut item.body, &ev.body)
        {
            // The server may have trimmed or normalised it: show what was stored.
            text.clone_from(server_text);
        }
        Some(self.insert(item))
    }

    /// Confirmed items are kept in seq order, pending ones after them.
    fn insert(&mut self, item: Item) -> usize {
        let seq = item.seq.unwrap_or(u64::MAX);
        let index = self
            .items
            .iter()
            .position(|i| i.seq.is_none_or(|s| s > seq))
            .unwrap_or(self.items.len());
        self.items.insert(index, item);
        index
    }

    fn notice(&self, ev: &Event, body: ItemBody) -> Item {
        Item {
            key: format!("s:{}", ev.seq),
            seq: Some(ev.seq),
            at: ev.at,
            author: ev.author,
            author_name: ev.author_name.clone(),
            body,
            client_id: None,
            via_request: false,
            failed: false,
        }
    }

    /// A notice about something `by` did, named after the agent when the
    /// event carries no name.
    fn insert_by(&mut self, ev: &Event, body: ItemBody, by: Role) {
        let mut item = self.notice(ev, body);
        if item.author_name.is_none() && by == Role::Agent {
            item.author_name = self.agent.as_ref().map(|a| a.name.clone());
        }
        self.insert(item);
    }

    fn fail_pending(&mut self) {
        for item in self.items.iter_mut().filter(|i| i.seq.is_none()) {
            item.failed = true;
        }
        self.request = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(seq: u64, author: Role, text: &str, client_id: Option<&str>) -> Event {
        Event {
            seq,
            at: 1000 + seq as i64,
            author,
            author_name: (author == Role::Agent).then(|| "Alex".to_string()),
            body: EventBody::Message {
                text: text.into(),
                client_id: client_id.map(Into::into),
            },
        }
    }

    fn summary(state: SessionState) -> SessionSummary {
        SessionSummary {
            id: "s1".into(),
            site: "demo".into(),
            state,
            visitor_id: "v1".into(),
            visitor_name: None,
            topic: None,
            agent: (state != SessionState::Queued).then(|| AgentInfo {
                id: "a1".into(),
                name: "Alex".into(),
            }),
            page: None,
            requested_at: 0,
            accepted_at: None,
            ended_at: None,
            last_seq: 2,
            share: Default::default(),
            call: None,
            callback: None,
        }
    }

    fn requested() -> Conversation {
        let mut c = Conversation::default();
        c.request_help(
            Some("billing".into()),
            "My card was charged twice".into(),
            "c0".into(),
            5,
        );
        c
    }

    #[test]
    fn first_message_is_confirmed_by_the_request_echo() {
        let mut c = requested();
        assert_eq!(c.phase, Phase::Queued);
        assert!(c.apply_summary(&summary(SessionState::Queued)));
        assert!(c.request.is_none());
        let requested = Event {
            seq: 1,
            at: 1,
            author: Role::Visitor,
            author_name: None,
            body: EventBody::Requested {
                topic: Some("billing".into()),
            },
        };
        assert_eq!(c.apply_event("s1", &requested), Applied::Other);
        assert_eq!(
            c.apply_event(
                "s1",
                &msg(2, Role::Visitor, "My card was charged twice", None)
            ),
            Applied::Message { index: 0 }
        );
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.items[0].key, "c:c0");
        assert_eq!(c.items[0].seq, Some(2));
        assert_eq!(c.delivery(&c.items[0]), Delivery::Sent);
    }

    #[test]
    fn echo_replaces_the_optimistic_copy_even_after_later_events() {
        let mut c = requested();
        c.apply_summary(&summary(SessionState::Queued));
        c.apply_event(
            "s1",
            &msg(2, Role::Visitor, "My card was charged twice", None),
        );
        c.queue_message("c1".into(), "hello?".into(), 10);
        assert_eq!(c.outbox().collect::<Vec<_>>(), vec![("c1", "hello?")]);
        // An agent message lands before our echo: the pending one stays last.
        c.apply_event("s1", &msg(3, Role::Agent, "Hi!", None));
        assert_eq!(c.items.last().unwrap().key, "c:c1");
        c.apply_event("s1", &msg(4, Role::Visitor, "hello?", Some("c1")));
        let keys: Vec<_> = c.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["c:c0", "s:3", "c:c1"]);
        assert_eq!(c.outbox().count(), 0);
        assert_eq!(c.last_seq, 4);
        assert_eq!(c.last_agent_seq, 3);
    }

    #[test]
    fn history_overlap_is_ignored() {
        let mut c = requested();
        c.apply_summary(&summary(SessionState::Active));
        assert_eq!(c.phase, Phase::Active);
        c.apply_event("s1", &msg(3, Role::Agent, "Hi!", None));
        assert_eq!(
            c.apply_event("s1", &msg(3, Role::Agent, "Hi!", None)),
            Applied::Duplicate
        );
        assert_eq!(
            c.apply_event("other", &msg(4, Role::Agent, "?", None)),
            Applied::Duplicate
        );
        assert_eq!(c.items.len(), 2);
    }

    #[test]
    fn out_of_order_history_is_sorted() {
        let mut c = Conversation::default();
        c.apply_summary(&summary(SessionState::Active));
        c.apply_event("s1", &msg(5, Role::Agent, "five", None));
        c.apply_event("s1", &msg(3, Role::Agent, "three", None));
        let seqs: Vec<_> = c.items.iter().map(|i| i.seq).collect();
        assert_eq!(seqs, [Some(3), Some(5)]);
    }

    #[test]
    fn receipts_drive_delivery_and_never_go_back() {
        let mut c = Conversation::default();
        c.apply_summary(&summary(SessionState::Active));
        c.apply_event("s1", &msg(3, Role::Visitor, "a", Some("x")));
        let r = Receipts {
            agent_delivered: 3,
            ..Default::default()
        };
        assert!(c.apply_receipts("s1", &r));
        assert_eq!(c.delivery(&c.items[0]), Delivery::Delivered);
        let r = Receipts {
            agent_delivered: 3,
            agent_read: 3,
            ..Default::default()
        };
        c.apply_receipts("s1", &r);
        assert_eq!(c.delivery(&c.items[0]), Delivery::Read);
        assert!(!c.apply_receipts("s1", &Receipts::default()));
        assert_eq!(c.delivery(&c.items[0]), Delivery::Read);
    }

    #[test]
    fn agent_joined_activates_and_ended_fails_pending() {
        let mut c = requested();
        c.apply_summary(&summary(SessionState::Queued));
        let joined = Event {
            seq: 3,
            at: 3,
            author: Role::System,
            author_name: None,
            body: EventBody::AgentJoined {
                agent_id: "a1".into(),
                name: "Alex".into(),
            },
        };
        c.apply_event("s1", &joined);
        assert_eq!(
            c.status(),
            Status {
                phase: Phase::Active,
                position: None,
                eta_secs: None,
                unavailable: None,
                callback: None,
                agent: Some("Alex".into())
            }
        );
        c.queue_message("c2".into(), "bye".into(), 9);
        let ended = Event {
            seq: 4,
            at: 4,
            author: Role::Agent,
            author_name: None,
            body: EventBody::Ended { by: Role::Agent },
        };
        c.apply_event("s1", &ended);
        assert_eq!(c.phase, Phase::Ended);
        let pending = c.items.iter().find(|i| i.key == "c:c2").unwrap();
        assert_eq!(c.delivery(pending), Delivery::Failed);
        assert_eq!(c.outbox().count(), 0);
    }

    #[test]
    fn adopts_a_session_opened_elsewhere_only_when_free() {
        let mut c = Conversation::default();
        assert!(c.apply_summary(&summary(SessionState::Queued)));
        assert_eq!(c.session.as_deref(), Some("s1"));
        let mut other = summary(SessionState::Queued);
        other.id = "s2".into();
        assert!(!c.apply_summary(&other), "busy with s1");
        c.apply_summary(&summary(SessionState::Ended));
        assert_eq!(c.phase, Phase::Ended);
        assert!(c.apply_summary(&other), "s1 is over: follow s2");
        assert_eq!(c.session.as_deref(), Some("s2"));
        assert!(c.items.is_empty());
    }

    #[test]
    fn a_cancelled_session_stays_dismissed() {
        let mut c = requested();
        c.apply_summary(&summary(SessionState::Queued));
        assert_eq!(c.dismiss().as_deref(), Some("s1"));
        assert_eq!(c.phase, Phase::Idle);
        assert!(
            !c.apply_summary(&summary(SessionState::Queued)),
            "late frame about s1"
        );
        assert_eq!(c.phase, Phase::Idle);
    }

    #[test]
    fn events_before_the_session_frame_name_the_new_session() {
        let mut c = requested();
        let requested = Event {
            seq: 1,
            at: 1,
            author: Role::Visitor,
            author_name: None,
            body: EventBody::Requested { topic: None },
        };
        c.apply_event("s1", &requested);
        c.apply_event(
            "s1",
            &msg(2, Role::Visitor, "My card was charged twice", None),
        );
        assert_eq!(c.session.as_deref(), Some("s1"));
        assert_eq!(
            c.items[0].seq,
            Some(2),
            "the optimistic first message is confirmed"
        );
        assert!(c.apply_summary(&summary(SessionState::Queued)));
        assert_eq!(c.items.len(), 1);
    }

    #[test]
    fn a_position_sent_before_welcome_is_kept_for_the_restored_session() {
        let mut c = Conversation::default();
        c.apply_place("s1", place(3));
        assert_eq!(c.place, None);
        c.apply_summary(&summary(SessionState::Queued));
        assert_eq!(c.status().position, Some(3));
    }

    #[test]
    fn an_ended_summary_for_a_forgotten_session_is_ignored() {
        let mut c = Conversation::default();
        assert!(!c.apply_summary(&summary(SessionState::Ended)));
        assert_eq!(c.phase, Phase::Idle);
    }

    #[test]
    fn share_state_follows_summaries_frames_and_the_end() {
        let mut c = Conversation::default();
        let mut s = summary(SessionState::Active);
        s.share = ShareState::Active;
        c.apply_summary(&s);
        assert_eq!(c.share, ShareState::Active, "restored from welcome");
        assert!(c.apply_share("s1", ShareState::Off));
        assert!(!c.apply_share("other", ShareState::Active));
        assert!(c.apply_share("s1", ShareState::Requested));
        let requested = Event {
            seq: 5,
            at: 5,
            author: Role::Agent,
            author_name: Some("Alex".into()),
            body: EventBody::Share {
                action: ShareAction::Requested,
                by: Role::Agent,
            },
        };
        c.apply_event("s1", &requested);
        assert_eq!(
            c.items.last().unwrap().body,
            ItemBody::Share {
                action: ShareAction::Requested
            }
        );
        c.apply_summary(&summary(SessionState::Ended));
        assert_eq!(c.share, ShareState::Off);
        assert!(
            !c.apply_share("s1", ShareState::Active),
            "ended sessions stay off"
        );
    }

    #[test]
    fn the_call_follows_frames_and_summaries_and_ends_with_the_session() {
        let mut c = Conversation::default();
        c.apply_summary(&summary(SessionState::Active));
        let mut call = CallInfo {
            id: "c1".into(),
            phase: CallPhase::Ringing,
            started_by: Role::Agent,
            created_at: 1,
            answered_at: None,
            ended_at: None,
            end_reason: None,
        };
        assert!(!c.apply_call("other", &call));
        assert!(c.apply_call("s1", &call));
        assert_eq!(c.call.as_ref().map(|c| c.phase), Some(CallPhase::Ringing));
        call.phase = CallPhase::Ended;
        c.apply_call("s1", &call);
        assert_eq!(c.call, None, "an ended call is no call");
        let mut s = summary(SessionState::Active);
        call.phase = CallPhase::Active;
        s.call = Some(call.clone());
        c.apply_summary(&s);
        assert!(c.call.is_some(), "restored from welcome");
        let ended = Event {
            seq: 9,
            at: 9,
            author: Role::Visitor,
            author_name: None,
            body: EventBody::Ended { by: Role::Visitor },
        };
        c.apply_event("s1", &ended);
        assert_eq!(c.call, None);
        assert!(!c.apply_call("s1", &call), "ended sessions have no call");
    }

    #[test]
    fn position_only_reported_while_queued() {
        let mut c = requested();
        c.apply_summary(&summary(SessionState::Queued));
        c.apply_place("s1", place(2));
        assert_eq!(c.status().position, Some(2));
        c.apply_summary(&summary(SessionState::Active));
        assert_eq!(c.status().position, None);
    }

    fn place(position: u32) -> Place {
        Place {
            position,
            eta_secs: None,
            unavailable: None,
        }
    }

    #[test]
    fn a_booked_call_back_replaces_the_place_in_line() {
        let mut c = requested();
        c.apply_summary(&summary(SessionState::Queued));
        let nobody = Place {
            unavailable: Some(Unavailable::NoAgents),
            ..place(1)
        };
        c.apply_place("s1", nobody);
        assert_eq!(c.unavailable(), Some(Unavailable::NoAgents));
        c.apply_summary(&SessionSummary {
            callback: Some(Callback::Browser),
            ..summary(SessionState::Queued)
        });
        assert_eq!(c.callback, Some(Callback::Browser));
        assert_eq!(c.unavailable(), None, "no more offers once booked");
        assert_eq!(c.status().position, None);
    }
}
