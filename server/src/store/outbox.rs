//! The webhook outbox: which log entries are kept for webhooks, written in
//! the same transaction as the entries themselves (so a crash loses neither
//! alone), and which webhook event types each one becomes. The dispatcher
//! (webhooks/) fans the outbox out to subscriptions and delivers.
//!
//! Nothing is written while no subscription wants an entry's kind: the chat
//! path pays for webhooks only when they are used. `Interest` is set by the
//! dispatcher from the subscriptions (within a second of a change).

use std::collections::HashSet;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use protocol::webhook::WebhookEventType as T;
use protocol::{CallAction, Event, EventBody, ShareAction};

/// The outbox's `kind` of an identity change (not a log entry).
pub const IDENTIFIED: &str = "identified";

/// One row of `webhook_outbox`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub event_id: String,
    /// The log entry's kind, or [`IDENTIFIED`].
    pub kind: String,
    pub session_id: Option<String>,
    pub visitor_id: Option<String>,
    pub at: i64,
    /// The log entry as JSON.
    pub entry: Option<String>,
}

/// A row read back, to be fanned out.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Its place in the outbox (oldest first).
    pub id: i64,
    pub event_id: String,
    pub kind: String,
    pub session_id: Option<String>,
    pub visitor_id: Option<String>,
    pub at: i64,
    pub entry: Option<Event>,
}

/// The log kind behind a webhook event type (`None`: an identity change).
pub fn log_kind(t: T) -> Option<&'static str> {
    Some(match t {
        T::ConversationQueued => "requested",
        T::ConversationAccepted => "agent_joined",
        T::ConversationTransferred => "transferred",
        T::ConversationEnded | T::CallbackDone => "ended",
        T::Message => "message",
        T::Note => "note",
        T::WrapupSaved => "wrapup",
        T::CallbackRequested => "callback",
        T::ShareStarted | T::ShareStopped => "share",
        T::CallStarted | T::CallEnded => "call",
        T::CustomerIdentified => return None,
    })
}

/// The webhook event types a log entry becomes; `had_callback` says whether
/// its conversation had a call-back (an end is then also `callback.done`).
pub fn types_of(entry: &Event, had_callback: bool) -> Vec<T> {
    match &entry.body {
        EventBody::Requested { .. } => vec![T::ConversationQueued],
        EventBody::AgentJoined { .. } => vec![T::ConversationAccepted],
        EventBody::Transferred { .. } => vec![T::ConversationTransferred],
        EventBody::Ended { .. } if had_callback => vec![T::ConversationEnded, T::CallbackDone],
        EventBody::Ended { .. } => vec![T::ConversationEnded],
        EventBody::Message { .. } => vec![T::Message],
        EventBody::Note { .. } => vec![T::Note],
        EventBody::Wrapup { .. } => vec![T::WrapupSaved],
        EventBody::Callback { .. } => vec![T::CallbackRequested],
        EventBody::Share {
            action: ShareAction::Started,
            ..
        } => vec![T::ShareStarted],
        EventBody::Share {
            action: ShareAction::Stopped,
            ..
        } => vec![T::ShareStopped],
        EventBody::Call {
            action: CallAction::Started,
            ..
        } => vec![T::CallStarted],
        EventBody::Call {
            action: CallAction::Ended,
            ..
        } => vec![T::CallEnded],
        _ => vec![],
    }
}

/// What the subscriptions want kept.
#[derive(Default)]
pub struct Interest {
    kinds: RwLock<HashSet<&'static str>>,
    identities: AtomicBool,
}

impl Interest {
    /// Keeps what these subscribed types need, and nothing else.
    pub fn set(&self, types: &[T]) {
        let kinds: HashSet<&'static str> = types.iter().filter_map(|t| log_kind(*t)).collect();
        *self.kinds.write().unwrap_or_else(|e| e.into_inner()) = kinds;
        self.identities
            .store(types.contains(&T::CustomerIdentified), Ordering::Relaxed);
    }

    pub fn wants_identities(&self) -> bool {
        self.identities.load(Ordering::Relaxed)
    }

    /// The outbox rows of a batch of log entries: those of a wanted kind.
    pub fn rows(&self, batch: &[(String, Event)]) -> Vec<OutboxRow> {
        let kinds = self.kinds.read().unwrap_or_else(|e| e.into_inner());
        if kinds.is_empty() {
            return Vec::new();
        }
        batch
            .iter()
            .filter(|(_, e)| kinds.contains(e.body.kind()))
            .map(|(session, e)| OutboxRow {
                event_id: format!("evt_{session}_{}", e.seq),
                kind: e.body.kind().to_string(),
                session_id: Some(session.clone()),
                visitor_id: None,
                at: e.at,
                entry: Some(serde_json::to_string(e).expect("plain data serialises")),
            })
            .collect()
    }

    /// The outbox row of an identity change, if identities are wanted.
    pub fn identity_row(&self, visitor_id: &str, at: i64) -> Option<OutboxRow> {
        self.wants_identities().then(|| OutboxRow {
            event_id: crate::ids::new_id("evt_"),
            kind: IDENTIFIED.to_string(),
            session_id: None,
            visitor_id: Some(visitor_id.to_string()),
            at,
            entry: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use protocol::Role;

    use super::*;

    fn entry(seq: u64, body: EventBody) -> (String, Event) {
        let e = Event {
            seq,
            at: 5,
            author: Role::System,
            author_name: None,
            body,
        };
        ("s_1".to_string(), e)
    }

    #[test]
    fn only_wanted_kinds_are_kept_and_nothing_without_subscriptions() {
        let interest = Interest::default();
        let batch = [
            entry(1, EventBody::Requested { topic: None }),
            entry(
                2,
                EventBody::Message {
                    text: "hi".into(),
                    client_id: None,
                },
            ),
            entry(3, EventBody::Note { text: "vip".into() }),
        ];
        assert!(interest.rows(&batch).is_empty());
        interest.set(&[T::Message, T::CallbackDone]);
        let rows = interest.rows(&batch);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].event_id.as_str(), rows[0].kind.as_str()),
            ("evt_s_1_2", "message")
        );
        assert!(!interest.wants_identities());
        assert_eq!(interest.identity_row("v_1", 1), None);
        interest.set(&[T::CustomerIdentified]);
        assert!(interest.rows(&batch).is_empty());
        assert_eq!(interest.identity_row("v_1", 1).unwrap().kind, IDENTIFIED);
    }

    #[test]
    fn every_type_has_its_entry_and_back() {
        for t in T::ALL {
            let Some(kind) = log_kind(t) else {
                assert_eq!(t, T::CustomerIdentified);
                continue;
            };
            assert!(!kind.is_empty());
        }
        let (_, ended) = entry(9, EventBody::Ended { by: Role::Visitor });
        assert_eq!(
            types_of(&ended, true),
            [T::ConversationEnded, T::CallbackDone]
        );
        assert_eq!(types_of(&ended, false), [T::ConversationEnded]);
        let (_, asked) = entry(
            4,
            EventBody::Share {
                action: ShareAction::Requested,
                by: Role::Agent,
            },
        );
        assert!(types_of(&asked, false).is_empty());
    }
}
