//! The numbered, persisted log of a session: messages and lifecycle events,
//! plus the delivered/read receipts that refer to it.

use serde::{Deserialize, Serialize};

use crate::{AgentInfo, CallAction, CallEndReason, FieldError, FormOutcome, Millis, Role};

/// One entry of a session's log. `seq` starts at 1 and has no gaps, so a
/// client that remembers the last `seq` it saw can resume exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub at: Millis,
    pub author: Role,
    /// Display name of the author, when there is one (agents, identified visitors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened. New kinds are added here and documented in docs/protocol.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// A chat message. `client_id` is the sender's own id for it, echoed so
    /// the sender can match its optimistic copy and never show it twice.
    Message {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    /// The visitor asked for help (always seq 1).
    Requested {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    /// An agent took the session.
    AgentJoined { agent_id: String, name: String },
    /// The session was closed by one side (or by the system).
    Ended { by: Role },
    /// Screen sharing was requested, started, denied or stopped (audit trail).
    Share { action: ShareAction, by: Role },
    /// The agent highlighted an element on the visitor's page (audit trail).
    Highlight {
        node: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A private note by an agent. Agents only: visitors get `redacted`.
    Note { text: String },
    /// The session moved from one agent to another agent (`to`) or back to
    /// the queue of another skill (`skill`).
    Transferred {
        from: AgentInfo,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<AgentInfo>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skill: Option<String>,
    },
    /// What a visitor sees in place of an agents-only entry, so the log's
    /// numbering stays without gaps on their side too.
    Redacted,
    /// A voice call started, was answered or ended (transcript).
    Call {
        call: String,
        action: CallAction,
        by: Role,
        /// For `ended`: how long the call was connected (0 if never answered).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<CallEndReason>,
    },
    /// The agent proposed values for these fields (names only, never values).
    FormPush {
        push: u32,
        url: String,
        fields: Vec<String>,
    },
    /// The visitor's answer to form push `push`: which fields were applied,
    /// which they rejected, and which the widget refused and why.
    FormAnswer {
        push: u32,
        outcome: FormOutcome,
        #[serde(default)]
        applied: Vec<String>,
        #[serde(default)]
        rejected: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        errors: Vec<FieldError>,
    },
    /// The agent proposed another page of the site.
    PagePush {
        push: u32,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// The visitor's answer to page push `push`; on yes their page navigates.
    PageAnswer { push: u32, accepted: bool },
    /// Nobody could answer; the visitor left a message or asked to be called back.
    Callback { callback: crate::Callback },
    /// The agent's wrap-up of the ended session: a disposition tag (one of
    /// [`crate::DISPOSITIONS`]) and an optional note. Agents only: visitors
    /// get `redacted`. A later wrap-up replaces an earlier one.
    Wrapup {
        disposition: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareAction {
    Requested,
    Started,
    Denied,
    Stopped,
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Message { .. } => "message",
            EventBody::Requested { .. } => "requested",
            EventBody::AgentJoined { .. } => "agent_joined",
            EventBody::Ended { .. } => "ended",
            EventBody::Share { .. } => "share",
            EventBody::Highlight { .. } => "highlight",
            EventBody::FormPush { .. } => "form_push",
            EventBody::FormAnswer { .. } => "form_answer",
            EventBody::PagePush { .. } => "page_push",
            EventBody::PageAnswer { .. } => "page_answer",
            EventBody::Call { .. } => "call",
            EventBody::Note { .. } => "note",
            EventBody::Transferred { .. } => "transferred",
            EventBody::Redacted => "redacted",
            EventBody::Callback { .. } => "callback",
            EventBody::Wrapup { .. } => "wrapup",
        }
    }
}

impl EventBody {
    /// Whether only agents may see this entry.
    pub fn agents_only(&self) -> bool {
        matches!(self, EventBody::Note { .. } | EventBody::Wrapup { .. })
    }
}

impl Event {
    /// The event as `reader` may see it: private entries become `redacted`
    /// for visitors (same seq, time and author, no content).
    pub fn for_reader(&self, reader: Role) -> std::borrow::Cow<'_, Event> {
        if reader == Role::Visitor && self.body.agents_only() {
            std::borrow::Cow::Owned(Event {
                author_name: None,
                body: EventBody::Redacted,
                ..self.clone()
            })
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }
}

/// Delivered means the reader's device received it; read means it was shown
/// to them while the chat was visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    Delivered,
    Read,
}

/// Highest `seq` each side has received and read. Receipts are monotonic:
/// a lower value than the stored one is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Receipts {
    pub visitor_delivered: u64,
    pub visitor_read: u64,
    pub agent_delivered: u64,
    pub agent_read: u64,
}

impl Receipts {
    /// Raises the counter for `reader`/`kind` to `seq`; returns whether it moved.
    /// Read implies delivered.
    pub fn raise(&mut self, reader: Role, kind: ReceiptKind, seq: u64) -> bool {
        let (delivered, read) = match reader {
            Role::Visitor => (&mut self.visitor_delivered, &mut self.visitor_read),
            Role::Agent => (&mut self.agent_delivered, &mut self.agent_read),
            Role::System => return false,
        };
        let mut moved = false;
        if seq > *delivered {
            *delivered = seq;
            moved = true;
        }
        if kind == ReceiptKind::Read && seq > *read {
            *read = seq;
            moved = true;
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_serialises_flat_with_kind() {
        let ev = Event {
            seq: 3,
            at: 1_700_000_000_000,
            author: Role::Visitor,
            author_name: None,
            body: EventBody::Message {
                text: "hi".into(),
                client_id: Some("c1".into()),
            },
        };
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(json["kind"], "message");
        assert_eq!(json["text"], "hi");
        assert_eq!(json["author"], "visitor");
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, ev);
    }

    #[test]
    fn notes_are_redacted_for_visitors_only() {
        let note = Event {
            seq: 4,
            at: 1,
            author: Role::Agent,
            author_name: Some("Ann".into()),
            body: EventBody::Note { text: "VIP".into() },
        };
        let seen = note.for_reader(Role::Visitor);
        assert_eq!(seen.body, EventBody::Redacted);
        assert_eq!((seen.seq, seen.author_name.as_deref()), (4, None));
        assert!(!serde_json::to_string(&*seen).unwrap().contains("VIP"));
        assert_eq!(*note.for_reader(Role::Agent), note);
    }

    #[test]
    fn wrapups_are_redacted_for_visitors_only() {
        let wrapup = Event {
            seq: 9,
            at: 1,
            author: Role::Agent,
            author_name: Some("Ann".into()),
            body: EventBody::Wrapup {
                disposition: "sale".into(),
                note: Some("upsold the warranty".into()),
            },
        };
        let seen = serde_json::to_string(&*wrapup.for_reader(Role::Visitor)).unwrap();
        assert!(
            !seen.contains("sale") && !seen.contains("warranty"),
            "{seen}"
        );
        assert_eq!(*wrapup.for_reader(Role::Agent), wrapup);
        let json = serde_json::to_value(&wrapup).unwrap();
        assert_eq!(
            (json["kind"].as_str(), json["disposition"].as_str()),
            (Some("wrapup"), Some("sale"))
        );
    }

    #[test]
    fn receipts_are_monotonic_and_read_implies_delivered() {
        let mut r = Receipts::default();
        assert!(r.raise(Role::Agent, ReceiptKind::Read, 5));
        assert_eq!((r.agent_delivered, r.agent_read), (5, 5));
        assert!(!r.raise(Role::Agent, ReceiptKind::Delivered, 4));
        assert!(r.raise(Role::Visitor, ReceiptKind::Delivered, 2));
        assert_eq!(r.visitor_read, 0);
    }
}
