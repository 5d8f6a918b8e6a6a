//! Console-wide shortcuts, so an agent juggling chats never needs the mouse:
//!
//! - Alt+A / Alt+D: accept / decline the ringing request
//! - Alt+↓ / Alt+↑: next / previous chat
//! - Alt+1 … Alt+9: the n-th chat
//! - Alt+R: back to the reply box of the selected chat
//!
//! Alt combinations leave typing alone (Enter sends, Shift+Enter breaks a line).
//! `KeyboardEvent.code` is used so the shortcuts hold on every keyboard layout.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::Console;
use crate::{queue, session};

pub fn install(console: Console) {
    let handle = window_event_listener(ev::keydown, move |e| {
        if !e.alt_key() || e.ctrl_key() || e.meta_key() {
            return;
        }
        if run(console, &e.code()) {
            e.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
}

/// Carries out the shortcut for `code`; false when it is none of ours.
fn run(console: Console, code: &str) -> bool {
    match code {
        "KeyA" => match console.offer.get_untracked() {
            Some(offer) => {
                queue::accept(console, offer.item.session);
                true
            }
            None => false,
        },
        "KeyD" => {
            queue::decline_offer(console);
            true
        }
        "ArrowDown" => step(console, 1),
        "ArrowUp" => step(console, -1),
        "KeyR" => {
            focus_reply();
            true
        }
        _ => match code
            .strip_prefix("Digit")
            .and_then(|d| d.parse::<usize>().ok())
        {
            Some(n @ 1..=9) => pick(console, n - 1),
            _ => false,
        },
    }
}

fn ids(console: Console) -> Vec<String> {
    console
        .chats
        .with_untracked(|chats| chats.iter().map(|c| c.id().to_string()).collect())
}

/// Moves the selection by `by` chats, wrapping around.
fn step(console: Console, by: isize) -> bool {
    let ids = ids(console);
    if ids.is_empty() {
        return false;
    }
    let current = console
        .selected
        .get_untracked()
        .and_then(|s| ids.iter().position(|i| *i == s));
    let len = ids.len() as isize;
    let next = match current {
        Some(i) => (i as isize + by).rem_euclid(len),
        None => 0,
    };
    session::select(console, ids[next as usize].clone());
    true
}

fn pick(console: Console, index: usize) -> bool {
    match ids(console).get(index) {
        Some(id) => {
            session::select(console, id.clone());
            true
        }
        None => false,
    }
}

fn focus_reply() {
    let input = document()
        .query_selector("[data-testid=chat-input]")
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}
