//! The Tandem visitor widget, compiled to WebAssembly.
//!
//! A site embeds `tandem.js` (see docs/sdk.md); that small script loads this
//! module and builds `window.Tandem` on the [`Widget`] class exported here.
//! The widget draws a launcher and a chat panel in a shadow root, talks to
//! the server over one WebSocket using the `protocol` crate, and survives
//! reconnects and page navigation.
//!
//! How the pieces fit:
//!
//! - [`sdk`]: the wasm-bindgen surface JavaScript calls; [`emitter`]: the
//!   SDK events it reports back;
//! - [`app`]: owns everything and applies [`input::Input`]s, handed over
//!   one at a time by the [`dispatcher`]'s queue;
//! - [`decode`]: the server's frames read into the protocol's types;
//! - [`state`]: the conversation as pure data (tested natively);
//! - [`view`]: the DOM, updated from the state after every batch;
//! - [`capture`]: co-browsing, the page as masked keyframes and deltas
//!   while the visitor shares it; [`overlay`]: the agent's pointer and
//!   highlights on the page;
//! - [`connection`], [`timer`], [`typing`], [`browser`], [`listener`]: the
//!   socket and its retries, the single timer, typing throttling, browser
//!   reads and self-removing listeners;
//! - [`i18n`] and [`options`]: every visible string, and `Tandem.init`'s options.
#![forbid(unsafe_code)]

pub mod app;
pub mod browser;
pub mod capture;
pub mod connection;
pub mod decode;
pub mod dispatcher;
pub mod emitter;
pub mod form;
pub mod i18n;
pub mod input;
pub mod listener;
pub mod options;
pub mod overlay;
pub mod sdk;
pub mod state;
pub mod timer;
pub mod typing;
pub mod view;

pub use sdk::Widget;
