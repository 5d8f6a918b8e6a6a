//! The console's components, one module per area of the screen.

pub mod app;
pub mod call_tools;
pub mod callback;
pub mod chat;
pub mod chat_list;
pub mod cobrowse_tools;
pub mod composer;
pub mod customer;
pub mod form_panel;
pub mod library;
pub mod login;
pub mod messages;
pub mod mirror;
pub mod offer;
pub mod queue;
pub mod team;
pub mod toasts;
pub mod topbar;
pub mod transfer;
pub mod workspace;
pub mod wrapup;

use leptos::prelude::*;

/// The round badge with a person's initials.
#[component]
pub fn Avatar(label: String, #[prop(optional)] large: bool) -> impl IntoView {
    let class = if large { "avatar avatar-lg" } else { "avatar" };
    view! { <span class=class aria-hidden="true">{crate::format::initials(&label)}</span> }
}

/// A 24×24 line icon drawn in the text colour; the children are its paths.
#[component]
pub fn LineIcon(#[prop(default = 16)] size: u32, children: Children) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width=size height=size fill="none" stroke="currentColor"
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            {children()}
        </svg>
    }
}
