//! "My chats": one tab per session the agent holds.

use leptos::prelude::*;
use protocol::{SessionState, ShareState};

use super::Avatar;
use crate::chat::Preview;
use crate::session;
use crate::state::Console;
use crate::{clock, format};

/// Characters of the last message shown under a tab's name.
const PREVIEW_CHARS: usize = 60;

#[component]
pub fn ChatList() -> impl IntoView {
    let console = expect_context::<Console>();
    let ids = Memo::new(move |_| {
        console
            .chats
            .with(|c| c.iter().map(|c| c.id().to_string()).collect::<Vec<_>>())
    });
    view! {
        <section class="section my-chats">
            <header class="section-head">
                <h2>"My chats"</h2>
                <span class="count">{move || ids.with(Vec::len)}</span>
            </header>
            <Show
                when=move || ids.with(|ids| !ids.is_empty())
                fallback=|| view! { <p class="empty">"Chats you accept appear here."</p> }
            >
                <ul class="tab-list">
                    <For each=move || ids.get() key=|id| id.clone() let:id>
                        <ChatTab id=id />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

/// What a tab shows, recomputed when its chat changes.
#[derive(Clone, PartialEq)]
struct TabInfo {
    label: String,
    preview: String,
    unread: usize,
    state: SessionState,
    typing: bool,
    sharing: bool,
    /// "here", "background" or "gone", and the words for it.
    presence: Option<(&'static str, String)>,
}

#[component]
fn ChatTab(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let info = {
        let id = id.clone();
        Memo::new(move |_| {
            let now = console.now.get();
            console.with_chat(&id, |c| TabInfo {
                label: format::visitor_label(
                    c.summary.visitor_name.as_deref(),
                    &c.summary.visitor_id,
                ),
                preview: match c.preview() {
                    Some((Preview::Mine, text)) => {
                        format!("You: {}", format::truncate(text, PREVIEW_CHARS))
                    }
                    Some((Preview::Colleague(name), text)) => {
                        format!("{name}: {}", format::truncate(text, PREVIEW_CHARS))
                    }
                    Some((Preview::Visitor, text)) => format::truncate(text, PREVIEW_CHARS),
                    None => c.summary.topic.clone().unwrap_or_default(),
                },
                unread: c.unread(),
                state: c.summary.state,
                typing: c.visitor_typing(now),
                sharing: c.summary.share == ShareState::Active && !c.is_ended(),
                presence: c
                    .summary
                    .visitor_presence
                    .filter(|_| !c.is_ended())
                    .map(|seen| {
                        (
                            format::visitor_presence_name(&seen),
                            format::visitor_presence(&seen, clock::wall_time),
                        )
                    }),
            })
        })
    };
    let is_selected = {
        let id = id.clone();
        move || console.selected.get().as_deref() == Some(id.as_str())
    };
    let select = {
        let id = id.clone();
        move |_| session::select(console, id.clone())
    };
    // Each part reads the memo on its own so an update changes text in
    // place and never rebuilds the button (which would drop keyboard focus).
    let label = move || info.with(|t| t.as_ref().map(|t| t.label.clone()).unwrap_or_default());
    let unread = move || info.with(|t| t.as_ref().map_or(0, |t| t.unread));
    let has_unread = move || unread() != 0;
    let typing = move || info.with(|t| t.as_ref().is_some_and(|t| t.typing));
    let sharing = move || info.with(|t| t.as_ref().is_some_and(|t| t.sharing));
    let state = move || info.with(|t| t.as_ref().map_or(SessionState::Ended, |t| t.state));
    let state_name = move || match state() {
        SessionState::Queued => "queued",
        SessionState::Active => "active",
        SessionState::Ended => "ended",
    };
    let state_label = move || match state() {
        SessionState::Queued => "Waiting",
        SessionState::Active => "Active",
        SessionState::Ended => "Ended",
    };
    let preview = move || {
        if typing() {
            "Typing…".to_string()
        } else {
            info.with(|t| t.as_ref().map(|t| t.preview.clone()).unwrap_or_default())
        }
    };
    view! {
        <li>
            <button
                type="button"
                class="session-tab"
                class:selected=is_selected
                class:unread=has_unread
                data-testid="session-tab"
                data-session=id
                data-state=state_name
                on:click=select
            >
                {move || view! { <Avatar label=label() /> }}
                <span class="tab-body">
                    <span class="tab-line">
                        <span class="tab-name">{label}</span>
                        {move || info.with(|t| t.as_ref().and_then(|t| t.presence.clone())).map(|(name, words)| {
                            let title = words.clone();
                            view! {
                                <span class="tab-presence" data-testid="tab-presence" data-presence=name title=title>
                                    <span class="sr-only">{words}</span>
                                </span>
                            }
                        })}
                        <Show when=sharing>
                            <span class="tab-sharing" data-testid="tab-sharing" title="Sharing their screen">
                                <svg viewBox="0 0 24 24" width="13" height="13" fill="none" stroke="currentColor"
                                    stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
                                    <rect x="2" y="4" width="20" height="13" rx="2"></rect>
                                    <path d="M8 21h8M12 17v4"></path>
                                </svg>
                            </span>
                        </Show>
                        <span class=move || format!("state-pill state-{}", state_name())>{state_label}</span>
                    </span>
                    <span class="tab-preview" class:typing=typing>
                        {preview}
                    </span>
                </span>
                <Show when=has_unread>
                    <span class="badge" data-testid="unread-badge" title="Unread messages">
                        {unread}
                    </span>
                </Show>
            </button>
        </li>
    }
}
