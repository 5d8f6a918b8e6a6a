//! The chat as the visitor sees it: the transcript ([`Transcript`]), one
//! [`Item`] per message or lifecycle notice, and how far the visitor's own
//! messages got ([`Delivery`]).
//!
//! The tricky parts live here: optimistic messages shown before the server
//! echoes them, de-duplication when live events and a sync overlap after a
//! reconnect, ordering, and receipts that never go back.

use protocol::{
    AgentInfo, CallAction, CallEndReason, Event, EventBody, Millis, Receipts, Role, ShareAction,
};

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

/// The session's log as shown: confirmed items in seq order, the visitor's
/// pending messages after them.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub items: Vec<Item>,
    pub receipts: Receipts,
    /// Highest seq received; `session.sync` resumes after it.
    pub last_seq: u64,
    /// Highest seq of an agent-authored event: what receipts acknowledge.
    pub last_agent_seq: u64,
    /// Sequence numbers applied, sorted. A sorted `Vec` rather than a
    /// `BTreeSet`: a B-tree's code is several KB of the widget's wasm.
    seen: Vec<u64>,
}

impl Transcript {
    /// The visitor wrote a chat message; it shows as "sending" until echoed.
    pub fn queue_message(&mut self, client_id: String, text: String, now: Millis) {
        self.add_own(client_id, text, now, false);
    }

    /// A message of the visitor's, shown before the server has it. The
    /// first one (`via_request`) travels inside `help.request`.
    pub(super) fn add_own(
        &mut self,
        client_id: String,
        text: String,
        now: Millis,
        via_request: bool,
    ) {
        self.items.push(Item {
            key: format!("c:{client_id}"),
            seq: None,
            at: now,
            author: Role::Visitor,
            author_name: None,
            body: ItemBody::Message { text },
            client_id: Some(client_id),
            via_request,
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

    /// Takes the receipts' progress; they never go back. Returns whether
    /// anything changed.
    pub(super) fn apply_receipts(&mut self, r: &Receipts) -> bool {
        let mine = &mut self.receipts;
        let before = *mine;
        mine.visitor_delivered = mine.visitor_delivered.max(r.visitor_delivered);
        mine.visitor_read = mine.visitor_read.max(r.visitor_read);
        mine.agent_delivered = mine.agent_delivered.max(r.agent_delivered);
        mine.agent_read = mine.agent_read.max(r.agent_read);
        before != *mine
    }

    /// Counts `ev` in; false when it was applied before.
    pub(super) fn note(&mut self, ev: &Event) -> bool {
        match self.seen.binary_search(&ev.seq) {
            Ok(_) => return false,
            Err(at) => self.seen.insert(at, ev.seq),
        }
        self.last_seq = self.last_seq.max(ev.seq);
        if ev.author == Role::Agent {
            self.last_agent_seq = self.last_agent_seq.max(ev.seq);
        }
        true
    }

    /// A chat message of the log: the echo of one of ours, or a new line.
    /// Returns its index in `items`.
    pub(super) fn apply_message(
        &mut self,
        ev: &Event,
        text: &str,
        client_id: Option<&str>,
    ) -> usize {
        match self.confirm_own(ev, client_id) {
            Some(index) => index,
            None => self.insert(Item {
                key: format!("s:{}", ev.seq),
                seq: Some(ev.seq),
                at: ev.at,
                author: ev.author,
                author_name: ev.author_name.clone(),
                body: ItemBody::Message {
                    text: text.to_string(),
                },
                client_id: client_id.map(String::from),
                via_request: false,
                failed: false,
            }),
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

    /// A lifecycle notice for `ev`.
    pub(super) fn add_notice(&mut self, ev: &Event, body: ItemBody) {
        self.insert(notice(ev, body));
    }

    /// A notice about something `by` did, named after the agent when the
    /// event carries no name.
    pub(super) fn add_notice_by(
        &mut self,
        ev: &Event,
        body: ItemBody,
        by: Role,
        agent: Option<&AgentInfo>,
    ) {
        let mut item = notice(ev, body);
        if item.author_name.is_none() && by == Role::Agent {
            item.author_name = agent.map(|a| a.name.clone());
        }
        self.insert(item);
    }

    /// The session ended: what was not sent never will be.
    pub(super) fn fail_pending(&mut self) {
        for item in self.items.iter_mut().filter(|i| i.seq.is_none()) {
            item.failed = true;
        }
    }
}

fn notice(ev: &Event, body: ItemBody) -> Item {
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
