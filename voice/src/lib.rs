//! The browser side of Tandem's voice calls, shared by the visitor widget
//! and the agent console so both run the same negotiation:
//!
//! - [`mic`]: asking for the microphone;
//! - [`peer`]: the `RTCPeerConnection`, perfect negotiation, mute, ICE restart;
//! - [`health`]: when to restart ICE and when to give up (pure, tested natively);
//! - [`meter`]: live level meters;
//! - `js`: the hand-written browser bindings all of it uses.
//!
//! Signaling travels as `protocol::Signal` over the session's WebSocket;
//! the apps carry it (`call.signal`) and own the call's lifecycle
//! (`call.start`, `call.accept`, `call.end`).
#![forbid(unsafe_code)]

pub mod health;
mod js;
pub mod meter;
pub mod mic;
pub mod peer;

pub use health::Link;
pub use js::MediaStream;
pub use meter::{Meters, Side};
pub use mic::{MicError, microphone};
pub use peer::{Peer, PeerEvent};

/// Stops the microphone (the browser's recording indicator goes out).
pub fn stop(stream: &MediaStream) {
    js::stop_tracks(stream);
}
