//! The widget's brain: owns the conversation, the view, the connection and
//! the timer, and applies [`Input`]s to them one at a time.
//!
//! Each batch of inputs ends with [`App::settle`], which derives everything
//! that follows from the state rather than from what just happened: receipts
//! due, the SDK `status` event, the DOM, the next timer deadline. Handlers
//! therefore only change state and send what the protocol requires.
//!
//! - `frames.rs` reads the server's frames, `server.rs` handles them;
//! - `actions.rs` handles the visitor's clicks and the SDK's calls;
//! - `share.rs` handles screen sharing: consent, capture, pointer, highlights;
//! - `call.rs` handles voice calls: consent, microphone, peer connection.
//! - `form.rs` handles form and page pushes.

mod actions;
mod call;
mod form;
pub mod frames;
mod server;
mod share;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use protocol::{ClientEnvelope, ClientFrame, ReceiptKind, ShareState};

use crate::browser::{self, Store, document, now, window};
use crate::capture::Capture;
use crate::capture::forms::PasswordWatch;
use crate::capture::mask::MaskSelectors;
use crate::connection::Connection;
use crate::i18n::Strings;
use crate::input::{Input, SocketEvent};
use crate::listener::Listener;
use crate::options::Options;
use crate::sdk::Emitter;
use crate::state::{Conversation, Status};
use crate::timer::Timer;
use crate::typing::TypingSignal;
use crate::view::{Scene, View};

/// How long the agent's "typing" stays shown without a refresh: the console
/// re-sends it every few seconds while the agent types, so a lost "stopped"
/// cannot leave it up forever.
const AGENT_TYPING_TTL_MS: f64 = 6000.0;
/// How long an error note stays in the panel.
const ALERT_TTL_MS: f64 = 6000.0;

/// The one owner of the widget's state, shared by every callback through
/// [`Dispatcher`]. `app` is `None` once the widget was shut down.
pub struct Shared {
    app: RefCell<Option<App>>,
    pending: RefCell<VecDeque<Input>>,
}

impl Shared {
    /// Builds the widget and connects.
    pub fn start(options: Options, emitter: Emitter) -> Rc<Shared> {
        let shared = Rc::new(Shared {
            app: RefCell::new(None),
            pending: RefCell::new(VecDeque::new()),
        });
        let dispatcher = Dispatcher(Rc::downgrade(&shared));
        *shared.app.borrow_mut() = Some(App::new(options, emitter, dispatcher));
        shared.dispatch(Input::Start);
        shared
    }

    /// Applies `input`, and anything queued meanwhile, then settles.
    ///
    /// An input raised while another is being handled (a DOM event fired
    /// synchronously by something the app did) is queued and handled right
    /// after by the outer call, instead of borrowing the state twice.
    pub fn dispatch(&self, input: Input) {
        self.pending.borrow_mut().push_back(input);
        let Ok(mut slot) = self.app.try_borrow_mut() else {
            return;
        };
        let mut loud = false;
        loop {
            let next = self.pending.borrow_mut().pop_front();
            let Some(input) = next else { break };
            let Some(app) = slot.as_mut() else { break };
            loud |= !input.is_quiet();
            if app.handle(input) == Flow::Stop {
                // Dropping the app removes its UI, socket, listeners and timer.
                *slot = None;
            }
        }
        match slot.as_mut() {
            Some(app) if loud => app.settle(),
            Some(_) => {}
            None => self.pending.borrow_mut().clear(),
        }
    }
}

/// A weak handle for callbacks: once the widget is gone they do nothing.
#[derive(Clone)]
pub struct Dispatcher(Weak<Shared>);

