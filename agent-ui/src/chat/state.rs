//! One conversation as the console holds it: the session summary, the
//! numbered log, the messages the agent sent that the server has not yet
//! numbered, receipts and typing. Pure data and rules, no browser calls, so
//! the reconciliation logic is tested natively (`chat_tests.rs`).

use std::collections::BTreeMap;

use protocol::{Event, EventBody, Millis, Receipts, Role, SessionState, SessionSummary};

/// How long a visitor's "typing" stays shown without a fresh `typing` frame.
/// The visitor's widget may vanish without sending `active: false`.
pub const TYPING_STALE_MS: Millis = 8_000;

/// A message the agent wrote that has no `seq` yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub client_id: String,
    pub text: String,
    pub at: Millis,
    /// Connection number it was last sent on; `None` when it could not be sent.
    /// A message sent on an earlier connection that the server's history does
    /// not contain was lost with that connection and is sent again.
    pub sent_on: Option<u64>,
    /// Why the server refused it, when it did.
    pub failed: Option<String>,
}

/// How far the visitor got with one of the agent's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    Delivered,
    Read,
}

impl Delivery {
    /// The name used in `data-receipt` / `data-state` attributes and CSS.
    pub fn name(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
        }
    }

    /// How far the visitor got with the agent's message `seq`.
    pub fn of(seq: u64, receipts: &Receipts) -> Delivery {
        if seq <= receipts.visitor_read {
            Delivery::Read
        } else if seq <= receipts.visitor_delivered {
            Delivery::Delivered
        } else {
            Delivery::Sent
        }
    }
}

