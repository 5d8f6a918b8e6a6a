//! Tandem's agent console: a Leptos (client-side rendered) app served at
//! `/agent`. Agents sign in, take visitors from the waiting queue and chat
//! with several of them at once.
//!
//! Layout of the crate:
//! - `api`: REST calls (me, login, logout)
//! - `socket`: the self-reconnecting WebSocket
//! - `frames`: what each server frame does to the state
//! - `actions`: what the agent's clicks send
//! - `receipts`: delivered/read acknowledgements
//! - `mirror`: the co-browse mirror of the visitor's page, pointer and highlights
//! - `call`: voice calls (microphone, peer connection, meters per session)
//! - `state`: the reactive state every view reads
//! - `chat`, `typing`, `format`: pure rules, tested natively
//! - `clock`: browser time and server clock skew
//! - `views`: the components
#![forbid(unsafe_code)]

pub mod actions;
pub mod alerts;
pub mod api;
pub mod audit;
pub mod call;
pub mod chat;
pub mod clock;
pub mod form;
pub mod format;
pub mod frames;
pub mod keyboard;
pub mod library;
pub mod mirror;
pub mod push_actions;
pub mod receipts;
pub mod socket;
pub mod state;
pub mod typing;
pub mod views;

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
