//! The reply box: Enter sends, Shift+Enter starts a new line, and typing
//! is announced to the visitor (throttled, see `chat/typing.rs`). In note mode
//! the text becomes a private note that only agents see, and typing is not
//! announced.

use std::time::Duration;

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use protocol::limits::MAX_MESSAGE_CHARS;

use crate::api::LibraryItem;
use crate::chat::{self, IDLE_MS, TypingSignal};
use crate::{clock, library};

#[component]
pub fn Composer(id: String) -> impl IntoView {
    let console = expect_context::<crate::state::Console>();
    let draft = RwSignal::new(console.draft(&id));
    let typing = StoredValue::new(TypingSignal::default());
    let idle = StoredValue::new(None::<TimeoutHandle>);
    let input = NodeRef::<html::Textarea>::new();
    let session = StoredValue::new(id.clone());
    let note_mode = RwSignal::new(false);
    // Canned responses for a bare `/prefix`; articles for what the visitor said.
    let canned = Memo::new(move |_| {
        let d = draft.get();
        console.library.with(|items| {
            library::canned_for(items, d.trim_start())
                .into_iter()
                .cloned()
                .collect::<Vec<LibraryItem>>()
        })
    });
    let articles = Memo::new(move |_| {
        let texts = console
            .with_chat(&id, |c| c.recent_visitor_texts(3))
            .unwrap_or_default();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        console.library.with(|items| {
            library::articles_for(items, &texts)
                .into_iter()
                .cloned()
                .collect::<Vec<LibraryItem>>()
        })
    });
    let replace_draft = move |text: String| {
        session.with_value(|id| console.set_draft(id, text.clone()));
        draft.set(text);
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };

    let stop_typing = move || {
        if let Some(handle) = idle.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if typing.try_update_value(TypingSignal::stop) == Some(true) {
            session.with_value(|id| chat::send_typing(console, id, false));
        }
    };
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        session.with_value(|id| console.set_draft(id, text.clone()));
        draft.set(text);
        if note_mode.get_untracked() {
            return;
        }
        if typing.try_update_value(|t| t.input(clock::now())) == Some(true) {
            session.with_value(|id| chat::send_typing(console, id, true));
        }
        // Restart the quiet-time countdown on every key.
        if let Some(handle) = idle.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let handle =
            set_timeout_with_handle(stop_typing, Duration::from_millis(IDLE_MS as u64)).ok();
        idle.set_value(handle);
    };
    let send = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        stop_typing();
        session.with_value(|id| {
            if note_mode.get_untracked() {
                chat::add_note(console, id, &text);
            } else {
                chat::send_message(console, id, &text);
            }
            console.set_draft(id, String::new());
        });
        draft.set(String::new());
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        // `/shortcut` then Tab (or Enter) expands the best canned response.
        let expand = ev.key() == "Tab" || (ev.key() == "Enter" && !ev.shift_key());
        if expand
            && !ev.is_composing()
            && let Some(first) = canned.with_untracked(|c| c.first().cloned())
        {
            ev.prevent_default();
            replace_draft(first.body);
            return;
        }
        // While an IME is composing, Enter confirms the composition instead.
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        send();
    };

    // The agent opened this chat to answer it.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    // Switching chats must not leave the visitor seeing "typing…" forever.
    on_cleanup(stop_typing);

    view! {
        <form class="composer" class:note-mode=move || note_mode.get() on:submit=on_submit>
            <Show when=move || !canned.with(Vec::is_empty)>
                <ul class="canned-list" aria-label="Canned responses">
                    <For each=move || canned.get() key=|i| i.id.clone() let:item>
                        {
                            let body = item.body.clone();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="canned"
                                        data-testid="canned-suggestion"
                                        data-shortcut=item.shortcut.clone().unwrap_or_default()
                                        on:click=move |_| replace_draft(body.clone())
                                    >
                                        <code>{format!("/{}", item.shortcut.clone().unwrap_or_default())}</code>
                                        <span class="canned-title">{item.title.clone()}</span>
                                        <span class="canned-body">{item.body.clone()}</span>
                                    </button>
                                </li>
                            }
                        }
                    </For>
                    <li class="hint">"Tab or Enter inserts the first"</li>
                </ul>
            </Show>
            <Show when=move || !articles.with(Vec::is_empty)>
                <div class="kb-suggestions">
                    <span class="hint">"Suggested articles:"</span>
                    <For each=move || articles.get() key=|i| i.id.clone() let:item>
                        {
                            let text = library::article_text(&item);
                            view! {
                                <button
                                    type="button"
                                    class="chip kb-chip"
                                    data-testid="kb-suggestion"
                                    title=item.body.clone()
                                    on:click=move |_| {
                                        let current = draft.get_untracked();
                                        let joined = if current.trim().is_empty() {
                                            text.clone()
                                        } else {
                                            format!("{} {}", current.trim_end(), text)
                                        };
                                        replace_draft(joined);
                                    }
                                >
                                    {item.title.clone()}
                                </button>
                            }
                        }
                    </For>
                </div>
            </Show>
            <textarea
                data-testid="chat-input"
                rows="3"
                maxlength=MAX_MESSAGE_CHARS.to_string()
                placeholder=move || {
                    if note_mode.get() {
                        "Write a private note — only agents see it…"
                    } else {
                        "Write a reply…"
                    }
                }
                aria-label=move || if note_mode.get() { "Private note" } else { "Reply" }
                node_ref=input
                prop:value=move || draft.get()
                on:input=on_input
                on:keydown=on_keydown
            ></textarea>
            <div class="composer-bar">
                <label class="note-toggle" title="Private notes are kept with the chat for you and other agents; the visitor never sees them">
                    <input
                        type="checkbox"
                        data-testid="note-mode"
                        prop:checked=move || note_mode.get()
                        on:change=move |ev| {
                            if event_target_checked(&ev) {
                                stop_typing();
                            }
                            note_mode.set(event_target_checked(&ev));
                        }
                    />
                    "Private note"
                </label>
                <span class="hint">"Enter to send · Shift+Enter for a new line"</span>
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="chat-send"
                    disabled=move || draft.with(|d| d.trim().is_empty())
                >
                    {move || if note_mode.get() { "Add note" } else { "Send" }}
                </button>
            </div>
        </form>
    }
}
