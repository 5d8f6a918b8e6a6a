//! One conversation as the console holds it: the session summary, the
//! numbered log, the messages the agent sent that the server has not yet
//! numbered, receipts and typing. Pure data and rules, no browser calls, so
//! the reconciliation logic is tested natively.

use std::collections::BTreeMap;

use protocol::{
    CallAction, CallEndReason, Callback, Event, EventBody, Millis, Receipts, Role, SessionState,
    SessionSummary, ShareAction,
};

/// How long a visitor's "typing" stays shown without a fresh `typing` frame.
/// The visitor's widget may vanish without sending `active: false`.
pub const TYPING_STALE_MS: Millis = 8_000;

/// Consecutive messages by the same author within this window share one
/// header (name and time), which keeps the list dense.
const GROUP_WINDOW_MS: Millis = 5 * 60_000;

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

/// One line of the message list, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Stable identity for keyed rendering: the seq for logged events, the
    /// client id (and failure state) for pending ones.
    pub key: String,
    pub at: Millis,
    pub kind: RowKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowKind {
    Message {
        seq: u64,
        author: Role,
        author_name: Option<String>,
        text: String,
        /// False when the previous row is a message by the same author a
        /// moment earlier: the view then leaves out the name and time.
        starts_group: bool,
    },
    System {
        seq: u64,
        text: String,
    },
    /// A private note: agents only, never shown to the visitor.
    Note {
        seq: u64,
        author_name: Option<String>,
        text: String,
    },
    Pending {
        client_id: String,
        text: String,
        failed: Option<String>,
    },
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
    events: BTreeMap<u64, Event>,
    pending: Vec<Pending>,
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

    /// Everything to show in the message list, oldest first, pending last.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::with_capacity(self.events.len() + self.pending.len());
        let mut prev: Option<(Role, Millis)> = None;
        for e in self.events.values() {
            let kind = match &e.body {
                EventBody::Message { text, .. } => {
                    let starts_group = !matches!(prev, Some((author, at)) if author == e.author && e.at - at < GROUP_WINDOW_MS);
                    prev = Some((e.author, e.at));
                    RowKind::Message {
                        seq: e.seq,
                        author: e.author,
                        author_name: e.author_name.clone(),
                        text: text.clone(),
                        starts_group,
                    }
                }
                EventBody::Note { text } => {
                    prev = None;
                    RowKind::Note {
                        seq: e.seq,
                        author_name: e.author_name.clone(),
                        text: text.clone(),
                    }
                }
                body => {
                    prev = None;
                    let name = e.author_name.as_deref();
                    RowKind::System {
                        seq: e.seq,
                        text: crate::audit::audit_text(body, name, &self.events)
                            .unwrap_or_else(|| system_text(body, name)),
                    }
                }
            };
            rows.push(Row {
                key: e.seq.to_string(),
                at: e.at,
                kind,
            });
        }
        for p in &self.pending {
            rows.push(Row {
                key: format!("p:{}:{}", p.client_id, p.failed.is_some()),
                at: p.at,
                kind: RowKind::Pending {
                    client_id: p.client_id.clone(),
                    text: p.text.clone(),
                    failed: p.failed.clone(),
                },
            });
        }
        rows
    }
}

