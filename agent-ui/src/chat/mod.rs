//! Chat on the agent's side: one `Chat` per conversation (the log, the
//! agent's pending messages, receipts, typing), what the server's chat
//! frames do to it and what the agent sends.
//!
//! - `state`: one conversation's data and rules (pure)
//! - `rows`, `transcript`: the message list and its lifecycle sentences (pure)
//! - `typing`: when to tell the visitor the agent is typing (pure)
//! - `inbound`: what `event`, `history`, `typing` and `receipts` frames do
//! - `actions`: messages, retries, typing and notes the agent sends
//! - `receipts`: delivered and read acknowledgements to the visitor

mod actions;
mod inbound;
mod receipts;
mod rows;
mod state;
mod transcript;
mod typing;

#[cfg(test)]
mod chat_tests;
#[cfg(test)]
mod transfer_tests;

pub use actions::{add_note, retry_message, send_message, send_typing};
pub use inbound::{forget_visitor_typing, on_event, on_history, on_receipts, on_typing};
pub use receipts::{acknowledge_delivery, watch_reads};
pub use rows::{Row, RowKind};
pub use state::{Chat, Delivery, Pending, Preview, TYPING_STALE_MS};
pub use typing::{IDLE_MS, REPEAT_MS, TypingSignal};
