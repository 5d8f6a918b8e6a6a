//! The reply box: Enter sends, Shift+Enter starts a new line, and typing
//! is announced to the visitor (throttled, see `typing.rs`). In note mode
//! the text becomes a private note that only agents see, and typing is not
//! announced.

use std::time::Duration;

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use protocol::limits::MAX_MESSAGE_CHARS;

use crate::typing::{IDLE_MS, TypingSignal};
use crate::{actions, clock};

#[component]
pub fn Composer(id: String) -> impl IntoView {
    let console = expect_context::<crate::state::Console>();
    let draft = RwSignal::new(console.draft(&id));
    let typing = StoredValue::new(TypingSignal::default());
    let idle = StoredValue::new(None::<TimeoutHandle>);
    let input = NodeRef::<html::Textarea>::new();
    let session = StoredValue::new(id);
    let note_mode = RwSignal::new(false);

    let stop_typing = move || {
        if let Some(handle) = idle.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if typing.try_update_value(TypingSignal::stop) == Some(true) {
            session.with_value(|id| actions::typing(console, id, false));
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
            session.with_value(|id| actions::typing(console, id, true));
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
                actions::add_note(console, id, &text);
            } else {
                actions::send_message(console, id, &text);
            }
            console.set_draft(id, String::new());
        });
        draft.set(String::new());
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
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
