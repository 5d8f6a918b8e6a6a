//! The chat: the session's log (`event`, `history` and the outbox waiting
//! for their echo), typing on both sides, and delivered/read receipts.

use protocol::limits::MAX_MESSAGE_CHARS;
use protocol::{ClientFrame, Event, EventBody, ReceiptKind, Receipts, Role};

use super::core::{Acked, App};
use crate::browser::{self, now};
use crate::state::Applied;

/// How long the agent's "typing" stays shown without a refresh: the console
/// re-sends it every few seconds while the agent types, so a lost "stopped"
/// cannot leave it up forever.
const AGENT_TYPING_TTL_MS: f64 = 6000.0;

impl App {
    pub(super) fn on_event(&mut self, session: &str, event: &Event) {
        let applied = self.convo.apply_event(session, event);
        if !matches!(applied, Applied::Duplicate) {
            self.on_push_event(&event.body);
        }
        if self.convo.request.is_none() {
            // The event answered our request (see `Conversation::apply_event`).
            self.request_rid = None;
        }
        self.after_event(event, applied);
        // Messages typed before the session had an id can go now.
        self.flush_outbox();
    }

    pub(super) fn on_history(
        &mut self,
        session: &str,
        events: &[Event],
        receipts: &Receipts,
        more: bool,
    ) {
        if !self.is_ours(session) {
            return;
        }
        for event in events {
            let applied = self.convo.apply_event(session, event);
            self.after_event(event, applied);
        }
        self.convo.apply_receipts(session, receipts);
        if more && !events.is_empty() {
            self.sync();
        } else {
            self.syncing = false;
            self.flush_outbox();
        }
    }

    /// SDK `message` events, unread count, and the agent's typing indicator.
    fn after_event(&mut self, event: &Event, applied: Applied) {
        let Applied::Message { .. } = applied else {
            if matches!(event.body, EventBody::Ended { .. }) {
                self.agent_typing_until = None;
            }
            return;
        };
        if let EventBody::Message { text, client_id } = &event.body {
            if let Some(id) = client_id {
                self.in_flight.retain(|f| f != id);
            }
            self.emitter.emit(
                "message",
                &[
                    ("author", event.author.as_str().into()),
                    ("text", text.as_str().into()),
                    ("at", (event.at as f64).into()),
                    ("seq", (event.seq as f64).into()),
                ],
            );
        }
        if event.author == Role::Agent {
            // The agent sent what they were typing.
            self.agent_typing_until = None;
            if !self.open || !browser::document_visible() {
                self.unread += 1;
            }
        }
    }

    /// `typing`: the agent's indicator (our own side's echoes are ignored).
    pub(super) fn on_typing(&mut self, session: &str, author: Role, active: bool) {
        if author == Role::Agent && self.is_ours(session) {
            self.agent_typing_until = active.then(|| now() + AGENT_TYPING_TTL_MS);
        }
    }

    pub(super) fn on_receipts(&mut self, session: &str, receipts: &Receipts) {
        self.convo.apply_receipts(session, receipts);
    }

    /// A chat message from the visitor; with no open conversation it
    /// becomes the first message of a new request.
    pub(super) fn say(&mut self, text: String) {
        let text = clip(text.trim());
        if text.is_empty() {
            return;
        }
        if !self.convo.phase.has_session() {
            self.set_open(true, false);
            self.request_help(None, text);
            return;
        }
        let client_id = self.next_client_id();
        self.convo
            .transcript
            .queue_message(client_id, text, now() as i64);
        if let Some(active) = self.typing.stop() {
            self.send_typing(active);
        }
        self.flush_outbox();
    }

    /// The message box changed: "typing" or "stopped" for the agent.
    pub(super) fn on_typed(&mut self) {
        if self.convo.phase.has_session() {
            let typed = !self.view.draft().trim().is_empty();
            let signal = if typed {
                self.typing.on_input(now())
            } else {
                self.typing.stop()
            };
            if let Some(active) = signal {
                self.send_typing(active);
            }
        }
    }

    pub(super) fn send_typing(&mut self, active: bool) {
        if let Some(session) = self.convo.session.clone() {
            self.send(ClientFrame::Typing { session, active });
        }
    }

    /// Sends the messages typed while offline or before the session existed.
    pub(super) fn flush_outbox(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        if !self.link.welcomed || self.syncing || !self.convo.phase.has_session() {
            return;
        }
        let due: Vec<(String, String)> = self
            .convo
            .transcript
            .outbox()
            .filter(|(id, _)| !self.in_flight.iter().any(|f| f == id))
            .map(|(id, text)| (id.to_string(), text.to_string()))
            .collect();
        for (client_id, text) in due {
            let frame = ClientFrame::ChatSend {
                session: session.clone(),
                client_id: Some(client_id.clone()),
                text,
            };
            if !self.send(frame) {
                break;
            }
            self.in_flight.push(client_id);
        }
    }

    /// Asks for the log after what we have; the outbox waits for the answer.
    pub(super) fn sync(&mut self) {
        if let Some(session) = self.convo.session.clone() {
            self.syncing = self.send(ClientFrame::SessionSync {
                session,
                after_seq: self.convo.transcript.last_seq,
            });
        }
    }

    /// Acknowledges agent events: delivered as soon as they arrive, read
    /// while the panel is open on a visible page. Part of `settle`.
    pub(super) fn send_receipts(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        if !self.link.welcomed || self.syncing {
            return;
        }
        if self.acked.session.as_ref() != Some(&session) {
            self.acked = Acked {
                session: Some(session.clone()),
                delivered: 0,
                read: 0,
            };
        }
        let seq = self.convo.transcript.last_agent_seq;
        if seq > self.acked.delivered
            && self.send(ClientFrame::Receipt {
                session: session.clone(),
                kind: ReceiptKind::Delivered,
                seq,
            })
        {
            self.acked.delivered = seq;
        }
        if seq > self.acked.read
            && self.open
            && browser::document_visible()
            && self.send(ClientFrame::Receipt {
                session,
                kind: ReceiptKind::Read,
                seq,
            })
        {
            self.acked.read = seq;
            self.unread = 0;
        }
    }
}

/// The server refuses longer messages; cut rather than lose the whole text.
pub(super) fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
}