/// Who wrote the message a chat's preview shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Preview<'a> {
    Mine,
    Colleague(&'a str),
    Visitor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chat {
    pub summary: SessionSummary,
    pub(super) events: BTreeMap<u64, Event>,
    pub(super) pending: Vec<Pending>,
    pub receipts: Receipts,
    /// Local time the visitor was last reported typing, while they are.
    pub visitor_typing_since: Option<Millis>,
    /// Highest seq we told the server we received / read, so each receipt is
    /// sent once.
    delivered_sent: u64,
    read_sent: u64,
}

impl Chat {
    pub fn new(summary: SessionSummary) -> Self {
        Chat {
            summary,
            events: BTreeMap::new(),
            pending: Vec::new(),
            receipts: Receipts::default(),
            visitor_typing_since: None,
            delivered_sent: 0,
            read_sent: 0,
        }
    }

    pub fn id(&self) -> &str {
        &self.summary.id
    }

    pub fn is_ended(&self) -> bool {
        self.summary.state == SessionState::Ended
    }

    /// Newest seq we hold; what to resume from after a reconnect.
    pub fn last_seq(&self) -> u64 {
        self.events.keys().next_back().copied().unwrap_or(0)
    }

    /// Takes a newer summary from the server. A summary never reopens a
    /// session we already saw end (frames may cross on a reconnect).
    pub fn set_summary(&mut self, summary: SessionSummary) {
        let ended = self.is_ended();
        self.summary = summary;
        if ended {
            self.summary.state = SessionState::Ended;
        }
    }

    /// Adds one logged event. Returns false when we already had it.
    pub fn apply_event(&mut self, event: Event) -> bool {
        if self.events.contains_key(&event.seq) {
            return false;
        }
        match &event.body {
            EventBody::Message {
                client_id: Some(id),
                ..
            } => self.pending.retain(|p| &p.client_id != id),
            EventBody::Ended { .. } => {
                self.summary.state = SessionState::Ended;
                self.summary.ended_at.get_or_insert(event.at);
                self.visitor_typing_since = None;
            }
            _ => {}
        }
        if event.author == Role::Visitor {
            // A message ends the visitor's typing, whatever frames follow.
            self.visitor_typing_since = None;
        }
        self.events.insert(event.seq, event);
        true
    }

    /// Merges a `history` page. Our own receipt marks start from the server's
    /// so a reloaded console does not resend old receipts.
    pub fn apply_history(&mut self, events: Vec<Event>, receipts: Receipts) {
        for event in events {
            self.apply_event(event);
        }
        self.set_receipts(receipts);
    }

    pub fn set_receipts(&mut self, receipts: Receipts) {
        self.receipts = receipts;
        self.delivered_sent = self.delivered_sent.max(receipts.agent_delivered);
        self.read_sent = self.read_sent.max(receipts.agent_read);
    }

    pub fn set_visitor_typing(&mut self, active: bool, now: Millis) {
        self.visitor_typing_since = active.then_some(now);
    }

    pub fn visitor_typing(&self, now: Millis) -> bool {
        self.visitor_typing_since
            .is_some_and(|t| now - t < TYPING_STALE_MS)
    }

    fn newest_visitor_seq(&self) -> u64 {
        self.events
            .values()
            .rev()
            .find(|e| e.author == Role::Visitor)
            .map_or(0, |e| e.seq)
    }

    /// The seq to acknowledge as delivered, if a visitor event arrived since
    /// the last receipt.
    pub fn delivered_due(&self) -> Option<u64> {
        let seq = self.newest_visitor_seq();
        (seq > self.delivered_sent.max(self.read_sent)).then_some(seq)
    }

    pub fn mark_delivered(&mut self, seq: u64) {
        self.delivered_sent = self.delivered_sent.max(seq);
    }

    /// The seq to acknowledge as read, if the visitor wrote since the last one.
    pub fn read_due(&self) -> Option<u64> {
        let seq = self.newest_visitor_seq();
        (seq > self.read_sent).then_some(seq)
    }

    pub fn mark_read(&mut self, seq: u64) {
        self.read_sent = self.read_sent.max(seq);
        self.delivered_sent = self.delivered_sent.max(seq);
    }

    /// Visitor messages the agent has not seen yet.
    pub fn unread(&self) -> usize {
        let read = self.read_sent.max(self.receipts.agent_read);
        self.events
            .range(read + 1..)
            .filter(|(_, e)| {
                e.author == Role::Visitor && matches!(e.body, EventBody::Message { .. })
            })
            .count()
    }

    /// Last message, for the tab list, with who wrote it.
    /// The visitor's last `n` messages, oldest first (for article suggestions).
    pub fn recent_visitor_texts(&self, n: usize) -> Vec<String> {
        let mut texts: Vec<String> = self
            .events
            .values()
            .rev()
            .filter(|e| e.author == Role::Visitor)
            .filter_map(|e| match &e.body {
                EventBody::Message { text, .. } => Some(text.clone()),
                _ => None,
            })
            .take(n)
            .collect();
        texts.reverse();
        texts
    }

    /// The newest message for the chat list: who wrote it and its text.
    pub fn preview(&self) -> Option<(Preview<'_>, &str)> {
        if let Some(p) = self.pending.last() {
            return Some((Preview::Mine, &p.text));
        }
        // After a transfer, the previous agent's messages are not "mine".
        let assigned = self.summary.agent.as_ref().map(|a| a.name.as_str());
        self.events.values().rev().find_map(|e| match &e.body {
            EventBody::Message { text, .. } => {
                let who = match (e.author, e.author_name.as_deref()) {
                    (Role::Agent, Some(name)) if Some(name) != assigned => Preview::Colleague(name),
                    (Role::Agent, _) => Preview::Mine,
                    _ => Preview::Visitor,
                };
                Some((who, text.as_str()))
            }
            _ => None,
        })
    }

    pub fn add_pending(
        &mut self,
        client_id: String,
        text: String,
        at: Millis,
        sent_on: Option<u64>,
    ) {
        self.pending.push(Pending {
            client_id,
            text,
            at,
            sent_on,
            failed: None,
        });
    }

    /// Marks a pending message as refused by the server.
    pub fn fail_pending(&mut self, client_id: &str, reason: String) {
        if let Some(p) = self.pending.iter_mut().find(|p| p.client_id == client_id) {
            p.failed = Some(reason);
        }
    }

    /// Pending messages to send again on connection `conn` (ones never sent, or
    /// sent on an earlier connection and absent from the history just merged),
    /// marked as sent on it. Refused ones wait for the agent to retry.
    pub fn take_resend(&mut self, conn: u64) -> Vec<(String, String)> {
        self.pending
            .iter_mut()
            .filter(|p| p.failed.is_none() && p.sent_on != Some(conn))
            .map(|p| {
                p.sent_on = Some(conn);
                (p.client_id.clone(), p.text.clone())
            })
            .collect()
    }

    /// A refused message the agent asked to send again, marked as sent on `conn`.
    pub fn retry_pending(&mut self, client_id: &str, conn: Option<u64>) -> Option<String> {
        let p = self.pending.iter_mut().find(|p| p.client_id == client_id)?;
        p.failed = None;
        p.sent_on = conn;
        Some(p.text.clone())
    }

    /// The latest wrap-up of the ended chat: its tag and note.
    pub fn wrapup(&self) -> Option<(String, Option<String>)> {
        self.events.values().rev().find_map(|e| match &e.body {
            EventBody::Wrapup { disposition, note } => Some((disposition.clone(), note.clone())),
            _ => None,
        })
    }
}
