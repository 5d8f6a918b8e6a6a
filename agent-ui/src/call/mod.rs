//! Voice calls on the agent's side: the Call button asks for the
//! microphone, then `call.start`; a visitor's call rings in the chat with
//! Accept / Decline. The console holds, per session, the microphone, the
//! level meters and the peer connection while the call lasts.
//!
//! - `state`: the media per session and what the views show of it
//! - `actions`: what the agent's clicks send
//! - `inbound`: what the server's call frames do
//! - `media`: the media's life and the peer connection's events

mod actions;
mod inbound;
mod media;
mod state;

pub use actions::{accept, decline, hang_up, show_meters, start, toggle_mute};
pub use inbound::{error_text, on_call, on_credentials, on_mute, on_refused, on_signal, sync};
pub use media::ui;
pub use state::{CallUi, Calls, ENDED_SHOWN_MS};
