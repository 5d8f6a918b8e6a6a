//! Reading the server's JSON frames into the protocol's types.
//!
//! The browser parses the JSON (`JSON.parse`, native and fast); this module
//! reads the fields the widget uses into `protocol`'s own structs
//! (`SessionSummary`, `Event`, `Receipts`…). Why not serde's derived
//! deserializers, as everywhere else: for the protocol's internally tagged
//! and flattened enums they are most of a visitor's download (78 KB of the
//! widget's 183 KB of gzipped WebAssembly, measured); reading by hand costs
//! a few. The protocol crate stays the one definition of every shape: the
//! tests (`decode_tests.rs`) write each frame the widget handles with the
//! protocol's serde and check that reading it gives back the same values,
//! so a renamed field fails them, and a new field in a struct fails to
//! compile here.
//!
//! - `source.rs`: the parsed value and the typed reads every reader uses;
//! - `incoming.rs`: the frames the widget acts on, and which reader each
//!   frame type goes to;
//! - one file per message family for the values inside frames:
//!   `session.rs`, `chat.rs`, `cobrowse.rs`, `call.rs`, `form.rs`,
//!   `callback.rs`.

mod call;
mod callback;
mod chat;
mod cobrowse;
mod form;
mod incoming;
mod session;
mod source;

#[cfg(test)]
mod decode_samples;
#[cfg(test)]
mod decode_tests;

pub use incoming::{Incoming, parse};
pub use source::{Source, text};
