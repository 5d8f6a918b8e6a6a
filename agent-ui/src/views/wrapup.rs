//! The wrap-up card that replaces the composer once a chat has ended: the
//! agent picks a disposition (chips that are a native radio group, so Tab
//! reaches it and the arrow keys move the choice), may add a short note, and
//! saves with the button or Enter. Once the server has the wrap-up, the card
//! shows the chosen tag; "Change" reopens it (a new wrap-up replaces the old).

use leptos::prelude::*;
use protocol::limits::MAX_WRAPUP_NOTE_CHARS;

use crate::state::Console;
use crate::{format, wrapup};

#[component]
pub fn WrapupCard(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let saved = {
        let id = id.clone();
        Memo::new(move |_| console.with_chat(&id, |c| c.wrapup()).flatten())
    };
    let editing = RwSignal::new(false);
    let close_id = id.clone();
    let close = move |_| console.close_chat(&close_id);
    view! {
        <div class="ended-bar wrapup-bar" data-testid="chat-ended">
            {move || match (saved.get(), editing.get()) {
                (Some((tag, note)), false) => {
                    view! { <SavedWrapup tag=tag note=note editing=editing /> }.into_any()
                }
                (saved, _) => {
                    let (tag, note) = saved.unzip();
                    view! {
                        <WrapupForm id=id.clone() tag=tag note=note.flatten() editing=editing />
                    }
                        .into_any()
                }
            }}
            <button
                type="button"
                class="btn wrapup-close"
                data-testid="close-session"
                on:click=close
            >
                "Close"
            </button>
        </div>
    }
}

#[component]
fn SavedWrapup(tag: String, note: Option<String>, editing: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="wrapup-saved" data-testid="wrapup-saved" data-disposition=tag.clone()>
            <span class="wrapup-title">"Chat ended · wrapped up as"</span>
            <span class="chip chip-accent">{format::disposition_label(&tag)}</span>
            {note.map(|n| view! { <span class="wrapup-saved-note" title=n.clone()>{n.clone()}</span> })}
            <button type="button" class="link-button" on:click=move |_| editing.set(true)>
                "Change"
            </button>
        </div>
    }
}

#[component]
fn WrapupForm(
    id: String,
    tag: Option<String>,
    note: Option<String>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let console = expect_context::<Console>();
    let chosen = RwSignal::new(tag);
    let text = RwSignal::new(note.unwrap_or_default());
    let group = format!("disposition-{id}");
    let tags = move || {
        let group = group.clone();
        console
            .dispositions
            .get()
            .into_iter()
            .map(|tag| {
                let value = tag.clone();
                let checked = {
                    let tag = tag.clone();
                    move || chosen.with(|c| c.as_deref() == Some(tag.as_str()))
                };
                let selected = checked.clone();
                view! {
                    <label class="wrapup-tag" class:selected=selected>
                        <input
                            type="radio"
                            name=group.clone()
                            value=tag.clone()
                            data-testid="wrapup-tag"
                            prop:checked=checked
                            on:change=move |_| chosen.set(Some(value.clone()))
                        />
                        <span>{format::disposition_label(&tag)}</span>
                    </label>
                }
            })
            .collect_view()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(tag) = chosen.get_untracked() else {
            return;
        };
        wrapup::wrap_up(console, &id, &tag, &text.get_untracked());
        editing.set(false);
    };
    view! {
        <form class="wrapup" data-testid="wrapup" on:submit=submit>
            <span class="wrapup-title">"Chat ended · wrap up"</span>
            <div class="wrapup-tags" role="radiogroup" aria-label="Disposition">
                {tags}
            </div>
            <input
                type="text"
                class="wrapup-note"
                data-testid="wrapup-note"
                aria-label="Wrap-up note (optional)"
                placeholder="Note (optional)"
                maxlength=MAX_WRAPUP_NOTE_CHARS.to_string()
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <button
                type="submit"
                class="btn btn-primary"
                data-testid="wrapup-save"
                disabled=move || chosen.with(Option::is_none) || !console.is_connected()
            >
                "Save"
            </button>
        </form>
    }
}
