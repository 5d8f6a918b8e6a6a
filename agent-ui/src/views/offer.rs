//! The ringing request: the distributor chose this agent for a visitor. The
//! card counts down to the moment the offer moves to a colleague, and
//! answers from the keyboard (Alt+A accept, Alt+D decline).

use leptos::prelude::*;

use super::callback::CallbackLine;
use crate::state::Console;
use crate::{format, queue};

const FIRST_MESSAGE_CHARS: usize = 200;

/// Says each incoming request once, through an assertive live region that
/// is always in the page (a region added with its text is not read): the
/// card is an `alertdialog`, which a screen reader reads only when focused,
/// and taking the focus from a reply being typed is worse.
#[component]
pub fn OfferVoice() -> impl IntoView {
    let console = expect_context::<Console>();
    let said = Memo::new(move |_| {
        console.offer.with(|offer| {
            let item = &offer.as_ref()?.item;
            let visitor = format::visitor_label(item.visitor_name.as_deref(), &item.visitor_id);
            Some(format!(
                "Incoming chat from {visitor}: {}. Alt+A accepts, Alt+D declines.",
                format::truncate(&item.first_message, FIRST_MESSAGE_CHARS)
            ))
        })
    });
    view! {
        <div class="sr-only" role="status" aria-live="assertive" data-testid="offer-said">
            {move || said.get().unwrap_or_default()}
        </div>
    }
}

#[component]
pub fn OfferCard() -> impl IntoView {
    let console = expect_context::<Console>();
    move || {
        let offer = console.offer.get()?;
        let item = offer.item;
        let visitor = format::visitor_label(item.visitor_name.as_deref(), &item.visitor_id);
        let left = move || ((offer.expires_at - console.server_now()).max(0) + 999) / 1000;
        let place = item.page.as_ref().map(format::page_title);
        let session = item.session.clone();
        let accept = move |_| queue::accept(console, session.clone());
        Some(view! {
            <section class="offer-card" role="alertdialog" aria-label="Incoming chat request" data-testid="offer" data-session=item.session.clone()>
                <div class="offer-head">
                    <span class="ring-dot" aria-hidden="true"></span>
                    <strong>"Incoming chat"</strong>
                    <span class="offer-timer" data-testid="offer-timer" title="Then it goes to a colleague">
                        {move || format!("{} s", left())}
                    </span>
                </div>
                <div class="offer-who">
                    <span class="who">{visitor}</span>
                    {item.topic.map(|t| view! { <span class="chip">{t}</span> })}
                </div>
                {place.map(|p| view! { <div class="offer-place">{p}</div> })}
                <p class="offer-message">{format::truncate(&item.first_message, FIRST_MESSAGE_CHARS)}</p>
                {item.callback.clone().map(|c| view! { <CallbackLine callback=c /> })}
                <div class="offer-actions">
                    <button type="button" class="btn btn-ghost btn-sm" data-testid="offer-decline" title="Alt+D" on:click=move |_| queue::decline_offer(console)>
                        "Decline"
                    </button>
                    <button type="button" class="btn btn-primary btn-sm" data-testid="offer-accept" title="Alt+A" disabled=move || !console.is_connected() on:click=accept>
                        "Accept"
                    </button>
                </div>
            </section>
        })
    }
}
