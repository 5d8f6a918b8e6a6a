//! The numbered, persisted log of a session: messages and lifecycle events,
//! plus the delivered/read receipts that refer to it.

use serde::{Deserialize, Serialize};

use crate::{AgentInfo, CallAction, CallEndReason, FieldError, FormOutcome, Millis, Role};

/// One entry of a session's log. `seq` starts at 1 and only increases (a
/// number whose store failed is never used, so it may skip), and a client
/// that remembers the last `seq` it saw can resume exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// The entry's number in the session's log, from 1, increasing.
    pub seq: u64,
    /// When it was logged (ms since the epoch).
    pub at: Millis,
    /// Who caused it: `visitor`, `agent` or `system` (the server).
    pub author: Role,
    /// Display name of the author, when there is one (agents, identified visitors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// What happened: the `kind` tag and its fields, flat in the entry.
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened. New kinds are added here and documented in docs/protocol.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// A chat message. `client_id` is the sender's own id for it, echoed so
    /// the sender can match its optimistic copy and never show it twice.
    Message {
        /// The message as sent (≤ 4,000 characters).
        text: String,
        /// The sender's own id from `chat.send`; absent when it gave none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    /// The visitor asked for help (always seq 1).
    Requested {
        /// The topic the visitor picked; absent for none, or once erased for privacy.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
    },
    /// An agent took the session.
    AgentJoined {
        /// The id of the agent who took it.
        agent_id: String,
        /// That agent's display name.
        name: String,
    },
    /// The session was closed by one side (or by the system).
    Ended {
        /// Who closed it: `visitor`, `agent` or `system`.
        by: Role,
    },
    /// Screen sharing was requested, started, denied or stopped (audit trail).
    Share {
        /// Which consent step this was.
        action: ShareAction,
        /// Who took it; `system` when a change of agent stopped the sharing.
        by: Role,
    },
    /// The agent highlighted an element on the visitor's page (audit trail).
    Highlight {
        /// The capture's id of the outlined element.
        node: u32,
        /// The text shown with the outline; absent for none, or once erased.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// A private note by an agent. Agents only: visitors get `redacted`.
    Note {
        /// The note's text (≤ 4,000 characters).
        text: String,
    },
    /// The session moved from one agent to another agent (`to`) or back to
    /// the queue of another skill (`skill`).
    Transferred {
        /// The agent who handed the session on.
        from: AgentInfo,
        /// The agent who has it now; absent for a transfer to a skill.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<AgentInfo>,
        /// The skill whose queue it went back to; absent for a transfer to an agent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skill: Option<String>,
    },
    /// What a visitor sees in place of an agents-only entry, so the log's
    /// numbering stays without gaps on their side too.
    Redacted,
    /// A voice call started, was answered or ended (transcript).
    Call {
        /// The call's id, as in its `call` frames.
        call: String,
        /// Started, answered or ended.
        action: CallAction,
        /// Who did it; `system` for a ring timeout, the session's end or a transfer.
        by: Role,
        /// For `ended`: how long the call was connected (0 if never answered).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<u64>,
        /// For `ended`: why the call ended; absent for the other actions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<CallEndReason>,
    },
    /// The agent proposed values for these fields (names only, never values).
    FormPush {
        /// The push's number in the session, quoted by its answer.
        push: u32,
        /// The page the fields are on.
        url: String,
        /// Names of the fields the agent proposed values for.
        fields: Vec<String>,
    },
    /// The visitor's answer to form push `push`: which fields were applied,
    /// which they rejected, and which the widget refused and why.
    FormAnswer {
        /// The number of the push answered.
        push: u32,
        /// Whether the fields were applied, in part, not at all, or refused.
        outcome: FormOutcome,
        /// Names of the fields the widget filled in.
        #[serde(default)]
        applied: Vec<String>,
        /// Names of the fields the visitor turned down.
        #[serde(default)]
        rejected: Vec<String>,
        /// Fields the widget refused, each with the reason; absent when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        errors: Vec<FieldError>,
    },
    /// The agent proposed another page of the site.
    PagePush {
        /// The push's number in the session, quoted by its answer.
        push: u32,
        /// The proposed page.
        url: String,
        /// The short name the agent gave the page; absent for none, or once erased.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// The visitor's answer to page push `push`; on yes their page navigates.
    PageAnswer {
        /// The number of the push answered.
        push: u32,
        /// True when the visitor agreed to go.
        accepted: bool,
    },
    /// Nobody could answer; the visitor left a message or asked to be called back.
    Callback {
        /// How the visitor asked to hear back; erased contact details are empty.
        callback: crate::Callback,
    },
    /// The agent's wrap-up of the ended session: a disposition tag (one of
    /// [`crate::DISPOSITIONS`]) and an optional note. Agents only: visitors
    /// get `redacted`. A later wrap-up replaces an earlier one.
    Wrapup {
        /// The tag the agent chose.
        disposition: String,
        /// The agent's note (≤ 1,000 characters); absent for none, or once erased.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// A consent step of screen sharing, logged as a `share` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShareAction {
    /// The agent asked the visitor to share (`cobrowse.request`).
    Requested,
    /// The visitor started sharing (`cobrowse.start`).
    Started,
    /// The visitor declined (`cobrowse.deny`).
    Denied,
    /// Sharing stopped, by either side or by the system.
    Stopped,
}

impl EventBody {
    /// The `kind` tag this entry carries on the wire.
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
    /// The reader's device received the events.
    Delivered,
    /// The events were shown to the reader while the chat was visible.
    Read,
}

/// Highest `seq` each side has received and read. Receipts are monotonic:
/// a lower value than the stored one is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Receipts {
    /// Highest seq the visitor's device received; 0 for none.
    pub visitor_delivered: u64,
    /// Highest seq the visitor was shown; 0 for none.
    pub visitor_read: u64,
    /// Highest seq the agent's device received; 0 for none.
    pub agent_delivered: u64,
    /// Highest seq the agent was shown; 0 for none.
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
