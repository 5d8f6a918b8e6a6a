//! Which server frame goes where: one arm per frame type, each handing the
//! frame's fields to its family's handler (`session.rs`, `queue.rs`,
//! `chat.rs`, `cobrowse.rs`, `call.rs`, `form.rs`, `error.rs`).

use super::core::App;
use crate::decode::{self, Incoming};

impl App {
    pub(super) fn on_text(&mut self, text: &str) {
        // Malformed frames, and types we do not handle (agent-only frames,
        // or new ones from a newer server), are skipped.
        let Some((rid, frame)) = decode::parse(text) else {
            return;
        };
        match frame {
            Incoming::Welcome {
                visitor_id,
                token,
                sessions,
            } => self.on_welcome(visitor_id, token, &sessions),
            Incoming::QueuePosition { session, place } => self.on_queue_position(&session, place),
            Incoming::Session(summary) => self.on_session(&summary),
            Incoming::Event { session, event } => self.on_event(&session, &event),
            Incoming::History {
                session,
                events,
                receipts,
                more,
            } => self.on_history(&session, &events, &receipts, more),
            Incoming::Typing {
                session,
                author,
                active,
            } => self.on_typing(&session, author, active),
            Incoming::Receipts { session, receipts } => self.on_receipts(&session, &receipts),
            Incoming::Cobrowse { session, state } => self.on_cobrowse(&session, state),
            Incoming::KeyframeRequest { session } => self.on_keyframe_request(&session),
            Incoming::Pointer {
                session,
                node,
                x,
                y,
            } => self.on_pointer(&session, node.map(|n| (n, x, y))),
            Incoming::Highlight {
                session,
                node,
                label,
            } => self.on_highlight(&session, node, label.as_deref()),
            Incoming::HighlightClear { session } => self.on_highlight_clear(&session),
            Incoming::Call { session, call } => self.on_call(&session, &call),
            Incoming::CallCredentials {
                session,
                call,
                ice_servers,
                expires_at,
            } => self.on_call_credentials(&session, &call, &ice_servers, expires_at),
            Incoming::CallSignal {
                session,
                call,
                signal,
            } => self.on_call_signal(&session, &call, signal),
            Incoming::CallMute {
                session,
                call,
                muted,
            } => self.on_call_mute(&session, &call, muted),
            Incoming::FormFieldsRequest { session } => self.on_fields_request(&session),
            Incoming::FormPush {
                session,
                push,
                url,
                fields,
                by,
            } => self.on_form_push(&session, push, &url, fields, by),
            Incoming::PagePush {
                session,
                push,
                url,
                label,
                by,
            } => self.on_page_push(&session, push, url, label, by),
            Incoming::Error {
                code,
                message,
                session,
            } => self.on_error(&code, &message, session, rid),
        }
    }
}
