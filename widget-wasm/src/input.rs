//! Everything that can happen to the widget, as one enum.
//!
//! DOM listeners, socket callbacks, the timer and SDK calls do not touch the
//! widget's state themselves: they turn what happened into an [`Input`] and
//! hand it to the [`Dispatcher`](crate::dispatcher::Dispatcher), which applies
//! inputs one at a time. That keeps every state change in `app/` and makes
//! re-entrant calls (a listener firing while another input is being handled)
//! impossible to get wrong.

use protocol::VisitorIdentity;

#[derive(Debug)]
pub enum Input {
    /// The widget was just created: connect.
    Start,
    /// A call from the site's JavaScript.
    Sdk(Command),
    /// The visitor did something in the widget's UI.
    Ui(UiEvent),
    /// Something happened on socket number `generation`; events from a
    /// socket that was since replaced are ignored.
    Socket { generation: u32, event: SocketEvent },
    /// The widget's single timer fired (see `timer.rs`).
    Tick,
    /// The page became visible or hidden.
    Visibility,
    /// The browser says the network is back.
    Online,
    /// Co-browse capture: the page changed, or one of its timers fired.
    /// Handled without re-rendering the widget.
    Capture(CaptureEvent),
    /// The microphone or the call's peer connection reports something.
    Voice(VoiceEvent),
    /// The page is going away (navigation, tab closed).
    PageHide,
}

/// What the voice side reports (see `app/call.rs`).
#[derive(Debug)]
pub enum VoiceEvent {
    /// The answer to asking for the microphone.
    Mic(Result<voice::MediaStream, voice::MicError>),
    Peer(voice::PeerEvent),
}

impl Input {
    /// Inputs that never change what the widget shows, so the batch they
    /// are in needs no render (capture events come at animation-frame rate).
    pub fn is_quiet(&self) -> bool {
        matches!(self, Input::Capture(_))
    }
}

/// What co-browse capture hears about (see `capture/`). Targets are raw
/// JS values: the capture looks them up in its own node ids.
#[derive(Debug)]
pub enum CaptureEvent {
    /// `MutationObserver` records.
    Records(js_sys::Array),
    /// A field's value or checked state changed (event or programmatic).
    Field(wasm_bindgen::JsValue),
    /// A stylesheet's rules changed, or a root's adopted sheets were set.
    Sheet(wasm_bindgen::JsValue),
    /// The document or an element scrolled.
    Scroll(wasm_bindgen::JsValue),
    Mouse(f64, f64),
    Click(f64, f64),
    Selection,
    Resize,
    /// A stylesheet or an iframe finished loading.
    Load(wasm_bindgen::JsValue),
    /// Animation frame: time to send a delta.
    Frame,
    /// The capture's timer: keyframe slices, spaced keyframes, canvases.
    Timer,
}

/// `Tandem.identify`'s argument as the widget keeps it (re-sent after
/// every `welcome`): the identity and the site's proof of it, a signed
/// identity token or the legacy hash of the id.
#[derive(Debug, Clone)]
pub struct Identity {
    pub who: VisitorIdentity,
    pub token: Option<String>,
    pub hash: Option<String>,
}

impl Identity {
    pub fn frame(self) -> protocol::ClientFrame {
        protocol::ClientFrame::Identify {
            identity: self.who,
            token: self.token,
            hash: self.hash,
        }
    }
}

/// The SDK's methods, as the wasm exports receive them.
#[derive(Debug)]
pub enum Command {
    Open,
    Close,
    /// Who the visitor is, with the site's proof of it (if any).
    Identify(Identity),
    RequestHelp {
        topic: Option<String>,
        message: String,
    },
    Send(String),
    /// Masks elements matching this (already validated) selector.
    Mask(String),
    Shutdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiEvent {
    LauncherClicked,
    CloseClicked,
    /// Escape pressed inside the panel.
    Escape,
    /// "Request help", the send button, or Enter in the message box.
    Submit,
    /// The message box changed.
    Typed,
    CancelRequest,
    EndChat,
    NewChat,
    /// "Allow" on the agent's request to see the screen.
    ShareAllow,
    /// "Deny" on that request.
    ShareDeny,
    /// "Share my screen", on the visitor's own initiative.
    ShareStart,
    /// "Stop" on the sharing banner.
    ShareStop,
    /// "Call" in the header (sites that let visitors call).
    CallStart,
    /// "Accept" on the agent's call.
    CallAccept,
    CallDecline,
    /// The mute button: toggles.
    CallMute,
    CallHangUp,
    /// Accept or reject one proposed field (its index in the prompt), or,
    /// with `None`, every field still undecided.
    FormDecision {
        index: Option<u8>,
        accept: bool,
    },
    /// "Open page" or "Stay here" on a proposed page.
    PageDecision {
        accept: bool,
    },
    /// Nobody can answer: the visitor picked "answer by email" (false) or
    /// "call me back" (true), which opens the matching form.
    CallbackChoose {
        phone: bool,
    },
    /// The call-back form was sent.
    CallbackSend,
    /// "Answer me here when someone is free".
    CallbackBrowser,
}

#[derive(Debug)]
pub enum SocketEvent {
    Open,
    Text(String),
    Closed { code: u16 },
}
