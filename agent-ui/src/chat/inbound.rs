//! What the server's chat frames do: a new `event` in a session's log, a
//! `history` page answering `session.sync`, the visitor's `typing` and the
//! `receipts`. After a reconnect, messages the server never numbered are
//! sent again.

use leptos::prelude::*;
use protocol::{ClientFrame, Event, EventBody, Receipts, Role};

use super::receipts;
use crate::state::{Console, Sent};
use crate::{alerts, call, clock, form};

/// `event{session, event}`: a new entry in a session's log.
pub fn on_event(console: Console, session: &str, event: Event) {
    if let EventBody::Message {
        client_id: Some(client_id),
        ..
    } = &event.body
    {
        let client_id = client_id.clone();
        console.forget_sent(|s| matches!(s, Sent::Message { client_id: c, .. } if *c == client_id));
    }
    let from_visitor = match (event.author, &event.body) {
        (Role::Visitor, EventBody::Message { text, .. }) => Some(text.clone()),
        _ => None,
    };
    // Events for a chat we do not hold yet are skipped: the `session.sync`
    // sent when its summary arrives brings them.
    let ended = matches!(event.body, EventBody::Ended { .. });
    let answered = matches!(event.body, EventBody::FormAnswer { .. });
    if console.update_chat(session, |chat| chat.apply_event(event)) == Some(true) {
        if let Some(text) = from_visitor {
            alerts::notify("New message", &text);
        }
        if answered {
            // The visitor's page changed (or not): show its fields as they are now.
            form::refresh_if_open(console, session);
        }
        receipts::acknowledge_delivery(console, session);
    }
    if ended {
        // The session's end ends its call.
        call::sync(console, session);
    }
}

/// `history{session, events, receipts, more}`: a page of the log after `session.sync`.
pub fn on_history(
    console: Console,
    session: &str,
    events: Vec<Event>,
    receipts: Receipts,
    more: bool,
) {
    let last = console.update_chat(session, |chat| {
        chat.apply_history(events, receipts);
        chat.last_seq()
    });
    let Some(last) = last else { return };
    if more {
        console.send(ClientFrame::SessionSync {
            session: session.to_string(),
            after_seq: last,
        });
    } else {
        resend_lost_messages(console, session);
    }
    receipts::acknowledge_delivery(console, session);
}

/// `typing{session, author, active}`: only the visitor's typing is shown.
pub fn on_typing(console: Console, session: &str, author: Role, active: bool) {
    if author == Role::Visitor {
        console.update_chat(session, |chat| {
            chat.set_visitor_typing(active, clock::now())
        });
    }
}

/// `receipts{session, receipts}`: how far each side got.
pub fn on_receipts(console: Console, session: &str, receipts: Receipts) {
    console.update_chat(session, |chat| chat.set_receipts(receipts));
}

/// After a reconnect, messages the server never numbered are sent again.
fn resend_lost_messages(console: Console, session: &str) {
    let Some(conn) = console.connection_number() else {
        return;
    };
    let resend = console
        .update_chat(session, |chat| chat.take_resend(conn))
        .unwrap_or_default();
    for (client_id, text) in resend {
        let frame = ClientFrame::ChatSend {
            session: session.to_string(),
            client_id: Some(client_id.clone()),
            text,
        };
        console.send_tracked(
            frame,
            Sent::Message {
                session: session.to_string(),
                client_id,
            },
        );
    }
}

/// A visitor's typing flag cannot be trusted across a drop: the `false`
/// may have been lost with the connection.
pub fn forget_visitor_typing(console: Console) {
    console.chats.update(|chats| {
        for chat in chats.iter_mut() {
            chat.visitor_typing_since = None;
        }
    });
}
