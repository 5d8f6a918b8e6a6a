//! The widget's state as one struct, [`App`], started by [`start`], and the
//! first step of every input: which handler it goes to.
//!
//! Each message family's handling is an `impl App` block of its own file
//! (`session.rs`, `queue.rs`, `chat.rs`…); this file holds what they share:
//! the fields, sending a frame, the alert line.

use std::rc::Rc;

use protocol::{ClientEnvelope, ClientFrame, ShareState};

use super::media::{Media, MicFor};
use crate::browser::{self, Store, document, now, window};
use crate::capture::Capture;
use crate::capture::forms::PasswordWatch;
use crate::capture::mask::MaskSelectors;
use crate::connection::Connection;
use crate::dispatcher::{Dispatcher, Flow, Handler, Shared};
use crate::emitter::Emitter;
use crate::form::{PagePrompt, Proposal};
use crate::i18n::Strings;
use crate::input::{Identity, Input, SocketEvent};
use crate::listener::Listener;
use crate::options::Options;
use crate::state::{Conversation, Status};
use crate::timer::Timer;
use crate::typing::TypingSignal;
use crate::view::View;

/// How long an error note stays in the panel.
const ALERT_TTL_MS: f64 = 6000.0;

pub struct App {
    pub(super) dispatcher: Dispatcher,
    pub(super) options: Options,
    pub(super) strings: &'static Strings,
    pub(super) emitter: Emitter,
    pub(super) convo: Conversation,
    pub(super) view: View,
    pub(super) link: Connection,
    pub(super) timer: Timer,
    pub(super) typing: TypingSignal,
    /// Re-sent after every `welcome`: the server ties it to the connection.
    pub(super) identity: Option<Identity>,
    pub(super) open: bool,
    /// Agent messages that arrived while the panel was closed or the page hidden.
    pub(super) unread: u32,
    /// `ready` was emitted (first `welcome`); `status` events start after it.
    pub(super) ready: bool,
    pub(super) last_status: Option<Status>,
    /// Receipts already sent, per session, so each is sent once.
    pub(super) acked: Acked,
    pub(super) agent_typing_until: Option<f64>,
    pub(super) alert: Option<(&'static str, f64)>,
    /// Waiting for `history` after (re)connecting: the outbox waits too, so
    /// a message the server stored just before the drop is not sent twice.
    pub(super) syncing: bool,
    /// Messages sent on the current socket and not yet echoed (a few at
    /// most: a `Vec` costs less wasm than a set).
    pub(super) in_flight: Vec<String>,
    /// `rid` of the `help.request` in flight, to tie an `error` to it.
    pub(super) request_rid: Option<u64>,
    pub(super) next_rid: u64,
    pub(super) next_client_id: u64,
    /// Co-browse capture, while this tab shares the visitor's screen.
    pub(super) capture: Option<Capture>,
    /// The visitor pressed Allow or "Share my screen" here and the server
    /// has not confirmed yet.
    pub(super) share_asked: bool,
    /// Share state last reported (SDK `share` event).
    pub(super) shown_share: Option<ShareState>,
    pub(super) mask: MaskSelectors,
    pub(super) passwords: PasswordWatch,
    /// This tab's side of a voice call.
    pub(super) media: Option<Media>,
    /// Waiting for the browser's answer about the microphone.
    pub(super) asking_mic: Option<MicFor>,
    /// How the last call ended, shown in the call bar until the deadline.
    pub(super) call_notice: Option<(String, f64)>,
    /// The server refused the visitor's call (voice off for the site, or
    /// agent-only): the Call button goes away.
    pub(super) calls_refused: bool,
    /// A form push waiting for the visitor's decisions.
    pub(super) proposal: Option<Proposal>,
    /// A page the agent proposes.
    pub(super) page_prompt: Option<PagePrompt>,
    /// Accepted page push: navigate once the server logged the answer.
    pub(super) navigate_after: Option<(u32, String)>,
    _page_listeners: [Listener; 3],
}

/// The receipts sent for one session.
#[derive(Debug, Default)]
pub(super) struct Acked {
    pub(super) session: Option<String>,
    pub(super) delivered: u64,
    pub(super) read: u64,
}

/// Builds the widget, hands it to a new [`Shared`] queue, and connects.
pub fn start(options: Options, emitter: Emitter) -> Rc<Shared> {
    let shared = Shared::new();
    let app = App::new(options, emitter, shared.dispatcher());
    shared.install(Box::new(app));
    shared.dispatch(Input::Start);
    shared
}

impl Handler for App {
    fn handle(&mut self, input: Input) -> Flow {
        match input {
            Input::Start => {
                self.link.connect(&self.dispatcher, now());
                if self.open {
                    // Restored from the previous page: no animation, no focus theft.
                    self.view.skip_next_transition();
                }
            }
            Input::Sdk(command) => return self.on_command(command),
            Input::Ui(event) => self.on_ui(event),
            Input::Socket { generation, event } if self.link.is_current(generation) => {
                self.on_socket(event)
            }
            Input::Socket { .. } => {}
            Input::Tick => self.on_tick(),
            Input::Visibility | Input::Online => {
                if self.link.reconnect_at.is_some() {
                    self.link.wake(&self.dispatcher, now());
                }
                if matches!(input, Input::Visibility) {
                    self.tell_visibility();
                }
            }
            Input::Capture(event) => self.on_capture(event),
            Input::Voice(event) => self.on_voice(event),
            Input::PageHide => self.call_page_hide(),
        }
        Flow::Continue
    }