impl Dispatcher {
    pub fn send(&self, input: Input) {
        if let Some(shared) = self.0.upgrade() {
            shared.dispatch(input);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

pub struct App {
    dispatcher: Dispatcher,
    options: Options,
    strings: &'static Strings,
    emitter: Emitter,
    convo: Conversation,
    view: View,
    link: Connection,
    timer: Timer,
    typing: TypingSignal,
    /// Re-sent after every `welcome`: the server ties it to the connection.
    identity: Option<crate::input::Identity>,
    open: bool,
    /// Agent messages that arrived while the panel was closed or the page hidden.
    unread: u32,
    /// `ready` was emitted (first `welcome`); `status` events start after it.
    ready: bool,
    last_status: Option<Status>,
    /// Receipts already sent, per session, so each is sent once.
    acked: Acked,
    agent_typing_until: Option<f64>,
    alert: Option<(&'static str, f64)>,
    /// Waiting for `history` after (re)connecting: the outbox waits too, so
    /// a message the server stored just before the drop is not sent twice.
    syncing: bool,
    /// Messages sent on the current socket and not yet echoed (a few at
    /// most: a `Vec` costs less wasm than a set).
    in_flight: Vec<String>,
    /// `rid` of the `help.request` in flight, to tie an `error` to it.
    request_rid: Option<u64>,
    next_rid: u64,
    next_client_id: u64,
    /// Co-browse capture, while this tab shares the visitor's screen.
    capture: Option<Capture>,
    /// The visitor pressed Allow or "Share my screen" here and the server
    /// has not confirmed yet.
    share_asked: bool,
    /// Share state last reported (SDK `share` event).
    shown_share: Option<ShareState>,
    mask: MaskSelectors,
    passwords: PasswordWatch,
    /// This tab's side of a voice call.
    media: Option<call::Media>,
    /// Waiting for the browser's answer about the microphone.
    asking_mic: Option<call::MicFor>,
    /// How the last call ended, shown in the call bar until the deadline.
    call_notice: Option<(String, f64)>,
    /// The server refused the visitor's call (voice off for the site, or
    /// agent-only): the Call button goes away.
    calls_refused: bool,
    /// A form push waiting for the visitor's decisions.
    proposal: Option<crate::form::Proposal>,
    /// A page the agent proposes.
    page_prompt: Option<crate::form::PagePrompt>,
    /// Accepted page push: navigate once the server logged the answer.
    navigate_after: Option<(u32, String)>,
    _page_listeners: [Listener; 3],
}

#[derive(Debug, Default)]
struct Acked {
    session: Option<String>,
    delivered: u64,
    read: u64,
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
            }
            Input::Capture(event) => self.on_capture(event),
            Input::Voice(event) => self.on_voice(event),
            Input::PageHide => self.call_page_hide(),
        }
        Flow::Continue
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

    /// Everything that follows from the state after a batch of inputs.
    fn settle(&mut self) {
        self.send_receipts();
        self.sync_capture();
        self.sync_call();
        if self.ready {
            let status = self.convo.status();
            if self.last_status.as_ref() != Some(&status) {
                self.emitter.emit("status", &status_fields(&status));
                self.last_status = Some(status);
            }
        }
        let can_start_call = self.can_start_call();
        let scene = Scene {
            convo: &self.convo,
            open: self.open,
            unread: self.unread,
            agent_typing: self.agent_typing_until.is_some(),
            // A first attempt still in progress is not worth a warning.
            offline: !self.link.welcomed && self.link.failures > 0,
            ever_connected: self.ready,
            alert: self.alert.map(|(text, _)| text),
            call: call::scene(
                &self.convo,
                self.media.as_ref(),
                self.asking_mic.is_some(),
                self.call_notice.as_ref(),
                can_start_call,
            ),
            proposal: self.proposal.as_ref(),
            page_prompt: self.page_prompt.as_ref(),
        };
        self.view.render(&scene);
        let deadline = [
            self.link.reconnect_at,
            self.typing.deadline(),
            self.agent_typing_until,
            self.alert.map(|(_, until)| until),
            self.call_deadline(),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min);
        self.timer.schedule(deadline);
    }

    /// Acknowledges agent events: delivered as soon as they arrive, read
    /// while the panel is open on a visible page.
    fn send_receipts(&mut self) {
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
        let seq = self.convo.last_agent_seq;
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

    /// Sends a frame on the welcomed connection; false when offline.
    fn send(&mut self, frame: ClientFrame) -> bool {
        self.link.welcomed && self.link.send(&ClientEnvelope::new(frame))
    }

    fn send_typing(&mut self, active: bool) {
        if let Some(session) = self.convo.session.clone() {
            self.send(ClientFrame::Typing { session, active });
        }
    }

    /// Sends the messages typed while offline or before the session existed.
    fn flush_outbox(&mut self) {
        let Some(session) = self.convo.session.clone() else {
            return;
        };
        if !self.link.welcomed || self.syncing || !self.convo.phase.has_session() {
            return;
        }
        let due: Vec<(String, String)> = self
            .convo
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
    fn sync(&mut self) {
        if let Some(session) = self.convo.session.clone() {
            self.syncing = self.send(ClientFrame::SessionSync {
                session,
                after_seq: self.convo.last_seq,
            });
        }
    }

    fn set_alert(&mut self, text: &'static str) {
        self.alert = Some((text, now() + ALERT_TTL_MS));
    }

    fn forget_token(&self) {
        Store::Local.remove(&self.options.token_key());
    }

    fn next_client_id(&mut self) -> String {
        self.next_client_id += 1;
        browser::client_id(self.next_client_id)
    }
}

/// The SDK's `status` event: only the fields that apply.
fn status_fields(s: &Status) -> Vec<(&'static str, wasm_bindgen::JsValue)> {
    let mut v = vec![("state", s.phase.as_str().into())];
    v.extend(s.position.map(|p| ("position", p.into())));
    v.extend(s.eta_secs.map(|secs| ("eta_secs", secs.into())));
    v.extend(
        s.unavailable
            .map(|why| ("unavailable", why.as_str().into())),
    );
    v.extend(s.callback.map(|kind| ("callback", kind.into())));
    v.extend(s.agent.as_deref().map(|a| ("agent", a.into())));
    v
}
