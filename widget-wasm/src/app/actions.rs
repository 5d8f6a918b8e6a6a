//! What the visitor does in the UI and what the site asks through the SDK.
//! Both end up in the same few actions so they behave identically.

use protocol::limits::MAX_MESSAGE_CHARS;
use protocol::{Callback, ClientFrame};

use super::{App, Flow};
use crate::browser::{Store, now};
use crate::input::{Command, UiEvent};
use crate::state::Phase;
use crate::view::callback::Draft;

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
        match event {
            UiEvent::LauncherClicked => self.set_open(!self.open, true),
            UiEvent::CloseClicked | UiEvent::Escape => {
                self.set_open(false, true);
                self.view.focus_launcher();
            }
            UiEvent::Submit => self.submit(),
            UiEvent::Typed => {
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

    /// A chat message from the visitor; with no open conversation it
    /// becomes the first message of a new request.
    fn say(&mut self, text: String) {
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
        self.convo.queue_message(client_id, text, now() as i64);
        if let Some(active) = self.typing.stop() {
            self.send_typing(active);
        }
        self.flush_outbox();
    }

    fn request_help(&mut self, topic: Option<String>, message: String) {
        let message = clip(message.trim());
        if message.is_empty() {
            return;
        }
        let client_id = self.next_client_id();
        self.convo
            .request_help(topic, message, client_id, now() as i64);
        self.send_request();
    }

    /// The call-back form: checked here first so the visitor hears of a
    /// typo at once, in their language; the server checks again.
    fn send_callback(&mut self) {
        let s = self.strings;
        let callback = match self.view.callback_draft() {
            None => return,
            Some(Draft::Email(email)) => Callback::Message { email },
            Some(Draft::Phone(phone, when)) => {
                // `datetime-local` gives the visitor's local time; Date reads it so.
                let at = (!when.is_empty())
                    .then(|| js_sys::Date::new(&when.into()).get_time())
                    .filter(|t| t.is_finite())
                    .map(|t| t as i64);
                Callback::Phone { phone, at }
            }
        };
        let problem = match &callback {
            Callback::Message { .. } if callback.validate_contact().is_err() => {
                Some(s.callback_bad_email)
            }
            Callback::Phone { .. } if callback.validate_contact().is_err() => {
                Some(s.callback_bad_phone)
            }
            _ if callback.validate(now() as i64).is_err() => Some(s.callback_bad_time),
            _ => None,
        };
        match problem {
            Some(text) => self.view.set_callback_error(text),
            None => self.request_callback(callback),
        }
    }

    fn request_callback(&mut self, callback: Callback) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        let sent = self.send(ClientFrame::CallbackRequest { session, callback });
        // Offline, nothing went out: say so rather than pretend.
        let error = if sent { "" } else { self.strings.reconnecting };
        self.view.set_callback_error(error);
    }

    fn cancel_request(&mut self) {
        if let Some(session) = self.convo.dismiss() {
            // Offline: the next `welcome` still lists it and we cancel then.
            self.send(ClientFrame::HelpCancel { session });
        }
        self.request_rid = None;
        self.typing = Default::default();
        self.view.focus_input();
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

/// The server refuses longer messages; cut rather than lose the whole text.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
}
