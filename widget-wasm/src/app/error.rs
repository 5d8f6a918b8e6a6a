//! `error` frames: reported to the SDK, then acted on by code (a refused
//! request goes back to the form, a forgotten session is dropped, a refused
//! call gives the microphone back, an alert says what went wrong).

use protocol::ErrorCode;

use super::core::App;
use crate::browser::now;
use crate::i18n::Strings;

impl App {
    pub(super) fn on_error(
        &mut self,
        code: &str,
        message: &str,
        session: Option<String>,
        rid: Option<u64>,
    ) {
        // Page frames sent while sharing was being stopped: nothing to tell
        // anyone.
        if code == ErrorCode::NotSharing.as_str() {
            return;
        }
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
}

fn alert_for(code: Option<ErrorCode>, s: &'static Strings) -> &'static str {
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
