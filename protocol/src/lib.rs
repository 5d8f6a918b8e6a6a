//! Tandem's wire protocol: the one place a message's shape is defined.
//!
//! Every WebSocket text frame is a JSON object with a protocol version `v`,
//! a `type` naming the message, an optional request id `rid` that replies and
//! errors echo, and the message's own fields:
//!
//! ```json
//! {"v":1,"type":"chat.send","rid":7,"session":"s_9f2c…","client_id":"c1","text":"Hello"}
//! ```
//!
//! The crate is pure Rust without I/O so the server, the widget, the console,
//! the tests and the load generator all build it (native and wasm32).
//! `docs/protocol.md` documents every message with an example.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
pub mod call;
pub mod callback;
pub mod chat;
pub mod client_frame;
pub mod cobrowse;
pub mod envelope;
pub mod error;
pub mod form;
pub mod integration;
pub mod limits;
pub mod role;
pub mod server_frame;
pub mod session;
mod validate;
pub mod webhook;

pub use call::{CallAction, CallEndReason, CallInfo, CallPhase, IceServer, SdpType, Signal};
pub use callback::{Callback, Unavailable};
pub use chat::{Event, EventBody, ReceiptKind, Receipts, ShareAction};
pub use client_frame::ClientFrame;
pub use cobrowse::ShareState;
pub use envelope::{ClientEnvelope, DecodeError, ServerEnvelope, decode_client};
pub use error::{CloseCode, ErrorCode};
pub use form::{
    FieldError, FieldKind, FieldOption, FieldProblem, FieldPush, FieldValue, FormAnswer, FormField,
    FormOutcome,
};
pub use role::Role;
pub use server_frame::ServerFrame;
pub use session::{
    AgentInfo, AgentPresence, DISPOSITIONS, PageInfo, QueueItem, SessionState, SessionSummary,
    VisitorIdentity, VisitorPresence, VisitorSeen,
};

/// The protocol version this build speaks. Frames carrying another version
/// are answered with [`ErrorCode::UnsupportedVersion`].
pub const VERSION: u16 = 1;

/// Milliseconds since the Unix epoch, the only time representation on the wire.
pub type Millis = i64;
