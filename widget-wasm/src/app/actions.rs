//! What the visitor does in the UI and what the site asks through the SDK:
//! which handler each goes to. Both end up in the same few actions so they
//! behave identically; the panel's opening and the shutdown live here too.

use protocol::{Callback, ClientFrame};

use super::core::App;
use crate::browser::{Store, now};
use crate::dispatcher::Flow;
use crate::input::{Command, UiEvent};

impl App {
    pub(super) fn on_command(&mut self, command: Command) -> Flow {
        match command {
            Command::Open => self.set_open(true, false),
            Command::Close => self.set_open(false, false),
            Command::Identify(identity) => {
                self.identity = Some(identity.clone());
                self.send(identity.frame());
            }
            Command::RequestHelp { topic, message } => {
                self.set_open(true, false);
                if self.convo.phase.has_session() {
                    self.emitter.emit(
                        "error",
                        &[
                            ("code", "session_open".into()),
                            ("message", "a conversation is already open".into()),
                        ],
                    );
                } else {
                    self.request_help(topic, message);
                }
            }
            Command::Send(text) => self.say(text),
            Command::Mask(selector) => self.add_mask(&selector),
            Command::Shutdown => {
                self.shutdown();
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    pub(super) fn on_ui(&mut self, event: UiEvent) {
        // A prompt answered goes away with the button that had the focus:
        // the focus goes back to the message box, not to the page's start.
        let answers_prompt = matches!(
            event,
            UiEvent::ShareAllow
                | UiEvent::ShareDeny
                | UiEvent::CallAccept
                | UiEvent::CallDecline
                | UiEvent::PageDecision { .. }
                | UiEvent::FormDecision { index: None, .. }
        );
        if answers_prompt {
            self.view.focus_input();
        }
        match event {
            UiEvent::LauncherClicked => self.set_open(!self.open, true),
            UiEvent::CloseClicked | UiEvent::Escape => {
                self.set_open(false, true);
                self.view.focus_launcher();
            }
            UiEvent::Submit => self.submit(),
            UiEvent::Typed => self.on_typed(),
            UiEvent::CancelRequest => self.cancel_request(),
            UiEvent::EndChat => self.end_session(),
            UiEvent::NewChat => {
                self.convo.dismiss();
                self.view.focus_input();
            }
            UiEvent::ShareAllow => self.share_allow(),
            UiEvent::ShareDeny => self.share_deny(),
            UiEvent::ShareStart => self.share_start(),
            UiEvent::ShareStop => self.share_stop(),
            UiEvent::CallStart => self.call_start(),
            UiEvent::CallAccept => self.call_accept(),
            UiEvent::CallDecline => self.call_decline(),
            UiEvent::CallMute => self.call_mute(),
            UiEvent::CallHangUp => self.call_hang_up(),
            UiEvent::FormDecision { index, accept } => {
                self.on_form_decision(index.map(usize::from), accept)
            }
            UiEvent::PageDecision { accept } => self.on_page_decision(accept),
            UiEvent::CallbackChoose { phone } => self.view.choose_callback(phone),
            UiEvent::CallbackSend => self.send_callback(),
            UiEvent::CallbackBrowser => self.request_callback(Callback::Browser),
        }
        // Anything the visitor does is a good moment to retry a parked link.
        if self.link.reconnect_at.is_none() {
            self.link.wake(&self.dispatcher, now());
        }
    }

    /// Enter, the send button or "Request help": the box's text goes out.
    fn submit(&mut self) {
        let text = self.view.draft();
        if text.trim().is_empty() {
            self.view.focus_input();
            return;
        }
        if !self.convo.phase.has_session() {
            let topic = self.view.topic();
            self.request_help(topic, text);
        } else {
            self.say(text);
        }
        self.view.clear_draft();
        self.view.focus_input();
    }

    /// Opens or closes the panel. `by_visitor` moves focus, which a
    /// programmatic open must not do behind the visitor's back.
    pub(super) fn set_open(&mut self, open: bool, by_visitor: bool) {
        if open == self.open {
            return;
        }
        self.open = open;
        Store::Session.set(&self.options.open_key(), if open { "1" } else { "0" });
        self.emitter.emit(if open { "open" } else { "close" }, &[]);
        if open {
            self.unread = 0;
            if by_visitor {
                self.view.focus_input();
            }
        }
    }

    fn shutdown(&mut self) {
        self.call_page_hide();
        if let Some(session) = self.convo.session.clone()
            && self.capture.take().is_some()
        {
            // Leaving the page's widget behind must not leave sharing on.
            self.send(ClientFrame::CobrowseStop { session });
        }
        Store::Session.remove(&self.options.share_key());
        self.link.close();
        self.forget_token();
        Store::Session.remove(&self.options.open_key());
        if self.open {
            self.emitter.emit("close", &[]);
        }
    }
}
