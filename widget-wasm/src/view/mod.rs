//! The widget's DOM: a host element on `<body>` with an open shadow root
//! holding the launcher and the panel.
//!
//! The view is built once and then updated in place by [`View::render`]
//! from a [`Scene`]; it never decides anything. Clicks and keys become
//! [`UiEvent`](crate::input::UiEvent)s sent to the app.
//!
//! - `panel.rs`: the shell (host, launcher, header, banner, message box)
//!   and the render that updates every part;
//! - one file per message family: `queue.rs` (the start form and the
//!   waiting box), `callback.rs` (the call-back offer inside it), `chat.rs`
//!   (the transcript), `cobrowse.rs` (sharing consent and banner),
//!   `call.rs` (voice calls), `form.rs` (form and page push prompts);
//!   `consent.rs`: the consent card sharing and calls both use;
//!   `prompt_voice.rs`: says each prompt as it appears, for screen readers;
//! - `dom.rs`: element helpers; `icons.rs`: SVG; `style.rs`: the stylesheet.

pub mod call;
pub mod callback;
mod chat;
mod cobrowse;
mod consent;
pub mod dom;
mod form;
pub mod icons;
mod panel;
mod prompt_voice;
mod queue;
mod style;

pub use panel::{HOST_ID, Scene, View};
