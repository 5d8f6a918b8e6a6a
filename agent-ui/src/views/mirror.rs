//! The mirror column: one stage per shared session, all mounted for as long
//! as their sharing lasts (an iframe loses its document when moved or
//! removed, so stages are stacked and only the selected chat's is visible;
//! the others keep applying frames in the background). The bar above shows
//! the selected chat's mirror state and tools.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::ev::MouseEvent;
use leptos::html;
use leptos::prelude::*;
use protocol::ShareState;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::cobrowse_tools::MirrorToolbar;
use super::form_panel::FormPanelView;
use crate::chat::Chat;
use crate::cobrowse::{self, MirrorStatus};
use crate::form;
use crate::mirror::stage::Stage;
use crate::state::Console;

/// A chat whose visitor is sharing their screen right now.
pub fn is_sharing(chat: &Chat) -> bool {
    chat.summary.share == ShareState::Active && !chat.is_ended()
}

#[component]
pub fn MirrorDeck() -> impl IntoView {
    let console = expect_context::<Console>();
    // Stages keep the order they were created in: were one moved in the
    // DOM (the chats' order changing), its iframe would lose its document.
    let sharing = Memo::new(move |prev: Option<&Vec<String>>| {
        let now: Vec<String> = console.chats.with(|chats| {
            chats
                .iter()
                .filter(|c| is_sharing(c))
                .map(|c| c.id().to_string())
                .collect()
        });
        let mut order: Vec<String> = prev
            .map(|p| p.iter().filter(|id| now.contains(id)).cloned().collect())
            .unwrap_or_default();
        for id in now {
            if !order.contains(&id) {
                order.push(id);
            }
        }
        order
    });
    let current = Memo::new(move |_| {
        console
            .selected
            .get()
            .filter(|id| sharing.with(|s| s.contains(id)))
    });
    let area = NodeRef::<html::Div>::new();
    watch_size(console, area);
    // Another chat on screen: its mirror may not have been fitted yet.
    Effect::new(move |_| {
        current.track();
        request_animation_frame(move || cobrowse::relayout(console));
    });
    // The selected chat's form panel, when the agent opened it.
    let form_for = Memo::new(move |_| {
        current
            .get()
            .filter(|id| console.forms.with(|f| f.contains_key(id)))
    });
    view! {
        <section class="mirror-deck" aria-label="The visitor's screen">
            {move || current.get().map(|id| view! { <MirrorToolbar id=id /> })}
            <div class="mirror-main">
                <div class="mirror-area" node_ref=area>
                    <For each=move || sharing.get() key=|id| id.clone() let:id>
                        <MirrorStage id=id area=area />
                    </For>
                </div>
                {move || form_for.get().map(|id| view! { <FormPanelView id=id /> })}
            </div>
        </section>
    }
}

/// Refits the mirrors whenever the area changes size.
fn watch_size(console: Console, area: NodeRef<html::Div>) {
    type Watch = (web_sys::ResizeObserver, Closure<dyn FnMut()>);
    let watch = StoredValue::new_local(None::<Watch>);
    Effect::new(move |_| {
        let Some(el) = area.get() else { return };
        if watch.with_value(Option::is_some) {
            return;
        }
        let on_resize = Closure::<dyn FnMut()>::new(move || cobrowse::relayout(console));
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&el);
            watch.set_value(Some((observer, on_resize)));
        }
    });
    on_cleanup(move || {
        if let Some((observer, _)) = watch.try_update_value(Option::take).flatten() {
            observer.disconnect();
        }
    });
}

/// Each stage's number, so a stage that unmounts late cannot take down the
/// one that replaced it.
static STAGES: AtomicU64 = AtomicU64::new(1);

