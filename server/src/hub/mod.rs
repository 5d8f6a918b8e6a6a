//! The hub: live sessions and the relay between visitors and agents. It
//! knows which connections belong to which visitor and agent, holds the open
//! sessions with their numbered logs and the waiting queue, and applies
//! every client frame once its sender is authenticated.
//!
//! Where things are:
//! - `state.rs`: the `Hub` handle and the state behind its one lock;
//!   `principal.rs`: who is calling and whether they may act on a session;
//!   `dispatch.rs`: which family handles each client frame;
//!   `connections.rs`: connections coming and going (`welcome`);
//!   `delivery.rs`: numbering, storing and delivering a session's events;
//!   `outbound.rs`: one connection's outbound queue.
//! - One file per message family, as in the protocol crate: `session.rs`,
//!   `queue.rs` (with `overflow.rs`), `chat.rs`, `cobrowse.rs` (with
//!   `cobrowse_log.rs`), `call.rs`, `form.rs` (with `form_pushes.rs`),
//!   `transfer.rs`, `wrapup.rs`, `callback.rs` (with `site_policy.rs`) and
//!   `identity.rs`.
//! - `metrics_view.rs`: what /metrics and supervisors read; `error.rs`: the
//!   errors a frame handler returns.

mod call;
mod callback;
mod chat;
mod cobrowse;
mod cobrowse_log;
mod connections;
mod delivery;
mod dispatch;
mod error;
mod form;
mod form_pushes;
mod identity;
mod metrics_view;
pub mod outbound;
mod overflow;
mod principal;
mod queue;
#[cfg(test)]
mod queue_tests;
mod restart;
mod session;
mod site_policy;
mod state;
mod transfer;
mod wrapup;

pub use connections::admit;
pub use error::{HubError, HubResult};
pub use metrics_view::MetricsView;
pub use outbound::{ConnHandle, ConnId, Wire};
pub use principal::Principal;
pub use state::{CallSettings, Hub};