    /// See `settle.rs`.
    fn settle(&mut self) {
        App::settle(self);
    }
}

impl App {
    fn new(options: Options, emitter: Emitter, dispatcher: Dispatcher) -> App {
        let strings = options.locale.strings();
        let view = View::mount(&options, dispatcher.clone());
        let open = Store::Session.get(&options.open_key()).as_deref() == Some("1");
        let d = dispatcher.clone();
        let on_visibility = Listener::new(&document(), "visibilitychange", move |_| {
            d.send(Input::Visibility)
        });
        let d = dispatcher.clone();
        let on_online = Listener::new(&window(), "online", move |_| d.send(Input::Online));
        let d = dispatcher.clone();
        let on_hide = Listener::new(&window(), "pagehide", move |_| d.send(Input::PageHide));
        let mut mask = MaskSelectors::default();
        for selector in &options.mask {
            mask.add(selector);
        }
        App {
            link: Connection::new(options.socket_url.clone()),
            timer: Timer::new(dispatcher.clone(), || Input::Tick),
            dispatcher,
            strings,
            emitter,
            convo: Conversation::default(),
            view,
            typing: TypingSignal::default(),
            identity: None,
            open,
            unread: 0,
            ready: false,
            last_status: None,
            acked: Acked::default(),
            agent_typing_until: None,
            alert: None,
            syncing: false,
            in_flight: Vec::new(),
            request_rid: None,
            next_rid: 1,
            next_client_id: 1,
            capture: None,
            share_asked: false,
            shown_share: None,
            mask,
            passwords: PasswordWatch::start(),
            media: None,
            asking_mic: None,
            call_notice: None,
            calls_refused: false,
            proposal: None,
            page_prompt: None,
            navigate_after: None,
            _page_listeners: [on_visibility, on_online, on_hide],
            options,
        }
    }

    fn on_socket(&mut self, event: SocketEvent) {
        match event {
            SocketEvent::Open => {
                let token = Store::Local.get(&self.options.token_key());
                self.link.send(&ClientEnvelope::new(ClientFrame::Hello {
                    token,
                    page: Some(browser::page_info()),
                }));
            }
            SocketEvent::Text(text) => self.on_text(&text),
            SocketEvent::Closed { code } => {
                if code == protocol::CloseCode::BadToken.code() {
                    self.forget_token();
                }
                self.link.on_closed(code, now());
                self.syncing = false;
                self.in_flight.clear();
                self.request_rid = None;
                self.typing = TypingSignal::default();
                if let Some(r) = &mut self.convo.request {
                    // Unknown whether it arrived: the next welcome tells.
                    r.sent = false;
                }
            }
        }
    }

    fn on_tick(&mut self) {
        self.timer.fired();
        let t = now();
        if self.link.reconnect_at.is_some_and(|at| at <= t) {
            self.link.connect(&self.dispatcher, t);
        }
        if let Some(active) = self.typing.on_tick(t) {
            self.send_typing(active);
        }
        if self.agent_typing_until.is_some_and(|at| at <= t) {
            self.agent_typing_until = None;
        }
        if self.alert.is_some_and(|(_, until)| until <= t) {
            self.alert = None;
        }
    }

    /// Tells the agent whether this page is in front or in the background
    /// (only while there is a conversation for them to see it in).
    pub(super) fn tell_visibility(&mut self) {
        if self.convo.session.is_some() {
            let visible = crate::browser::document_visible();
            self.send(ClientFrame::PageVisibility { visible });
        }
    }

    /// Sends a frame on the welcomed connection; false when offline.
    pub(super) fn send(&mut self, frame: ClientFrame) -> bool {
        self.link.welcomed && self.link.send(&ClientEnvelope::new(frame))
    }

    /// Whether a frame about `session` is about the conversation shown.
    pub(super) fn is_ours(&self, session: &str) -> bool {
        self.convo.session.as_deref() == Some(session)
    }

    pub(super) fn set_alert(&mut self, text: &'static str) {
        self.alert = Some((text, now() + ALERT_TTL_MS));
    }

    pub(super) fn forget_token(&self) {
        Store::Local.remove(&self.options.token_key());
    }

    pub(super) fn next_client_id(&mut self) -> String {
        self.next_client_id += 1;
        browser::client_id(self.next_client_id)
    }
}