#[component]
fn MirrorStage(id: String, area: NodeRef<html::Div>) -> impl IntoView {
    let console = expect_context::<Console>();
    let generation = STAGES.fetch_add(1, Ordering::Relaxed);
    let viewport = NodeRef::<html::Div>::new();
    let marks = NodeRef::<html::Div>::new();
    let ripples = NodeRef::<html::Div>::new();
    let cursor = NodeRef::<html::Div>::new();
    let session = StoredValue::new(id.clone());

    // Mount the mirror once every element exists.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let (Some(area), Some(viewport), Some(marks), Some(ripples), Some(cursor)) = (
            area.get(),
            viewport.get(),
            marks.get(),
            ripples.get(),
            cursor.get(),
        ) else {
            return false;
        };
        let doc = document();
        let stage = session.with_value(|id| {
            Stage::new(
                &doc,
                id,
                area.unchecked_into(),
                viewport.unchecked_into(),
                marks.unchecked_into(),
                ripples.unchecked_into(),
                cursor.unchecked_into(),
            )
        });
        let Some(stage) = stage else { return false };
        // Build into the frame's own document once it has loaded (before
        // that it holds a throwaway about:blank); frames wait in the
        // mirror's queue meanwhile. A stage unmounted first is not attached.
        let frame = stage.frame.clone();
        let id = session.get_value();
        let on_load = Closure::once_into_js(move || {
            if stage.frame.is_connected() {
                cobrowse::attach(console, &id, stage, generation);
            }
        });
        let once = web_sys::AddEventListenerOptions::new();
        once.set_once(true);
        let _ = frame.add_event_listener_with_callback_and_add_event_listener_options(
            "load",
            on_load.unchecked_ref(),
            &once,
        );
        true
    });
    {
        let id = id.clone();
        on_cleanup(move || cobrowse::detach(console, &id, generation));
    }

    let status = {
        let id = id.clone();
        Memo::new(move |_| {
            console
                .mirror_info
                .with(|m| m.get(&id).map_or(MirrorStatus::Loading, |i| i.status))
        })
    };
    let is_current = {
        let id = id.clone();
        move || console.selected.get().as_deref() == Some(id.as_str())
    };
    // Mouse positions relative to the scaled mirror.
    let local = move |ev: &MouseEvent| {
        let el = viewport.get_untracked()?;
        let r = el.get_bounding_client_rect();
        Some((
            f64::from(ev.client_x()) - r.left(),
            f64::from(ev.client_y()) - r.top(),
        ))
    };
    let on_move = move |ev: MouseEvent| {
        if let Some((x, y)) = local(&ev) {
            session.with_value(|id| cobrowse::agent_move(console, id, x, y));
        }
    };
    let on_leave = move |_: MouseEvent| session.with_value(|id| cobrowse::agent_leave(console, id));
    let on_click = move |ev: MouseEvent| {
        ev.prevent_default();
        let Some((x, y)) = local(&ev) else { return };
        let label = console.highlight_label.get_untracked();
        let clicked = session.with_value(|id| cobrowse::agent_click(console, id, x, y, &label));
        if let Some(node) = clicked {
            console.highlight_label.set(String::new());
            // A field clicked in the mirror is selected in the form panel too.
            session.with_value(|id| form::select_node(console, id, node));
        }
    };
    let veil = move || match status.get() {
        MirrorStatus::Live => None,
        MirrorStatus::Loading => Some("Loading the visitor's page…"),
        MirrorStatus::Resyncing => Some("Resynchronising…"),
    };
    view! {
        <div
            class="mirror-stage"
            class:current=is_current
            class:stale=move || status.get() != MirrorStatus::Live
            data-session=id
            data-status=move || status.get().name()
        >
            <div class="mirror-viewport" node_ref=viewport>
                <div
                    class="mirror-overlay"
                    on:mousemove=on_move
                    on:mouseleave=on_leave
                    on:click=on_click
                >
                    <div class="mirror-marks" node_ref=marks></div>
                    <div class="mirror-ripples" node_ref=ripples></div>
                    <div class="mirror-cursor off" node_ref=cursor aria-hidden="true">
                        <svg viewBox="0 0 16 20" width="16" height="20">
                            <path d="M1 1v15.5l4.2-4 2.9 6.6 2.6-1.1-2.9-6.5H14z" fill="#111" stroke="#fff" stroke-width="1.3" stroke-linejoin="round"></path>
                        </svg>
                        <span class="mirror-cursor-tag">"Visitor"</span>
                    </div>
                </div>
            </div>
            {move || veil().map(|text| view! {
                <div class="mirror-veil" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    {text}
                </div>
            })}
        </div>
    }
}
