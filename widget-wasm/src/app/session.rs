//! The session's lifecycle: `welcome` after every (re)connection, the
//! `session` summary on every change, and ending the session.

use protocol::{ClientFrame, SessionState, SessionSummary};

use super::core::App;
use crate::browser::Store;
use crate::state::Phase;

impl App {
    pub(super) fn on_welcome(
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
        // The server counts a connected page as in front.
        if !crate::browser::document_visible() {
            self.tell_visibility();
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

    pub(super) fn on_session(&mut self, summary: &SessionSummary) {
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

    /// "End chat": ends at once on screen; the server's `ended` event
    /// follows (or, offline, the frame waits for the next connection).
    pub(super) fn end_session(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        if !self.convo.phase.has_session() && !self.convo.end_requested {
            return;
        }
        if let Some(active) = self.typing.stop() {
            self.send_typing(active);
        }
        self.convo.phase = Phase::Ended;
        self.convo.end_requested = !self.send(ClientFrame::SessionEnd { session });
        self.agent_typing_until = None;
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
