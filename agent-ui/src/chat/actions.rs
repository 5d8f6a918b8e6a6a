//! What the agent sends in a chat: messages (shown at once as pending, sent
//! again after a reconnect or on retry), typing, and private notes.

use protocol::ClientFrame;

use crate::clock;
use crate::state::{Console, OFFLINE, Sent};

/// Sends a chat message, shown at once as pending. Without a connection it
/// stays pending and goes out after the reconnect (see `Chat::take_resend`).
pub fn send_message(console: Console, session: &str, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let client_id = new_client_id();
    let frame = ClientFrame::ChatSend {
        session: session.to_string(),
        client_id: Some(client_id.clone()),
        text: text.to_string(),
    };
    let sent = Sent::Message {
        session: session.to_string(),
        client_id: client_id.clone(),
    };
    let conn = console
        .send_tracked(frame, sent)
        .and(console.connection_number());
    console.update_chat(session, |chat| {
        chat.add_pending(client_id, text.to_string(), clock::now(), conn)
    });
}

/// Sends a message the server refused once more.
pub fn retry_message(console: Console, session: &str, client_id: &str) {
    let conn = console
        .connection_number()
        .filter(|_| console.is_connected());
    let Some(text) = console
        .update_chat(session, |chat| chat.retry_pending(client_id, conn))
        .flatten()
    else {
        return;
    };
    if conn.is_some() {
        let frame = ClientFrame::ChatSend {
            session: session.to_string(),
            client_id: Some(client_id.to_string()),
            text,
        };
        let sent = Sent::Message {
            session: session.to_string(),
            client_id: client_id.to_string(),
        };
        console.send_tracked(frame, sent);
    }
}

/// Typing started or stopped (see `TypingSignal` for when).
pub fn send_typing(console: Console, session: &str, active: bool) {
    console.send(ClientFrame::Typing {
        session: session.to_string(),
        active,
    });
}

/// A private note on the chat, for agents only.
pub fn add_note(console: Console, session: &str, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    let frame = ClientFrame::NoteAdd {
        session: session.to_string(),
        text: text.to_string(),
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
}

/// A message id unique to this console: time plus randomness, short enough
/// for the protocol's client_id limit.
fn new_client_id() -> String {
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("c{:x}{random:08x}", clock::now())
}
