//! Everything that can happen to the widget, as one enum.
//!
//! DOM listeners, socket callbacks, the timer and SDK calls do not touch the
//! widget's state themselves: they turn what happened into an [`Input`] and
//! hand it to the [`Dispatcher`](crate::app::Dispatcher), which applies
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
}

/// The SDK's methods, as the wasm exports receive them.
#[derive(Debug)]
pub enum Command {
    Open,
    Close,
    Identify(VisitorIdentity),
    RequestHelp {
        topic: Option<String>,
        message: String,
    },
    Send(String),
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
}

#[derive(Debug)]
pub enum SocketEvent {
    Open,
    Text(String),
    Closed { code: u16 },
}