/// The sentence shown for a lifecycle event.
fn system_text(body: &EventBody, author_name: Option<&str>) -> String {
    match body {
        EventBody::Requested { topic: Some(topic) } => format!("Visitor asked for help · {topic}"),
        EventBody::Requested { topic: None } => "Visitor asked for help".into(),
        EventBody::AgentJoined { name, .. } => format!("{name} joined the chat"),
        EventBody::Ended { by } => match by {
            Role::Visitor => "The visitor ended the chat".into(),
            Role::Agent => match author_name {
                Some(name) => format!("{name} ended the chat"),
                None => "The agent ended the chat".into(),
            },
            Role::System => "The chat was closed".into(),
        },
        EventBody::Message { text, .. } => text.clone(),
        EventBody::Share { action, by } => match (action, by) {
            (ShareAction::Requested, _) => "You asked to see the visitor's screen".into(),
            (ShareAction::Started, _) => "The visitor is sharing their screen".into(),
            (ShareAction::Denied, _) => "The visitor declined to share their screen".into(),
            (ShareAction::Stopped, Role::Visitor) => {
                "The visitor stopped sharing their screen".into()
            }
            (ShareAction::Stopped, Role::Agent) => "You stopped screen sharing".into(),
            // Only a change of agent stops it on its own; the next agent asks again.
            (ShareAction::Stopped, Role::System) => {
                "Screen sharing ended with the transfer; ask again to see the screen".into()
            }
        },
        EventBody::Highlight {
            label: Some(label), ..
        } => format!("Highlighted “{label}” on the visitor's page"),
        EventBody::Highlight { label: None, .. } => {
            "Highlighted an element on the visitor's page".into()
        }
        // Pushes and answers: see `audit.rs`.
        EventBody::FormPush { .. }
        | EventBody::FormAnswer { .. }
        | EventBody::PagePush { .. }
        | EventBody::PageAnswer { .. } => String::new(),
        EventBody::Transferred {
            from, to: Some(to), ..
        } => format!("{} transferred the chat to {}", from.name, to.name),
        EventBody::Transferred { from, skill, .. } => match skill {
            Some(skill) => format!("{} sent the chat to the {skill} queue", from.name),
            None => format!("{} sent the chat back to the queue", from.name),
        },
        EventBody::Note { text } => text.clone(),
        EventBody::Wrapup { disposition, note } => {
            let tag = crate::format::disposition_label(disposition);
            match note {
                Some(note) => format!("Wrapped up as {tag} · {note}"),
                None => format!("Wrapped up as {tag}"),
            }
        }
        // Agents get `redacted` only for entries erased for privacy
        // (docs/privacy.md): the entry stays so the numbering has no gaps.
        EventBody::Redacted => "Erased for privacy".into(),
        EventBody::Callback { callback } => match callback {
            // An erased call-back keeps its kind, not its contact.
            Callback::Message { email } if email.is_empty() => {
                "Nobody was free: the visitor asked for an answer by email (address erased)".into()
            }
            Callback::Phone { phone, .. } if phone.is_empty() => {
                "Nobody was free: the visitor asked to be called back (number erased)".into()
            }
            Callback::Message { email } => {
                format!("Nobody was free: the visitor asked for an answer by email at {email}")
            }
            Callback::Phone { phone, at: None } => {
                format!("Nobody was free: the visitor asked to be called back at {phone}")
            }
            Callback::Phone {
                phone,
                at: Some(at),
            } => format!(
                "Nobody was free: the visitor asked to be called back at {phone}, {}",
                crate::clock::full_time(*at)
            ),
            Callback::Browser => {
                "Nobody was free: the visitor asked to be answered here when someone is".into()
            }
        },
        EventBody::Call {
            action,
            by,
            duration_ms,
            reason,
            ..
        } => call_text(*action, *by, author_name, *duration_ms, *reason),
    }
}

