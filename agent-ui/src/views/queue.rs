//! The "Waiting" queue: visitors who asked for help and no one took yet.

use leptos::prelude::*;
use protocol::{AgentPresence, Millis, QueueItem};

use super::callback::{self, CallbackLine};
use crate::format;
use crate::queue;
use crate::state::Console;

/// Waits past these read as "getting long" and "too long".
const WAIT_WARN_MS: Millis = 2 * 60_000;
const WAIT_LATE_MS: Millis = 5 * 60_000;
/// Characters of the first message kept in the queue (CSS clamps it to two
/// lines; the tooltip shows the rest).
const FIRST_MESSAGE_CHARS: usize = 280;

#[component]
pub fn Queue() -> impl IntoView {
    let console = expect_context::<Console>();
    let online = move || console.presence.get() == AgentPresence::Online;
    let listed = move || console.queue.with(Vec::len);
    // Everyone waiting, beyond the oldest ones the server lists.
    let count = move || (console.queue_total.get() as usize).max(listed());
    let more = move || count() - listed();
    let any_waiting = move || count() != 0;
    view! {
        <section class="section queue" data-testid="queue">
            <header class="section-head">
                <h2>"Waiting"</h2>
                <Show when=online>
                    <span class="count" class:count-hot=any_waiting>
                        {count}
                    </span>
                </Show>
            </header>
            <Show
                when=online
                fallback=|| {
                    view! {
                        <p class="empty">"You're offline. Go online to see visitors waiting for help."</p>
                    }
                }
            >
                <Show
                    when=any_waiting
                    fallback=|| view! { <p class="empty">"No one is waiting right now."</p> }
                >
                    <ul class="queue-list">
                        <For
                            each=move || console.queue.get()
                            key=|item| item.session.clone()
                            let:item
                        >
                            <QueueRow item=item />
                        </For>
                    </ul>
                    <Show when=move || more() != 0>
                        <p class="queue-more" data-testid="queue-more">
                            {move || format!("+{} more waiting", more())}
                        </p>
                    </Show>
                </Show>
            </Show>
        </section>
    }
}

#[component]
fn QueueRow(item: QueueItem) -> impl IntoView {
    let console = expect_context::<Console>();
    let requested_at = item.requested_at;
    let waited = move || console.server_now() - requested_at;
    let wait_class = move || match waited() {
        w if w >= WAIT_LATE_MS => "wait wait-late",
        w if w >= WAIT_WARN_MS => "wait wait-warn",
        _ => "wait",
    };
    let (title, place) = match &item.page {
        Some(page) => (format::page_title(page), format::host_and_path(&page.url)),
        None => ("Unknown page".to_string(), String::new()),
    };
    let visitor = format::visitor_label(item.visitor_name.as_deref(), &item.visitor_id);
    let session = item.session.clone();
    let accepting = {
        let session = session.clone();
        Memo::new(move |_| console.accepting.get().as_deref() == Some(session.as_str()))
    };
    let accept = {
        let session = session.clone();
        move |_| queue::accept(console, session.clone())
    };
    view! {
        <li class="queue-item" data-testid="queue-item" data-session=session>
            <div class="qi-top">
                <span class="qi-title" title=title.clone()>{title.clone()}</span>
                <span class=wait_class data-testid="queue-wait" title="Waiting time">
                    {move || format::elapsed(waited())}
                </span>
            </div>
            {(!place.is_empty()).then(|| view! { <div class="qi-place">{place}</div> })}
            <p class="qi-message" title=format::truncate(&item.first_message, FIRST_MESSAGE_CHARS)>
                {format::truncate(&item.first_message, FIRST_MESSAGE_CHARS)}
            </p>
            {item.callback.clone().map(|c| view! { <CallbackLine callback=c /> })}
            {callback::due_label(item.due_at).map(|d| view! { <div class="qi-due" data-testid="queue-due">{d}</div> })}
            <div class="qi-bottom">
                <span class="qi-visitor">{visitor}</span>
                {item.topic.map(|t| view! { <span class="chip">{t}</span> })}
                <button
                    type="button"
                    class="btn btn-primary btn-sm qi-accept"
                    data-testid="queue-accept"
                    disabled=move || accepting.get() || !console.is_connected()
                    on:click=accept
                >
                    {move || if accepting.get() { "Accepting…" } else { "Accept" }}
                </button>
            </div>
        </li>
    }
}
