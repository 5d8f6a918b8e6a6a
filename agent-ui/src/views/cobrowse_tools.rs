//! Screen-sharing controls: "See screen" and the request's state in the chat
//! header, and the bar above the mirror (where the visitor is, how the mirror
//! is doing, highlight label, clear, stop).

use leptos::prelude::*;
use protocol::ShareState;
use protocol::limits::MAX_SHORT_CHARS;

use super::LineIcon;
use crate::cobrowse::{self, MirrorInfo, MirrorStatus};
use crate::state::Console;
use crate::{form, format};

/// In the chat header: ask to see the screen, or wait for the answer.
/// Once sharing, the controls live in the bar above the mirror.
#[component]
pub fn ScreenControls(id: String, share: ShareState) -> impl IntoView {
    let console = expect_context::<Console>();
    let session = StoredValue::new(id);
    match share {
        ShareState::Off => view! {
            <button
                type="button"
                class="btn btn-sm btn-screen"
                data-testid="cobrowse-request"
                title="Ask the visitor to share their screen with you"
                disabled=move || !console.is_connected()
                on:click=move |_| session.with_value(|id| cobrowse::request_screen(console, id))
            >
                <ScreenIcon />
                "See screen"
            </button>
        }
        .into_any(),
        ShareState::Requested => view! {
            <span class="share-wait" data-testid="cobrowse-state" data-state="requested" role="status">
                <span class="spinner" aria-hidden="true"></span>
                "Waiting for the visitor to allow…"
            </span>
            <button
                type="button"
                class="btn btn-ghost btn-sm"
                data-testid="cobrowse-stop"
                title="Withdraw the request"
                on:click=move |_| session.with_value(|id| cobrowse::stop_screen(console, id))
            >
                "Cancel"
            </button>
        }
        .into_any(),
        ShareState::Active => view! {
            <span class="share-on" title="The visitor is sharing their screen">
                <span class="live-dot" aria-hidden="true"></span>
                "Screen shared"
            </span>
        }
        .into_any(),
    }
}

/// The bar above the selected chat's mirror.
#[component]
pub fn MirrorToolbar(id: String) -> impl IntoView {
    let console = expect_context::<Console>();
    let session = StoredValue::new(id.clone());
    let info = Memo::new(move |_| {
        console
            .mirror_info
            .with(|m| m.get(&id).cloned().unwrap_or_default())
    });
    let status = move || info.with(|i| i.status);
    let status_text = move || match status() {
        MirrorStatus::Loading => "Loading the visitor's page…",
        MirrorStatus::Live => "Live",
        MirrorStatus::Resyncing => "Resynchronising…",
    };
    let place = move || info.with(|i| format::host_and_path(&i.url));
    let title = move || info.with(|i| i.title.clone());
    let url = move || info.with(|i| i.url.clone());
    let size = move || {
        info.with(|i: &MirrorInfo| (i.vw > 0).then(|| format!("{} × {} · {}%", i.vw, i.vh, i.zoom)))
    };
    let label = console.highlight_label;
    let form_open = move || session.with_value(|id| form::is_open(console, id));
    view! {
        <div class="mirror-bar">
            <span
                class=move || format!("mirror-status status-{}", status().name())
                data-testid="cobrowse-state"
                data-state=move || status().name()
                role="status"
            >
                <span class="live-dot" aria-hidden="true"></span>
                {status_text}
            </span>
            <div class="mirror-where" title=url>
                <span class="mirror-title">{title}</span>
                <span class="mirror-url">{place}</span>
            </div>
            <span class="mirror-size" title="The visitor's window size, and how large it is shown here">
                {size}
            </span>
            <div class="mirror-tools">
                <button
                    type="button"
                    class="btn btn-sm"
                    class:btn-on=form_open
                    data-testid="form-open"
                    aria-pressed=move || form_open().to_string()
                    title="The form fields of the visitor's page: fill them in for the visitor to accept"
                    on:click=move |_| session.with_value(|id| {
                        if form::is_open(console, id) {
                            form::close(console, id)
                        } else {
                            form::open(console, id)
                        }
                    })
                >
                    "Form"
                </button>
                <input
                    class="hl-input"
                    data-testid="highlight-label"
                    type="text"
                    maxlength=MAX_SHORT_CHARS.min(80).to_string()
                    placeholder="Highlight label"
                    aria-label="Label for the next highlight (optional)"
                    prop:value=move || label.get()
                    on:input=move |ev| label.set(event_target_value(&ev))
                />
                <button
                    type="button"
                    class="btn btn-sm"
                    data-testid="highlight-clear"
                    title="Remove your highlights from the visitor's page"
                    on:click=move |_| session.with_value(|id| cobrowse::clear_highlights(console, id))
                >
                    "Clear highlights"
                </button>
                <button
                    type="button"
                    class="btn btn-sm btn-danger-outline"
                    data-testid="cobrowse-stop"
                    on:click=move |_| session.with_value(|id| cobrowse::stop_screen(console, id))
                >
                    "Stop sharing"
                </button>
            </div>
        </div>
    }
}

#[component]
fn ScreenIcon() -> impl IntoView {
    view! {
        <LineIcon>
            <rect x="2" y="4" width="20" height="13" rx="2"></rect>
            <path d="M8 21h8M12 17v4"></path>
        </LineIcon>
    }
}
