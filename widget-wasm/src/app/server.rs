//! Frames from the server.

use protocol::{
    ClientEnvelope, ClientFrame, ErrorCode, Event, EventBody, Receipts, Role, SessionState,
    SessionSummary,
};

use super::frames::{self, Incoming};
use super::{AGENT_TYPING_TTL_MS, App};
use crate::browser::{self, Store, now};
use crate::state::{Applied, Phase};

impl App {
    pub(super) fn on_text(&mut self, text: &str) {
        // Malformed frames, and types we do not handle (agent-only frames,
        // or new ones from a newer server), are skipped.
        let Some((rid, frame)) = frames::parse(text) else {
            return;
        };
        match frame {
            Incoming::Welcome {
                visitor_id,
                token,
                sessions,
            } => self.on_welcome(visitor_id, token, &sessions),
            Incoming::QueuePosition { session, place } => {
                self.convo.apply_place(&session, place);
            }
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
                author: Role::Agent,
                active,
            } if self.convo.session.as_deref() == Some(session.as_str()) => {
                self.agent_typing_until = active.then(|| now() + AGENT_TYPING_TTL_MS);
            }
            // Typing echoes of our own side.
            Incoming::Typing { .. } => {}
            Incoming::Receipts { session, receipts } => {
                self.convo.apply_receipts(&session, &receipts);
            }
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
            } if self.is_ours(&session) => {
                self.on_call_credentials(&call, &ice_servers, expires_at)
            }
            Incoming::CallSignal {
                session,
                call,
                signal,
            } if self.is_ours(&session) => self.on_call_signal(&call, signal),
            Incoming::CallMute {
                session,
                call,
                muted,
            } if self.is_ours(&session) => self.on_call_mute(&call, muted),
            Incoming::CallCredentials { .. }
            | Incoming::CallSignal { .. }
            | Incoming::CallMute { .. } => {}
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
            } => {
                // Page frames sent while sharing was being stopped: nothing
                // to tell anyone.
                if code != ErrorCode::NotSharing.as_str() {
                    self.on_error(&code, &message, session, rid);
                }
            }
        }
    }

    fn on_welcome(
        &mut self,
        visitor_id: Option<String>,
        token: Option<String>,
        sessions: &[SessionSummary],
    ) {
        if let Some(token) = token {
            Store::Local.set(&self.options.token_key(), &token);
        }
        self.link.on_welcome();
        if let Some(identity) = self.identity.clone() {
            self.send(identity.frame());
        }
        for summary in sessions.iter().filter(|s| s.state != SessionState::Ended) {
            if self.convo.is_dismissed(&summary.id) {
                // The visitor walked away from it while we were offline.
                self.leave(summary);
            } else if !self.convo.apply_summary(summary) {
                // The server keeps one open session per visitor: if it is not
                // the one we show, ours ended meanwhile. Follow the open one.
                self.convo.reset();
                self.convo.apply_summary(summary);
            }
        }
        // Catch up on our session, whether it was restored from the welcome
        // (after_seq 0: a new page) or kept across a reconnect (resume).
        if self.convo.session.is_some() {
            self.sync();
        }
        if self.convo.session.is_none() {
            self.send_request();
        }
        if self.convo.end_requested {
            self.end_session();
        }
        self.flush_outbox();
        if !self.ready {
            self.ready = true;
            self.emitter.emit(
                "ready",
                &[(
                    "visitor_id",
                    visitor_id
                        .as_deref()
                        .map_or(wasm_bindgen::JsValue::NULL, Into::into),
                )],
            );
        }
    }

    fn on_session(&mut self, summary: &SessionSummary) {
        let before = self.convo.session.clone();
        let was_requesting = self.convo.request.is_some();
        if !self.convo.apply_summary(summary) {
            return;
        }
        if self.convo.request.is_none() {
            self.request_rid = None;
        }
        if !was_requesting && before.as_deref() != Some(summary.id.as_str()) {
            // Opened elsewhere (another tab): fetch what was said before we
            // knew about it.
            self.sync();
        }
        if self.convo.phase == Phase::Ended {
            self.agent_typing_until = None;
            self.typing.stop();
        }
        self.flush_outbox();
    }

    fn on_event(&mut self, session: &str, event: &Event) {
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

    fn on_history(&mut self, session: &str, events: &[Event], receipts: &Receipts, more: bool) {
        if self.convo.session.as_deref() != Some(session) {
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

    fn on_error(&mut self, code: &str, message: &str, session: Option<String>, rid: Option<u64>) {
        self.emitter.emit(
            "error",
            &[("code", code.into()), ("message", message.into())],
        );
        let code = error_code(code);
        let ours = session.is_some() && session == self.convo.session;
        if ours {
            // Whatever failed, do not hold the outbox for a history that may
            // never come; a duplicate is better than a message never sent.
            self.syncing = false;
        }
        let for_request = rid.is_some() && rid == self.request_rid;
        match code {
            // The server closes with 4001 next; reconnecting then starts fresh.
            Some(ErrorCode::BadToken) => self.forget_token(),
            Some(ErrorCode::SessionOpen) if for_request => {
                // We have an open session we did not know of: a new socket's
                // `welcome` lists it, and the pending request adopts it.
                self.request_rid = None;
                self.link.connect(&self.dispatcher, now());
            }
            _ if for_request => {
                // Refused: back to the form with the message, nothing lost.
                self.request_rid = None;
                if let Some(request) = self.convo.request.take() {
                    self.convo.reset();
                    self.view.restore_draft(&request.message);
                }
                self.set_alert(alert_for(code, self.strings));
            }
            Some(ErrorCode::UnknownSession | ErrorCode::Forbidden) if ours => {
                // The session we remembered is gone: start afresh.
                self.convo.dismiss();
            }
            Some(ErrorCode::SessionEnded) if ours => self.sync(),
            Some(
                c @ (ErrorCode::VoiceDisabled | ErrorCode::CallInProgress | ErrorCode::NoCall),
            ) => self.on_call_refused(c),
            Some(
                ErrorCode::RateLimited
                | ErrorCode::Internal
                | ErrorCode::InvalidFrame
                | ErrorCode::FrameTooLarge
                // A call back refused: too many already wait.
                | ErrorCode::QueueFull,
            ) => {
                self.set_alert(alert_for(code, self.strings));
            }
            _ => {}
        }
    }

    /// Sends the pending `help.request`, once per connection.
    pub(super) fn send_request(&mut self) {
        let Some(request) = &self.convo.request else {
            return;
        };
        if request.sent || !self.link.welcomed {
            return;
        }
        let rid = self.next_rid;
        self.next_rid += 1;
        let frame = ClientFrame::HelpRequest {
            topic: request.topic.clone(),
            message: request.message.clone(),
            // The first message is matched through `via_request` instead.
            client_id: None,
            page: Some(browser::page_info()),
        };
        if self.link.send(&ClientEnvelope {
            rid: Some(rid),
            ..ClientEnvelope::new(frame)
        }) {
            self.request_rid = Some(rid);
            if let Some(r) = &mut self.convo.request {
                r.sent = true;
            }
        }
    }

    fn is_ours(&self, session: &str) -> bool {
        self.convo.session.as_deref() == Some(session)
    }

    /// Closes a session the visitor already left on this side.
    fn leave(&mut self, summary: &SessionSummary) {
        let session = summary.id.clone();
        match summary.state {
            SessionState::Queued => self.send(ClientFrame::HelpCancel { session }),
            _ => self.send(ClientFrame::SessionEnd { session }),
        };
    }
}

fn alert_for(code: Option<ErrorCode>, s: &'static crate::i18n::Strings) -> &'static str {
    match code {
        Some(ErrorCode::RateLimited) => s.error_rate_limited,
        // The line and the room beside it are full: nothing was created.
        Some(ErrorCode::QueueFull) => s.error_queue_full,
        _ => s.error_generic,
    }
}

/// The codes the widget acts on; others are only reported to the SDK.
fn error_code(code: &str) -> Option<ErrorCode> {
    [
        ErrorCode::BadToken,
        ErrorCode::SessionOpen,
        ErrorCode::UnknownSession,
        ErrorCode::Forbidden,
        ErrorCode::SessionEnded,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::InvalidFrame,
        ErrorCode::FrameTooLarge,
        ErrorCode::NotSharing,
        ErrorCode::VoiceDisabled,
        ErrorCode::CallInProgress,
        ErrorCode::NoCall,
        ErrorCode::QueueFull,
    ]
    .into_iter()
    .find(|c| c.as_str() == code)
}
