//! The root: decides between the login screen and the workspace, and starts
//! the few page-wide things (clock, visibility) every view relies on.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::VisibilityState;

use super::login::Login;
use super::toasts::Toasts;
use super::workspace::Workspace;
use crate::api::{self, ApiError};
use crate::state::{Auth, Console};
use crate::{clock, connection};

#[component]
pub fn App() -> impl IntoView {
    let console = Console::new();
    provide_context(console);
    tick_clock(console);
    track_visibility(console);

    // The cookie, if any, decides where we start.
    spawn_local(async move {
        match api::me().await {
            Ok(agent) => connection::enter(console, agent),
            Err(ApiError::Unauthorized) => console.auth.set(Auth::SignedOut { notice: None }),
            Err(err) => console.auth.set(Auth::SignedOut {
                notice: Some(err.message()),
            }),
        }
    });

    view! {
        {move || match console.auth.get() {
            Auth::Checking => view! { <div class="boot">"Loading the console…"</div> }.into_any(),
            Auth::SignedOut { notice } => view! { <Login notice=notice /> }.into_any(),
            Auth::SignedIn(agent) => view! { <Workspace agent=agent /> }.into_any(),
        }}
        <Toasts />
    }
}

/// Elapsed times and typing timeouts are computed from `console.now`.
fn tick_clock(console: Console) {
    set_interval(
        move || console.now.set(clock::now()),
        Duration::from_secs(1),
    );
}

/// Read receipts are only sent while the tab is visible.
fn track_visibility(console: Console) {
    let is_visible = || document().visibility_state() == VisibilityState::Visible;
    console.visible.set(is_visible());
    let on_change = Closure::<dyn FnMut()>::new(move || console.visible.set(is_visible()));
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    // Lives as long as the page.
    on_change.forget();
}
