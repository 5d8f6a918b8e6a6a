//! What the agent can do from the console. Each action sends its frame and
//! updates the state the way the agent expects to see it at once; the
//! server's reply then confirms or corrects it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{AgentPresence, ClientFrame};

use crate::api::{self, Agent};
use crate::clock;
use crate::frames;
use crate::state::{Auth, Console, Sent};

const OFFLINE: &str = "You're not connected right now. Wait for the connection to come back.";

/// The agent is known (login or an existing cookie): show the workspace and connect.
pub fn enter(console: Console, agent: Agent) {
    console.auth.set(Auth::SignedIn(agent));
    frames::connect(console);
}

/// Signs out on the server, then drops the workspace. The socket is closed
/// first: the server closes an agent's other sockets on logout (close code
/// "replaced"), and this tab must not read that as being signed out elsewhere.
pub fn sign_out(console: Console) {
    console.set_link(None);
    spawn_local(async move {
        if let Err(err) = api::logout().await {
            console.toast(format!("Could not sign out: {}", err.message()), None);
            frames::connect(console);
            return;
        }
        console.clear_workspace();
        console.auth.set(Auth::SignedOut { notice: None });
    });
}

/// Asks the server to change presence; the toggle follows the server's answer.
pub fn set_presence(console: Console, presence: AgentPresence) {
    if presence == AgentPresence::Online {
        crate::alerts::ask_permission();
    }
    match console.send_tracked(ClientFrame::PresenceSet { presence }, Sent::Presence) {
        Some(_) => console.presence_asked.set(Some(presence)),
        None => console.toast(OFFLINE, None),
    }
}

/// Takes a waiting request. The chat opens when the server confirms.
pub fn accept(console: Console, session: String) {
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

pub fn select(console: Console, session: String) {
    console.board.set(None);
    console.selected.set(Some(session));
}

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

pub fn typing(console: Console, session: &str, active: bool) {
    console.send(ClientFrame::Typing {
        session: session.to_string(),
        active,
    });
}

/// Ends the chat for both sides. The tab stays, marked ended, until closed.
pub fn end_chat(console: Console, session: &str) {
    if console
        .send(ClientFrame::SessionEnd {
            session: session.to_string(),
        })
        .is_none()
    {
        console.toast(OFFLINE, None);
    }
}

/// Removes an ended chat's tab and moves to a neighbouring one.
pub fn close_chat(console: Console, session: &str) {
    let mut next = None;
    console.chats.update(|chats| {
        if let Some(i) = chats.iter().position(|c| c.id() == session) {
            chats.remove(i);
            next = chats
                .get(i)
                .or_else(|| chats.last())
                .map(|c| c.id().to_string());
        }
    });
    console.set_draft(session, String::new());
    if console.selected.get_untracked().as_deref() == Some(session) {
        console.selected.set(next);
    }
}

/// A message id unique to this console: time plus randomness, short enough
/// for the protocol's client_id limit.
fn new_client_id() -> String {
    let random = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("c{:x}{random:08x}", clock::now())
}

/// Asks the visitor to share their screen; they see Allow / Deny.
pub fn request_screen(console: Console, session: &str) {
    let frame = ClientFrame::CobrowseRequest {
        session: session.to_string(),
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
}

/// Stops screen sharing (or withdraws the request).
pub fn stop_screen(console: Console, session: &str) {
    let frame = ClientFrame::CobrowseStop {
        session: session.to_string(),
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
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

/// Records the ended chat's wrap-up: a disposition tag and an optional note.
/// The card shows the tag once the server's wrap-up event comes back.
pub fn wrap_up(console: Console, session: &str, disposition: &str, note: &str) {
    let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
    let frame = ClientFrame::SessionWrapup {
        session: session.to_string(),
        disposition: disposition.to_string(),
        note,
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
    }
}

/// Hands the chat to a colleague or to another skill's queue. The chat
/// leaves this console when the server confirms (a `session` frame naming
/// the new agent or the queue).
pub fn transfer(
    console: Console,
    session: &str,
    agent: Option<String>,
    skill: Option<String>,
    note: &str,
) {
    let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
    let frame = ClientFrame::SessionTransfer {
        session: session.to_string(),
        agent,
        skill,
        note,
    };
    if console.send(frame).is_none() {
        console.toast(OFFLINE, None);
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

/// Loads the library (canned responses, articles) into the console.
pub fn load_library(console: Console) {
    spawn_local(async move {
        match api::library().await {
            Ok(items) => {
                console.library.try_set(items);
            }
            Err(e) => console.toast(format!("Could not load the library: {}", e.message()), None),
        }
    });
}
