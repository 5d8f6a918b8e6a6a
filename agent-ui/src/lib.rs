//! Tandem's agent console: a Leptos (client-side rendered) app served at
//! `/agent`. Agents sign in, take visitors from the waiting queue and chat
//! with several of them at once.
//!
//! Layout of the crate, by protocol family (each family's file or folder
//! holds what its server frames do and what the agent's clicks send):
//! - `session`: welcome, session summaries, presence; select and end a chat
//! - `queue`: the waiting queue and the offers; accept and decline
//! - `screen_pop`: the customer's CRM page, opened on accept
//! - `chat/`: conversations (log, pending messages, receipts, typing)
//! - `cobrowse/`: screen sharing: consent, the page stream into the mirrors,
//!   the agent's pointer and highlights
//! - `mirror/`: the page renderer co-browsing draws the visitor's page with
//! - `call/`: voice calls (microphone, peer connection, meters per session)
//! - `form/`: the form panel, form push and page push
//! - `transfer`, `wrapup`: handing a chat on; recording its outcome
//! - `error`: what a refused frame undoes and says
//!
//! and around them:
//! - `connection`: sign in, the socket's life, sign out
//! - `socket`: the self-reconnecting WebSocket
//! - `dispatch`: which family handles each server frame
//! - `state`: the reactive state every view reads
//! - `api`: REST calls (sign-in, team, customer history, library)
//! - `library`, `format`, `clock`, `alerts`, `keyboard`: canned responses
//!   and articles, display strings, time, notifications, shortcuts
//! - `views`: the components
#![forbid(unsafe_code)]

pub mod alerts;
pub mod api;
pub mod call;
pub mod chat;
pub mod clock;
pub mod cobrowse;
pub mod connection;
pub mod dispatch;
pub mod error;
pub mod form;
pub mod format;
pub mod keyboard;
pub mod library;
pub mod mirror;
pub mod queue;
pub mod screen_pop;
pub mod session;
pub mod socket;
pub mod state;
pub mod transfer;
pub mod views;
pub mod wrapup;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Runs when `boot.js` initialises the module: mounts the console into
/// `#console`, replacing the "Loading" placeholder.
#[wasm_bindgen(start)]
pub fn start() {
    // Panics would otherwise only say "unreachable" in the browser console.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into())
    }));
    let root = document()
        .get_element_by_id("console")
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .or_else(|| document().body());
    let Some(root) = root else { return };
    root.set_inner_html("");
    leptos::mount::mount_to(root, views::app::App).forget();
}