/// The transcript's line for a call event.
fn call_text(
    action: CallAction,
    by: Role,
    author_name: Option<&str>,
    duration_ms: Option<u64>,
    reason: Option<CallEndReason>,
) -> String {
    let who = match (by, author_name) {
        (Role::Visitor, _) => "the visitor",
        (_, Some(name)) => name,
        _ => "the agent",
    };
    match (action, reason) {
        (CallAction::Started, _) => format!("Call started by {who}"),
        (CallAction::Answered, _) => format!("Call answered by {who}"),
        (CallAction::Ended, Some(CallEndReason::Declined)) => format!("Call declined by {who}"),
        (CallAction::Ended, Some(CallEndReason::Cancelled)) => {
            "Call cancelled before it was answered".into()
        }
        (CallAction::Ended, Some(CallEndReason::NoAnswer)) => "Call not answered".into(),
        (CallAction::Ended, Some(CallEndReason::Failed)) => "Call failed: no network path".into(),
        (CallAction::Ended, Some(CallEndReason::Transferred)) => {
            "Call ended with the transfer".into()
        }
        (CallAction::Ended, _) => match duration_ms.filter(|d| *d > 0) {
            Some(d) => format!("Call ended — {}", crate::format::elapsed(d as Millis)),
            None => "Call ended".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_erased_for_privacy_say_so() {
        assert_eq!(
            system_text(&EventBody::Redacted, None),
            "Erased for privacy"
        );
        let callback = |callback| system_text(&EventBody::Callback { callback }, None);
        let phone = Callback::Phone {
            phone: String::new(),
            at: Some(1),
        };
        assert!(callback(phone).ends_with("(number erased)"));
        let email = Callback::Message {
            email: String::new(),
        };
        assert!(callback(email).ends_with("(address erased)"));
    }

    fn summary() -> SessionSummary {
        SessionSummary {
            id: "s1".into(),
            site: "demo".into(),
            state: SessionState::Active,
            visitor_id: "v_abc".into(),
            visitor_name: None,
            topic: None,
            agent: None,
            page: None,
            requested_at: 0,
            accepted_at: None,
            ended_at: None,
            last_seq: 0,
            share: Default::default(),
            call: None,
            callback: None,
        }
    }

    fn msg(seq: u64, author: Role, text: &str, client_id: Option<&str>) -> Event {
        Event {
            seq,
            at: seq as i64 * 1000,
            author,
            author_name: None,
            body: EventBody::Message {
                text: text.into(),
                client_id: client_id.map(Into::into),
            },
        }
    }

    #[test]
    fn echoed_message_replaces_its_pending_copy() {
        let mut chat = Chat::new(summary());
        chat.add_pending("c1".into(), "Hello".into(), 0, Some(1));
        assert_eq!(chat.rows().len(), 1);
        chat.apply_event(msg(3, Role::Agent, "Hello", Some("c1")));
        let rows = chat.rows();
        assert_eq!(rows.len(), 1);
        assert!(matches!(rows[0].kind, RowKind::Message { seq: 3, .. }));
        assert!(
            !chat.apply_event(msg(3, Role::Agent, "Hello", Some("c1"))),
            "duplicates are ignored"
        );
    }

    #[test]
    fn lost_messages_are_resent_once_per_connection() {
        let mut chat = Chat::new(summary());
        chat.add_pending("c1".into(), "one".into(), 0, Some(1));
        chat.add_pending("c2".into(), "two".into(), 0, None);
        chat.add_pending("c3".into(), "three".into(), 0, Some(2));
        chat.apply_history(
            vec![msg(4, Role::Agent, "one", Some("c1"))],
            Receipts::default(),
        );
        assert_eq!(
            chat.take_resend(2),
            vec![("c2".to_string(), "two".to_string())]
        );
        assert!(chat.take_resend(2).is_empty());
    }

    #[test]
    fn receipts_are_due_once_and_read_covers_delivered() {
        let mut chat = Chat::new(summary());
        chat.apply_event(msg(2, Role::Visitor, "hi", None));
        assert_eq!(chat.delivered_due(), Some(2));
        assert_eq!(chat.unread(), 1);
        chat.mark_read(2);
        assert_eq!(chat.delivered_due(), None);
        assert_eq!(chat.read_due(), None);
        assert_eq!(chat.unread(), 0);
        chat.apply_event(msg(3, Role::Agent, "hello", None));
        assert_eq!(chat.read_due(), None, "our own messages need no receipt");
    }

    #[test]
    fn history_receipts_prevent_resending_old_receipts() {
        let mut chat = Chat::new(summary());
        let receipts = Receipts {
            agent_delivered: 2,
            agent_read: 2,
            ..Receipts::default()
        };
        chat.apply_history(vec![msg(2, Role::Visitor, "hi", None)], receipts);
        assert_eq!(chat.delivered_due(), None);
        assert_eq!(chat.unread(), 0);
    }

    #[test]
    fn ended_event_closes_and_summary_cannot_reopen() {
        let mut chat = Chat::new(summary());
        chat.apply_event(Event {
            seq: 5,
            at: 9,
            author: Role::Visitor,
            author_name: None,
            body: EventBody::Ended { by: Role::Visitor },
        });
        assert!(chat.is_ended());
        chat.set_summary(summary());
        assert!(chat.is_ended());
    }

    #[test]
    fn delivery_follows_visitor_receipts() {
        let mut chat = Chat::new(summary());
        chat.set_receipts(Receipts {
            visitor_delivered: 5,
            visitor_read: 3,
            ..Receipts::default()
        });
        assert_eq!(Delivery::of(3, &chat.receipts), Delivery::Read);
        assert_eq!(Delivery::of(5, &chat.receipts), Delivery::Delivered);
        assert_eq!(Delivery::of(6, &chat.receipts), Delivery::Sent);
    }

    #[test]
    fn consecutive_messages_share_a_header() {
        let mut chat = Chat::new(summary());
        chat.apply_event(msg(2, Role::Visitor, "a", None));
        chat.apply_event(msg(3, Role::Visitor, "b", None));
        chat.apply_event(msg(4, Role::Agent, "c", None));
        let starts: Vec<bool> = chat
            .rows()
            .iter()
            .map(|r| match r.kind {
                RowKind::Message { starts_group, .. } => starts_group,
                _ => true,
            })
            .collect();
        assert_eq!(starts, vec![true, false, true]);
    }

    #[test]
    fn calls_read_in_the_transcript_with_who_and_how_long() {
        let line =
            |action, by, duration_ms, reason| call_text(action, by, None, duration_ms, reason);
        assert_eq!(
            line(CallAction::Started, Role::Agent, None, None),
            "Call started by the agent"
        );
        assert_eq!(
            call_text(CallAction::Started, Role::Agent, Some("Ana"), None, None),
            "Call started by Ana"
        );
        assert_eq!(
            line(
                CallAction::Ended,
                Role::Agent,
                Some(133_000),
                Some(CallEndReason::HungUp)
            ),
            "Call ended — 02:13"
        );
        assert_eq!(
            line(
                CallAction::Ended,
                Role::Visitor,
                Some(0),
                Some(CallEndReason::Declined)
            ),
            "Call declined by the visitor"
        );
        assert_eq!(
            line(
                CallAction::Ended,
                Role::Agent,
                Some(9_000),
                Some(CallEndReason::Failed)
            ),
            "Call failed: no network path"
        );
    }
}

#[cfg(test)]
mod transfer_tests {
    use super::*;
    use protocol::AgentInfo;

    fn by(seq: u64, author: Role, name: Option<&str>, body: EventBody) -> Event {
        Event {
            seq,
            at: seq as i64,
            author,
            author_name: name.map(Into::into),
            body,
        }
    }

    #[test]
    fn after_a_transfer_the_previous_agents_words_are_theirs_and_notes_are_rows() {
        let mut chat = Chat::new(SessionSummary {
            id: "s1".into(),
            site: "demo".into(),
            state: SessionState::Active,
            visitor_id: "v_1".into(),
            visitor_name: None,
            topic: None,
            agent: Some(AgentInfo {
                id: "a_2".into(),
                name: "Ben".into(),
            }),
            page: None,
            requested_at: 0,
            accepted_at: None,
            ended_at: None,
            last_seq: 0,
            share: Default::default(),
            call: None,
            callback: None,
        });
        let said = |text: &str| EventBody::Message {
            text: text.into(),
            client_id: None,
        };
        chat.apply_event(by(1, Role::Agent, Some("Ana"), said("one moment")));
        assert_eq!(
            chat.preview(),
            Some((Preview::Colleague("Ana"), "one moment"))
        );
        chat.apply_event(by(2, Role::Agent, Some("Ben"), said("Ben here")));
        assert_eq!(chat.preview(), Some((Preview::Mine, "Ben here")));
        let note = EventBody::Note { text: "VIP".into() };
        chat.apply_event(by(3, Role::Agent, Some("Ana"), note));
        assert!(chat.rows().iter().any(|r| matches!(
            &r.kind,
            RowKind::Note { text, author_name: Some(n), .. } if text == "VIP" && n == "Ana"
        )));
        // Wrap-ups: the latest one counts, and the log says so.
        assert_eq!(chat.wrapup(), None);
        let tagged = |tag: &str, note: Option<&str>| EventBody::Wrapup {
            disposition: tag.into(),
            note: note.map(str::to_string),
        };
        chat.apply_event(by(4, Role::Agent, Some("Ben"), tagged("spam", None)));
        chat.apply_event(by(
            5,
            Role::Agent,
            Some("Ben"),
            tagged("follow_up", Some("Monday")),
        ));
        assert_eq!(
            chat.wrapup(),
            Some(("follow_up".into(), Some("Monday".into())))
        );
        assert!(chat.rows().iter().any(|r| matches!(
            &r.kind,
            RowKind::System { text, .. } if text == "Wrapped up as Follow up · Monday"
        )));
    }
}
