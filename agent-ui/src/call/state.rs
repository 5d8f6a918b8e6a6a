//! What the console holds of each call: the media (microphone, meters,
//! peer connection), kept outside the reactive state in `Console::calls`,
//! and what the views show of it, in `Console::call_ui`. Types only.

use std::collections::HashMap;

use protocol::{CallInfo, Millis, Signal};
use voice::{Link, MediaStream, Meters, Peer};
use web_sys::Element;

/// How long the call bar keeps saying how the last call ended.
pub const ENDED_SHOWN_MS: Millis = 8_000;

/// What the views show of one session's call besides the server's `CallInfo`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallUi {
    /// Waiting for the browser's microphone permission.
    pub asking_mic: bool,
    /// This console holds the call's media.
    pub here: bool,
    pub link: Option<Link>,
    pub muted: bool,
    pub remote_muted: bool,
    /// Local time the path first connected (the duration counts from it).
    pub connected_at: Option<Millis>,
    /// The last call that ended, and when (local time).
    pub ended: Option<(CallInfo, Millis)>,
}

/// The media of every call this console takes part in.
#[derive(Default)]
pub struct Calls {
    pub(super) media: HashMap<String, Media>,
    /// Meter elements of the call bars on screen, per session.
    pub(super) meters: HashMap<String, (Element, Element)>,
}

pub(super) struct Media {
    /// `None` while our `call.start` waits for the server's `call` frame.
    pub(super) call: Option<String>,
    pub(super) mic: MediaStream,
    pub(super) meters: Option<Meters>,
    pub(super) peer: Option<Peer>,
    /// Signaling that came before the peer.
    pub(super) early: Vec<Signal>,
}

impl Drop for Media {
    fn drop(&mut self) {
        self.peer = None;
        voice::stop(&self.mic);
    }
}
