//! The widget's brain: owns the conversation, the view, the connection and
//! the timer, and applies [`Input`](crate::input::Input)s to them one at a
//! time.
//!
//! Each batch of inputs ends with `App::settle`, which derives everything
//! that follows from the state rather than from what just happened: receipts
//! due, the SDK `status` event, the DOM, the next timer deadline. Handlers
//! therefore only change state and send what the protocol requires.
//!
//! - `core.rs`: the state (`App`), [`start`], and which handler each input
//!   goes to (the queue that feeds it is `crate::dispatcher::Shared`);
//! - `settle.rs`: what follows from the state after each batch;
//! - `dispatch.rs`: which server frame goes where; `actions.rs`: which
//!   visitor action or SDK call goes where;
//! - one file per message family: `session.rs` (welcome, summaries,
//!   ending), `queue.rs` (asking for help, the place in line), `chat.rs`
//!   (the log, typing, receipts), `cobrowse.rs` (sharing the screen, the
//!   agent's pointer), `call.rs` and `media.rs` (voice calls), `form.rs`
//!   (form and page pushes), `callback.rs` (booking a call back),
//!   `error.rs` (what each error code does).

mod actions;
mod call;
mod callback;
mod chat;
mod cobrowse;
mod core;
mod dispatch;
mod error;
mod form;
mod media;
mod queue;
mod session;
mod settle;

pub use self::core::start;
