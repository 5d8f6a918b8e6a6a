//! The waiting queue on the agent's side: what `queue` (the list of
//! waiting requests), `offer` and `offer.withdrawn` frames do, and what the
//! agent sends: take a request, or turn down the one offered.

use leptos::prelude::*;
use protocol::{ClientFrame, Millis, QueueItem};

use crate::state::{Console, OFFLINE, Offer, Sent};
use crate::{alerts, clock, format};

/// `queue{server_time, items, total}`: the waiting requests, oldest first.
pub fn on_queue(console: Console, server_time: Millis, items: Vec<QueueItem>, total: u32) {
    console.skew.set(clock::skew_from(server_time));
    console.queue_total.set(total.max(items.len() as u32));
    console.queue.set(items);
}

/// `offer{expires_at, item}`: the distributor rings this agent with a request.
pub fn on_offer(console: Console, expires_at: Millis, item: QueueItem) {
    alerts::notify(
        "New chat request",
        &format::visitor_label(item.visitor_name.as_deref(), &item.visitor_id),
    );
    console.offer.set(Some(Offer { expires_at, item }));
}

/// `offer.withdrawn{session}`: the offer no longer stands.
pub fn on_offer_withdrawn(console: Console, session: &str) {
    if console
        .offer
        .with_untracked(|o| o.as_ref().is_some_and(|o| o.item.session == session))
    {
        console.offer.set(None);
    }
}

/// Takes a waiting request. The chat opens when the server confirms; the
/// customer's CRM page (the site's screen pop) opens in a new tab now,
/// while the click or key that accepted still lets a page open one.
pub fn accept(console: Console, session: String) {
    let item = console
        .offer
        .with_untracked(|o| o.as_ref().map(|o| o.item.clone()))
        .filter(|i| i.session == session)
        .or_else(|| {
            console
                .queue
                .with_untracked(|q| q.iter().find(|i| i.session == session).cloned())
        });
    if let Some(url) = item.and_then(|i| i.screen_pop) {
        crate::screen_pop::open(&url);
    }
    let frame = ClientFrame::QueueAccept {
        session: session.clone(),
    };
    match console.send_tracked(
        frame,
        Sent::Accept {
            session: session.clone(),
        },
    ) {
        Some(_) => {
            // The agent is taking a chat: show it, whatever board was open.
            console.offer.set(None);
            console.board.set(None);
            console.accepting.set(Some(session));
        }
        None => console.toast(OFFLINE, None),
    }
}

/// Turns down the request the distributor is ringing us with.
pub fn decline_offer(console: Console) {
    let Some(offer) = console.offer.get_untracked() else {
        return;
    };
    console.offer.set(None);
    console.send(ClientFrame::OfferDecline {
        session: offer.item.session,
    });
}
