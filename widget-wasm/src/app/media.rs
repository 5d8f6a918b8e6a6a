//! This tab's side of a voice call ([`Media`]: the microphone, the level
//! meters, the peer connection) and why the microphone is being asked for.
//! The call's handling is in `call.rs`.

use protocol::Signal;
use voice::{Link, MediaStream, Meters, Peer};

/// This tab's side of a call: the microphone, meters and peer connection.
pub struct Media {
    pub(super) mic: MediaStream,
    pub(super) meters: Option<Meters>,
    pub(super) peer: Option<Peer>,
    /// The call it belongs to; `None` while our own `call.start` waits for
    /// the server's `call` frame.
    pub call: Option<String>,
    pub link: Link,
    pub muted: bool,
    pub remote_muted: bool,
    /// Local time the path first connected (the duration counts from it).
    pub connected_at: Option<f64>,
    /// Signaling that came before the peer existed.
    pub(super) early: Vec<Signal>,
}

impl Drop for Media {
    fn drop(&mut self) {
        // The peer and meters close themselves; the microphone is ours.
        self.peer = None;
        voice::stop(&self.mic);
    }
}

/// Why the microphone is being asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum MicFor {
    Answer(String),
    Start,
}
