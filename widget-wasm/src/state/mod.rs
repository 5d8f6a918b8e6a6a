//! The conversation as the visitor sees it: pure data, no DOM, no socket.
//!
//! Server frames and the visitor's actions are applied here; the view reads
//! the result and the app decides what to send. Keeping it free of browser
//! types means the tricky parts (optimistic messages, de-duplication after a
//! reconnect, receipts) are tested natively with `cargo test`.
//!
//! - `conversation.rs`: the [`Conversation`] and how summaries, events, the
//!   place in line and receipts change it;
//! - one file per message family: `session.rs` (the phase, the SDK status),
//!   `queue.rs` (the pending request, the place in line), `chat.rs` (the
//!   transcript), `cobrowse.rs` (the sharing state), `call.rs` (the call).

mod call;
mod chat;
mod cobrowse;
mod conversation;
mod queue;
mod session;

#[cfg(test)]
mod state_tests;

pub use chat::{Applied, Delivery, Item, ItemBody, Transcript};
pub use conversation::Conversation;
pub use queue::{PendingRequest, Place};
pub use session::{Phase, Status};
